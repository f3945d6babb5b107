/**
 * NumPy's `.npy` format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html), the file NumPy
 * users exchange arrays in: `\x93NUMPY`, a version byte pair (1.0, 2.0 or 3.0), a little-endian header length (2 bytes
 * in 1.0, 4 bytes after), a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }` padded
 * with spaces to a multiple of 64 bytes and ended by `\n`, then the data in C order. Plain bytes in and out, no Node
 * imports: usable in a browser.
 */

/** The element types read; `write` takes float32 or int32. */
export type NpyDType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool';

export interface NpyArray {
  readonly dtype: NpyDType;
  /** `[]` for a 0-d array. */
  readonly shape: readonly number[];
  /** int64 as BigInt64Array; bool as Uint8Array of 0/1. */
  readonly data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** descr kind + size → dtype; byte order is handled separately. */
const KINDS: Record<string, NpyDType> = { f4: 'float32', f8: 'float64', i4: 'int32', i8: 'int64', u1: 'uint8', b1: 'bool' };
const SIZE: Record<NpyDType, number> = { float32: 4, float64: 8, int32: 4, int64: 8, uint8: 1, bool: 1 };
/** NumPy's own limit on the number of dimensions (NPY_MAXDIMS in NumPy 2). */
const MAX_DIMS = 64;
/** NumPy's default `max_header_size`: longer headers are refused as unsafe to parse. */
const MAX_HEADER = 10000;

/** A file that is not a readable `.npy`: the message says why, in words. */
export class NpyError extends Error {
  override readonly name = 'NpyError';
}

/** Parses the header dict; strict about the three keys NumPy writes, tolerant of spacing and key order. */
function parseHeader(h: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(h)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(h)?.[1];
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(h)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined || !/^\s*\{/.test(h))
    throw new NpyError(`the header is not a NumPy array description (expected 'descr', 'fortran_order' and 'shape'): ${h.trim().slice(0, 80)}`);
  const dims = shape
    .split(',')
    .map((s) => s.trim().replace(/L$/, '')) // Python 2 wrote 3L
    .filter((s) => s !== '');
  if (dims.some((d) => !/^\d+$/.test(d))) throw new NpyError(`the header's shape (${shape.slice(0, 80)}) is not a tuple of sizes`);
  // (NumPy itself allows at most 64 dimensions; a size beyond 2^53 has no exact number, and with a 0 elsewhere no
  // data to reveal it)
  if (dims.length > MAX_DIMS) throw new NpyError(`the header's shape has ${dims.length} dimensions (NumPy allows at most ${MAX_DIMS})`);
  const sizes = dims.map(Number);
  const huge = sizes.find((d) => !Number.isSafeInteger(d));
  if (huge !== undefined) throw new NpyError(`the header's shape (${shape.slice(0, 80)}) has a size beyond 2^53 (${huge.toExponential(3)})`);
  return { descr, fortran: fortran === 'True', shape: sizes };
}

/** Reads a `.npy` file. Throws {@link NpyError} for anything it cannot read as a C-order array of a supported dtype. */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new NpyError(`.npy format version ${major}.${bytes[7]} is not supported (1.0, 2.0 and 3.0 are)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new NpyError('the file ends inside the header');
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  // (NumPy's own default limit, also ours: the header is parsed with regular expressions, slow on megabytes)
  if (hlen > MAX_HEADER) throw new NpyError(`the header is ${hlen} bytes; at most ${MAX_HEADER} are read, as NumPy does by default`);
  const start = 8 + lenBytes + hlen;
  if (start > bytes.length) throw new NpyError('the file ends inside the header');
  // 1.0 and 2.0 headers are latin-1, 3.0 is UTF-8 (both only ever hold ASCII for the dtypes read here).
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, start));
  const { descr, fortran, shape } = parseHeader(header);
  const m = /^([<>|=])([a-z]\d+)$/.exec(descr);
  const dtype = m ? KINDS[m[2]!] : undefined;
  if (!m || !dtype) throw new NpyError(`dtype '${descr}' is not supported (float32, float64, int32, int64, uint8 and bool are)`);
  // NumPy only writes True for arrays that are Fortran- but not C-contiguous, whose bytes are not in C order.
  if (fortran)
    throw new NpyError('the array is in Fortran (column-major) order; save it in C order (np.save(f, np.ascontiguousarray(a)))');
  const count = shape.reduce((a, d) => a * d, 1);
  const size = SIZE[dtype];
  if (bytes.length - start < count * size) throw new NpyError(`the data is truncated: shape (${shape.join(', ')}) of ${dtype} needs ${count * size} bytes, the file has ${bytes.length - start}`);
  const little = m[1] !== '>';
  const at = (i: number) => start + i * size;
  let data: NpyArray['data'];
  if (dtype === 'float32') data = Float32Array.from({ length: count }, (_, i) => view.getFloat32(at(i), little));
  else if (dtype === 'float64') data = Float64Array.from({ length: count }, (_, i) => view.getFloat64(at(i), little));
  else if (dtype === 'int32') data = Int32Array.from({ length: count }, (_, i) => view.getInt32(at(i), little));
  else if (dtype === 'int64') data = BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(at(i), little));
  else data = bytes.slice(start, start + count).map((b) => (dtype === 'bool' ? (b ? 1 : 0) : b));
  return { dtype, shape, data };
}

/** Writes a C-order little-endian `.npy` (version 1.0, or 2.0 when the header would not fit 64 KB). */
export function writeNpy(data: Float32Array | Int32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, d) => a * d, 1);
  if (count !== data.length) throw new NpyError(`shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const v2 = dict.length + 1 + 10 > 0xffff;
  const pre = v2 ? 12 : 10;
  // Padded with spaces so that the data starts at a multiple of 64 bytes (what NumPy writes), then '\n'.
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const header = `${dict}${' '.repeat(total - pre - dict.length - 1)}\n`;
  const out = new Uint8Array(total + data.byteLength);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = v2 ? 2 : 1;
  out[7] = 0;
  if (v2) view.setUint32(8, header.length, true);
  else view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  // Little-endian regardless of the host (DataView), since the descr says '<'.
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(total + i * 4, data[i]!, true);
    else view.setInt32(total + i * 4, data[i]!, true);
  }
  return out;
}
