import { activation } from '../shared/activations.js';

export const op = activation({
  name: 'tanh',
  doc: 'Hyperbolic tangent (PyTorch `nn.Tanh`).',
  flopsPerElement: 1,
  breakdown: 'one tanh',
  onnxOp: 'Tanh',
  tfjsOp: 'Tanh',
  examples: [{ inputs: [[8, 256]], call: 'tanh', output: [8, 256], params: 0, macs: 0 }],
});
