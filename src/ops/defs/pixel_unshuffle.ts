/** `pixel_unshuffle`: see shared/pixel-shuffle.ts. */
import { makePixelShuffle } from '../shared/pixel-shuffle.js';

export const op = makePixelShuffle(true);
