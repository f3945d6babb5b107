/** The expression rules' builders (see nodes.ts): operators, chains, calls, indexing, literals, tuples, lists. */
import type { IToken } from 'chevrotain';
import type { Arg, Expr } from './ast.js';
import { type Loc, type Operand, real, span, unquote } from './build.js';
import { NO_CHILD, type Named, type Node, type Spec } from './nodes.js';

export interface ExpressionN extends Node {
  readonly parts: Expr[];
  second: Loc | undefined;
  readonly steps: Expr[];
}
const EXPRESSION: Spec<ExpressionN> = {
  add(b, r, v, l) {
    if (r === 'binaryExpr') {
      b.parts.push(v as Expr);
      if (b.parts.length === 2) b.second = l;
    } else b.steps.push(v as Expr);
  },
  finish(b, c): Expr {
    const range = c.range(b);
    const parts = b.parts;
    const head0 = parts[0] ?? c.missing();
    const head: Expr = parts.length === 2 ? { kind: 'range', from: head0, to: parts[1]!, range: span(head0.range, c.range(b.second!)) } : head0;
    return b.steps.length ? { kind: 'chain', head, steps: b.steps, range } : head;
  },
};
export const expressionN = (): ExpressionN => ({ rule: 'expression', spec: EXPRESSION, s: -1, e: -1, depth: 0, parts: [], second: undefined, steps: [] });

export interface BinaryExprN extends Node {
  readonly operands: UnaryExprN[];
  readonly ops: IToken[];
  /** Operator rules entered (one cut short without its token included). */
  nOps: number;
}
const BINARY: Spec<BinaryExprN> = {
  add(b, r, v) {
    if (r === 'unaryExpr') b.operands.push(v as UnaryExprN);
    else {
      b.nOps++;
      const t = v as IToken | undefined;
      if (t && !isNaN(t.startOffset)) b.ops.push(t);
    }
  },
  finish(b, c): Expr {
    // Most operands (every argument, every chain head) are one unary without operators or prefixes.
    const only = b.operands.length === 1 && b.nOps === 0 ? b.operands[0]! : undefined;
    if (only && only.prefixes.length === 0) return only.base;
    return c.binary(b.operands, b.ops, b);
  },
};
export const binaryExprN = (): BinaryExprN => ({ rule: 'binaryExpr', spec: BINARY, s: -1, e: -1, depth: 0, operands: [], ops: [], nOps: 0 });

export interface BinaryOpN extends Node {
  tok: IToken | undefined;
}
const BINARY_OP: Spec<BinaryOpN> = { add: NO_CHILD, finish: (b) => b.tok };
export const binaryOpN = (): BinaryOpN => ({ rule: 'binaryOp', spec: BINARY_OP, s: -1, e: -1, depth: 0, tok: undefined });

export interface UnaryExprN extends Node, Operand {
  readonly prefixes: IToken[];
  base: Expr;
}
const UNARY: Spec<UnaryExprN> = {
  add: (b, _r, v) => void (b.base ??= v as Expr),
  finish(b, c): UnaryExprN {
    b.base ??= c.missing();
    return b;
  },
};
export const unaryExprN = (): UnaryExprN => ({ rule: 'unaryExpr', spec: UNARY, s: -1, e: -1, depth: 0, prefixes: [], base: undefined as unknown as Expr });

/** A call, index or member access after a primary, in order. */
type Suffix = { k: 'call'; args: Arg[]; loc: Loc } | { k: 'index'; index: Expr | undefined; loc: Loc } | { k: 'member'; id: IToken };

export interface PostfixExprN extends Node {
  base: Expr | undefined;
  readonly suffixes: Suffix[];
}
const POSTFIX: Spec<PostfixExprN> = {
  add(b, r, v, l) {
    if (r === 'primary') b.base ??= v as Expr;
    else if (r === 'callSuffix') b.suffixes.push({ k: 'call', args: v as Arg[], loc: l });
    else b.suffixes.push({ k: 'index', index: v as Expr | undefined, loc: l });
  },
  finish(b, c): Expr {
    let e = b.base ?? c.missing();
    for (const s of b.suffixes) {
      if (s.k === 'call') e = { kind: 'call', callee: e, args: s.args, range: span(e.range, c.range(s.loc)) };
      else if (s.k === 'index') e = { kind: 'index', target: e, index: s.index ?? c.missing(), range: span(e.range, c.range(s.loc)) };
      else e = { kind: 'member', target: e, member: c.nameOf(s.id), range: span(e.range, c.tokRange(s.id)) };
    }
    return e;
  },
};
export const postfixExprN = (): PostfixExprN => ({ rule: 'postfixExpr', spec: POSTFIX, s: -1, e: -1, depth: 0, base: undefined, suffixes: [] });

export interface CallSuffixN extends Node {
  readonly args: Arg[];
}
const CALL: Spec<CallSuffixN> = {
  add: (b, _r, v) => void b.args.push(v as Arg),
  finish: (b) => b.args,
};
export const callSuffixN = (): CallSuffixN => ({ rule: 'callSuffix', spec: CALL, s: -1, e: -1, depth: 0, args: [] });

export interface ArgN extends Named {
  value: Expr | undefined;
}
const ARG: Spec<ArgN> = {
  add: (b, _r, v) => void (b.value ??= v as Expr),
  finish(b, c): Arg {
    const id = b.id;
    return { ...(id ? { name: c.nameOf(id) } : {}), value: b.value ?? c.missing(), range: c.range(b) };
  },
};
export const argN = (): ArgN => ({ rule: 'arg', spec: ARG, s: -1, e: -1, depth: 0, id: undefined, value: undefined });

export interface IndexSuffixN extends Node {
  index: Expr | undefined;
}
const INDEX: Spec<IndexSuffixN> = {
  add: (b, _r, v) => void (b.index ??= v as Expr),
  finish: (b) => b.index,
};
export const indexSuffixN = (): IndexSuffixN => ({ rule: 'indexSuffix', spec: INDEX, s: -1, e: -1, depth: 0, index: undefined });

export interface PrimaryN extends Node {
  tok: IToken | undefined;
  inner: Expr | undefined;
}
const PRIMARY: Spec<PrimaryN> = {
  add: (b, _r, v) => void (b.inner ??= v as Expr),
  finish(b, c): Expr {
    if (b.inner) return b.inner;
    const t = b.tok;
    if (!t || !real(t)) return { kind: 'error', range: c.range(b) };
    const r = c.tokRange(t);
    switch (t.tokenType.name) {
      case 'NumberLit':
        return c.number(t.image, r);
      case 'StringLit':
        // An unterminated string (E0103, already reported) poisons its expression.
        if (t.image.length < 2 || t.image[t.image.length - 1] !== t.image[0]) return { kind: 'error', range: c.range(b) };
        return { kind: 'str', value: unquote(t.image), range: r };
      case 'True':
        return { kind: 'bool', value: true, range: r };
      case 'False':
        return { kind: 'bool', value: false, range: r };
      case 'None':
        return { kind: 'none', range: r };
      default:
        return { kind: 'name', name: c.nameOf(t), range: r };
    }
  },
};
export const primaryN = (): PrimaryN => ({ rule: 'primary', spec: PRIMARY, s: -1, e: -1, depth: 0, tok: undefined, inner: undefined });

/** `(…)` (a group or a tuple) and `[…]` (a list). */
export interface ItemsN extends Node {
  readonly rule: 'parenExpr' | 'listExpr';
  readonly items: Expr[];
  comma: boolean;
}
const ITEMS: Spec<ItemsN> = {
  add: (b, _r, v) => void b.items.push(v as Expr),
  finish(b, c): Expr {
    const range = c.range(b);
    if (b.rule === 'parenExpr' && b.items.length === 1 && !b.comma) return b.items[0]!;
    return { kind: b.rule === 'parenExpr' ? 'tuple' : 'list', items: b.items, range };
  },
};
export const itemsN = (rule: ItemsN['rule']): ItemsN => ({ rule, spec: ITEMS, s: -1, e: -1, depth: 0, items: [], comma: false });
