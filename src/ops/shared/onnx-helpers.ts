/** Helpers for ops' ONNX lowerings: attribute expansion and explicit padding (no auto_pad when sizes are known). */
import type { Dim } from '../../symbolic/dim.js';
import type { OnnxAttr } from '../onnx-types.js';
import type { AttrValue, OpContext } from '../types.js';
import { resolvePadding } from './window.js';

/** An int-or-tuple attribute as `rank` ints (already validated by the op's infer). */
export const ints = (v: AttrValue, rank: number): number[] =>
  Array.isArray(v) ? (v.length === 1 ? Array(rank).fill(v[0]) : (v as number[]).slice()) : Array(rank).fill(v as number);

const NO_CTX = { fail: () => ({ failed: true }) } as unknown as OpContext;

/**
 * ONNX `pads` ([begin..., end...]) for a window op, from the same rule the checker used; `auto_pad`
 * SAME_UPPER only when a symbolic size makes the split unknowable.
 */
export function padAttrs(pad: AttrValue, spatial: readonly Dim[], k: number[], s: number[], d: number[]): Record<string, OnnxAttr> {
  const r = resolvePadding(pad, spatial, k, s, d, NO_CTX)!;
  if (r.begin.some((b) => b === undefined) || r.end.some((e) => e === undefined)) return { auto_pad: 'SAME_UPPER' };
  return { pads: [...(r.begin as number[]), ...(r.end as number[])] };
}

/** Row-major transpose of a 2-D matrix `rows × cols`. */
export function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}
