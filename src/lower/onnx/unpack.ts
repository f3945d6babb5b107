/**
 * `--weights` of dslc's own ONNX export: some ops store their parameters in an ONNX layout rather than under their
 * keys (LSTM/GRU/RNN as W/R/B with ONNX gate order, a dense weight transposed for MatMul, PReLU's slope as [C, 1, 1],
 * attention projections transposed and scaled). Each op's lowering declares these packings with their inverse
 * (`OnnxLowerContext.derived`); this module replays the lowering (onnxInitializerLayout) to find them in a file and
 * turns them back into parameters, so the op registry stays the one place that knows each packing.
 */
import type { CheckedModel } from '../../checker/analyze.js';
import { diag, dimsText } from '../../diagnostics/make.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import type { IrNode } from '../../semantics/ir.js';
import type { WeightTensor } from '../weights-file.js';
import { paramKey } from '../weights.js';
import { onnxInitializerLayout } from './export.js';

/** Opsets dslc exports (the layout is replayed at the file's opset when it is one of them). */
const OPSETS = { min: 13, max: 21, default: 17 };

/**
 * The file's tensors with dslc's packed initializers turned back into the parameters they were made from, under the
 * parameter keys, and without the graph's constants (shapes, axes) and packings, which are no weights. A parameter
 * the file holds under its own key is taken as it is. Tensors dslc's export would not write pass through unchanged.
 * Changes `tensors` itself, and returns it: a packing is deleted from it once unpacked, so that a file's weights are
 * not all held twice (ViT-B/16's dense and attention weights are all transposed).
 */
export function unpackOnnxWeights(m: CheckedModel, file: string, tensors: Map<string, WeightTensor>, opset?: number): { tensors: Map<string, WeightTensor>; diagnostics: Diagnostic[] } {
  const at = opset !== undefined && opset >= OPSETS.min && opset <= OPSETS.max ? opset : OPSETS.default;
  const layout = onnxInitializerLayout(m, { opset: at });
  // (only names of packings and constants are deleted, and parameters are added after the loop: until then,
  // `tensors.has` of a parameter key answers for the file)
  const out = tensors;
  const diagnostics: Diagnostic[] = [];
  const keys = new Set(m.graph.nodes.filter((n) => n.sharedWith === undefined).flatMap((n) => n.params.map((p) => paramKey(n, p))));
  const filled = new Map<IrNode, Map<string, { data: Float32Array; set: Uint8Array; count: number }>>();
  for (const [name, entry] of layout) {
    const t = tensors.get(name);
    if (!t || keys.has(name) || entry.kind === 'param') continue;
    if (entry.kind === 'constant') {
      out.delete(name);
      continue;
    }
    const { owner } = entry;
    // Parameters under their own keys win (a file may hold both).
    if (owner.params.every((p) => tensors.has(paramKey(owner, p)))) {
      out.delete(name);
      continue;
    }
    const want = entry.dims;
    if (t.dims.length !== want.length || t.dims.some((d, i) => d !== want[i]) || !t.data || t.data.length !== want.reduce((a, b) => a * b, 1)) {
      diagnostics.push(diag('E0601', `${file}: '${name}' (${owner.path}'s parameters in dslc's ONNX layout) ${!t.data ? `is ${t.dtype}; weights must be float32, float64 or float16` : `has shape ${dimsText(t.dims)} but ${owner.path} needs [${want.join(', ')}]`}`, owner.span));
      out.delete(name); // (reported here; the parameters it would have given are reported missing)
      continue;
    }
    let mine = filled.get(owner);
    if (!mine) filled.set(owner, (mine = new Map()));
    const params = mine;
    entry.unpack(t.data, (pn, values, offset = 0) => {
      const p = owner.params.find((x) => x.name === pn);
      if (!p) throw new Error(`${owner.op.name}: an ONNX packing writes unknown parameter ${pn}`);
      let buf = params.get(pn);
      if (!buf) {
        const size = p.shape.reduce((a, d) => a * d, 1);
        params.set(pn, (buf = { data: new Float32Array(size), set: new Uint8Array(size), count: 0 }));
      }
      if (offset < 0 || offset + values.length > buf.data.length) throw new Error(`${owner.op.name}: an ONNX packing writes ${pn}[${offset}..${offset + values.length}) of ${buf.data.length}`);
      buf.data.set(values, offset);
      for (let i = offset; i < offset + values.length; i++) if (!buf.set[i]) (buf.set[i] = 1), buf.count++;
    });
    out.delete(name);
  }
  for (const [owner, params] of filled)
    for (const p of owner.params) {
      const key = paramKey(owner, p);
      const buf = params.get(p.name);
      // (A parameter only partly recovered stays missing: matchWeights names it.)
      if (!tensors.has(key) && buf && buf.count === buf.data.length) out.set(key, { dims: p.shape, dtype: 'float32', data: buf.data });
    }
  return { tensors: out, diagnostics };
}

