/** A source text with a line index, so offsets convert to line/column cheaply. */
import type { Span } from '../diagnostics/types.js';

export interface SourceFile {
  /** Path or URI as given by the host (the CLI passes paths, the LSP URIs). */
  readonly path: string;
  readonly text: string;
  readonly lineStarts: readonly number[];
}

export function sourceFile(path: string, text: string): SourceFile {
  const lineStarts = [0];
  // Line breaks as editors (and LSP positions) count them: \n, \r\n, and a lone \r.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) lineStarts.push(i + 1);
  }
  return { path, text, lineStarts };
}

/** 0-based index of the line holding `offset`. */
function lineIndex(ls: readonly number[], offset: number): number {
  let lo = 0;
  let hi = ls.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ls[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** 1-based line and column of an offset. */
export function lineCol(f: SourceFile, offset: number): { line: number; col: number } {
  const i = lineIndex(f.lineStarts, offset);
  return { line: i + 1, col: offset - f.lineStarts[i]! + 1 };
}

const clampTo = (o: number, max: number): number => (Number.isFinite(o) ? Math.min(Math.max(0, Math.trunc(o)), max) : 0);

/** The span [start, end) of a file, with lines and columns filled in; offsets are clamped into the file. */
export function spanOf(f: SourceFile, start: number, end: number): Span {
  // Made for every layer and argument: no intermediate objects.
  const s = clampTo(start, f.text.length);
  const e = Math.max(s, clampTo(end, f.text.length));
  const ls = f.lineStarts;
  const a = lineIndex(ls, s);
  const b = e === s ? a : lineIndex(ls, e);
  return { file: f.path, start: s, end: e, line: a + 1, col: s - ls[a]! + 1, endLine: b + 1, endCol: e - ls[b]! + 1 };
}

/**
 * The start of the line `offset` is on: after the last `\n` or `\r` before it (a line ends at `\n`, `\r\n` or a
 * lone `\r`, as for the lexer). A scan back: lastIndexOf('\r') searched to the text's start in a file without `\r`.
 */
export function lineStartOf(text: string, offset: number): number {
  let i = offset - 1;
  for (; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) break;
  }
  return i + 1;
}
