import { elementwise, hardSigmoid } from '../shared/tfjs.js';
import { activation } from '../shared/activations.js';

export const op = activation({
  name: 'hard_swish',
  aliases: ['hardswish'],
  doc: 'Piecewise-linear swish `x · relu6(x + 3) / 6` (PyTorch `nn.Hardswish`, MobileNetV3).',
  flopsPerElement: 5,
  breakdown: 'add 3, clamp below, clamp above, multiply by 1/6, multiply by x',
  onnx(ctx) {
    if (ctx.opset >= 14) return ctx.emit('HardSwish', ctx.inputs, ctx.outputs);
    // Before HardSwish (opset 14): x · HardSigmoid(x) with PyTorch's slope and offset.
    const hs = ctx.temp('hard_sigmoid');
    ctx.emit('HardSigmoid', ctx.inputs, [hs], { alpha: { f: 1 / 6 }, beta: { f: 0.5 } });
    ctx.emit('Mul', [ctx.inputs[0]!, hs], ctx.outputs);
  },
  tfjs: (ctx) => elementwise(ctx, (x) => ctx.node('Mul', [x, hardSigmoid(ctx, x)])),
  examples: [{ inputs: [[1, 16, 112, 112]], call: 'hard_swish', output: [1, 16, 112, 112], params: 0, macs: 0 }],
});
