import { activation } from '../shared/activations.js';

export const op = activation({
  name: 'sigmoid',
  doc: 'Logistic sigmoid `1 / (1 + exp(-x))` (PyTorch `nn.Sigmoid`).',
  flopsPerElement: 4,
  breakdown: 'negate, exp, add 1, divide',
  onnxOp: 'Sigmoid',
  tfjsOp: 'Sigmoid',
  examples: [{ inputs: [[1, 1]], call: 'sigmoid', output: [1, 1], params: 0, macs: 0 }],
});
