import { elementwise } from '../shared/tfjs.js';
import { activation } from '../shared/activations.js';

export const op = activation({
  name: 'mish',
  doc: 'Self-regularised non-monotonic activation `x · tanh(softplus(x))` (PyTorch `nn.Mish`; YOLOv4).',
  flopsPerElement: 5,
  breakdown: 'softplus (exp, add 1, log), tanh, multiply',
  onnx(ctx) {
    if (ctx.opset >= 18) return ctx.emit('Mish', ctx.inputs, ctx.outputs);
    // Before Mish (opset 18): spelt out.
    const [sp, th] = [ctx.temp('softplus'), ctx.temp('tanh')];
    ctx.emit('Softplus', ctx.inputs, [sp]);
    ctx.emit('Tanh', [sp], [th]);
    ctx.emit('Mul', [ctx.inputs[0]!, th], ctx.outputs);
  },
  tfjs: (ctx) => elementwise(ctx, (x) => ctx.node('Mul', [x, ctx.node('Tanh', [ctx.node('Softplus', [x])])])),
  examples: [{ inputs: [[1, 32, 208, 208]], call: 'mish', output: [1, 32, 208, 208], params: 0, macs: 0 }],
});
