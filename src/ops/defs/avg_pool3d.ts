/** `avg_pool3d`: see shared/pool.ts for the rule shared by max/avg pooling of every rank. */
import { makePool } from '../shared/pool.js';

export const op = makePool('avg', 3);
