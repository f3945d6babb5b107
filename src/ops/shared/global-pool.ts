/**
 * Shared definitions of global pooling (`global_avg_pool`, `global_max_pool`) and adaptive pooling
 * (PyTorch `nn.AdaptiveAvgPoolNd` / `nn.AdaptiveMaxPoolNd`).
 */
import { type Dim, compareDims, formatDim, isSymbolic } from '../../symbolic/dim.js';
import type { AttrValue, OpDef, OpExample, RfTransfer, TensorType, WindowAxis } from '../types.js';
import { type PoolKind, emitPool } from './pool.js';
import { AXIS_NAMES, prod } from './window.js';
import { adaptivePool, globalPool } from './tfjs-pool.js';

const WORD: Record<PoolKind, string> = { max: 'max', avg: 'average' };
const TORCH: Record<PoolKind, string> = { max: 'Max', avg: 'Avg' };
const RANK_SHAPE: Record<number, string> = { 1: 'N×C×L', 2: 'N×C×H×W', 3: 'N×C×D×H×W' };

/** Builds `global_avg_pool` / `global_max_pool`: any rank ≥ 3, every spatial axis reduced to 1. */
export function makeGlobalPool(kind: PoolKind): OpDef {
  return {
    name: `global_${kind}_pool`,
    aliases: kind === 'avg' ? ['global_avgpool', 'gap'] : ['global_maxpool'],
    category: 'pool',
    doc: `Global ${WORD[kind]} pooling over all spatial axes of an N×C×spatial input (rank ≥ 3): C×H×W → C×1×1. Keeps the reduced axes as size 1 by default, like PyTorch \`nn.Adaptive${TORCH[kind]}Pool2d(1)\` (\`keepdims=false\` gives N×C like Keras \`Global${kind === 'avg' ? 'Average' : 'Max'}Pooling2D\`). Each output sees the whole input.`,
    costDoc: `No MACs (0). FLOPs = input elements (one ${kind === 'max' ? 'comparison' : 'addition'} per input element; the ${kind === 'max' ? 'first element is not special-cased' : 'division per channel is not counted'}). No parameters.`,
    inputs: [{ name: 'x' }],
    attrs: [{ name: 'keepdims', type: 'bool', default: true, doc: 'Keep the pooled axes as size 1 (N×C×1×1, PyTorch); false gives N×C (Keras).', aliases: ['keepdim'] }],
    infer(ctx) {
      const x = ctx.inputs[0]!;
      if (x.shape.length < 3) return ctx.fail('E0400', `${ctx.label} expects an input of rank ≥ 3 (N×C×spatial), got rank ${x.shape.length}`, { hint: 'there is no spatial axis to pool' });
      const keep = ctx.attrs.keepdims !== false;
      const shape = keep ? [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)] : [x.shape[0]!, x.shape[1]!];
      return { outputs: [{ shape, dtype: x.dtype }], macs: 0, flops: prod(x.shape), rf: { kind: 'global' } };
    },
    onnx(ctx) {
      const op = kind === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool';
      if (ctx.attrs.keepdims !== false) return ctx.emit(op, ctx.inputs, ctx.outputs);
      // N×C×1…1 → N×C: Flatten from axis 1 needs no sizes, so symbolic N and C are fine.
      const t = ctx.temp(op);
      ctx.emit(op, ctx.inputs, [t]);
      ctx.emit('Flatten', [t], ctx.outputs, { axis: 1 });
    },
    tfjs: (ctx) => globalPool(ctx, kind),
    examples: [
      { inputs: [[1, 512, 7, 7]], call: `global_${kind}_pool`, output: [1, 512, 1, 1], params: 0, macs: 0 },
      { inputs: [['N', 64, 'H', 'W']], call: `global_${kind}_pool(keepdims=false)`, output: ['N', 64], params: 0, macs: 0 },
    ],
  };
}

const ADAPTIVE_EXAMPLES: Record<number, OpExample[]> = {
  1: [{ inputs: [[1, 16, 100]], call: 'POOL(10)', output: [1, 16, 10], params: 0, macs: 0 }],
  2: [
    { inputs: [[1, 512, 14, 14]], call: 'POOL(7)', output: [1, 512, 7, 7], params: 0, macs: 0 },
    { inputs: [[1, 256, 'H', 'W']], call: 'POOL((2, 3))', output: [1, 256, 2, 3], params: 0, macs: 0 },
  ],
  3: [{ inputs: [[1, 8, 4, 16, 16]], call: 'POOL((1, 4, 4))', output: [1, 8, 1, 4, 4], params: 0, macs: 0 }],
};

/** Builds `adaptive_avg_pool{1,2,3}d` / `adaptive_max_pool{1,2,3}d`. */
export function makeAdaptivePool(kind: PoolKind, rank: 1 | 2 | 3): OpDef {
  const name = `adaptive_${kind}_pool${rank}d`;
  return {
    name,
    aliases: [`adaptive_${kind}pool${rank}d`],
    category: 'pool',
    doc: `Adaptive ${rank}-D ${WORD[kind]} pooling to a fixed output size over an ${RANK_SHAPE[rank]} input (PyTorch \`nn.Adaptive${TORCH[kind]}Pool${rank}d\`): output window i spans \`floor(i*in/out)\` to \`ceil((i+1)*in/out)\`. Keeps the channels; no parameters. Works on symbolic inputs (the output size is fixed). Receptive field: when every spatial size is concrete and divisible by its output size the windows are a plain pooling with kernel = stride = in/out; otherwise the op is treated as global (each output is assumed to see the whole input: an over-estimate, since the exact window varies per output).`,
    costDoc: `No MACs (0). FLOPs = input elements (each input element is ${kind === 'max' ? 'compared' : 'added'} once; overlapping windows when in is not divisible by out, or out > in, are not counted twice). No parameters.`,
    inputs: [{ name: 'x' }],
    attrs: [
      { name: 'output_size', type: 'ints', min: 1, doc: `Output size: an int or a tuple of ${rank}${rank > 1 ? '; a `none` entry keeps that axis (PyTorch), where the attribute binder accepts it' : ''}.`, aliases: ['size', 'out'] },
      ...(kind === 'max' ? [{ name: 'return_indices', type: 'bool' as const, default: false, doc: 'Also return the argmax indices (a second int64 output), as PyTorch.' }] : []),
    ],
    infer(ctx) {
      const x = ctx.inputs[0]!;
      if (x.shape.length !== rank + 2) return ctx.fail('E0400', `${ctx.label} expects a rank-${rank + 2} input (${RANK_SHAPE[rank]}), got rank ${x.shape.length}`);
      const v = ctx.attrs.output_size!;
      const sizes: readonly AttrValue[] = Array.isArray(v) ? (v.length === 1 ? Array(rank).fill(v[0]) : v) : Array(rank).fill(v);
      if (sizes.length !== rank) return ctx.fail('E0301', `output_size has ${sizes.length} values but ${ctx.label} has ${rank} spatial axes`, { attr: 'output_size' });
      const spatial = x.shape.slice(2);
      const out: Dim[] = sizes.map((o, i) => (o === null ? spatial[i]! : (o as number)));
      const shape = [x.shape[0]!, x.shape[1]!, ...out];
      const axes: WindowAxis[] = [];
      for (let i = 0; i < rank; i++) {
        const W = spatial[i]!;
        const o = out[i]!;
        if (isSymbolic(W) || isSymbolic(o) || W % o !== 0) break;
        axes.push({ kernel: W / o, stride: W / o, dilation: 1, padBegin: 0 });
      }
      const rf: RfTransfer = axes.length === rank ? { kind: 'window', axes } : { kind: 'global' };
      const y: TensorType = { shape, dtype: x.dtype };
      return { outputs: ctx.attrs.return_indices === true ? [y, { shape, dtype: 'int64' }] : [y], macs: 0, flops: prod(x.shape), rf };
    },
    onnx(ctx) {
      const indices = ctx.attrs.return_indices === true;
      const spatial = ctx.inputTypes[0]!.shape.slice(2);
      const out = ctx.outputTypes[0]!.shape.slice(2);
      // Every axis to 1: the global pool (any size, symbolic included).
      if (!indices && out.every((o) => o === 1)) return ctx.emit(kind === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool', ctx.inputs, ctx.outputs);
      // Otherwise a plain pool when PyTorch's windows [floor(i*in/out), ceil((i+1)*in/out)) have one size and a constant step.
      const k: number[] = [];
      const s: number[] = [];
      for (let i = 0; i < rank; i++) {
        const W = spatial[i]!;
        const o = out[i]!;
        if (compareDims(W, o) === 'equal') {
          k.push(1);
          s.push(1);
          continue;
        }
        if (isSymbolic(W) || isSymbolic(o))
          return ctx.unsupported(`the ${AXIS_NAMES[rank]![i]} axis pools a symbolic size ${formatDim(W)} to ${formatDim(o)}: ONNX has no adaptive pooling, and the global pool only applies when every axis goes to 1`);
        const w = uniformWindows(W, o);
        if (!w)
          return ctx.unsupported(`PyTorch's adaptive windows for ${AXIS_NAMES[rank]![i]} = ${W} → ${o} vary in size or step (ONNX has no adaptive pooling; a plain pool is exact only when they do not, e.g. when the output size divides the input size)`);
        k.push(w[0]);
        s.push(w[1]);
      }
      const d = k.map(() => 1);
      const pads = [...d, ...d].map(() => 0);
      emitPool(ctx, kind, { kernel_shape: k, strides: s, pads, ceil_mode: 0, ...(kind === 'max' ? { dilations: d } : { count_include_pad: 0 }) }, indices);
    },
    tfjs: (ctx) => adaptivePool(ctx, kind),
    examples: ADAPTIVE_EXAMPLES[rank]!.map((e) => ({ ...e, call: e.call.replace('POOL', name) })),
  };
}

/** [kernel, stride] when PyTorch's adaptive windows of `inSize` → `out` are one plain pooling (no padding), else undefined. */
export function uniformWindows(inSize: number, out: number): [number, number] | undefined {
  const start = (i: number) => Math.floor((i * inSize) / out);
  const end = (i: number) => Math.ceil(((i + 1) * inSize) / out);
  const k = end(0) - start(0);
  const s = out > 1 ? start(1) - start(0) : inSize;
  if (s < 1) return undefined;
  for (let i = 0; i < out; i++) if (end(i) - start(i) !== k || start(i) !== i * s) return undefined;
  return [k, s];
}
