/** Fresh weights are deterministic; --weights files (ONNX, safetensors) round-trip by parameter path. */
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../src/lower/onnx/export.js';
import { initParam, paramKey, rng } from '../src/lower/weights.js';
import { matchWeights, readOnnxWeights, readSafetensors } from '../src/lower/weights-file.js';
import type { IrNode } from '../src/semantics/ir.js';
import { checkText, errors } from './helpers/compile.js';

const SRC = `model Net(x: [1, 3, 16, 16]) {
  h = x -> conv2d(8, 3, padding=1, name="conv1") -> batchnorm(name="bn1") -> relu -> flatten
  return h -> dense(5, name="fc") -> tanh
}`;

function safetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [k, t] of Object.entries(tensors)) {
    header[k] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + t.data.byteLength] };
    off += t.data.byteLength;
  }
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  let p = 8 + h.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out;
}

async function run(bytes: Uint8Array, x: Float32Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes);
  const r = await s.run({ x: new ort.Tensor('float32', x, [1, 3, 16, 16]) });
  return r[s.outputNames[0]!]!.data as Float32Array;
}

describe('weights', () => {
  const m = checkText(SRC).models[0]!;
  it('initialises deterministically, He for ReLU layers and Xavier before tanh', () => {
    expect(errors(checkText(SRC))).toEqual([]);
    const [conv, bn, , , fc] = m.graph.nodes;
    const w1 = initParam(m.graph, conv!, conv!.params[0]!, 'he', 7);
    expect(initParam(m.graph, conv!, conv!.params[0]!, 'he', 7)).toEqual(w1);
    expect(initParam(m.graph, conv!, conv!.params[0]!, 'he', 8)).not.toEqual(w1);
    expect([...initParam(m.graph, conv!, conv!.params[1]!, 'he', 7)].every((v) => v === 0)).toBe(true);
    expect([...initParam(m.graph, bn!, bn!.params.find((p) => p.name === 'running_var')!, 'he', 7)].every((v) => v === 1)).toBe(true);
    // Xavier (std sqrt(1/fan_in)) before tanh vs He (sqrt(2/fan_in)): compare sample variances.
    const fcW = initParam(m.graph, fc!, fc!.params[0]!, 'he', 7);
    const variance = (a: Float32Array) => a.reduce((s, v) => s + v * v, 0) / a.length;
    expect(variance(fcW) * 2048).toBeGreaterThan(0.8);
    expect(variance(fcW) * 2048).toBeLessThan(1.2);
  });

  it('round-trips through dslc\'s own ONNX export and through safetensors', async () => {
    const a = exportOnnx(m, { seed: 3 }).result!;
    const tensors = readOnnxWeights(a);
    expect(typeof tensors).not.toBe('string');
    const matched = matchWeights(m, 'a.onnx', tensors as Map<string, never>);
    expect(matched.diagnostics).toEqual([]);
    const b = exportOnnx(m, { weights: matched.weights }).result!;
    const x = Float32Array.from({ length: 3 * 16 * 16 }, (_, i) => Math.sin(i));
    const [ya, yb] = [await run(a, x), await run(b, x)];
    expect([...yb]).toEqual([...ya]);
    const st = readSafetensors(safetensors(Object.fromEntries([...matched.weights].map(([k, d]) => [k, { shape: [...(tensors as unknown as Map<string, { dims: number[] }>).get(k)!.dims], data: d }]))));
    const c = exportOnnx(m, { weights: matchWeights(m, 'w.safetensors', st as Map<string, never>).weights }).result!;
    expect([...(await run(c, x))]).toEqual([...ya]);
  });

  it('float32 tensors of a file are views of its bytes when aligned (held once, not copied), copies when not; the same values', () => {
    const values = Float32Array.from({ length: 10 }, (_, i) => i / 3 - 1);
    for (const pad of [0, 1, 2, 3]) {
      // A header padded with spaces (as the format allows) so that the data starts at 8 + header + pad.
      let json = JSON.stringify({ w: { dtype: 'F32', shape: [2, 5], data_offsets: [0, 40] } });
      while ((8 + json.length) % 4 !== pad) json += ' ';
      const h = new TextEncoder().encode(json);
      const bytes = new Uint8Array(8 + h.length + 40);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(h.length), true);
      bytes.set(h, 8);
      bytes.set(new Uint8Array(values.buffer), 8 + h.length);
      const w = (readSafetensors(bytes) as Map<string, { data: Float32Array }>).get('w')!.data;
      expect({ pad, values: [...w], view: w.buffer === bytes.buffer }).toEqual({ pad, values: [...values], view: pad === 0 });
    }
  });

  it('rejects files that are not weights', () => {
    expect(readSafetensors(new Uint8Array(3))).toMatch(/too short/);
    expect(readOnnxWeights(new Uint8Array([1, 2, 3, 255]))).toMatch(/not an ONNX model/);
  });

  it('draws the same values as the reference loop (mulberry32 stream per parameter, polar method), bit for bit', () => {
    // The reference as first written: FNV-1a of "seed:key" seeds `rng`, Marsaglia's polar method gives pairs. The
    // initialiser inlines the generator for speed; ONNX export and `dslc run` must keep agreeing with older files.
    const reference = (key: string, n: number, std: number, seed: number) => {
      let h = 0x811c9dc5;
      for (const ch of `${seed}:${key}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
      const r = rng(h >>> 0);
      const out = new Float32Array(n);
      for (let i = 0; i < n; ) {
        let u: number, v: number, s: number;
        do {
          u = 2 * r() - 1;
          v = 2 * r() - 1;
          s = u * u + v * v;
        } while (s >= 1 || s === 0);
        const k = Math.sqrt((-2 * Math.log(s)) / s) * std;
        out[i++] = u * k;
        if (i < n) out[i++] = v * k;
      }
      return out;
    };
    const [conv, , , , fc] = m.graph.nodes;
    for (const seed of [0, 7, 0xffffffff]) {
      // conv1.weight [8, 3, 3, 3] (216 values, He), fc.weight [5, 2048] (Xavier: a tanh follows); odd counts too.
      const cw = conv!.params[0]!;
      expect(initParam(m.graph, conv!, cw, 'he', seed)).toEqual(reference(paramKey(conv!, cw), 216, Math.sqrt(2 / 27), seed));
      const fw = fc!.params[0]!;
      expect(initParam(m.graph, fc!, fw, 'he', seed)).toEqual(reference(paramKey(fc!, fw), 5 * 2048, Math.sqrt(1 / 2048), seed));
      const odd = { ...fw, shape: [3, 7] };
      expect(initParam(m.graph, fc!, odd, 'xavier', seed)).toEqual(reference(paramKey(fc!, odd), 21, Math.sqrt(1 / 7), seed));
    }
  });

  it('looks up the layer after each parameter once per graph, not by a scan per parameter', () => {
    // A deep chain: a scan of the graph's nodes per parameter made the initialisation quadratic (20k layers: 10 s).
    const deep = checkText(`model D(x: [1, 4, 4, 4]) {\n  h = x\n  for i in 0..300 {\n    h = h -> conv2d(4, 1, name="c") -> relu\n  }\n  return h -> flatten -> dense(3, name="fc") -> tanh\n}`).models[0]!;
    let reads = 0;
    const nodes = new Proxy(deep.graph.nodes as IrNode[], {
      get(t, k, r) {
        if (typeof k === 'string' && /^\d+$/.test(k)) reads++;
        return Reflect.get(t, k, r);
      },
    });
    const g = { ...deep.graph, nodes };
    const fc = deep.graph.nodes.find((n) => n.path === 'fc')!;
    const fcW = initParam(g, fc, fc.params[0]!, 'he', 1);
    for (const n of deep.graph.nodes) for (const p of n.params) initParam(g, n, p, 'he', 1);
    expect(reads).toBeLessThanOrEqual(2 * deep.graph.nodes.length);
    // Still Xavier before the tanh: the same values as through the plain graph.
    expect(fcW).toEqual(initParam(deep.graph, fc, fc.params[0]!, 'xavier', 1));
  });
});
