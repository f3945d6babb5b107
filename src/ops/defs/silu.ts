import { elementwise } from '../shared/tfjs.js';
import { activation } from '../shared/activations.js';

export const op = activation({
  name: 'silu',
  aliases: ['swish'],
  doc: 'Sigmoid linear unit / swish `x · sigmoid(x)` (PyTorch `nn.SiLU`; EfficientNet).',
  flopsPerElement: 5,
  breakdown: 'sigmoid (4: negate, exp, add 1, divide) and a multiply',
  // ONNX (≤ 21) has no SiLU/Swish op: x · Sigmoid(x).
  onnx(ctx) {
    const s = ctx.temp('sigmoid');
    ctx.emit('Sigmoid', ctx.inputs, [s]);
    ctx.emit('Mul', [ctx.inputs[0]!, s], ctx.outputs);
  },
  tfjs: (ctx) => elementwise(ctx, (x) => ctx.node('Mul', [x, ctx.node('Sigmoid', [x])])),
  examples: [{ inputs: [[1, 32, 112, 112]], call: 'silu', output: [1, 32, 112, 112], params: 0, macs: 0 }],
});
