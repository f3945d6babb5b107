/** Shared definition of zero_pad1d/2d/3d (PyTorch `nn.ZeroPad1d/2d/3d`, Keras `ZeroPadding1D/2D/3D`). */
import { add } from '../../symbolic/dim.js';
import type { AttrValue, OpDef, OpExample, WindowAxis } from '../types.js';

const RANK_SHAPE: Record<number, string> = { 1: 'N×C×L', 2: 'N×C×H×W', 3: 'N×C×D×H×W' };
/** The full PyTorch tuple, last axis first: (left, right[, top, bottom[, front, back]]). */
const FULL: Record<number, string> = { 1: '(left, right)', 2: '(left, right, top, bottom)', 3: '(left, right, top, bottom, front, back)' };
const SYM: Record<number, string> = { 1: '', 2: '(pad_h, pad_w)', 3: '(pad_d, pad_h, pad_w)' };

const EXAMPLES: Record<number, OpExample[]> = {
  1: [{ inputs: [[1, 4, 10]], call: 'zero_pad1d((1, 2))', output: [1, 4, 13], params: 0, macs: 0 }],
  2: [
    { inputs: [[1, 3, 224, 224]], call: 'zero_pad2d(3)', output: [1, 3, 230, 230], params: 0, macs: 0 },
    { inputs: [[1, 8, 'H', 'W']], call: 'zero_pad2d((0, 1, 0, 1))', output: [1, 8, 'H + 1', 'W + 1'], params: 0, macs: 0 },
    { inputs: [[1, 8, 10, 10]], call: 'zero_pad2d((1, 2))', output: [1, 8, 12, 14], params: 0, macs: 0 },
  ],
  3: [{ inputs: [[1, 2, 4, 4, 4]], call: 'zero_pad3d(1)', output: [1, 2, 6, 6, 6], params: 0, macs: 0 }],
};

/** Begin and end padding per spatial axis in NCHW order (axis 0 = first spatial axis); undefined for a wrong count. */
function beginEnd(v: AttrValue, rank: number): [number[], number[]] | undefined {
  const p = (Array.isArray(v) ? v : [v]) as number[];
  if (p.length === 1) return [Array<number>(rank).fill(p[0]!), Array<number>(rank).fill(p[0]!)];
  // PyTorch order: last axis first, (begin, end) pairs.
  if (p.length === 2 * rank) return [Array.from({ length: rank }, (_, i) => p[2 * (rank - 1 - i)]!), Array.from({ length: rank }, (_, i) => p[2 * (rank - 1 - i) + 1]!)];
  // Keras: symmetric per axis.
  if (p.length === rank && rank > 1) return [[...p], [...p]];
  return undefined;
}

/** Builds the zero-padding op of a given spatial rank. */
export function makeZeroPad(rank: 1 | 2 | 3): OpDef {
  const name = `zero_pad${rank}d`;
  const forms = `an int (every side), ${FULL[rank]} as PyTorch \`nn.ZeroPad${rank}d\` (last axis first)${rank > 1 ? `, or ${SYM[rank]} symmetric per axis as Keras \`ZeroPadding${rank}D\`` : ''}`;
  return {
    name,
    aliases: [`zeropad${rank}d`, `zero_padding${rank}d`],
    category: 'shape',
    doc: `Pads the spatial axes of an ${RANK_SHAPE[rank]} input with zeros (PyTorch \`nn.ZeroPad${rank}d\`). \`padding\` is ${forms}. Negative (cropping) pads are not accepted.`,
    costDoc: 'No MACs, no FLOPs (a copy). No parameters.',
    inputs: [{ name: 'x' }],
    attrs: [{ name: 'padding', type: 'ints', min: 0, doc: `Pad sizes: ${forms}.`, aliases: ['pad', 'p'] }],
    infer(ctx) {
      const x = ctx.inputs[0]!;
      if (x.shape.length !== rank + 2) return ctx.fail('E0400', `${ctx.label} expects a rank-${rank + 2} input (${RANK_SHAPE[rank]}), got rank ${x.shape.length}`);
      const r = beginEnd(ctx.attrs.padding!, rank);
      if (!r) return ctx.fail('E0301', `${ctx.label}: padding has ${(Array.isArray(ctx.attrs.padding) ? ctx.attrs.padding : [0]).length} values; expected ${forms}`, { attr: 'padding' });
      const [begin, end] = r;
      const spatial = x.shape.slice(2).map((d, i) => add(d, begin[i]! + end[i]!));
      const axes: WindowAxis[] = begin.map((b) => ({ kernel: 1, stride: 1, dilation: 1, padBegin: b }));
      return { outputs: [{ shape: [x.shape[0]!, x.shape[1]!, ...spatial], dtype: x.dtype }], macs: 0, flops: 0, rf: { kind: 'window', axes } };
    },
    onnx(ctx) {
      // Pad (inputs form, opset ≥ 11): pads for every axis, [begins…, ends…], batch and channels 0.
      const [begin, end] = beginEnd(ctx.attrs.padding!, rank)!;
      ctx.emit('Pad', [ctx.inputs[0]!, ctx.int64s('pads', [0, 0, ...begin, 0, 0, ...end])], ctx.outputs, { mode: 'constant' });
    },
    tfjs(ctx) {
      // Channels-last: pads [[0, 0], spatial pairs…, [0, 0]].
      const [begin, end] = beginEnd(ctx.attrs.padding!, rank)!;
      const pads = Int32Array.from([0, 0, ...begin.flatMap((b, i) => [b, end[i]!]), 0, 0]);
      ctx.output(0, ctx.node('Pad', [ctx.input(0, 'nhwc'), ctx.constant('pads', pads, [rank + 2, 2])]), 'nhwc');
    },
    examples: EXAMPLES[rank]!,
  };
}
