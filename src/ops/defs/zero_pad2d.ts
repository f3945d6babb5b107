/** `zero_pad2d`: see shared/zero-pad.ts for the rule shared by every rank. */
import { makeZeroPad } from '../shared/zero-pad.js';

export const op = makeZeroPad(2);
