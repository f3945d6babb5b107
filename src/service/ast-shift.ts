/**
 * Moving AST values and diagnostics to other offsets, for the incremental parser: copies, or (for whole
 * declarations and statements) lazy copies made field by field on first read.
 */

/** Shifts every `start`/`end` offset of a plain AST value by `by` (a structural copy, unless `by` is 0 and no `copy` is asked). */
export function shift<T>(v: T, by: number, copy = false): T {
  if ((by === 0 && !copy) || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = shift(v[i], by, copy);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    out[k] = typeof x === 'object' ? (x === null ? x : shift(x, by, copy)) : (k === 'start' || k === 'end') && typeof x === 'number' ? x + by : x;
  }
  return out as T;
}

/** Objects made by `lazyShift`: the object they are a moved copy of, and by how much. */
const lazyOrigins = new WeakMap<object, { readonly src: object; readonly by: number; readonly copy: boolean }>();

/**
 * `shift` of a declaration or statement, field by field on first use: one that only moved (text typed
 * above it) is rarely read below its range before it moves again, and copying every one after each
 * keystroke near the top of a big file (or of a big model) was most of that keystroke's time.
 */
export function lazyShift<T extends object>(v: T, by: number, copy = false): T {
  if (by === 0 && !copy) return v;
  const origin = lazyOrigins.get(v);
  const src = (origin ? origin.src : v) as T;
  const total = (origin ? origin.by : 0) + by;
  // (An origin in another file is always copied from, even where nothing moves.)
  const mustCopy = copy || (origin?.copy ?? false);
  if (total === 0 && !mustCopy) return src;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    const x = (src as Record<string, unknown>)[k];
    if (x === null || typeof x !== 'object') {
      out[k] = x;
      continue;
    }
    // A range or a name is copied at once: an accessor costs more to define than such a copy.
    if (flat(x)) {
      out[k] = shift(x, total, mustCopy);
      continue;
    }
    Object.defineProperty(out, k, {
      enumerable: true,
      configurable: true,
      get() {
        const y = shift(x, total, mustCopy);
        Object.defineProperty(out, k, { value: y, enumerable: true, writable: false, configurable: false });
        return y;
      },
    });
  }
  lazyOrigins.set(out, { src, by: total, copy: mustCopy });
  return out as T;
}

/** An object (not an array) whose fields are all numbers or strings, e.g. a range `{start, end}`. */
function flat(x: object): boolean {
  if (Array.isArray(x)) return false;
  for (const k in x) {
    const t = typeof (x as Record<string, unknown>)[k];
    if (t !== 'number' && t !== 'string') return false;
  }
  return true;
}

/**
 * For an AST object made by moving another (statements after an edit, declarations below it): that one,
 * and by how much its offsets moved. Lets a comparison skip the walk of two moved copies of one object.
 */
export function movedFrom(v: object): { readonly src: object; readonly by: number } | undefined {
  return lazyOrigins.get(v);
}

// (Diagnostics and tokens: src/syntax/chunks.ts, which the CLI's parse shares.)
export { firstToken, shiftDiag } from '../syntax/chunks.js';
