/**
 * The contract between an op and the TensorFlow.js lowering (src/lower/tfjs): each op file may export a `tfjs`
 * function that emits nodes of the TensorFlow GraphDef vocabulary (the ops tfjs-converter executes: Conv2D,
 * MatMul, Reshape, …) for one application of the op. Types only, so op files do not depend on the lowering.
 *
 * Layouts: TensorFlow.js runs channels-last. Every value of rank ≥ 3 is held either in dslc's declared axis order
 * (`nchw`: N, C, spatial…) or channels-last (`nhwc`: N, spatial…, C). An op asks for its inputs in the layout it
 * works in (a Transpose is inserted once per value and layout when needed) and says in which layout it produces
 * each output; values of rank ≤ 2 are the same in both.
 */
import type { AttrValue, DType } from './types.js';

export type TfLayout = 'nchw' | 'nhwc';
export type TfDType = 'float32' | 'int32';

/**
 * A GraphDef attribute. Plain numbers are ints (`i`) and number arrays int lists; wrap floats (`{ f: 0.2 }`)
 * because JavaScript cannot tell 1 from 1.0; strings are byte strings (`padding: 'VALID'`).
 */
export type TfAttr =
  | number
  | boolean
  | string
  | readonly number[]
  | { readonly f: number }
  | { readonly ss: readonly string[] }
  | { readonly dtype: TfDType };

/** A tensor type with every dimension concrete (the lowering specialises symbolic sizes first), in dslc's axis order. */
export interface ConcreteType {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface TfjsLowerContext {
  /** The op's resolved dslc attributes (defaults applied). */
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** Concrete input and output types in dslc's axis order (NCHW), whatever layout the values are held in. */
  readonly inputTypes: readonly ConcreteType[];
  readonly outputTypes: readonly ConcreteType[];
  /** The layout input `i` is currently held in (ops that work in either layout keep it). */
  layout(i: number): TfLayout;
  /** Input `i` as a value in `layout` (transposed once if held in the other). */
  input(i: number, layout: TfLayout): string;
  /** Declares output `i` to be `value`, held in `layout`. */
  output(i: number, value: string, layout: TfLayout): void;
  /** This layer's parameter `name` (as declared by the op's infer), row-major in dslc's layout. */
  param(name: string): Float32Array;
  /** A constant (weights, shapes, axes): float32 unless the data is an Int32Array or `dtype` says int32. */
  constant(hint: string, data: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: TfDType): string;
  /**
   * A float32 weight constant the lowering makes (a layout transpose of a parameter), made when the graph is packed:
   * `make(scale)` returns it with its last (channel) axis multiplied by `scale` where the fusion pass folded a
   * BatchNorm into it, so that the transpose and the fold are one pass over the weights; into `into` (exactly its
   * size) when given, else a new array.
   */
  lazyConstant(hint: string, shape: readonly number[], make: (scale?: Float32Array, into?: Float32Array) => Float32Array): string;
  /** Emits one node; returns its name (the value of its first output; output k > 0 is `name:k`). */
  node(op: string, inputs: readonly string[], attrs?: Readonly<Record<string, TfAttr>>, hint?: string): string;
  /**
   * The backend the graph is built to run on, when known (`lowerToTfjs` sets it; `--emit tfjs` leaves it unset, and
   * its graph suits any backend). An op may choose a form this backend runs much faster, with the same values.
   */
  readonly backend?: string;
  /** Reports that these attributes have no TensorFlow.js form (diagnostic E0602 with this layer's location). */
  unsupported(reason: string): void;
}

/** Lowers one application of an op to TensorFlow GraphDef nodes. */
export type TfjsLowering = (ctx: TfjsLowerContext) => void;
