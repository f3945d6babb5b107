/**
 * Trained weights for `--weights FILE`: an `.onnx` file whose initializers are named like dslc's
 * parameters (`<layer path>.<param>`, as dslc's own export names them) or a `.safetensors` file with the
 * same names. Every parameter is checked by name, shape and dtype; problems are diagnostics (E0601).
 */
import onnxProto from 'onnx-proto';
import type { CheckedModel } from '../checker/analyze.js';
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { didYouMean } from '../diagnostics/make.js';
import { paramKey } from './weights.js';
import { isIgnoredTensor } from './weights-map.js';

export interface WeightTensor {
  readonly dims: readonly number[];
  readonly dtype: string;
  /** Float32 data, or undefined when the dtype is not convertible. */
  readonly data: Float32Array | undefined;
}

const ONNX_TYPES: Record<number, string> = { 1: 'float32', 10: 'float16', 11: 'float64', 6: 'int32', 7: 'int64', 16: 'bfloat16' };

/** Reads the tensors of an ONNX model's initializers; `info.opset` receives the default domain's opset, if the model names one. */
export function readOnnxWeights(bytes: Uint8Array, info?: { opset?: number }): Map<string, WeightTensor> | string {
  let m: onnxProto.onnx.ModelProto;
  try {
    m = onnxProto.onnx.ModelProto.decode(bytes);
  } catch (e) {
    return `not an ONNX model (${(e as Error).message})`;
  }
  const opset = m.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  if (info && opset !== undefined && opset !== null) info.opset = Number(opset);
  const out = new Map<string, WeightTensor>();
  for (const t of m.graph?.initializer ?? []) {
    const dims = (t.dims ?? []).map(Number);
    const dtype = ONNX_TYPES[t.dataType ?? 0] ?? `onnx type ${t.dataType}`;
    let data: Float32Array | undefined;
    if (t.dataType === 1) {
      if (t.rawData && t.rawData.length) data = t.rawData.length % 4 === 0 ? new Float32Array(ownBytes(t.rawData)) : undefined;
      else data = Float32Array.from(t.floatData ?? []);
    } else if (t.dataType === 11 && t.rawData?.length) data = t.rawData.length % 8 !== 0 ? undefined : Float32Array.from(new Float64Array(ownBytes(t.rawData)));
    else if (t.dataType === 11) data = Float32Array.from(t.doubleData ?? []);
    out.set(t.name ?? '', { dims, dtype, data });
  }
  return out;
}

/** Reads a safetensors file: 8-byte little-endian header length, a JSON header, then the data. */
export function readSafetensors(bytes: Uint8Array): Map<string, WeightTensor> | string {
  if (bytes.length < 8) return 'too short for a safetensors file';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) return 'the header length is larger than the file';
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as typeof header;
  } catch {
    return 'the header is not JSON';
  }
  const base = 8 + n;
  const out = new Map<string, WeightTensor>();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, e] = t.data_offsets;
    if (!(b >= 0 && e >= b && base + e <= bytes.length)) return `tensor ${name}: data_offsets [${b}, ${e}] lie outside the file`;
    const raw = bytes.subarray(base + b, base + e);
    const count = t.shape.reduce((a, x) => a * x, 1);
    let data: Float32Array | undefined;
    if (t.dtype === 'F32' && raw.length === count * 4) data = new Float32Array(ownBytes(raw));
    else if (t.dtype === 'F64' && raw.length === count * 8) data = Float32Array.from(new Float64Array(ownBytes(raw)));
    else if (t.dtype === 'F16' && raw.length === count * 2) data = Float32Array.from(new Uint16Array(ownBytes(raw)), halfToFloat);
    out.set(name, { dims: t.shape, dtype: ({ F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32' } as Record<string, string>)[t.dtype] ?? t.dtype, data });
  }
  return out;
}

/**
 * A fresh, aligned ArrayBuffer with exactly these bytes. Node's Buffer.slice returns a view into a shared
 * pool, so `.buffer` of it is not the tensor's data; typed arrays also need aligned offsets.
 */
function ownBytes(u8: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(u8.byteLength);
  copy.set(u8);
  return copy.buffer;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * Matches file tensors to the model's parameters. Every parameter must be present with the same shape
 * and a float dtype; tensors the model does not use are reported too (a sign of a mismatched file).
 */
export function matchWeights(m: CheckedModel, file: string, tensors: ReadonlyMap<string, WeightTensor>): { weights: Map<string, Float32Array>; diagnostics: Diagnostic[] } {
  const weights = new Map<string, Float32Array>();
  const diagnostics: Diagnostic[] = [];
  const wanted = new Set<string>();
  for (const n of m.graph.nodes) {
    if (n.sharedWith !== undefined) continue;
    for (const p of n.params) {
      const key = paramKey(n, p);
      wanted.add(key);
      const t = tensors.get(key);
      if (!t) {
        const s = didYouMean(key, tensors.keys());
        diagnostics.push(diag('E0601', `${file} has no tensor '${key}' (${p.shape.join('×')}) for ${n.path}`, n.span, { hint: s ? `did you mean '${s}'? names must equal dslc's parameter paths (see dslc summary), or be mapped (--weights-map)` : "names must equal dslc's parameter paths, e.g. as in dslc's own ONNX export; other names (PyTorch's) need --weights-map auto or a rules file" }));
        continue;
      }
      if (t.dims.length !== p.shape.length || t.dims.some((d, i) => d !== p.shape[i]))
        diagnostics.push(diag('E0601', `${file}: '${key}' has shape [${t.dims.join(', ')}] but ${n.path} needs [${p.shape.join(', ')}]`, n.span));
      else if (!t.data) diagnostics.push(diag('E0601', `${file}: '${key}' is ${t.dtype}; weights must be float32, float64 or float16`, n.span));
      else if (t.data.length !== p.shape.reduce((a, d) => a * d, 1))
        diagnostics.push(diag('E0601', `${file}: '${key}' declares shape [${t.dims.join(', ')}] but holds ${t.data.length} values`, n.span));
      else weights.set(key, t.data);
    }
  }
  // (PyTorch's BatchNorm num_batches_tracked counts training batches: nothing at inference uses it.)
  const extra = [...tensors.keys()].filter((k) => !wanted.has(k) && !isIgnoredTensor(k));
  if (extra.length && diagnostics.length === 0 && weights.size === 0)
    diagnostics.push(diag('E0601', `${file} shares no tensor name with ${m.graph.name}`, m.graph.span));
  else if (extra.length)
    diagnostics.push(diag('W0107', `${file} has ${extra.length} tensor(s) the model does not use: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`, m.graph.span));
  return { weights, diagnostics };
}
