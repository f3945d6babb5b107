/**
 * One builder per grammar rule: what a rule invocation has parsed so far, and the AST it makes of that.
 * A rule cut short by a syntax error still makes its AST from what it has (a missing piece becomes an
 * `error` expression or is left out), so later stages see the rest of the file.
 *
 * Builders are object literals with their behaviour in a shared {@link Spec}: a parse makes one per rule
 * invocation (~150k for a 2,000-line model), and class instances with fields cost ~40 ms more there, cold.
 */
import type { IToken } from 'chevrotain';
import type { Decl, Expr, ImportDecl, Param, Range, Stmt, TypeRef } from './ast.js';
import { type BuildContext, type Loc, placeTokenless, span, unquote } from './build.js';
import { IMPORT_HINT, TOP_LEVEL_HINT } from './syntax-help.js';

/** The parser's rules (grammar/nn.ebnf names them the same). */
export type RuleName =
  | 'module' | 'importDecl' | 'importItem' | 'constDecl' | 'blockDecl' | 'modelDecl' | 'paramList' | 'param' | 'outputSpec' | 'outputItem'
  | 'typeRef' | 'dimList' | 'body' | 'statements' | 'statement' | 'ifStmt' | 'forStmt' | 'repeatStmt' | 'assertStmt' | 'returnStmt'
  | 'frozenStmt' | 'assignStmt' | 'expression' | 'binaryExpr' | 'binaryOp' | 'unaryExpr' | 'postfixExpr' | 'callSuffix' | 'arg'
  | 'indexSuffix' | 'primary' | 'parenExpr' | 'listExpr' | 'misplacedDecl';

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

/** `add` of a rule without child rules. */
export const NO_CHILD = (): void => {};

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
const output = (c: BuildContext, type: TypeRef | undefined, id: IToken | undefined, r: Range): Param => ({ name: id ? c.nameOf(id) : c.emptyName(r), ...(type ? { type } : {}), range: r });

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

/** A declaration misplaced in a body: its keyword, and the declaration (handed to the module: BuildContext.misplaced). */
export interface MisplacedN extends Node {
  readonly kw: IToken;
  decl: Decl | undefined;
}
const MISPLACED: Spec<MisplacedN> = {
  add: (b, _r, v) => void (b.decl ??= v as Decl | undefined),
  finish: (b, c) => c.misplaced(b.kw, b.decl, b.kw.tokenType.name === 'From' ? IMPORT_HINT : TOP_LEVEL_HINT),
};
export const misplacedN = (kw: IToken): MisplacedN => ({ rule: 'misplacedDecl', spec: MISPLACED, s: -1, e: -1, depth: 0, kw, decl: undefined });
