/**
 * The TensorFlow.js lowering of every op, cross-checked against dslc's other lowering: each registry example (plus
 * cases for attributes the examples do not reach) becomes a one-layer model, exported to ONNX and run in
 * onnxruntime-node, and lowered to tfjs and run on the wasm backend, with the same seeded weights and inputs.
 */
import { describe, expect, it } from 'vitest';
import { allOps } from '../src/ops/registry.js';
import { initParam, paramKey } from '../src/lower/weights.js';
import { checkText, errors } from './helpers/compile.js';
import { crossCheck } from './helpers/tfjs.js';

/** Sizes for the examples' symbols (the batch is 2: batch-size bugs show). */
const SIZES: Record<string, number> = { N: 2, C: 3, H: 9, W: 7, T: 6, L: 12, E: 5 };
const TOL = 1e-4;

interface Case {
  readonly inputs: readonly (readonly (number | string)[])[];
  readonly call: string;
  readonly dtype?: string;
  /** Outputs of the call (return_indices: values and indices). */
  readonly outputs?: number;
}

/** Cases beyond the registry's examples: attributes whose lowering differs (groups, ceil_mode, pads, modes…). */
const EXTRA: Case[] = [
  { inputs: [[2, 6, 9, 9]], call: 'conv2d(4, 3, groups=2, padding=(1, 0))' },
  { inputs: [[2, 4, 9, 9]], call: "conv2d(4, 3, dilation=2, padding='same')" },
  { inputs: [[1, 4, 11]], call: 'conv1d(6, 3, stride=2, padding=1, groups=2)' },
  { inputs: [[1, 3, 5, 6, 6]], call: 'conv3d(4, 3, stride=2, padding=1, bias=false)' },
  { inputs: [[1, 3, 7, 8, 9]], call: 'conv3d(4, (2, 3, 2), dilation=(1, 2, 3), padding=1)' },
  { inputs: [[2, 4, 13, 12]], call: 'conv2d(6, 3, stride=2, dilation=(2, 3), groups=2)' },
  { inputs: [[1, 4, 5, 5]], call: 'conv_transpose2d(6, 3, stride=2, padding=2, output_padding=1, groups=2, dilation=2)' },
  { inputs: [[1, 2, 7]], call: 'conv_transpose1d(3, 5, stride=1, padding=4)' },
  { inputs: [[1, 1, 5]], call: 'conv_transpose1d(1, 3, dilation=3, output_padding=2)' },
  { inputs: [[2, 4, 5, 5]], call: 'conv_transpose2d(4, 3, stride=1, dilation=3, output_padding=2)' },
  { inputs: [[1, 2, 4, 3]], call: 'conv_transpose2d(4, (3, 2), stride=(2, 1), dilation=(1, 4), padding=(1, 1), output_padding=(1, 3), groups=2)' },
  { inputs: [[1, 2, 2, 3, 2]], call: 'conv_transpose3d(2, 2, stride=(1, 2, 1), dilation=(2, 1, 3), padding=(0, 1, 0), output_padding=(1, 1, 2))' },
  { inputs: [[1, 3, 9, 10]], call: 'max_pool2d(3, stride=2, padding=1, ceil_mode=true)' },
  { inputs: [[1, 3, 9, 10]], call: 'avg_pool2d(3, stride=2, padding=1, ceil_mode=true, count_include_pad=false)' },
  { inputs: [[1, 3, 9, 10]], call: 'avg_pool2d(3, stride=2, padding=1)' },
  { inputs: [[1, 2, 9, 9, 9]], call: 'max_pool3d(3, stride=2, padding=1)' },
  { inputs: [[2, 3, 11, 10]], call: 'max_pool2d(3, stride=2, padding=2, dilation=2, ceil_mode=true)' },
  { inputs: [[2, 3, 9, 10]], call: 'max_pool2d(3, stride=2, padding=1, return_indices=true)', outputs: 2 },
  { inputs: [[2, 3, 13]], call: 'max_pool1d(2, dilation=3, return_indices=true)', outputs: 2 },
  { inputs: [[1, 2, 5, 6, 6]], call: 'max_pool3d(2, return_indices=true)', outputs: 2 },
  { inputs: [[1, 3, 10, 6]], call: 'adaptive_avg_pool2d((5, 2))' },
  { inputs: [[1, 3, 10, 6]], call: 'adaptive_max_pool2d((2, 3))' },
  { inputs: [[1, 2, 4, 5]], call: "upsample(size=(7, 3), mode='bilinear', align_corners=true)" },
  { inputs: [[1, 2, 5]], call: "upsample(scale_factor=2.5, mode='linear')" },
  { inputs: [[1, 1, 2, 3, 3]], call: "upsample(size=(3, 4, 5), mode='trilinear')" },
  { inputs: [[1, 1, 3, 4]], call: "upsample(size=(5, 3), mode='nearest-exact')" },
  { inputs: [[1, 2, 4, 3]], call: "upsample(size=(5, 2), mode='bicubic', align_corners=true)" },
  { inputs: [[2, 6, 5, 5]], call: 'local_response_norm(4, alpha=0.01, beta=0.5, k=2)' },
  { inputs: [[2, 4, 5, 5]], call: 'batchnorm2d(track_running_stats=false)' },
  { inputs: [[2, 4, 5, 5]], call: 'prelu(4)' },
  { inputs: [[2, 4, 5, 5]], call: 'softmax(axis=2)' },
  { inputs: [[2, 4, 5, 5]], call: 'elu(alpha=0.5)' },
  { inputs: [[2, 4, 5, 5]], call: 'layernorm((5, 5))' },
  { inputs: [[2, 6, 5, 5]], call: 'group_norm(3, affine=false)' },
  { inputs: [[3, 8]], call: 'group_norm(4)' },
  { inputs: [[2, 4, 5]], call: 'instance_norm(affine=true)' },
  { inputs: [[2, 4, 3, 5]], call: 'instance_norm(track_running_stats=true)' },
  { inputs: [[2, 4, 5, 5]], call: 'flatten(1, 2)' },
  { inputs: [[2, 3, 9, 9]], call: 'conv2d(4, 3) -> reduce_max((1, 3), keepdims=true)' },
  { inputs: [[2, 3, 9, 9]], call: 'conv2d(4, 3) -> reduce_mean((-1, 2))' },
  { inputs: [[2, 3, 9, 9]], call: 'conv2d(4, 3) -> reduce_sum(1)' },
  { inputs: [[2, 3, 9, 9]], call: 'conv2d(4, 3) -> slice(1, -3, none, 2)' },
  { inputs: [[2, 3, 9, 9]], call: 'conv2d(4, 3) -> slice(-1, 1, -2, 3)' },
  { inputs: [[2, 7, 5]], call: 'slice(1, -100, 4)' },
  { inputs: [[2, 3, 9, 9], [4, 1, 1]], call: 'conv2d(4, 3) -> sub(x1)' },
  { inputs: [[2, 4, 7, 7], [2, 4, 7, 7]], call: 'conv2d(4, 3, padding=1) -> div(x1)' },
  { inputs: [[2, 3, 5, 4]], call: 'conv2d(18, 3, padding=1) -> pixel_shuffle(3)' },
  { inputs: [[2, 3, 8, 6]], call: 'conv2d(4, 3, padding=1) -> pixel_unshuffle(2)' },
  { inputs: [[2, 4, 5, 5]], call: 'softplus(beta=0.5, threshold=1)' },
  { inputs: [[2, 4, 5, 5]], call: 'softplus(beta=40)' },
  { inputs: [[2, 4, 5, 5]], call: 'clamp(min=-0.5)' },
  { inputs: [[2, 3, 9, 9]], call: 'conv2d(4, 3) -> flatten(start_dim=2) -> transpose(1, 2) -> class_token -> position_embedding -> slice(1, 0, 1)' },
  { inputs: [[7, 2, 16]], call: 'gru(8, batch_first=false, bidirectional=true, num_layers=2)' },
  { inputs: [[2, 5, 16]], call: 'lstm(8, bias=false, return_sequences=false)' },
  { inputs: [[6, 2, 16]], call: 'mha(16, 4, batch_first=false)' },
];

function modelText(c: Case): string {
  const ins = c.inputs.map((s, j) => `${j === 0 ? 'x' : `x${j}`}: ${c.dtype && j === 0 ? c.dtype : ''}[${s.join(', ')}]`).join(', ');
  return `model T(${ins}) {\n  y = x -> ${c.call}\n  return ${c.outputs === 2 ? 'y[0], y[1]' : 'y'}\n}\n`;
}

const cases: { name: string; c: Case }[] = [];
for (const op of allOps()) op.examples.forEach((e, i) => cases.push({ name: `${op.name} example ${i + 1}: ${e.call}`, c: e as Case }));
EXTRA.forEach((c) => cases.push({ name: `extra: ${c.call} on [${c.inputs.join('], [')}]`, c }));

describe('tfjs lowering vs ONNX Runtime, per op', () => {
  it('every op in the catalogue has a tfjs lowering', () => {
    expect(allOps().filter((o) => !o.tfjs).map((o) => o.name)).toEqual([]);
  });
  for (const { name, c } of cases)
    it(name, async () => {
      // Sizes other than the batch are bound at check time (the ONNX export needs some of them concrete).
      const r = checkText(modelText(c), { inputShapes: new Map(Object.entries(SIZES).filter(([k]) => k !== 'N')) });
      expect(errors(r).map((d) => d.message)).toEqual([]);
      const m = r.models[0]!;
      // Random biases and norm statistics (fresh ones are zeros and ones, which would hide mistakes); the weights are
      // the lowerings' shared seeded init (larger ones make long recurrences chaotic: float rounding then diverges).
      const weights = new Map<string, Float32Array>();
      for (const n of m.graph.nodes)
        n.params.forEach((p, k) => {
          if (p.name.includes('weight') && n.op.category !== 'norm' && n.op.name !== 'prelu') return; // (norm scales, slopes: random)
          const v = initParam(m.graph, n, { ...p, init: 'random', fanIn: 4 }, 'he', 11 + k);
          weights.set(paramKey(n, p), /var/.test(p.name) ? v.map((x) => 0.5 + Math.abs(x)) : v);
        });
      const env = new Map(Object.entries(SIZES));
      const got = await crossCheck(m, env, { weights, seed: 3 });
      got.net.dispose();
      expect(got.shapes).toEqual(got.ortShapes);
      expect(got.rel, `max |tfjs − ORT| relative to the output scale`).toBeLessThanOrEqual(TOL);
    });
});
