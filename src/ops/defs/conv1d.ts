/** `conv1d`: see shared/conv.ts for the rule shared by all spatial ranks. */
import { makeConv } from '../shared/conv.js';

export const op = makeConv(1);
