/** `max_pool1d`: see shared/pool.ts for the rule shared by max/avg pooling of every rank. */
import { makePool } from '../shared/pool.js';

export const op = makePool('max', 1);
