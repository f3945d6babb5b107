/** AST comparison modulo source positions (and doc comments), for the formatter's safety check and tests. */
import type { Decl } from './ast.js';

const POSITION_KEYS = new Set(['range', 'opRange', 'moduleRange', 'start', 'end', 'doc']);

/** The AST as plain data without positions: two texts that mean the same program give equal values. */
export function stripPositions(value: unknown): unknown {
  // Iterative copy: expressions may nest 200 levels and more.
  const root: { v?: unknown } = {};
  const stack: [unknown, Record<string, unknown> | unknown[], string | number][] = [[value, root as Record<string, unknown>, 'v']];
  while (stack.length) {
    const [v, parent, key] = stack.pop()!;
    let copy: unknown = v;
    if (Array.isArray(v)) {
      const arr: unknown[] = new Array(v.length);
      v.forEach((x, i) => stack.push([x, arr, i]));
      copy = arr;
    } else if (v && typeof v === 'object') {
      const obj: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!POSITION_KEYS.has(k)) stack.push([x, obj, k]);
      copy = obj;
    }
    (parent as Record<string | number, unknown>)[key] = copy;
  }
  return root.v;
}

/** Whether two declaration lists are the same program (positions and doc comments aside). */
export function astEqual(a: readonly Decl[], b: readonly Decl[]): boolean {
  return sameAst(a, b, POSITION_KEYS);
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Deep equality of AST values, ignoring the keys in `ignore` (by default none: offsets and doc comments
 * count, as when the editor checks that statements before an edit are exactly the ones it checked before).
 */
export function sameAst(a: unknown, b: unknown, ignore: ReadonlySet<string> = NONE): boolean {
  // Pairwise and iterative: no copies (this runs on every format, on files of thousands of lines; and
  // expressions may nest 200 levels).
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const ya = y as unknown[];
      if (x.length !== ya.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], ya[i]]);
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    let nx = 0;
    for (const k in xo) {
      if (ignore.has(k) || xo[k] === undefined) continue;
      nx++;
      stack.push([xo[k], yo[k]]);
    }
    let ny = 0;
    for (const k in yo) if (!ignore.has(k) && yo[k] !== undefined) ny++;
    if (nx !== ny) return false;
  }
  return true;
}
