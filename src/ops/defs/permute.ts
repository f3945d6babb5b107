/** `permute`: `Tensor.permute` / `torch.permute`. */
import type { Dim } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { intAttr } from '../shared/axes.js';
import { transpose } from '../shared/tfjs.js';

export const op: OpDef = {
  name: 'permute',
  category: 'shape',
  doc:
    'Reorders all axes (`torch.permute`, ONNX `Transpose` with `perm`): output axis i is input axis `dims[i]`. `dims` must be a permutation of ' +
    '`0..rank-1` (negative entries count from the end), batch axis included: `permute([0, 2, 3, 1])` turns NCHW into NHWC. (Keras `Permute` ' +
    'numbers from 1 and leaves the batch out; dslc does not.) The receptive field is kept only by the identity permutation.',
  costDoc: 'No MACs, no FLOPs (a view; a copy at most).',
  inputs: [{ name: 'x', carriesValues: true }],
  attrs: [{ name: 'dims', type: 'int_list', doc: 'The new order of the axes, one entry per input axis.', aliases: ['perm', 'axes'] }],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const r = x.shape.length;
    const raw = ctx.attrs.dims as Dim[];
    if (raw.length !== r)
      return ctx.fail('E0400', `${ctx.label}: dims has ${raw.length} entries but the input ${r === 1 ? 'has rank 1' : `has rank ${r}`}`, { attr: 'dims', hint: `give a permutation of 0..${r - 1}` });
    const perm: number[] = [];
    for (const d of raw) {
      const v = intAttr(ctx, 'dims', d);
      if (v === undefined) return { failed: true };
      const a = v < 0 ? v + r : v;
      if (a < 0 || a >= r) return ctx.fail('E0303', `${ctx.label}: axis ${v} in dims is out of range for a rank-${r} input`, { attr: 'dims' });
      if (perm.includes(a)) return ctx.fail('E0301', `${ctx.label}: dims [${raw.join(', ')}] repeats axis ${a}; it must be a permutation of 0..${r - 1}`, { attr: 'dims' });
      perm.push(a);
    }
    const shape = perm.map((a) => x.shape[a]!);
    const same = perm.every((a, i) => a === i);
    return { outputs: [{ shape, dtype: x.dtype }], macs: 0, flops: 0, rf: { kind: same ? 'identity' : 'none' } };
  },
  onnx(ctx) {
    const r = ctx.inputTypes[0]!.shape.length;
    ctx.emit('Transpose', ctx.inputs, ctx.outputs, { perm: (ctx.attrs.dims as number[]).map((a) => (a < 0 ? a + r : a)) });
  },
  tfjs(ctx) {
    const r = ctx.inputTypes[0]!.shape.length;
    ctx.output(0, transpose(ctx, ctx.input(0, 'nchw'), (ctx.attrs.dims as number[]).map((a) => (a < 0 ? a + r : a))), 'nchw');
  },
  examples: [
    { inputs: [[1, 3, 224, 224]], call: 'permute([0, 2, 3, 1])', output: [1, 224, 224, 3], params: 0, macs: 0 },
    { inputs: [['N', 'T', 64]], call: 'permute([1, 0, 2])', output: ['T', 'N', 64] },
  ],
};
