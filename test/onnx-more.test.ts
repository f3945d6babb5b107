/**
 * ONNX export of group and instance norm, the reductions, slice, sub/div, pixel (un)shuffle and the clamp-like
 * activations: each tiny model runs in onnxruntime against a naive PyTorch-semantics reference written here, and every
 * file passes onnx.checker (full) and strict shape inference with dslc's shapes (harness: helpers/onnx-cases.ts).
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../src/lower/onnx/export.js';
import { type Case, type Params, type T, compile, map, onnxCases, size, tensor } from './helpers/onnx-cases.js';

// ---- References (PyTorch semantics) ----
/** F.group_norm: statistics per (sample, group) over the group's channels and all positions; affine per channel. */
function groupNorm(x: T, g: number, eps: number, p: Params): T {
  const [N, C, S] = [x.shape[0]!, x.shape[1]!, size(x.shape.slice(2))];
  const len = (C / g) * S;
  const y = tensor(x.shape);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < g; k++) {
      const from = (n * g + k) * len;
      const part = x.data.subarray(from, from + len);
      const mean = part.reduce((a, b) => a + b, 0) / len;
      const vr = part.reduce((a, b) => a + (b - mean) ** 2, 0) / len;
      part.forEach((v, j) => {
        const c = Math.floor((from + j) / S) % C;
        y.data[from + j] = ((v - mean) / Math.sqrt(vr + eps)) * (p('weight')?.data[c] ?? 1) + (p('bias')?.data[c] ?? 0);
      });
    }
  return y;
}
/** F.instance_norm, eval mode: running statistics when given, else each (sample, channel)'s own. */
function instanceNorm(x: T, eps: number, p: Params): T {
  const [C, S] = [x.shape[1]!, size(x.shape.slice(2))];
  const y = tensor(x.shape);
  for (let r = 0; r < x.data.length / S; r++) {
    const c = r % C;
    const row = x.data.subarray(r * S, (r + 1) * S);
    const mean = p('running_mean')?.data[c] ?? row.reduce((a, b) => a + b, 0) / S;
    const vr = p('running_var')?.data[c] ?? row.reduce((a, b) => a + (b - mean) ** 2, 0) / S;
    row.forEach((v, j) => (y.data[r * S + j] = ((v - mean) / Math.sqrt(vr + eps)) * (p('weight')?.data[c] ?? 1) + (p('bias')?.data[c] ?? 0)));
  }
  return y;
}

/** torch.mean / sum / amax over `axes` (normalised), keeping them as 1 or dropping them. */
function reduce(x: T, axes: number[], keep: boolean, kind: 'mean' | 'sum' | 'max'): T {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const y = tensor(kept, new Float64Array(size(kept)).fill(kind === 'max' ? -Infinity : 0));
  const n = size(axes.map((a) => x.shape[a]!));
  x.data.forEach((v, i) => {
    let [rest, at] = [i, 0];
    for (let a = x.shape.length - 1, st = 1; a >= 0; st *= kept[a]!, a--) {
      if (!axes.includes(a)) at += (rest % x.shape[a]!) * st;
      rest = Math.floor(rest / x.shape[a]!);
    }
    y.data[at] = kind === 'max' ? Math.max(y.data[at]!, v) : y.data[at]! + (kind === 'mean' ? v / n : v);
  });
  return keep ? y : tensor(x.shape.filter((_, i) => !axes.includes(i)), y.data);
}

/** x[..., start:end:step] along `axis` with Python's clamping (positive step). */
function slice(x: T, axis: number, start: number, end: number | null, step = 1): T {
  const d = x.shape[axis]!;
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + d : i, 0), d);
  const [s, e] = [clamp(start), end === null ? d : clamp(end)];
  const kept = Array.from({ length: Math.max(0, Math.ceil((e - s) / step)) }, (_, k) => s + k * step);
  const inner = size(x.shape.slice(axis + 1));
  const out: number[] = [];
  for (let o = 0; o < size(x.shape.slice(0, axis)); o++) for (const j of kept) out.push(...x.data.subarray((o * d + j) * inner, (o * d + j + 1) * inner));
  return tensor(x.shape.map((n, i) => (i === axis ? kept.length : n)), out);
}

/** F.pixel_shuffle (inverse: F.pixel_unshuffle): input channel c·r² + i·r + j ↔ pixel (i, j) of each r×r block of channel c. */
function pixelShuffle(x: T, r: number, inverse = false): T {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const big = inverse ? [N, C, H, W] : [N, C / (r * r), H * r, W * r];
  const small = inverse ? [N, C * r * r, H / r, W / r] : [N, C, H, W];
  const y = tensor(inverse ? small : big);
  const [c, h, w] = [big[1]!, big[2]!, big[3]!];
  for (let n = 0; n < N; n++)
    for (let k = 0; k < c; k++)
      for (let yy = 0; yy < h; yy++)
        for (let xx = 0; xx < w; xx++) {
          const at = ((n * c + k) * h + yy) * w + xx;
          const from = ((n * small[1]! + k * r * r + (yy % r) * r + (xx % r)) * small[2]! + Math.floor(yy / r)) * small[3]! + Math.floor(xx / r);
          if (inverse) y.data[from] = x.data[at]!;
          else y.data[at] = x.data[from]!;
        }
  return y;
}

/** ViT's token ops: torch.cat([class_token.expand(N, -1, -1), x], 1), and x + pos_embedding (broadcast over N). */
function classToken(x: T, p: Params): T {
  const [n, t, d] = x.shape as [number, number, number];
  const tok = p('class_token')!.data;
  const y = tensor([n, t + 1, d]);
  for (let b = 0; b < n; b++) {
    y.data.set(tok, b * (t + 1) * d);
    y.data.set(x.data.subarray(b * t * d, (b + 1) * t * d), (b * (t + 1) + 1) * d);
  }
  return y;
}
const positionEmbedding = (x: T, p: Params): T => map(x, (v, i) => v + p('pos_embedding')!.data[i % (x.shape[1]! * x.shape[2]!)]!);

const softplus = (v: number, beta = 1, threshold = 20) => (beta * v > threshold ? v : Math.log1p(Math.exp(beta * v)) / beta);
const un = (f: (v: number) => number) => (xs: T[]) => map(xs[0]!, f);

const CASES: Case[] = [
  // norms
  { call: 'group_norm(2)', inputs: [[2, 4, 3, 2]], ref: (xs, p) => groupNorm(xs[0]!, 2, 1e-5, p) },
  { call: 'group_norm(3, 6, eps=1e-3, affine=false)', inputs: [['N', 6, 'L']], run: [[2, 6, 5]], ref: (xs, p) => groupNorm(xs[0]!, 3, 1e-3, p) },
  { call: 'group_norm(1)', inputs: [['N', 4, 3, 3]], run: [[3, 4, 3, 3]], opset: 21, ref: (xs, p) => groupNorm(xs[0]!, 1, 1e-5, p) },
  { call: 'group_norm(2)', inputs: [[3, 6]], opset: 13, ref: (xs, p) => groupNorm(xs[0]!, 2, 1e-5, p) },
  { call: 'group_norm(4)', inputs: [[1, 4, 2, 2, 3]], ref: (xs, p) => groupNorm(xs[0]!, 4, 1e-5, p) },
  { call: 'instance_norm2d', inputs: [[2, 3, 4, 3]], ref: (xs, p) => instanceNorm(xs[0]!, 1e-5, p) },
  { call: 'instance_norm1d(affine=true, eps=1e-3)', inputs: [['N', 3, 'L']], run: [[2, 3, 6]], opset: 13, ref: (xs, p) => instanceNorm(xs[0]!, 1e-3, p) },
  { call: 'instance_norm', inputs: [['N', 'C', 5]], run: [[2, 3, 5]], ref: (xs, p) => instanceNorm(xs[0]!, 1e-5, p) },
  { call: 'instance_norm3d(affine=true, track_running_stats=true)', inputs: [[2, 2, 2, 3, 2]], opset: 18, ref: (xs, p) => instanceNorm(xs[0]!, 1e-5, p) },
  { call: 'instance_norm2d(track_running_stats=true)', inputs: [[2, 3, 2, 2]], ref: (xs, p) => instanceNorm(xs[0]!, 1e-5, p) },
  // reductions: axes as an attribute (ReduceMean/Max before 18, ReduceSum before 13) and as an input
  { call: 'reduce_mean((2, 3))', inputs: [[2, 3, 4, 5]], ref: (xs) => reduce(xs[0]!, [2, 3], false, 'mean') },
  { call: 'reduce_mean(1, keepdims=true)', inputs: [['N', 'T', 6]], run: [[2, 4, 6]], opset: 17, ref: (xs) => reduce(xs[0]!, [1], true, 'mean') },
  { call: 'mean(-1)', inputs: [[3, 4]], opset: 18, ref: (xs) => reduce(xs[0]!, [1], false, 'mean') },
  { call: 'reduce_sum((0, -1), keepdims=true)', inputs: [[2, 3, 4]], opset: 13, ref: (xs) => reduce(xs[0]!, [0, 2], true, 'sum') },
  { call: 'reduce_sum(1)', inputs: [['N', 5, 3]], run: [[2, 5, 3]], ref: (xs) => reduce(xs[0]!, [1], false, 'sum') },
  { call: 'reduce_sum(1)', inputs: [[2, 5, 3]], dtype: 'int64', ref: (xs) => reduce(xs[0]!, [1], false, 'sum') },
  { call: 'reduce_max(1)', inputs: [[2, 5, 3]], ref: (xs) => reduce(xs[0]!, [1], false, 'max') },
  { call: 'amax((2, 3), keepdims=true)', inputs: [[1, 2, 3, 4]], opset: 18, ref: (xs) => reduce(xs[0]!, [2, 3], true, 'max') },
  { call: 'reduce_max(-2)', inputs: [['N', 4, 'W']], run: [[2, 4, 3]], opset: 13, ref: (xs) => reduce(xs[0]!, [1], false, 'max') },
  // slice: Python bounds, clamping, steps, symbolic axes
  { call: 'slice(2, 1, 5)', inputs: [[1, 3, 8, 6]], ref: (xs) => slice(xs[0]!, 2, 1, 5) },
  { call: 'slice(-1, -4, none, 2)', inputs: [[2, 3, 7]], ref: (xs) => slice(xs[0]!, 2, -4, null, 2) },
  { call: 'slice(1, 1, -1)', inputs: [['N', 'T', 4]], run: [[2, 6, 4]], ref: (xs) => slice(xs[0]!, 1, 1, -1) },
  { call: 'slice(1, 2, 100, 3)', inputs: [['N', 9]], run: [[2, 9]], opset: 13, ref: (xs) => slice(xs[0]!, 1, 2, 100, 3) },
  { call: 'slice(0, -2)', inputs: [[5, 3]], dtype: 'int64', ref: (xs) => slice(xs[0]!, 0, -2, null) },
  // sub and div, broadcasting and folded left over three inputs
  { call: 'sub(x1)', inputs: [['N', 3, 4], [3, 1]], run: [[2, 3, 4], [3, 1]], ref: (xs) => map(xs[0]!, (v, i) => v - xs[1]!.data[Math.floor(i / 4) % 3]!) },
  { call: 'sub(x1, x2)', inputs: [[2, 3], [2, 3], [3]], ref: (xs) => map(xs[0]!, (v, i) => v - xs[1]!.data[i]! - xs[2]!.data[i % 3]!) },
  { call: 'div(x1)', inputs: [[2, 3, 4], [4]], ref: (xs) => map(xs[0]!, (v, i) => v / xs[1]!.data[i % 4]!) },
  { call: 'div(x1, x2)', inputs: [[2, 5], [2, 5], [1]], ref: (xs) => map(xs[0]!, (v, i) => v / xs[1]!.data[i]! / xs[2]!.data[0]!) },
  // pixel (un)shuffle: DepthToSpace CRD; SpaceToDepth then a channel Gather
  { call: 'pixel_shuffle(2)', inputs: [[2, 8, 3, 2]], ref: (xs) => pixelShuffle(xs[0]!, 2) },
  { call: 'pixel_shuffle(3)', inputs: [['N', 9, 'H', 'W']], run: [[2, 9, 2, 3]], opset: 13, ref: (xs) => pixelShuffle(xs[0]!, 3) },
  { call: 'pixel_unshuffle(2)', inputs: [[2, 3, 4, 6]], ref: (xs) => pixelShuffle(xs[0]!, 2, true) },
  { call: 'pixel_unshuffle(3)', inputs: [['N', 2, 9, 6]], run: [[2, 2, 9, 6]], opset: 18, ref: (xs) => pixelShuffle(xs[0]!, 3, true) },
  // ViT's learned class token and position embedding (symbolic batch: Shape → Gather → Expand)
  { call: 'class_token', inputs: [[2, 3, 4]], ref: (xs, p) => classToken(xs[0]!, p) },
  { call: 'class_token(4)', inputs: [['N', 'T', 4]], run: [[3, 5, 4]], opset: 13, ref: (xs, p) => classToken(xs[0]!, p) },
  { call: 'position_embedding', inputs: [[2, 3, 4]], ref: (xs, p) => positionEmbedding(xs[0]!, p) },
  { call: 'pos_embedding(5, 4)', inputs: [['N', 5, 4]], run: [[2, 5, 4]], opset: 13, ref: (xs, p) => positionEmbedding(xs[0]!, p) },
  // activations: softplus's β and threshold (β·x reaches ±120 here), mish before and from opset 18, clamps
  { call: 'softplus', inputs: [[2, 9]], ref: un((v) => softplus(v)) },
  { call: 'softplus(beta=40)', inputs: [[2, 9]], ref: un((v) => softplus(v, 40)) },
  { call: 'softplus(beta=0.5, threshold=1)', inputs: [['N', 9]], run: [[3, 9]], ref: un((v) => softplus(v, 0.5, 1)) },
  { call: 'softplus(threshold=1.5)', inputs: [[2, 9]], opset: 13, ref: un((v) => softplus(v, 1, 1.5)) },
  { call: 'mish', inputs: [[2, 9]], ref: un((v) => v * Math.tanh(softplus(v))) },
  { call: 'mish', inputs: [[2, 9]], opset: 18, ref: un((v) => v * Math.tanh(softplus(v))) },
  { call: 'hardtanh', inputs: [[2, 9]], ref: un((v) => Math.min(Math.max(v, -1), 1)) },
  { call: 'hardtanh(-2.5, max_val=0.5)', inputs: [[2, 9]], opset: 13, ref: un((v) => Math.min(Math.max(v, -2.5), 0.5)) },
  { call: 'clamp(min=0.5)', inputs: [[2, 9]], ref: un((v) => Math.max(v, 0.5)) },
  { call: 'clamp(max=-1)', inputs: [['N', 9]], run: [[2, 9]], ref: un((v) => Math.min(v, -1)) },
  { call: 'clip(-1, 2)', inputs: [[2, 9]], opset: 21, ref: un((v) => Math.min(Math.max(v, -1), 2)) },
];

describe('ONNX export of the newer norms, reductions, slicing, elementwise and shuffle ops, run in onnxruntime', () => {
  // (The checker's onnx 1.12 knows opsets up to 17: later ones only run in onnxruntime.)
  onnxCases(CASES, CASES.filter((c) => (c.opset ?? 17) <= 17).length - 1);

  it('reports what it cannot export, with the reason', () => {
    const { result, diagnostics } = exportOnnx(compile('model M(x: [N, C, 4, 4]) {\n  y = x -> pixel_unshuffle(2)\n  return y\n}'));
    expect(result).toBeUndefined();
    expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/the channel order needs a concrete channel count, not C/);
  });
});

