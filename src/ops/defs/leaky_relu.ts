import { elementwise } from '../shared/tfjs.js';
import { activation } from '../shared/activations.js';

export const op = activation({
  name: 'leaky_relu',
  aliases: ['leakyrelu'],
  doc: 'Leaky ReLU `max(x, 0) + negative_slope · min(x, 0)` (PyTorch `nn.LeakyReLU`; Keras `LeakyReLU` defaults to 0.3, PyTorch to 0.01).',
  flopsPerElement: 2,
  breakdown: 'a compare and a multiply',
  onnx: (ctx) => ctx.emit('LeakyRelu', ctx.inputs, ctx.outputs, { alpha: { f: ctx.attrs.negative_slope as number } }),
  attrs: [{ name: 'negative_slope', type: 'float', default: 0.01, doc: 'Slope for negative inputs.', aliases: ['alpha', 'slope'] }],
  tfjs: (ctx) => elementwise(ctx, (x) => ctx.node('LeakyRelu', [x], { alpha: { f: ctx.attrs.negative_slope as number } })),
  examples: [
    { inputs: [[1, 64, 56, 56]], call: 'leaky_relu(0.1)', output: [1, 64, 56, 56], params: 0, macs: 0 },
    { inputs: [['N', 128]], call: 'leaky_relu', output: ['N', 128] },
  ],
});
