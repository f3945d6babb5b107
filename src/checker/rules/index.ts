import { biasBeforeNorm } from './bias-before-norm.js';
import { emptyOutput } from './empty-output.js';
import type { Rule } from './rule.js';
import { unusedTensor } from './unused-tensor.js';

/** Graph-level rules. Op-local lints (dropped input, asymmetric padding) live with their ops. */
export const RULES: readonly Rule[] = [biasBeforeNorm, unusedTensor, emptyOutput];
