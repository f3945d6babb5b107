/**
 * W0109: an imported name the module never uses. Imports are not re-exported (a module exports only what it
 * declares), so such a name has no effect. Any reference counts as a use, even one a local variable of the
 * same name shadows: the warning is for names certainly unused.
 */
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Decl, Expr, ImportDecl, Param, Stmt } from '../syntax/ast.js';
import { spanOf } from '../syntax/source.js';
import { exprChildren } from '../syntax/walk.js';
import type { ModuleInfo } from './modules.js';

/** One W0109 per imported name (its alias, when it has one) that `mod` never refers to. */
export function unusedImports(mod: ModuleInfo): Diagnostic[] {
  const imported = new Map<string, { start: number; end: number; module: string; name: string; removal: { start: number; end: number } }>();
  for (const d of mod.ast.decls)
    if (d.kind === 'import')
      d.items.forEach((it, i) => {
        const local = it.alias ?? it.name;
        if (local.text && !imported.has(local.text)) imported.set(local.text, { start: local.start, end: local.end, module: d.module, name: it.name.text, removal: removal(mod.file.text, d, i) });
      });
  if (imported.size === 0) return [];
  const unseen = new Set(imported.keys());
  // Walks until every imported name is seen (usually early), without recursion (expressions nest deeply).
  const exprs: Expr[] = [];
  const params = (ps: readonly Param[] | undefined) => {
    for (const p of ps ?? []) {
      if (p.default) exprs.push(p.default);
      for (const e of p.type?.dims ?? []) exprs.push(e);
    }
  };
  const stmts = (ss: readonly Stmt[]) => {
    for (const s of ss) {
      if (s.kind === 'assign' || s.kind === 'expr') exprs.push(s.value);
      else if (s.kind === 'if') {
        exprs.push(s.cond);
        stmts(s.then);
        if (s.else) stmts(s.else);
      } else if (s.kind === 'for') {
        exprs.push(s.iterable);
        stmts(s.body);
      } else if (s.kind === 'repeat') {
        exprs.push(s.count);
        stmts(s.body);
      } else if (s.kind === 'assert') exprs.push(s.cond);
      else if (s.kind === 'return') exprs.push(...s.values);
      else if (s.kind === 'frozen') stmts(s.body);
    }
  };
  const decl = (d: Decl) => {
    if (d.kind === 'import') return;
    if (d.kind === 'const') return void exprs.push(d.value);
    if (d.kind === 'block') {
      params(d.params);
      params(d.returns);
    } else {
      params(d.inputs);
      params(d.outputs);
      exprs.push(...d.where);
    }
    stmts(d.body);
  };
  for (const d of mod.ast.decls) {
    decl(d);
    while (exprs.length && unseen.size) {
      const e = exprs.pop()!;
      if (e.kind === 'name') unseen.delete(e.name.text);
      else for (const c of exprChildren(e)) exprs.push(c);
    }
    if (!unseen.size) return [];
    exprs.length = 0;
  }
  return [...unseen].map((name) => {
    const at = imported.get(name)!;
    const what = at.name === name ? `'${name}'` : `'${name}' (${at.name})`;
    const fix = { title: `remove unused import '${name}'`, edits: [{ span: spanOf(mod.file, at.removal.start, at.removal.end), newText: '' }] };
    return diag('W0109', `${what} is imported from ${at.module} but never used`, spanOf(mod.file, at.start, at.end), { hint: 'remove it from the import', fixes: [fix] });
  });
}

/**
 * What to delete to remove item `i` of an import: the item and the comma after it (the one before it, for the
 * last item); the whole line when the import has only this item and nothing else is on its line.
 */
function removal(text: string, d: ImportDecl, i: number): { start: number; end: number } {
  const items = d.items;
  const endOf = (k: number) => (items[k]!.alias ?? items[k]!.name).end;
  if (items.length > 1) return i + 1 < items.length ? { start: items[i]!.name.start, end: items[i + 1]!.name.start } : { start: endOf(i - 1), end: endOf(i) };
  return wholeImport(text, d);
}

/** What to delete to remove an import: its line (with a comment after it) when no code else is on it, else the import alone. */
export function wholeImport(text: string, d: ImportDecl): { start: number; end: number } {
  const lineStart = text.lastIndexOf('\n', d.range.start - 1) + 1;
  let end = d.range.end;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  if (text[end] === '#') while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  const alone = /^[ \t]*$/.test(text.slice(lineStart, d.range.start));
  if (!alone || (end < text.length && text[end] !== '\n' && text[end] !== '\r')) return { start: d.range.start, end: d.range.end };
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return { start: lineStart, end };
}
