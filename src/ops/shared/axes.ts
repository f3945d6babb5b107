/** Small helpers shared by the shape, norm, recurrent and attention ops: axis handling and shape printing. */
import { type Dim, formatDim, isSymbolic } from '../../symbolic/dim.js';
import type { OnnxLowerContext } from '../onnx-types.js';
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

// ---- ONNX lowering helpers (norm, shape, recurrent and attention ops) ----

/** Unsqueeze (axes as an input since opset 13, the lowest dslc exports). */
export function onnxUnsqueeze(ctx: OnnxLowerContext, x: string, axes: readonly number[], out: string = ctx.temp('unsqueeze')): string {
  ctx.emit('Unsqueeze', [x, ctx.int64s('axes', axes)], [out]);
  return out;
}

/** Squeeze (axes as an input since opset 13). */
export function onnxSqueeze(ctx: OnnxLowerContext, x: string, axes: readonly number[], out: string = ctx.temp('squeeze')): string {
  ctx.emit('Squeeze', [x, ctx.int64s('axes', axes)], [out]);
  return out;
}

/** ReduceMean keeping the reduced axes (axes: an attribute before opset 18, an input from 18). */
export function onnxReduceMean(ctx: OnnxLowerContext, x: string, axes: readonly number[], out: string = ctx.temp('mean')): string {
  if (ctx.opset >= 18) ctx.emit('ReduceMean', [x, ctx.int64s('axes', axes)], [out], { keepdims: 1 });
  else ctx.emit('ReduceMean', [x], [out], { axes, keepdims: 1 });
  return out;
}

/** Reshape to a constant target (0 copies the input axis at the same position, -1 is inferred). */
export function onnxReshape(ctx: OnnxLowerContext, x: string, shape: readonly number[], out: string = ctx.temp('reshape')): string {
  ctx.emit('Reshape', [x, ctx.int64s('shape', shape)], [out]);
  return out;
}

/** Transpose with `perm`. */
export function onnxTranspose(ctx: OnnxLowerContext, x: string, perm: readonly number[], out: string = ctx.temp('transpose')): string {
  ctx.emit('Transpose', [x], [out], { perm });
  return out;
}

/** A binary node (Add, Mul, Div, …) into a fresh value, or into `out`. */
export function onnxBinary(ctx: OnnxLowerContext, op: string, a: string, b: string, out: string = ctx.temp(op.toLowerCase())): string {
  ctx.emit(op, [a, b], [out]);
  return out;
}

/** A float32 scalar constant (rank 0: broadcasts against anything, and Clip's min/max must be scalars). */
export const onnxScalar = (ctx: OnnxLowerContext, hint: string, v: number): string => ctx.floats(hint, [v], []);
