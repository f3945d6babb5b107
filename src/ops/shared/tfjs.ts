/**
 * Helpers for ops' TensorFlow.js lowerings (src/ops/tfjs-types.ts): shape nodes, unary and binary ops, layout
 * arithmetic, and per-axis linear maps (interpolation, adaptive averaging) as matrix products.
 */
import type { TfAttr, TfLayout, TfjsLowerContext, TfjsLowering } from '../tfjs-types.js';

/** Element count of a concrete shape. */
export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
/** NCHW shape → channels-last shape. */
export const nhwcShape = (s: readonly number[]): number[] => (s.length < 3 ? [...s] : [s[0]!, ...s.slice(2), s[1]!]);
/** A logical (NCHW) axis of a rank-r tensor, as a physical axis of the value in `layout`. */
export const physAxis = (a: number, r: number, layout: TfLayout): number => {
  const ax = a < 0 ? a + r : a;
  if (layout === 'nchw' || r < 3 || ax === 0) return ax;
  return ax === 1 ? r - 1 : ax - 1;
};

export const int32 = (ctx: TfjsLowerContext, hint: string, values: readonly number[], shape: readonly number[] = [values.length]): string => ctx.constant(hint, Int32Array.from(values), shape);
export const scalar = (ctx: TfjsLowerContext, hint: string, v: number): string => ctx.constant(hint, Float32Array.of(v), []);
export const reshape = (ctx: TfjsLowerContext, x: string, shape: readonly number[]): string => ctx.node('Reshape', [x, int32(ctx, 'shape', shape)]);
export const transpose = (ctx: TfjsLowerContext, x: string, perm: readonly number[]): string => ctx.node('Transpose', [x, int32(ctx, 'perm', perm)]);
export const binary = (ctx: TfjsLowerContext, op: string, a: string, b: string): string => ctx.node(op, [a, b]);
/** `Slice` of `x` (physical shape `shape`) to [begin, end) along `axis`. */
export function slice(ctx: TfjsLowerContext, x: string, shape: readonly number[], axis: number, begin: number, end: number): string {
  if (begin === 0 && end === shape[axis]) return x;
  const b = shape.map((_, i) => (i === axis ? begin : 0));
  const s = shape.map((d, i) => (i === axis ? end - begin : d));
  return ctx.node('Slice', [x, int32(ctx, 'begin', b), int32(ctx, 'size', s)]);
}

/** An elementwise op of any layout: the output keeps the input's layout. */
export function elementwise(ctx: TfjsLowerContext, body: (x: string) => string): void {
  const layout = ctx.layout(0);
  ctx.output(0, body(ctx.input(0, layout)), layout);
}

/** Lowering of a one-node unary activation (`Relu`, `Sigmoid`, …). */
export const unary =
  (op: string, attrs?: Readonly<Record<string, TfAttr>>): TfjsLowering =>
  (ctx) =>
    elementwise(ctx, (x) => ctx.node(op, [x], attrs));

/**
 * Applies `m` (`out × n`, row-major) along physical axis `axis` of `x` (physical shape `shape`): y[…, i, …] =
 * Σ_j m[i][j] x[…, j, …]. One broadcast batch matrix product; the linear modes of resizing and adaptive averaging.
 */
export function alongAxis(ctx: TfjsLowerContext, x: string, shape: readonly number[], axis: number, m: Float32Array, out: number, hint: string): string {
  const n = shape[axis]!;
  const taps = tapsOf(m, n, out);
  if (taps) return tapSum(ctx, x, shape, axis, taps, out, hint);
  const pre = size(shape.slice(0, axis));
  const post = size(shape.slice(axis + 1));
  const mat = ctx.constant(hint, m, [1, out, n]);
  const y = ctx.node('BatchMatMulV2', [mat, reshape(ctx, x, [pre, n, post])]);
  return reshape(ctx, y, shape.map((d, i) => (i === axis ? out : d)));
}

/** Most taps per output row gathered one by one (more: a matrix product). */
const MAX_TAPS = 8;

/**
 * The rows of an `out × n` matrix as at most MAX_TAPS (index, weight) slots per row, every slot a real
 * tap: a row with fewer taps splits its first tap's weight over the spare slots (a zero weight there would
 * turn an Inf input into NaN). Undefined when some row has more taps.
 */
function tapsOf(m: Float32Array, n: number, out: number): { idx: number[][]; w: number[][] } | undefined {
  const rows: [number, number][][] = [];
  let k = 1;
  for (let j = 0; j < out; j++) {
    const row: [number, number][] = [];
    for (let i = 0; i < n; i++) if (m[j * n + i] !== 0) row.push([i, m[j * n + i]!]);
    if (row.length > MAX_TAPS) return undefined;
    if (!row.length) row.push([0, 0]);
    rows.push(row);
    k = Math.max(k, row.length);
  }
  const idx = Array.from({ length: k }, () => new Array<number>(out));
  const w = Array.from({ length: k }, () => new Array<number>(out));
  rows.forEach((row, j) => {
    const spare = k - row.length;
    row.forEach(([i, v], t) => {
      idx[t]![j] = i;
      w[t]![j] = t === 0 ? v / (spare + 1) : v;
    });
    for (let t = row.length; t < k; t++) {
      idx[t]![j] = row[0]![0];
      w[t]![j] = row[0]![1] / (spare + 1);
    }
  });
  return { idx, w };
}

/**
 * Σ_t gather(x, idx_t along `axis`) · w_t: each output reads only its own taps, so a NaN or Inf input stays in
 * the outputs whose windows hold it (a matrix product would spread it through the zero weights, as 0·Inf is NaN).
 */
function tapSum(ctx: TfjsLowerContext, x: string, shape: readonly number[], axis: number, taps: { idx: number[][]; w: number[][] }, out: number, hint: string): string {
  const bshape = shape.map((_, i) => (i === axis ? out : 1));
  let y: string | undefined;
  taps.idx.forEach((idx, t) => {
    const g = ctx.node('GatherV2', [x, int32(ctx, `${hint}_taps`, idx), int32(ctx, 'axis', [axis], [])]);
    const term = ctx.node('Mul', [g, ctx.constant(`${hint}_weights`, Float32Array.from(taps.w[t]!), bshape)]);
    y = y === undefined ? term : ctx.node('AddV2', [y, term]);
  });
  return y!;
}

/** Tile edge: a tile's 32 source rows and 32 destination runs stay in L1. */
const TILE = 32;

/**
 * out[(t·cols + j)·rows + i] = w[from + (i·cols + j)·kp + t] · scale[i] for i < rows, j < cols, t < kp (scale 1 when
 * absent): the weight layout transposes, with a folded BatchNorm scale per output channel i (ResNet-50 moves 25M
 * values through here at load). Tiled, and each innermost run writes consecutive floats (the power-of-two strides
 * of a row-wise write would keep evicting each other from the cache). Written into `into` (exactly that size) when
 * given.
 */
export function transposeTiled(w: Float32Array, from: number, rows: number, cols: number, kp: number, scale?: Float32Array, into?: Float32Array): Float32Array {
  const out = into ?? new Float32Array(rows * cols * kp);
  const plane = rows * cols;
  const rowStride = cols * kp;
  for (let j0 = 0; j0 < cols; j0 += TILE) {
    const j1 = Math.min(j0 + TILE, cols);
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, rows);
      for (let t = 0; t < kp; t++)
        for (let j = j0; j < j1; j++) {
          let d = t * plane + j * rows + i0;
          let s = from + (i0 * cols + j) * kp + t;
          if (scale) for (let i = i0; i < i1; i++, d++, s += rowStride) out[d] = w[s]! * scale[i]!;
          else for (let i = i0; i < i1; i++, d++, s += rowStride) out[d] = w[s]!;
        }
    }
  }
  return out;
}

/**
 * A dense product `x [rows, in] · Wᵀ + b` with PyTorch's weight `[out, in]` (transposed once, here) as MatMul and
 * BiasAdd, which the fusion pass turns into one `_FusedMatMul`.
 */
export function linear(ctx: TfjsLowerContext, x: string, w: Float32Array, outF: number, inF: number, bias: Float32Array | undefined, hint: string): string {
  const y = ctx.node('MatMul', [x, ctx.lazyConstant(`${hint}_t`, [inF, outF], (scale, into) => transposeTiled(w, 0, outF, inF, 1, scale, into))]);
  return bias ? ctx.node('BiasAdd', [y, ctx.constant(`${hint}_bias`, bias, [outF])]) : y;
}

/** PyTorch's hard sigmoid `relu6(x + 3) / 6`. */
export const hardSigmoid = (ctx: TfjsLowerContext, x: string): string => ctx.node('Mul', [ctx.node('Relu6', [ctx.node('AddV2', [x, scalar(ctx, 'three', 3)])]), scalar(ctx, 'sixth', 1 / 6)]);

/** Softmax / LogSoftmax along the op's `axis` (tfjs normalises the last axis: other axes are transposed there and back). */
export function axisSoftmax(ctx: TfjsLowerContext, op: 'Softmax' | 'LogSoftmax'): void {
  const layout = ctx.layout(0);
  const r = ctx.inputTypes[0]!.shape.length;
  const a = physAxis(ctx.attrs.axis as number, r, layout);
  const x = ctx.input(0, layout);
  if (a === r - 1) return ctx.output(0, ctx.node(op, [x]), layout);
  const perm = Array.from({ length: r }, (_, i) => (i === a ? r - 1 : i === r - 1 ? a : i));
  ctx.output(0, transpose(ctx, ctx.node(op, [transpose(ctx, x, perm)]), perm), layout);
}

/** Channel-wise constants for a value in `layout`: `[C]` on the last axis (channels-last or rank 2), `[C, 1, …]` in NCHW. */
export const channelShape = (c: number, r: number, layout: TfLayout): number[] => (r < 3 || layout === 'nhwc' ? [c] : [c, ...Array<number>(r - 2).fill(1)]);
