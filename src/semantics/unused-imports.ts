/**
 * W0109: an imported name the module never uses. Imports are not re-exported (a module exports only what it
 * declares), so such a name has no effect. A reference counts as a use unless a local variable of the same
 * name certainly shadows it there: the warning is for names certainly unused.
 */
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Expr, ImportDecl, Param, Stmt } from '../syntax/ast.js';
import { lineStartOf, spanOf } from '../syntax/source.js';
import { exprChildren } from '../syntax/walk.js';
import type { ModuleInfo } from './modules.js';

/** One W0109 per imported name (its alias, when it has one) that `mod` never refers to. */
export function unusedImports(mod: ModuleInfo): Diagnostic[] {
  const imported = new Map<string, { start: number; end: number; module: string; name: string; removal: TextEdit | undefined }>();
  for (const d of mod.ast.decls)
    if (d.kind === 'import')
      d.items.forEach((it, i) => {
        const local = it.alias ?? it.name;
        // (A name its module does not have is E0209's, which offers the fix; "unused" would say it twice.)
        if (local.text && !imported.has(local.text) && mod.scope.get(local.text)?.kind !== 'error') imported.set(local.text, { start: local.start, end: local.end, module: d.module, name: it.name.text, removal: importRemoval(mod.file.text, d, new Set([i])) });
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
    // (No fix on an import the parser recovered from: its text is not what the items say.)
    const fixes = at.removal ? [{ title: `remove unused import '${name}'`, edits: [{ span: spanOf(mod.file, at.removal.start, at.removal.end), newText: at.removal.newText }] }] : undefined;
    return diag('W0109', `${what} is imported from ${at.module} but never used`, spanOf(mod.file, at.start, at.end), { hint: 'remove it from the import', ...(fixes ? { fixes } : {}) });
  });
}

/** An edit of the source text: [start, end) replaced by `newText`. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

const blankComments = (s: string) => s.replace(/#[^\r\n]*/g, '');

/**
 * Whether an import is written as the grammar has it (`from m import a, b as c`, commas, comments and line
 * breaks between items): one the parser recovered from, such as `import (a)`, gets no edit.
 */
function wellFormed(text: string, d: ImportDecl): boolean {
  const items = d.items;
  if (!items.length || !/^\s+import\s+$/.test(blankComments(text.slice(d.moduleRange.end, items[0]!.name.start)))) return false;
  for (let k = 1; k < items.length; k++) if (!/^\s*,\s*$/.test(blankComments(text.slice(itemEnd(items[k - 1]!), items[k]!.name.start)))) return false;
  const rest = /^[^\r\n]*/.exec(text.slice(itemEnd(items[items.length - 1]!)))![0].replace(/#.*/, '');
  return /^\s*,?\s*$/.test(rest) || /^\s+(from|const|block|model)\b/.test(rest);
}

const itemEnd = (it: ImportDecl['items'][number]) => (it.alias ?? it.name).end;

/**
 * The edit removing the items `removed` (indices) of an import, or undefined when it is not well formed. Each
 * line of items keeps its end-of-line comment (and the comment lines above it) while one of its items stays;
 * a line whose items all go loses them, so a comment is never left on another item. Nothing left: the whole
 * import goes (see wholeImport). No line is left with trailing blanks.
 */
export function importRemoval(text: string, d: ImportDecl, removed: ReadonlySet<number>): TextEdit | undefined {
  const items = d.items;
  if (!wellFormed(text, d)) return undefined;
  if (items.every((_, k) => removed.has(k))) return { ...wholeImport(text, d), newText: '' };
  // The items by line: a line's items, what follows the last on its line (comma, comment), and what comes
  // before the first from the end of the previous line (line break, comment lines, indent).
  const lines: { items: number[]; lead: string; tail: string }[] = [];
  items.forEach((it, k) => {
    const prev = lines[lines.length - 1];
    const from = k ? itemEnd(items[k - 1]!) : it.name.start;
    const brk = text.slice(from, it.name.start).search(/[\r\n]/);
    if (prev && brk < 0) prev.items.push(k);
    else {
      if (prev) prev.tail = text.slice(from, from + brk);
      lines.push({ items: [k], lead: prev ? text.slice(from + brk, it.name.start) : '', tail: '' });
    }
  });
  // After the last item: a trailing comma and a comment on its line are the import's.
  const lastEnd = itemEnd(items[items.length - 1]!);
  const after = /^[ \t]*,?[ \t]*#[^\r\n]*/.exec(text.slice(lastEnd));
  const end = after ? lastEnd + after[0].length : Math.max(d.range.end, lastEnd);
  lines[lines.length - 1]!.tail = text.slice(lastEnd, end);
  const kept = lines.filter((l) => l.items.some((k) => !removed.has(k)));
  // The first line kept moves up to `import`: comment lines above it would have nowhere to go.
  if (kept[0] !== lines[0] && /#/.test(kept[0]!.lead)) return undefined;
  let out = '';
  kept.forEach((l, n) => {
    const names = l.items.filter((k) => !removed.has(k));
    const own = names.length === l.items.length ? text.slice(items[names[0]!]!.name.start, itemEnd(items[names[names.length - 1]!]!)) : names.map((k) => text.slice(items[k]!.name.start, itemEnd(items[k]!))).join(', ');
    // A line that is now the last loses the comma it had before the next one.
    const tail = n === kept.length - 1 && l !== lines[lines.length - 1] ? l.tail.replace(/^\s*,/, '') : l.tail;
    out += (n ? l.lead : '') + own + (tail.trim() ? tail.trimEnd() : '');
  });
  return { start: items[0]!.name.start, end, newText: out };
}

/** What to delete to remove an import: its line (with a comment after it) when no code else is on it, else the import and the blanks that separate it from the code beside it. */
export function wholeImport(text: string, d: ImportDecl): { start: number; end: number } {
  const lineStart = lineStartOf(text, d.range.start);
  let end = d.range.end;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  if (text[end] === '#') while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  const alone = /^[ \t]*$/.test(text.slice(lineStart, d.range.start));
  if (!alone) {
    // Code before it on the line: the blanks before it go too, so that none is left at the line's end.
    let start = d.range.start;
    while (start > lineStart && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    return { start, end: d.range.end };
  }
  if (end < text.length && text[end] !== '\n' && text[end] !== '\r') {
    // Code after it on the line: it starts the line now.
    let after = d.range.end;
    while (after < end && (text[after] === ' ' || text[after] === '\t')) after++;
    return { start: d.range.start, end: after };
  }
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return { start: lineStart, end };
}
