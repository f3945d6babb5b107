/**
 * Trained weights for `--weights FILE`: an `.onnx` file whose initializers are named like dslc's
 * parameters (`<layer path>.<param>`, as dslc's own export names them) or a `.safetensors` file with the
 * same names. Every parameter is checked by name, shape and dtype; problems are diagnostics (E0601).
 */
import onnxProto from 'onnx-proto';
import type { CheckedModel } from '../checker/analyze.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { diag, didYouMean, dimsText, short } from '../diagnostics/make.js';
import { paramKey } from './weights.js';
import { isIgnoredTensor } from './weights-map.js';

export interface WeightTensor {
  readonly dims: readonly number[];
  readonly dtype: string;
  /** Float32 data, or undefined when the dtype is not convertible. */
  readonly data: Float32Array | undefined;
}

/** A dimension or byte offset as a file may state it: a non-negative integer that a double holds exactly. */
export const isSize = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

const ONNX_TYPES: Record<number, string> = { 1: 'float32', 10: 'float16', 11: 'float64', 6: 'int32', 7: 'int64', 16: 'bfloat16' };

/**
 * Reads part of an initializer's external data file (ONNX `data_location: EXTERNAL`, as `--external-data` writes):
 * given the `location` the model names, bytes [offset, offset + length) (to the end without a length), or why they
 * cannot be read. Only the parts the initializers name are read, so a side file of any size is fine.
 */
export type ExternalDataReader = (location: string, offset: number, length: number | undefined) => Uint8Array | string;

/** Why bytes [offset, offset + length) are not in a file of `size` bytes; undefined when they are. */
export function outsideFile(location: string, offset: number, length: number | undefined, size: number): string | undefined {
  return offset + (length ?? 0) <= size ? undefined : `its external data (${short(location)}, offset ${offset}, length ${length ?? 'the rest'}) lies outside that file (${size} bytes)`;
}

/** An {@link ExternalDataReader} over files already in memory (fetched in a browser, say), by location. */
export function externalDataIn(files: ReadonlyMap<string, Uint8Array>): ExternalDataReader {
  return (location, offset, length) => {
    const f = files.get(location);
    if (!f) return `its external data file ${short(location)} was not given`;
    return outsideFile(location, offset, length, f.length) ?? f.subarray(offset, length === undefined ? f.length : offset + length);
  };
}

/** The bytes of an initializer stored outside the model, as its `location`, `offset` and `length` entries say. */
function externalBytes(t: onnxProto.onnx.ITensorProto, read: ExternalDataReader | undefined): Uint8Array | string {
  const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = kv.get('location');
  if (!location) return 'its data is external but no location is given';
  if (!read) return `its data is in an external file (${short(location)}), which is not read here`;
  const num = (k: string) => {
    const v = kv.get(k);
    return v === undefined ? undefined : /^\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : NaN;
  };
  const offset = num('offset') ?? 0;
  const length = num('length');
  if (Number.isNaN(offset) || Number.isNaN(length)) return `its external data's ${Number.isNaN(offset) ? `offset '${short(kv.get('offset')!)}'` : `length '${short(kv.get('length')!)}'`} is not a byte count`;
  return read(location, offset, length);
}

/**
 * Reads the tensors of an ONNX model's initializers; `info.opset` receives the default domain's opset, if the model
 * names one. Initializers with external data are read through `external` (the CLI reads files beside the model);
 * a string is the error.
 */
export function readOnnxWeights(bytes: Uint8Array, info?: { opset?: number }, external?: ExternalDataReader): Map<string, WeightTensor> | string {
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
    const name = t.name ?? '';
    // (int64 fields decode as Long objects, whose string form Number() reads)
    const dims = (t.dims ?? []).map(Number);
    if (!dims.every(isSize)) return `initializer '${short(name)}': dims ${dimsText(t.dims ?? [])} are not sizes`;
    const dtype = ONNX_TYPES[t.dataType ?? 0] ?? `onnx type ${t.dataType}`;
    const size = t.dataType === 1 ? 4 : t.dataType === 11 ? 8 : t.dataType === 10 ? 2 : 0;
    let raw = t.rawData?.length ? t.rawData : undefined;
    if (size && t.dataLocation === onnxProto.onnx.TensorProto.DataLocation.EXTERNAL) {
      const ext = externalBytes(t, external);
      if (typeof ext === 'string') return `initializer '${short(name)}': ${ext}`;
      raw = ext;
    }
    if (size && raw && raw.length % size !== 0) return `initializer '${short(name)}': ${raw.length} bytes of raw data are not a whole number of ${dtype} values`;
    let data: Float32Array | undefined;
    if (t.dataType === 1) data = raw ? float32s(raw) : Float32Array.from(t.floatData ?? []);
    else if (t.dataType === 11) data = raw ? Float32Array.from(new Float64Array(ownBytes(raw))) : Float32Array.from(t.doubleData ?? []);
    // (float16 without raw data keeps each value's 16 bits in int32_data)
    else if (t.dataType === 10) data = raw ? Float32Array.from(new Uint16Array(ownBytes(raw)), halfToFloat) : Float32Array.from(t.int32Data ?? [], (v) => halfToFloat(v & 0xffff));
    out.set(name, { dims, dtype, data });
  }
  return out;
}

/** Bytes per element of the dtypes the safetensors format defines (F32/F64/F16 are read; the rest are named). */
const ST_SIZES: Record<string, number> = { BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8 };
/** The safetensors format's largest header (its reference implementation refuses larger ones). */
const ST_MAX_HEADER = 100_000_000;
const ST_NAMES: Record<string, string> = { F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32' };

/**
 * Reads a safetensors file: 8-byte little-endian header length, a JSON header, then the data. Anything the format
 * does not allow (a header that is not an object of tensors, shapes or offsets that are not sizes, data that lies
 * outside the file or does not match its shape) is an error (a string); nothing is allocated beyond the file's size.
 */
export function readSafetensors(bytes: Uint8Array): Map<string, WeightTensor> | string {
  if (bytes.length < 8) return 'too short for a safetensors file';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) return 'the header length is larger than the file';
  // (the format's own limit, which its reference reader enforces: parsed, such a header would take gigabytes)
  if (n > ST_MAX_HEADER) return `the header is ${n} bytes; the format allows at most ${ST_MAX_HEADER}`;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    return 'the header is not JSON (UTF-8)';
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) return 'the header is not a JSON object of tensors';
  const base = 8 + n;
  const out = new Map<string, WeightTensor>();
  for (const [name, t] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const bad = (what: string) => `tensor ${JSON.stringify(short(name))}: ${what}`;
    if (!t || typeof t !== 'object' || Array.isArray(t)) return bad('expected {"dtype", "shape", "data_offsets"}');
    const { dtype, shape, data_offsets: offsets } = t as Record<string, unknown>;
    if (typeof dtype !== 'string') return bad('"dtype" is not a string');
    if (!Array.isArray(shape) || !shape.every(isSize)) return bad(`"shape" is not a list of sizes: ${JSON.stringify(shape)?.slice(0, 80)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize)) return bad(`"data_offsets" is not a pair of byte offsets: ${JSON.stringify(offsets)?.slice(0, 80)}`);
    const [b, e] = offsets as [number, number];
    if (!(e >= b && base + e <= bytes.length)) return bad(`data_offsets [${b}, ${e}] lie outside the file`);
    const count = shape.reduce((a: number, x: number) => a * x, 1);
    const size = ST_SIZES[dtype];
    // (a product beyond 2^53 cannot equal a length within the file, so an inexact count is caught too)
    if (size !== undefined && count * size !== e - b) return bad(`shape ${dimsText(shape)} of ${dtype} needs ${count * size} bytes, data_offsets give ${e - b}`);
    const raw = bytes.subarray(base + b, base + e);
    let data: Float32Array | undefined;
    if (dtype === 'F32') data = float32s(raw);
    else if (dtype === 'F64') data = Float32Array.from(new Float64Array(ownBytes(raw)));
    else if (dtype === 'F16') data = Float32Array.from(new Uint16Array(ownBytes(raw)), halfToFloat);
    out.set(name, { dims: shape, dtype: ST_NAMES[dtype] ?? dtype, data });
  }
  return out;
}

/**
 * The float32 values of little-endian bytes: a view of them when they are aligned (no copy: a safetensors
 * file, whose tensors are aligned, is then held once, not twice), else an aligned copy. Nothing writes into
 * weights read from a file (the lowerings copy what they change: fold-bn, unpacking, TensorFlow.js fusion).
 */
function float32s(u8: Uint8Array): Float32Array {
  return u8.byteOffset % 4 === 0 ? new Float32Array(u8.buffer, u8.byteOffset, u8.byteLength / 4) : new Float32Array(ownBytes(u8));
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
        diagnostics.push(diag('E0601', `${file}: '${key}' has shape ${dimsText(t.dims)} but ${n.path} needs [${p.shape.join(', ')}]`, n.span));
      else if (!t.data) diagnostics.push(diag('E0601', `${file}: '${key}' is ${t.dtype}; weights must be float32, float64 or float16`, n.span));
      else if (t.data.length !== p.shape.reduce((a, d) => a * d, 1))
        diagnostics.push(diag('E0601', `${file}: '${key}' declares shape ${dimsText(t.dims)} but holds ${t.data.length} values`, n.span));
      else weights.set(key, t.data);
    }
  }
  // (PyTorch's BatchNorm num_batches_tracked counts training batches: nothing at inference uses it.)
  const extra = [...tensors.keys()].filter((k) => !wanted.has(k) && !isIgnoredTensor(k));
  if (extra.length && diagnostics.length === 0 && weights.size === 0)
    diagnostics.push(diag('E0601', `${file} shares no tensor name with ${m.graph.name}`, m.graph.span));
  else if (extra.length)
    diagnostics.push(diag('W0107', `${file} has ${extra.length} tensor(s) the model does not use: ${extra.slice(0, 5).map(short).join(', ')}${extra.length > 5 ? ', …' : ''}`, m.graph.span));
  return { weights, diagnostics };
}
