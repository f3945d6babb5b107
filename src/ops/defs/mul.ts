import { makeBinary } from '../shared/broadcast.js';

export const op = makeBinary(
  'mul',
  'Mul',
  'Mul',
  'Elementwise product of two or more tensors with NumPy broadcasting (`torch.mul`; gating and attention masks, squeeze-and-excitation: `x -> mul(se)` with `se` of shape `[N, C, 1, 1]`).',
  ['multiply'],
  [{ inputs: [[1, 64, 56, 56], [1, 64, 1, 1]], call: 'mul(x1)', output: [1, 64, 56, 56], params: 0, macs: 0 }],
);
