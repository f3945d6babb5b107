import { makeBinary } from '../shared/broadcast.js';

export const op = makeBinary(
  'div',
  'Div',
  'RealDiv',
  'Elementwise quotient with NumPy broadcasting (`torch.div`, `a / b`, true division): `div(a, b)` or `a -> div(b)`; more inputs divide in turn. ' +
    'Float inputs only (ONNX `Div` truncates integers where PyTorch divides exactly).',
  ['divide', 'true_divide'],
  [],
  true,
);
