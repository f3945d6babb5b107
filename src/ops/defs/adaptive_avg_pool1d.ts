/** `adaptive_avg_pool1d`: see shared/global-pool.ts for the rule shared by adaptive pooling of every rank. */
import { makeAdaptivePool } from '../shared/global-pool.js';

export const op = makeAdaptivePool('avg', 1);
