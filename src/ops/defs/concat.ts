/** `concat`: `torch.cat`. */
import { type Dim, add, compareDims, formatDim } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { fmtShape, intAttr, normAxis } from '../shared/axes.js';
import { physAxis } from '../shared/tfjs.js';

export const op: OpDef = {
  name: 'concat',
  aliases: ['cat', 'concatenate'],
  category: 'merge',
  doc:
    'Joins two or more tensors along `axis` (`torch.cat`, Keras `Concatenate`): all other axes must be equal, the output axis is the sum. ' +
    'The default axis is 1, the channels of NCHW (Inception, U-Net skips, DenseNet); PyTorch `torch.cat` defaults to 0 and Keras to -1. ' +
    'The receptive field is the union of the branches.',
  costDoc: 'No MACs, no FLOPs (a copy).',
  inputs: [{ name: 'inputs', variadic: true, min: 2, carriesValues: true }],
  attrs: [{ name: 'axis', type: 'int', default: 1, doc: 'Axis to concatenate along (negative counts from the end).', aliases: ['dim'] }],
  infer(ctx) {
    const ins = ctx.inputs;
    const first = ins[0]!;
    const r = first.shape.length;
    const bad = ins.find((t) => t.shape.length !== r);
    if (bad) return ctx.fail('E0400', `${ctx.label}: inputs have different ranks: ${ins.map((t) => fmtShape(t.shape)).join(', ')}`, { hint: 'concatenated tensors need the same rank; reshape or flatten one branch' });
    const badType = ins.find((t) => t.dtype !== first.dtype);
    if (badType) return ctx.fail('E0408', `${ctx.label}: inputs have different dtypes (${first.dtype} and ${badType.dtype})`);
    const ax = intAttr(ctx, 'axis');
    if (ax === undefined) return { failed: true };
    const axis = normAxis(ctx, 'axis', ax, r);
    if (axis === undefined) return { failed: true };
    for (let i = 0; i < r; i++) {
      if (i === axis) continue;
      for (let k = 1; k < ins.length; k++) {
        const a = first.shape[i]!;
        const b = ins[k]!.shape[i]!;
        const c = compareDims(a, b);
        if (c === 'different')
          return ctx.fail('E0402', `${ctx.label}: along axis ${axis} the other axes must match, but axis ${i} is ${formatDim(a)} in input 1 and ${formatDim(b)} in input ${k + 1} (shapes ${ins.map((t) => fmtShape(t.shape)).join(', ')})`, {
            hint: i >= 2 ? 'spatial sizes differ: crop, pad or resample one branch (e.g. padding=\'same\' in its convs)' : 'check the concatenation axis',
          });
        if (c === 'unknown' && !ctx.unify(a, b, `axis ${i} of concat input ${k + 1} vs input 1`)) return { failed: true };
      }
    }
    const shape: Dim[] = [...first.shape];
    shape[axis] = ins.slice(1).reduce<Dim>((s, t) => add(s, t.shape[axis]!), first.shape[axis]!);
    return { outputs: [{ shape, dtype: first.dtype }], macs: 0, flops: 0, rf: { kind: 'merge' } };
  },
  onnx(ctx) {
    const r = ctx.inputTypes[0]!.shape.length;
    const a = ctx.attrs.axis as number;
    ctx.emit('Concat', ctx.inputs, ctx.outputs, { axis: a < 0 ? a + r : a });
  },
  tfjs(ctx) {
    // Channels-last when every input is (the channel axis is then the last one), else dslc's order.
    const r = ctx.inputTypes[0]!.shape.length;
    const layout = ctx.inputTypes.every((_, i) => ctx.layout(i) === 'nhwc') ? 'nhwc' : 'nchw';
    const axis = ctx.constant('axis', Int32Array.of(physAxis(ctx.attrs.axis as number, r, layout)), []);
    ctx.output(0, ctx.node('ConcatV2', [...ctx.inputTypes.map((_, i) => ctx.input(i, layout)), axis], { N: ctx.inputTypes.length }), layout);
  },
  examples: [
    { inputs: [[1, 64, 28, 28], [1, 128, 28, 28]], call: 'concat(x1)', output: [1, 192, 28, 28], params: 0, macs: 0 },
    { inputs: [['N', 'C', 'H', 'W'], ['N', 32, 'H', 'W']], call: 'cat(x1, dim=1)', output: ['N', 'C + 32', 'H', 'W'] },
    { inputs: [[2, 10, 64], [2, 5, 64]], call: 'concat(x1, axis=-2)', output: [2, 15, 64] },
  ],
};
