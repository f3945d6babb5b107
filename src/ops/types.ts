/**
 * The op registry's contract. Every primitive layer is one file exporting an {@link OpDef}: its
 * attributes (types, defaults, docs), its shape rule, parameters, cost and receptive-field transfer, and
 * examples the tests run. Nothing outside `src/ops` switches on op names.
 */
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Fix, Note } from '../diagnostics/types.js';
import type { Dim, DimFacts } from '../symbolic/dim.js';
import type { OnnxLowering } from './onnx-types.js';
import type { TfjsLowering } from './tfjs-types.js';

export type DType = 'float32' | 'float16' | 'float64' | 'bfloat16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4, float16: 2, float64: 8, bfloat16: 2, int64: 8, int32: 4, int8: 1, uint8: 1, bool: 1,
};

/** A tensor's static type: NCHW shape (dims may be symbolic) and element type. */
export interface TensorType {
  readonly shape: readonly Dim[];
  readonly dtype: DType;
}

/** A resolved attribute value, after defaults and type checks. */
export type AttrValue = number | boolean | string | Dim | null | readonly AttrValue[];

/**
 * Attribute types:
 * - `int`, `float`, `bool`, `string`: scalars. An `int` with `min` ≥ 1 is a size (channels, features, groups) and must be
 *   concrete (E0409); other ints (axes) may be symbolic dims.
 * - `ints`: an int or a tuple of ints, expanded to the op's spatial rank (`kernel_size=3` → `[3, 3]`).
 * - `padding`: like `ints`, or one of `'valid' | 'same' | 'full'`.
 * - `int_list`: a list of ints/dims of any length (reshape targets, permutations); `float_list` likewise.
 * - `enum`: one of `choices`.
 */
export type AttrType = 'int' | 'float' | 'bool' | 'string' | 'ints' | 'padding' | 'int_list' | 'float_list' | 'enum';

export interface AttrDef {
  readonly name: string;
  readonly type: AttrType;
  /** Absent means required. `null` means "optional, no value" (e.g. `stride` of a pool defaults to its kernel). */
  readonly default?: AttrValue;
  readonly doc: string;
  /** Short or PyTorch/Keras spellings accepted as keywords (`k` for `kernel_size`). */
  readonly aliases?: readonly string[];
  readonly choices?: readonly string[];
  /** Lower bound for ints/floats (checked by the elaborator, E0301). */
  readonly min?: number;
}

export interface InputDef {
  readonly name: string;
  /** Takes all remaining positional tensors (concat, add). */
  readonly variadic?: boolean;
  /** Minimum count for a variadic input. */
  readonly min?: number;
  readonly optional?: boolean;
  /** Takes integers (an embedding's indices). Otherwise an op with weights wants a float input (E0408). */
  readonly integer?: boolean;
  /** Its integers index a table of this many rows (an embedding's): `dslc run` keeps random ids inside it and names an id outside it. */
  readonly rows?: (attrs: Readonly<Record<string, AttrValue>>) => number;
  /**
   * Its values reach the output unchanged, only rearranged (reshape, transpose, slice, concat…): `dslc run`
   * follows an index input through it to the tables it indexes.
   */
  readonly carriesValues?: boolean;
}

/** A weight tensor the op owns. Shapes are concrete: weights need sizes. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Running statistics are non-trainable (as in Keras); default true. */
  readonly trainable?: boolean;
  readonly dtype?: DType;
  /**
   * Fresh-model initial values: `random` (He or Xavier by the export's scheme, fan-in = product of all
   * axes but the first), `zeros` (biases, running means), `ones` (norm scales, running variances).
   * Default: `random` for names containing "weight", `zeros` otherwise.
   */
  readonly init?: 'random' | 'zeros' | 'ones' | { readonly constant: number };
  /** Fan-in for random init when it is not the product of the axes after the first. */
  readonly fanIn?: number;
  /** Rows (indices along the first axis) a fresh model keeps at zero: an embedding's `padding_idx`, as PyTorch. */
  readonly zeroRows?: readonly number[];
}

/** One spatial axis of a sliding window, in input pixels. */
export interface WindowAxis {
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  /** Declared padding at the beginning of the axis; undefined when it depends on a symbolic size. */
  readonly padBegin: number | undefined;
}

/**
 * How an op moves the receptive field of its (first) input's spatial axes (axes 2.. of NCHW):
 * - `identity`: same grid (activations, norms, channel ops);
 * - `window`: conv/pool per spatial axis; `transpose`: transposed conv (jump divides by stride);
 * - `scale`: upsampling by per-axis factors (jump divides);
 * - `merge`: union of the inputs' fields (add, concat, mul); an input broadcast along an axis (extent 1
 *   where the output's is not, as the `[N, C, 1, 1]` gate of squeeze-and-excitation) widens the field
 *   there but leaves the grid (jump, start) to the others;
 * - `mix`: the grid is kept, but every output sees the whole of each `true` spatial axis (softmax or
 *   layernorm over a spatial axis);
 * - `global`: each output sees the whole input, and the grid is gone (global pooling: jump = extent);
 * - `none`: no spatial grid left (flatten, dense, rnn).
 */
export type RfTransfer =
  | { readonly kind: 'identity' }
  | { readonly kind: 'window'; readonly axes: readonly WindowAxis[] }
  | { readonly kind: 'transpose'; readonly axes: readonly WindowAxis[] }
  | { readonly kind: 'scale'; readonly factors: readonly number[] }
  | { readonly kind: 'merge' }
  | { readonly kind: 'mix'; readonly axes: readonly boolean[] }
  | { readonly kind: 'global' }
  | { readonly kind: 'none' };

/** What an op computes for one application. */
export interface OpResult {
  readonly outputs: readonly TensorType[];
  readonly params?: readonly ParamSpec[];
  /** Multiply-accumulates (per the op's `costDoc`). Required: unknown cost is an error, never a silent 0. */
  readonly macs: Dim;
  /** Floating-point operations; defaults to 2 × MACs. Elementwise ops count their own. */
  readonly flops?: Dim;
  readonly rf: RfTransfer;
}

/** Returned by {@link OpContext.fail}: the op could not infer (an error was reported). */
export interface OpFailure {
  readonly failed: true;
}

export interface DiagOptions {
  readonly hint?: string;
  readonly notes?: Note[];
  readonly fixes?: Fix[];
  /** Put the diagnostic on this attribute's argument instead of the whole call. */
  readonly attr?: string;
}

/** What an op's `infer` sees: input types, resolved attributes, and ways to report. */
export interface OpContext {
  readonly inputs: readonly TensorType[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly facts: DimFacts;
  /** The name shown in messages (`conv5` or `conv2d`). */
  readonly label: string;
  /** Whether the user wrote this attribute (as opposed to it taking its default). */
  given(attr: string): boolean;
  fail(code: DiagnosticCode, message: string, opts?: DiagOptions): OpFailure;
  warn(code: DiagnosticCode, message: string, opts?: DiagOptions): void;
  /**
   * Requires `a == b`: equal → true; concretely different → reports E0402 with `what` and returns false;
   * symbolic → binds a bare symbol (E0403 on conflict) or assumes equality with warning W0105.
   */
  unify(a: Dim, b: Dim, what: string): boolean;
  /** A concrete size for a weight shape, or reports E0409 and returns undefined. */
  concrete(d: Dim, what: string): number | undefined;
}

/** A runnable example: `model T(x: input) { return x -> call }` must give this output (and counts). */
export interface OpExample {
  readonly inputs: readonly (readonly (number | string)[])[];
  readonly call: string;
  readonly output: readonly (number | string)[];
  readonly params?: number;
  readonly macs?: number;
  /** Input dtype (default float32). */
  readonly dtype?: DType;
}

export interface OpDef {
  /** Canonical name as written in `.nn` files (`conv2d`). */
  readonly name: string;
  /** Other accepted names (`maxpool2d` for `max_pool2d`, `linear` for `dense`). */
  readonly aliases?: readonly string[];
  readonly category: 'conv' | 'pool' | 'dense' | 'norm' | 'activation' | 'shape' | 'merge' | 'recurrent' | 'attention' | 'resize' | 'regularization' | 'embedding';
  readonly doc: string;
  /** What MACs and FLOPs count for this op. */
  readonly costDoc: string;
  readonly inputs: readonly InputDef[];
  readonly attrs: readonly AttrDef[];
  /** Shape rule, params, cost and RF transfer. */
  infer(ctx: OpContext): OpResult | OpFailure;
  readonly examples: readonly OpExample[];
  /**
   * Axis of input 0 holding the batch, when the attributes can put it elsewhere than axis 0 (a time-major
   * recurrent layer's `[T, N, F]`: 1). Finds a model's batch symbol (src/checker/memory.ts `batchSymbols`).
   */
  readonly batchAxis?: (attrs: Readonly<Record<string, AttrValue>>) => number;
  /** Lint knowledge: this op subtracts a per-channel mean, so a bias just before it is wasted (BatchNorm). */
  readonly cancelsPrecedingBias?: boolean;
  /**
   * At inference, this application is a per-channel affine map (BatchNorm with running statistics); undefined
   * when it is not. `param` gives this layer's parameter values (dslc layout).
   */
  readonly channelAffine?: (attrs: Readonly<Record<string, AttrValue>>, param: (name: string) => Float32Array, input: TensorType) => ChannelAffine | undefined;
  /** A per-channel affine right after this op folds into its weight and bias (conv, transposed conv, dense). */
  readonly absorbsAffine?: AffineAbsorber;
  /** ONNX lowering of one application (src/lower/onnx calls it); absent means "no ONNX form yet". */
  readonly onnx?: OnnxLowering;
  /** TensorFlow.js lowering of one application (src/lower/tfjs calls it); absent means "no tfjs form yet". */
  readonly tfjs?: TfjsLowering;
}

/**
 * What a BatchNorm-like op is at inference: `y = x · scale[c] + shift[c]`, one scale and shift per index `c`
 * of axis `axis` of its input (negative: from the end). The inference export folds it into the layer
 * before it (src/lower/onnx/fold-bn.ts, `--fold-bn`).
 */
export interface ChannelAffine {
  readonly axis: number;
  readonly scale: Float32Array;
  readonly shift: Float32Array;
}

/**
 * A layer whose output is linear in its weight, one slice of the weight per output channel, plus a bias per
 * channel (convolutions, dense): a per-channel affine right after it can be absorbed into weight and bias.
 */
export interface AffineAbsorber {
  /** The output axis holding the channels (negative: from the end). */
  readonly outputAxis: number;
  readonly weight: string;
  readonly bias: string;
  /** The boolean attribute that switches the bias on (a layer without one gains it when folding). */
  readonly biasAttr: string;
  /** Output channel fed by the weight element at flat row-major index `i` (dslc layout). */
  channelOf(attrs: Readonly<Record<string, AttrValue>>, weightShape: readonly number[]): (i: number) => number;
}

export const isFailure = (r: OpResult | OpFailure): r is OpFailure => 'failed' in r;
