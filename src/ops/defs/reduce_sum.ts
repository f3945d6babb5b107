/** `reduce_sum`: torch.sum over axes; see shared/reduce.ts. */
import { makeReduce } from '../shared/reduce.js';

export const op = makeReduce('sum', [], [
  { inputs: [['N', 'T', 64]], call: 'reduce_sum(-1)', output: ['N', 'T'], params: 0, macs: 0 },
  { inputs: [[2, 8, 'H', 'W']], call: 'reduce_sum(1, keepdims=true)', output: [2, 1, 'H', 'W'], params: 0, macs: 0 },
]);
