/**
 * Loading a lowered graph without extra copies must not cost correctness: the fusion pass scales filters in place
 * only where the lowering made them, the caller's weight arrays are never written, a backend that keeps the arrays
 * it is given (cpu) does not share the caller's, and `weightData` (what `--emit tfjs` shards) still holds every
 * constant in spec order.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { check } from '../src/api.js';
import { nodeHost } from '../src/cli/host.js';
import { fuse } from '../src/lower/tfjs/fuse.js';
import { GraphBuilder } from '../src/lower/tfjs/graph.js';
import { buildTfjsGraph, lowerToTfjs } from '../src/lower/tfjs/index.js';
import { paramKey } from '../src/lower/weights.js';
import { errors } from './helpers/compile.js';

const TEXT = `model M(x: [N, 3, 8, 8]) {
  y = x -> conv2d(6, 3, padding=1, name="c1") -> batchnorm2d(name="bn1") -> relu
    -> depthwise_conv2d(3, padding=1, name="dw") -> batchnorm2d(name="bn2") -> relu6
    -> flatten -> dense(4, name="fc") -> batchnorm1d(name="bn3") -> prelu(4, name="pr")
  return y
}
`;

function model() {
  const r = check({ path: 'm.nn', text: TEXT, host: nodeHost() });
  expect(errors(r).map((d) => d.message)).toEqual([]);
  return r.models[0]!;
}

/** Every parameter given by the caller, none of them trivial (variances positive). */
function callerWeights(m: ReturnType<typeof model>): Map<string, Float32Array> {
  const w = new Map<string, Float32Array>();
  let k = 0;
  for (const n of m.graph.nodes)
    for (const p of n.params) {
      const len = p.shape.reduce((a, b) => a * b, 1);
      const s = ++k;
      w.set(paramKey(n, p), Float32Array.from({ length: len }, (_, i) => (/var/.test(p.name) ? 0.5 + Math.abs(Math.sin(i + s)) : Math.sin(i * 0.7 + s))));
    }
  return w;
}

const snapshot = (w: Map<string, Float32Array>) => new Map([...w].map(([k, v]) => [k, v.slice()]));

describe('tfjs load without copies', () => {
  it('never writes the caller’s weights, and builds the same bytes twice', () => {
    const m = model();
    const weights = callerWeights(m);
    expect(weights.size).toBeGreaterThanOrEqual(14);
    const before = snapshot(weights);
    const a = buildTfjsGraph(m, { weights }).result!.artifacts;
    for (const [k, v] of before) expect(weights.get(k), k).toEqual(v);
    const b = buildTfjsGraph(m, { weights }).result!.artifacts;
    expect(new Uint8Array(b.weightData)).toEqual(new Uint8Array(a.weightData));
    // BatchNorm went into the filters: no multiply is left in the graph.
    expect(a.modelTopology.node.filter((n) => n.op === 'Mul')).toEqual([]);
  });

  for (const kind of ['owned', 'borrowed', 'made on demand', 'made on demand, used twice'] as const)
    it(`folds a scale into a filter ${kind}`, () => {
      const b = new GraphBuilder();
      const x = b.placeholder('x', [1, 1, 1, 2], 'float32');
      const w = Float32Array.of(1, 2, 3, 4); // [1, 1, cin 2, cout 2]
      const lazy = kind.startsWith('made');
      let made = 0;
      const f = lazy ? b.lazyConstant('f', [1, 1, 2, 2], (s) => (made++, w.map((v, i) => v * (s ? s[i % 2]! : 1)))) : b.constant('f', w, [1, 1, 2, 2], kind === 'owned');
      const conv = b.node('Conv2D', [x, f], { strides: [1, 1, 1, 1], padding: 'VALID', data_format: 'NHWC' }, 'conv');
      b.node('Mul', [conv, b.constant('s', Float32Array.of(10, 100), [2], true)], {}, 'y');
      if (kind.endsWith('twice')) b.node('Identity', [f], {}, 'f_too');
      fuse(b, new Set(['y', 'f_too']));
      const y = b.nodes.find((n) => n.name === 'y')!;
      expect(y.op).toBe('_FusedConv2D');
      expect(Array.from(b.consts.get(y.input[1]!)!.data)).toEqual([10, 200, 30, 400]);
      const inPlace = kind === 'owned' || kind === 'made on demand';
      expect(y.input[1] === 'f').toBe(inPlace);
      expect(Array.from(b.consts.get('f')!.data)).toEqual(inPlace ? [10, 200, 30, 400] : [1, 2, 3, 4]);
      if (lazy) expect(made).toBe(1);
      expect(Array.from(w)).toEqual(kind === 'owned' ? [10, 200, 30, 400] : [1, 2, 3, 4]);
    });

  it('weightData is every constant, in spec order, with the sizes the specs give', () => {
    const a = buildTfjsGraph(model(), { seed: 2 }).result!.artifacts;
    expect(a.weightValues.length).toBe(a.weightSpecs.length);
    const data = new Uint8Array(a.weightData);
    let at = 0;
    a.weightSpecs.forEach((s, i) => {
      const v = a.weightValues[i]!;
      expect(v.dtype).toBe(s.dtype);
      expect(v.data.length).toBe(s.shape.reduce((x, y) => x * y, 1));
      expect(data.subarray(at, at + v.data.byteLength)).toEqual(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
      at += v.data.byteLength;
    });
    expect(at).toBe(data.length);
  });

  for (const backend of ['cpu', 'wasm'] as const)
    it(`on ${backend}: the loaded net does not share the caller’s arrays, and agrees with the unfused graph`, async () => {
      if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
      const m = model();
      const weights = callerWeights(m);
      const x = { data: Float32Array.from({ length: 2 * 3 * 64 }, (_, i) => Math.cos(i * 0.3)), shape: [2, 3, 8, 8] };
      const net = (await lowerToTfjs(m, { tf, backend, weights })).result!;
      const plain = (await lowerToTfjs(m, { tf, backend, weights, noFuse: true })).result!;
      const y1 = (await net.predict({ x })).y!.data;
      const y0 = (await plain.predict({ x })).y!.data;
      const scale = Math.max(1, ...Array.from(y0, Math.abs));
      expect(Math.max(...Array.from(y1, (v, i) => Math.abs(v - y0[i]!))) / scale).toBeLessThanOrEqual(1e-5);
      for (const v of weights.values()) v.fill(0);
      expect((await net.predict({ x })).y!.data).toEqual(y1);
      net.dispose();
      plain.dispose();
    });

  it('on wasm: a loaded net keeps no JS copy of its weights (the backend holds them)', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // Freed buffers' memory is released by a sweeper after the collection: collect, wait, collect.
    const live = async () => {
      gc();
      await new Promise((r) => setTimeout(r, 300));
      gc();
      return process.memoryUsage().arrayBuffers;
    };
    // 4.2M parameters: 16.8 MB of float32, made by the seeded initialisation.
    const r = check({ path: 'big.nn', text: 'model Big(x: [1, 2048]) {\n  return x -> dense(2048) -> relu -> dense(10)\n}\n', host: nodeHost() });
    const bytes = r.models[0]!.totals.params * 4;
    const before = await live();
    const net = (await lowerToTfjs(r.models[0]!, { tf, backend: 'wasm', seed: 1 })).result!;
    await net.predict({ x: { data: new Float32Array(2048).fill(0.5), shape: [1, 2048] } });
    const after = await live();
    // Before the fix the net kept them all (the lowered graph in its cache, the decoder's scope in the model).
    expect(after - before).toBeLessThan(bytes / 4);
    net.dispose();
  });
});
