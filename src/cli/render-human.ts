/** rustc-style diagnostics: code, message, file:line:col, the source line with a caret underline, notes, help. */
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

function snippet(sp: Span, sources: (path: string) => string | undefined, style: Style, cwdRel: (p: string) => string, color: string): string[] {
  const lines: string[] = [`  ${paint(style, '1;34', '-->')} ${cwdRel(sp.file)}:${sp.line}:${sp.col}`];
  const text = sources(sp.file);
  if (text === undefined) return lines;
  // A span from another version of the file, or a bad one, must not break the rendering: clamp it.
  const int = (n: number, lo: number, hi: number) => (Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), lo), hi) : lo);
  const lineNo = int(sp.line, 1, Number.MAX_SAFE_INTEGER);
  const src = text.split('\n')[lineNo - 1];
  if (src === undefined) return lines;
  const shown = src.replace(/\t/g, ' ').replace(/\r$/, '');
  const col = int(sp.col, 1, shown.length + 1);
  const gutter = String(lineNo).length;
  const bar = paint(style, '1;34', `${' '.repeat(gutter)} |`);
  const width = sp.endLine === sp.line ? int(sp.endCol - col, 1, 200) : int(shown.length - col + 1, 1, 200);
  lines.push(bar, `${paint(style, '1;34', `${lineNo} |`)} ${shown.slice(0, 300)}`, `${bar} ${' '.repeat(Math.min(col - 1, 300))}${paint(style, color, '^'.repeat(width))}`);
  return lines;
}
