/** `matmul`: `torch.matmul` (NumPy `matmul` semantics). */
import { derive } from '../shared/derive.js';
import { type Dim, compareDims, formatDim, mul } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { reshape } from '../shared/tfjs.js';
import { broadcastShapes } from '../shared/broadcast.js';
import { fmtShape } from '../shared/axes.js';
import { prod } from '../shared/window.js';

export const op: OpDef = {
  name: 'matmul',
  category: 'dense',
  doc:
    'Matrix product of two tensors with NumPy / `torch.matmul` semantics: `[..., M, K] @ [..., K, N] → [..., M, N]`, leading (batch) axes ' +
    'broadcast; a 1-D first operand is a row vector `[1, K]` and a 1-D second operand a column `[K, 1]`, whose unit axis is removed from the ' +
    'result (two 1-D operands give a scalar). No weights: both operands are tensors (`q -> matmul(k_t)`); for a learned projection use `dense`.',
  costDoc: 'MACs = (product of the broadcast batch axes) × M × K × N. FLOPs = 2 × MACs.',
  inputs: [{ name: 'a' }, { name: 'b' }],
  attrs: [],
  infer(ctx) {
    const [a, b] = [ctx.inputs[0]!, ctx.inputs[1]!];
    if (a.shape.length === 0 || b.shape.length === 0)
      return ctx.fail('E0400', `${ctx.label}: both operands need rank ≥ 1, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, { hint: 'use mul for a product with a scalar' });
    const aVec = a.shape.length === 1;
    const bVec = b.shape.length === 1;
    const as: Dim[] = aVec ? [1, a.shape[0]!] : [...a.shape];
    const bs: Dim[] = bVec ? [b.shape[0]!, 1] : [...b.shape];
    const m = as[as.length - 2]!;
    const k = as[as.length - 1]!;
    const k2 = bs[bs.length - 2]!;
    const n = bs[bs.length - 1]!;
    const c = compareDims(k, k2);
    if (c === 'different')
      return ctx.fail('E0402', `${ctx.label}: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}: inner dimensions differ (${formatDim(k)} vs ${formatDim(k2)})`, {
        hint: 'the last axis of the first operand must equal the second-to-last of the second; transpose one operand?',
      });
    if (c === 'unknown' && !ctx.unify(k, k2, 'contraction axis of matmul')) return { failed: true };
    const batch = broadcastShapes(derive(ctx, { label: `${ctx.label} (batch axes of ${fmtShape(a.shape)} @ ${fmtShape(b.shape)})` }), [
      { shape: as.slice(0, -2), dtype: a.dtype },
      { shape: bs.slice(0, -2), dtype: b.dtype },
    ]);
    if (!batch) return { failed: true };
    const shape: Dim[] = [...batch, ...(aVec ? [] : [m]), ...(bVec ? [] : [n])];
    return { outputs: [{ shape, dtype: a.dtype }], macs: mul(prod(batch), mul(mul(m, k), n)), rf: { kind: 'none' } };
  },
  // ONNX MatMul has NumPy semantics too (1-D operands promoted and their unit axis removed, batch axes broadcast).
  onnx: (ctx) => ctx.emit('MatMul', ctx.inputs, ctx.outputs),
  tfjs(ctx) {
    // BatchMatMulV2 broadcasts batch axes; 1-D operands are promoted to matrices and the result reshaped (NumPy rule).
    const [a, b] = [ctx.inputTypes[0]!, ctx.inputTypes[1]!];
    const av = a.shape.length === 1 ? reshape(ctx, ctx.input(0, 'nchw'), [1, a.shape[0]!]) : ctx.input(0, 'nchw');
    const bv = b.shape.length === 1 ? reshape(ctx, ctx.input(1, 'nchw'), [b.shape[0]!, 1]) : ctx.input(1, 'nchw');
    // tfjs broadcasts batch axes only one way ([2, 1, …] @ [4, …] returns too few elements): tile both to the full batch.
    const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
    const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
    const nb = Math.max(as.length, bs.length) - 2;
    const pad = (s: readonly number[]) => [...Array<number>(nb + 2 - s.length).fill(1), ...s];
    const [ap, bp] = [pad(as), pad(bs)];
    const batch = ap.slice(0, nb).map((d, i) => Math.max(d, bp[i]!));
    const full = (v: string, s: readonly number[], p: number[]) => {
      if (p.slice(0, nb).every((d, i) => d === batch[i])) return v;
      return ctx.node('Tile', [reshape(ctx, v, p), ctx.constant('reps', Int32Array.from([...batch.map((d, i) => d / p[i]!), 1, 1]), [nb + 2])]);
    };
    const y = ctx.node('BatchMatMulV2', [full(av, as, ap), full(bv, bs, bp)]);
    const out = ctx.outputTypes[0]!.shape;
    ctx.output(0, a.shape.length === 1 || b.shape.length === 1 ? reshape(ctx, y, out) : y, 'nchw');
  },
  examples: [
    { inputs: [[8, 64, 32], [8, 32, 16]], call: 'matmul(x1)', output: [8, 64, 16], params: 0, macs: 262144 },
    { inputs: [[2, 1, 10, 64], [4, 64, 10]], call: 'matmul(x1)', output: [2, 4, 10, 10], macs: 51200 },
    { inputs: [['N', 'T', 64], [64]], call: 'matmul(x1)', output: ['N', 'T'] },
  ],
};
