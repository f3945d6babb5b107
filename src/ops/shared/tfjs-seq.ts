/**
 * TensorFlow.js lowerings of the sequence ops: recurrent layers unrolled over the (concrete) time steps, and
 * multi-head attention. PyTorch semantics and parameter layouts (gate order i,f,g,o for LSTM, r,z,n for GRU).
 */
import type { TfjsLowerContext } from '../tfjs-types.js';
import { int32, linear, reshape, transpose } from './tfjs.js';
import { attentionGeometry } from './attention.js';

const gateSum = (a: Float32Array, b: Float32Array | undefined, from = 0, to = a.length): Float32Array => a.map((v, i) => (b && i >= from && i < to ? v + b[i]! : v));

/**
 * LSTM/GRU/RNN, unrolled: the input projection of every step is one MatMul (with the biases that can be folded
 * into it), then per step a MatMul with the recurrent weights and the gate arithmetic. The sequence length is
 * concrete here (the lowering specialises sizes), so the graph has T steps per layer and direction.
 */
export function recurrent(ctx: TfjsLowerContext, kind: 'lstm' | 'gru' | 'rnn'): void {
  const a = ctx.attrs;
  const g = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
  const h = a.hidden_size as number;
  const layers = a.num_layers as number;
  const dirs = a.bidirectional ? 2 : 1;
  const batchFirst = a.batch_first as boolean;
  const [d0, d1, f] = ctx.inputTypes[0]!.shape as [number, number, number];
  const [n, t] = batchFirst ? [d0, d1] : [d1, d0];
  let seq = ctx.input(0, 'nchw');
  if (!batchFirst) seq = transpose(ctx, seq, [1, 0, 2]);
  let inF = f;
  let finals: string[] = [];
  const axis1 = () => int32(ctx, 'axis', [1], []);
  for (let l = 0; l < layers; l++) {
    const last = l === layers - 1;
    const outs: string[] = [];
    finals = [];
    for (let d = 0; d < dirs; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const bih = a.bias ? ctx.param(`bias_ih${sfx}`) : undefined;
      const bhh = a.bias ? ctx.param(`bias_hh${sfx}`) : undefined;
      // GRU keeps b_hn inside the reset product; every other recurrent bias joins the input projection.
      const foldTo = kind === 'gru' ? 2 * h : g * h;
      const xb = bih ? gateSum(bih, bhh, 0, foldTo) : bhh ? gateSum(new Float32Array(g * h), bhh, 0, foldTo) : undefined;
      const xw = reshape(ctx, linear(ctx, reshape(ctx, seq, [n * t, inF]), ctx.param(`weight_ih${sfx}`), g * h, inF, xb, `weight_ih${sfx}`), [n, t, g * h]);
      const steps = ctx.node('Unpack', [xw], { num: t, axis: 1 });
      const whh = ctx.param(`weight_hh${sfx}`);
      const whhT = ctx.constant(`weight_hh${sfx}_t`, Float32Array.from({ length: g * h * h }, (_, k) => whh[(k % (g * h)) * h + Math.floor(k / (g * h))]!), [h, g * h]);
      const bhn = kind === 'gru' && bhh ? ctx.constant(`bias_hn${sfx}`, bhh.slice(2 * h), [h]) : undefined;
      let hPrev: string | undefined;
      let cPrev: string | undefined;
      const hs: string[] = new Array<string>(t);
      for (let k = 0; k < t; k++) {
        const step = d === 0 ? k : t - 1 - k;
        const xt = step ? `${steps}:${step}` : steps;
        const rec = hPrev ? ctx.node('MatMul', [hPrev, whhT]) : undefined;
        if (kind === 'rnn') {
          const z = rec ? ctx.node('AddV2', [xt, rec]) : xt;
          hPrev = ctx.node(a.nonlinearity === 'relu' ? 'Relu' : 'Tanh', [z]);
        } else if (kind === 'lstm') {
          const z = rec ? ctx.node('AddV2', [xt, rec]) : xt;
          const s = ctx.node('Split', [axis1(), z], { num_split: 4 });
          const [i, fg, gg, o] = [ctx.node('Sigmoid', [s]), ctx.node('Sigmoid', [`${s}:1`]), ctx.node('Tanh', [`${s}:2`]), ctx.node('Sigmoid', [`${s}:3`])];
          const ig = ctx.node('Mul', [i, gg]);
          cPrev = cPrev ? ctx.node('AddV2', [ctx.node('Mul', [fg, cPrev]), ig]) : ig;
          hPrev = ctx.node('Mul', [o, ctx.node('Tanh', [cPrev])]);
        } else {
          const xs = ctx.node('Split', [axis1(), xt], { num_split: 3 });
          const hsplit = rec ? ctx.node('Split', [axis1(), rec], { num_split: 3 }) : undefined;
          const r = ctx.node('Sigmoid', [hsplit ? ctx.node('AddV2', [xs, hsplit]) : xs]);
          const z = ctx.node('Sigmoid', [hsplit ? ctx.node('AddV2', [`${xs}:1`, `${hsplit}:1`]) : `${xs}:1`]);
          const hn = hsplit ? (bhn ? ctx.node('AddV2', [`${hsplit}:2`, bhn]) : `${hsplit}:2`) : bhn;
          const nn = ctx.node('Tanh', [hn ? ctx.node('AddV2', [`${xs}:2`, ctx.node('Mul', [r, hn])]) : `${xs}:2`]);
          // h = (1 − z)·n + z·h_prev = n + z·(h_prev − n); h_prev = 0 at the first step.
          hPrev = hPrev ? ctx.node('AddV2', [nn, ctx.node('Mul', [z, ctx.node('Sub', [hPrev, nn])])]) : ctx.node('Sub', [nn, ctx.node('Mul', [z, nn])]);
        }
        hs[step] = hPrev;
      }
      finals.push(hPrev!);
      if (!last || a.return_sequences) outs.push(ctx.node('Pack', hs, { axis: 1, N: t }));
    }
    inF = h * dirs;
    if (outs.length) seq = dirs === 1 ? outs[0]! : ctx.node('ConcatV2', [...outs, int32(ctx, 'axis', [2], [])], { N: 2 });
  }
  if (!a.return_sequences) return ctx.output(0, dirs === 1 ? finals[0]! : ctx.node('ConcatV2', [...finals, int32(ctx, 'axis', [1], [])], { N: 2 }), 'nchw');
  ctx.output(0, batchFirst ? seq : transpose(ctx, seq, [1, 0, 2]), 'nchw');
}

/**
 * `a · scale` as a new array, or `a` itself when the scale is 1 (a weight is only read when its transposed constant
 * is made; a bias is passed a copy of its own, which the fusion pass may rewrite): copying every projection through
 * `TypedArray.map` cost ViT-B/16 ~0.4 s at load.
 */
function scaled(a: Float32Array, scale: number): Float32Array {
  if (scale === 1) return a;
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * scale;
  return out;
}

/** `multihead_attention`: projections as dense products, scaled dot-product attention per head with BatchMatMulV2. */
export function attention(ctx: TfjsLowerContext): void {
  const { E, heads, d, bias, batchFirst: bf, at, packed } = attentionGeometry(ctx.attrs, ctx.inputTypes);
  const types = ctx.inputTypes;
  const seen = new Map<number, string>();
  const batchFirst = (i: number) => {
    if (!seen.has(i)) seen.set(i, bf ? ctx.input(i, 'nchw') : transpose(ctx, ctx.input(i, 'nchw'), [1, 0, 2]));
    return seen.get(i)!;
  };
  const dims = (i: number) => {
    const s = types[i]!.shape;
    return bf ? [s[0]!, s[1]!, s[2]!] : [s[1]!, s[0]!, s[2]!];
  };
  // A projection's weight [E, in] and bias [E], the query's scaled by 1/√d (made once per projection).
  const made = new Map<number, { w: Float32Array; b?: Float32Array }>();
  const weightsOf = (which: number) => {
    let r = made.get(which);
    if (!r) {
      const scale = which === 0 ? 1 / Math.sqrt(d) : 1;
      const name = 'qkv'[which]!;
      const w = scaled(packed ? ctx.param('in_proj_weight').subarray(which * E * E, (which + 1) * E * E) : ctx.param(`${name}_proj_weight`), scale);
      made.set(which, (r = { w, b: bias ? scaled(ctx.param('in_proj_bias').slice(which * E, (which + 1) * E), scale) : undefined }));
    }
    return r;
  };
  const flat = (i: number) => {
    const [n, len, inDim] = dims(i);
    return reshape(ctx, batchFirst(i), [n * len, inDim]);
  };
  const [n, tq] = dims(0);
  let merged: string;
  if (ctx.backend === 'wasm') merged = attentionPerHead(ctx, { n, tq, s: dims(at(1))[1]!, E, heads, d }, (which, h) => {
    // Head h's rows of the projection: [N·L, in] · W_hᵀ + b_h → [N·L, d].
    const i = at(which);
    const inDim = dims(i)[2]!;
    const { w, b } = weightsOf(which);
    return linear(ctx, flat(i), w.subarray(h * d * inDim, (h + 1) * d * inDim), d, inDim, b?.slice(h * d, (h + 1) * d), `${'qkv'[which]}_proj_h${h}`);
  });
  else {
    const project = (which: number, perm: number[]) => {
      const i = at(which);
      const [n, len, inDim] = dims(i);
      const { w, b } = weightsOf(which);
      return transpose(ctx, reshape(ctx, linear(ctx, flat(i), w, E, inDim, b, `${'qkv'[which]}_proj`), [n, len, heads, d]), perm);
    };
    const q = project(0, [0, 2, 1, 3]); // [N, heads, T, d]
    const k = project(1, [0, 2, 1, 3]); // [N, heads, S, d]
    const v = project(2, [0, 2, 1, 3]);
    const weights = ctx.node('Softmax', [ctx.node('BatchMatMulV2', [q, k], { adj_y: true })]);
    merged = reshape(ctx, transpose(ctx, ctx.node('BatchMatMulV2', [weights, v]), [0, 2, 1, 3]), [n * tq, E]);
  }
  const y = reshape(ctx, linear(ctx, merged, ctx.param('out_proj.weight'), E, E, bias ? ctx.param('out_proj.bias') : undefined, 'out_proj'), [n, tq, E]);
  ctx.output(0, bf ? y : transpose(ctx, y, [1, 0, 2]), 'nchw');
}

/**
 * Attention for the wasm backend, whose BatchMatMul hands XNNPACK only a product of two plain matrices (batch 1,
 * neither operand transposed) and runs a naive loop otherwise, ~5× slower (ViT-B/16: 1.2 s of a 3.6 s prediction);
 * splitting the heads apart after the projection costs as much again (its Slice copies the whole input per piece).
 * So each head is projected on its own (`project(which, h)`: [N·L, d]), each sample's rows taken apart only when
 * N > 1, and every product is a 2-D MatMul (Kᵀ by a Transpose). Returns the heads side by side, [N·T, E].
 */
function attentionPerHead(ctx: TfjsLowerContext, g: { n: number; tq: number; s: number; E: number; heads: number; d: number }, project: (which: number, h: number) => string): string {
  const { n, tq, s, heads, d } = g;
  const samples = (x: string, len: number): string[] => {
    if (n === 1) return [x];
    const u = ctx.node('Unpack', [reshape(ctx, x, [n, len, d])], { num: n, axis: 0 });
    return Array.from({ length: n }, (_, j) => (j === 0 ? u : `${u}:${j}`));
  };
  const rows: string[][] = Array.from({ length: n }, () => []);
  for (let h = 0; h < heads; h++) {
    const q = samples(project(0, h), tq);
    const k = samples(project(1, h), s);
    const v = samples(project(2, h), s);
    for (let j = 0; j < n; j++) rows[j]!.push(ctx.node('MatMul', [ctx.node('Softmax', [ctx.node('MatMul', [q[j]!, transpose(ctx, k[j]!, [1, 0])])]), v[j]!]));
  }
  const concat = (xs: string[], axis: number) => (xs.length === 1 ? xs[0]! : ctx.node('ConcatV2', [...xs, int32(ctx, 'axis', [axis], [])], { N: xs.length }));
  return concat(rows.map((r) => concat(r, 1)), 0);
}
