/**
 * One builder per grammar rule: what a rule invocation has parsed so far, and the AST it makes of that.
 * A rule cut short by a syntax error still makes its AST from what it has (a missing piece becomes an
 * `error` expression or is left out), so later stages see the rest of the file.
 *
 * Builders are object literals with their behaviour in a shared {@link Spec}: a parse makes one per rule
 * invocation (~150k for a 2,000-line model), and class instances with fields cost ~40 ms more there, cold.
 */
import type { IToken } from 'chevrotain';
import type { Arg, Decl, Expr, ImportDecl, Param, Range, Stmt, TypeRef } from './ast.js';
import { type BuildContext, type Loc, type Operand, placeTokenless, real, span, unquote } from './build.js';

/** The parser's rules (grammar/nn.ebnf names them the same). */
export type RuleName =
  | 'module' | 'importDecl' | 'importItem' | 'constDecl' | 'blockDecl' | 'modelDecl' | 'paramList' | 'param' | 'outputSpec' | 'outputItem'
  | 'typeRef' | 'dimList' | 'body' | 'statements' | 'statement' | 'ifStmt' | 'forStmt' | 'repeatStmt' | 'assertStmt' | 'returnStmt'
  | 'frozenStmt' | 'assignStmt' | 'expression' | 'binaryExpr' | 'binaryOp' | 'unaryExpr' | 'postfixExpr' | 'callSuffix' | 'arg'
  | 'indexSuffix' | 'primary' | 'parenExpr' | 'listExpr';

/** A rule invocation being built: its rule, its tokens' location, and what it has parsed. */
export interface Node extends Loc {
  readonly rule: RuleName;
  readonly spec: Spec<any>;
  /** Chevrotain's rule-stack depth of this invocation (recovery finishes those deeper than the rule that recovers). */
  depth: number;
}

/** What a rule does with its builder. */
export interface Spec<B extends Node> {
  /** Takes a finished child rule's value (`l`: the child's location); the same after recovery. */
  add(b: B, rule: RuleName, v: unknown, l: Loc, c: BuildContext): void;
  /** The value of the rule, from whatever it has parsed. */
  finish(b: B, c: BuildContext): unknown;
}

const NO_CHILD = (): void => {};

export interface ModuleN extends Node {
  readonly decls: Decl[];
}
const MODULE: Spec<ModuleN> = {
  add: (b, _r, v) => void (v && b.decls.push(v as Decl)),
  finish: (b) => b.decls,
};
export const moduleN = (): ModuleN => ({ rule: 'module', spec: MODULE, s: -1, e: -1, depth: 0, decls: [] });

type ImportItem = ImportDecl['items'][number];
export interface ImportDeclN extends Node {
  str: IToken | undefined;
  /** The module path's names (`from a.b import …`). */
  readonly idents: IToken[];
  readonly items: ImportItem[];
}
const IMPORT: Spec<ImportDeclN> = {
  add: (b, _r, v) => void (v && b.items.push(v as ImportItem)),
  finish(b, c): ImportDecl {
    const range = c.range(b);
    const { str, idents } = b;
    const module = str ? unquote(str.image) : idents.map((t) => t.image).join('.');
    const moduleRange = str ? c.tokRange(str) : idents.length ? span(c.tokRange(idents[0]!), c.tokRange(idents[idents.length - 1]!)) : range;
    return { kind: 'import', module, moduleRange, items: b.items, range };
  },
};
export const importDeclN = (): ImportDeclN => ({ rule: 'importDecl', spec: IMPORT, s: -1, e: -1, depth: 0, str: undefined, idents: [], items: [] });

export interface ImportItemN extends Node {
  readonly ids: IToken[];
}
const IMPORT_ITEM: Spec<ImportItemN> = {
  add: NO_CHILD,
  finish(b, c): ImportItem | undefined {
    const [id, alias] = b.ids;
    return id ? { name: c.nameOf(id), ...(alias ? { alias: c.nameOf(alias) } : {}) } : undefined;
  },
};
export const importItemN = (): ImportItemN => ({ rule: 'importItem', spec: IMPORT_ITEM, s: -1, e: -1, depth: 0, ids: [] });

/** A rule that names something: a declaration, parameter, variable, keyword argument or output. */
export interface Named extends Node {
  id: IToken | undefined;
}

/**
 * A rule that makes nothing without its name (a declaration, parameter, `=` or `for` cut short before
 * it): the problems found inside it (a number too large, chained comparisons) go with it, as nothing of
 * it reaches the AST. `p0`: how many problems there were when it began.
 */
export interface Droppable extends Named {
  readonly p0: number;
}

export interface ConstDeclN extends Droppable {
  value: Expr | undefined;
}
const CONST: Spec<ConstDeclN> = {
  add: (b, _r, v, l, c) => void (b.value ??= c.top(v as Expr, l)),
  finish(b, c): Decl | undefined {
    const range = c.range(b);
    if (!b.id) return c.drop(b.p0);
    return { kind: 'const', name: c.nameOf(b.id), value: b.value ?? c.top(undefined, undefined), range };
  },
};
export const constDeclN = (p0: number): ConstDeclN => ({ rule: 'constDecl', spec: CONST, s: -1, e: -1, depth: 0, id: undefined, p0, value: undefined });

/** A block or a model: name, parameters, outputs, `where` conditions (models), body. */
export interface DeclN extends Droppable {
  params: Param[] | undefined;
  returns: Param[] | undefined;
  readonly where: Expr[];
  body: Stmt[] | undefined;
}
const DECL: Spec<DeclN> = {
  add(b, r, v, l, c) {
    if (r === 'paramList') b.params ??= v as Param[];
    else if (r === 'outputSpec') b.returns ??= v as Param[];
    else if (r === 'expression') b.where.push(c.top(v as Expr, l));
    else if (r === 'body') b.body ??= v as Stmt[];
  },
  finish(b, c): Decl | undefined {
    const range = c.range(b);
    if (!b.id) return c.drop(b.p0);
    const params = b.params ?? [];
    const returns = b.returns;
    const body = b.body ?? [];
    if (b.rule === 'blockDecl') return { kind: 'block', name: c.nameOf(b.id), params, ...(returns ? { returns } : {}), body, range };
    return { kind: 'model', name: c.nameOf(b.id), inputs: params, ...(returns ? { outputs: returns } : {}), where: b.where, body, range };
  },
};
export const declN = (rule: 'blockDecl' | 'modelDecl', p0: number): DeclN => ({ rule, spec: DECL, s: -1, e: -1, depth: 0, id: undefined, p0, params: undefined, returns: undefined, where: [], body: undefined });

/** A parameter list, a body, a run of statements: the values of its children in order. */
export interface ListN<T> extends Node {
  readonly items: T[];
  /** How many children it had (one that made no value included). */
  count: number;
}
const LIST: Spec<ListN<unknown>> = {
  add(b, _r, v) {
    b.count++;
    if (v) b.items.push(v);
  },
  finish: (b) => b.items,
};
export const listN = <T>(rule: 'paramList' | 'body' | 'statements'): ListN<T> => ({ rule, spec: LIST, s: -1, e: -1, depth: 0, items: [], count: 0 });

export interface DimListN extends Node {
  readonly dims: Expr[];
}
const DIMS: Spec<DimListN> = {
  add: (b, _r, v, l, c) => void b.dims.push(c.top(v as Expr, l)),
  finish: (b) => b.dims,
};
export const dimListN = (): DimListN => ({ rule: 'dimList', spec: DIMS, s: -1, e: -1, depth: 0, dims: [] });

export interface ParamN extends Droppable {
  type: TypeRef | undefined;
  default: Expr | undefined;
}
const PARAM: Spec<ParamN> = {
  add(b, r, v, l, c) {
    if (r === 'typeRef') b.type ??= v as TypeRef;
    else b.default ??= c.top(v as Expr, l);
  },
  finish(b, c): Param | undefined {
    if (!b.id) return c.drop(b.p0);
    const t = b.type;
    const d = b.default;
    return { name: c.nameOf(b.id), ...(t ? { type: t } : {}), ...(d ? { default: d } : {}), range: c.range(b) };
  },
};
export const paramN = (p0: number): ParamN => ({ rule: 'param', spec: PARAM, s: -1, e: -1, depth: 0, id: undefined, p0, type: undefined, default: undefined });

/** An output of a block or model: `name: type` or a type alone. */
const output = (c: BuildContext, type: TypeRef | undefined, id: IToken | undefined, r: Range): Param => ({ name: id ? c.nameOf(id) : { text: '', ...r }, ...(type ? { type } : {}), range: r });

export interface OutputSpecN extends Node {
  readonly items: Param[];
  type: TypeRef | undefined;
}
const OUTPUTS: Spec<OutputSpecN> = {
  add(b, r, v) {
    if (r === 'outputItem') b.items.push(v as Param);
    else b.type ??= v as TypeRef;
  },
  finish: (b, c) => (b.items.length ? b.items : [output(c, b.type, undefined, c.range(b))]),
};
export const outputSpecN = (): OutputSpecN => ({ rule: 'outputSpec', spec: OUTPUTS, s: -1, e: -1, depth: 0, items: [], type: undefined });

export interface OutputItemN extends Named {
  type: TypeRef | undefined;
}
const OUTPUT: Spec<OutputItemN> = {
  add: (b, _r, v) => void (b.type ??= v as TypeRef),
  finish: (b, c) => output(c, b.type, b.id, c.range(b)),
};
export const outputItemN = (): OutputItemN => ({ rule: 'outputItem', spec: OUTPUT, s: -1, e: -1, depth: 0, id: undefined, type: undefined });

export interface TypeRefN extends Named {
  dims: Expr[] | undefined;
}
const TYPE: Spec<TypeRefN> = {
  add: (b, _r, v) => void (b.dims ??= v as Expr[]),
  finish(b, c): TypeRef {
    const { id, dims } = b;
    return { ...(id ? { name: c.nameOf(id) } : {}), ...(dims ? { dims } : {}), range: c.range(b) };
  },
};
export const typeRefN = (): TypeRefN => ({ rule: 'typeRef', spec: TYPE, s: -1, e: -1, depth: 0, id: undefined, dims: undefined });

/** A statement: one of the statement rules, or an expression. */
export interface StatementN extends Node {
  inner: RuleName | undefined;
  value: unknown;
  innerLoc: Loc | undefined;
  /** Tokenless ranges made before it (those made inside it are placed at its end). */
  readonly made: number;
}
const STATEMENT: Spec<StatementN> = {
  add(b, r, v, l) {
    if (b.inner !== undefined) return;
    b.inner = r;
    b.value = v;
    b.innerLoc = l;
  },
  finish(b, c): Stmt | undefined {
    if (b.inner === undefined) return undefined;
    const st = b.inner === 'expression' ? ({ kind: 'expr', value: c.top(b.value as Expr, b.innerLoc), range: c.range(b.innerLoc!) } as Stmt) : (b.value as Stmt | undefined);
    if (st && b.made !== c.tokenlessMade && st.range.end > 0) placeTokenless(st, st.range.end);
    return st;
  },
};
export const statementN = (made: number): StatementN => ({ rule: 'statement', spec: STATEMENT, s: -1, e: -1, depth: 0, inner: undefined, value: undefined, innerLoc: undefined, made });

/** The statements that are a keyword, an expression and perhaps a body (`for`, `repeat`, `assert`, `return`, `frozen`, `=`). */
export interface SimpleStmtN extends Droppable {
  readonly rule: 'forStmt' | 'repeatStmt' | 'assertStmt' | 'returnStmt' | 'frozenStmt' | 'assignStmt';
  str: IToken | undefined;
  readonly exprs: Expr[];
  body: Stmt[] | undefined;
}
const SIMPLE: Spec<SimpleStmtN> = {
  add(b, r, v, l, c) {
    if (r === 'body') b.body ??= v as Stmt[];
    else b.exprs.push(c.top(v as Expr, l));
  },
  finish(b, c): Stmt | undefined {
    const range = c.range(b);
    const expr = () => b.exprs[0] ?? c.top(undefined, undefined);
    const body = b.body ?? [];
    switch (b.rule) {
      case 'assignStmt':
        return b.id ? { kind: 'assign', target: c.nameOf(b.id), value: expr(), range } : c.drop(b.p0);
      case 'forStmt':
        return b.id ? { kind: 'for', variable: c.nameOf(b.id), iterable: expr(), body, range } : c.drop(b.p0);
      case 'repeatStmt':
        return { kind: 'repeat', count: expr(), body, range };
      case 'assertStmt': {
        const m = b.str;
        return { kind: 'assert', cond: expr(), ...(m ? { message: unquote(m.image) } : {}), range };
      }
      case 'returnStmt':
        return { kind: 'return', values: b.exprs, range };
      case 'frozenStmt':
        return { kind: 'frozen', body, range };
    }
  },
};
export const simpleStmtN = (rule: SimpleStmtN['rule'], p0: number): SimpleStmtN => ({ rule, spec: SIMPLE, s: -1, e: -1, depth: 0, id: undefined, p0, str: undefined, exprs: [], body: undefined });

export interface IfStmtN extends Node {
  cond: Expr | undefined;
  readonly bodies: Stmt[][];
  elif: Stmt | undefined;
}
const IF: Spec<IfStmtN> = {
  add(b, r, v, l, c) {
    if (r === 'expression') b.cond ??= c.top(v as Expr, l);
    else if (r === 'body') b.bodies.push(v as Stmt[]);
    else b.elif ??= v as Stmt;
  },
  finish(b, c): Stmt {
    const range = c.range(b);
    const elseBranch = b.elif ? [b.elif] : b.bodies[1];
    return { kind: 'if', cond: b.cond ?? c.top(undefined, undefined), then: b.bodies[0] ?? [], ...(elseBranch ? { else: elseBranch } : {}), range };
  },
};
export const ifStmtN = (): IfStmtN => ({ rule: 'ifStmt', spec: IF, s: -1, e: -1, depth: 0, cond: undefined, bodies: [], elif: undefined });

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
