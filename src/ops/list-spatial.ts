import type { OpDef } from './types.js';

export const OPS_SPATIAL: readonly OpDef[] = [];
