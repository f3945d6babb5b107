/**
 * A TensorFlow GraphDef under construction, in the JSON form tfjs-converter writes (`model.json`'s
 * `modelTopology`), with its constants kept as typed arrays until they are packed into weight data. Plain data:
 * no tfjs import, so building (and `--emit tfjs`) needs no runtime.
 */
import type { TfAttr, TfDType } from '../../ops/tfjs-types.js';

/** One GraphDef node as tfjs-converter reads it. */
export interface GraphNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, unknown>;
}

export interface ConstValue {
  readonly data: Float32Array | Int32Array;
  readonly shape: readonly number[];
  readonly dtype: TfDType;
  /** Made by the lowering itself (no caller's weights in its buffer): passes may rewrite it in place. */
  readonly owned?: boolean;
  /**
   * Only on constants made on demand, before their data is made: multiplies the last axis by `scale` as it is made
   * (true), or does nothing (false: already made, or already scaled).
   */
  scaleLast?(scale: Float32Array): boolean;
  /**
   * Only on constants made on demand: the data written into `into` (exactly its size) and not kept, so that a loader
   * whose backend copies each tensor at once can reuse one buffer; the data itself if already made.
   */
  makeInto?(into: Float32Array): Float32Array;
}

/**
 * A float32 constant made on first read of `data`, by `make(scale)`: the fusion pass can fold a scale into it for
 * free. It reads the parameters it is made from when it is made.
 */
class LazyConst implements ConstValue {
  readonly dtype = 'float32' as const;
  readonly owned = true;
  private made?: Float32Array;
  private scale?: Float32Array;
  constructor(
    readonly shape: readonly number[],
    private make: ((scale?: Float32Array, into?: Float32Array) => Float32Array) | undefined,
  ) {}
  makeInto(into: Float32Array): Float32Array {
    return this.made ?? this.make!(this.scale, into);
  }
  get data(): Float32Array {
    if (!this.made) {
      this.made = this.make!(this.scale);
      this.make = undefined;
    }
    return this.made;
  }
  scaleLast(scale: Float32Array): boolean {
    if (this.made || this.scale) return false;
    this.scale = scale;
    return true;
  }
}

/** What `tf.io.fromMemory` / `model.json` + weight shards hold. */
export interface TfjsArtifacts {
  readonly modelTopology: { node: GraphNode[]; versions: { producer: number }; library: Record<string, never> };
  readonly weightSpecs: { name: string; shape: number[]; dtype: TfDType }[];
  readonly weightData: ArrayBuffer;
  /**
   * The constants behind `weightSpecs`, in the same order, as the typed arrays the lowering made: what `lowerToTfjs`
   * turns into tensors directly, without concatenating them into `weightData` and slicing them out again.
   */
  readonly weightValues: readonly ConstValue[];
  readonly format: 'graph-model';
  readonly generatedBy: string;
  readonly convertedBy: string;
  /** Input and output names in the model's order (`model.json`'s `signature` is built from them). */
  readonly inputNames: string[];
  readonly outputNames: string[];
}

const DT: Record<TfDType, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32' };

/** Base64 of a byte string, without Node's Buffer (the core runs in browsers). */
const b64 = (s: string): string => btoa(s);

/** A GraphDef attribute value from the compact form op lowerings use. */
export function encodeAttr(v: TfAttr): unknown {
  if (typeof v === 'number') return { i: String(v) };
  if (typeof v === 'boolean') return { b: v };
  if (typeof v === 'string') return { s: b64(v) };
  if (Array.isArray(v)) return { list: { i: (v as number[]).map(String) } };
  const o = v as Exclude<TfAttr, number | boolean | string | readonly number[]>;
  if ('f' in o) return { f: o.f };
  if ('ss' in o) return { list: { s: o.ss.map(b64) } };
  return { type: DT[o.dtype] };
}

/** Nodes and constants, with unique node names. */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly consts = new Map<string, ConstValue>();
  private readonly used = new Set<string>();

  /** A fresh node name from `base` (GraphDef names: letters, digits, `._/-`; no `:` which selects an output). */
  unique(base: string): string {
    let n = base.replace(/[^\w./-]/g, '_').replace(/^[^A-Za-z0-9.]/, 'v') || 'v';
    const stem = n;
    for (let k = 2; this.used.has(n); k++) n = `${stem}_${k}`;
    this.used.add(n);
    return n;
  }

  node(op: string, inputs: readonly string[], attrs: Readonly<Record<string, TfAttr>> = {}, name?: string): string {
    const n = name ?? this.unique(op);
    const attr: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(attrs)) attr[k] = encodeAttr(v);
    this.nodes.push({ name: n, op, input: [...inputs], attr });
    return n;
  }

  /** A `Const` node holding `data` (kept by reference); `owned`: see {@link ConstValue.owned}. */
  constant(base: string, data: Float32Array | Int32Array, shape: readonly number[], owned = false): string {
    const name = this.unique(base);
    const dtype: TfDType = data instanceof Int32Array ? 'int32' : 'float32';
    this.consts.set(name, { data, shape: [...shape], dtype, owned });
    this.nodes.push({ name, op: 'Const', input: [], attr: { dtype: { type: DT[dtype] }, value: { tensor: { dtype: DT[dtype], tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } } });
    return name;
  }

  /** A float32 `Const` node whose data `make(scale)` makes when it is first read (see {@link ConstValue.scaleLast}). */
  lazyConstant(base: string, shape: readonly number[], make: (scale?: Float32Array, into?: Float32Array) => Float32Array): string {
    const name = this.unique(base);
    this.consts.set(name, new LazyConst([...shape], make));
    this.nodes.push({ name, op: 'Const', input: [], attr: { dtype: { type: DT.float32 }, value: { tensor: { dtype: DT.float32, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } } });
    return name;
  }

  placeholder(name: string, shape: readonly number[], dtype: TfDType): string {
    this.used.add(name);
    this.nodes.push({ name, op: 'Placeholder', input: [], attr: { dtype: { type: DT[dtype] }, shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } } } });
    return name;
  }

  /**
   * Packs the graph: constants become weight specs, in node order; `weightData`, the one concatenated buffer that
   * `model.json`'s shards hold, is made on first use (`lowerToTfjs` loads `weightValues` instead).
   */
  artifacts(inputNames: string[], outputNames: string[], producer = 'dslc'): TfjsArtifacts {
    const weightSpecs: TfjsArtifacts['weightSpecs'] = [];
    const weightValues: ConstValue[] = [];
    for (const n of this.nodes) {
      if (n.op !== 'Const') continue;
      const c = this.consts.get(n.name)!;
      weightSpecs.push({ name: n.name, shape: [...c.shape], dtype: c.dtype });
      weightValues.push(c);
    }
    let joined: ArrayBuffer | undefined;
    return {
      modelTopology: { node: this.nodes, versions: { producer: 1 }, library: {} },
      weightSpecs,
      get weightData(): ArrayBuffer {
        if (!joined) {
          const buf = new Uint8Array(weightValues.reduce((s, c) => s + c.data.byteLength, 0));
          let at = 0;
          for (const { data } of weightValues) {
            buf.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
            at += data.byteLength;
          }
          joined = buf.buffer;
        }
        return joined;
      },
      weightValues,
      format: 'graph-model',
      generatedBy: producer,
      convertedBy: producer,
      inputNames,
      outputNames,
    };
  }
}
