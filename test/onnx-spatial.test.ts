/**
 * ONNX export of the spatial ops (depthwise/separable/transposed convs, pooling, padding, resizing): each tiny
 * model runs in onnxruntime and must give dslc's shapes and the values of naive PyTorch-semantics references
 * written here; every file also passes onnx.checker (full) and strict shape inference with dslc's shapes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckedModel } from '../src/checker/analyze.js';
import { exportOnnx } from '../src/lower/onnx/export.js';
import { initParam, paramKey } from '../src/lower/weights.js';
import { evaluate, formatDim, isSymbolic } from '../src/symbolic/dim.js';
import { ROOT, checkText, errors } from './helpers/compile.js';

interface T { shape: number[]; data: Float32Array<ArrayBufferLike> }
const SEED = 1;
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const tensor = (shape: number[], data: Float32Array<ArrayBufferLike> = new Float32Array(size(shape))): T => ({ shape, data });
const flat = (shape: readonly number[], idx: readonly number[]) => idx.reduce((acc, i, a) => acc * shape[a]! + i, 0);
/** Calls f(multi-index, flat index) over a shape, row-major. */
function each(shape: readonly number[], f: (idx: number[], i: number) => void): void {
  const idx = shape.map(() => 0);
  for (let i = 0, n = size(shape); i < n; i++) {
    f(idx, i);
    for (let a = shape.length - 1; a >= 0 && ++idx[a]! === shape[a]; a--) idx[a] = 0;
  }
}
const inside = (pos: number[], sp: number[]) => pos.every((q, a) => q >= 0 && q < sp[a]!);

// ---- Naive references (PyTorch semantics), any number of spatial axes ----
interface Win { k: number[]; s: number[]; p: number[]; pe?: number[]; d?: number[] }
const dil = (w: Win) => w.d ?? w.k.map(() => 1);
const windowOut = (w: Win, sp: number[], ceil = false) =>
  sp.map((n, a) => {
    const [pb, pe, ke, s] = [w.p[a]!, (w.pe ?? w.p)[a]!, dil(w)[a]! * (w.k[a]! - 1) + 1, w.s[a]!];
    let o = (ceil ? Math.ceil((n + pb + pe - ke) / s) : Math.floor((n + pb + pe - ke) / s)) + 1;
    if (ceil && (o - 1) * s >= n + pb) o--; // PyTorch: no window starts in the right padding
    return o;
  });

/** Grouped, strided, dilated, padded cross-correlation; w: [M, C/g, *k]. */
function conv(x: T, w: T, b: T | undefined, win: Win, g = 1): T {
  const N = x.shape[0]!;
  const sp = x.shape.slice(2);
  const [M, Cg] = w.shape as [number, number];
  const y = tensor([N, M, ...windowOut(win, sp)]);
  each(y.shape, ([n, m, ...o], yi) => {
    const grp = Math.floor(m! / (M / g));
    let acc = b ? b.data[m!]! : 0;
    for (let c = 0; c < Cg; c++)
      each(win.k, (kk, ki) => {
        const pos = o.map((oi, a) => oi * win.s[a]! - win.p[a]! + kk[a]! * dil(win)[a]!);
        if (inside(pos, sp)) acc += x.data[flat(x.shape, [n!, grp * Cg + c, ...pos])]! * w.data[(m! * Cg + c) * size(win.k) + ki]!;
      });
    y.data[yi] = acc;
  });
  return y;
}

/** Transposed convolution as a scatter; w: [C, M/g, *k]; op = output_padding. */
function convT(x: T, w: T, b: T | undefined, win: Win, op: number[], g = 1): T {
  const [N, C] = x.shape as [number, number];
  const Mg = w.shape[1]!;
  const out = x.shape.slice(2).map((n, a) => (n - 1) * win.s[a]! - 2 * win.p[a]! + dil(win)[a]! * (win.k[a]! - 1) + op[a]! + 1);
  const y = tensor([N, Mg * g, ...out]);
  each(y.shape, ([, m], yi) => (y.data[yi] = b ? b.data[m!]! : 0));
  each(x.shape, ([n, c, ...pos], xi) => {
    const grp = Math.floor(c! / (C / g));
    for (let m = 0; m < Mg; m++)
      each(win.k, (kk, ki) => {
        const q = pos.map((p, a) => p * win.s[a]! - win.p[a]! + kk[a]! * dil(win)[a]!);
        if (inside(q, out)) y.data[flat(y.shape, [n!, grp * Mg + m, ...q])]! += x.data[xi]! * w.data[(c! * Mg + m) * size(win.k) + ki]!;
      });
  });
  return y;
}

/** Max/avg pooling with PyTorch's ceil_mode and count_include_pad (divisor: window clipped to the padded input); also the per-plane argmax. */
function pool(x: T, kind: 'max' | 'avg', win: Win, o: { ceil?: boolean; includePad?: boolean; out?: number[] } = {}): [T, T] {
  const sp = x.shape.slice(2);
  const pe = win.pe ?? win.p;
  const y = tensor([...x.shape.slice(0, 2), ...(o.out ?? windowOut(win, sp, o.ceil))]);
  const arg = tensor(y.shape);
  each(y.shape, ([n, c, ...out], yi) => {
    const start = out.map((q, a) => q * win.s[a]! - win.p[a]!);
    let [acc, best, count] = [kind === 'max' ? -Infinity : 0, -1, 0];
    each(win.k, (kk) => {
      const pos = start.map((s0, a) => s0 + kk[a]! * dil(win)[a]!);
      if (!inside(pos, sp)) return;
      const v = x.data[flat(x.shape, [n!, c!, ...pos])]!;
      count++;
      if (kind === 'avg') acc += v;
      else if (v > acc) [acc, best] = [v, flat(sp, pos)];
    });
    const clipped = size(start.map((s0, a) => Math.min(s0 + win.k[a]!, sp[a]! + pe[a]!) - s0));
    y.data[yi] = kind === 'max' ? acc : acc / (o.includePad ? clipped : count);
    arg.data[yi] = best;
  });
  return [y, arg];
}

/** PyTorch adaptive pooling: window i spans [floor(i*in/out), ceil((i+1)*in/out)). */
function adaptive(x: T, kind: 'max' | 'avg', out: number[]): T {
  const sp = x.shape.slice(2);
  const y = tensor([...x.shape.slice(0, 2), ...out]);
  each(y.shape, ([n, c, ...o], yi) => {
    const lo = o.map((i, a) => Math.floor((i * sp[a]!) / out[a]!));
    const ext = o.map((i, a) => Math.ceil(((i + 1) * sp[a]!) / out[a]!) - lo[a]!);
    let acc = kind === 'max' ? -Infinity : 0;
    each(ext, (kk) => {
      const v = x.data[flat(x.shape, [n!, c!, ...lo.map((l, a) => l + kk[a]!)])]!;
      acc = kind === 'max' ? Math.max(acc, v) : acc + v;
    });
    y.data[yi] = kind === 'max' ? acc : acc / size(ext);
  });
  return y;
}

function zeroPad(x: T, begin: number[], end: number[]): T {
  const y = tensor([...x.shape.slice(0, 2), ...x.shape.slice(2).map((n, a) => n + begin[a]! + end[a]!)]);
  each(x.shape, ([n, c, ...pos], xi) => (y.data[flat(y.shape, [n!, c!, ...pos.map((p, a) => p + begin[a]!)])] = x.data[xi]!));
  return y;
}

/** PyTorch F.interpolate, one axis at a time (all its modes are separable). `scales`: the scale_factor if given. */
function interpolate(x: T, out: number[], mode: string, align = false, scales?: number[]): T {
  let cur = x;
  out.forEach((o, a) => {
    const ax = a + 2;
    const n = cur.shape[ax]!;
    const scale = align ? (o > 1 ? (n - 1) / (o - 1) : 0) : scales ? 1 / scales[a]! : n / o;
    const A = -0.75;
    const cc1 = (t: number) => ((A + 2) * t - (A + 3)) * t * t + 1;
    const cc2 = (t: number) => ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
    const clamp = (i: number) => Math.min(Math.max(i, 0), n - 1);
    const taps = (j: number): [number, number][] => {
      if (mode === 'nearest') return [[Math.min(Math.floor(j * scale), n - 1), 1]];
      if (mode === 'nearest-exact') return [[Math.min(Math.floor((j + 0.5) * scale), n - 1), 1]];
      const src = align ? j * scale : (j + 0.5) * scale - 0.5;
      if (mode === 'bicubic') {
        const i0 = Math.floor(src);
        const t = src - i0;
        return [[clamp(i0 - 1), cc2(t + 1)], [clamp(i0), cc1(t)], [clamp(i0 + 1), cc1(1 - t)], [clamp(i0 + 2), cc2(2 - t)]];
      }
      const s = Math.max(src, 0);
      const i0 = Math.floor(s);
      return [[i0, 1 - (s - i0)], [Math.min(i0 + 1, n - 1), s - i0]];
    };
    const next = tensor(cur.shape.map((d, i) => (i === ax ? o : d)));
    each(next.shape, (idx, yi) => {
      let acc = 0;
      for (const [i, wt] of taps(idx[ax]!)) acc += wt * cur.data[flat(cur.shape, idx.map((v, k) => (k === ax ? i : v)))]!;
      next.data[yi] = acc;
    });
    cur = next;
  });
  return cur;
}

// ---- Cases ----
type Params = (name: string) => T | undefined;
interface Case {
  call: string;
  input: (number | string)[];
  /** Concrete input shape for the run (symbolic inputs). */
  run?: number[];
  opset?: number;
  /** onnx shape inference cannot follow sizes computed at run time: only the rank is compared. */
  rankOnly?: boolean;
  ref: (x: T, p: Params) => T[];
}
const r2 = (k: number) => [k, k];
const max1 = (x: T, win: Win, o?: Parameters<typeof pool>[3]) => [pool(x, 'max', win, o)[0]];
const avg1 = (x: T, win: Win, o?: Parameters<typeof pool>[3]) => [pool(x, 'avg', win, { includePad: true, ...o })[0]];

const CASES: Case[] = [
  // depthwise / separable convolution
  { call: 'depthwise_conv2d(3, padding=1)', input: [1, 4, 7, 6], ref: (x, p) => [conv(x, p('weight')!, p('bias'), { k: r2(3), s: r2(1), p: r2(1) }, 4)] },
  { call: 'depthwise_conv2d((3, 2), stride=2, dilation=(2, 1), padding=(2, 0), depth_multiplier=2)', input: [1, 3, 9, 8], ref: (x, p) => [conv(x, p('weight')!, p('bias'), { k: [3, 2], s: r2(2), p: [2, 0], d: [2, 1] }, 3)] },
  {
    call: 'separable_conv2d(5, 3, stride=2, padding=1, depth_multiplier=2)',
    input: [1, 3, 9, 9],
    ref: (x, p) => [conv(conv(x, p('depthwise_weight')!, undefined, { k: r2(3), s: r2(2), p: r2(1) }, 3), p('pointwise_weight')!, p('bias'), { k: r2(1), s: r2(1), p: r2(0) })],
  },
  {
    call: 'separable_conv2d(4, (3, 1), dilation=2, bias=false)',
    input: [1, 2, 8, 5],
    opset: 13,
    ref: (x, p) => [conv(conv(x, p('depthwise_weight')!, undefined, { k: [3, 1], s: r2(1), p: r2(0), d: r2(2) }, 2), p('pointwise_weight')!, undefined, { k: r2(1), s: r2(1), p: r2(0) })],
  },
  // transposed convolution
  { call: 'conv_transpose1d(4, 3, stride=2, padding=1, output_padding=1)', input: [1, 2, 5], ref: (x, p) => [convT(x, p('weight')!, p('bias'), { k: [3], s: [2], p: [1] }, [1])] },
  { call: 'conv_transpose2d(6, (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2)', input: [1, 4, 4, 3], ref: (x, p) => [convT(x, p('weight')!, p('bias'), { k: [3, 2], s: [2, 3], p: [1, 0] }, [1, 2], 2)] },
  { call: 'conv_transpose2d(2, 3, stride=2, dilation=2, output_padding=1, bias=false)', input: [1, 2, 3, 3], opset: 21, ref: (x, p) => [convT(x, p('weight')!, undefined, { k: r2(3), s: r2(2), p: r2(0), d: r2(2) }, r2(1))] },
  { call: 'conv_transpose3d(2, 2, stride=2, padding=(0, 1, 0), groups=2)', input: [1, 2, 2, 3, 2], ref: (x, p) => [convT(x, p('weight')!, p('bias'), { k: [2, 2, 2], s: [2, 2, 2], p: [0, 1, 0] }, [0, 0, 0], 2)] },
  // output_padding ≥ stride (PyTorch allows it below the dilation; ONNX Runtime refuses it): a smaller end pad, and rows
  // past the full output (zeros, then the bias) where the padding is smaller than the output_padding
  { call: 'conv_transpose1d(1, 3, dilation=3, output_padding=2)', input: [1, 1, 5], ref: (x, p) => [convT(x, p('weight')!, p('bias'), { k: [3], s: [1], p: [0], d: [3] }, [2])] },
  { call: 'conv_transpose1d(3, 3, dilation=3, padding=1, output_padding=2)', input: [2, 2, 5], ref: (x, p) => [convT(x, p('weight')!, p('bias'), { k: [3], s: [1], p: [1], d: [3] }, [2])] },
  { call: 'conv_transpose1d(3, 3, dilation=3, padding=2, output_padding=2)', input: [1, 2, 5], ref: (x, p) => [convT(x, p('weight')!, p('bias'), { k: [3], s: [1], p: [2], d: [3] }, [2])] },
  { call: 'conv_transpose2d(4, 3, stride=1, dilation=3, output_padding=2)', input: ['N', 4, 5, 5], run: [2, 4, 5, 5], ref: (x, p) => [convT(x, p('weight')!, p('bias'), { k: r2(3), s: r2(1), p: r2(0), d: r2(3) }, r2(2))] },
  {
    call: 'conv_transpose2d(4, (3, 2), stride=(2, 1), dilation=(1, 4), padding=(1, 1), output_padding=(1, 3), groups=2)',
    input: [1, 2, 4, 3],
    ref: (x, p) => [convT(x, p('weight')!, p('bias'), { k: [3, 2], s: [2, 1], p: [1, 1], d: [1, 4] }, [1, 3], 2)],
  },
  { call: 'conv_transpose3d(2, 2, stride=(1, 2, 1), dilation=(2, 1, 3), output_padding=(1, 1, 2), bias=false)', input: [1, 2, 2, 3, 2], opset: 13, ref: (x, p) => [convT(x, p('weight')!, undefined, { k: [2, 2, 2], s: [1, 2, 1], p: [0, 0, 0], d: [2, 1, 3] }, [1, 1, 2])] },
  // max pooling: ceil_mode adding a window (written as 1) and adding one PyTorch drops (written as 0), dilation, indices
  { call: 'max_pool1d(3, stride=2, padding=1, ceil_mode=true)', input: [1, 2, 10], ref: (x) => max1(x, { k: [3], s: [2], p: [1] }, { ceil: true }) },
  { call: 'max_pool2d(2, stride=2, padding=1, ceil_mode=true)', input: [1, 2, 5, 5], ref: (x) => max1(x, { k: r2(2), s: r2(2), p: r2(1) }, { ceil: true }) },
  { call: 'max_pool2d(3, stride=(2, 1), dilation=(2, 3), padding=2)', input: [1, 2, 9, 10], opset: 13, ref: (x) => max1(x, { k: r2(3), s: [2, 1], p: r2(2), d: [2, 3] }) },
  { call: 'max_pool2d(2, ceil_mode=true, return_indices=true)', input: [2, 2, 5, 7], ref: (x) => pool(x, 'max', { k: r2(2), s: r2(2), p: r2(0) }, { ceil: true }) },
  { call: 'max_pool2d(2, dilation=3, padding=(2, 1), ceil_mode=true)', input: [1, 2, 8, 7], ref: (x) => max1(x, { k: r2(2), s: r2(2), p: [2, 1], d: r2(3) }, { ceil: true }) },
  { call: "max_pool3d((1, 2, 2), padding='same')", input: [1, 2, 3, 5, 4], ref: (x) => max1(x, { k: [1, 2, 2], s: [1, 2, 2], p: [0, 0, 0], pe: [0, 1, 0] }) },
  { call: 'max_pool2d(3, stride=2, padding=1)', input: ['N', 3, 'H', 'W'], run: [2, 3, 7, 8], ref: (x) => max1(x, { k: r2(3), s: r2(2), p: r2(1) }) },
  // average pooling: count_include_pad with a partial ceil_mode window, 'same', dilations from opset 19
  { call: 'avg_pool1d(4, stride=3, padding=2, ceil_mode=true)', input: [1, 2, 11], ref: (x) => avg1(x, { k: [4], s: [3], p: [2] }, { ceil: true }) },
  { call: 'avg_pool2d(3, stride=2, padding=1, ceil_mode=true, count_include_pad=false)', input: [1, 2, 6, 6], ref: (x) => avg1(x, { k: r2(3), s: r2(2), p: r2(1) }, { ceil: true, includePad: false }) },
  { call: "avg_pool2d(2, padding='same', count_include_pad=false)", input: [1, 2, 5, 4], ref: (x) => avg1(x, { k: r2(2), s: r2(2), p: r2(0), pe: [1, 0] }, { includePad: false }) },
  { call: 'avg_pool3d(2, stride=1, padding=1)', input: [1, 1, 3, 2, 3], opset: 19, ref: (x) => avg1(x, { k: [2, 2, 2], s: [1, 1, 1], p: [1, 1, 1] }) },
  { call: 'avg_pool2d(3, stride=2, padding=1, ceil_mode=true)', input: [1, 2, 6, 7], opset: 21, ref: (x) => avg1(x, { k: r2(3), s: r2(2), p: r2(1) }, { ceil: true }) },
  // global and adaptive pooling
  { call: 'global_avg_pool', input: [1, 3, 4, 5], ref: (x) => [adaptive(x, 'avg', [1, 1])] },
  { call: 'global_max_pool(keepdims=false)', input: [1, 3, 4, 5, 2], ref: (x) => [tensor([1, 3], adaptive(x, 'max', [1, 1, 1]).data)] },
  { call: 'global_avg_pool(keepdims=false)', input: ['N', 3, 'H', 'W'], run: [2, 3, 3, 5], ref: (x) => [tensor([2, 3], adaptive(x, 'avg', [1, 1]).data)] },
  { call: 'adaptive_avg_pool2d((2, 3))', input: [1, 2, 6, 9], ref: (x) => [adaptive(x, 'avg', [2, 3])] },
  { call: 'adaptive_max_pool1d(3)', input: [1, 2, 10], ref: (x) => [adaptive(x, 'max', [3])] },
  { call: 'adaptive_avg_pool2d((4, 3))', input: [1, 1, 5, 7], opset: 19, ref: (x) => [adaptive(x, 'avg', [4, 3])] },
  { call: 'adaptive_avg_pool3d(1)', input: ['N', 2, 3, 'H', 5], run: [1, 2, 3, 4, 5], ref: (x) => [adaptive(x, 'avg', [1, 1, 1])] },
  { call: 'adaptive_max_pool2d(2, return_indices=true)', input: [1, 2, 4, 6], ref: (x) => pool(x, 'max', { k: [2, 3], s: [2, 3], p: r2(0) }) },
  // zero padding: PyTorch order (last axis first), Keras symmetric form, opsets with Pad-18/19/21
  { call: 'zero_pad1d((1, 2))', input: [1, 2, 4], ref: (x) => [zeroPad(x, [1], [2])] },
  { call: 'zero_pad2d((1, 2, 0, 3))', input: [1, 2, 3, 4], opset: 18, ref: (x) => [zeroPad(x, [0, 1], [3, 2])] },
  { call: 'zero_pad2d((1, 2))', input: ['N', 2, 3, 'W'], run: [2, 2, 3, 2], opset: 13, ref: (x) => [zeroPad(x, [1, 2], [1, 2])] },
  { call: 'zero_pad3d(1)', input: [1, 1, 2, 2, 3], opset: 21, ref: (x) => [zeroPad(x, [1, 1, 1], [1, 1, 1])] },
  // resizing: scales for scale_factor, sizes for size (full, by axes from opset 18, or from Shape before)
  { call: 'upsample(scale_factor=2)', input: [1, 2, 3, 4], ref: (x) => [interpolate(x, [6, 8], 'nearest', false, [2, 2])] },
  { call: 'upsample(size=(5, 7))', input: [1, 2, 3, 4], ref: (x) => [interpolate(x, [5, 7], 'nearest')] },
  { call: "upsample(size=(5, 3), mode='nearest-exact')", input: [1, 1, 3, 4], opset: 19, ref: (x) => [interpolate(x, [5, 3], 'nearest-exact')] },
  { call: "upsample(scale_factor=1.5, mode='bilinear')", input: [1, 2, 4, 5], ref: (x) => [interpolate(x, [6, 7], 'linear', false, [1.5, 1.5])] },
  // An output of size 1 separates half_pixel (PyTorch) from pytorch_half_pixel (which maps it to 0).
  { call: "upsample(size=(1, 3), mode='bilinear')", input: [1, 1, 4, 5], ref: (x) => [interpolate(x, [1, 3], 'linear')] },
  { call: "upsample(size=(7, 3), mode='bilinear', align_corners=true)", input: [1, 1, 4, 5], ref: (x) => [interpolate(x, [7, 3], 'linear', true)] },
  { call: "upsample(scale_factor=2.5, mode='linear')", input: [1, 2, 5], opset: 13, ref: (x) => [interpolate(x, [12], 'linear', false, [2.5])] },
  { call: "upsample(size=(3, 4, 5), mode='trilinear')", input: [1, 1, 2, 3, 3], ref: (x) => [interpolate(x, [3, 4, 5], 'linear')] },
  { call: "upsample(scale_factor=2, mode='bicubic')", input: [1, 1, 4, 3], ref: (x) => [interpolate(x, [8, 6], 'bicubic', false, [2, 2])] },
  { call: "upsample(size=(5, 2), mode='bicubic', align_corners=true)", input: [1, 1, 3, 4], opset: 21, ref: (x) => [interpolate(x, [5, 2], 'bicubic', true)] },
  { call: "upsample(size=(6, 5), mode='bilinear')", input: ['N', 3, 4, 4], run: [2, 3, 4, 4], ref: (x) => [interpolate(x, [6, 5], 'linear')] },
  // Sizes from Shape/Slice/Concat at run time: onnx 1.12 infers only the rank of the result.
  { call: "upsample(size=(6, 5), mode='bilinear')", input: ['N', 3, 'H', 4], run: [2, 3, 4, 4], rankOnly: true, ref: (x) => [interpolate(x, [6, 5], 'linear')] },
  { call: "upsample(size=(6, 5), mode='bilinear')", input: ['N', 3, 4, 4], run: [2, 3, 4, 4], opset: 18, ref: (x) => [interpolate(x, [6, 5], 'linear')] },
  { call: 'upsample(scale_factor=2)', input: [1, 2, 'H', 'W'], run: [1, 2, 3, 2], ref: (x) => [interpolate(x, [6, 4], 'nearest', false, [2, 2])] },
];

const dir = mkdtempSync(join(tmpdir(), 'dslc-onnx-spatial-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files: { file: string; symbolic: boolean; rankOnly: boolean }[] = [];
const rnd = (n: number, salt: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.618 + salt * 7.3) * 0.5);

function compile(src: string): CheckedModel {
  const r = checkText(src);
  expect(errors(r).map((d) => d.message)).toEqual([]);
  return r.models[0]!;
}
const modelText = (c: Case) => {
  const dims = c.input.map(String).join(', ');
  const multi = /return_indices=true/.test(c.call);
  return `model M(x: [${dims}]) {\n  y = x -> ${c.call}\n  return ${multi ? 'y[0], y[1]' : 'y'}\n}`;
};

describe('ONNX export of spatial ops, run in onnxruntime', () => {
  CASES.forEach((c, ci) =>
    it(`${c.call} on [${c.input.join(', ')}]${c.opset ? ` (opset ${c.opset})` : ''}`, async () => {
      const m = compile(modelText(c));
      const node = m.graph.nodes[0]!;
      // Random biases (fresh ones are zeros) through --weights; the weights are export's own seeded He init.
      const biases = new Map(node.params.filter((p) => !p.name.includes('weight')).map((p, i) => [paramKey(node, p), rnd(size(p.shape), i + 1)]));
      const { result, diagnostics } = exportOnnx(m, { seed: SEED, opset: c.opset, weights: biases });
      expect(diagnostics.map((d) => d.message)).toEqual([]);
      const file = join(dir, `case${ci}.onnx`);
      writeFileSync(file, result!);
      files.push({ file, symbolic: c.run !== undefined, rankOnly: c.rankOnly === true });

      const shape = c.run ?? (c.input as number[]);
      const x = tensor(shape, rnd(size(shape), 0));
      const params: Params = (name) => {
        const p = node.params.find((q) => q.name === name);
        return p && tensor([...p.shape], biases.get(paramKey(node, p)) ?? initParam(m.graph, node, p, 'he', SEED));
      };
      const session = await ort.InferenceSession.create(result!);
      const got = await session.run({ x: new ort.Tensor('float32', x.data, shape) });
      const env = new Map<string, number>();
      m.graph.tensors[m.graph.inputs[0]!.tensor]!.type.shape.forEach((d, i) => isSymbolic(d) && env.set(formatDim(d), shape[i]!));
      const want = c.ref(x, params);
      m.graph.outputs.forEach((port, i) => {
        const y = got[session.outputNames[i]!]!;
        const dslcShape = m.graph.tensors[port.tensor]!.type.shape.map((d) => evaluate(d, env));
        expect(y.dims).toEqual(dslcShape);
        expect(y.dims).toEqual(want[i]!.shape);
        const data = Array.from(y.data as Float32Array | BigInt64Array, Number);
        const bad = data.findIndex((v, j) => !(Math.abs(v - want[i]!.data[j]!) <= 1e-4));
        expect(bad < 0 ? 'ok' : `output ${i}[${bad}]: ${data[bad]} vs reference ${want[i]!.data[bad]}`).toBe('ok');
      });
    }),
  );

  it('reports what ONNX cannot express, with the reason', () => {
    const fails = (input: string, call: string) => {
      const { result, diagnostics } = exportOnnx(compile(modelText({ call, input: input.split(', '), ref: () => [] })));
      expect(result).toBeUndefined();
      return diagnostics.map((d) => d.message).join('\n');
    };
    expect(fails('1, 2, 6, 6', 'avg_pool2d(2, divisor_override=3)')).toMatch(/divisor_override has no ONNX/);
    expect(fails('1, 2, 10', 'adaptive_avg_pool1d(4)')).toMatch(/adaptive windows for L = 10 → 4 vary/);
    expect(fails('1, 2, 3', 'adaptive_max_pool1d(5)')).toMatch(/vary in size or step/);
    expect(fails('1, 2, H, W', 'adaptive_avg_pool2d(2)')).toMatch(/symbolic size H to 2/);
    expect(fails('1, 2, L', 'max_pool1d(2, stride=2, padding=1, ceil_mode=true)')).toMatch(/ceil_mode with a symbolic size L/);
    expect(fails('1, 2, H, W', 'max_pool2d(2, return_indices=true)')).toMatch(/return_indices with a symbolic/);
    // PyTorch: floor(30 × 2.1) = 63 in float64; ONNX Runtime and onnx shape inference compute 62 in float32.
    expect(fails('1, 2, 30', 'upsample(scale_factor=2.1)')).toMatch(/scale_factor 2\.1 is not exact in float32.*\(62, not 63\)/);
  });

  it('passes onnx.checker (full) and strict shape inference, which infers dslc\'s shapes', () => {
    expect(files.length).toBe(CASES.length);
    const out = JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'test/helpers/onnx_check.py'), ...files.map((f) => f.file)], { encoding: 'utf8' })) as {
      max_opset: number;
      files: Record<string, { ok: boolean; error: string | null; opset: number; declared: Record<string, (number | string | null)[]>; shapes: Record<string, (number | string | null)[] | null> }>;
    };
    let checked = 0;
    for (const { file, symbolic, rankOnly } of files) {
      const r = out.files[file]!;
      if (r.opset > out.max_opset) continue; // this onnx cannot check newer opsets (ONNX Runtime ran them above)
      checked++;
      expect({ file, error: r.error }).toEqual({ file, error: null });
      for (const [name, dims] of Object.entries(r.declared)) {
        const inferred = r.shapes[name];
        // Symbolic sizes are expressions dslc names (`floor((H + 1)/2)`); onnx may leave them unknown (null, unk__k).
        const unknown = (v: unknown) => v === null || /^unk__\d+$/.test(String(v));
        const same = inferred?.length === dims.length && dims.every((d, i) => d === inferred[i] || ((rankOnly || (symbolic && typeof d === 'string')) && unknown(inferred[i])));
        expect(same ? 'same' : `${name}: inferred ${JSON.stringify(inferred)}, declared ${JSON.stringify(dims)}`).toBe('same');
      }
    }
    expect(checked).toBeGreaterThan(25);
  });
});
