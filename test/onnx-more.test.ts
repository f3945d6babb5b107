/**
 * ONNX export of group and instance norm, the reductions, slice, sub/div, pixel (un)shuffle and the clamp-like
 * activations: each tiny model runs in onnxruntime against a naive PyTorch-semantics reference written here, and every
 * file passes onnx.checker (full) and strict shape inference with dslc's shapes (harness: helpers/onnx-cases.ts).
 */
import { describe } from 'vitest';
import { type Case, type Params, type T, map, onnxCases, size, tensor } from './helpers/onnx-cases.js';

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
];

describe('ONNX export of the newer norms, reductions, slicing, elementwise and shuffle ops, run in onnxruntime', () => {
  onnxCases(CASES, CASES.length - 3);
});

export { map };
