import { makeBinary } from '../shared/broadcast.js';

export const op = makeBinary('add', 'Add', 'AddV2', 'Elementwise sum of two or more tensors with NumPy broadcasting (residual connections: `add(y, x)` or `y -> add(x)`).');
