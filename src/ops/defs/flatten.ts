/** `flatten`: PyTorch `nn.Flatten` (start_dim=1, end_dim=-1). */
import type { OpDef } from '../types.js';
import { reshape } from '../shared/tfjs.js';
import { prod } from '../shared/window.js';

export const op: OpDef = {
  name: 'flatten',
  category: 'shape',
  doc: 'Collapses axes `start_dim..end_dim` into one (default: everything but the batch axis, C×H×W → C·H·W). Symbolic sizes stay symbolic (`C*H*W`).',
  costDoc: 'No MACs, no FLOPs (a view).',
  inputs: [{ name: 'x', carriesValues: true }],
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
    // Reshape: 0 copies the leading axes (same positions), -1 is the flattened run, then the axes after it.
    const tail = ctx.outputTypes[0]!.shape.slice(s + 1);
    const head = [...Array(s).fill(0), -1];
    if (tail.every((d) => typeof d === 'number')) return ctx.emit('Reshape', [ctx.inputs[0]!, ctx.int64s('shape', [...head, ...(tail as number[])])], ctx.outputs);
    // A symbolic size after the run (channel shuffle at any resolution): read the trailing axes from the input's shape,
    // and give the run's size when known (-1 beside sizes read at run time defeats ONNX shape inference).
    const run = ctx.outputTypes[0]!.shape[s]!;
    if (typeof run === 'number') head[s] = run;
    const shape = ctx.temp('shape');
    const after = ctx.temp('tail');
    const target = ctx.temp('target');
    ctx.emit('Shape', [ctx.inputs[0]!], [shape]);
    ctx.emit('Gather', [shape, ctx.int64s('tail_axes', Array.from({ length: r - e - 1 }, (_, i) => e + 1 + i))], [after], { axis: 0 });
    ctx.emit('Concat', [ctx.int64s('head', head), after], [target], { axis: 0 });
    ctx.emit('Reshape', [ctx.inputs[0]!, target], ctx.outputs);
  },
  // A reshape in dslc's axis order (a channels-last value is transposed back first: flatten order is NCHW).
  tfjs: (ctx) => ctx.output(0, reshape(ctx, ctx.input(0, 'nchw'), ctx.outputTypes[0]!.shape), 'nchw'),
  examples: [
    { inputs: [[1, 16, 5, 5]], call: 'flatten', output: [1, 400], params: 0, macs: 0 },
    { inputs: [['N', 64, 'H', 'W']], call: 'flatten', output: ['N', '64*H*W'] },
  ],
};
