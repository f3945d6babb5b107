/** The abstract syntax tree. Every node keeps its source range (offsets into its file). */

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface Name extends Range {
  readonly text: string;
}

export type Expr =
  | { readonly kind: 'num'; readonly value: number; readonly isInt: boolean; readonly raw: string; readonly range: Range }
  | { readonly kind: 'str'; readonly value: string; readonly range: Range }
  | { readonly kind: 'bool'; readonly value: boolean; readonly range: Range }
  | { readonly kind: 'none'; readonly range: Range }
  | { readonly kind: 'name'; readonly name: Name; readonly range: Range }
  | { readonly kind: 'tuple'; readonly items: readonly Expr[]; readonly range: Range }
  | { readonly kind: 'list'; readonly items: readonly Expr[]; readonly range: Range }
  | { readonly kind: 'unary'; readonly op: '-' | 'not'; readonly operand: Expr; readonly range: Range }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly opRange: Range; readonly range: Range }
  | { readonly kind: 'range'; readonly from: Expr; readonly to: Expr; readonly range: Range }
  | { readonly kind: 'call'; readonly callee: Expr; readonly args: readonly Arg[]; readonly range: Range }
  | { readonly kind: 'index'; readonly target: Expr; readonly index: Expr; readonly range: Range }
  | { readonly kind: 'member'; readonly target: Expr; readonly member: Name; readonly range: Range }
  /** `x -> f -> g(…)`: each step receives the previous value as its first input. */
  | { readonly kind: 'chain'; readonly head: Expr; readonly steps: readonly Expr[]; readonly range: Range }
  /** Placeholder where the parser recovered from an error; `number`: a number literal that could not be read (E0102), a number of unknown value. */
  | { readonly kind: 'error'; readonly range: Range; readonly number?: true };

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

export interface Arg {
  readonly name?: Name;
  readonly value: Expr;
  readonly range: Range;
}

export type Stmt =
  | { readonly kind: 'assign'; readonly target: Name; readonly value: Expr; readonly range: Range }
  | { readonly kind: 'if'; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else?: readonly Stmt[]; readonly range: Range }
  | { readonly kind: 'for'; readonly variable: Name; readonly iterable: Expr; readonly body: readonly Stmt[]; readonly range: Range }
  | { readonly kind: 'repeat'; readonly count: Expr; readonly body: readonly Stmt[]; readonly range: Range }
  | { readonly kind: 'assert'; readonly cond: Expr; readonly message?: string; readonly range: Range }
  | { readonly kind: 'return'; readonly values: readonly Expr[]; readonly range: Range }
  | { readonly kind: 'frozen'; readonly body: readonly Stmt[]; readonly range: Range }
  | { readonly kind: 'expr'; readonly value: Expr; readonly range: Range };

/** A type annotation: `int`, `Tensor`, `[N, 3, H, W]`, `int64[N, T]`. */
export interface TypeRef {
  readonly name?: Name;
  readonly dims?: readonly Expr[];
  readonly range: Range;
}

export interface Param {
  readonly name: Name;
  readonly type?: TypeRef;
  readonly default?: Expr;
  readonly range: Range;
}

export interface ImportDecl {
  readonly kind: 'import';
  /** `std.resnet` or a relative path string. */
  readonly module: string;
  readonly moduleRange: Range;
  readonly items: readonly { readonly name: Name; readonly alias?: Name }[];
  readonly range: Range;
}

export interface ConstDecl {
  readonly kind: 'const';
  readonly name: Name;
  readonly value: Expr;
  readonly range: Range;
}

export interface BlockDecl {
  readonly kind: 'block';
  readonly name: Name;
  readonly params: readonly Param[];
  readonly returns?: readonly Param[];
  readonly body: readonly Stmt[];
  readonly doc?: string;
  readonly range: Range;
}

export interface ModelDecl {
  readonly kind: 'model';
  readonly name: Name;
  readonly inputs: readonly Param[];
  readonly outputs?: readonly Param[];
  readonly where: readonly Expr[];
  readonly body: readonly Stmt[];
  readonly doc?: string;
  readonly range: Range;
}

export type Decl = ImportDecl | ConstDecl | BlockDecl | ModelDecl;

export interface Module {
  readonly decls: readonly Decl[];
  readonly comments: readonly Range[];
}
