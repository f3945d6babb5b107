import { activation } from '../shared/activations.js';

export const op = activation({
  name: 'hard_swish',
  aliases: ['hardswish'],
  doc: 'Piecewise-linear swish `x · relu6(x + 3) / 6` (PyTorch `nn.Hardswish`, MobileNetV3).',
  flopsPerElement: 5,
  breakdown: 'add 3, clamp below, clamp above, multiply by 1/6, multiply by x',
  examples: [{ inputs: [[1, 16, 112, 112]], call: 'hard_swish', output: [1, 16, 112, 112], params: 0, macs: 0 }],
});
