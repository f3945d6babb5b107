/**
 * Serialises a ModelProto without copying its weights: the model is a list of byte chunks in which each
 * initializer's raw data is a view of the Float32Array that holds it. Protobuf needs every enclosing
 * message's length up front, so the lengths are computed and the framing is written by hand around the
 * parts onnx-proto encodes (everything but the weights). With external data (ONNX spec, "External Data"),
 * large tensors go to a side file instead, referenced by location/offset/length.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Bytes as a list of chunks (written in order); `byteLength` is their total. */
export interface Chunks {
  readonly chunks: Uint8Array[];
  readonly byteLength: number;
}

/** A float32 initializer whose data is written raw (little-endian). */
export interface RawTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
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
  readonly chunks: Uint8Array[] = [];
  byteLength = 0;
  push(b: Uint8Array): void {
    if (b.byteLength === 0) return;
    this.chunks.push(b);
    this.byteLength += b.byteLength;
  }
  field(field: number, length: number): void {
    this.push(Uint8Array.of(tag(field)));
    this.push(varint(length));
  }
}

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * Encodes `model` (whose graph holds everything but the raw tensors) plus `raw` initializers.
 * Returns the model's chunks, and the side file's chunks when `external` is given.
 */
export function encodeModel(model: onnxProto.onnx.IModelProto, raw: readonly RawTensor[], external?: ExternalDataSpec): { model: Chunks; data?: Chunks } {
  if (!LITTLE_ENDIAN) throw new Error('ONNX raw data is little-endian; this platform is not');
  const data = external ? new Builder() : undefined;
  const threshold = external?.threshold ?? 1024;
  // Each initializer: TensorProto header (onnx-proto) + raw_data framed by hand, or an external reference.
  const inits: { head: Uint8Array; body?: Uint8Array }[] = raw.map((t) => {
    const body = bytesOf(t.data);
    if (data && body.byteLength >= threshold) {
      const pad = (ALIGN - (data.byteLength % ALIGN)) % ALIGN;
      if (pad) data.push(new Uint8Array(pad));
      const offset = data.byteLength;
      data.push(body);
      const head = onnx.TensorProto.encode({
        name: t.name,
        dims: [...t.dims],
        dataType: 1,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: external!.location },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(body.byteLength) },
        ],
      }).finish();
      return { head };
    }
    return { head: onnx.TensorProto.encode({ name: t.name, dims: [...t.dims], dataType: 1 }).finish(), body };
  });
  const tensorLength = (i: { head: Uint8Array; body?: Uint8Array }) => i.head.byteLength + (i.body ? 1 + varint(i.body.byteLength).byteLength + i.body.byteLength : 0);

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
      out.field(9, i.body.byteLength);
      out.push(i.body);
    }
  }
  return data ? { model: out, data } : { model: out };
}

/** The chunks as one buffer (for callers that want the model in memory). */
export function join(c: Chunks): Uint8Array {
  const out = new Uint8Array(c.byteLength);
  let off = 0;
  for (const b of c.chunks) {
    out.set(b, off);
    off += b.byteLength;
  }
  return out;
}
