/** Shared definition of max_pool1d/2d/3d and avg_pool1d/2d/3d (PyTorch `nn.MaxPoolNd` / `nn.AvgPoolNd`). */
import { type Dim, add, floorDiv, isSymbolic, mul } from '../../symbolic/dim.js';
import type { AttrDef, OpDef, OpExample, TensorType } from '../types.js';
import { AXIS_NAMES, effKernel, expand, prod, resolvePadding, windowAxes, windowOutputs } from './window.js';

export type PoolKind = 'max' | 'avg';
const RANK_SHAPE: Record<number, string> = { 1: 'N×C×L', 2: 'N×C×H×W', 3: 'N×C×D×H×W' };
const TORCH: Record<PoolKind, string> = { max: 'MaxPool', avg: 'AvgPool' };

const common = (rank: number): AttrDef[] => [
  { name: 'kernel_size', type: 'ints', min: 1, doc: `Window size: an int or a tuple of ${rank}.`, aliases: ['k', 'kernel', 'pool_size'] },
  { name: 'stride', type: 'ints', default: null, min: 1, doc: 'Stride per spatial axis; `none` (the default) means the kernel size, as in PyTorch and Keras.', aliases: ['s', 'strides'] },
  { name: 'padding', type: 'padding', default: 0, min: 0, doc: "Implicit padding per side (-inf for max, 0 for avg): an int or a tuple, at most half the (effective) kernel (PyTorch rule); or 'valid' (none) or 'same' (Keras: out = ceil(in/stride), SAME_UPPER).", aliases: ['pad', 'p'] },
];
const ceilMode: AttrDef = { name: 'ceil_mode', type: 'bool', default: false, doc: 'Round the output size up instead of down (partial windows at the end), but no window may start in the right padding (PyTorch).' };

const ATTRS: Record<PoolKind, (rank: number) => AttrDef[]> = {
  max: (rank) => [
    ...common(rank),
    { name: 'dilation', type: 'ints', default: 1, min: 1, doc: 'Spacing between window taps.', aliases: ['d'] },
    { name: 'return_indices', type: 'bool', default: false, doc: 'Also return the argmax indices (a second int64 output of the same shape), as PyTorch.' },
    ceilMode,
  ],
  avg: (rank) => [
    ...common(rank),
    ceilMode,
    { name: 'count_include_pad', type: 'bool', default: true, doc: 'Count padded zeros in the average divisor (PyTorch default; Keras `same` pooling excludes them). No effect on shapes or counts.' },
    { name: 'divisor_override', type: 'int', default: null, min: 1, doc: 'Divide by this instead of the window size. No effect on shapes or counts.' },
  ],
};

const EXAMPLES: Record<PoolKind, Record<number, OpExample[]>> = {
  max: {
    1: [{ inputs: [[1, 4, 100]], call: 'max_pool1d(2)', output: [1, 4, 50], params: 0, macs: 0 }],
    2: [
      { inputs: [[1, 64, 55, 55]], call: 'max_pool2d(3, stride=2)', output: [1, 64, 27, 27], params: 0, macs: 0 },
      { inputs: [[1, 64, 112, 112]], call: 'max_pool2d(3, stride=2, padding=1)', output: [1, 64, 56, 56], params: 0, macs: 0 },
      { inputs: [[1, 96, 109, 109]], call: 'max_pool2d(3, stride=2, ceil_mode=true)', output: [1, 96, 54, 54], params: 0, macs: 0 },
    ],
    3: [{ inputs: [[1, 8, 16, 32, 32]], call: 'max_pool3d((1, 2, 2))', output: [1, 8, 16, 16, 16], params: 0, macs: 0 }],
  },
  avg: {
    1: [{ inputs: [[2, 8, 'L']], call: 'avg_pool1d(4)', output: [2, 8, 'floor(L/4)'], params: 0, macs: 0 }],
    2: [
      { inputs: [[1, 6, 28, 28]], call: 'avg_pool2d(2)', output: [1, 6, 14, 14], params: 0, macs: 0 },
      { inputs: [[1, 16, 15, 15]], call: "avg_pool2d(2, padding='same')", output: [1, 16, 8, 8], params: 0, macs: 0 },
    ],
    3: [{ inputs: [[1, 4, 8, 8, 8]], call: 'avg_pool3d(2, stride=2)', output: [1, 4, 4, 4, 4], params: 0, macs: 0 }],
  },
};

/** Builds the max or average pool of a given spatial rank. */
export function makePool(kind: PoolKind, rank: 1 | 2 | 3): OpDef {
  const name = `${kind}_pool${rank}d`;
  return {
    name,
    aliases: [`${kind}pool${rank}d`],
    category: 'pool',
    doc: `${rank}-D ${kind === 'max' ? 'max' : 'average'} pooling over an ${RANK_SHAPE[rank]} input (PyTorch \`nn.${TORCH[kind]}${rank}d\`). Keeps the channels; no parameters. Output size per axis: \`floor((in + 2*padding - ${kind === 'max' ? 'dilation*(kernel-1) - 1' : 'kernel'})/stride) + 1\` (ceil with \`ceil_mode\`, dropping a last window that would start in the right padding); \`same\` gives \`ceil(in/stride)\` (Keras). The stride defaults to the kernel.`,
    costDoc: `No MACs (0). FLOPs = output elements × ∏kernel (${kind === 'max' ? 'comparisons' : 'additions; the division is not counted'}). No parameters.`,
    inputs: [{ name: 'x' }],
    attrs: ATTRS[kind](rank),
    infer(ctx) {
      const x = ctx.inputs[0]!;
      if (x.shape.length !== rank + 2) return ctx.fail('E0400', `${ctx.label} expects a rank-${rank + 2} input (${RANK_SHAPE[rank]}), got rank ${x.shape.length}`);
      const k = expand(ctx, 'kernel_size', ctx.attrs.kernel_size!, rank);
      const s = ctx.attrs.stride === null ? k : expand(ctx, 'stride', ctx.attrs.stride!, rank);
      const d = kind === 'max' ? expand(ctx, 'dilation', ctx.attrs.dilation!, rank) : Array<number>(rank).fill(1);
      if (!k || !s || !d) return { failed: true };
      if (ctx.attrs.padding === 'full') return ctx.fail('E0301', `${ctx.label}: pooling has no 'full' padding`, { attr: 'padding', hint: "use an int, a tuple, 'valid' or 'same'" });
      const spatial = x.shape.slice(2);
      const pad = resolvePadding(ctx.attrs.padding!, spatial, k, s, d, ctx);
      if (!pad) return { failed: true };
      const names = AXIS_NAMES[rank]!;
      if (pad.mode === 'explicit')
        for (let i = 0; i < rank; i++) {
          const half = Math.floor(effKernel(k[i]!, d[i]!) / 2);
          if (pad.begin[i]! > half)
            return ctx.fail('E0301', `${ctx.label}: padding ${pad.begin[i]} on ${names[i]} is more than half the ${d[i]! > 1 ? 'effective ' : ''}kernel ${effKernel(k[i]!, d[i]!)} (at most ${half}; PyTorch rule)`, {
              attr: 'padding',
              hint: 'a window made only of padding has no input to pool; use a larger kernel or less padding',
            });
        }
      const ceil = ctx.attrs.ceil_mode === true;
      const w = { kernel: k, stride: s, dilation: d, pad, ceilMode: ceil };
      const out = windowOutputs(ctx, spatial, w, 'pool');
      if (!out) return { failed: true };
      // ceil_mode with a symbolic size: windowOutputs drops a last window that starts in the right padding only
      // for concrete sizes. When stride ≥ kernel_eff - pad_begin that can happen, and the PyTorch size is then
      // exactly the number of window starts inside [-pad, in - 1]: floor((in + pad - 1)/stride) + 1.
      const fixed: Dim[] = out.map((o, i) =>
        ceil && pad.mode !== 'same' && isSymbolic(spatial[i]!) && s[i]! > effKernel(k[i]!, d[i]!) - pad.begin[i]!
          ? add(floorDiv(add(spatial[i]!, pad.begin[i]! - 1), s[i]!, ctx.facts), 1)
          : o,
      );
      const shape = [x.shape[0]!, x.shape[1]!, ...fixed];
      const y: TensorType = { shape, dtype: x.dtype };
      return {
        outputs: ctx.attrs.return_indices === true ? [y, { shape, dtype: 'int64' }] : [y],
        macs: 0,
        flops: mul(prod(shape), k.reduce((a, b) => a * b, 1)),
        rf: { kind: 'window', axes: windowAxes(w) },
      };
    },
    examples: EXAMPLES[kind][rank]!,
  };
}
