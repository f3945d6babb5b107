/**
 * TensorFlow.js lowerings of the sliding-window ops (convolutions, transposed convolutions, pooling) on
 * channels-last values. Padding is always explicit (resolved by the checker's rule), 1-D ops run as 2-D with a
 * unit height, grouped convolutions split the channels, transposed convolutions are a convolution of the
 * zero-upsampled input with the flipped kernel.
 */
import type { AttrValue } from '../types.js';
import type { TfjsLowerContext } from '../tfjs-types.js';
import { ints } from './onnx-helpers.js';
import { int32, reshape, size, slice, transposeTiled } from './tfjs.js';
import { effKernel, resolvePadding } from './window.js';
import type { OpContext } from '../types.js';

const NO_CTX = { fail: () => ({ failed: true }) } as unknown as OpContext;

/** Begin/end padding per spatial axis from a padding attribute and concrete sizes. */
export function pads(pad: AttrValue, spatial: readonly number[], k: number[], s: number[], d: number[]): [number[], number[]] {
  const r = resolvePadding(pad, spatial, k, s, d, NO_CTX)!;
  return [r.begin as number[], r.end as number[]];
}

export interface ConvSpec {
  /** Channels-last input value and its NCHW shape. */
  readonly x: string;
  readonly shape: readonly number[];
  /** dslc/PyTorch weight `[cout, cin/groups, ...k]`. */
  readonly weight: Float32Array;
  readonly bias?: Float32Array;
  readonly cout: number;
  readonly groups: number;
  readonly k: number[];
  readonly s: number[];
  readonly d: number[];
  readonly begin: number[];
  readonly end: number[];
}

/**
 * Filter `[...k, cin_g, cout_g]` (TF layout) of group `gi` from a PyTorch `[cout, cin_g, ...k]` weight, its output
 * channels (the last axis) multiplied by `scale` if given; written into `into` if given.
 */
function tfFilter(w: Float32Array, cout: number, cinG: number, k: number[], groups: number, gi: number, depthwise: boolean, scale?: Float32Array, into?: Float32Array): Float32Array {
  const kp = size(k);
  const coutG = cout / groups;
  if (depthwise) {
    // [...k, cin, mult] with output channel c·mult + m = the PyTorch row: a [cout, kp] → [kp, cout] transpose.
    return transposeTiled(w, 0, cout, kp, 1, scale, into);
  }
  // Per tap t, a [coutG, cinG] → [cinG, coutG] transpose (source row stride cinG·kp, column stride kp).
  return transposeTiled(w, gi * coutG * cinG * kp, coutG, cinG, kp, scale, into);
}

/** The same convolution with dilation 1: each kernel axis grows to d·(k−1)+1 with zeros between the taps. */
function dilateKernel(c: ConvSpec): ConvSpec {
  const k2 = c.k.map((k, i) => c.d[i]! * (k - 1) + 1);
  const [kp, kp2] = [size(c.k), size(k2)];
  const rows = c.weight.length / kp;
  const w = new Float32Array(rows * kp2);
  for (let r = 0; r < rows; r++)
    for (let t = 0; t < kp; t++) {
      let rem = t;
      let at = 0;
      let stride = 1;
      for (let i = c.k.length - 1; i >= 0; i--) {
        at += (rem % c.k[i]!) * c.d[i]! * stride;
        rem = Math.floor(rem / c.k[i]!);
        stride *= k2[i]!;
      }
      w[r * kp2 + at] = c.weight[r * kp + t]!;
    }
  return { ...c, weight: w, k: k2, d: c.d.map(() => 1) };
}

/** A convolution of any spatial rank on a channels-last value; returns the channels-last output. */
export function conv(ctx: TfjsLowerContext, c: ConvSpec): string {
  const rank = c.k.length;
  if (rank === 1) {
    // As 2-D with a unit height: [N, L, C] → [N, 1, L, C].
    const [n, cin, l] = c.shape as [number, number, number];
    const x = reshape(ctx, c.x, [n, 1, l, cin]);
    const y = conv(ctx, { ...c, x, shape: [n, cin, 1, l], k: [1, ...c.k], s: [1, ...c.s], d: [1, ...c.d], begin: [0, ...c.begin], end: [0, ...c.end] });
    const lo = Math.floor((l + c.begin[0]! + c.end[0]! - effKernel(c.k[0]!, c.d[0]!)) / c.s[0]!) + 1;
    return reshape(ctx, y, [n, lo, c.cout]);
  }
  const cin = c.shape[1]!;
  const depthwise = c.groups === cin && c.groups > 1 && rank === 2;
  // tfjs takes a stride or a dilation above 1, not both, and no dilated 3-D convolution: then the kernel itself is
  // dilated (zeros between the taps), which is exact.
  if ((rank === 2 && c.s.some((v) => v > 1) && c.d.some((v) => v > 1)) || (rank === 3 && c.d.some((v) => v > 1))) return conv(ctx, dilateKernel(c));
  const cinG = cin / c.groups;
  const explicit = c.begin.some((v) => v > 0) || c.end.some((v) => v > 0);
  let x = c.x;
  const attrs2d = {
    strides: [1, ...c.s, 1],
    dilations: [1, ...c.d, 1],
    data_format: 'NHWC',
    padding: explicit ? 'EXPLICIT' : 'VALID',
    ...(explicit ? { explicit_paddings: [0, 0, ...c.begin.flatMap((b, i) => [b, c.end[i]!]), 0, 0] } : {}),
  };
  if (rank === 3 && explicit) x = ctx.node('Pad', [x, int32(ctx, 'pads', [0, 0, ...c.begin.flatMap((b, i) => [b, c.end[i]!]), 0, 0], [5, 2])]);
  const attrs3d = { strides: [1, ...c.s, 1], dilations: [1, 1, 1, 1, 1], data_format: 'NDHWC', padding: 'VALID' };
  const one = (input: string, gi: number, cinG_: number, coutG: number, dw: boolean) => {
    const f = ctx.lazyConstant('filter', [...c.k, cinG_, dw ? c.cout / cin : coutG], (scale, into) => tfFilter(c.weight, c.cout, cinG, c.k, c.groups, gi, dw, scale, into));
    if (dw) return ctx.node('DepthwiseConv2dNative', [input, f], attrs2d);
    return ctx.node(rank === 2 ? 'Conv2D' : 'Conv3D', [input, f], rank === 2 ? attrs2d : attrs3d);
  };
  let y: string;
  if (c.groups === 1 || depthwise) y = one(x, 0, cin, c.cout, depthwise);
  else {
    // Grouped: split the channels, one convolution per group, concatenate.
    const split = ctx.node('Split', [int32(ctx, 'axis', [rank + 1], []), x], { num_split: c.groups });
    const parts = Array.from({ length: c.groups }, (_, gi) => one(gi ? `${split}:${gi}` : split, gi, cinG, c.cout / c.groups, false));
    y = ctx.node('ConcatV2', [...parts, int32(ctx, 'axis', [rank + 1], [])], { N: c.groups });
  }
  return c.bias ? ctx.node('BiasAdd', [y, ctx.constant('bias', c.bias, [c.cout])]) : y;
}

/**
 * Transposed convolution: insert stride−1 zeros between input pixels (per axis, by padding a unit axis), then a
 * stride-1 convolution with the flipped kernel, in/out channels swapped per group, padding d·(k−1)−p at the
 * beginning and d·(k−1)−p+output_padding at the end; negative padding crops the result.
 */
export function convTranspose(ctx: TfjsLowerContext, x: string, shape: readonly number[], a: Readonly<Record<string, AttrValue>>, w: Float32Array, bias: Float32Array | undefined): string {
  const rank = shape.length - 2;
  const [k, s, p, op, d] = [a.kernel_size, a.stride, a.padding, a.output_padding, a.dilation].map((v) => ints(v!, rank)) as number[][];
  const groups = a.groups as number;
  const cout = a.out_channels as number;
  const cin = shape[1]!;
  const [cinG, coutG] = [cin / groups, cout / groups];
  const kp = size(k!);
  // Conv weight [cout, cin_g, ...k] flipped: W'[g·coutG + o, i, t] = W[g·cinG + i, o, kp−1−t].
  const cw = new Float32Array(cout * cinG * kp);
  for (let g = 0; g < groups; g++)
    for (let o = 0; o < coutG; o++)
      for (let i = 0; i < cinG; i++)
        for (let t = 0; t < kp; t++) cw[((g * coutG + o) * cinG + i) * kp + t] = w[((g * cinG + i) * coutG + o) * kp + (kp - 1 - t)]!;
  let phys = [shape[0]!, ...shape.slice(2), cin];
  let y = x;
  for (let ax = 0; ax < rank; ax++) {
    if (s[ax] === 1) continue;
    const pre = size(phys.slice(0, ax + 2));
    const post = size(phys.slice(ax + 2));
    const padded = ctx.node('Pad', [reshape(ctx, y, [pre, 1, post]), int32(ctx, 'pads', [0, 0, 0, s[ax]! - 1, 0, 0], [3, 2])]);
    phys = phys.map((v, i) => (i === ax + 1 ? v * s[ax]! : v));
    y = reshape(ctx, padded, phys);
  }
  const begin = k!.map((ki, i) => d![i]! * (ki - 1) - p![i]!);
  const end = k!.map((ki, i) => d![i]! * (ki - 1) - p![i]! + op![i]! - (s![i]! - 1));
  const nchw = [phys[0]!, cin, ...phys.slice(1, -1)];
  let out = conv(ctx, { x: y, shape: nchw, weight: cw, cout, groups, k: k!, s: k!.map(() => 1), d: d!, begin: begin.map((v) => Math.max(v, 0)), end: end.map((v) => Math.max(v, 0)) });
  let oshape = [phys[0]!, ...phys.slice(1, -1).map((v, i) => v + Math.max(begin[i]!, 0) + Math.max(end[i]!, 0) - (d![i]! * (k![i]! - 1))), cout];
  for (let i = 0; i < rank; i++) {
    const [cb, ce] = [Math.max(-begin[i]!, 0), Math.max(-end[i]!, 0)];
    if (!cb && !ce) continue;
    out = slice(ctx, out, oshape, i + 1, cb, oshape[i + 1]! - ce);
    oshape = oshape.map((v, j) => (j === i + 1 ? v - cb - ce : v));
  }
  return bias ? ctx.node('BiasAdd', [out, ctx.constant('bias', bias, [cout])]) : out;
}

/** A conv op's lowering from its attributes; `o` overrides what depthwise/separable convs derive (groups, weights). */
export function lowerConv(ctx: TfjsLowerContext, rank: number, o: { x?: string; shape?: readonly number[]; cout?: number; groups?: number; weight?: string; bias?: boolean; k?: number[]; s?: number[]; d?: number[]; padding?: AttrValue } = {}): string {
  const a = ctx.attrs;
  const shape = o.shape ?? ctx.inputTypes[0]!.shape;
  const k = o.k ?? ints(a.kernel_size!, rank);
  const s = o.s ?? ints(a.stride!, rank);
  const d = o.d ?? ints(a.dilation!, rank);
  const [begin, end] = pads(o.padding ?? a.padding!, shape.slice(2), k, s, d);
  const bias = o.bias ?? (a.bias as boolean);
  return conv(ctx, {
    x: o.x ?? ctx.input(0, 'nhwc'),
    shape,
    weight: ctx.param(o.weight ?? 'weight'),
    ...(bias ? { bias: ctx.param('bias') } : {}),
    cout: o.cout ?? (a.out_channels as number),
    groups: o.groups ?? (a.groups as number),
    k,
    s,
    d,
    begin,
    end,
  });
}
