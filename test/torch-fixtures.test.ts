/**
 * The examples against PyTorch/torchvision: totals and per-layer output shapes and MACs, from fixtures
 * made by scripts/fixtures/torch_reference.py (Debian's python3-torch / python3-torchvision).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WeightTensor } from '../src/lower/weights-file.js';
import { matchByStructure } from '../src/lower/weights-map.js';
import { substitute } from '../src/symbolic/dim.js';
import { ROOT, checkFile, errors } from './helpers/compile.js';

interface Fixture {
  params: number;
  buffers: number;
  macs: number;
  layers: { path: string; type: string; outputShape: number[]; params: number; macs: number }[];
}

const CASES: [example: string, fixture: string][] = [
  ['lenet5', 'lenet5'], ['alexnet', 'alexnet'], ['vgg16', 'vgg16'], ['resnet18', 'resnet18'], ['resnet50', 'resnet50'],
  ['googlenet', 'googlenet'], ['mobilenet_v1', 'mobilenet_v1'], ['mobilenet_v2', 'mobilenet_v2'], ['lstm_text', 'lstm_text'], ['squeezenet', 'squeezenet1_0'],
  ['densenet121', 'densenet121'], ['efficientnet_b0', 'efficientnet_b0'], ['regnet_y_400mf', 'regnet_y_400mf'], ['resnext50_32x4d', 'resnext50_32x4d'],
  ['m5_audio', 'm5_audio'], ['gru_tagger', 'gru_tagger'], ['vit_b_16', 'vit_b_16'], ['shufflenet_v2', 'shufflenet_v2_x1_0'],
];

/** Sizes of symbols besides the batch (N = 1) at which a fixture was measured. */
const SIZES: Record<string, Record<string, number>> = { gru_tagger: { T: 32 } };

/** Layers torch's hooks cannot see, by example: functional calls in torchvision's forward(). */
const UNHOOKED: Record<string, string[]> = {
  // DenseNet's forward() ends with F.relu and F.adaptive_avg_pool2d.
  densenet121: ['avgpool'],
  // ShuffleNetV2 pools with x.mean([2, 3]).
  shufflenet_v2: ['pool'],
};

/** Which torch module types correspond to which dslc op categories. */
const FAMILIES: [string, (type: string) => boolean, (cat: string) => boolean][] = [
  ['conv', (t) => /^Conv\dd$/.test(t), (c) => c === 'conv'],
  ['dense', (t) => t === 'Linear', (c) => c === 'dense'],
  ['pool', (t) => /Pool/.test(t), (c) => c === 'pool'],
  ['norm', (t) => /^(BatchNorm|LayerNorm)/.test(t), (c) => c === 'norm'],
  ['attention', (t) => t === 'MultiheadAttention', (c) => c === 'attention'],
];

describe('examples match torchvision', () => {
  for (const [ex, fx] of CASES) {
    const file = `examples/${ex}.nn`;
    it(`${ex}: totals and per-layer shapes equal PyTorch`, () => {
      const f = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/torch', `${fx}.json`), 'utf8')) as Fixture;
      const r = checkFile(file);
      expect(errors(r)).toEqual([]);
      const m = r.models[0]!;
      const one = new Map(Object.entries({ N: 1, ...SIZES[ex] }));
      expect(m.totals.trainableParams).toBe(f.params);
      expect(m.totals.nonTrainableParams).toBe(f.buffers);
      expect(substitute(m.totals.macs, one)).toBe(f.macs);
      for (const [family, isTorch, isOurs] of FAMILIES) {
        const theirs = f.layers.filter((l) => isTorch(l.type));
        const ours = m.layers.filter((l) => isOurs(l.node.op.category) && !UNHOOKED[ex]?.includes(l.path));
        // torchvision's MobileNetV2 pools with a function call, which hooks cannot see.
        if (family === 'pool' && theirs.length === 0) continue;
        expect(ours.map((l) => l.outputShapes[0]!.map((d) => substitute(d, one))), `${family} output shapes`).toEqual(theirs.map((l) => l.outputShape));
        if (family === 'conv' || family === 'dense' || family === 'attention') expect(ours.map((l) => substitute(l.macs, one)), `${family} MACs`).toEqual(theirs.map((l) => l.macs));
      }
    });
  }
});

describe("torchvision's state_dict names map onto the examples (--weights-map auto)", () => {
  // Names and shapes only (<model>.state_dict.json): the structural match reads no weight data.
  for (const [ex, fx, mapped] of [
    ['vit_b_16', 'vit_b_16', { class_token: 'class_token.class_token', 'encoder.pos_embedding': 'encoder.pos_embedding.pos_embedding', 'encoder.layers.encoder_layer_11.self_attention.out_proj.weight': 'encoder.encoder_layer_11.self_attention.out_proj.weight', 'encoder.layers.encoder_layer_3.mlp.3.bias': 'encoder.encoder_layer_3.linear_2.bias', 'heads.head.weight': 'head.weight' }],
    ['shufflenet_v2', 'shufflenet_v2_x1_0', { 'stage2.0.branch1.0.weight': 'unit.branch1_dw.conv.weight', 'stage3.1.branch2.4.running_var': 'unit_6.branch2_dw.bn.running_var', 'conv5.1.bias': 'conv5.bn.bias', 'fc.weight': 'fc.weight' }],
  ] as const)
    it(ex, () => {
      const rows = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/torch', `${fx}.state_dict.json`), 'utf8')) as [string, number[]][];
      const tensors = new Map(rows.map(([name, dims]): [string, WeightTensor] => [name, { dims, dtype: 'float32', data: new Float32Array(0) }]));
      const m = checkFile(`examples/${ex}.nn`).models[0]!;
      const r = matchByStructure(m, fx, tensors);
      expect(r.diagnostics.map((d) => d.message)).toEqual([]);
      expect(r.table.length).toBe([...tensors.keys()].filter((k) => !k.endsWith('num_batches_tracked')).length);
      for (const [file, key] of Object.entries(mapped)) expect(r.table.find((t) => t.file === file)?.key, file).toBe(key);
    });
});
