/** `reduce_mean`: torch.mean over axes; see shared/reduce.ts. */
import { makeReduce } from '../shared/reduce.js';

export const op = makeReduce('mean', ['mean'], [
  { inputs: [[1, 512, 7, 7]], call: 'reduce_mean((2, 3))', output: [1, 512], params: 0, macs: 0 },
  { inputs: [['N', 'T', 768]], call: 'mean(1, keepdims=true)', output: ['N', 1, 768], params: 0, macs: 0 },
]);
