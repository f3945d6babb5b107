/**
 * The graph IR: what block expansion produces and every later stage (checker, lowerings, service) reads.
 * Nodes keep their origin spans and the chain of block calls that created them.
 */
import type { Span } from '../diagnostics/types.js';
import type { AttrValue, OpDef, ParamSpec, RfTransfer, TensorType } from '../ops/types.js';
import type { Dim, DimFacts } from '../symbolic/dim.js';

/** One step of the block-call stack: `layer2 (basic_block) at model.nn:12:5`. */
export interface BlockFrame {
  readonly block: string;
  readonly label: string;
  readonly span: Span;
  /** Id of the block instance (shared instances have one id across applications). */
  readonly instance: number;
  /** This application's arguments, in parameter order (hover shows them on the block's parameters). */
  readonly args?: readonly BlockArg[];
  /** What this application returned (a tuple: one type per item), once it has returned; hover shows it. */
  readonly outputs?: readonly TensorType[];
  /** The tensors it returned, as `outputs` (the editor reads their receptive fields). */
  readonly results?: readonly number[];
  /** The names its block declares for its results (`-> (left: Tensor, right: Tensor)`; '' where one is unnamed), if any: the editor labels the items by them. */
  readonly resultNames?: readonly string[];
}

/** One argument of a block application: a tensor parameter's type, or another parameter's value as written by `show`. */
export interface BlockArg {
  readonly name: string;
  readonly type?: TensorType;
  readonly value?: string;
}

export interface IrTensor {
  readonly id: number;
  readonly type: TensorType;
  /** Producing node, or undefined for a model input. */
  readonly producer?: number;
  /** The variable it was first bound to, if any. */
  name?: string;
  readonly span: Span;
}

export interface IrParam extends ParamSpec {
  /** Trainable after `trainable=false` / `frozen { }`. */
  readonly trainable: boolean;
}

export interface IrNode {
  readonly id: number;
  readonly op: OpDef;
  /** Name within its block (`conv1`, `conv2d_3`). */
  readonly label: string;
  /** Dotted path through block calls (`layer2.basic_block_1.conv2d_2`). */
  readonly path: string;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly params: readonly IrParam[];
  /** Layer instance: nodes with the same instance share weights. */
  readonly instance: number;
  /** Set on second and later applications of a shared instance: the first node with these weights. */
  readonly sharedWith?: number;
  readonly macs: Dim;
  readonly flops: Dim;
  readonly rf: RfTransfer;
  readonly span: Span;
  readonly blockPath: readonly BlockFrame[];
}

export interface IrPort {
  readonly name: string;
  readonly tensor: number;
  readonly span: Span;
}

export interface Graph {
  readonly name: string;
  readonly doc?: string;
  readonly span: Span;
  readonly inputs: readonly IrPort[];
  readonly outputs: readonly IrPort[];
  readonly nodes: readonly IrNode[];
  readonly tensors: readonly IrTensor[];
  /** Symbols of the input shapes, and what unification bound them to. */
  readonly symbols: ReadonlyMap<string, Dim | undefined>;
  readonly facts: DimFacts;
  /**
   * Block applications that returned tensors but made no layer (an identity branch): the others are on their
   * layers' `blockPath`, and the editor shows every call.
   */
  readonly emptyCalls: readonly EmptyCall[];
}

/** A block application that made no layer: its call path (itself last), after the graph's first `at` nodes. */
export interface EmptyCall {
  readonly path: readonly BlockFrame[];
  readonly at: number;
}
