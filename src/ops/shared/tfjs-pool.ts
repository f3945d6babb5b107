/**
 * TensorFlow.js lowerings of pooling (plain, global, adaptive) on channels-last values, with PyTorch's semantics:
 * explicit padding (−∞ for max, zeros for average), ceil_mode as extra end padding, and the average divisor
 * (count_include_pad, divisor_override, windows clipped at the border) as a constant correction map.
 */
import type { TfjsLowerContext } from '../tfjs-types.js';
import type { PoolKind } from './pool.js';
import { ints } from './onnx-helpers.js';
import { alongAxis, int32, reshape, scalar, size, slice } from './tfjs.js';
import { pads } from './tfjs-window.js';
import { effKernel } from './window.js';

/** `max_poolNd` / `avg_poolNd`. */
export function pool(ctx: TfjsLowerContext, kind: PoolKind, rank: number): void {
  const a = ctx.attrs;
  const shape = ctx.inputTypes[0]!.shape;
  const outShape = ctx.outputTypes[0]!.shape;
  const k = ints(a.kernel_size!, rank);
  const s = a.stride === null ? k : ints(a.stride!, rank);
  const d = kind === 'max' ? ints(a.dilation!, rank) : k.map(() => 1);
  const spatial = shape.slice(2);
  const [pb, pe] = pads(a.padding!, spatial, k, s, d);
  const out = outShape.slice(2);
  // Extra end padding so that a VALID window count gives dslc's output size (ceil_mode).
  const extra = out.map((o, i) => Math.max(0, (o - 1) * s[i]! + effKernel(k[i]!, d[i]!) - (spatial[i]! + pb[i]! + pe[i]!)));
  const end = pe.map((e, i) => e + extra[i]!);
  let x = ctx.input(0, 'nhwc');
  const [n, c] = [shape[0]!, shape[1]!];
  const r2 = rank === 1 ? 2 : rank;
  const kk = rank === 1 ? [1, ...k] : k;
  const ss = rank === 1 ? [1, ...s] : s;
  let b2 = rank === 1 ? [0, ...pb] : pb;
  let e2 = rank === 1 ? [0, ...end] : end;
  if (rank === 1) x = reshape(ctx, x, [n, 1, spatial[0]!, c]);
  if (b2.some((v) => v > 0) || e2.some((v) => v > 0)) {
    const padding = int32(ctx, 'pads', [0, 0, ...b2.flatMap((b, i) => [b, e2[i]!]), 0, 0], [r2 + 2, 2]);
    x = ctx.node('PadV2', [x, padding, scalar(ctx, 'pad_value', kind === 'max' ? -Infinity : 0)]);
    b2 = b2.map(() => 0);
    e2 = e2.map(() => 0);
  }
  let y: string;
  if (kind === 'max' && (d.some((v) => v > 1) || a.return_indices === true)) {
    // tfjs MaxPool has no dilations, and MaxPoolWithArgmax indexes the channels-last tensor without padding: a
    // running max over the kernel taps (strided slices of the padded input), with PyTorch's per-plane index of the
    // first maximum.
    const one = rank === 1 ? [1] : [];
    const [k2, s2, d2, pb2, sp2, out2] = [[...one, ...k], [...one, ...s], [...one, ...d], [...(rank === 1 ? [0] : []), ...pb], [...one, ...spatial], [...one, ...out]];
    const taps = size(k2);
    let best = '';
    let idx = '';
    for (let t = 0; t < taps; t++) {
      const tap: number[] = [];
      for (let i = r2 - 1, rem = t; i >= 0; i--, rem = Math.floor(rem / k2[i + 1]!)) tap[i] = rem % k2[i]!;
      const begin = [0, ...tap.map((q, i) => q * d2[i]!), 0];
      const end = [n, ...tap.map((q, i) => q * d2[i]! + (out2[i]! - 1) * s2[i]! + 1), c];
      const v = ctx.node('StridedSlice', [x, int32(ctx, 'begin', begin), int32(ctx, 'end', end), int32(ctx, 'strides', [1, ...s2, 1])]);
      const map = new Int32Array(size(out2));
      for (let j = 0; j < map.length; j++) {
        let [rem, flat, stride] = [j, 0, 1];
        for (let i = r2 - 1; i >= 0; i--) {
          flat += ((rem % out2[i]!) * s2[i]! + tap[i]! * d2[i]! - pb2[i]!) * stride;
          rem = Math.floor(rem / out2[i]!);
          stride *= sp2[i]!;
        }
        map[j] = flat;
      }
      const ids = ctx.constant('tap_index', map, [1, ...out2, 1]);
      if (!t) {
        best = v;
        idx = ctx.node('Tile', [ids, int32(ctx, 'reps', [n, ...out2.map(() => 1), c])]);
        continue;
      }
      idx = ctx.node('SelectV2', [ctx.node('Greater', [v, best]), ids, idx]);
      best = ctx.node('Maximum', [best, v]);
    }
    y = best;
    if (a.return_indices === true) ctx.output(1, rank === 1 ? reshape(ctx, idx, [n, out[0]!, c]) : idx, 'nhwc');
  } else if (r2 === 3 && kind === 'max') {
    // tfjs-backend-wasm's MaxPool3D starts its max at FLT_MIN (a window of negatives gives 1.2e-38): max pooling is
    // separable, so pool H×W on [N·D, H, W, C], then D on [N, D, H·W, C].
    const p = spatial.map((w, i) => w + pb[i]! + end[i]!);
    const hw = ctx.node('MaxPool', [reshape(ctx, x, [n * p[0]!, p[1]!, p[2]!, c])], { ksize: [1, k[1]!, k[2]!, 1], strides: [1, s[1]!, s[2]!, 1], padding: 'VALID' });
    const dd = ctx.node('MaxPool', [reshape(ctx, hw, [n, p[0]!, out[1]! * out[2]!, c])], { ksize: [1, k[0]!, 1, 1], strides: [1, s[0]!, 1, 1], padding: 'VALID' });
    y = reshape(ctx, dd, [n, ...out, c]);
  } else {
    const op = (kind === 'max' ? 'MaxPool' : 'AvgPool') + (r2 === 3 ? '3D' : '');
    y = ctx.node(op, [x], { ksize: [1, ...kk, 1], strides: [1, ...ss, 1], padding: 'VALID', ...(r2 === 3 ? { data_format: 'NDHWC' } : {}) });
  }
  if (kind === 'avg') {
    // AvgPool divided by ∏k over the padded input; PyTorch divides by the clipped window (or divisor_override).
    const counts = spatial.map((w, i) =>
      Array.from({ length: out[i]! }, (_, o) => {
        const start = o * s[i]! - pb[i]!;
        const [lo, hi] = a.count_include_pad === false ? [0, w] : [-pb[i]!, w + pe[i]!];
        return Math.max(0, Math.min(start + k[i]!, hi) - Math.max(start, lo));
      }),
    );
    const kp = size(k);
    const map = new Float32Array(size(out));
    let exact = true;
    for (let j = 0; j < map.length; j++) {
      let rem = j;
      let div = 1;
      for (let i = rank - 1; i >= 0; i--) {
        div *= counts[i]![rem % out[i]!]!;
        rem = Math.floor(rem / out[i]!);
      }
      const dv = a.divisor_override !== null && a.divisor_override !== undefined ? (a.divisor_override as number) : div;
      map[j] = kp / dv;
      if (map[j] !== 1) exact = false;
    }
    if (!exact) y = ctx.node('Mul', [y, ctx.constant('divisor_correction', map, [1, ...(rank === 1 ? [1] : []), ...out, 1])]);
  }
  if (rank === 1) y = reshape(ctx, y, [n, out[0]!, c]);
  ctx.output(0, y, 'nhwc');
}

/** `global_avg_pool` / `global_max_pool`: Mean or Max over the spatial axes of the channels-last value. */
export function globalPool(ctx: TfjsLowerContext, kind: PoolKind): void {
  const r = ctx.inputTypes[0]!.shape.length;
  const keep = ctx.attrs.keepdims !== false;
  const axes = int32(ctx, 'axes', Array.from({ length: r - 2 }, (_, i) => i + 1));
  ctx.output(0, ctx.node(kind === 'avg' ? 'Mean' : 'Max', [ctx.input(0, 'nhwc'), axes], { keep_dims: keep }), 'nhwc');
}

/** PyTorch's adaptive window i of `n` → `o`: [floor(i·n/o), ceil((i+1)·n/o)). */
const window = (i: number, n: number, o: number): [number, number] => [Math.floor((i * n) / o), Math.ceil(((i + 1) * n) / o)];

/**
 * `adaptive_*_pool`: separable per axis. Average: a matrix of window means along each axis; max: per output
 * position a Max over its window slice, concatenated (max of maxes is the box max).
 */
export function adaptivePool(ctx: TfjsLowerContext, kind: PoolKind): void {
  if (ctx.attrs.return_indices === true) return ctx.unsupported('return_indices (adaptive windows vary per output position; only max_pool*d lowers its indices)');
  const shape = ctx.inputTypes[0]!.shape;
  const out = ctx.outputTypes[0]!.shape.slice(2);
  let phys = [shape[0]!, ...shape.slice(2), shape[1]!];
  let y = ctx.input(0, 'nhwc');
  out.forEach((o, i) => {
    const ax = i + 1;
    const n = phys[ax]!;
    if (n === o) return;
    if (kind === 'avg') {
      const m = new Float32Array(o * n);
      for (let r = 0; r < o; r++) {
        const [lo, hi] = window(r, n, o);
        for (let j = lo; j < hi; j++) m[r * n + j] = 1 / (hi - lo);
      }
      y = alongAxis(ctx, y, phys, ax, m, o, 'adaptive_avg');
    } else {
      const parts = Array.from({ length: o }, (_, r) => {
        const [lo, hi] = window(r, n, o);
        return ctx.node('Max', [slice(ctx, y, phys, ax, lo, hi), int32(ctx, 'axis', [ax], [])], { keep_dims: true });
      });
      y = o === 1 ? parts[0]! : ctx.node('ConcatV2', [...parts, int32(ctx, 'axis', [ax], [])], { N: o });
    }
    phys = phys.map((v, j) => (j === ax ? o : v));
  });
  ctx.output(0, y, 'nhwc');
}
