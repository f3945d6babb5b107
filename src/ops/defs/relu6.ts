import { activation } from '../shared/activations.js';
import { onnxScalar } from '../shared/axes.js';

export const op = activation({
  name: 'relu6',
  doc: 'ReLU clipped at 6, `min(max(x, 0), 6)` (PyTorch `nn.ReLU6`; MobileNet v1/v2).',
  flopsPerElement: 2,
  breakdown: 'two compares (clamp below and above)',
  // Clip with scalar min/max inputs (attributes before opset 11).
  onnx: (ctx) => ctx.emit('Clip', [ctx.inputs[0]!, onnxScalar(ctx, 'min', 0), onnxScalar(ctx, 'max', 6)], ctx.outputs),
  tfjsOp: 'Relu6',
  examples: [{ inputs: [[1, 32, 112, 112]], call: 'relu6', output: [1, 32, 112, 112], params: 0, macs: 0 }],
});
