/**
 * W0109: an imported name the module never uses. Imports are not re-exported (a module exports only what it
 * declares), so such a name has no effect. A reference counts as a use unless a local variable of the same
 * name certainly shadows it there: the warning is for names certainly unused.
 */
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Expr, ImportDecl, Param, Stmt } from '../syntax/ast.js';
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
  // A name is a use of the import unless a local variable of that name is certainly bound where it is read
  // (a parameter, an input, a variable assigned before it on every path); a local bound on some paths
  // only leaves it a use (the warning is for names certainly unused).
  const exprs = (es: readonly Expr[], bound: ReadonlySet<string>) => {
    // Without recursion: expressions nest deeply.
    const todo = [...es];
    while (todo.length && unseen.size) {
      const e = todo.pop()!;
      if (e.kind === 'name') {
        if (!bound.has(e.name.text)) unseen.delete(e.name.text);
      } else for (const c of exprChildren(e)) todo.push(c);
    }
  };
  const params = (ps: readonly Param[] | undefined, bound: ReadonlySet<string>) => {
    for (const p of ps ?? []) exprs([...(p.default ? [p.default] : []), ...(p.type?.dims ?? [])], bound);
  };
  /** Walks statements in order; returns the names certainly bound after them. */
  const stmts = (ss: readonly Stmt[], bound: Set<string>): Set<string> => {
    for (const s of ss) {
      if (!unseen.size) break;
      if (s.kind === 'assign') {
        exprs([s.value], bound);
        bound.add(s.target.text);
      } else if (s.kind === 'expr') exprs([s.value], bound);
      else if (s.kind === 'if') {
        exprs([s.cond], bound);
        const a = stmts(s.then, new Set(bound));
        const b = s.else ? stmts(s.else, new Set(bound)) : bound;
        for (const n of a) if (b.has(n)) bound.add(n);
      } else if (s.kind === 'for') {
        exprs([s.iterable], bound);
        stmts(s.body, new Set(bound).add(s.variable.text));
      } else if (s.kind === 'repeat') {
        exprs([s.count], bound);
        stmts(s.body, new Set(bound));
      } else if (s.kind === 'assert') exprs([s.cond], bound);
      else if (s.kind === 'return') exprs(s.values, bound);
      else if (s.kind === 'frozen') stmts(s.body, bound);
    }
    return bound;
  };
  const none: ReadonlySet<string> = new Set();
  for (const d of mod.ast.decls) {
    if (d.kind === 'import') continue;
    if (d.kind === 'const') exprs([d.value], none);
    else if (d.kind === 'block') {
      params(d.params, none);
      params(d.returns, none);
      stmts(d.body, new Set(d.params.map((p) => p.name.text)));
    } else {
      params(d.inputs, none);
      params(d.outputs, none);
      exprs(d.where, none);
      stmts(d.body, new Set(d.inputs.map((p) => p.name.text)));
    }
    if (!unseen.size) return [];
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
