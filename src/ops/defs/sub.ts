import { makeBinary } from '../shared/broadcast.js';

export const op = makeBinary(
  'sub',
  'Sub',
  'Sub',
  'Elementwise difference with NumPy broadcasting (`torch.sub`, `a - b`): `sub(a, b)` or `a -> sub(b)`; more inputs subtract in turn, `sub(a, b, c)` = `(a - b) - c`.',
  ['subtract'],
  [{ inputs: [['N', 3, 224, 224], [1, 3, 1, 1]], call: 'sub(x1)', output: ['N', 3, 224, 224], params: 0, macs: 0 }],
);
