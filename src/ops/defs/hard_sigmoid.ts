import { elementwise, hardSigmoid } from '../shared/tfjs.js';
import { activation } from '../shared/activations.js';

export const op = activation({
  name: 'hard_sigmoid',
  aliases: ['hardsigmoid'],
  doc: 'Piecewise-linear sigmoid `relu6(x + 3) / 6` (PyTorch `nn.Hardsigmoid`, MobileNetV3). Keras\' older `hard_sigmoid` uses `0.2·x + 0.5` instead; dslc follows PyTorch.',
  flopsPerElement: 4,
  breakdown: 'add 3, clamp below, clamp above, multiply by 1/6',
  // relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1).
  onnx: (ctx) => ctx.emit('HardSigmoid', ctx.inputs, ctx.outputs, { alpha: { f: 1 / 6 }, beta: { f: 0.5 } }),
  tfjs: (ctx) => elementwise(ctx, (x) => hardSigmoid(ctx, x)),
  examples: [{ inputs: [[1, 72, 1, 1]], call: 'hard_sigmoid', output: [1, 72, 1, 1], params: 0, macs: 0 }],
});
