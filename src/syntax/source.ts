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
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  return { path, text, lineStarts };
}

/** 1-based line and column of an offset. */
export function lineCol(f: SourceFile, offset: number): { line: number; col: number } {
  const ls = f.lineStarts;
  let lo = 0;
  let hi = ls.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ls[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - ls[lo]! + 1 };
}

/** The span [start, end) of a file, with lines and columns filled in; offsets are clamped into the file. */
export function spanOf(f: SourceFile, start: number, end: number): Span {
  const clamp = (o: number) => (Number.isFinite(o) ? Math.min(Math.max(0, Math.trunc(o)), f.text.length) : 0);
  const s = clamp(start);
  const e = Math.max(s, clamp(end));
  const a = lineCol(f, s);
  const b = lineCol(f, e);
  return { file: f.path, start: s, end: e, line: a.line, col: a.col, endLine: b.line, endCol: b.col };
}
