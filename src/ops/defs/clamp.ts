/** `clamp`: `torch.clamp(x, min, max)`; see shared/clamp.ts. */
import { makeClamp } from '../shared/clamp.js';

export const op = makeClamp({
  name: 'clamp',
  aliases: ['clip'],
  doc: 'Clamps to `[min, max]`, either bound optional (`torch.clamp`, ONNX `Clip`): `clamp(min=0)` is ReLU, `clamp(max=1)` caps only. At least one bound is required.',
  lo: { name: 'min', type: 'float', default: null, doc: 'Lower bound; none: no lower bound.', aliases: ['min_val'] },
  hi: { name: 'max', type: 'float', default: null, doc: 'Upper bound; none: no upper bound.', aliases: ['max_val'] },
  examples: [
    { inputs: [[1, 3, 32, 32]], call: 'clamp(0, 1)', output: [1, 3, 32, 32], params: 0, macs: 0 },
    { inputs: [['N', 10]], call: 'clamp(max=50)', output: ['N', 10], params: 0, macs: 0 },
  ],
});
