/**
 * What the parser's actions build the AST with: locations, ranges, literals, operator precedence and the
 * depth limit. The parser builds the AST directly (no CST): a CST of a 2,000-line model allocated ~40 MB
 * and took more time to build and convert than recognising the text did (bench/NOTES.md).
 */
import type { IToken } from 'chevrotain';
import type { BinaryOp, Decl, Expr, Name, Range } from './ast.js';
import { exprDepth } from './walk.js';

/** A problem found while building (number literal overflow, nesting too deep…), reported by the caller. */
export interface ConvertProblem {
  readonly code: 'E0101' | 'E0102' | 'E0104';
  readonly message: string;
  readonly range: Range;
  readonly hint?: string;
}

/**
 * Where a rule's tokens are: Chevrotain's own CST location rule (`onlyOffset`, with recovery), so that
 * ranges of trees cut short by syntax errors are what they were: the first offset seen, the largest end.
 * A rule whose first token was inserted by recovery (NaN) stays without a location.
 */
export interface Loc {
  s: number;
  e: number;
}

export function extend(l: Loc, s: number, e: number): void {
  if (l.s === -1) {
    l.s = s;
    l.e = e;
  } else if (l.e < e) l.e = e;
}

/** A token of the text (not one that recovery inserted). */
export const real = (t: IToken): boolean => !isNaN(t.startOffset) && !t.isInsertedInRecovery;

/** A tokenless range: placed at the end of its statement once that is known ({@link placeTokenless}). */
const isTokenless = (r: Range): boolean => r.start === 0 && r.end === 0;
/** The range covering both (a tokenless range, placed later, covers nothing). */
export const span = (a: Range, b: Range): Range =>
  isTokenless(a) ? { start: b.start, end: b.end } : isTokenless(b) ? { start: a.start, end: a.end } : { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };

/**
 * Moves the tokenless ranges inside a statement to its end (a missing expression after `q =` is where it
 * is missing): a position of the text, so that parsing a declaration on its own or in its file agree.
 */
export function placeTokenless(v: unknown, at: number): void {
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

const SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Binding power, loosest first (Python's order): or, and, not, comparisons, + -, * / // %, unary -, **. */
const PREC: Record<string, number> = { or: 1, and: 2, '==': 4, '!=': 4, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '//': 6, '%': 6, '**': 8 };
const PREC_NOT = 3;
const PREC_CMP = 4;
const PREC_NEG = 7;

/** One operand of a flat `a op b op c` list: its prefix operators (`-`, `not`) and what they apply to. */
export interface Operand {
  readonly prefixes: readonly IToken[];
  readonly base: Expr;
}

/** The state of one parse: problems, tokenless ranges made, and expression depth. */
export class BuildContext {
  readonly problems: ConvertProblem[] = [];
  /** How many tokenless ranges were made (a statement that made some places them). */
  tokenlessMade = 0;
  /** Current recursion depth of operator climbing (`**` chains, prefix operators). */
  private depth = 0;
  /** Whether an expression went past `maxExprDepth` (reported by {@link top}). */
  tooDeep = false;

  /**
   * @param maxExprDepth deepest expression tree accepted (E0104 beyond): every later stage walks
   * expressions recursively, so a 50k-term `a + a + …` or `x.shape[0][0]…` must stop here.
   */
  constructor(
    private readonly maxExprDepth = Infinity,
    /** Added to every offset: a declaration parsed apart gets its ranges in its file (no copy to move them). */
    private readonly base = 0,
  ) {}

  /** The range of a rule's tokens (tokenless when it has none). */
  range(l: Loc): Range {
    const s = l.s;
    const e = l.e;
    // A rule recovered from a syntax error may have no tokens (-1) or only inserted ones (NaN).
    if (isNaN(s) || s < 0) return this.tokenless();
    return { start: s + this.base, end: (isNaN(e) ? s : e + 1) + this.base };
  }

  tokRange(t: IToken): Range {
    return { start: t.startOffset + this.base, end: (t.endOffset ?? t.startOffset) + 1 + this.base };
  }

  nameOf(t: IToken): Name {
    return { text: t.image, ...this.tokRange(t) };
  }

  tokenless(): Range {
    this.tokenlessMade++;
    const r = { start: 0, end: 0 };
    if (this.base) this.unplaced.push(r);
    return r;
  }

  /** A name where none was written (recovery), at `r`: placed with `r` if that is tokenless (see placeRest). */
  emptyName(r: Range): Name {
    const n = { text: '', start: r.start, end: r.end };
    if (this.base && r.start === 0 && r.end === 0) this.unplaced.push(n);
    return n;
  }

  /** Tokenless ranges made while parsing at a `base` offset. */
  private readonly unplaced: { start: number; end: number }[] = [];

  /**
   * After a parse at a `base` offset: the tokenless ranges no statement placed (outside statements) are at
   * `base`, where moving the AST of the piece parsed on its own would have put them.
   */
  placeRest(): void {
    for (const r of this.unplaced) if (r.start === 0 && r.end === 0) r.start = r.end = this.base;
  }

  /** Drops the problems found since there were `n` (inside a rule that makes nothing); undefined. */
  drop(n: number): undefined {
    this.problems.length = n;
    // (With the declarations misplaced inside it, each after its problem.)
    while (this.hoisted.length && this.hoisted[this.hoisted.length - 1]!.after > n) this.hoisted.pop();
    return undefined;
  }

  /** Declarations misplaced in bodies, for the module; `after`: the count of problems once it was reported. */
  readonly hoisted: { readonly decl: Decl; readonly after: number }[] = [];

  /** A declaration misplaced in a body (its keyword `kw`): reported, and handed to the module; no statement. */
  misplaced(kw: IToken, decl: Decl | undefined, hint: string): undefined {
    this.problems.push({ code: 'E0101', message: `expected a statement (found '${kw.image}')`, range: this.tokRange(kw), hint });
    if (decl) this.hoisted.push({ decl, after: this.problems.length });
    return undefined;
  }

  /** A missing expression (recovery left a hole). */
  missing(): Expr {
    return { kind: 'error', range: this.tokenless() };
  }

  /** A whole expression (of a statement, declaration, parameter or shape): depth-checked. */
  top(e: Expr | undefined, l: Loc | undefined): Expr {
    const tooDeep = this.tooDeep;
    this.tooDeep = false;
    const x = e ?? this.missing();
    // Every level of nesting is written with at least one character, so a short expression needs no walk.
    const r = l ? this.range(l) : x.range;
    const short = r.end > r.start && r.end - r.start <= this.maxExprDepth;
    if (tooDeep || (this.maxExprDepth < Infinity && !short && exprDepth(x) > this.maxExprDepth)) {
      this.problems.push({ code: 'E0104', message: `expression is nested more than ${this.maxExprDepth} levels deep`, range: l ? this.range(l) : x.range });
      return { kind: 'error', range: x.range };
    }
    return x;
  }

  /** Precedence climbing over the flat `unary (op unary)*` list the parser produces. */
  binary(operands: readonly Operand[], ops: readonly IToken[], l: Loc): Expr {
    let oi = 0;
    let pi = 0;
    let k = 0;
    const climb = (min: number): Expr => {
      // Each level is a right operand (`**`) or a prefix operand.
      if (this.depth >= this.maxExprDepth) {
        this.tooDeep = true;
        return { kind: 'error', range: this.range(l) };
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
      let chained = false;
      while (k < ops.length && oi < operands.length && PREC[ops[k]!.image]! >= min) {
        const op = ops[k++]!;
        const p = PREC[op.image]!;
        // Python would read a < b < c as a < b and b < c; silently meaning (a < b) < c would be worse.
        if (p === PREC_CMP && compared) {
          this.problems.push({ code: 'E0101', message: `comparisons cannot be chained: write (a < b) and (b < c)`, range: this.tokRange(op) });
          chained = true;
        }
        if (p === PREC_CMP) compared = true;
        const right = climb(op.image === '**' ? p : p + 1);
        left = { kind: 'binary', op: op.image as BinaryOp, left, right, opRange: this.tokRange(op), range: span(left.range, right.range) };
      }
      // (A hole where the chain was: its meaning is not known, and reading it as (a < b) < c only adds errors.)
      return chained ? { kind: 'error', range: left.range } : left;
    };
    const unary = (): Expr => {
      const cur = operands[oi];
      if (!cur) return { kind: 'error', range: this.range(l) };
      if (pi < cur.prefixes.length) {
        const t = cur.prefixes[pi++]!;
        const operand = climb(t.image === '-' ? PREC_NEG : PREC_NOT);
        const range = span(this.tokRange(t), operand.range);
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

  /** A number literal; one that cannot be read is an `error` marked as a number (its kind is known, not its value). */
  number(raw: string, range: Range): Expr {
    let text = raw.indexOf('_') >= 0 ? raw.replace(/_/g, '') : raw;
    let mult = 1;
    const last = text[text.length - 1]!;
    if (SUFFIX[last]) {
      mult = SUFFIX[last]!;
      text = text.slice(0, -1);
    }
    const base = Number(text);
    // A malformed literal was already reported by the lexer stage (E0102).
    if (Number.isNaN(base)) return { kind: 'error', range, number: true };
    const exact = base * mult;
    // 1.1M is 1100000, not 1100000.0000000002.
    const value = mult > 1 && Math.abs(exact - Math.round(exact)) < 1e-6 ? Math.round(exact) : exact;
    // As in Python, an exponent makes a float (1e3 is 1000.0) and so does a point, unless a K/M/G/T suffix
    // makes the value whole (1.5K is the int 1500).
    const exponent = /[eE]/.test(text);
    const isInt = Number.isInteger(value) && !exponent && (mult > 1 || !text.includes('.'));
    if (!Number.isFinite(value)) {
      this.problems.push({ code: 'E0102', message: `number ${raw} is too large (a float is at most about 1.8e308)`, range, hint: 'check the exponent and the K/M/G/T suffix' });
      return { kind: 'error', range, number: true };
    }
    // The limit is 2^53 − 1, not 2^53: 2^53 + 1 reads as 2^53, so a literal 2^53 may stand for a number it is not.
    if (isInt && Math.abs(value) > Number.MAX_SAFE_INTEGER) {
      this.problems.push({
        code: 'E0102',
        message: `number ${raw} is too large (integers must be at most 2^53 − 1 = 9007199254740991)`,
        range,
        hint: 'beyond 2^53 − 1 a number no longer holds every integer exactly; no size or count of a real network comes near it, so check the digits and the K/M/G/T suffix (a float, such as 1e21, has no such limit)',
      });
      return { kind: 'error', range, number: true };
    }
    return { kind: 'num', value, isInt, raw, range };
  }
}

export function unquote(s: string): string {
  const closed = s.length > 1 && s[s.length - 1] === s[0];
  return s.slice(1, closed ? -1 : undefined).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\0' })[c] ?? c);
}
