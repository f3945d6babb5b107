/** Small helpers shared by the shape, norm, recurrent and attention ops: axis handling and shape printing. */
import { type Dim, formatDim, isSymbolic } from '../../symbolic/dim.js';
import type { AttrValue, OpContext } from '../types.js';

/** `[N, 64, H, W]` for messages. */
export const fmtShape = (s: readonly Dim[]): string => `[${s.map(formatDim).join(', ')}]`;

/** A concrete integer attribute (axes, permutations), or undefined after reporting E0300 for a symbolic value. */
export function intAttr(ctx: OpContext, attr: string, v: AttrValue = ctx.attrs[attr] ?? null): number | undefined {
  if (typeof v === 'number') return v;
  ctx.fail('E0300', `${ctx.label}: ${attr} must be a concrete int, got ${v !== null && typeof v === 'object' && !Array.isArray(v) && isSymbolic(v as Dim) ? formatDim(v as Dim) : String(v)}`, { attr });
  return undefined;
}

/**
 * Normalises a possibly negative axis (`-1` = last) against `rank`, or reports E0303 and returns undefined.
 */
export function normAxis(ctx: OpContext, attr: string, axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    ctx.fail('E0303', `${ctx.label}: ${attr}=${axis} is out of range for a rank-${rank} input (valid: ${-rank}..${rank - 1})`, { attr });
    return undefined;
  }
  return a;
}
