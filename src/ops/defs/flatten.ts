/** `flatten`: PyTorch `nn.Flatten` (start_dim=1, end_dim=-1). */
import type { OpDef } from '../types.js';
import { prod } from '../shared/window.js';

export const op: OpDef = {
  name: 'flatten',
  category: 'shape',
  doc: 'Collapses axes `start_dim..end_dim` into one (default: everything but the batch axis, C×H×W → C·H·W). Symbolic sizes stay symbolic (`C*H*W`).',
  costDoc: 'No MACs, no FLOPs (a view).',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'start_dim', type: 'int', default: 1, doc: 'First axis to flatten (negative counts from the end).', aliases: ['start'] },
    { name: 'end_dim', type: 'int', default: -1, doc: 'Last axis to flatten, inclusive.', aliases: ['end'] },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const r = x.shape.length;
    const norm = (a: number) => (a < 0 ? a + r : a);
    const s = norm(ctx.attrs.start_dim as number);
    const e = norm(ctx.attrs.end_dim as number);
    if (s < 0 || s >= r || e < s || e >= r) return ctx.fail('E0303', `${ctx.label}: axes ${ctx.attrs.start_dim}..${ctx.attrs.end_dim} are out of range for a rank-${r} input`);
    const shape = [...x.shape.slice(0, s), prod(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
    return { outputs: [{ shape, dtype: x.dtype }], macs: 0, flops: 0, rf: { kind: 'none' } };
  },
  examples: [
    { inputs: [[1, 16, 5, 5]], call: 'flatten', output: [1, 400], params: 0, macs: 0 },
    { inputs: [['N', 64, 'H', 'W']], call: 'flatten', output: ['N', '64*H*W'] },
  ],
};
