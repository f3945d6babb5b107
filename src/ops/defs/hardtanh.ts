/** `hardtanh`: PyTorch `nn.Hardtanh`; see shared/clamp.ts. */
import { makeClamp } from '../shared/clamp.js';

export const op = makeClamp({
  name: 'hardtanh',
  aliases: ['hard_tanh'],
  doc: 'Clamps to `[min_val, max_val]`, by default [−1, 1] (PyTorch `nn.Hardtanh`; `relu6` is hardtanh(0, 6)). ONNX `Clip`.',
  lo: { name: 'min_val', type: 'float', default: -1, doc: 'Lower bound (PyTorch default −1).', aliases: ['min'] },
  hi: { name: 'max_val', type: 'float', default: 1, doc: 'Upper bound (PyTorch default 1).', aliases: ['max'] },
  examples: [
    { inputs: [[2, 64, 8, 8]], call: 'hardtanh', output: [2, 64, 8, 8], params: 0, macs: 0 },
    { inputs: [['N', 128]], call: 'hardtanh(-2.5, 2.5)', output: ['N', 128], params: 0, macs: 0 },
  ],
});
