/**
 * Sliding-window arithmetic shared by convolutions and pooling (as ONNX shares conv/pool inference):
 * attribute expansion, padding modes, the output-size formula with its explanation, and the
 * "input silently dropped" lint.
 */
import { type Dim, add, ceilDiv, floorDiv, formatDim, isSymbolic, mul, sub } from '../../symbolic/dim.js';
import type { AttrValue, OpContext, WindowAxis } from '../types.js';

export const AXIS_NAMES: Record<number, readonly string[]> = { 1: ['L'], 2: ['H', 'W'], 3: ['D', 'H', 'W'] };

/** Expands an int-or-tuple attribute to `rank` ints; undefined (after reporting) if the tuple has the wrong length. */
export function expand(ctx: OpContext, attr: string, v: AttrValue, rank: number): number[] | undefined {
  if (Array.isArray(v)) {
    if (v.length === 1) return Array(rank).fill(v[0]);
    if (v.length !== rank) {
      ctx.fail('E0301', `${attr} has ${v.length} values but ${ctx.label} has ${rank} spatial axes`, { attr });
      return undefined;
    }
    return v.map((x) => x as number);
  }
  return Array(rank).fill(v as number);
}

/** Per-axis begin/end padding after resolving `valid`/`same`/`full` or explicit ints. */
export interface ResolvedPad {
  readonly begin: (number | undefined)[];
  readonly end: (number | undefined)[];
  readonly mode: 'explicit' | 'valid' | 'same' | 'full';
}

/** Effective kernel extent `D*(K-1) + 1`. */
export const effKernel = (k: number, d: number): number => d * (k - 1) + 1;

/**
 * Resolves padding. `same` is TF/ONNX SAME_UPPER: total `max((ceil(W/S)-1)*S + K_eff - W, 0)`, the smaller
 * half at the beginning. With a symbolic W and stride > 1 the split is unknown (undefined).
 */
export function resolvePadding(pad: AttrValue, spatial: readonly Dim[], k: number[], s: number[], d: number[], ctx: OpContext): ResolvedPad | undefined {
  const rank = spatial.length;
  if (pad === 'valid') return { begin: Array(rank).fill(0), end: Array(rank).fill(0), mode: 'valid' };
  if (pad === 'full') {
    const p = k.map((ki, i) => effKernel(ki, d[i]!) - 1);
    return { begin: p, end: [...p], mode: 'full' };
  }
  if (pad === 'same') {
    const begin: (number | undefined)[] = [];
    const end: (number | undefined)[] = [];
    for (let i = 0; i < rank; i++) {
      const ke = effKernel(k[i]!, d[i]!);
      const w = spatial[i]!;
      let total: number | undefined;
      if (s[i] === 1) total = ke - 1;
      else if (!isSymbolic(w)) total = Math.max((Math.ceil(w / s[i]!) - 1) * s[i]! + ke - w, 0);
      begin.push(total === undefined ? undefined : Math.floor(total / 2));
      end.push(total === undefined ? undefined : total - Math.floor(total / 2));
    }
    return { begin, end, mode: 'same' };
  }
  const p = expand(ctx, 'padding', pad, rank);
  if (!p) return undefined;
  return { begin: p, end: [...p], mode: 'explicit' };
}

export interface WindowSpec {
  readonly kernel: number[];
  readonly stride: number[];
  readonly dilation: number[];
  readonly pad: ResolvedPad;
  readonly ceilMode: boolean;
}

/**
 * Output sizes of a sliding window over `spatial`, reporting E0401 with the formula and numbers when a
 * size is not positive, and W0100 when a `valid`/explicit window drops trailing input.
 */
export function windowOutputs(ctx: OpContext, spatial: readonly Dim[], w: WindowSpec, kind: 'conv' | 'pool'): Dim[] | undefined {
  const names = AXIS_NAMES[spatial.length] ?? spatial.map((_, i) => `axis${i + 2}`);
  const out: Dim[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < spatial.length; i++) {
    const W = spatial[i]!;
    const K = w.kernel[i]!;
    const S = w.stride[i]!;
    const D = w.dilation[i]!;
    const ke = effKernel(K, D);
    const pb = w.pad.begin[i];
    const pe = w.pad.end[i];
    let o: Dim;
    if (w.pad.mode === 'same') {
      o = ceilDiv(W, S, ctx.facts);
    } else {
      const padded = add(W, (pb ?? 0) + (pe ?? 0));
      const span = sub(padded, ke);
      o = add(w.ceilMode ? ceilDiv(span, S, ctx.facts) : floorDiv(span, S, ctx.facts), 1);
      // PyTorch: with ceil_mode the last window must start inside the input or left padding.
      if (w.ceilMode && !isSymbolic(o) && !isSymbolic(W) && (o - 1) * S >= W + (pb ?? 0)) o -= 1;
    }
    if (!isSymbolic(o) && o <= 0) {
      const p = pb ?? 0;
      const shown = `${names[i]}_out = ${w.ceilMode ? 'ceil' : 'floor'}((${formatDim(W)} + ${p + (pe ?? 0)} - ${ke})/${S}) + 1 = ${o}`;
      const inputDesc = spatial.map(formatDim).join('×');
      const needPad = Math.ceil((ke - (W as number)) / 2);
      ctx.fail('E0401', `${ctx.label}: ${shown}: input ${inputDesc} is smaller than ${kind === 'conv' ? 'kernel' : 'window'} ${ke}${D > 1 ? ` (dilated from ${K})` : ''}`, {
        hint: needPad > 0 && w.pad.mode === 'explicit' ? `pad the input: padding=${Math.max(needPad, p + 1)}, or use a smaller kernel` : 'use a smaller kernel or a larger input',
        notes: [{ message: `formula: out = ${w.ceilMode ? 'ceil' : 'floor'}((in + pad_begin + pad_end - dilation*(kernel-1) - 1)/stride) + 1` }],
      });
      return undefined;
    }
    // Lint: floor mode drops the trailing rows/columns no window reaches.
    // Only when windows tile the input (kernel ≥ stride): a 1×1 stride-2 shortcut skips rows by design.
    if (!w.ceilMode && ke >= S && w.pad.mode !== 'same' && w.pad.mode !== 'full' && !isSymbolic(W) && !isSymbolic(o) && pb !== undefined && pe !== undefined) {
      const covered = (o - 1) * S + ke;
      const excess = W + pb + pe - covered;
      if (excess > pe) {
        const lost = excess - pe;
        dropped.push(`${names[i]} = ${W}: covers ${covered - pb} and drops the last ${lost}`);
      }
    }
    out.push(o);
  }
  if (dropped.length)
    ctx.warn('W0100', `${ctx.label}: kernel ${w.kernel.join('×')}, stride ${w.stride.join('×')} silently drops input (${dropped.join('; ')})`, {
      hint: `adjust padding or stride so that (in + pad - kernel) is a multiple of the stride${kind === 'pool' ? ', or use ceil_mode=true' : ''}`,
    });
  return out;
}

/** RF transfer axes for a window op. */
export const windowAxes = (w: WindowSpec): WindowAxis[] =>
  w.kernel.map((k, i) => ({ kernel: k, stride: w.stride[i]!, dilation: w.dilation[i]!, padBegin: w.pad.begin[i] }));

/** Product of dims (element counts). */
export const prod = (ds: readonly Dim[]): Dim => ds.reduce<Dim>((a, b) => mul(a, b), 1);
