/** Fresh weights are deterministic; --weights files (ONNX, safetensors) round-trip by parameter path. */
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../src/lower/onnx/export.js';
import { initParam } from '../src/lower/weights.js';
import { matchWeights, readOnnxWeights, readSafetensors } from '../src/lower/weights-file.js';
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
    out.set(new Uint8Array(t.data.buffer), p);
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

  it('rejects files that are not weights', () => {
    expect(readSafetensors(new Uint8Array(3))).toMatch(/too short/);
    expect(readOnnxWeights(new Uint8Array([1, 2, 3, 255]))).toMatch(/not an ONNX model/);
  });
});
