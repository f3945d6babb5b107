/**
 * Selection ranges ("expand selection"): from the token at an offset outwards through the syntax around it
 * (argument, call, chain, statement, declaration, file), each range containing the one before. Read from the
 * syntax tree of the text as it is now (LanguageService.syntax), not the last check's: a range of an older
 * text would select the wrong characters.
 */
import type { Arg, Decl, Expr, Module, Param, Range, Stmt } from '../syntax/ast.js';
import { exprChildren } from '../syntax/walk.js';

/** For each offset of `text` (whose syntax tree is `ast`), the ranges around it, innermost first (the last is the whole text). */
export function selectionRanges(text: string, ast: Module, offsets: readonly number[]): Range[][] {
  return offsets.map((o) => rangesAt(ast, text.length, o));
}

/** The ranges of `ast` around offset `o`, innermost first, each strictly larger than the one before. */
export function rangesAt(ast: Module, length: number, o: number): Range[] {
  const outer: Range[] = [{ start: 0, end: length }];
  const holds = (r: Range | undefined): r is Range => r !== undefined && r.start <= o && o <= r.end;
  const add = (r: Range | undefined) => {
    if (!holds(r)) return false;
    outer.push(r);
    return true;
  };
  const decl = ast.decls.find((d) => holds(d.range));
  if (decl) declRanges(decl);
  // Innermost first, without repeats (a statement that is only a call has the call's range).
  const out: Range[] = [];
  for (let i = outer.length - 1; i >= 0; i--) {
    const r = outer[i]!;
    const prev = out[out.length - 1];
    if (!prev || (r.start <= prev.start && r.end >= prev.end && (r.start < prev.start || r.end > prev.end))) out.push(r);
  }
  return out;

  function declRanges(d: Decl): void {
    add(d.range);
    if (d.kind === 'import') {
      if (add(d.moduleRange)) return;
      for (const it of d.items) if (add({ start: it.name.start, end: (it.alias ?? it.name).end })) return void (add(it.name) || add(it.alias));
      return;
    }
    if (add(d.name)) return;
    if (d.kind === 'const') return expr(d.value);
    if (d.kind === 'block') {
      if (params(d.params) || params(d.returns)) return;
    } else {
      if (params(d.inputs) || params(d.outputs)) return;
      for (const w of d.where) if (holds(w.range)) return expr(w);
    }
    stmts(d.body);
  }

  /** True when `o` is in one of the parameters (its ranges added). */
  function params(ps: readonly Param[] | undefined): boolean {
    const p = ps?.find((x) => holds(x.range));
    if (!p) return false;
    add(p.range);
    if (add(p.name)) return true;
    if (p.default && holds(p.default.range)) expr(p.default);
    else if (add(p.type?.range)) {
      const dim = p.type!.dims?.find((e) => holds(e.range));
      if (dim) expr(dim);
      else add(p.type!.name);
    }
    return true;
  }

  function stmts(ss: readonly Stmt[]): void {
    const s = ss.find((x) => holds(x.range));
    if (!s) return;
    add(s.range);
    switch (s.kind) {
      case 'assign':
        if (!add(s.target)) expr(s.value);
        return;
      case 'expr':
        return expr(s.value);
      case 'if':
        if (holds(s.cond.range)) return expr(s.cond);
        return stmts([...s.then, ...(s.else ?? [])]);
      case 'for':
        if (add(s.variable)) return;
        if (holds(s.iterable.range)) return expr(s.iterable);
        return stmts(s.body);
      case 'repeat':
        if (holds(s.count.range)) return expr(s.count);
        return stmts(s.body);
      case 'assert':
        return expr(s.cond);
      case 'return': {
        const v = s.values.find((x) => holds(x.range));
        return v ? expr(v) : undefined;
      }
      case 'frozen':
        return stmts(s.body);
    }
  }

  /** The expression and the sub-expressions around `o` (iteratively: expressions nest deeply). */
  function expr(e: Expr): void {
    for (let cur: Expr | undefined = e; cur && add(cur.range); ) {
      let next: Expr | undefined;
      if (cur.kind === 'call') {
        const arg: Arg | undefined = cur.args.find((x) => holds(x.range));
        if (arg) {
          add(arg.range);
          if (add(arg.name)) return;
          next = arg.value;
        } else next = holds(cur.callee.range) ? cur.callee : undefined;
      } else if (cur.kind === 'member' && add(cur.member)) return;
      else next = exprChildren(cur).find((c) => holds(c.range));
      cur = next;
    }
  }
}
