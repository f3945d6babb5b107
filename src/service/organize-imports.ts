/**
 * "Organize imports" (a source action): every import of the file without the names it never uses (W0109), in one
 * edit per import, so that removing several names of one import cannot collide as separate fixes would.
 */
import { importRemoval } from '../semantics/unused-imports.js';
import { lineStartOf, spanOf } from '../syntax/source.js';
import type { CodeAction } from './actions.js';
import type { Analysis } from './service.js';

/**
 * The action removing the file's unused imports, or undefined when it has none. An import with a syntax error
 * on its lines is left alone: what the parser recovered is not what is written.
 */
export function organizeImports(a: Analysis): CodeAction | undefined {
  const root = a.result.program.root;
  const file = root.file;
  const text = file.text;
  const diags = a.diagnostics.filter((d) => d.span?.file === a.path);
  const unused = new Set(diags.filter((d) => d.code === 'W0109').map((d) => text.slice(d.span!.start, d.span!.end)));
  if (!unused.size) return undefined;
  const edits: CodeAction['edits'][number][] = [];
  let count = 0;
  for (const d of root.ast.decls) {
    if (d.kind !== 'import') continue;
    const removed = new Set(d.items.flatMap((it, k) => (unused.has((it.alias ?? it.name).text) ? [k] : [])));
    if (!removed.size) continue;
    const from = lineStartOf(text, d.range.start);
    const to = d.range.end + /^[^\r\n]*/.exec(text.slice(d.range.end))![0].length;
    if (diags.some((x) => /^E01/.test(x.code) && x.span!.start <= to && x.span!.end >= from)) continue;
    const r = importRemoval(text, d, removed);
    if (!r) continue;
    edits.push({ span: spanOf(file, r.start, r.end), newText: r.newText });
    count += removed.size;
  }
  return edits.length ? { title: `Remove unused imports (${count})`, kind: 'source.organizeImports', edits } : undefined;
}
