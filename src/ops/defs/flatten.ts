/** `flatten`: PyTorch `nn.Flatten` (start_dim=1, end_dim=-1). */
import type { OpDef } from '../types.js';
import { reshape } from '../shared/tfjs.js';
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
  onnx(ctx) {
    const r = ctx.inputTypes[0]!.shape.length;
    const s = ((ctx.attrs.start_dim as number) + r) % r;
    const e = ((ctx.attrs.end_dim as number) + r) % r;
    // ONNX Flatten always yields rank 2, which equals PyTorch's result only for start_dim=1 to the end.
    if (s === 1 && e === r - 1) return ctx.emit('Flatten', ctx.inputs, ctx.outputs, { axis: 1 });
    // Reshape: 0 copies the leading axes (same positions); the axes after the flattened run must be known.
    const tail = ctx.outputTypes[0]!.shape.slice(s + 1);
    if (tail.some((d) => typeof d !== 'number')) return ctx.unsupported('flattening a middle run of axes needs concrete sizes after it');
    ctx.emit('Reshape', [ctx.inputs[0]!, ctx.int64s('shape', [...Array(s).fill(0), -1, ...(tail as number[])])], ctx.outputs);
  },
  // A reshape in dslc's axis order (a channels-last value is transposed back first: flatten order is NCHW).
  tfjs: (ctx) => ctx.output(0, reshape(ctx, ctx.input(0, 'nchw'), ctx.outputTypes[0]!.shape), 'nchw'),
  examples: [
    { inputs: [[1, 16, 5, 5]], call: 'flatten', output: [1, 400], params: 0, macs: 0 },
    { inputs: [['N', 64, 'H', 'W']], call: 'flatten', output: ['N', '64*H*W'] },
  ],
};
