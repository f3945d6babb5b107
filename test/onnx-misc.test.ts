/**
 * ONNX export of the activations, norms, shape ops, embedding, matmul, recurrent layers and attention: each tiny
 * model runs in onnxruntime and must give dslc's shapes and the values of naive PyTorch-semantics references
 * written here (recurrent ones in PyTorch's gate order on dslc's parameters, which checks the gate reordering);
 * every file also passes onnx.checker (full) and strict shape inference with dslc's shapes.
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../src/lower/onnx/export.js';
import { type Case, type Params, type T, around, compile, map, onnxCases, size, strides, tensor } from './helpers/onnx-cases.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const relu6 = (v: number) => Math.min(Math.max(v, 0), 6);
/** erf to ~1e-12 (series near 0, continued fraction beyond). */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let [term, sum] = [a, a];
    for (let k = 1; k < 60; k++) sum += (term *= (-a * a) / k) / (2 * k + 1);
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let k = 60; k >= 1; k--) f = k / 2 / (a + f);
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f));
}

// ---- References (PyTorch semantics) ----
function softmax(x: T, axis: number, log = false): T {
  const [outer, n, inner] = around(x.shape, axis < 0 ? axis + x.shape.length : axis);
  const y = tensor(x.shape);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * n + j) * inner + i;
      let [mx, sum] = [-Infinity, 0];
      for (let j = 0; j < n; j++) mx = Math.max(mx, x.data[at(j)]!);
      for (let j = 0; j < n; j++) sum += Math.exp(x.data[at(j)]! - mx);
      for (let j = 0; j < n; j++) y.data[at(j)] = log ? x.data[at(j)]! - mx - Math.log(sum) : Math.exp(x.data[at(j)]! - mx) / sum;
    }
  return y;
}
/** Per-channel affine normalisation of [N, C, …] with statistics given, or computed over the batch. */
function batchnorm(x: T, eps: number, p: (n: string) => T | undefined): T {
  const [N, C, S] = [x.shape[0]!, x.shape[1]!, size(x.shape.slice(2))];
  const y = tensor(x.shape);
  for (let c = 0; c < C; c++) {
    const vals = Array.from({ length: N * S }, (_, k) => x.data[(Math.floor(k / S) * C + c) * S + (k % S)]!);
    const mean = p('running_mean')?.data[c] ?? vals.reduce((a, b) => a + b, 0) / vals.length;
    const vr = p('running_var')?.data[c] ?? vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
    for (let n = 0; n < N; n++)
      for (let s = 0; s < S; s++) {
        const i = (n * C + c) * S + s;
        y.data[i] = ((x.data[i]! - mean) / Math.sqrt(vr + eps)) * (p('weight')?.data[c] ?? 1) + (p('bias')?.data[c] ?? 0);
      }
  }
  return y;
}
function layernorm(x: T, k: number, eps: number, p: (n: string) => T | undefined): T {
  const inner = size(x.shape.slice(x.shape.length - k));
  const y = tensor(x.shape);
  for (let r = 0; r < x.data.length / inner; r++) {
    const row = x.data.subarray(r * inner, (r + 1) * inner);
    const mean = row.reduce((a, b) => a + b, 0) / inner;
    const vr = row.reduce((a, b) => a + (b - mean) ** 2, 0) / inner;
    row.forEach((v, j) => (y.data[r * inner + j] = ((v - mean) / Math.sqrt(vr + eps)) * (p('weight')?.data[j] ?? 1) + (p('bias')?.data[j] ?? 0)));
  }
  return y;
}
/** F.local_response_norm: the mean of x² over channels [c − ⌊size/2⌋, c + ⌊(size−1)/2⌋] (zero-padded). */
function lrn(x: T, n: number, alpha: number, beta: number, k: number): T {
  const [, C, inner] = around(x.shape, 1);
  return map(x, (v, i) => {
    const [o, c, s] = [Math.floor(i / (C * inner)), Math.floor(i / inner) % C, i % inner];
    let sum = 0;
    for (let j = Math.max(0, c - Math.floor(n / 2)); j <= Math.min(C - 1, c + Math.floor((n - 1) / 2)); j++) sum += x.data[(o * C + j) * inner + s]! ** 2;
    return v / (k + (alpha * sum) / n) ** beta;
  });
}
function permute(x: T, perm: number[]): T {
  const st = strides(x.shape);
  const ys = perm.map((a) => x.shape[a]!);
  const yst = strides(ys);
  return tensor(ys, Float64Array.from({ length: x.data.length }, (_, i) => x.data[perm.reduce((acc, a, k) => acc + (Math.floor(i / yst[k]!) % ys[k]!) * st[a]!, 0)]!));
}
function concat(xs: T[], axis: number): T {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((a, t) => a + t.shape[axis]!, 0);
  const [outer] = around(shape, axis);
  const parts: number[] = [];
  for (let o = 0; o < outer; o++) for (const t of xs) parts.push(...t.data.subarray((o * t.data.length) / outer, ((o + 1) * t.data.length) / outer));
  return tensor(shape, parts);
}
/** torch.matmul: 1-D operands promoted (and their unit axis dropped), batch axes broadcast. */
function matmul(a: T, b: T): T {
  const as = a.shape.length === 1 ? [1, ...a.shape] : a.shape;
  const bs = b.shape.length === 1 ? [...b.shape, 1] : b.shape;
  const [M, K, Nn] = [as.at(-2)!, as.at(-1)!, bs.at(-1)!];
  const rank = Math.max(as.length, bs.length) - 2;
  const pad = (s: number[]) => [...Array<number>(rank - (s.length - 2)).fill(1), ...s.slice(0, -2)];
  const [ab, bb] = [pad(as), pad(bs)];
  const batch = ab.map((d, i) => Math.max(d, bb[i]!));
  const pick = (bt: number[], i: number) => bt.reduce((acc, d, k) => acc * d + (d === 1 ? 0 : Math.floor(i / size(batch.slice(k + 1))) % batch[k]!), 0);
  const y = tensor([...batch, M, Nn]);
  for (let i = 0; i < size(batch); i++)
    for (let m = 0; m < M; m++)
      for (let n = 0; n < Nn; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += a.data[(pick(ab, i) * M + m) * K + k]! * b.data[(pick(bb, i) * K + k) * Nn + n]!;
        y.data[(i * M + m) * Nn + n] = acc;
      }
  return tensor([...batch, ...(a.shape.length > 1 ? [M] : []), ...(b.shape.length > 1 ? [Nn] : [])], y.data);
}
/** y = x·Wᵀ + b over the last axis. */
const linear = (x: T, w: T, b?: T, rows = w.shape[0]!, off = 0): T => {
  const w2 = tensor([rows, w.shape[1]!], w.data.subarray(off * w.shape[1]!, (off + rows) * w.shape[1]!));
  const y = matmul(x, permute(w2, [1, 0]));
  return b ? map(y, (v, i) => v + b.data[off + (i % rows)]!) : y;
};

type Kind = 'lstm' | 'gru' | 'rnn';
/** nn.LSTM / nn.GRU / nn.RNN, PyTorch gate order (i, f, g, o / r, z, n) on dslc's parameters. */
function recurrent(kind: Kind, x: T, p: (n: string) => T | undefined, o: { h: number; layers?: number; bi?: boolean; bf?: boolean; seq?: boolean; relu?: boolean }): T {
  const [H, dirs, bf] = [o.h, o.bi ? 2 : 1, o.bf ?? true];
  const [N, Tn] = bf ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[0]!];
  let seq = Array.from({ length: Tn }, (_, t) => Array.from({ length: N }, (_, n) => Array.from(x.data.subarray(((bf ? n * Tn + t : t * N + n) * x.shape[2]!), (bf ? n * Tn + t : t * N + n) * x.shape[2]! + x.shape[2]!))));
  let finals: number[][] = [];
  for (let l = 0; l < (o.layers ?? 1); l++) {
    const next = seq.map((row) => row.map(() => [] as number[]));
    finals = Array.from({ length: N }, () => []);
    for (let d = 0; d < dirs; d++) {
      const q = (n: string) => p(`${n}_l${l}${d ? '_reverse' : ''}`);
      const mv = (w: T, v: number[], b?: T) => Array.from({ length: w.shape[0]! }, (_, r) => v.reduce((acc, vi, k) => acc + w.data[r * v.length + k]! * vi, b?.data[r] ?? 0));
      for (let n = 0; n < N; n++) {
        let [h, c] = [Array<number>(H).fill(0), Array<number>(H).fill(0)];
        for (let s = 0; s < Tn; s++) {
          const t = d ? Tn - 1 - s : s;
          const gi = mv(q('weight_ih')!, seq[t]![n]!, q('bias_ih'));
          const gh = mv(q('weight_hh')!, h, q('bias_hh'));
          const g = (k: number, j: number) => gi[k * H + j]! + gh[k * H + j]!;
          if (kind === 'lstm') {
            c = c.map((cj, j) => sigmoid(g(1, j)) * cj + sigmoid(g(0, j)) * Math.tanh(g(2, j)));
            h = c.map((cj, j) => sigmoid(g(3, j)) * Math.tanh(cj));
          } else if (kind === 'gru') h = h.map((hj, j) => { const [r, z] = [sigmoid(g(0, j)), sigmoid(g(1, j))]; return (1 - z) * Math.tanh(gi[2 * H + j]! + r * gh[2 * H + j]!) + z * hj; });
          else h = h.map((_, j) => (o.relu ? Math.max(g(0, j), 0) : Math.tanh(g(0, j))));
          next[t]![n]!.push(...h);
        }
        finals[n]!.push(...h);
      }
    }
    seq = next;
  }
  if (!(o.seq ?? true)) return tensor([N, H * dirs], finals.flat());
  const flat = seq.flat(2);
  const y = tensor([Tn, N, H * dirs], flat);
  return bf ? permute(y, [1, 0, 2]) : y;
}
/** nn.MultiheadAttention (batch first), need_weights=False math. */
function mha(q: T, k: T, v: T, heads: number, p: (n: string) => T | undefined): T {
  const E = q.shape[2]!;
  const d = E / heads;
  const proj = (x: T, i: number) => (p('in_proj_weight') ? linear(x, p('in_proj_weight')!, p('in_proj_bias'), E, i * E) : linear(x, p(`${'qkv'[i]}_proj_weight`)!, p('in_proj_bias') && tensor([E], p('in_proj_bias')!.data.subarray(i * E, (i + 1) * E))));
  const split = (x: T) => permute(tensor([x.shape[0]!, x.shape[1]!, heads, d], x.data), [0, 2, 1, 3]);
  const [qh, kh, vh] = [split(proj(q, 0)), split(proj(k, 1)), split(proj(v, 2))];
  const attn = softmax(map(matmul(qh, permute(kh, [0, 1, 3, 2])), (s) => s / Math.sqrt(d)), -1);
  const merged = permute(matmul(attn, vh), [0, 2, 1, 3]);
  return linear(tensor([q.shape[0]!, q.shape[1]!, E], merged.data), p('out_proj.weight')!, p('out_proj.bias'));
}

// ---- Cases ----
const un = (f: (v: number) => number) => (xs: T[]) => map(xs[0]!, f);
const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
const geluTanh = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
const selu = (v: number) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1));
const prelu = (x: T, w: T) => map(x, (v, i) => (v > 0 ? v : v * w.data[w.data.length === 1 ? 0 : Math.floor(i / size(x.shape.slice(2))) % x.shape[1]!]!));
const rec = (kind: Kind, o: Parameters<typeof recurrent>[3]) => (xs: T[], p: Params) => recurrent(kind, xs[0]!, p, o);

const CASES: Case[] = [
  // activations (×3 so that gelu/selu/elu see their non-linear range)
  { call: 'leaky_relu(0.2)', inputs: [[2, 3, 4]], ref: un((v) => (v > 0 ? v : 0.2 * v)) },
  { call: 'prelu', inputs: [[2, 3, 4]], ref: (xs, p) => prelu(xs[0]!, p('weight')!) },
  { call: 'prelu(3)', inputs: [['N', 3, 2, 2]], run: [[2, 3, 2, 2]], ref: (xs, p) => prelu(xs[0]!, p('weight')!) },
  { call: 'prelu(5)', inputs: [[2, 5]], ref: (xs, p) => prelu(xs[0]!, p('weight')!) },
  { call: 'elu(alpha=0.7)', inputs: [[3, 8]], ref: un((v) => (v > 0 ? v : 0.7 * (Math.exp(v) - 1))) },
  { call: 'selu', inputs: [[3, 8]], ref: un(selu) },
  { call: 'gelu', inputs: [[2, 3, 8]], ref: un(gelu) },
  { call: "gelu(approximate='tanh')", inputs: [[2, 3, 8]], ref: un(geluTanh) },
  { call: 'gelu', inputs: [[2, 3, 8]], opset: 20, ref: un(gelu) },
  { call: "gelu(approximate='tanh')", inputs: [[2, 3, 8]], opset: 21, ref: un(geluTanh) },
  { call: 'sigmoid', inputs: [[2, 9]], ref: un(sigmoid) },
  { call: 'tanh', inputs: [['N', 9]], run: [[3, 9]], ref: un(Math.tanh) },
  { call: 'hard_sigmoid', inputs: [[2, 9]], ref: un((v) => relu6(v + 3) / 6) },
  { call: 'hard_swish', inputs: [[2, 9]], ref: un((v) => (v * relu6(v + 3)) / 6) },
  { call: 'hard_swish', inputs: [[2, 9]], opset: 13, ref: un((v) => (v * relu6(v + 3)) / 6) },
  { call: 'relu6', inputs: [[2, 9]], ref: un(relu6) },
  { call: 'silu', inputs: [[2, 9]], ref: un((v) => v * sigmoid(v)) },
  { call: 'softmax', inputs: [[2, 3, 5]], ref: (xs) => softmax(xs[0]!, -1) },
  { call: 'softmax(axis=1)', inputs: [[2, 3, 5]], opset: 13, ref: (xs) => softmax(xs[0]!, 1) },
  { call: 'log_softmax(dim=0)', inputs: [[4, 3]], ref: (xs) => softmax(xs[0]!, 0, true) },
  // norms
  { call: 'batchnorm2d', inputs: [[2, 3, 2, 3]], ref: (xs, p) => batchnorm(xs[0]!, 1e-5, p) },
  { call: 'batchnorm1d(eps=1e-3, momentum=0.3, affine=false)', inputs: [['N', 4]], run: [[3, 4]], opset: 13, ref: (xs, p) => batchnorm(xs[0]!, 1e-3, p) },
  { call: 'batchnorm(track_running_stats=false)', inputs: [[3, 2, 4]], ref: (xs, p) => batchnorm(xs[0]!, 1e-5, p) },
  { call: 'batchnorm3d(affine=false, track_running_stats=false)', inputs: [[2, 2, 2, 2, 3]], opset: 18, ref: (xs, p) => batchnorm(xs[0]!, 1e-5, p) },
  { call: 'layernorm', inputs: [[2, 3, 6]], ref: (xs, p) => layernorm(xs[0]!, 1, 1e-5, p) },
  { call: 'layernorm((3, 4), eps=1e-3, bias=false)', inputs: [['N', 2, 3, 4]], run: [[2, 2, 3, 4]], ref: (xs, p) => layernorm(xs[0]!, 2, 1e-3, p) },
  { call: 'layernorm((2, 4), elementwise_affine=false)', inputs: [[3, 2, 4]], opset: 18, ref: (xs, p) => layernorm(xs[0]!, 2, 1e-5, p) },
  { call: 'layernorm(elementwise_affine=false)', inputs: [['N', 'D']], run: [[3, 5]], ref: (xs, p) => layernorm(xs[0]!, 1, 1e-5, p) },
  { call: 'lrn(3, alpha=0.5, beta=0.75, k=2.0)', inputs: [[2, 5, 3, 2]], ref: (xs) => lrn(xs[0]!, 3, 0.5, 0.75, 2) },
  { call: 'lrn(5, alpha=0.3)', inputs: [['N', 6, 4]], run: [[2, 6, 4]], ref: (xs) => lrn(xs[0]!, 5, 0.3, 0.75, 1) },
  { call: 'lrn(3, alpha=0.5)', inputs: [[1, 4, 2, 2, 3]], ref: (xs) => lrn(xs[0]!, 3, 0.5, 0.75, 1) },
  { call: 'lrn(4, alpha=0.5, beta=0.5, k=1.5)', inputs: [[2, 6, 2, 2]], opset: 13, ref: (xs) => lrn(xs[0]!, 4, 0.5, 0.5, 1.5) },
  { call: 'lrn(2, alpha=0.9)', inputs: [[1, 5, 3]], ref: (xs) => lrn(xs[0]!, 2, 0.9, 0.75, 1) },
  { call: 'lrn(6, alpha=0.9)', inputs: [[1, 7, 2, 1, 2]], opset: 18, ref: (xs) => lrn(xs[0]!, 6, 0.9, 0.75, 1) },
  // identity, embedding, shape ops, matmul
  { call: 'dropout(0.3)', inputs: [['N', 4]], run: [[2, 4]], ref: (xs) => xs[0]! },
  { call: 'identity', inputs: [[2, 4]], ref: (xs) => xs[0]! },
  { call: 'embedding(10, 4)', inputs: [['N', 3]], run: [[2, 3]], dtype: 'int64', ref: (xs, p) => tensor([...xs[0]!.shape, 4], [...xs[0]!.data].flatMap((i) => [...p('weight')!.data.subarray(i * 4, i * 4 + 4)])) },
  { call: 'embedding(10, 3, padding_idx=0)', inputs: [[2, 2, 2]], dtype: 'int32', ref: (xs, p) => tensor([...xs[0]!.shape, 3], [...xs[0]!.data].flatMap((i) => [...p('weight')!.data.subarray(i * 3, i * 3 + 3)])) },
  { call: 'reshape([2, -1])', inputs: [[2, 3, 4]], ref: (xs) => tensor([2, 12], xs[0]!.data) },
  { call: 'reshape([N, -1])', inputs: [['N', 3, 4]], run: [[2, 3, 4]], ref: (xs) => tensor([2, 12], xs[0]!.data) },
  { call: 'reshape([N, T, 2, 3])', inputs: [['N', 'T', 6]], run: [[2, 3, 6]], ref: (xs) => tensor([2, 3, 2, 3], xs[0]!.data) },
  { call: 'reshape([T, N, 4])', inputs: [['N', 'T', 4]], run: [[2, 3, 4]], ref: (xs) => tensor([3, 2, 4], xs[0]!.data) },
  { call: 'reshape([2*N, 6])', inputs: [['N', 3, 4]], run: [[2, 3, 4]], ref: (xs) => tensor([4, 6], xs[0]!.data) },
  { call: 'flatten(1, 2)', inputs: [[2, 2, 3, 2, 3]], ref: (xs) => tensor([2, 6, 2, 3], xs[0]!.data) },
  // symbolic sizes after the flattened run (channel shuffle at any resolution): read from the input's shape
  { call: 'flatten(1, 2)', inputs: [['N', 2, 3, 'H', 'W']], run: [[2, 2, 3, 2, 3]], ref: (xs) => tensor([2, 6, 2, 3], xs[0]!.data) },
  { call: 'flatten(0, 1)', inputs: [['N', 'T', 4]], run: [[2, 3, 4]], ref: (xs) => tensor([6, 4], xs[0]!.data) },
  { call: 'permute([0, 2, 3, 1])', inputs: [['N', 3, 2, 4]], run: [[2, 3, 2, 4]], ref: (xs) => permute(xs[0]!, [0, 2, 3, 1]) },
  { call: 'permute([-1, 0, 1])', inputs: [[2, 3, 4]], ref: (xs) => permute(xs[0]!, [2, 0, 1]) },
  { call: 'transpose(1, -1)', inputs: [[2, 3, 4]], ref: (xs) => permute(xs[0]!, [0, 2, 1]) },
  { call: 'concat(x1)', inputs: [['N', 2, 3], ['N', 4, 3]], run: [[2, 2, 3], [2, 4, 3]], ref: (xs) => concat(xs, 1) },
  { call: 'concat(x1, x2, axis=-1)', inputs: [[2, 3, 1], [2, 3, 2], [2, 3, 3]], ref: (xs) => concat(xs, 2) },
  { call: 'matmul(x1)', inputs: [[2, 3, 4], [4, 5]], ref: (xs) => matmul(xs[0]!, xs[1]!) },
  { call: 'matmul(x1)', inputs: [[2, 1, 3, 4], [3, 4, 2]], ref: (xs) => matmul(xs[0]!, xs[1]!) },
  { call: 'matmul(x1)', inputs: [['N', 3, 4], [4]], run: [[2, 3, 4], [4]], ref: (xs) => matmul(xs[0]!, xs[1]!) },
  { call: 'matmul(x1)', inputs: [[4], [2, 4, 3]], ref: (xs) => matmul(xs[0]!, xs[1]!) },
  // recurrent layers: gate order, stacking, both directions, final state, time-major input
  { call: 'lstm(4)', inputs: [[2, 5, 3]], ref: rec('lstm', { h: 4 }) },
  { call: 'lstm(3, num_layers=2, bidirectional=true, return_sequences=false)', inputs: [['N', 4, 3]], run: [[2, 4, 3]], ref: rec('lstm', { h: 3, layers: 2, bi: true, seq: false }) },
  { call: 'lstm(3, num_layers=2, bidirectional=true)', inputs: [[2, 4, 3]], opset: 14, ref: rec('lstm', { h: 3, layers: 2, bi: true }) },
  { call: 'lstm(3, num_layers=3, batch_first=false, bias=false, return_sequences=false)', inputs: [[4, 2, 3]], opset: 13, ref: rec('lstm', { h: 3, layers: 3, bf: false, seq: false }) },
  { call: 'gru(4)', inputs: [[2, 5, 3]], ref: rec('gru', { h: 4 }) },
  { call: 'gru(3, num_layers=2, bidirectional=true, return_sequences=false)', inputs: [[2, 4, 3]], ref: rec('gru', { h: 3, layers: 2, bi: true, seq: false }) },
  { call: 'gru(3, num_layers=2, bidirectional=true, batch_first=false)', inputs: [['T', 2, 3]], run: [[4, 2, 3]], opset: 18, ref: rec('gru', { h: 3, layers: 2, bi: true, bf: false }) },
  { call: 'rnn(4, bidirectional=true)', inputs: [[2, 5, 3]], ref: rec('rnn', { h: 4, bi: true }) },
  { call: "rnn(4, nonlinearity='relu', bidirectional=true)", inputs: [[2, 5, 3]], ref: rec('rnn', { h: 4, bi: true, relu: true }) },
  { call: 'rnn(3, num_layers=2, return_sequences=false)', inputs: [['N', 4, 3]], run: [[2, 4, 3]], ref: rec('rnn', { h: 3, layers: 2, seq: false }) },
  // attention
  { call: 'mha(8, 2)', inputs: [[2, 3, 8]], ref: (xs, p) => mha(xs[0]!, xs[0]!, xs[0]!, 2, p) },
  { call: 'mha(x1, embed_dim=8, num_heads=4, kdim=6, vdim=6)', inputs: [['N', 3, 8], ['N', 5, 6]], run: [[2, 3, 8], [2, 5, 6]], ref: (xs, p) => mha(xs[0]!, xs[1]!, xs[1]!, 4, p) },
  { call: 'mha(x1, x2, embed_dim=6, num_heads=3, bias=false, batch_first=false)', inputs: [[3, 2, 6], [4, 2, 6], [4, 2, 6]], ref: (xs, p) => { const bf = (t: T) => permute(t, [1, 0, 2]); return bf(mha(bf(xs[0]!), bf(xs[1]!), bf(xs[2]!), 3, p)); } },
];

describe('ONNX export of activations, norms, shape, recurrent and attention ops, run in onnxruntime', () => {
  onnxCases(CASES, 50);

  it('reports what it cannot export, with the reason', () => {
    const fails = (input: string, call: string, opset?: number) => {
      const { result, diagnostics } = exportOnnx(compile(`model M(x: [${input}]) {\n  y = x -> ${call}\n  return y\n}`), { opset });
      expect(result).toBeUndefined();
      return diagnostics.map((d) => `${d.message} ${d.hint ?? ''}`).join('\n');
    };
    expect(fails('2, 3, 4', 'layernorm', 13)).toMatch(/cannot be exported at opset 13: LayerNormalization needs opset 17 available from opset 17/);
    expect(fails('N, T, 4', 'reshape([2*N, 2*T])')).toMatch(/two sizes \(2\*N and 2\*T\) that are not sizes of the input/);
  });
});
