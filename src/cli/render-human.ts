/** rustc-style diagnostics: code, message, file:line:col, the source line with a caret underline, notes, help. */
import { cells } from '../syntax/text-width.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';

export interface Style {
  readonly color: boolean;
}

const paint = (s: Style, code: string, text: string) => (s.color ? `\x1b[${code}m${text}\x1b[0m` : text);

export function renderHuman(d: Diagnostic, sources: (path: string) => string | undefined, style: Style, cwdRel: (p: string) => string = (p) => p): string {
  const sev = d.severity === 'error' ? paint(style, '1;31', `error[${d.code}]`) : paint(style, '1;33', `warning[${d.code}]`);
  const out = [`${sev}${paint(style, '1', `: ${d.message}`)}`];
  if (d.span) out.push(...snippet(d.span, sources, style, cwdRel, d.severity === 'error' ? '1;31' : '1;33'));
  for (const n of d.notes) out.push(`   ${paint(style, '1;34', '=')} note: ${n.message}${n.span ? ` at ${cwdRel(n.span.file)}:${n.span.line}:${n.span.col}` : ''}`);
  if (d.hint) out.push(`   ${paint(style, '1;34', '=')} help: ${d.hint}`);
  return out.join('\n');
}

/** Most characters of a source line shown under a diagnostic. */
const WINDOW = 120;


function snippet(sp: Span, sources: (path: string) => string | undefined, style: Style, cwdRel: (p: string) => string, color: string): string[] {
  const lines: string[] = [`  ${paint(style, '1;34', '-->')} ${cwdRel(sp.file)}:${sp.line}:${sp.col}`];
  const text = sources(sp.file);
  if (text === undefined) return lines;
  // A span from another version of the file, or a bad one, must not break the rendering: clamp it.
  const int = (n: number, lo: number, hi: number) => (Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), lo), hi) : lo);
  const lineNo = int(sp.line, 1, Number.MAX_SAFE_INTEGER);
  const src = text.split(/\r\n|\r|\n/)[lineNo - 1];
  if (src === undefined) return lines;
  // Control characters (a NUL, an escape sequence) would reach the terminal raw: one visible mark each.
  const line = src.replace(/\t/g, ' ').replace(/\r$/, '').replace(/[\u0000-\u001f\u007f]/g, '\ufffd');
  const col = int(sp.col, 1, line.length + 1);
  // A long line (generated or minified) is shown as a window around the column.
  const from = line.length > WINDOW ? Math.max(0, Math.min(col - 1 - 40, line.length - WINDOW)) : 0;
  const to = Math.min(line.length, from + WINDOW);
  const shown = `${from > 0 ? '…' : ''}${line.slice(from, to)}${to < line.length ? '…' : ''}`;
  const gutter = String(lineNo).length;
  const bar = paint(style, '1;34', `${' '.repeat(gutter)} |`);
  const width = sp.endLine === sp.line ? int(sp.endCol - col, 1, to - col + 1) : int(line.length - col + 1, 1, to - col + 1);
  // Carets under the span as a terminal draws the line: a CJK character or an emoji takes two cells.
  const pad = cells(line.slice(from, col - 1)) + (from > 0 ? 1 : 0);
  const carets = Math.max(1, cells(line.slice(col - 1, col - 1 + width)));
  lines.push(bar, `${paint(style, '1;34', `${lineNo} |`)} ${shown}`, `${bar} ${' '.repeat(pad)}${paint(style, color, '^'.repeat(carets))}`);
  return lines;
}
