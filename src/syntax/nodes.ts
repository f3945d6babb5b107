/**
 * One builder per grammar rule: what a rule invocation has parsed so far, and the AST it makes of that.
 * A rule cut short by a syntax error still makes its AST from what it has (a missing piece becomes an
 * `error` expression or is left out), so later stages see the rest of the file.
 */
import type { IToken } from 'chevrotain';
import type { Arg, Decl, Expr, ImportDecl, Param, Stmt, TypeRef } from './ast.js';
import { type BuildContext, type Loc, type Operand, nameOf, placeTokenless, real, span, tokRange, unquote } from './build.js';

/** The parser's rules (grammar/nn.ebnf names them the same). */
export type RuleName =
  | 'module' | 'importDecl' | 'importItem' | 'constDecl' | 'blockDecl' | 'modelDecl' | 'paramList' | 'param' | 'outputSpec' | 'outputItem'
  | 'typeRef' | 'dimList' | 'body' | 'statements' | 'statement' | 'ifStmt' | 'forStmt' | 'repeatStmt' | 'assertStmt' | 'returnStmt'
  | 'frozenStmt' | 'assignStmt' | 'expression' | 'binaryExpr' | 'binaryOp' | 'unaryExpr' | 'postfixExpr' | 'callSuffix' | 'arg'
  | 'indexSuffix' | 'primary' | 'parenExpr' | 'listExpr';

/** A rule invocation being built: its tokens' location, and what it has parsed. */
export abstract class Node implements Loc {
  s = -1;
  e = -1;
  /** Chevrotain's rule-stack depth of this invocation (recovery finishes those deeper than the rule that recovers). */
  depth = 0;
  abstract readonly rule: RuleName;
  /** Takes a finished child rule's value (`l`: the child's location); the same after recovery. */
  add(_rule: RuleName, _v: unknown, _l: Loc, _c: BuildContext): void {}
  /** The value of this rule, from whatever it has parsed. */
  abstract finish(c: BuildContext): unknown;
}

const first = <T>(xs: readonly T[]): T | undefined => xs[0];

export class ModuleN extends Node {
  readonly rule = 'module';
  readonly decls: Decl[] = [];
  override add(_r: RuleName, v: unknown): void {
    if (v) this.decls.push(v as Decl);
  }
  finish(): Decl[] {
    return this.decls;
  }
}

export class ImportDeclN extends Node {
  readonly rule = 'importDecl';
  str: IToken | undefined = undefined;
  /** The module path's names (`from a.b import …`). */
  readonly idents: IToken[] = [];
  readonly items: { name: ImportDecl['items'][number]['name']; alias?: ImportDecl['items'][number]['alias'] }[] = [];
  override add(_r: RuleName, v: unknown): void {
    if (v) this.items.push(v as ImportDecl['items'][number]);
  }
  finish(c: BuildContext): ImportDecl {
    const range = c.range(this);
    const { str, idents } = this;
    const module = str ? unquote(str.image) : idents.map((t) => t.image).join('.');
    const moduleRange = str ? tokRange(str) : idents.length ? span(tokRange(idents[0]!), tokRange(idents[idents.length - 1]!)) : range;
    return { kind: 'import', module, moduleRange, items: this.items, range };
  }
}

export class ImportItemN extends Node {
  readonly rule = 'importItem';
  readonly ids: IToken[] = [];
  finish(): ImportDecl['items'][number] | undefined {
    const [id, alias] = this.ids;
    return id ? { name: nameOf(id), ...(alias ? { alias: nameOf(alias) } : {}) } : undefined;
  }
}

export class ConstDeclN extends Node {
  readonly rule = 'constDecl';
  id: IToken | undefined = undefined;
  value: Expr | undefined = undefined;
  override add(_r: RuleName, v: unknown, l: Loc, c: BuildContext): void {
    this.value ??= c.top(v as Expr, l);
  }
  finish(c: BuildContext): Decl | undefined {
    const range = c.range(this);
    if (!this.id) return undefined;
    return { kind: 'const', name: nameOf(this.id), value: this.value ?? c.top(undefined, undefined), range };
  }
}

/** A block or a model: name, parameters, outputs, `where` conditions (models), body. */
export class DeclN extends Node {
  id: IToken | undefined = undefined;
  params: Param[] | undefined = undefined;
  returns: Param[] | undefined = undefined;
  readonly where: Expr[] = [];
  body: Stmt[] | undefined = undefined;
  constructor(readonly rule: 'blockDecl' | 'modelDecl') {
    super();
  }
  override add(r: RuleName, v: unknown, l: Loc, c: BuildContext): void {
    if (r === 'paramList') this.params ??= v as Param[];
    else if (r === 'outputSpec') this.returns ??= v as Param[];
    else if (r === 'expression') this.where.push(c.top(v as Expr, l));
    else if (r === 'body') this.body ??= v as Stmt[];
  }
  finish(c: BuildContext): Decl | undefined {
    const range = c.range(this);
    if (!this.id) return undefined;
    const params = this.params ?? [];
    const returns = this.returns;
    const body = this.body ?? [];
    if (this.rule === 'blockDecl') return { kind: 'block', name: nameOf(this.id), params, ...(returns ? { returns } : {}), body, range };
    return { kind: 'model', name: nameOf(this.id), inputs: params, ...(returns ? { outputs: returns } : {}), where: this.where, body, range };
  }
}

/** A parameter list, a dimension list, a run of statements, a body: the values of its children in order. */
export class ListN<T> extends Node {
  readonly items: T[] = [];
  /** How many children it had (one that made no value included). */
  count = 0;
  constructor(readonly rule: 'paramList' | 'body' | 'statements') {
    super();
  }
  override add(_r: RuleName, v: unknown): void {
    this.count++;
    if (v) this.items.push(v as T);
  }
  finish(): T[] {
    return this.items;
  }
}

export class DimListN extends Node {
  readonly rule = 'dimList';
  readonly dims: Expr[] = [];
  override add(_r: RuleName, v: unknown, l: Loc, c: BuildContext): void {
    this.dims.push(c.top(v as Expr, l));
  }
  finish(): Expr[] {
    return this.dims;
  }
}

export class ParamN extends Node {
  readonly rule = 'param';
  id: IToken | undefined = undefined;
  type: TypeRef | undefined = undefined;
  default: Expr | undefined = undefined;
  override add(r: RuleName, v: unknown, l: Loc, c: BuildContext): void {
    if (r === 'typeRef') this.type ??= v as TypeRef;
    else this.default ??= c.top(v as Expr, l);
  }
  finish(c: BuildContext): Param | undefined {
    if (!this.id) return undefined;
    const t = this.type;
    const d = this.default;
    return { name: nameOf(this.id), ...(t ? { type: t } : {}), ...(d ? { default: d } : {}), range: c.range(this) };
  }
}

/** An output of a block or model: `name: type` or a type alone. */
function output(type: TypeRef | undefined, id: IToken | undefined, r: ReturnType<BuildContext['range']>): Param {
  return { name: id ? nameOf(id) : { text: '', ...r }, ...(type ? { type } : {}), range: r };
}

export class OutputSpecN extends Node {
  readonly rule = 'outputSpec';
  readonly items: Param[] = [];
  type: TypeRef | undefined = undefined;
  override add(r: RuleName, v: unknown): void {
    if (r === 'outputItem') this.items.push(v as Param);
    else this.type ??= v as TypeRef;
  }
  finish(c: BuildContext): Param[] {
    return this.items.length ? this.items : [output(this.type, undefined, c.range(this))];
  }
}

export class OutputItemN extends Node {
  readonly rule = 'outputItem';
  id: IToken | undefined = undefined;
  type: TypeRef | undefined = undefined;
  override add(_r: RuleName, v: unknown): void {
    this.type ??= v as TypeRef;
  }
  finish(c: BuildContext): Param {
    return output(this.type, this.id, c.range(this));
  }
}

export class TypeRefN extends Node {
  readonly rule = 'typeRef';
  id: IToken | undefined = undefined;
  dims: Expr[] | undefined = undefined;
  override add(_r: RuleName, v: unknown): void {
    this.dims ??= v as Expr[];
  }
  finish(c: BuildContext): TypeRef {
    const id = this.id;
    const dims = this.dims;
    return { ...(id ? { name: nameOf(id) } : {}), ...(dims ? { dims } : {}), range: c.range(this) };
  }
}

/** A statement: one of the statement rules, or an expression. */
export class StatementN extends Node {
  readonly rule = 'statement';
  inner: RuleName | undefined = undefined;
  value: unknown = undefined;
  innerLoc: Loc | undefined = undefined;
  /** Tokenless ranges made before it (those made inside it are placed at its end). */
  constructor(private readonly made: number) {
    super();
  }
  override add(r: RuleName, v: unknown, l: Loc): void {
    if (this.inner !== undefined) return;
    this.inner = r;
    this.value = v;
    this.innerLoc = l;
  }
  finish(c: BuildContext): Stmt | undefined {
    if (this.inner === undefined) return undefined;
    const st = this.inner === 'expression' ? ({ kind: 'expr', value: c.top(this.value as Expr, this.innerLoc), range: c.range(this.innerLoc!) } as Stmt) : (this.value as Stmt | undefined);
    if (st && this.made !== c.tokenlessMade && st.range.end > 0) placeTokenless(st, st.range.end);
    return st;
  }
}

/** The statements that are a keyword, an expression and perhaps a body (`for`, `repeat`, `assert`, `return`, `frozen`, `=`). */
export class SimpleStmtN extends Node {
  id: IToken | undefined = undefined;
  str: IToken | undefined = undefined;
  readonly exprs: Expr[] = [];
  body: Stmt[] | undefined = undefined;
  constructor(readonly rule: 'forStmt' | 'repeatStmt' | 'assertStmt' | 'returnStmt' | 'frozenStmt' | 'assignStmt') {
    super();
  }
  override add(r: RuleName, v: unknown, l: Loc, c: BuildContext): void {
    if (r === 'body') this.body ??= v as Stmt[];
    else this.exprs.push(c.top(v as Expr, l));
  }
  finish(c: BuildContext): Stmt | undefined {
    const range = c.range(this);
    const expr = () => first(this.exprs) ?? c.top(undefined, undefined);
    const body = this.body ?? [];
    switch (this.rule) {
      case 'assignStmt':
        return this.id ? { kind: 'assign', target: nameOf(this.id), value: expr(), range } : undefined;
      case 'forStmt':
        return this.id ? { kind: 'for', variable: nameOf(this.id), iterable: expr(), body, range } : undefined;
      case 'repeatStmt':
        return { kind: 'repeat', count: expr(), body, range };
      case 'assertStmt': {
        const m = this.str;
        return { kind: 'assert', cond: expr(), ...(m ? { message: unquote(m.image) } : {}), range };
      }
      case 'returnStmt':
        return { kind: 'return', values: this.exprs, range };
      case 'frozenStmt':
        return { kind: 'frozen', body, range };
    }
  }
}

export class IfStmtN extends Node {
  readonly rule = 'ifStmt';
  cond: Expr | undefined = undefined;
  readonly bodies: Stmt[][] = [];
  elif: Stmt | undefined = undefined;
  override add(r: RuleName, v: unknown, l: Loc, c: BuildContext): void {
    if (r === 'expression') this.cond ??= c.top(v as Expr, l);
    else if (r === 'body') this.bodies.push(v as Stmt[]);
    else this.elif ??= v as Stmt;
  }
  finish(c: BuildContext): Stmt {
    const range = c.range(this);
    const elseBranch = this.elif ? [this.elif] : this.bodies[1];
    return { kind: 'if', cond: this.cond ?? c.top(undefined, undefined), then: this.bodies[0] ?? [], ...(elseBranch ? { else: elseBranch } : {}), range };
  }
}

export class ExpressionN extends Node {
  readonly rule = 'expression';
  readonly parts: Expr[] = [];
  second: Loc | undefined = undefined;
  readonly steps: Expr[] = [];
  override add(r: RuleName, v: unknown, l: Loc): void {
    if (r === 'binaryExpr') {
      this.parts.push(v as Expr);
      if (this.parts.length === 2) this.second = l;
    } else this.steps.push(v as Expr);
  }
  finish(c: BuildContext): Expr {
    const range = c.range(this);
    const parts = this.parts;
    const head0 = parts[0] ?? c.missing();
    const head: Expr = parts.length === 2 ? { kind: 'range', from: head0, to: parts[1]!, range: span(head0.range, c.range(this.second!)) } : head0;
    return this.steps.length ? { kind: 'chain', head, steps: this.steps, range } : head;
  }
}

export class BinaryExprN extends Node {
  readonly rule = 'binaryExpr';
  readonly operands: UnaryExprN[] = [];
  readonly ops: IToken[] = [];
  /** Operator rules entered (one cut short without its token included). */
  nOps = 0;
  override add(r: RuleName, v: unknown): void {
    if (r === 'unaryExpr') this.operands.push(v as UnaryExprN);
    else {
      this.nOps++;
      const t = v as IToken | undefined;
      if (t && !isNaN(t.startOffset)) this.ops.push(t);
    }
  }
  finish(c: BuildContext): Expr {
    // Most operands (every argument, every chain head) are one unary without operators or prefixes.
    const only = this.operands.length === 1 && this.nOps === 0 ? this.operands[0]! : undefined;
    if (only && only.prefixes.length === 0) return only.base;
    return c.binary(this.operands, this.ops, this);
  }
}

export class BinaryOpN extends Node {
  readonly rule = 'binaryOp';
  tok: IToken | undefined = undefined;
  finish(): IToken | undefined {
    return this.tok;
  }
}

export class UnaryExprN extends Node implements Operand {
  readonly rule = 'unaryExpr';
  readonly prefixes: IToken[] = [];
  base: Expr = undefined as unknown as Expr;
  override add(_r: RuleName, v: unknown): void {
    this.base ??= v as Expr;
  }
  finish(c: BuildContext): UnaryExprN {
    this.base ??= c.missing();
    return this;
  }
}

/** A call, index or member access after a primary, in order. */
type Suffix = { k: 'call'; args: Arg[]; loc: Loc } | { k: 'index'; index: Expr | undefined; loc: Loc } | { k: 'member'; id: IToken };

export class PostfixExprN extends Node {
  readonly rule = 'postfixExpr';
  base: Expr | undefined = undefined;
  readonly suffixes: Suffix[] = [];
  override add(r: RuleName, v: unknown, l: Loc): void {
    if (r === 'primary') this.base ??= v as Expr;
    else if (r === 'callSuffix') this.suffixes.push({ k: 'call', args: v as Arg[], loc: l });
    else this.suffixes.push({ k: 'index', index: v as Expr | undefined, loc: l });
  }
  finish(c: BuildContext): Expr {
    let e = this.base ?? c.missing();
    for (const s of this.suffixes) {
      if (s.k === 'call') e = { kind: 'call', callee: e, args: s.args, range: span(e.range, c.range(s.loc)) };
      else if (s.k === 'index') e = { kind: 'index', target: e, index: s.index ?? c.missing(), range: span(e.range, c.range(s.loc)) };
      else e = { kind: 'member', target: e, member: nameOf(s.id), range: span(e.range, tokRange(s.id)) };
    }
    return e;
  }
}

export class CallSuffixN extends Node {
  readonly rule = 'callSuffix';
  readonly args: Arg[] = [];
  override add(_r: RuleName, v: unknown): void {
    this.args.push(v as Arg);
  }
  finish(): Arg[] {
    return this.args;
  }
}

export class ArgN extends Node {
  readonly rule = 'arg';
  id: IToken | undefined = undefined;
  value: Expr | undefined = undefined;
  override add(_r: RuleName, v: unknown): void {
    this.value ??= v as Expr;
  }
  finish(c: BuildContext): Arg {
    const id = this.id;
    return { ...(id ? { name: nameOf(id) } : {}), value: this.value ?? c.missing(), range: c.range(this) };
  }
}

export class IndexSuffixN extends Node {
  readonly rule = 'indexSuffix';
  index: Expr | undefined = undefined;
  override add(_r: RuleName, v: unknown): void {
    this.index ??= v as Expr;
  }
  finish(): Expr | undefined {
    return this.index;
  }
}

export class PrimaryN extends Node {
  readonly rule = 'primary';
  tok: IToken | undefined = undefined;
  inner: Expr | undefined = undefined;
  override add(_r: RuleName, v: unknown): void {
    this.inner ??= v as Expr;
  }
  finish(c: BuildContext): Expr {
    if (this.inner) return this.inner;
    const t = this.tok;
    if (!t || !real(t)) return { kind: 'error', range: c.range(this) };
    const r = tokRange(t);
    switch (t.tokenType.name) {
      case 'NumberLit':
        return c.number(t.image, r);
      case 'StringLit':
        // An unterminated string (E0103, already reported) poisons its expression.
        if (t.image.length < 2 || t.image[t.image.length - 1] !== t.image[0]) return { kind: 'error', range: c.range(this) };
        return { kind: 'str', value: unquote(t.image), range: r };
      case 'True':
        return { kind: 'bool', value: true, range: r };
      case 'False':
        return { kind: 'bool', value: false, range: r };
      case 'None':
        return { kind: 'none', range: r };
      default:
        return { kind: 'name', name: nameOf(t), range: r };
    }
  }
}

/** `(…)` (a group or a tuple) and `[…]` (a list). */
export class ItemsN extends Node {
  readonly items: Expr[] = [];
  comma = false;
  constructor(readonly rule: 'parenExpr' | 'listExpr') {
    super();
  }
  override add(_r: RuleName, v: unknown): void {
    this.items.push(v as Expr);
  }
  finish(c: BuildContext): Expr {
    const range = c.range(this);
    if (this.rule === 'parenExpr' && this.items.length === 1 && !this.comma) return this.items[0]!;
    return { kind: this.rule === 'parenExpr' ? 'tuple' : 'list', items: this.items, range };
  }
}
