/** `dropout`: PyTorch `nn.Dropout` (identity at inference). */
import type { OpDef } from '../types.js';

export const op: OpDef = {
  name: 'dropout',
  aliases: ['dropout1d', 'dropout2d', 'dropout3d'],
  category: 'regularization',
  doc:
    'Dropout (PyTorch `nn.Dropout`; `dropout2d`/`dropout1d`/`dropout3d` are `nn.Dropout2d` etc., which drop whole channels). ' +
    'dslc checks models for inference, where dropout is the identity: same shape and dtype, no parameters.',
  costDoc: 'No MACs, no FLOPs (identity at inference).',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'p', type: 'float', default: 0.5, min: 0, doc: 'Probability of zeroing an element (channel for dropout2d) during training; must be in [0, 1].', aliases: ['rate'] },
    { name: 'inplace', type: 'bool', default: false, doc: 'PyTorch in-place flag; no effect on shapes or cost.' },
  ],
  infer(ctx) {
    const p = ctx.attrs.p as number;
    if (p > 1) return ctx.fail('E0301', `${ctx.label}: p must be in [0, 1], got ${p}`, { attr: 'p' });
    return { outputs: [ctx.inputs[0]!], macs: 0, flops: 0, rf: { kind: 'identity' } };
  },
  onnx: (ctx) => ctx.emit('Identity', ctx.inputs, ctx.outputs),
  // Identity at inference: the value passes through in whatever layout it is held.
  tfjs: (ctx) => ctx.output(0, ctx.input(0, ctx.layout(0)), ctx.layout(0)),
  examples: [
    { inputs: [[1, 4096]], call: 'dropout(0.5)', output: [1, 4096], params: 0, macs: 0 },
    { inputs: [['N', 64, 'H', 'W']], call: 'dropout2d(p=0.2)', output: ['N', 64, 'H', 'W'] },
  ],
};
