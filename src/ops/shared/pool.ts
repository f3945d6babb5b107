/** Shared definition of max_pool1d/2d/3d and avg_pool1d/2d/3d (PyTorch `nn.MaxPoolNd` / `nn.AvgPoolNd`). */
import { type Dim, add, floorDiv, isSymbolic, mul } from '../../symbolic/dim.js';
import type { OnnxAttr, OnnxLowerContext } from '../onnx-types.js';
import type { AttrDef, OpDef, OpExample, TensorType } from '../types.js';
import { ints, padAttrs } from './onnx-helpers.js';
import { pool } from './tfjs-pool.js';
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
    onnx(ctx) {
      const a = ctx.attrs;
      if (kind === 'avg' && a.divisor_override !== null) return ctx.unsupported('divisor_override has no ONNX AveragePool form (the divisor is the window size, or the count of non-padding elements)');
      const k = ints(a.kernel_size!, rank);
      const s = a.stride === null ? k : ints(a.stride!, rank);
      const d = kind === 'max' ? ints(a.dilation!, rank) : Array<number>(rank).fill(1);
      const pad = padAttrs(a.padding!, ctx.inputTypes[0]!.shape.slice(2), k, s, d);
      const ceil = a.ceil_mode === true ? ceilModeAttr(ctx, k, s, d, pad.pads as number[] | undefined) : 0;
      if (ceil === undefined) return;
      emitPool(ctx, kind, { kernel_shape: k, strides: s, ...pad, ceil_mode: ceil, ...(kind === 'max' ? { dilations: d } : { count_include_pad: a.count_include_pad === false ? 0 : 1 }) }, a.return_indices === true);
    },
    tfjs: (ctx) => pool(ctx, kind, rank),
    examples: EXAMPLES[kind][rank]!,
  };
}

/**
 * ONNX `ceil_mode` for PyTorch's ceil_mode=True. PyTorch drops a last window that would start in the right
 * padding; ONNX shape inference and runtimes only do so in recent versions (onnx ≥ 1.16). So `ceil_mode` is
 * written as 1 only when it adds a window that PyTorch keeps (then both rules agree), and as 0 when rounding
 * up changes nothing or the extra window is dropped. Undefined (after reporting) when a symbolic size makes it
 * unknowable whether the rule applies.
 */
function ceilModeAttr(ctx: OnnxLowerContext, k: number[], s: number[], d: number[], pads: number[] | undefined): 0 | 1 | undefined {
  if (!pads) return 0; // 'same' (auto_pad): the size is ceil(in/stride) whatever ceil_mode says
  const rank = k.length;
  const spatial = ctx.inputTypes[0]!.shape.slice(2);
  const out = ctx.outputTypes[0]!.shape.slice(2);
  let ceil: 0 | 1 = 0;
  for (let i = 0; i < rank; i++) {
    const ke = effKernel(k[i]!, d[i]!);
    const [pb, pe] = [pads[i]!, pads[i + rank]!];
    const W = spatial[i]!;
    if (isSymbolic(W)) {
      // A dropped window needs stride > kernel_eff - pad_end; otherwise ceil_mode=1 means the same in both rules.
      if (s[i]! > ke - pe) {
        ctx.unsupported(`ceil_mode with a symbolic size ${AXIS_NAMES[rank]![i]} and stride ${s[i]} > kernel ${ke} - padding ${pe}: whether PyTorch drops a last window starting in the padding depends on the size, and ONNX runtimes differ on that rule; give a concrete size`);
        return undefined;
      }
      ceil = 1;
    } else if (out[i] !== Math.floor((W + pb + pe - ke) / s[i]!) + 1) ceil = 1;
  }
  return ceil;
}

/**
 * Emits MaxPool/AveragePool. AveragePool has `dilations` from opset 19 (written then, as ones). MaxPool
 * padding not smaller than the kernel (legal in PyTorch with dilation) becomes a Pad with -inf. With
 * `indices`, MaxPool's Indices (flat over N·C·spatial, row-major) become PyTorch's per-plane indices by
 * taking them modulo the plane size, which must be concrete.
 */
export function emitPool(ctx: OnnxLowerContext, kind: PoolKind, attrs: Record<string, OnnxAttr>, indices = false): void {
  if (kind === 'avg') return ctx.emit('AveragePool', ctx.inputs, ctx.outputs, { ...attrs, ...(ctx.opset >= 19 ? { dilations: (attrs.kernel_shape as number[]).map(() => 1) } : {}) });
  let x = ctx.inputs[0]!;
  const k = attrs.kernel_shape as number[];
  const pads = attrs.pads as number[] | undefined;
  if (pads?.some((p, i) => p >= k[i % k.length]!)) {
    // PyTorch allows padding up to half the dilated kernel, but ONNX Runtime rejects MaxPool pads ≥ kernel_shape
    // (dilation ignored): pad with -inf first (max ignores it, as it ignores MaxPool's own padding).
    if (indices) return ctx.unsupported(`return_indices with padding ${pads.join(',')} not smaller than the kernel ${k.join('×')}: ONNX Runtime rejects such MaxPool pads, and indices into a pre-padded input would be shifted`);
    const r = k.length;
    x = ctx.temp('padded');
    ctx.emit('Pad', [ctx.inputs[0]!, ctx.int64s('pads', [0, 0, ...pads.slice(0, r), 0, 0, ...pads.slice(r)]), ctx.floats('neg_inf', [-Infinity], [])], [x], { mode: 'constant' });
    attrs = { ...attrs, pads: pads.map(() => 0) };
  }
  if (!indices) return ctx.emit('MaxPool', [x], ctx.outputs, attrs);
  const plane = ctx.inputTypes[0]!.shape.slice(2);
  if (plane.some(isSymbolic)) return ctx.unsupported('return_indices with a symbolic spatial size: ONNX MaxPool indices are flat over the whole N·C·spatial tensor and become PyTorch\'s per-plane indices only modulo a concrete plane size');
  const flat = ctx.temp('flat_indices');
  ctx.emit('MaxPool', [x], [ctx.outputs[0]!, flat], attrs);
  ctx.emit('Mod', [flat, ctx.int64s('plane_size', [(plane as number[]).reduce((x, y) => x * y, 1)], [])], [ctx.outputs[1]!]);
}
