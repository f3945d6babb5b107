/**
 * The `.nn` formatter (`dslc fmt`, LSP formatting). House style (docs/language.md, "Formatting"): two
 * spaces of indentation, lines of at most 100 columns where breaking can help, lists broken one item per
 * line with a trailing comma, chains broken before `->`, one blank line around blocks and models, blank
 * lines inside bodies kept (at most one), every comment kept next to the code it was next to.
 *
 * Safety: the output is parsed again and must give the same AST (spans aside) and the same comments;
 * otherwise nothing is returned. A file with syntax errors is not formatted.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import { hasErrors } from '../diagnostics/types.js';
import { astEqual } from './ast-equal.js';
import type { Decl, Expr, ImportDecl, Module, Param, Range, Stmt, TypeRef } from './ast.js';
import { type Doc, group, hardline, indent, join, line, lineSuffix, render } from './doc.js';
import { FmtContext } from './fmt-context.js';
import { nnLexer } from './lexer.js';
import { parseByDecls } from './chunks.js';
import { parseSource } from './parse.js';
import { ExprPrinter, printList } from './print-expr.js';
import { sourceFile } from './source.js';

/** Line width the formatter aims for. */
export const FORMAT_WIDTH = 100;

/**
 * Formats a `.nn` source text. Returns the formatted text, or no result with the syntax diagnostics when
 * the file does not parse. No result and no error diagnostics means the formatter could not produce an
 * equivalent text (a formatter bug): leave the file as it is.
 */
export function formatText(text: string, path = '<input>'): { result?: string; diagnostics: Diagnostic[] } {
  // (As `dslc check` parses: a file that does not parse reports the same errors.)
  const parsed = parseByDecls(sourceFile(path, text));
  const diagnostics = [...parsed.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics };
  const ctx = new FmtContext(text);
  const out = printModule(ctx, parsed.result);
  const again = parseSource(sourceFile(path, out));
  const sameComments = ctx.used.every(Boolean) && again.result.comments.length === ctx.comments.length;
  if (hasErrors(again.diagnostics) || !sameComments || !astEqual(parsed.result.decls, again.result.decls)) return { diagnostics };
  // The file's own line ending (its first one) is kept: a CRLF file stays CRLF.
  const eol = /\r\n?|\n/.exec(text)?.[0] ?? '\n';
  return { result: eol === '\n' ? out : out.replace(/\n/g, eol), diagnostics };
}

/** Statement-sequence entry: a statement or declaration with its source range and printer. */
interface Entry {
  readonly range: Range;
  readonly print: () => Doc;
}

function printModule(ctx: FmtContext, m: Module): string {
  const p = new Printer(ctx);
  const doc = p.sequence(m.decls.map((d) => ({ range: d.range, print: () => p.decl(d) })), { start: -1, end: ctx.text.length }, m.decls);
  const s = render(doc, FORMAT_WIDTH);
  return s.trim() === '' ? '' : `${s.replace(/^\n+/, '')}\n`;
}

class Printer {
  private readonly ex: ExprPrinter;
  constructor(private readonly ctx: FmtContext) {
    this.ex = new ExprPrinter(ctx);
  }

  /**
   * Entries and the comments between them, one per line. `within` are the offsets of the enclosing
   * brackets (exclusive). `decls` (top level only) decides the blank lines around blocks and models.
   */
  sequence(entries: readonly Entry[], within: Range, decls?: readonly Decl[]): Doc {
    const ctx = this.ctx;
    type Item = { kind: 'entry'; i: number; start: number } | { kind: 'comment'; ci: number; start: number };
    const items: Item[] = [];
    const trailing = new Map<number, number>();
    let ei = 0;
    for (const ci of ctx.commentsIn(within.start + 1, within.end)) {
      const c = ctx.comments[ci]!;
      while (ei < entries.length && entries[ei]!.range.end <= c.start) {
        items.push({ kind: 'entry', i: ei, start: entries[ei]!.range.start });
        ei++;
      }
      const inside = ei < entries.length && entries[ei]!.range.start <= c.start;
      if (inside) continue; // the entry's own printer places it
      const prev = items[items.length - 1];
      if (prev?.kind === 'entry' && !trailing.has(prev.i) && ctx.trailsAfter(ci, entries[prev.i]!.range.end)) trailing.set(prev.i, ci);
      else items.push({ kind: 'comment', ci, start: c.start });
    }
    for (; ei < entries.length; ei++) items.push({ kind: 'entry', i: ei, start: entries[ei]!.range.start });
    for (const ci of trailing.values()) ctx.take(ci);

    // Which declaration each item belongs to: a comment run directly above a declaration is part of it.
    const owner: (number | undefined)[] = [];
    for (let k = items.length - 1; k >= 0; k--) {
      const it = items[k]!;
      owner[k] = it.kind === 'entry' ? it.i : items[k + 1] && !ctx.blankBefore(items[k + 1]!.start) ? owner[k + 1] : undefined;
    }
    const docs = new Map<number, Doc>();
    const printed = (i: number): Doc => {
      if (!docs.has(i)) docs.set(i, entries[i]!.print());
      return docs.get(i)!;
    };
    const out: Doc[] = [];
    items.forEach((it, k) => {
      if (k > 0) {
        let blank = ctx.blankBefore(it.start);
        if (!blank && decls && owner[k] !== owner[k - 1]) {
          const a = owner[k - 1] === undefined ? undefined : decls[owner[k - 1]!];
          const b = owner[k] === undefined ? undefined : decls[owner[k]!];
          blank = !a || !b || a.kind !== b.kind || a.kind === 'block' || a.kind === 'model';
        }
        out.push(hardline, ...(blank ? [hardline] : []));
      }
      if (it.kind === 'comment') {
        out.push(ctx.take(it.ci));
        return;
      }
      const e = entries[it.i]!;
      const core = printed(it.i);
      // Comments inside the entry that no inner printer placed go on lines of their own above it.
      for (const ci of ctx.commentsIn(e.range.start, e.range.end)) out.push(ctx.take(ci), hardline);
      out.push(core);
      // A statement starting with `-` would continue the one before: end that one with `;`.
      if (it.i + 1 < entries.length && firstString(printed(it.i + 1)) === '-') out.push(';');
      const t = trailing.get(it.i);
      if (t !== undefined) out.push(lineSuffix(`  ${ctx.comments[t]!.text}`));
    });
    return out;
  }

  decl(d: Decl): Doc {
    const ctx = this.ctx;
    switch (d.kind) {
      case 'import':
        return this.importDecl(d);
      case 'const':
        return ['const ', d.name.text, ' = ', this.ex.expr(d.value)];
      case 'block':
      case 'model': {
        const params = ctx.bracketAfter(d.name.end, 'LParen');
        const outs = d.kind === 'block' ? d.returns : d.outputs;
        const head: Doc[] = [d.kind, ' ', d.name.text, this.params(d.kind === 'block' ? d.params : d.inputs, params)];
        if (outs) head.push(' -> ', this.outputs(outs, params ? params.end : d.name.end));
        const body = ctx.bracketAfter(d.name.end, 'LBrace');
        if (d.kind === 'model' && d.where.length) head.push(this.where(d.where, ctx.tokenAfter(d.name.end, 'Where')));
        // From the keyword on: a header comment left above `model` would become the model's documentation.
        return [group(head), ' ', this.body(d.body, body, d.range.start)];
      }
    }
  }

  /**
   * `from m import a, b` on one line if it fits, else one item per line after `import`. Comments in it keep
   * it broken, each where it was: an end-of-line one after its item (or after `import`, for one before the
   * first item), one on a line of its own above the next item. None moves above the import, where it would
   * lose its name (organize imports, semantics/unused-imports.ts `importRemoval`, pairs a comment with the
   * names on its line) or, at the top of a file, become its header comment (shown on hover over an import of it).
   */
  private importDecl(d: ImportDecl): Doc {
    const ctx = this.ctx;
    const quoted = /^["']/.test(ctx.text.slice(d.moduleRange.start, d.moduleRange.start + 1));
    const module = quoted ? ctx.text.slice(d.moduleRange.start, d.moduleRange.end) : d.module;
    const inner: Doc[] = [];
    let hasComments = false;
    let prevEnd = d.range.start;
    d.items.forEach((it, i) => {
      let trailed = false;
      const lead: Doc[] = [];
      for (const ci of ctx.commentsIn(prevEnd, it.name.start)) {
        hasComments = true;
        if (!trailed && lead.length === 0 && !ctx.comments[ci]!.ownLine) {
          inner.push(lineSuffix(`  ${ctx.take(ci)}`));
          trailed = true;
        } else lead.push(ctx.take(ci), hardline);
      }
      inner.push(line, ...lead, it.alias ? `${it.name.text} as ${it.alias.text}` : it.name.text, i < d.items.length - 1 ? ',' : '');
      prevEnd = (it.alias ?? it.name).end;
    });
    return group(['from ', module, ' import', indent(inner)], hasComments);
  }

  /**
   * ` where a, b`: broken constraints are indented twice, apart from the body that follows. Comments between
   * them stay where they were, like those of a list: at the end of their line (after the comma) or on lines
   * of their own before the next constraint; the group then breaks. Comments after the last constraint are
   * left to the body (`{  # comment`), so they neither break the group nor move above `model`.
   */
  private where(ws: readonly Expr[], kw: { endOffset?: number } | undefined): Doc {
    const ctx = this.ctx;
    const inner: Doc[] = [];
    const last = ws[ws.length - 1]!;
    let pending = ctx.commentsIn(kw?.endOffset !== undefined ? kw.endOffset + 1 : ws[0]!.range.start, ws[0]!.range.start).map((ci) => ctx.take(ci));
    const inside = ctx.commentsIn(ws[0]!.range.start, last.range.end);
    const hadPending = pending.length > 0;
    ws.forEach((w, i) => {
      for (const c of pending) inner.push(c, hardline);
      pending = [];
      inner.push(this.ex.expr(w));
      if (w === last) return;
      inner.push(',');
      let trailed = false;
      for (const ci of ctx.commentsIn(w.range.end, ws[i + 1]!.range.start)) {
        if (!trailed && pending.length === 0 && !ctx.comments[ci]!.ownLine) {
          inner.push(lineSuffix(`  ${ctx.take(ci)}`));
          trailed = true;
        } else pending.push(ctx.take(ci));
      }
      inner.push(line);
    });
    // Broken by the comments placed in it, not by those it left to the body (one inside the last constraint,
    // which moves after `{`: counted, it broke the group once and not again, as the comment had moved).
    const hasComments = hadPending || inside.some((ci) => ctx.used[ci]);
    return group([' where', indent(indent([line, ...inner]))], hasComments);
  }

  private params(ps: readonly Param[], brackets: Range | undefined): Doc {
    const items = ps.map((p) => ({ range: p.range, doc: this.param(p) }));
    return printList(this.ctx, '(', ')', items, brackets, { trailing: 'ifBreak' });
  }

  private param(p: Param): Doc {
    const out: Doc[] = [p.name.text];
    if (p.type) out.push(': ', this.typeRef(p.type));
    if (p.default) out.push(p.type ? ' = ' : '=', this.ex.expr(p.default));
    return out;
  }

  private outputs(outs: readonly Param[], after: number): Doc {
    if (outs.length === 1 && !outs[0]!.name.text && outs[0]!.type) return this.typeRef(outs[0]!.type);
    const arrow = this.ctx.tokenAfter(after, 'Arrow');
    const brackets = arrow ? this.ctx.bracketAfter(arrow.startOffset, 'LParen') : undefined;
    const items = outs.map((o) => ({ range: o.range, doc: [o.name.text ? `${o.name.text}: ` : '', o.type ? this.typeRef(o.type) : ''] }));
    return printList(this.ctx, '(', ')', items, brackets, { trailing: 'ifBreak' });
  }

  private typeRef(t: TypeRef): Doc {
    if (!t.dims) return t.name?.text ?? '';
    const brackets = this.ctx.bracketAfter(t.name ? t.name.end : t.range.start, 'LBracket');
    const dims = t.dims.map((x) => ({ range: x.range, doc: this.ex.expr(x) }));
    return [t.name?.text ?? '', printList(this.ctx, '[', ']', dims, brackets, { trailing: 'ifBreak' })];
  }

  /**
   * `{ … }` with its statements; `braces` are the source offsets of `{` and `}`. Comments of the header
   * (from `headerStart` to `{`) that no other printer placed, and one after `{` on its line, stay on the
   * header's line: the first end-of-line one after `{`, the others first in the body, on lines of their own.
   */
  private body(stmts: readonly Stmt[], braces: Range | undefined, headerStart?: number): Doc {
    const ctx = this.ctx;
    let trail: string | undefined;
    const lead: Doc[] = [];
    const place = (ci: number) => {
      if (trail === undefined && !ctx.comments[ci]!.ownLine) trail = ctx.take(ci);
      else lead.push(ctx.take(ci), hardline);
    };
    if (braces && headerStart !== undefined) for (const ci of ctx.commentsIn(headerStart, braces.start)) place(ci);
    const afterBrace = braces ? ctx.commentsIn(braces.start + 1, braces.end)[0] : undefined;
    if (afterBrace !== undefined && ctx.trailsAfter(afterBrace, braces!.start + 1)) place(afterBrace);
    const within = braces ?? { start: stmts[0]?.range.start ?? 0, end: stmts[stmts.length - 1]?.range.end ?? 0 };
    const entries: Entry[] = stmts.map((s) => ({ range: s.range, print: () => this.stmt(s) }));
    const inner = this.sequence(entries, within);
    const open: Doc = trail === undefined ? '{' : ['{', lineSuffix(`  ${trail}`)];
    if ((inner as Doc[]).length === 0) {
      if (!lead.length) return trail === undefined ? '{}' : [open, hardline, '}'];
      lead.pop(); // the hard line after the last comment: `}` goes on its own line anyway
    }
    return [open, indent([hardline, ...lead, inner]), hardline, '}'];
  }

  /**
   * `if c { … } else …`. `headerStart`: where the header's comments begin (for `else if`, right after
   * the `}` before `else`, so a comment between `}` and `if` stays with that branch instead of moving above the chain).
   */
  private ifStmt(s: Extract<Stmt, { kind: 'if' }>, headerStart = s.cond.range.end): Doc {
    const ctx = this.ctx;
    const cond = this.ex.expr(s.cond);
    const thenBraces = ctx.bracketAfter(s.cond.range.end, 'LBrace');
    const out: Doc[] = ['if ', cond, ' ', this.body(s.then, thenBraces, headerStart)];
    if (s.else) {
      const elseTok = thenBraces ? ctx.tokenAfter(thenBraces.end, 'Else') : undefined;
      const afterElse = elseTok ? ctx.tokens[ctx.tokenIndex(elseTok.startOffset) + 1] : undefined;
      const elif = afterElse?.tokenType.name === 'If' && s.else.length === 1 && s.else[0]!.kind === 'if';
      const elseBraces = elseTok ? ctx.bracketAfter(elseTok.startOffset, 'LBrace') : undefined;
      out.push(' else ', elif ? this.ifStmt(s.else[0] as Extract<Stmt, { kind: 'if' }>, thenBraces!.end + 1) : this.body(s.else, elseBraces, thenBraces ? thenBraces.end + 1 : undefined));
    }
    return out;
  }

  stmt(s: Stmt): Doc {
    const ctx = this.ctx;
    const ex = this.ex;
    switch (s.kind) {
      case 'assign':
        return [s.target.text, ' = ', ex.expr(s.value)];
      case 'expr':
        return ex.expr(s.value);
      case 'if':
        return this.ifStmt(s);
      case 'for':
        return ['for ', s.variable.text, ' in ', ex.expr(s.iterable), ' ', this.body(s.body, ctx.bracketAfter(s.iterable.range.end, 'LBrace'), s.iterable.range.end)];
      case 'repeat':
        return ['repeat ', ex.expr(s.count), ' ', this.body(s.body, ctx.bracketAfter(s.count.range.end, 'LBrace'), s.count.range.end)];
      case 'assert': {
        const out: Doc[] = ['assert ', ex.expr(s.cond)];
        if (s.message !== undefined) {
          // The message as written (its quotes and escapes): the last token of the statement.
          const toks = nnLexer.tokenize(ctx.text.slice(s.range.start, s.range.end)).tokens;
          out.push(', ', toks[toks.length - 1]!.image);
        }
        return out;
      }
      case 'return':
        if (s.values.length === 1) return ['return ', ex.expr(s.values[0]!)];
        return group(['return ', indent(join([',', line], s.values.map((v) => ex.expr(v))))]);
      case 'frozen':
        return ['frozen ', this.body(s.body, ctx.bracketAfter(s.range.start, 'LBrace'), s.range.start)];
    }
  }
}

/** The first character a document prints. */
function firstString(d: Doc): string {
  const stack: Doc[] = [d];
  while (stack.length) {
    const x = stack.pop()!;
    if (typeof x === 'string') {
      if (x) return x[0]!;
      continue;
    }
    if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--) stack.push(x[i]!);
      continue;
    }
    if (x.t === 'group' || x.t === 'indent') stack.push(x.doc);
    else if (x.t === 'ifbreak') stack.push(x.broken);
  }
  return '';
}
