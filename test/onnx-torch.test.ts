/**
 * dslc's ONNX export against PyTorch's exporter and PyTorch's numbers (fixtures made by
 * scripts/fixtures/torch_onnx.py with Debian's python3-torch 1.13, opset 17):
 * - node counts of resnet18 and mobilenet_v2: BatchNorm kept vs torch's TrainingMode.PRESERVE export,
 *   `--fold-bn` vs torch's default (eval) export without its weight-dedup Identity nodes;
 * - torch's BatchNorm-preserving export of a small ResNet (torch's initializer names) loaded through
 *   `--weights` with `--weights-map` (rules or auto): onnxruntime gives torch's output, folded or not;
 * - onnxruntime's output of dslc's export with PyTorch's weights equals PyTorch's output (lenet5, an
 *   LSTM+GRU model, a model with every kind of BatchNorm folding), also with torch's names through
 *   `--weights-map` (a small ResNet; nn.TransformerEncoder stacks from scripts/fixtures/torch_encoder_stack.py).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { CheckedModel } from '../src/checker/analyze.js';
import type { OnnxExportOptions } from '../src/lower/onnx/export.js';
import { matchWeights, readOnnxWeights, readSafetensors, type WeightTensor } from '../src/lower/weights-file.js';
import { matchByStructure, parseRenameRules, renameTensors } from '../src/lower/weights-map.js';
import { ROOT, checkFile, checkText, errors } from './helpers/compile.js';
import { decodeModel, exportModel, graphOf, pyCheck, shapeMismatches, tempDir } from './helpers/onnx.js';

const FX = join(ROOT, 'test/fixtures/torch-onnx');
const BIN = join(ROOT, 'bin/dslc.cjs');

interface Counts {
  nodes: number;
  nodes_without_identity: number;
  by_type: Record<string, number>;
}
const COUNTS = JSON.parse(readFileSync(join(FX, 'node-counts.json'), 'utf8')) as Record<'resnet18' | 'mobilenet_v2', { preserve: Counts; default: Counts }>;

interface Io {
  input: { shape: number[]; data: number[] };
  output: { shape: number[]; data: number[] };
}
const io = (name: string) => JSON.parse(readFileSync(join(FX, `${name}.io.json`), 'utf8')) as Io;

function model(rel: string): CheckedModel {
  const r = checkFile(rel);
  expect(errors(r)).toEqual([]);
  return r.models[0]!;
}

function exported(m: CheckedModel, opts: OnnxExportOptions): Uint8Array {
  const { bytes, diagnostics } = exportModel(m, opts);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return bytes!;
}

const opCounts = (bytes: Uint8Array) => {
  const c: Record<string, number> = {};
  for (const n of graphOf(decodeModel(bytes)).node) c[n.opType] = (c[n.opType] ?? 0) + 1;
  return c;
};
const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

/** Runs a model's single input → single output in onnxruntime. */
async function run(bytes: Uint8Array, x: Io['input']): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(x.data), x.shape) });
  return out[s.outputNames[0]!]!.data as Float32Array;
}

function expectClose(got: Float32Array, want: ArrayLike<number>, tol = 1e-4) {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

const weightsOf = (m: CheckedModel, file: string, tensors: ReadonlyMap<string, WeightTensor>) => {
  const r = matchWeights(m, file, tensors);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.weights;
};
const safetensors = (name: string) => readSafetensors(readFileSync(join(FX, `${name}.safetensors`))) as Map<string, WeightTensor>;
const torchOnnx = () => readFileSync(join(FX, 'tiny_resnet.torch.onnx'));

describe('node counts against torch.onnx.export (opset 17)', () => {
  it('the fixture holds the counts the issue quotes for resnet18 (from the peer, not typed in)', () => {
    expect(COUNTS.resnet18.preserve.nodes_without_identity).toBe(69);
    expect(COUNTS.resnet18.default.nodes_without_identity).toBe(49);
    expect(COUNTS.resnet18.preserve.by_type.BatchNormalization).toBe(20);
    expect(COUNTS.resnet18.default.by_type.BatchNormalization).toBeUndefined();
  });
  for (const name of ['resnet18', 'mobilenet_v2'] as const) {
    it(`${name}: BatchNorm kept ≤ PRESERVE, --fold-bn ≤ default export without Identity`, () => {
      const m = model(`examples/${name}.nn`);
      const kept = opCounts(exported(m, { init: 'zeros' }));
      const folded = opCounts(exported(m, { init: 'zeros', foldBatchNorm: true }));
      const torch = COUNTS[name];
      // Without Identity also on torch's PRESERVE side: its Identity nodes only alias equal initializers.
      expect(total(kept)).toBeLessThanOrEqual(torch.preserve.nodes_without_identity);
      expect(kept.BatchNormalization).toBe(torch.preserve.by_type.BatchNormalization);
      expect(kept.Conv).toBe(torch.preserve.by_type.Conv);
      expect(total(folded)).toBeLessThanOrEqual(torch.default.nodes_without_identity);
      expect(folded.BatchNormalization).toBeUndefined();
      expect(folded.Conv).toBe(torch.default.by_type.Conv);
      expect(total(kept) - total(folded)).toBe(torch.preserve.by_type.BatchNormalization);
    });
  }
});

describe("torch's BatchNorm-preserving export, its weights loaded through --weights", () => {
  const m = () => model('test/fixtures/torch-onnx/tiny_resnet.nn');
  it('torch names: a plain load fails with a hint to map them', () => {
    const r = matchWeights(m(), 'tiny_resnet.torch.onnx', readOnnxWeights(torchOnnx()) as Map<string, WeightTensor>);
    expect(r.diagnostics.find((d) => d.code === 'E0601')?.message).toMatch(/no tensor 'layer1.conv1.weight'/);
  });
  it('torch ONNX in onnxruntime = dslc export with its weights (auto and rules, BatchNorm kept and folded) within 1e-4', async () => {
    const x = io('tiny_resnet');
    const theirs = await run(torchOnnx(), x.input);
    expectClose(theirs, x.output.data); // the peer's own file against its eager output
    const mm = m();
    const tensors = readOnnxWeights(torchOnnx()) as Map<string, WeightTensor>;
    const auto = matchByStructure(mm, 'torch.onnx', tensors);
    expect(auto.diagnostics).toEqual([]);
    expect(auto.table.find((r) => r.file === 'layer2.0.downsample.1.running_var')?.key).toBe('layer2.downsample.bn.running_var');
    const rules = parseRenameRules(readFileSync(join(FX, 'tiny_resnet.map.json'), 'utf8'));
    if (typeof rules === 'string') throw new Error(rules);
    const renamed = renameTensors(tensors, rules);
    if (typeof renamed === 'string') throw new Error(renamed);
    for (const [how, t] of [['auto', auto.tensors], ['rules', renamed.tensors]] as const) {
      const weights = weightsOf(mm, how, t);
      expectClose(await run(exported(mm, { weights }), x.input), theirs);
      const folded = exported(mm, { weights, foldBatchNorm: true });
      expect(opCounts(folded).BatchNormalization).toBeUndefined();
      expectClose(await run(folded, x.input), theirs);
    }
  });
  it("the state_dict as safetensors (num_batches_tracked ignored), auto-mapped, folded: torch's output", async () => {
    const mm = m();
    const tensors = safetensors('tiny_resnet');
    expect([...tensors.keys()]).toContain('layer2.0.downsample.1.num_batches_tracked');
    const auto = matchByStructure(mm, 'sd', tensors);
    expect(auto.diagnostics).toEqual([]);
    const r = matchWeights(mm, 'sd', auto.tensors);
    expect(r.diagnostics).toEqual([]);
    expectClose(await run(exported(mm, { weights: r.weights, foldBatchNorm: true }), io('tiny_resnet').input), io('tiny_resnet').output.data);
  });
  it('auto mapping errors name the layer left without weights; rules that merge names are refused', () => {
    const lenet = model('examples/lenet5.nn');
    const r = matchByStructure(lenet, 'torch.onnx', readOnnxWeights(torchOnnx()) as Map<string, WeightTensor>);
    expect(r.diagnostics[0]!.code).toBe('E0601');
    expect(r.diagnostics[0]!.message).toMatch(/no layer of the file left for conv1 \(bias\[6\], weight\[6×1×5×5\]\): the model has 1 layer\(s\) with these parameters, the file 0/);
    // Listed in another order than the model's, with layers of equal shapes: position cannot pair them.
    const reversed = new Map([...(readOnnxWeights(torchOnnx()) as Map<string, WeightTensor>)].reverse());
    const amb = matchByStructure(model('test/fixtures/torch-onnx/tiny_resnet.nn'), 'rev.onnx', reversed).diagnostics;
    expect(amb.map((d) => d.code)).toEqual(['E0601']);
    expect(amb[0]!.message).toMatch(/ambiguous structural match: the file does not list its layers in the model's order/);
    const rules = parseRenameRules('[["\\\\.running_(mean|var)$", ".stat"]]');
    if (typeof rules === 'string') throw new Error(rules);
    expect(renameTensors(readOnnxWeights(torchOnnx()) as Map<string, WeightTensor>, rules)).toMatch(/'bn1.running_mean' and 'bn1.running_var' are both renamed to 'bn1.stat'/);
    expect(parseRenameRules('{"a": 1}')).toMatch(/expected a JSON list/);
    expect(parseRenameRules('[{"from": "(", "to": ""}]')).toMatch(/rule 1: /);
  });
});

describe('onnxruntime on dslc exports with PyTorch weights = PyTorch (1e-4)', () => {
  // [fixture, .nn file, model, how torch's names become dslc's]
  const CASES: [string, string, string?, ('auto' | 'rules')[]?][] = [
    ['lenet5', 'examples/lenet5.nn'], ['small_rnn', 'test/fixtures/torch-onnx/small_rnn.nn'], ['fold_mix', 'test/fixtures/torch-onnx/fold_mix.nn'],
    ['tiny_resnet', 'test/fixtures/torch-onnx/tiny_resnet.nn', undefined, ['auto']],
    // std.transformer's encoder_layer against nn.TransformerEncoderLayer (post-norm ReLU, pre-norm GELU); torch
    // registers linear1, linear2 before norm1, norm2, so auto pairs the layers block by block.
    ['tiny_transformer', 'test/fixtures/torch-onnx/tiny_transformer.nn', undefined, ['rules', 'auto']],
    // nn.TransformerEncoder state_dicts: 3 post-norm layers and a final norm; 4 pre-norm layers.
    ['encoder_stack', 'test/fixtures/torch-onnx/encoder_stack.nn', 'EncoderStack', ['auto']],
    ['encoder_stack_prenorm', 'test/fixtures/torch-onnx/encoder_stack.nn', 'EncoderStackPreNorm', ['auto']],
  ];
  const renamed = (name: string, st: Map<string, WeightTensor>) => {
    const rules = parseRenameRules(readFileSync(join(FX, `${name}.map.json`), 'utf8'));
    if (typeof rules === 'string') throw new Error(rules);
    const r = renameTensors(st, rules);
    if (typeof r === 'string') throw new Error(r);
    return r.tensors;
  };
  for (const [name, file, modelName, maps] of CASES)
    it(`${name}${maps ? ` (--weights-map ${maps.join(', ')})` : ''}`, async () => {
      const r = checkFile(file);
      expect(errors(r)).toEqual([]);
      const m = modelName ? r.models.find((mm) => mm.graph.name === modelName)! : r.models[0]!;
      const x = io(name);
      const st = safetensors(name);
      for (const how of maps ?? [undefined]) {
        let tensors = st;
        if (how === 'rules') tensors = renamed(name, st);
        if (how === 'auto') {
          const auto = matchByStructure(m, name, st);
          expect(auto.diagnostics).toEqual([]);
          tensors = auto.tensors;
        }
        const weights = weightsOf(m, name, tensors);
        expectClose(await run(exported(m, { weights }), x.input), x.output.data);
        expectClose(await run(exported(m, { weights, foldBatchNorm: true }), x.input), x.output.data);
      }
    });
});

describe('--fold-bn', () => {
  it('folds conv (with bias), grouped conv_transpose and dense; keeps a BatchNorm whose input has another use', () => {
    const m = model('test/fixtures/torch-onnx/fold_mix.nn');
    const p = decodeModel(exported(m, { foldBatchNorm: true, seed: 3 }));
    const g = graphOf(p);
    expect(g.node.filter((n) => n.opType === 'BatchNormalization').map((n) => n.name)).toEqual(['bn3']);
    expect(p.metadataProps.find((x) => x.key === 'dslc.folded_batchnorm')?.value).toBe('3');
    expect(g.node.find((n) => n.opType === 'ConvTranspose')!.input).toEqual(['relu', 'deconv.weight', 'deconv.bias']);
  });
  it('folded exports pass onnx.checker (full) and strict shape inference, also with --functions', () => {
    const t = tempDir();
    try {
      const files = [['fold_mix', 'test/fixtures/torch-onnx/fold_mix.nn', false], ['tiny_resnet', 'test/fixtures/torch-onnx/tiny_resnet.nn', true], ['mobilenet_v2', 'examples/mobilenet_v2.nn', true]] as const;
      const paths = files.map(([name, file, functions]) => t.write(`${name}.onnx`, exported(model(file), { foldBatchNorm: true, functions, init: 'zeros' })));
      const r = pyCheck(paths);
      for (const f of paths) {
        expect(r.files.get(f)?.error ?? null, f).toBeNull();
        expect(r.files.get(f)?.ok, f).toBe(true);
        expect(shapeMismatches(r.files.get(f)!), f).toEqual([]);
      }
    } finally {
      t.cleanup();
    }
  });
  it('every absorbing op (1-D/3-D, depthwise, grouped transposed): folded = unfolded in onnxruntime with random statistics', async () => {
    const src = `model M(x: [N, 4, 6, 6, 6], s: [N, 4, 10], v: [N, 4, 6, 6]) -> (a: [N, 4, 13, 13, 13], b: [N, 8, 8], c: [N, 8, 6, 6], d: [N, 5, 10]) {
      a = x -> conv_transpose3d(4, 3, stride=2, groups=2, name="ct") -> batchnorm(eps=0.01, name="bn_a")
      b = s -> conv1d(8, 3, name="c1") -> batchnorm(affine=false, name="bn_b")
      c = v -> depthwise_conv2d(3, padding=1, depth_multiplier=2, name="dw") -> batchnorm(name="bn_c")
      d = s -> permute([0, 2, 1]) -> dense(5, name="fc") -> batchnorm1d(name="bn_d") -> permute([0, 2, 1])
      return a, b, c, d
    }`;
    const r = checkText(src);
    expect(errors(r)).toEqual([]);
    const m = r.models[0]!;
    // Random weights and statistics (variances positive), as a trained model would have.
    const weights = new Map<string, Float32Array>();
    let k = 1;
    for (const n of m.graph.nodes)
      for (const p of n.params) weights.set(`${n.path}.${p.name}`, Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => (p.name === 'running_var' ? 0.5 + Math.abs(Math.sin(k++)) : Math.sin(k++ * 1.7))));
    const feeds = (s: ort.InferenceSession) => Object.fromEntries(s.inputNames.map((name, i) => {
      const shape = [2, ...(m.graph.tensors[m.graph.inputs[i]!.tensor]!.type.shape.slice(1) as number[])];
      return [name, new ort.Tensor('float32', Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, j) => Math.cos(j * 0.41 + i)), shape)];
    }));
    const outs = async (bytes: Uint8Array) => {
      const s = await ort.InferenceSession.create(bytes);
      return Object.values(await s.run(feeds(s))).map((t) => t.data as Float32Array);
    };
    const folded = exported(m, { weights, foldBatchNorm: true });
    // bn_d normalises axis 1 of [N, 10, 5] (not the dense layer's features): it stays.
    expect(graphOf(decodeModel(folded)).node.filter((n) => n.opType === 'BatchNormalization').map((n) => n.name)).toEqual(['bn_d']);
    const [plain, fold] = [await outs(exported(m, { weights })), await outs(folded)];
    plain.forEach((p, i) => expectClose(fold[i]!, [...p], 1e-4));
  });
  it('folds instance_norm with running statistics (eval mode) but not one with instance statistics', async () => {
    const src = `model M(x: [N, 3, 6, 6]) {
      a = x -> conv2d(4, 3, name="c1") -> instance_norm(affine=true, track_running_stats=true, name="in_a")
      b = a -> conv2d(4, 1, name="c2") -> instance_norm(affine=true, name="in_b")
      return b
    }`;
    const m = checkText(src).models[0]!;
    const weights = new Map<string, Float32Array>();
    let k = 1;
    for (const n of m.graph.nodes)
      for (const p of n.params) weights.set(`${n.path}.${p.name}`, Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => (p.name === 'running_var' ? 0.5 + Math.abs(Math.sin(k++)) : Math.sin(k++ * 1.7))));
    const folded = exported(m, { weights, foldBatchNorm: true });
    expect(graphOf(decodeModel(folded)).node.map((n) => n.opType)).toEqual(['Conv', 'Conv', 'InstanceNormalization']);
    const x = { shape: [2, 3, 6, 6], data: Array.from({ length: 216 }, (_, i) => Math.cos(i * 0.41)) };
    expectClose(await run(folded, x), [...(await run(exported(m, { weights }), x))], 1e-4);
  });
  it('with --init, the folded model computes what the unfolded one does', async () => {
    for (const file of ['test/fixtures/torch-onnx/fold_mix.nn', 'test/fixtures/torch-onnx/tiny_resnet.nn']) {
      const m = model(file);
      const x = { shape: [2, ...(m.graph.tensors[m.graph.inputs[0]!.tensor]!.type.shape.slice(1) as number[])], data: [] as number[] };
      x.data = Array.from({ length: x.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37));
      const plain = await run(exported(m, { seed: 5 }), x);
      expectClose(await run(exported(m, { seed: 5, foldBatchNorm: true }), x), [...plain], 1e-5);
    }
  });
});

describe('CLI: --fold-bn, --weights-map, --verbose', () => {
  const dslc = (...args: string[]) => {
    try {
      return { code: 0, out: execFileSync('node', [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      return { code: err.status, out: err.stdout + err.stderr };
    }
  };
  it("maps torch's names (table with --verbose), folds, writes a model onnxruntime runs as torch does", async () => {
    const t = tempDir();
    try {
      const out = join(t.dir, 't.onnx');
      const r = dslc(join(FX, 'tiny_resnet.nn'), '--emit', 'onnx', '--weights', join(FX, 'tiny_resnet.torch.onnx'), '--weights-map', join(FX, 'tiny_resnet.map.json'), '--verbose', '--fold-bn', '-o', out);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/layer2\.0\.downsample\.0\.weight +layer2\.downsample\.conv\.weight/);
      const bytes = readFileSync(out);
      expect(opCounts(bytes).BatchNormalization).toBeUndefined();
      expectClose(await run(bytes, io('tiny_resnet').input), io('tiny_resnet').output.data);
      const bad = dslc(join(ROOT, 'examples/lenet5.nn'), '--emit', 'onnx', '--weights', join(FX, 'tiny_resnet.torch.onnx'), '--weights-map', 'auto', '-o', out);
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/E0601.*no layer of the file left for conv1/);
    } finally {
      t.cleanup();
    }
  });
  it("--weights-map auto loads nn.TransformerEncoder's state_dict (layers.0.linear1 registered before layers.0.norm1) as torch computes", async () => {
    const t = tempDir();
    try {
      const out = join(t.dir, 'e.onnx');
      const r = dslc(join(FX, 'encoder_stack.nn'), '--model', 'EncoderStack', '--emit', 'onnx', '--weights', join(FX, 'encoder_stack.safetensors'), '--weights-map', 'auto', '--verbose', '-o', out);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/layers\.2\.norm1\.weight +layers_2\.norm1\.weight/);
      expect(r.out).toMatch(/\nnorm\.bias +norm\.bias/);
      expectClose(await run(readFileSync(out), io('encoder_stack').input), io('encoder_stack').output.data);
    } finally {
      t.cleanup();
    }
  });
  it('usage errors exit 2', () => {
    const f = join(ROOT, 'examples/lenet5.nn');
    expect(dslc(f, '--emit', 'onnx', '--weights-map', 'auto')).toMatchObject({ code: 2, out: expect.stringMatching(/--weights-map belongs to --weights/) });
    expect(dslc(f, '--emit', 'json', '--fold-bn')).toMatchObject({ code: 2, out: expect.stringMatching(/--fold-bn belongs to --emit onnx/) });
    expect(dslc(f, '--emit', 'onnx', '--weights', join(FX, 'lenet5.safetensors'), '--weights-map', join(FX, 'missing.json'))).toMatchObject({ code: 2, out: expect.stringMatching(/cannot read --weights-map .*no such file/) });
  });
});
