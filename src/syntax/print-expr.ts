/**
 * Expressions and bracketed lists for the formatter. Parentheses are printed where precedence needs
 * them and where the source had them around an operand (redundant ones there are the author's grouping);
 * a chain that does not fit breaks before each `->` after the first step.
 */
import type { Expr, Range } from './ast.js';
import { type Doc, group, hardline, ifBreak, indent, line, lineSuffix, softline } from './doc.js';
import type { FmtContext } from './fmt-context.js';

/** Binding power of what an expression prints as, loosest first (src/syntax/build.ts's table; atoms 10). */
const PREC: Record<string, number> = { or: 1, and: 2, '==': 4, '!=': 4, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '//': 6, '%': 6, '**': 8 };

function prec(e: Expr): number {
  switch (e.kind) {
    case 'chain':
      return 0;
    case 'range':
      return 0.5;
    case 'binary':
      return PREC[e.op]!;
    case 'unary':
      return e.op === '-' ? 7 : 3;
    case 'num':
      return e.raw.startsWith('-') ? 7 : 10;
    default:
      return 10;
  }
}

/** One item of a bracketed list: its source range (for comments) and its document. */
export interface ListItem {
  readonly range: Range;
  readonly doc: Doc;
}

export interface ListOptions {
  /** `ifBreak`: a trailing comma when the list is broken; `always`: also flat (one-item tuples); `never`. */
  readonly trailing: 'ifBreak' | 'always' | 'never';
}

/**
 * `open item, item close`, on one line if it fits, else one item per line with a trailing comma.
 * Comments between items stay with them: on the item's line they trail it, on a line of their own they
 * lead the next item. `brackets` are the source offsets of the open and close brackets.
 */
export function printList(ctx: FmtContext, open: string, close: string, items: readonly ListItem[], brackets: Range | undefined, opts: ListOptions): Doc {
  const inner: Doc[] = [];
  let hasComments = false;
  let prevEnd = brackets ? brackets.start + 1 : 0;
  const takeBetween = (from: number, to: number, trailingOf: boolean): { trailing?: string; leading: string[] } => {
    const res: { trailing?: string; leading: string[] } = { leading: [] };
    if (!brackets) return res;
    for (const ci of ctx.commentsIn(from, to)) {
      hasComments = true;
      if (trailingOf && res.trailing === undefined && res.leading.length === 0 && !ctx.comments[ci]!.ownLine) res.trailing = ctx.take(ci);
      else res.leading.push(ctx.take(ci));
    }
    return res;
  };
  // Comments between `open` and the first item lead it.
  const pending: string[] = takeBetween(prevEnd, items[0]?.range.start ?? (brackets ? brackets.end : prevEnd), false).leading;
  items.forEach((it, i) => {
    for (const c of pending.splice(0)) inner.push(c, hardline);
    inner.push(it.doc);
    const last = i === items.length - 1;
    const nextStart = last ? (brackets ? brackets.end : it.range.end) : items[i + 1]!.range.start;
    const between = takeBetween(it.range.end, nextStart, true);
    if (!last) inner.push(',');
    else if (opts.trailing === 'always') inner.push(',');
    else if (opts.trailing === 'ifBreak') inner.push(ifBreak(','));
    if (between.trailing !== undefined) inner.push(lineSuffix(`  ${between.trailing}`));
    pending.push(...between.leading);
    if (!last) inner.push(line);
    prevEnd = it.range.end;
  });
  // Comments after the last item (or in an empty list) stay at the end, on lines of their own.
  if (pending.length) {
    if (items.length) inner.push(hardline);
    pending.forEach((c, i) => inner.push(...(i ? [hardline] : []), c));
  }
  if (!items.length && !pending.length) return [open, close];
  return group([open, indent([softline, ...inner]), softline, close], hasComments);
}

/** Prints expressions, consuming the comments that sit between the items of their lists and chains. */
export class ExprPrinter {
  constructor(private readonly ctx: FmtContext) {}

  expr(e: Expr): Doc {
    const ctx = this.ctx;
    switch (e.kind) {
      case 'num':
        return e.raw;
      case 'str':
      case 'error':
        return ctx.text.slice(e.range.start, e.range.end);
      case 'bool':
        return e.value ? 'true' : 'false';
      case 'none':
        return 'none';
      case 'name':
        return e.name.text;
      case 'tuple':
        return printList(ctx, '(', ')', e.items.map((x) => ({ range: x.range, doc: this.expr(x) })), { start: e.range.start, end: e.range.end - 1 }, {
          trailing: e.items.length === 1 ? 'always' : 'ifBreak',
        });
      case 'list':
        return printList(ctx, '[', ']', e.items.map((x) => ({ range: x.range, doc: this.expr(x) })), { start: e.range.start, end: e.range.end - 1 }, { trailing: 'ifBreak' });
      case 'unary': {
        const operand = this.operand(e.operand, prec(e.operand) < (e.op === '-' ? 7 : 3) || (e.op === '-' && e.operand.kind === 'unary' && e.operand.op === 'not'));
        return e.op === '-' ? ['-', operand] : ['not ', operand];
      }
      case 'binary': {
        const p = PREC[e.op]!;
        const lp = prec(e.left);
        const rp = prec(e.right);
        const leftParens = lp < p || (p === 8 && lp <= 8) || (p === 4 && lp === 4);
        const rightParens = p === 8 ? rp < 8 && !(rp === 7 && isNeg(e.right)) : rp <= p;
        return [this.operand(e.left, leftParens), ` ${e.op} `, this.operand(e.right, rightParens)];
      }
      case 'range':
        return [this.operand(e.from, prec(e.from) < 1), '..', this.operand(e.to, prec(e.to) < 1)];
      case 'call': {
        const brackets = ctx.bracketAfter(e.callee.range.end, 'LParen');
        const args = e.args.map((a) => ({ range: a.range, doc: a.name ? [a.name.text, '=', this.expr(a.value)] : this.expr(a.value) }));
        return [this.postfixTarget(e.callee), printList(ctx, '(', ')', args, brackets, { trailing: 'ifBreak' })];
      }
      case 'index':
        return [this.postfixTarget(e.target), '[', this.expr(e.index), ']'];
      case 'member':
        return [this.postfixTarget(e.target), '.', e.member.text];
      case 'chain':
        return this.chain(e);
    }
  }

  private postfixTarget(e: Expr): Doc {
    return this.operand(e, prec(e) < 10 || e.kind === 'num');
  }

  /** An operand in parentheses when precedence needs them or the source had them. */
  private operand(e: Expr, needed: boolean): Doc {
    const d = this.expr(e);
    return needed || this.ctx.parenthesized(e.range) ? ['(', d, ')'] : d;
  }

  /** `head -> s1 -> s2 …`: flat when it fits; else `head -> s1` then one `-> step` per indented line. */
  private chain(e: Extract<Expr, { kind: 'chain' }>): Doc {
    const ctx = this.ctx;
    const first: Doc[] = [this.operand(e.head, prec(e.head) < 0.5)];
    const rest: Doc[] = [];
    let broken = false;
    let prevEnd = e.head.range.end;
    let trailing: string | undefined;
    e.steps.forEach((s, i) => {
      const leading: string[] = [];
      trailing = undefined;
      for (const ci of ctx.commentsIn(prevEnd, s.range.start)) {
        broken = true;
        if (trailing === undefined && !leading.length && !ctx.comments[ci]!.ownLine) trailing = ctx.take(ci);
        else leading.push(ctx.take(ci));
      }
      const target = i === 0 && trailing === undefined && !leading.length ? first : rest;
      if (trailing !== undefined) target.push(lineSuffix(`  ${trailing}`));
      const step = this.operand(s, prec(s) < 10 || s.kind === 'num');
      if (target === first) first.push(' -> ', step);
      else rest.push(line, ...leading.flatMap((c) => [c, hardline]), '-> ', step);
      prevEnd = s.range.end;
    });
    return group([first, indent(rest)], broken);
  }
}

function isNeg(e: Expr): boolean {
  return (e.kind === 'unary' && e.op === '-') || (e.kind === 'num' && e.raw.startsWith('-'));
}
