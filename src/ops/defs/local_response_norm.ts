/** `local_response_norm`: PyTorch `nn.LocalResponseNorm` (AlexNet's LRN). */
import { mul } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { prod } from '../shared/window.js';

export const op: OpDef = {
  name: 'local_response_norm',
  aliases: ['lrn'],
  category: 'norm',
  doc:
    'Local response normalisation across channels (PyTorch `nn.LocalResponseNorm`, AlexNet): ' +
    '`y_c = x_c / (k + alpha/size · Σ x_{c\'}²)^beta`, the sum over the `size` neighbouring channels of c (zero-padded). ' +
    'Input `[N, C, ...]` of rank ≥ 3; no parameters; shape unchanged.',
  costDoc:
    'No MACs (peers count conv and dense only). FLOPs = (2·size + 4) per element: `size` squares and `size` adds for the window sum, then ' +
    'scale, add k, power, divide (the power counted as 1 FLOP).',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'size', type: 'int', min: 1, doc: 'Number of neighbouring channels summed over (AlexNet: 5).', aliases: ['depth_radius'] },
    { name: 'alpha', type: 'float', default: 1e-4, doc: 'Multiplicative factor (divided by size, as in PyTorch).' },
    { name: 'beta', type: 'float', default: 0.75, doc: 'Exponent.' },
    { name: 'k', type: 'float', default: 1.0, doc: 'Additive constant (AlexNet: 2).', aliases: ['bias'] },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length < 3) return ctx.fail('E0400', `${ctx.label} expects an input of rank ≥ 3 ([N, C, ...]), got rank ${x.shape.length}`);
    const size = ctx.attrs.size;
    if (typeof size !== 'number') return ctx.fail('E0300', `${ctx.label}: size must be a concrete int`, { attr: 'size' });
    return { outputs: [x], macs: 0, flops: mul(prod(x.shape), 2 * size + 4), rf: { kind: 'identity' } };
  },
  examples: [
    { inputs: [[1, 96, 55, 55]], call: 'lrn(5, alpha=1e-4, beta=0.75, k=2.0)', output: [1, 96, 55, 55], params: 0, macs: 0 },
    { inputs: [['N', 256, 'H', 'W']], call: 'local_response_norm(size=5)', output: ['N', 256, 'H', 'W'] },
  ],
};
