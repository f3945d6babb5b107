/**
 * The contract between an op and the ONNX lowering (src/lower/onnx): each op file may export an
 * `onnx` function that emits standard ONNX nodes for one application of the op. Types only, so op files
 * do not depend on the exporter.
 */
import type { AttrValue, TensorType } from './types.js';

/**
 * An ONNX attribute value. Plain numbers are INT and number arrays INTS; wrap floats explicitly
 * (`{ f: 1e-5 }`, `{ fs: [...] }`) because JavaScript cannot tell 1 from 1.0.
 */
export type OnnxAttr = number | readonly number[] | string | { readonly f: number } | { readonly fs: readonly number[] } | { readonly ss: readonly string[] };

export interface OnnxLowerContext {
  /** Target opset of the default domain. */
  readonly opset: number;
  /** The op's resolved dslc attributes (defaults applied). */
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** ONNX value names of the inputs and outputs (outputs must be produced under exactly these names). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** dslc's checked types (dims may be symbolic: then use runtime shapes, not constants). */
  readonly inputTypes: readonly TensorType[];
  readonly outputTypes: readonly TensorType[];
  /** The initializer holding this layer's parameter `name` (as declared by the op's infer), in dslc's layout. */
  param(name: string): string;
  /**
   * An initializer `<layer path>.<hint>` computed from this layer's parameters (ONNX layouts that differ from dslc's,
   * e.g. LSTM gate order): `compute` receives each parameter's data (row-major, dslc layout). `unpack` is its inverse:
   * given the initializer's data it writes the parameters (or parts of them) back through `put`, so that `--weights`
   * reads dslc's own export (src/lower/onnx/unpack.ts). Together, the `put`s of a layer's packings must cover every
   * parameter its lowering does not pass through `param`. `compute` runs when the model is written, maybe more than
   * once: it must be pure (never change the arrays it receives; capture nothing that changes after lowering).
   */
  derived(hint: string, dims: readonly number[], compute: (param: (name: string) => Float32Array) => Float32Array, unpack: OnnxUnpack): string;
  /** An int64 constant initializer (shapes, axes, pads). */
  int64s(hint: string, values: readonly number[], dims?: readonly number[]): string;
  /** A float32 constant initializer. */
  floats(hint: string, values: readonly number[], dims?: readonly number[]): string;
  /** A fresh name for an intermediate value. */
  temp(hint: string): string;
  /** Emits one node (default domain unless given). */
  emit(opType: string, inputs: readonly string[], outputs: readonly string[], attrs?: Readonly<Record<string, OnnxAttr>>): void;
  /** Reports that this op has no ONNX form at this opset (`since`: the first opset that has one). */
  unsupported(reason: string, since?: number): void;
}

/** Writes `values` into this layer's parameter `name` (dslc layout, row-major) from element `offset` (default 0). */
export type OnnxPut = (name: string, values: Float32Array, offset?: number) => void;

/** The inverse of a `derived` packing: the initializer's data back into the parameters it was computed from. */
export type OnnxUnpack = (packed: Float32Array, put: OnnxPut) => void;

/** Lowers one application of an op to ONNX. */
export type OnnxLowering = (ctx: OnnxLowerContext) => void;
