/** `multihead_attention`: PyTorch `nn.MultiheadAttention`. */
import { type Dim, add, compareDims, formatDim, mul } from '../../symbolic/dim.js';
import type { OpDef, ParamSpec, TensorType } from '../types.js';
import { fmtShape, onnxBinary, onnxReshape, onnxTranspose } from '../shared/axes.js';
import { transpose2d } from '../shared/onnx-helpers.js';
import { attention } from '../shared/tfjs-seq.js';
import { attentionGeometry } from '../shared/attention.js';

export const op: OpDef = {
  name: 'multihead_attention',
  aliases: ['mha'],
  category: 'attention',
  doc:
    'Multi-head scaled dot-product attention with input and output projections (PyTorch `nn.MultiheadAttention`). With one input it is ' +
    'self-attention on `x: [N, T, E]`; an optional second input is the key `[N, S, kdim]` and an optional third the value `[N, S, vdim]` ' +
    '(the key is also used as the value when only two are given): `x -> mha(memory, embed_dim=512, num_heads=8)` is cross-attention. ' +
    'Batch first (`[N, T, E]`, PyTorch `batch_first=True`); `batch_first=false` takes `[T, N, E]`. E must equal `embed_dim` and be divisible ' +
    'by `num_heads`. Output `[N, T, E]` (the attention weights PyTorch also returns are not an output). Masks are not modelled. Parameters: ' +
    '`in_proj_weight [3E, E]` and `in_proj_bias [3E]` (or `q/k/v_proj_weight` when kdim/vdim differ from E), `out_proj.weight [E, E]`, ' +
    '`out_proj.bias [E]`: `4E² + 4E` for self-attention with bias.',
  costDoc:
    'MACs = N × (T·E·E (query projection) + S·E·kdim + S·E·vdim (key and value projections) + T·S·E (scores QKᵀ, all heads) + T·S·E ' +
    '(weights × V) + T·E·E (output projection)); self-attention (S = T, kdim = vdim = E): N × (4·T·E² + 2·T²·E). ' +
    'FLOPs = 2 × MACs + 5 per attention score for the softmax (N·heads·T·S scores).',
  inputs: [{ name: 'query' }, { name: 'key', optional: true }, { name: 'value', optional: true }],
  attrs: [
    { name: 'embed_dim', type: 'int', min: 1, doc: 'Model dimension E (last axis of the query and of the output).', aliases: ['d_model', 'embed'] },
    { name: 'num_heads', type: 'int', min: 1, doc: 'Number of heads; E is split into num_heads heads of E / num_heads features.', aliases: ['heads'] },
    { name: 'dropout', type: 'float', default: 0.0, min: 0, doc: 'Dropout on the attention weights during training; identity at inference.' },
    { name: 'bias', type: 'bool', default: true, doc: 'Learn biases for the input and output projections.' },
    { name: 'kdim', type: 'int', default: null, min: 1, doc: 'Features of the key input; default E.' },
    { name: 'vdim', type: 'int', default: null, min: 1, doc: 'Features of the value input; default E.' },
    { name: 'batch_first', type: 'bool', default: true, doc: 'Inputs `[N, T, E]` (true, dslc default) or `[T, N, E]` (false, PyTorch default).' },
  ],
  batchAxis: (a) => (a.batch_first ? 0 : 1),
  infer(ctx) {
    const q = ctx.inputs[0]!;
    // Self-attention: the query is also key and value; with two inputs the key is also the value.
    const key: TensorType = ctx.inputs[1] ?? q;
    const value: TensorType = ctx.inputs[2] ?? key;
    const bf = ctx.attrs.batch_first as boolean;
    const layout = bf ? '[N, T, E]' : '[T, N, E]';
    for (const [what, t] of [['query', q], ['key', key], ['value', value]] as const) {
      if (t.shape.length !== 3) return ctx.fail('E0400', `${ctx.label}: the ${what} must have rank 3 (${layout}), got ${fmtShape(t.shape)}`);
    }
    const E = ctx.concrete(ctx.attrs.embed_dim as Dim, 'embed_dim');
    const heads = ctx.concrete(ctx.attrs.num_heads as Dim, 'num_heads');
    if (E === undefined || heads === undefined) return { failed: true };
    if (E % heads !== 0)
      return ctx.fail('E0301', `${ctx.label}: embed_dim=${E} is not divisible by num_heads=${heads}`, { attr: 'num_heads', hint: `each head gets embed_dim / num_heads features; e.g. num_heads=${[16, 12, 8, 4, 2, 1].find((h) => E % h === 0)}` });
    const dropout = ctx.attrs.dropout as number;
    if (dropout > 1) return ctx.fail('E0301', `${ctx.label}: dropout must be in [0, 1], got ${dropout}`, { attr: 'dropout' });
    const qE = q.shape[2]!;
    const cmp = compareDims(qE, E);
    if (cmp === 'different')
      return ctx.fail('E0402', `${ctx.label}: the query has ${formatDim(qE)} features (last axis of ${fmtShape(q.shape)}) but embed_dim is ${E}`, {
        // A conv's [N, C, L] output fed as it is: the features are on axis 1.
        hint: bf && compareDims(q.shape[1]!, E) === 'equal' ? `the ${E} features are on axis 1 (channels first): transpose(1, 2) to [N, L, ${E}] first` : `project it first (dense(${E})) or set embed_dim=${formatDim(qE)}`,
      });
    if (cmp === 'unknown' && !ctx.unify(qE, E, 'query features vs embed_dim')) return { failed: true };
    const seq = (t: TensorType) => (bf ? t.shape[1]! : t.shape[0]!);
    const batch = (t: TensorType) => (bf ? t.shape[0]! : t.shape[1]!);
    const N = batch(q);
    const T = seq(q);
    // Feature sizes of key and value: the attribute when given, else E; the inputs must agree.
    const feat = (attr: 'kdim' | 'vdim', t: TensorType): number | undefined => {
      const v = ctx.attrs[attr];
      const want = v === null || v === undefined ? E : ctx.concrete(v as Dim, attr);
      if (want === undefined) return undefined;
      if (!ctx.unify(t.shape[2]!, want, `${attr === 'kdim' ? 'key' : 'value'} features vs ${v === null || v === undefined ? 'embed_dim' : attr}`)) return undefined;
      return want;
    };
    const kd = feat('kdim', key);
    if (kd === undefined) return { failed: true };
    const vd = feat('vdim', value);
    if (vd === undefined) return { failed: true };
    const S = seq(key);
    if (key !== q && !ctx.unify(batch(key), N, 'key batch vs query batch')) return { failed: true };
    if (value !== key && (!ctx.unify(batch(value), N, 'value batch vs query batch') || !ctx.unify(seq(value), S, 'value length vs key length'))) return { failed: true };
    const bias = ctx.attrs.bias as boolean;
    const params: ParamSpec[] = [];
    if (kd === E && vd === E) params.push({ name: 'in_proj_weight', shape: [3 * E, E] });
    else params.push({ name: 'q_proj_weight', shape: [E, E] }, { name: 'k_proj_weight', shape: [E, kd] }, { name: 'v_proj_weight', shape: [E, vd] });
    if (bias) params.push({ name: 'in_proj_bias', shape: [3 * E] });
    params.push({ name: 'out_proj.weight', shape: [E, E] });
    if (bias) params.push({ name: 'out_proj.bias', shape: [E] });
    const proj = add(mul(T, 2 * E * E), mul(S, E * (kd + vd)));
    const attn = mul(mul(T, S), 2 * E);
    const macs = mul(N, add(proj, attn));
    const flops = add(mul(macs, 2), mul(mul(N, mul(T, S)), 5 * heads));
    return { outputs: [{ shape: [...q.shape], dtype: q.dtype }], params, macs, flops, rf: { kind: 'none' } };
  },
  onnx(ctx) {
    // PyTorch's math (F.multi_head_attention_forward) in plain ONNX ops, batch first:
    // Q = q·Wqᵀ + bq (scaled by 1/√d, folded into Wq and bq at export), K, V likewise; per head softmax(Q·Kᵀ)·V; heads
    // concatenated; output projection.
    const { E, heads, d, bias, batchFirst: bf, kd, vd, packed } = attentionGeometry(ctx.attrs, ctx.inputTypes);
    // Batch-first views of the inputs (self-attention: one input serves as query, key and value).
    const seen = new Map<string, string>();
    const batchFirst = (name: string) => {
      if (bf) return name;
      if (!seen.has(name)) seen.set(name, onnxTranspose(ctx, name, [1, 0, 2], ctx.temp('batch_first')));
      return seen.get(name)!;
    };
    const q = batchFirst(ctx.inputs[0]!);
    const k = batchFirst(ctx.inputs[1] ?? ctx.inputs[0]!);
    const v = batchFirst(ctx.inputs[2] ?? ctx.inputs[1] ?? ctx.inputs[0]!);
    const project = (x: string, which: number, inDim: number, scale: number) => {
      const n = 'qkv'[which]!;
      // (Unpacking divides the scale out again: exact when √d is a power of two, else within an ulp of the original.)
      const wt = ctx.derived(
        `${n}_proj_t`,
        [inDim, E],
        (p) => {
          const w = packed ? p('in_proj_weight').subarray(which * E * E, (which + 1) * E * E) : p(`${n}_proj_weight`);
          return transpose2d(w, E, inDim).map((a) => a * scale);
        },
        (t, put) => {
          const w = transpose2d(t, inDim, E).map((a) => a / scale);
          if (packed) put('in_proj_weight', w, which * E * E);
          else put(`${n}_proj_weight`, w);
        },
      );
      const mm = onnxBinary(ctx, 'MatMul', x, wt, ctx.temp(`${n}_matmul`));
      if (!bias) return mm;
      const b = ctx.derived(
        `${n}_proj_bias`,
        [E],
        (p) => p('in_proj_bias').slice(which * E, (which + 1) * E).map((a) => a * scale),
        (t, put) => put('in_proj_bias', t.map((a) => a / scale), which * E),
      );
      return onnxBinary(ctx, 'Add', mm, b, ctx.temp(n));
    };
    // [N, L, E] → [N, L, heads, d] → transposed by perm.
    const split = (x: string, perm: number[]) => onnxTranspose(ctx, onnxReshape(ctx, x, [0, 0, heads, d]), perm);
    const qh = split(project(q, 0, E, 1 / Math.sqrt(d)), [0, 2, 1, 3]); // [N, heads, T, d]
    const kt = split(project(k, 1, kd, 1), [0, 2, 3, 1]); // [N, heads, d, S]
    const vh = split(project(v, 2, vd, 1), [0, 2, 1, 3]); // [N, heads, S, d]
    const weights = ctx.temp('attn_weights');
    ctx.emit('Softmax', [onnxBinary(ctx, 'MatMul', qh, kt, ctx.temp('scores'))], [weights], { axis: -1 });
    const heads3 = onnxBinary(ctx, 'MatMul', weights, vh, ctx.temp('heads'));
    const merged = onnxReshape(ctx, onnxTranspose(ctx, heads3, [0, 2, 1, 3]), [0, 0, E]); // [N, T, E]
    const wo = ctx.derived('out_proj_t', [E, E], (p) => transpose2d(p('out_proj.weight'), E, E), (t, put) => put('out_proj.weight', transpose2d(t, E, E)));
    const y = bf ? ctx.outputs[0]! : ctx.temp('out');
    if (bias) onnxBinary(ctx, 'Add', onnxBinary(ctx, 'MatMul', merged, wo), ctx.param('out_proj.bias'), y);
    else onnxBinary(ctx, 'MatMul', merged, wo, y);
    if (!bf) onnxTranspose(ctx, y, [1, 0, 2], ctx.outputs[0]!);
  },
  tfjs: attention,
  examples: [
    { inputs: [[1, 10, 64]], call: 'multihead_attention(64, 8)', output: [1, 10, 64], params: 16640, macs: 176640 },
    { inputs: [['N', 'T', 512]], call: 'mha(512, 8, bias=false)', output: ['N', 'T', 512], params: 1048576 },
    { inputs: [[2, 10, 64], [2, 20, 32]], call: 'mha(x1, embed_dim=64, num_heads=4, kdim=32, vdim=32)', output: [2, 10, 64], params: 12544 },
  ],
};
