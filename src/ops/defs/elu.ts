import { elementwise, scalar } from '../shared/tfjs.js';
import { activation } from '../shared/activations.js';

export const op = activation({
  name: 'elu',
  doc: 'Exponential linear unit: `x` for x > 0, `alpha · (exp(x) - 1)` otherwise (PyTorch `nn.ELU`).',
  flopsPerElement: 4,
  breakdown: 'compare, exp, subtract, multiply',
  onnx: (ctx) => ctx.emit('Elu', ctx.inputs, ctx.outputs, { alpha: { f: ctx.attrs.alpha as number } }),
  attrs: [{ name: 'alpha', type: 'float', default: 1.0, doc: 'Scale of the negative branch.' }],
  tfjs(ctx) {
    const alpha = ctx.attrs.alpha as number;
    // tfjs's Elu has alpha 1: alpha·min(elu(x), 0) + relu(x) otherwise.
    elementwise(ctx, (x) => {
      const e = ctx.node('Elu', [x]);
      if (alpha === 1) return e;
      const neg = ctx.node('Mul', [ctx.node('Minimum', [e, scalar(ctx, 'zero', 0)]), scalar(ctx, 'alpha', alpha)]);
      return ctx.node('AddV2', [neg, ctx.node('Relu', [x])]);
    });
  },
  examples: [{ inputs: [[2, 32, 16, 16]], call: 'elu(alpha=1.0)', output: [2, 32, 16, 16], params: 0, macs: 0 }],
});
