/** `transpose`: `torch.transpose` (swap two axes). */
import type { OpDef } from '../types.js';
import { intAttr, normAxis } from '../shared/axes.js';
import { transpose } from '../shared/tfjs.js';

export const op: OpDef = {
  name: 'transpose',
  aliases: ['swapaxes'],
  category: 'shape',
  doc:
    'Swaps two axes (`torch.transpose(x, dim0, dim1)`, `Tensor.transpose`); negative axes count from the end. For an arbitrary reordering use ' +
    '`permute`. Note this is not a transposed convolution. The receptive field is kept only when dim0 == dim1.',
  costDoc: 'No MACs, no FLOPs (a view).',
  inputs: [{ name: 'x', carriesValues: true }],
  attrs: [
    { name: 'dim0', type: 'int', doc: 'First axis to swap.', aliases: ['axis0'] },
    { name: 'dim1', type: 'int', doc: 'Second axis to swap.', aliases: ['axis1'] },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const r = x.shape.length;
    const d0 = intAttr(ctx, 'dim0');
    const d1 = intAttr(ctx, 'dim1');
    if (d0 === undefined || d1 === undefined) return { failed: true };
    const a = normAxis(ctx, 'dim0', d0, r);
    const b = normAxis(ctx, 'dim1', d1, r);
    if (a === undefined || b === undefined) return { failed: true };
    const shape = [...x.shape];
    shape[a] = x.shape[b]!;
    shape[b] = x.shape[a]!;
    return { outputs: [{ shape, dtype: x.dtype }], macs: 0, flops: 0, rf: { kind: a === b ? 'identity' : 'none' } };
  },
  onnx(ctx) {
    const r = ctx.inputTypes[0]!.shape.length;
    const [a, b] = [ctx.attrs.dim0 as number, ctx.attrs.dim1 as number].map((d) => (d < 0 ? d + r : d)) as [number, number];
    const perm = Array.from({ length: r }, (_, i) => (i === a ? b : i === b ? a : i));
    ctx.emit('Transpose', ctx.inputs, ctx.outputs, { perm });
  },
  tfjs(ctx) {
    const r = ctx.inputTypes[0]!.shape.length;
    const [a, b] = [ctx.attrs.dim0 as number, ctx.attrs.dim1 as number].map((d) => (d < 0 ? d + r : d)) as [number, number];
    ctx.output(0, transpose(ctx, ctx.input(0, 'nchw'), Array.from({ length: r }, (_, i) => (i === a ? b : i === b ? a : i))), 'nchw');
  },
  examples: [
    { inputs: [[8, 100, 64]], call: 'transpose(1, 2)', output: [8, 64, 100], params: 0, macs: 0 },
    { inputs: [['N', 'T', 'E']], call: 'transpose(0, -2)', output: ['T', 'N', 'E'] },
  ],
};
