/** `global_max_pool`: see shared/global-pool.ts. */
import { makeGlobalPool } from '../shared/global-pool.js';

export const op = makeGlobalPool('max');
