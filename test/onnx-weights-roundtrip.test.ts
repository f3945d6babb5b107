/**
 * `--weights` reads dslc's own ONNX export back for every op with parameters, including those whose export packs
 * the parameters into an ONNX layout (LSTM/GRU/RNN W/R/B, PReLU's [C, 1, 1] slope, a transposed dense weight,
 * attention projections, BatchNorm's per-channel affine without running statistics): the recovered parameters equal
 * the exported ones, a re-export with them equals the first export, and the CLI's export → `--weights` → run agrees.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckedModel } from '../src/checker/analyze.js';
import type { Diagnostic } from '../src/diagnostics/types.js';
import { exportOnnx, onnxInitializerLayout } from '../src/lower/onnx/export.js';
import { unpackOnnxWeights } from '../src/lower/onnx/unpack.js';
import { readNpy, writeNpy } from '../src/lower/npy.js';
import { initParam, paramKey } from '../src/lower/weights.js';
import { matchWeights } from '../src/lower/weights-file.js';
import { readOnnxWeights, type WeightTensor } from '../src/lower/weights-file.js';
import { matchByStructure } from '../src/lower/weights-map.js';
import { allOps } from '../src/ops/registry.js';
import { runDslc } from './helpers/cli.js';
import { checkText, errors } from './helpers/compile.js';
import { decodeModel, graphOf, randomTensor } from './helpers/onnx.js';

const SEED = 3;
const shape = (s: readonly (number | string)[]) => `[${s.join(', ')}]`;

/** The CLI's path from an .onnx file to parameters: read, unpack dslc's packings, match by name. */
function load(m: CheckedModel, bytes: Uint8Array, file = 'a.onnx'): { weights: Map<string, Float32Array>; diagnostics: Diagnostic[]; tensors: Map<string, WeightTensor> } {
  const info: { opset?: number } = {};
  const read = readOnnxWeights(bytes, info);
  if (typeof read === 'string') throw new Error(read);
  const u = unpackOnnxWeights(m, file, read, info.opset);
  const r = matchWeights(m, file, u.tensors);
  return { weights: r.weights, diagnostics: [...u.diagnostics, ...r.diagnostics], tensors: u.tensors };
}

/** Float initializers of an export by name. */
const floats = (bytes: Uint8Array) =>
  new Map(graphOf(decodeModel(bytes)).initializer.filter((t) => t.dataType === 1).map((t) => [t.name, Buffer.from(t.rawData).toString('base64')]));

/**
 * Exports with seeded weights, loads the file back and checks: no diagnostic (no missing parameter, no unused tensor),
 * every parameter equal to the seeded one (within `ulps` float32 steps), and with `ulps` 0 a re-export with the loaded
 * weights has exactly the first export's initializers.
 */
function roundTrip(m: CheckedModel, opts: { opset?: number; ulps?: number } = {}): void {
  const a = exportOnnx(m, { seed: SEED, ...(opts.opset ? { opset: opts.opset } : {}) });
  expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const { weights, diagnostics } = load(m, a.result!);
  expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  for (const n of m.graph.nodes) {
    if (n.sharedWith !== undefined) continue;
    for (const p of n.params) {
      const key = paramKey(n, p);
      const want = initParam(m.graph, n, p, 'he', SEED);
      const got = weights.get(key)!;
      expect(got, key).toBeDefined();
      expect(got.length, key).toBe(want.length);
      const tol = (w: number) => (opts.ulps ?? 0) * 2 ** -23 * Math.max(Math.abs(w), 2 ** -126);
      const bad = want.findIndex((w, i) => !(Math.abs(got[i]! - w) <= tol(w)));
      expect(bad < 0 ? 'equal' : `${key}[${bad}]: ${got[bad]} vs ${want[bad]}`).toBe('equal');
    }
  }
  if (opts.ulps) return;
  const b = exportOnnx(m, { weights, ...(opts.opset ? { opset: opts.opset } : {}) });
  expect(floats(b.result!)).toEqual(floats(a.result!));
}

const model = (src: string): CheckedModel => {
  const r = checkText(src);
  expect(errors(r), src).toEqual([]);
  return r.models[0]!;
};
const one = (input: string, call: string) => model(`model T(x: ${input}) {\n  y = x -> ${call}\n  return y\n}\n`);

describe('--weights reads dslc\'s own ONNX export', () => {
  describe('every documented op example with parameters', () => {
    for (const op of allOps())
      op.examples.forEach((ex, i) => {
        if (ex.params === 0) return;
        it(`${op.name} example ${i + 1}: ${ex.call}`, () => {
          const ins = ex.inputs.map((s, j) => `${j === 0 ? 'x' : `x${j}`}: ${ex.dtype && j === 0 ? ex.dtype : ''}${shape(s)}`).join(', ');
          const m = model(`model T(${ins}) {\n  y = x -> ${ex.call}\n  return y\n}\n`);
          // (The largest examples, e.g. a BERT-sized embedding, take long to initialise and add nothing.)
          if (m.totals.params === 0 || m.totals.params > 2e6 || m.graph.nodes.some((n) => !n.op.onnx)) return;
          // Attention's query projection is stored scaled by 1/√d: exact only when √d is a power of two.
          roundTrip(m, { ulps: op.name === 'multihead_attention' ? 1 : 0 });
        });
      });
  });

  const cases: [string, string][] = [];
  for (const rec of ['lstm', 'gru', 'rnn'])
    cases.push(
      ['[3, 9, 20]', `${rec}(7)`],
      ['[3, 9, 20]', `${rec}(7, num_layers=3, bidirectional=true)`],
      ['[9, 3, 20]', `${rec}(5, num_layers=2, bias=false, batch_first=false)`],
      ['[3, 9, 20]', `${rec}(6, bidirectional=true, bias=false, return_sequences=false)`],
    );
  cases.push(
    ['[2, 4, 5]', 'prelu(4)'],
    ['[2, 4, 5, 6]', 'prelu(4)'],
    ['[2, 4, 3, 5, 6]', 'prelu(4)'],
    ['[2, 4]', 'prelu(4)'],
    ['[2, 4, 5, 6]', 'prelu'],
    ['[2, 7, 5]', 'dense(3)'],
    ['[2, 7, 5]', 'dense(3, bias=false)'],
    ['[2, 4, 5, 6]', 'batchnorm(track_running_stats=false)'],
    ['[2, 4, 5, 6]', 'batchnorm'],
    ['[2, 4, 5, 6]', 'layernorm([5, 6])'],
    ['[2, 3, 8, 8]', 'separable_conv2d(6, 3, padding=1)'],
    ['[2, 3, 8, 8]', 'depthwise_conv2d(3, padding=1)'],
    ['[1, 2, 5, 5]', 'conv_transpose2d(4, 3, dilation=3, output_padding=2)'],
    ['[2, 10, 64]', 'multihead_attention(64, 4)'],
    ['[2, 10, 64]', 'multihead_attention(64, 4, bias=false, batch_first=false)'],
  );
  describe('packed layouts', () => {
    for (const [input, call] of cases) it(`${call} on ${input}`, () => roundTrip(one(input, call)));
    it('attention whose 1/√d scale is not a power of two: within an ulp', () => roundTrip(one('[2, 10, 24]', 'multihead_attention(24, 2)'), { ulps: 1 }));
    it('attention with separate key and value projections', () =>
      roundTrip(model('model T(q: [2, 5, 16], kv: [2, 7, 8]) {\n  y = mha(q, kv, kv, embed_dim=16, num_heads=4, kdim=8, vdim=8)\n  return y\n}\n')));
    it('a shared layer used twice, and a file exported at another opset', () => {
      const m = model('model T(x: [2, 4, 5, 6]) {\n  f = dense(6)\n  a = x -> f -> prelu(4)\n  b = a -> f\n  return b -> reshape([2, 4, 30]) -> lstm(3)\n}\n');
      roundTrip(m);
      for (const opset of [13, 18, 21]) roundTrip(m, { opset });
    });
  });

  it('the recorded layout names exactly the export\'s initializers', () => {
    const m = model('model T(x: [2, 9, 20]) {\n  y = x -> gru(7, num_layers=2, bidirectional=true) -> reshape([2, 9, 14, 1]) -> prelu(9) -> batchnorm(track_running_stats=false) -> flatten -> dense(3)\n  return y\n}\n');
    const layout = onnxInitializerLayout(m);
    expect([...layout.keys()].sort()).toEqual(graphOf(decodeModel(exportOnnx(m).result!)).initializer.map((t) => t.name).sort());
    expect([...layout.values()].filter((e) => e.kind === 'packed').length).toBe(2 * 3 + 1 + 2); // gru W/R/B ×2 layers, prelu slope, batchnorm weight and bias
  });

  it('a packed tensor of the wrong shape is named', () => {
    const a = exportOnnx(one('[3, 9, 20]', 'lstm(7)'), { seed: SEED }).result!;
    const { diagnostics } = load(one('[3, 9, 20]', 'lstm(8)'), a);
    expect(diagnostics.map((d) => d.message)).toContain("a.onnx: 'y.W_l0' (y's parameters in dslc's ONNX layout) has shape [1, 28, 20] but y needs [1, 32, 20]");
    expect(diagnostics.every((d) => d.code === 'E0601')).toBe(true);
  });

  it('--weights-map auto pairs the unpacked tensors too', () => {
    const m = one('[3, 9, 20]', 'lstm(7, bidirectional=true)');
    const read = readOnnxWeights(exportOnnx(m, { seed: SEED }).result!) as Map<string, WeightTensor>;
    const u = unpackOnnxWeights(m, 'a.onnx', read);
    const auto = matchByStructure(m, 'a.onnx', u.tensors);
    expect(auto.diagnostics).toEqual([]);
    expect(matchWeights(m, 'a.onnx', auto.tensors).diagnostics).toEqual([]);
  });

  it('onnxruntime gives the same outputs with the loaded weights (bidirectional 2-layer LSTM, PReLU, GRU without bias)', async () => {
    const m = model('model T(x: [3, 9, 20]) {\n  h = x -> lstm(7, num_layers=2, bidirectional=true) -> reshape([3, 9, 14, 1]) -> prelu(9)\n  y = h -> reshape([3, 9, 14]) -> gru(5, bias=false)\n  return y\n}\n');
    const a = exportOnnx(m, { seed: SEED }).result!;
    const b = exportOnnx(m, { weights: load(m, a).weights }).result!;
    const feeds = { x: randomTensor('float32', [3, 9, 20], 5) };
    const run = async (bytes: Uint8Array) => {
      const s = await ort.InferenceSession.create(bytes);
      return [...((await s.run(feeds))[s.outputNames[0]!]!.data as Float32Array)];
    };
    expect(await run(b)).toEqual(await run(a));
  });
});

describe('CLI: export, then --weights of that export', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dslc-rt-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const SRC = `model M(s: [3, 9, 20]) {
  enc = s -> lstm(7, num_layers=2, bidirectional=true)
  g = enc -> gru(5, bias=false, batch_first=false) -> rnn(4, bidirectional=true)
  j = g -> reshape([3, 9, 8, 1]) -> prelu(9) -> dense(3)
  return j
}
`;
  it('--emit onnx --weights and run --weights reproduce the original', async () => {
    writeFileSync(join(dir, 'm.nn'), SRC);
    const ok = async (args: string[]) => {
      const r = await runDslc(args, dir);
      expect(r.stderr).not.toMatch(/error|warning/);
      expect(r.code, r.stderr).toBe(0);
    };
    await ok(['m.nn', '--emit', 'onnx', '-o', 'a.onnx']);
    await ok(['m.nn', '--emit', 'onnx', '--weights', 'a.onnx', '-o', 'b.onnx']);
    await ok(['m.nn', '--emit', 'onnx', '--weights', 'a.onnx', '--weights-map', 'auto', '-o', 'c.onnx']);
    const [a, b, c] = ['a.onnx', 'b.onnx', 'c.onnx'].map((f) => readFileSync(join(dir, f)));
    expect(floats(b!)).toEqual(floats(a!));
    expect(floats(c!)).toEqual(floats(a!));
    const x = randomTensor('float32', [3, 9, 20], 7);
    writeFileSync(join(dir, 'x.npy'), writeNpy(x.data as Float32Array, [3, 9, 20]));
    await ok(['run', 'm.nn', '--input', 'x.npy', '--output', 'y0.npy']);
    await ok(['run', 'm.nn', '--weights', 'a.onnx', '--input', 'x.npy', '--output', 'y1.npy']);
    await ok(['run', 'm.nn', '--weights', 'a.onnx', '--weights-map', 'auto', '--input', 'x.npy', '--output', 'y2.npy']);
    const [y0, y1, y2] = ['y0.npy', 'y1.npy', 'y2.npy'].map((f) => [...(readNpy(readFileSync(join(dir, f))).data as Float32Array)]);
    expect(y0!.length).toBe(3 * 9 * 8 * 3);
    expect(y1).toEqual(y0);
    expect(y2).toEqual(y0);
    // ...and onnxruntime on the first export agrees with TensorFlow.js on the weights loaded from it.
    const s = await ort.InferenceSession.create(a!);
    const ya = [...((await s.run({ s: x }))[s.outputNames[0]!]!.data as Float32Array)];
    expect(ya.length).toBe(y1!.length);
    ya.forEach((v, i) => expect(Math.abs(v - y1![i]!), `[${i}]`).toBeLessThan(1e-5));
  });
});
