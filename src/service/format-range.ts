/**
 * Formatting a selection ("format selection", format on paste): the top-level declarations the range touches,
 * with their leading comments, formatted as `dslc fmt` formats a whole file. A declaration elsewhere may be
 * broken: only the ones formatted must parse. Edits are minimal (the changed middle only), so that the
 * editor keeps its markers and undo steps on the unchanged text.
 */
import { formatText } from '../syntax/printer.js';
import { textEdit } from '../syntax/text-edit.js';
import { splitDecls } from './incremental.js';

/** One replacement of the text between two offsets. */
export interface OffsetEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/**
 * Edits that format the declarations overlapping `[start, end]` (an empty range: the one holding `start`); none
 * when they are formatted already or do not parse (a syntax error there is the diagnostics' to report).
 */
export function formatRange(text: string, path: string, start: number, end: number): OffsetEdit[] {
  const starts = splitDecls(text);
  const chunkAt = (o: number) => {
    let i = 0;
    while (i + 1 < starts.length && starts[i + 1]! <= o) i++;
    return i;
  };
  const first = chunkAt(start);
  // (A range that ends where a declaration starts does not reach into it.)
  const last = Math.max(first, chunkAt(end > start ? end - 1 : start));
  const from = starts[first]!;
  const to = last + 1 < starts.length ? starts[last + 1]! : text.length;
  // The blank lines after the last declaration separate it from the next one: they stay as they are.
  const old = text.slice(from, to).trimEnd();
  if (!old.trim()) return [];
  const r = formatText(old, path);
  if (r.result === undefined) return [];
  return minimalEdit(old, r.result.trimEnd(), from);
}

/** `old` (at `offset`) replaced by `now`, as one edit of the part between their common prefix and suffix. */
export function minimalEdit(old: string, now: string, offset = 0): OffsetEdit[] {
  if (old === now) return [];
  const e = textEdit(old, now);
  let p = e.from;
  let s = old.length - e.to;
  // Never split a CRLF pair or a surrogate pair (the edit's ends must be positions an editor can hold).
  while (p > 0 && (isLow(old.charCodeAt(p)) || (old.charCodeAt(p - 1) === 13 && old.charCodeAt(p) === 10))) p--;
  while (s > 0 && (isLow(old.charCodeAt(old.length - s)) || (old.charCodeAt(old.length - s - 1) === 13 && old.charCodeAt(old.length - s) === 10))) s--;
  return [{ start: offset + p, end: offset + old.length - s, newText: now.slice(p, now.length - s) }];
}

const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
