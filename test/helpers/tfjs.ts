/**
 * Helpers for the TensorFlow.js cross-checks: the wasm backend, and one model run by both lowerings on the same
 * inputs and weights (dslc's ONNX export in onnxruntime-node is the peer) with the difference relative to the
 * output scale.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import ort from 'onnxruntime-node';
import type { CheckedModel } from '../../src/checker/analyze.js';
import { exportOnnx } from '../../src/lower/onnx/export.js';
import { lowerToTfjs, type TfjsNet, type TfjsOptions } from '../../src/lower/tfjs/index.js';
import { concreteShapes, randomTensor } from './onnx.js';

export { tf };

let ready: Promise<void> | undefined;
/** Selects the wasm backend once (what Node users get by default). */
export function wasm(): Promise<void> {
  return (ready ??= (async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  })());
}

export interface Compared {
  /** max |tfjs − ORT| / max(1, max |ORT|) over every output. */
  readonly rel: number;
  readonly shapes: number[][];
  readonly ortShapes: number[][];
  readonly net: TfjsNet;
}

/**
 * Exports `m` to ONNX and lowers it to tfjs with the same seed (and `weights`), feeds both the same random inputs of
 * the shapes `env` gives the symbols (batch included), and compares every output.
 */
export async function crossCheck(m: CheckedModel, env: ReadonlyMap<string, number>, opts: TfjsOptions = {}, seed = 7): Promise<Compared> {
  await wasm();
  const shapes = concreteShapes(m, env);
  const onnx = exportOnnx(m, { seed: opts.seed ?? 0, weights: opts.weights });
  if (!onnx.result) throw new Error(`ONNX export failed: ${onnx.diagnostics.map((d) => d.message).join('; ')}`);
  const { result: net, diagnostics } = await lowerToTfjs(m, { tf, ...opts });
  if (!net) throw new Error(`tfjs lowering failed: ${diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  const session = await ort.InferenceSession.create(onnx.result);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    const given: Record<string, { data: Float32Array | Int32Array; shape: number[] }> = {};
    shapes.inputs.forEach((i, k) => {
      const t = randomTensor(i.dtype, i.dims, seed + k);
      feeds[i.name] = t;
      const data = t.type === 'float32' ? (t.data as Float32Array) : Int32Array.from(t.data as ArrayLike<number | bigint>, Number);
      given[i.name] = { data, shape: [...i.dims] };
    });
    const want = await session.run(feeds);
    const got = await net.predict(given);
    let rel = 0;
    const outShapes: number[][] = [];
    const ortShapes: number[][] = [];
    m.graph.outputs.forEach((p, i) => {
      const w = want[session.outputNames[i]!]!;
      const g = got[p.name]!;
      outShapes.push(g.shape);
      ortShapes.push([...w.dims]);
      const wd = Array.from(w.data as ArrayLike<number | bigint>, Number);
      const scale = wd.reduce((a, v) => Math.max(a, Math.abs(v)), 1);
      let max = 0;
      for (let j = 0; j < wd.length; j++) max = Math.max(max, Math.abs((g.data[j] ?? NaN) - wd[j]!) || (Number.isNaN(g.data[j]!) ? Infinity : 0));
      if (g.data.length !== wd.length) max = Infinity;
      rel = Math.max(rel, max / scale);
    });
    return { rel, shapes: outShapes, ortShapes, net };
  } finally {
    await session.release();
  }
}
