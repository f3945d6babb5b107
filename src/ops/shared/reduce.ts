/** Shared definition of the reductions over axes (`reduce_mean`, `reduce_sum`, `reduce_max`: torch.mean/sum/amax, ONNX ReduceX). */
import type { Dim } from '../../symbolic/dim.js';
import type { OpContext, OpDef, OpExample, RfTransfer } from '../types.js';
import { normAxis } from './axes.js';
import { prod } from './window.js';
import { int32, physAxis } from './tfjs.js';

export type ReduceKind = 'mean' | 'sum' | 'max';

const ONNX: Record<ReduceKind, string> = { mean: 'ReduceMean', sum: 'ReduceSum', max: 'ReduceMax' };
const TF: Record<ReduceKind, string> = { mean: 'Mean', sum: 'Sum', max: 'Max' };
const TORCH: Record<ReduceKind, string> = { mean: 'torch.mean', sum: 'torch.sum', max: 'torch.amax' };
const WHAT: Record<ReduceKind, string> = { mean: 'Mean', sum: 'Sum', max: 'Maximum' };
/** The opset from which the reduction takes its axes as an input (ReduceSum moved at 13, the others at 18). */
const AXES_INPUT_FROM: Record<ReduceKind, number> = { mean: 18, sum: 13, max: 18 };

/** The reduced axes, normalised and sorted, or undefined after reporting (E0303 out of range, E0301 repeated). */
function reducedAxes(ctx: OpContext, rank: number): number[] | undefined {
  const v = ctx.attrs.axes!;
  const given = (Array.isArray(v) ? v : [v]) as number[];
  const out: number[] = [];
  for (const a of given) {
    const n = normAxis(ctx, 'axes', a, rank);
    if (n === undefined) return undefined;
    if (out.includes(n)) {
      ctx.fail('E0301', `${ctx.label}: axis ${n} is given twice in axes=(${given.join(', ')})`, { attr: 'axes' });
      return undefined;
    }
    out.push(n);
  }
  return out.sort((a, b) => a - b);
}

/**
 * RF: reducing the batch or channels with `keepdims` keeps the grid (identity); every spatial axis reduced is global (as global pooling);
 * some spatial axes reduced with `keepdims` mixes them (the grid stays); otherwise the axes move and the grid is gone.
 */
function rfOf(axes: readonly number[], rank: number, keep: boolean): RfTransfer {
  const spatial = Array.from({ length: Math.max(rank - 2, 0) }, (_, i) => axes.includes(i + 2));
  if (spatial.length && spatial.every(Boolean)) return { kind: 'global' };
  if (!keep) return { kind: 'none' };
  return spatial.some(Boolean) ? { kind: 'mix', axes: spatial } : { kind: 'identity' };
}

/** Builds one reduction op. */
export function makeReduce(kind: ReduceKind, aliases: string[], examples: OpExample[]): OpDef {
  const name = `reduce_${kind}`;
  return {
    name,
    aliases,
    category: 'pool',
    doc:
      `${WHAT[kind]} over the given \`axes\` (\`${TORCH[kind]}(x, dim, keepdim)\`, ONNX \`${ONNX[kind]}\`). The reduced axes are dropped, or kept as ` +
      'size 1 with `keepdims=true`; negative axes count from the end. `axes` is required: reducing every axis without `keepdims` would leave ' +
      `a scalar, which dslc does not model.${kind === 'mean' ? ' A float input is required (as torch.mean).' : ''}${kind === 'sum' ? ' (Only `reduce_sum`: the name `sum` is the builtin on lists.)' : ''}`,
    costDoc: `No MACs. FLOPs = input elements (one ${kind === 'max' ? 'comparison' : 'addition'} per element reduced${kind === 'mean' ? '; the division per output is not counted' : ''}), as global pooling. No parameters.`,
    inputs: [{ name: 'x' }],
    attrs: [
      { name: 'axes', type: 'ints', doc: 'Axis or tuple of axes to reduce (negative: from the end).', aliases: ['dim', 'axis'] },
      { name: 'keepdims', type: 'bool', default: false, doc: 'Keep each reduced axis as size 1 (PyTorch `keepdim`).', aliases: ['keepdim'] },
    ],
    infer(ctx) {
      const x = ctx.inputs[0]!;
      const r = x.shape.length;
      if (kind === 'mean' && !x.dtype.startsWith('float') && x.dtype !== 'bfloat16')
        return ctx.fail('E0408', `${ctx.label}: the mean of ${x.dtype} values is not defined here (torch.mean needs a floating-point input)`, { hint: 'reduce_sum, or a float input' });
      const axes = reducedAxes(ctx, r);
      if (!axes) return { failed: true };
      const keep = ctx.attrs.keepdims as boolean;
      if (!keep && axes.length === r) return ctx.fail('E0400', `${ctx.label}: reducing every axis of a rank-${r} input leaves a scalar, which dslc does not model`, { hint: 'pass keepdims=true, or keep the batch axis out of axes' });
      const shape: Dim[] = [];
      x.shape.forEach((d, i) => (axes.includes(i) ? keep && shape.push(1) : shape.push(d)));
      return { outputs: [{ shape, dtype: x.dtype }], macs: 0, flops: prod(x.shape), rf: rfOf(axes, r, keep) };
    },
    onnx(ctx) {
      const r = ctx.inputTypes[0]!.shape.length;
      const v = ctx.attrs.axes!;
      const axes = ((Array.isArray(v) ? v : [v]) as number[]).map((a) => (a < 0 ? a + r : a));
      const keepdims = ctx.attrs.keepdims ? 1 : 0;
      if (ctx.opset >= AXES_INPUT_FROM[kind]) ctx.emit(ONNX[kind], [ctx.inputs[0]!, ctx.int64s('axes', axes)], ctx.outputs, { keepdims });
      else ctx.emit(ONNX[kind], ctx.inputs, ctx.outputs, { axes, keepdims });
    },
    tfjs(ctx) {
      // With keepdims the rank stays, so the value stays in its layout (axes mapped); otherwise in dslc's order.
      const r = ctx.inputTypes[0]!.shape.length;
      const layout = ctx.attrs.keepdims ? ctx.layout(0) : 'nchw';
      const v = ctx.attrs.axes!;
      const axes = ((Array.isArray(v) ? v : [v]) as number[]).map((a) => physAxis(a, r, layout));
      ctx.output(0, ctx.node(TF[kind], [ctx.input(0, layout), int32(ctx, 'axes', axes)], { keep_dims: ctx.attrs.keepdims as boolean }), layout);
    },
    examples,
  };
}
