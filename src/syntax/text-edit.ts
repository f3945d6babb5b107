/** Where two versions of a text differ: what the editor's incremental stages compare on every keystroke. */

/** One stretch `[from, to)` of `before` replaced: `after` is `delta` characters longer. */
export interface TextEdit {
  readonly from: number;
  readonly to: number;
  readonly delta: number;
}

// Compared a block at a time first: a slice comparison is a memory comparison, while a loop of
// charCodeAt over a file of 100 KB (often a rope of edits) costs milliseconds on every keystroke.
const BLOCK = 512;

/** Length of the longest common prefix of `a` and `b`. */
export function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p + BLOCK <= max && a.slice(p, p + BLOCK) === b.slice(p, p + BLOCK)) p += BLOCK;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p;
}

/** Length of the longest common suffix of `a` and `b`, at most `limit`. */
export function commonSuffix(a: string, b: string, limit = Math.min(a.length, b.length)): number {
  let q = 0;
  while (q + BLOCK <= limit && a.slice(a.length - q - BLOCK, a.length - q) === b.slice(b.length - q - BLOCK, b.length - q)) q += BLOCK;
  while (q < limit && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q)) q++;
  return q;
}

/** The single stretch of `before` an edit replaced to make `after` (empty when they are equal). */
export function textEdit(before: string, after: string): TextEdit {
  const from = commonPrefix(before, after);
  const same = commonSuffix(before, after, Math.min(before.length, after.length) - from);
  return { from, to: before.length - same, delta: after.length - before.length };
}
