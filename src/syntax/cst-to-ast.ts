/**
 * CST → AST. Tolerates the partial trees Chevrotain leaves after recovery: a missing piece becomes an
 * `error` expression or is skipped, so later stages still see the rest of the file.
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Arg, BinaryOp, Decl, Expr, Name, Param, Range, Stmt, TypeRef } from './ast.js';
import { exprDepth } from './walk.js';

/** A problem found while converting (number literal overflow, nesting too deep…), reported by the caller. */
export interface ConvertProblem {
  readonly code: 'E0101' | 'E0102' | 'E0104';
  readonly message: string;
  readonly range: Range;
}

const isTok = (e: CstElement): e is IToken => (e as IToken).image !== undefined;
const NONE: readonly CstElement[] = [];
const realTok = (e: CstElement): e is IToken => isTok(e) && !isNaN(e.startOffset) && !e.isInsertedInRecovery;
const nodes = (n: CstNode, k: string): CstNode[] => (n.children[k] ?? NONE).filter((e): e is CstNode => !isTok(e));
const toks = (n: CstNode, k: string): IToken[] => (n.children[k] ?? NONE).filter(realTok);
// The first match without building the filtered array (these run for every CST node).
const node = (n: CstNode, k: string): CstNode | undefined => (n.children[k] ?? NONE).find((e): e is CstNode => !isTok(e));
const tok = (n: CstNode, k: string): IToken | undefined => (n.children[k] ?? NONE).find(realTok);

const PRIMARY_KEYS = ['Ident', 'NumberLit', 'parenExpr', 'StringLit', 'listExpr', 'True', 'False', 'None'];
const STATEMENT_KEYS = ['assignStmt', 'expression', 'returnStmt', 'ifStmt', 'forStmt', 'repeatStmt', 'assertStmt', 'frozenStmt'];

/** The first child under one of `keys`, else (a tree recovery left in another form) the first of any key. */
function firstChild(n: CstNode, keys: readonly string[], nodesOnly = false): CstElement | undefined {
  const ok = (e: CstElement | undefined): e is CstElement => e !== undefined && (!nodesOnly || !isTok(e));
  for (const k of keys) {
    const e = n.children[k]?.[0];
    if (ok(e)) return e;
  }
  return Object.values(n.children).flat().find(ok);
}

const tokRange = (t: IToken): Range => ({ start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 });
function nodeRange(n: CstNode): Range {
  const l = n.location;
  const s = l?.startOffset;
  const e = l?.endOffset;
  // A node recovered from a syntax error may have no tokens (NaN) or Chevrotain's -1 placeholders.
  if (s === undefined || isNaN(s) || s < 0) return tokenless();
  return { start: s, end: e === undefined || isNaN(e) ? s : e + 1 };
}

/** Ranges made for nodes recovered without tokens: placed at the end of their statement once it is known. */
let tokenlessMade = 0;
function tokenless(): Range {
  tokenlessMade++;
  return { start: 0, end: 0 };
}

/**
 * Moves the tokenless ranges inside a statement to its end (a missing expression after `q =` is where it
 * is missing): a position of the text, so that parsing a declaration on its own or in its file agree.
 */
function placeTokenless(v: unknown, at: number): void {
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) placeTokenless(x, at);
    return;
  }
  const o = v as Record<string, unknown>;
  if (o.start === 0 && o.end === 0) {
    o.start = at;
    o.end = at;
  }
  for (const k in o) if (typeof o[k] === 'object') placeTokenless(o[k], at);
}

const nameOf = (t: IToken): Name => ({ text: t.image, ...tokRange(t) });
/** The range covering both (a tokenless range, placed later, covers nothing). */
const isTokenless = (r: Range): boolean => r.start === 0 && r.end === 0;
const span = (a: Range, b: Range): Range =>
  isTokenless(a) ? { start: b.start, end: b.end } : isTokenless(b) ? { start: a.start, end: a.end } : { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };

const SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Binding power, loosest first (Python's order): or, and, not, comparisons, + -, * / // %, unary -, **. */
const PREC: Record<string, number> = { or: 1, and: 2, '==': 4, '!=': 4, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '//': 6, '%': 6, '**': 8 };
const PREC_NOT = 3;
const PREC_CMP = 4;
const PREC_NEG = 7;

export class Converter {
  readonly problems: ConvertProblem[] = [];
  /** Current recursion depth of operator climbing (sub-expressions, `**` chains, prefix operators). */
  private depth = 0;
  /** Whether the expression being converted went past `maxExprDepth`. */
  private tooDeep = false;

  /**
   * @param maxExprDepth deepest expression tree accepted (E0104 beyond): every later stage walks
   * expressions recursively, so a 50k-term `a + a + …` or `x.shape[0][0]…` must stop here.
   */
  constructor(private readonly maxExprDepth = Infinity) {}

  /** A whole expression (of a statement, declaration, parameter or shape): depth-checked. */
  private top(n: CstNode | undefined): Expr {
    this.tooDeep = false;
    const e = this.expr(n);
    // Every level of nesting is written with at least one character, so a short expression needs no walk.
    const r = n ? nodeRange(n) : e.range;
    const short = r.end > r.start && r.end - r.start <= this.maxExprDepth;
    if (this.tooDeep || (this.maxExprDepth < Infinity && !short && exprDepth(e) > this.maxExprDepth)) {
      this.problems.push({ code: 'E0104', message: `expression is nested more than ${this.maxExprDepth} levels deep`, range: n ? nodeRange(n) : e.range });
      return { kind: 'error', range: e.range };
    }
    return e;
  }

  module(n: CstNode): Decl[] {
    const out: Decl[] = [];
    const all = [...nodes(n, 'importDecl'), ...nodes(n, 'constDecl'), ...nodes(n, 'blockDecl'), ...nodes(n, 'modelDecl')];
    all.sort((a, b) => nodeRange(a).start - nodeRange(b).start);
    for (const d of all) {
      const decl = this.decl(d);
      if (decl) out.push(decl);
    }
    return out;
  }

  private decl(n: CstNode): Decl | undefined {
    const range = nodeRange(n);
    switch (n.name) {
      case 'importDecl': {
        const str = tok(n, 'StringLit');
        const idents = toks(n, 'Ident');
        const module = str ? unquote(str.image) : idents.map((t) => t.image).join('.');
        const moduleRange = str ? tokRange(str) : idents.length ? span(tokRange(idents[0]!), tokRange(idents[idents.length - 1]!)) : range;
        const items = nodes(n, 'importItem').flatMap((it) => {
          const ids = toks(it, 'Ident');
          return ids[0] ? [{ name: nameOf(ids[0]), ...(ids[1] ? { alias: nameOf(ids[1]) } : {}) }] : [];
        });
        return { kind: 'import', module, moduleRange, items, range };
      }
      case 'constDecl': {
        const id = tok(n, 'Ident');
        if (!id) return undefined;
        return { kind: 'const', name: nameOf(id), value: this.top(node(n, 'expression')), range };
      }
      case 'blockDecl':
      case 'modelDecl': {
        const id = tok(n, 'Ident');
        if (!id) return undefined;
        const params = this.params(node(n, 'paramList'));
        const out = node(n, 'outputSpec');
        const returns = out ? this.outputs(out) : undefined;
        const body = this.body(node(n, 'body'));
        if (n.name === 'blockDecl') return { kind: 'block', name: nameOf(id), params, ...(returns ? { returns } : {}), body, range };
        const where = nodes(n, 'expression').map((e) => this.top(e));
        return { kind: 'model', name: nameOf(id), inputs: params, ...(returns ? { outputs: returns } : {}), where, body, range };
      }
    }
    return undefined;
  }

  private params(n: CstNode | undefined): Param[] {
    if (!n) return [];
    return nodes(n, 'param').flatMap((p) => {
      const id = tok(p, 'Ident');
      if (!id) return [];
      const t = node(p, 'typeRef');
      const d = node(p, 'expression');
      return [{ name: nameOf(id), ...(t ? { type: this.typeRef(t) } : {}), ...(d ? { default: this.top(d) } : {}), range: nodeRange(p) }];
    });
  }

  private outputs(n: CstNode): Param[] {
    const items = nodes(n, 'outputItem');
    const one = (tr: CstNode | undefined, id: IToken | undefined, r: Range): Param => {
      const type = tr ? this.typeRef(tr) : undefined;
      return { name: id ? nameOf(id) : { text: '', ...r }, ...(type ? { type } : {}), range: r };
    };
    if (items.length) return items.map((it) => one(node(it, 'typeRef'), tok(it, 'Ident'), nodeRange(it)));
    return [one(node(n, 'typeRef'), undefined, nodeRange(n))];
  }

  private typeRef(n: CstNode): TypeRef {
    const id = tok(n, 'Ident');
    const dl = node(n, 'dimList');
    return { ...(id ? { name: nameOf(id) } : {}), ...(dl ? { dims: nodes(dl, 'expression').map((e) => this.top(e)) } : {}), range: nodeRange(n) };
  }

  body(n: CstNode | undefined): Stmt[] {
    if (!n) return [];
    return nodes(n, 'statement').flatMap((s) => {
      const made = tokenlessMade;
      const st = this.stmt(s);
      if (st && made !== tokenlessMade && st.range.end > 0) placeTokenless(st, st.range.end);
      return st ? [st] : [];
    });
  }

  private stmt(s: CstNode): Stmt | undefined {
    const inner = firstChild(s, STATEMENT_KEYS, true) as CstNode | undefined;
    if (!inner) return undefined;
    const range = nodeRange(inner);
    switch (inner.name) {
      case 'assignStmt': {
        const id = tok(inner, 'Ident');
        if (!id) return undefined;
        return { kind: 'assign', target: nameOf(id), value: this.top(node(inner, 'expression')), range };
      }
      case 'ifStmt': {
        const bodies = nodes(inner, 'body');
        const elif = node(inner, 'ifStmt');
        const elseBranch = elif ? [this.stmt({ name: 'statement', children: { ifStmt: [elif] } } as CstNode)!].filter(Boolean) : bodies[1] ? this.body(bodies[1]) : undefined;
        return { kind: 'if', cond: this.top(node(inner, 'expression')), then: this.body(bodies[0]), ...(elseBranch ? { else: elseBranch } : {}), range };
      }
      case 'forStmt': {
        const id = tok(inner, 'Ident');
        if (!id) return undefined;
        return { kind: 'for', variable: nameOf(id), iterable: this.top(node(inner, 'expression')), body: this.body(node(inner, 'body')), range };
      }
      case 'repeatStmt':
        return { kind: 'repeat', count: this.top(node(inner, 'expression')), body: this.body(node(inner, 'body')), range };
      case 'assertStmt': {
        const m = tok(inner, 'StringLit');
        return { kind: 'assert', cond: this.top(node(inner, 'expression')), ...(m ? { message: unquote(m.image) } : {}), range };
      }
      case 'returnStmt':
        return { kind: 'return', values: nodes(inner, 'expression').map((e) => this.top(e)), range };
      case 'frozenStmt':
        return { kind: 'frozen', body: this.body(node(inner, 'body')), range };
      case 'expression':
        return { kind: 'expr', value: this.top(inner), range };
    }
    return undefined;
  }

  expr(n: CstNode | undefined): Expr {
    if (!n) return { kind: 'error', range: tokenless() };
    const range = nodeRange(n);
    const err: Expr = { kind: 'error', range };
    switch (n.name) {
      case 'expression': {
        const parts = nodes(n, 'binaryExpr');
        const first = this.binary(parts[0]);
        const head: Expr = parts.length === 2 ? { kind: 'range', from: first, to: this.binary(parts[1]), range: span(first.range, nodeRange(parts[1]!)) } : first;
        const steps = n.children.postfixExpr ? nodes(n, 'postfixExpr').map((p) => this.expr(p)) : [];
        return steps.length ? { kind: 'chain', head, steps, range } : head;
      }
      case 'postfixExpr': {
        let e = this.expr(node(n, 'primary'));
        if (!n.children.callSuffix && !n.children.indexSuffix && !n.children.Ident) return e;
        const suffixes: { at: number; make: (t: Expr) => Expr }[] = [];
        for (const c of nodes(n, 'callSuffix')) suffixes.push({ at: nodeRange(c).start, make: (t) => ({ kind: 'call', callee: t, args: this.args(c), range: span(t.range, nodeRange(c)) }) });
        for (const c of nodes(n, 'indexSuffix')) suffixes.push({ at: nodeRange(c).start, make: (t) => ({ kind: 'index', target: t, index: this.expr(node(c, 'expression')), range: span(t.range, nodeRange(c)) }) });
        for (const id of toks(n, 'Ident')) suffixes.push({ at: id.startOffset, make: (t) => ({ kind: 'member', target: t, member: nameOf(id), range: span(t.range, tokRange(id)) }) });
        suffixes.sort((a, b) => a.at - b.at);
        for (const s of suffixes) e = s.make(e);
        return e;
      }
      case 'primary': {
        // The one alternative the parser took (known keys first: enumerating a CST node's keys is slow).
        const t = firstChild(n, PRIMARY_KEYS);
        if (!t) return err;
        if (!isTok(t)) return this.expr(t);
        if (t.isInsertedInRecovery || isNaN(t.startOffset)) return err;
        const r = tokRange(t);
        switch (t.tokenType.name) {
          case 'NumberLit':
            return this.number(t.image, r);
          case 'StringLit':
            // An unterminated string (E0103, already reported) poisons its expression.
            if (t.image.length < 2 || t.image[t.image.length - 1] !== t.image[0]) return err;
            return { kind: 'str', value: unquote(t.image), range: r };
          case 'True':
            return { kind: 'bool', value: true, range: r };
          case 'False':
            return { kind: 'bool', value: false, range: r };
          case 'None':
            return { kind: 'none', range: r };
          case 'Ident':
            return { kind: 'name', name: nameOf(t), range: r };
        }
        return err;
      }
      case 'parenExpr': {
        const items = nodes(n, 'expression').map((e) => this.expr(e));
        if (items.length === 1 && !tok(n, 'Comma')) return items[0]!;
        return { kind: 'tuple', items, range };
      }
      case 'listExpr':
        return { kind: 'list', items: nodes(n, 'expression').map((e) => this.expr(e)), range };
    }
    return err;
  }

  /** Precedence climbing over the flat `unary (op unary)*` list the parser produces. */
  private binary(n: CstNode | undefined): Expr {
    if (!n) return { kind: 'error', range: tokenless() };
    // Most operands (every argument, every chain head) are one unary without operators or prefixes.
    const only = n.children.unaryExpr?.length === 1 && !n.children.binaryOp ? (n.children.unaryExpr[0] as CstNode) : undefined;
    if (only && !isTok(only) && !only.children.Minus && !only.children.Not) return this.expr(node(only, 'postfixExpr'));
    const operands = nodes(n, 'unaryExpr').map((u) => ({
      prefixes: [...toks(u, 'Minus'), ...toks(u, 'Not')].sort((a, b) => a.startOffset - b.startOffset),
      base: this.expr(node(u, 'postfixExpr')),
    }));
    const ops = nodes(n, 'binaryOp').map((o) => Object.values(o.children).flat().find(isTok)).filter((t): t is IToken => t !== undefined && !isNaN(t.startOffset));
    let oi = 0;
    let pi = 0;
    let k = 0;
    const climb = (min: number): Expr => {
      // Each level is a right operand (`**`), a prefix operand or a bracketed sub-expression.
      if (this.depth >= this.maxExprDepth) {
        this.tooDeep = true;
        return { kind: 'error', range: nodeRange(n) };
      }
      this.depth++;
      try {
        return climbFrom(min);
      } finally {
        this.depth--;
      }
    };
    const climbFrom = (min: number): Expr => {
      let left = unary();
      let compared = false;
      while (k < ops.length && oi < operands.length && PREC[ops[k]!.image]! >= min) {
        const op = ops[k++]!;
        const p = PREC[op.image]!;
        // Python would read a < b < c as a < b and b < c; silently meaning (a < b) < c would be worse.
        if (p === PREC_CMP && compared) this.problems.push({ code: 'E0101', message: `comparisons cannot be chained: write (a < b) and (b < c)`, range: tokRange(op) });
        if (p === PREC_CMP) compared = true;
        const right = climb(op.image === '**' ? p : p + 1);
        left = { kind: 'binary', op: op.image as BinaryOp, left, right, opRange: tokRange(op), range: span(left.range, right.range) };
      }
      return left;
    };
    const unary = (): Expr => {
      const cur = operands[oi];
      if (!cur) return { kind: 'error', range: nodeRange(n) };
      if (pi < cur.prefixes.length) {
        const t = cur.prefixes[pi++]!;
        const operand = climb(t.image === '-' ? PREC_NEG : PREC_NOT);
        const range = span(tokRange(t), operand.range);
        // Fold `-3` into a literal so that shapes and attributes read naturally.
        if (t.image === '-' && operand.kind === 'num') return { ...operand, value: -operand.value, raw: `-${operand.raw}`, range };
        return { kind: 'unary', op: t.image === '-' ? '-' : 'not', operand, range };
      }
      oi++;
      pi = 0;
      return cur.base;
    };
    return climb(0);
  }

  private args(c: CstNode): Arg[] {
    return nodes(c, 'arg').map((a) => {
      const id = tok(a, 'Ident');
      const value = this.expr(node(a, 'expression'));
      return { ...(id ? { name: nameOf(id) } : {}), value, range: nodeRange(a) };
    });
  }

  private number(raw: string, range: Range): Expr {
    let text = raw.replace(/_/g, '');
    let mult = 1;
    const last = text[text.length - 1]!;
    if (SUFFIX[last]) {
      mult = SUFFIX[last]!;
      text = text.slice(0, -1);
    }
    const base = Number(text);
    // A malformed literal was already reported by the lexer stage (E0102).
    if (Number.isNaN(base)) return { kind: 'error', range };
    const exact = base * mult;
    // 1.1M is 1100000, not 1100000.0000000002.
    const value = mult > 1 && Math.abs(exact - Math.round(exact)) < 1e-6 ? Math.round(exact) : exact;
    const fractional = /[.eE]/.test(text);
    const isInt = Number.isInteger(value) && (!fractional || mult > 1 || /[eE]\+?\d/.test(text));
    if (!Number.isFinite(value) || (Number.isInteger(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER)) {
      this.problems.push({ code: 'E0102', message: `number ${raw} is too large (limit 2^53)`, range });
      return { kind: 'error', range };
    }
    return { kind: 'num', value, isInt, raw, range };
  }
}

function unquote(s: string): string {
  const closed = s.length > 1 && s[s.length - 1] === s[0];
  return s.slice(1, closed ? -1 : undefined).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\0' })[c] ?? c);
}
