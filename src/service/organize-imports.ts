/**
 * "Organize imports" (a source action): every import of the file without the names it never uses (W0109), in one
 * edit per import, so that removing several names of one import cannot collide as separate fixes would.
 */
import { wholeImport } from '../semantics/unused-imports.js';
import { spanOf } from '../syntax/source.js';
import type { CodeAction } from './actions.js';
import type { Analysis } from './service.js';

/** The action removing the file's unused imports, or undefined when it has none. */
export function organizeImports(a: Analysis): CodeAction | undefined {
  const root = a.result.program.root;
  const file = root.file;
  const text = file.text;
  const unused = new Set(a.diagnostics.filter((d) => d.code === 'W0109' && d.span?.file === a.path).map((d) => text.slice(d.span!.start, d.span!.end)));
  if (!unused.size) return undefined;
  const edits: CodeAction['edits'][number][] = [];
  for (const d of root.ast.decls) {
    if (d.kind !== 'import') continue;
    const kept = d.items.filter((it) => !unused.has((it.alias ?? it.name).text));
    if (kept.length === d.items.length) continue;
    if (kept.length) {
      const names = kept.map((it) => (it.alias ? `${it.name.text} as ${it.alias.text}` : it.name.text)).join(', ');
      edits.push({ span: spanOf(file, d.range.start, d.range.end), newText: `from ${text.slice(d.moduleRange.start, d.moduleRange.end)} import ${names}` });
      continue;
    }
    // Nothing left: the line goes, when the import is alone on it.
    const r = wholeImport(text, d);
    edits.push({ span: spanOf(file, r.start, r.end), newText: '' });
  }
  return edits.length ? { title: `Remove unused imports (${unused.size})`, kind: 'source.organizeImports', edits } : undefined;
}
