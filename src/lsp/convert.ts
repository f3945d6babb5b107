/** Conversions between the service's plain data (paths, offsets, spans) and LSP types. */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic as LspDiagnostic, Range } from 'vscode-languageserver/node';
import { DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver/node';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { type SourceFile, lineCol } from '../syntax/source.js';

/** A document URI as a path the module host understands (file: URIs become file-system paths). */
export const uriToPath = (uri: string): string => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);
export const pathToUri = (path: string): string => (path.includes(':') && !/^[A-Za-z]:[\\/]/.test(path) ? path : pathToFileURL(path).href);

/** LSP ranges are 0-based lines and UTF-16 characters; spans are 1-based lines and columns. */
export const spanRange = (s: Span): Range => ({ start: { line: s.line - 1, character: s.col - 1 }, end: { line: s.endLine - 1, character: s.endCol - 1 } });

export function offsetAt(f: SourceFile, line: number, character: number): number {
  const ls = f.lineStarts;
  if (line < 0) return 0;
  if (line >= ls.length) return f.text.length;
  const start = ls[line]!;
  // A character past the line's end is its end: before its line break, `\r\n` included (as TextDocument does).
  let next = line + 1 < ls.length ? ls[line + 1]! - 1 : f.text.length;
  if (next > start && f.text.charCodeAt(next) === 10 && f.text.charCodeAt(next - 1) === 13) next--;
  return Math.min(start + Math.max(0, character), next);
}

export function positionAt(f: SourceFile, offset: number): { line: number; character: number } {
  // (LSP counts UTF-16 code units, as JavaScript string offsets do)
  const { line, col } = lineCol(f, offset);
  return { line: line - 1, character: col - 1 };
}

export const offsetsRange = (f: SourceFile, start: number, end: number): Range => ({ start: positionAt(f, start), end: positionAt(f, end) });

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/**
 * One dslc diagnostic as LSP: the hint joins the message, notes with spans become related information (at
 * `uriOf` their file: the server passes the URI an open document was opened with).
 */
export function toLspDiagnostic(d: Diagnostic, fallback: Range, uriOf: (path: string) => string = pathToUri): LspDiagnostic {
  const related = d.notes.filter((n) => n.span).map((n) => ({ location: { uri: uriOf(n.span!.file), range: spanRange(n.span!) }, message: n.message }));
  const unlocated = d.notes.filter((n) => !n.span).map((n) => `note: ${n.message}`);
  return {
    range: d.span ? spanRange(d.span) : fallback,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'dslc',
    message: [d.message, ...(d.hint ? [`hint: ${d.hint}`] : []), ...unlocated].join('\n'),
    ...(related.length ? { relatedInformation: related } : {}),
    ...(d.code === 'W0104' || d.code === 'W0109' ? { tags: [DiagnosticTag.Unnecessary] } : {}),
  };
}
