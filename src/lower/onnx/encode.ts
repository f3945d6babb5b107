/**
 * Serialises a ModelProto without copying its weights: the model is a list of byte chunks in which each
 * initializer's raw data is a view of the Float32Array that holds it, or a function that makes that array
 * when the chunk is written (so that a writer holds one tensor at a time, not all the weights), or a run of
 * such chunks that make a large tensor part by part (a writer then holds one part of it). Protobuf
 * needs every enclosing message's length up front: they follow from the tensors' dims, and the framing is
 * written by hand around the parts onnx-proto encodes (everything but the weights). With external data
 * (ONNX spec, "External Data"), large tensors go to a side file instead, referenced by location/offset/length.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Bytes, or a function that makes them when they are written (each call makes them anew). */
export type Chunk = Uint8Array | (() => Uint8Array);

/** Bytes as a list of chunks (written in order: read them with `pieces`); `byteLength` is their total. */
export interface Chunks {
  readonly chunks: readonly Chunk[];
  readonly byteLength: number;
}

/**
 * A float32 initializer whose data is written raw (little-endian): the values, or a function that makes
 * them when the tensor is written (exactly `dims`' product of them; deterministic, as it may run more than
 * once), or {@link Parts}: the values in consecutive parts, made as each is written.
 */
export interface RawTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | (() => Float32Array) | Parts;
}

/** Values in parts of `partValues` (the last shorter): `parts()` starts a fresh sequence each time it is called. */
export interface Parts {
  readonly partValues: number;
  readonly parts: () => Iterator<Float32Array>;
}

/** Where external data goes: `location` relative to the model file; tensors below `threshold` bytes stay inline. */
export interface ExternalDataSpec {
  readonly location: string;
  readonly threshold?: number;
}

// Field numbers from onnx.proto: ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto.raw_data = 9.
const LEN = 2;
const tag = (field: number) => (field << 3) | LEN;
const ALIGN = 4096; // offsets in the side file are page-aligned so that runtimes may mmap tensors

function varint(n: number): Uint8Array {
  const out: number[] = [];
  // Lengths can exceed 2^32 (with external data the model itself stays small, but be exact anyway).
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}

class Builder {
  readonly chunks: Chunk[] = [];
  byteLength = 0;
  /** `length`: the bytes a lazy chunk will make. */
  push(b: Chunk, length = (b as Uint8Array).byteLength): void {
    if (length === 0) return;
    this.chunks.push(b);
    this.byteLength += length;
  }
  field(field: number, length: number): void {
    this.push(Uint8Array.of(tag(field)));
    this.push(varint(length));
  }
}

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** Bytes of a tensor's raw data: the framing was computed from its dims, so the values must match them. */
export const rawBytes = (t: RawTensor): number => 4 * t.dims.reduce((a, b) => a * b, 1);
function checked(t: RawTensor, a: Float32Array): Uint8Array {
  if (a.byteLength !== rawBytes(t)) throw new Error(`${t.name}: ${a.length} values for dims [${t.dims.join(', ')}]`);
  return bytesOf(a);
}
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** A tensor's raw data as chunks with their byte lengths. */
type Body = { readonly chunk: Chunk; readonly length: number }[];

/**
 * One lazy chunk per part, sharing one sequence: chunks are written in order, so the first starts it and
 * each takes the next part (the sequence is started again when the first chunk is made again).
 */
function partChunks(t: RawTensor, p: Parts): Body {
  const n = rawBytes(t) / 4;
  if (!(p.partValues > 0) || n === 0) return [];
  let it: Iterator<Float32Array> | undefined;
  const body: Body = [];
  for (let from = 0, k = 0; from < n; from += p.partValues, k++) {
    const values = Math.min(p.partValues, n - from);
    body.push({
      chunk: () => {
        if (k === 0) it = p.parts();
        const r = it?.next();
        if (!r || r.done || r.value.length !== values) throw new Error(`${t.name}: part ${k} is not ${values} values`);
        return bytesOf(r.value);
      },
      length: 4 * values,
    });
  }
  return body;
}

/**
 * Encodes `model` (whose graph holds everything but the raw tensors) plus `raw` initializers.
 * Returns the model's chunks, and the side file's chunks when `external` is given.
 */
export function encodeModel(model: onnxProto.onnx.IModelProto, raw: readonly RawTensor[], external?: ExternalDataSpec): { model: Chunks; data?: Chunks } {
  if (!LITTLE_ENDIAN) throw new Error('ONNX raw data is little-endian; this platform is not');
  const data = external ? new Builder() : undefined;
  const threshold = external?.threshold ?? 1024;
  // Each initializer: TensorProto header (onnx-proto) + raw_data framed by hand, or an external reference.
  const inits: { head: Uint8Array; body?: Body; length: number }[] = raw.map((t) => {
    const values = t.data;
    const length = rawBytes(t);
    const body: Body = values instanceof Float32Array ? [{ chunk: checked(t, values), length }] : typeof values === 'function' ? [{ chunk: () => checked(t, values()), length }] : partChunks(t, values);
    if (data && length >= threshold) {
      const pad = (ALIGN - (data.byteLength % ALIGN)) % ALIGN;
      if (pad) data.push(new Uint8Array(pad));
      const offset = data.byteLength;
      for (const b of body) data.push(b.chunk, b.length);
      const head = onnx.TensorProto.encode({
        name: t.name,
        dims: [...t.dims],
        dataType: 1,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: external!.location },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(length) },
        ],
      }).finish();
      return { head, length };
    }
    return { head: onnx.TensorProto.encode({ name: t.name, dims: [...t.dims], dataType: 1 }).finish(), body, length };
  });
  const tensorLength = (i: { head: Uint8Array; body?: Body; length: number }) => i.head.byteLength + (i.body ? 1 + varint(i.length).byteLength + i.length : 0);

  const { graph, ...rest } = model;
  const graphHead = onnx.GraphProto.encode(onnx.GraphProto.create(graph ?? {})).finish();
  let graphLength = graphHead.byteLength;
  for (const i of inits) {
    const n = tensorLength(i);
    graphLength += 1 + varint(n).byteLength + n;
  }
  const out = new Builder();
  out.push(onnx.ModelProto.encode(onnx.ModelProto.create(rest)).finish());
  out.field(7, graphLength);
  out.push(graphHead);
  for (const i of inits) {
    out.field(5, tensorLength(i));
    out.push(i.head);
    if (i.body) {
      out.field(9, i.length);
      for (const b of i.body) out.push(b.chunk, b.length);
    }
  }
  return data ? { model: out, data } : { model: out };
}

/** The chunks' bytes in order, each lazy chunk made only when reached (drop each before taking the next). */
export function* pieces(c: Chunks): Generator<Uint8Array> {
  for (const b of c.chunks) yield typeof b === 'function' ? b() : b;
}

/** The chunks as one buffer (for callers that want the model in memory). */
export function join(c: Chunks): Uint8Array {
  const out = new Uint8Array(c.byteLength);
  let off = 0;
  for (const b of pieces(c)) {
    out.set(b, off);
    off += b.byteLength;
  }
  if (off !== c.byteLength) throw new Error(`chunks made ${off} bytes, not ${c.byteLength}`);
  return out;
}
