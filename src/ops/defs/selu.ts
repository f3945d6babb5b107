import { activation } from '../shared/activations.js';

export const op = activation({
  name: 'selu',
  doc: 'Scaled ELU `scale · (max(0, x) + min(0, alpha · (exp(x) - 1)))` with the fixed self-normalising constants alpha ≈ 1.6733, scale ≈ 1.0507 (PyTorch `nn.SELU`).',
  flopsPerElement: 5,
  breakdown: 'compare, exp, subtract, multiply by alpha, multiply by scale',
  // PyTorch's constants, written out (ONNX's defaults are the same values rounded to float32).
  onnx: (ctx) => ctx.emit('Selu', ctx.inputs, ctx.outputs, { alpha: { f: 1.6732632423543772 }, gamma: { f: 1.0507009873554805 } }),
  // tfjs's Selu uses PyTorch's constants.
  tfjsOp: 'Selu',
  examples: [{ inputs: [[4, 256]], call: 'selu', output: [4, 256], params: 0, macs: 0 }],
});
