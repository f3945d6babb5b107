/**
 * Multi-head attention has two TensorFlow.js forms with the same values: the portable graph (`--emit tfjs`: batched
 * BatchMatMulV2 over [N, heads, T, d]) and, when `lowerToTfjs` runs on wasm, one 2-D MatMul per (sample, head) with
 * each head projected on its own: tfjs-wasm's BatchMatMul gives XNNPACK only plain matrix pairs and loops naively
 * otherwise (ViT-B/16's attention products took 1.2 s of a 3.6 s prediction).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { check } from '../src/api.js';
import { nodeHost } from '../src/cli/host.js';
import { buildTfjsGraph, lowerToTfjs } from '../src/lower/tfjs/index.js';
import { errors } from './helpers/compile.js';

// Self-attention (packed projections), time-major, and cross-attention with other key/value sizes, batch 3.
const TEXT = `model A(x: [N, 5, 16], m: [7, N, 8]) {
  s = x -> mha(16, 4, name="self")
  t = m -> mha(8, 2, batch_first=false, name="tm")
  kv = t -> transpose(0, 1)
  c = s -> mha(kv, embed_dim=16, num_heads=4, kdim=8, vdim=8, name="cross")
  return c, t
}
`;

function model() {
  const r = check({ path: 'a.nn', text: TEXT, host: nodeHost() });
  expect(errors(r).map((d) => d.message)).toEqual([]);
  return r.models[0]!;
}

const ops = (backend?: string) => buildTfjsGraph(model(), { batch: 3, seed: 1, ...(backend ? { backend } : {}) }).result!.artifacts.modelTopology.node.map((n) => n.op);

describe('attention on wasm, one product per head', () => {
  it('keeps the portable graph for --emit tfjs and splits the products per sample and head for wasm', () => {
    const portable = ops();
    expect(portable.filter((o) => o === 'BatchMatMulV2').length).toBe(6);
    expect(portable).not.toContain('Unpack');
    const wasm = ops('wasm');
    expect(wasm).not.toContain('BatchMatMulV2');
    // 2 products × 3 samples × (4 + 2 + 4) heads.
    expect(wasm.filter((o) => o === 'MatMul').length).toBe(60);
    expect(wasm.filter((o) => o === 'Softmax').length).toBe(30);
  });

  it('gives the values of the portable form (run on cpu)', async () => {
    tf.env().set('IS_TEST', true); // (no "install tfjs-node" banner from the cpu backend)
    const m = model();
    const x = { data: Float32Array.from({ length: 3 * 5 * 16 }, (_, i) => Math.sin(i * 0.37)), shape: [3, 5, 16] };
    const mm = { data: Float32Array.from({ length: 7 * 3 * 8 }, (_, i) => Math.cos(i * 0.21)), shape: [7, 3, 8] };
    const run = async (backend: 'cpu' | 'wasm') => {
      const net = (await lowerToTfjs(m, { tf, backend, seed: 4, batch: 3 })).result!;
      const y = await net.predict({ x, m: mm });
      net.dispose();
      return y;
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    for (const k of ['c', 't']) {
      const a = cpu[k]!.data;
      const b = wasm[k]!.data;
      expect(wasm[k]!.shape).toEqual(cpu[k]!.shape);
      const scale = Math.max(1, ...Array.from(a, Math.abs));
      expect(Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!))) / scale, k).toBeLessThanOrEqual(1e-5);
    }
  });
});
