/** `conv_transpose3d`: see shared/conv-transpose.ts for the rule shared by all spatial ranks. */
import { makeConvTranspose } from '../shared/conv-transpose.js';

export const op = makeConvTranspose(3);
