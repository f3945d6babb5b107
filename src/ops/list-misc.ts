import type { OpDef } from './types.js';

export const OPS_MISC: readonly OpDef[] = [];
