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
  return walk(a, b, ignore, undefined);
}

/** What an old AST's offsets become after a text edit, for {@link movedAst}. */
interface Moved {
  readonly from: number;
  readonly to: number;
  readonly delta: number;
  readonly origin?: (v: object) => { readonly src: object; readonly by: number } | undefined;
}

/**
 * Whether `now` is `then` moved by one text edit: equal in everything but offsets, and every offset of
 * `then` maps through the edit to `now`'s. The edit replaced `[from, to)` of the old text and changed its
 * length by `delta`. An offset inside the replaced text has no image (the values differ); one at the
 * edit's very point (`from === to`, an insertion) stays put when it ends a range and moves when it starts
 * one, as the editor's spans do (see `moveOffset`). `origin`: for a moved copy of an AST object, the object
 * it was copied from and by how much (two copies of one object moved apart by `delta` are not walked).
 */
export function movedAst(then: unknown, now: unknown, from: number, to: number, delta: number, origin?: Moved['origin']): boolean {
  return walk(then, now, NONE, { from, to, delta, origin });
}

/**
 * The comparison behind both: pairwise and iterative, with no copies (it runs on every format and every
 * keystroke, on files of thousands of lines, and expressions may nest 200 levels and more).
 */
function walk(a: unknown, b: unknown, ignore: ReadonlySet<string>, moved: Moved | undefined): boolean {
  // Two parallel stacks: no pair per visited value.
  const xs: unknown[] = [a];
  const ys: unknown[] = [b];
  while (xs.length) {
    const x = xs.pop();
    const y = ys.pop();
    if (x === y) {
      if (!moved || typeof x !== 'object' || x === null) continue;
      // The same object on both sides (a statement the incremental parser kept) needs no walk when it ends
      // before the edit; otherwise its offsets must still map to themselves.
      const r = x as { range?: { end?: unknown } };
      if (typeof r.range?.end === 'number' && r.range.end < moved.from) continue;
    }
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (moved?.origin && !Array.isArray(x)) {
      // Two moved copies of one object, moved apart by the edit's delta, lying wholly after the edit.
      const ox = moved.origin(x);
      const oy = moved.origin(y);
      const start = (x as { range?: { start?: unknown } }).range?.start;
      if ((ox || oy) && (ox?.src ?? x) === (oy?.src ?? y) && (oy?.by ?? 0) - (ox?.by ?? 0) === moved.delta && typeof start === 'number' && start > moved.to) continue;
    }
    if (Array.isArray(x)) {
      const ya = y as unknown[];
      if (x.length !== ya.length) return false;
      // (Last pushed, first compared: items in order, so a statement changed by an edit is met early.)
      for (let i = x.length - 1; i >= 0; i--) {
        xs.push(x[i]);
        ys.push(ya[i]);
      }
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    let nx = 0;
    for (const k in xo) {
      const v = xo[k];
      if (v === undefined || ignore.has(k)) continue;
      nx++;
      const w = yo[k];
      if (moved && (k === 'start' || k === 'end') && typeof v === 'number') {
        if (w !== moveOffset(v, k === 'start', moved.from, moved.to, moved.delta)) return false;
        continue;
      }
      xs.push(v);
      ys.push(w);
    }
    let ny = 0;
    for (const k in yo) if (yo[k] !== undefined && !ignore.has(k)) ny++;
    if (nx !== ny) return false;
  }
  return true;
}

/**
 * Where an offset of the old text is after an edit that replaced its `[from, to)` and changed its length
 * by `delta`; NaN inside the replaced text. At an insertion point, a range's start moves with the text
 * after it and its end stays with the text before it.
 */
export function moveOffset(x: number, isStart: boolean, from: number, to: number, delta: number): number {
  if (x < from) return x;
  if (x > to) return x + delta;
  if (from === to) return isStart ? x + delta : x;
  return x === from ? x : x === to ? x + delta : NaN;
}
