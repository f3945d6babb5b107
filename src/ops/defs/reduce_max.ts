/** `reduce_max`: torch.amax over axes (values only; torch.max(dim) also returns indices); see shared/reduce.ts. */
import { makeReduce } from '../shared/reduce.js';

export const op = makeReduce('max', ['amax'], [
  { inputs: [[4, 10, 128]], call: 'reduce_max(1)', output: [4, 128], params: 0, macs: 0 },
  { inputs: [[1, 64, 32, 32]], call: 'amax((-2, -1), keepdims=true)', output: [1, 64, 1, 1], params: 0, macs: 0 },
]);
