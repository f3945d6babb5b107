/** `slice`: basic slicing along one axis, `x[..., start:end:step]` (Python / PyTorch semantics, ONNX `Slice`). */
import { type Dim, add, ceilDiv, formatDim } from '../../symbolic/dim.js';
import type { AttrValue, OpDef, WindowAxis } from '../types.js';
import { intAttr, normAxis } from '../shared/axes.js';
import { int32, nhwcShape, physAxis } from '../shared/tfjs.js';

/** ONNX `ends` for "to the end": any value ≥ the size is clamped (the largest int64 a double holds exactly). */
const TO_END = Number.MAX_SAFE_INTEGER;

/** Python's clamped [begin, end) of `start:end` on an axis of concrete size `d`. */
function bounds(d: number, start: number, end: AttrValue): [number, number] {
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + d : i, 0), d);
  return [clamp(start), end === null ? d : clamp(end as number)];
}

const text = (start: number, end: AttrValue, step: number) => `[${start}:${end === null ? '' : end}${step === 1 ? '' : `:${step}`}]`;

export const op: OpDef = {
  name: 'slice',
  category: 'shape',
  doc:
    'Basic slicing along one axis: `slice(2, 1, 5)` is PyTorch\'s `x[:, :, 1:5]`, `slice(-1, 0, none, 2)` is `x[..., ::2]` (ONNX `Slice`). ' +
    'Negative `start` / `end` count from the end and out-of-range indices are clamped, as in Python; an empty result is an error (E0401). ' +
    'On a symbolic axis the result is exact when both indices count from the same end (`1:5` → 5−1 = 4, `-3:` → 3) or run to the end ' +
    '(`2:` → `H - 2`, `1:-1` → `H - 2`), assuming the axis is long enough for the indices (as convolutions assume their kernel fits); ' +
    '`start` from the end with `end` from the start needs a concrete size. RF: a slice of a spatial axis is a 1-wide window with stride `step` ' +
    'starting at `start`.',
  costDoc: 'No MACs, no FLOPs (a copy). No parameters.',
  inputs: [{ name: 'x', carriesValues: true }],
  attrs: [
    { name: 'axis', type: 'int', doc: 'The axis to slice (negative: from the end).', aliases: ['dim'] },
    { name: 'start', type: 'int', default: 0, doc: 'First index kept (negative: from the end).', aliases: ['begin'] },
    { name: 'end', type: 'int', default: null, doc: 'Index after the last one kept (negative: from the end); none: to the end of the axis.', aliases: ['stop'] },
    { name: 'step', type: 'int', default: 1, min: 1, doc: 'Stride between kept indices (positive, as PyTorch).' },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const axis = intAttr(ctx, 'axis');
    const start = axis === undefined ? undefined : intAttr(ctx, 'start');
    const end = start === undefined || ctx.attrs.end === null ? null : intAttr(ctx, 'end');
    if (start === undefined || end === undefined) return { failed: true };
    const a = normAxis(ctx, 'axis', axis!, x.shape.length);
    if (a === undefined) return { failed: true };
    const step = ctx.attrs.step as number;
    const d = x.shape[a]!;
    const what = `${ctx.label}: slice ${text(start, end, step)} of axis ${a} (size ${formatDim(d)})`;
    const empty = () => ctx.fail('E0401', `${what} is empty`, { hint: 'start must come before end (Python would give a size-0 axis, which dslc does not model)' });
    let size: Dim;
    /** The first index kept, when known (the RF's offset). */
    let begin: number | undefined;
    if (typeof d === 'number') {
      const [s, e] = bounds(d, start, end);
      size = Math.max(0, Math.ceil((e - s) / step));
      begin = s;
    } else if (start >= 0 && end !== null && end >= 0) {
      size = Math.max(0, Math.ceil((end - start) / step));
      begin = start;
    } else if (start < 0 && (end === null || end < 0)) {
      size = Math.max(0, Math.ceil(((end ?? 0) - start) / step));
    } else if (start >= 0) {
      size = ceilDiv(add(d, (end ?? 0) - start), step, ctx.facts);
      begin = start;
    } else
      return ctx.fail('E0301', `${what}: its size depends on ${formatDim(d)} in a way dslc cannot express (start counts from the end, end from the start)`, {
        attr: 'start',
        hint: 'count both indices from the same end, or give the axis a concrete size',
      });
    if (size === 0) return empty();
    const shape = x.shape.map((s, i) => (i === a ? size : s));
    const axes: WindowAxis[] = x.shape.slice(2).map((_, i) => (i + 2 === a ? { kernel: 1, stride: step, dilation: 1, padBegin: begin === undefined ? undefined : -begin } : { kernel: 1, stride: 1, dilation: 1, padBegin: 0 }));
    return { outputs: [{ shape, dtype: x.dtype }], macs: 0, flops: 0, rf: a >= 2 ? { kind: 'window', axes } : { kind: 'identity' } };
  },
  onnx(ctx) {
    const r = ctx.inputTypes[0]!.shape.length;
    const axis = ctx.attrs.axis as number;
    const end = ctx.attrs.end === null ? TO_END : (ctx.attrs.end as number);
    const ins = [ctx.int64s('starts', [ctx.attrs.start as number]), ctx.int64s('ends', [end]), ctx.int64s('axes', [axis < 0 ? axis + r : axis]), ctx.int64s('steps', [ctx.attrs.step as number])];
    ctx.emit('Slice', [ctx.inputs[0]!, ...ins], ctx.outputs);
  },
  tfjs(ctx) {
    // Sizes are concrete here: StridedSlice with Python's clamped bounds, in whichever layout the input is held.
    const shape = ctx.inputTypes[0]!.shape;
    const r = shape.length;
    const layout = ctx.layout(0);
    const a = ((ctx.attrs.axis as number) + r) % r;
    const [s, e] = bounds(shape[a]!, ctx.attrs.start as number, ctx.attrs.end!);
    const phys = layout === 'nhwc' ? nhwcShape(shape) : [...shape];
    const pa = physAxis(a, r, layout);
    const begin = phys.map((_, i) => (i === pa ? s : 0));
    const stop = phys.map((d, i) => (i === pa ? e : d));
    const strides = phys.map((_, i) => (i === pa ? (ctx.attrs.step as number) : 1));
    ctx.output(0, ctx.node('StridedSlice', [ctx.input(0, layout), int32(ctx, 'begin', begin), int32(ctx, 'end', stop), int32(ctx, 'strides', strides)]), layout);
  },
  examples: [
    { inputs: [[1, 3, 8, 8]], call: 'slice(2, 1, 5)', output: [1, 3, 4, 8], params: 0, macs: 0 },
    { inputs: [['N', 'T', 64]], call: 'slice(1, 1, -1)', output: ['N', 'T - 2', 64], params: 0, macs: 0 },
    { inputs: [[2, 16, 10]], call: 'slice(-1, step=2)', output: [2, 16, 5], params: 0, macs: 0 },
  ],
};
