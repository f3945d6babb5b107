/** The expression rules: operators, chains, calls, indexing, literals, tuples and lists. */
import type { IOrAlt, IToken, TokenType } from 'chevrotain';
import { real } from './build.js';
import * as N from './nodes-expr.js';
import { ParserBase } from './parser-base.js';
import * as T from './lexer.js';

export abstract class ExprParser extends ParserBase {
  // These rules run once per expression, operand or argument: their DSL closures are made once (fields),
  // not at each invocation, and reach the rule's builder through `top()` (closures made per call allocated
  // more than the AST did).

  /**
   * `a op b op c …` flat: precedence is resolved when the AST is built (precedence climbing), which keeps
   * the rules shallow — a chain of one rule per precedence level made parsing ~5× slower.
   */
  expression = this.rule('expression', () => {
    const b = this.open(N.expressionN());
    this.sub(b, this.SUBRULE(this.binaryExpr));
    this.OPTION(this.rangeEnd);
    this.MANY(this.chainStep);
    return this.close<unknown>(b);
  });
  private readonly rangeEnd = (): void => {
    this.tkTop(this.CONSUME(T.DotDot));
    this.subTop(this.SUBRULE2(this.binaryExpr));
  };
  private readonly chainStep = (): void => {
    this.tkTop(this.CONSUME(T.Arrow));
    this.subTop(this.SUBRULE(this.postfixExpr));
  };

  binaryExpr = this.rule('binaryExpr', () => {
    const b = this.open(N.binaryExprN());
    this.sub(b, this.SUBRULE(this.unaryExpr));
    this.MANY(this.binaryStep);
    return this.close<unknown>(b);
  });
  private readonly binaryStep = (): void => {
    this.subTop(this.SUBRULE(this.binaryOp));
    this.subTop(this.SUBRULE2(this.unaryExpr));
  };

  binaryOp = this.rule('binaryOp', () => {
    const b = this.open(N.binaryOpN());
    this.OR(
      (this.binOps ??= [
        T.Or, T.And, T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.Plus, T.Minus, T.StarStar, T.Star, T.SlashSlash, T.Slash, T.Percent,
      ].map((tt) => ({ ALT: () => void (this.top<N.BinaryOpN>().tok = this.tkTop(this.CONSUME(tt))) }))),
    );
    return this.close<unknown>(b);
  });
  private binOps: IOrAlt<void>[] | undefined;

  /** Prefix `-` and `not` (whose looser binding is resolved when the AST is built). */
  unaryExpr = this.rule('unaryExpr', () => {
    const b = this.open(N.unaryExprN());
    this.MANY(this.prefix);
    this.sub(b, this.SUBRULE(this.postfixExpr));
    return this.close<unknown>(b);
  });
  private prefixAlts: IOrAlt<void>[] | undefined;
  private readonly prefix = (): void =>
    this.OR(
      (this.prefixAlts ??= [
        { ALT: () => void this.top<N.UnaryExprN>().prefixes.push(this.tkTop(this.CONSUME(T.Minus))) },
        { ALT: () => void this.top<N.UnaryExprN>().prefixes.push(this.tkTop(this.CONSUME(T.Not))) },
      ]),
    );

  postfixExpr = this.rule('postfixExpr', () => {
    const b = this.open(N.postfixExprN());
    this.sub(b, this.SUBRULE(this.primary));
    this.MANY(this.suffix);
    return this.close<unknown>(b);
  });
  private suffixAlts: IOrAlt<void>[] | undefined;
  private readonly suffix = {
    // A call or index must start on the same line: a `(` or `[` on the next line begins a new statement.
    GATE: (): boolean => this.LA(1).tokenType === T.Dot || this.LA(1).startLine === this.LA(0).endLine,
    DEF: (): void =>
      this.OR(
        (this.suffixAlts ??= [
          { ALT: () => this.subTop(this.SUBRULE(this.callSuffix)) },
          { ALT: () => this.subTop(this.SUBRULE(this.indexSuffix)) },
          {
            ALT: () => {
              this.tkTop(this.CONSUME(T.Dot));
              const id = this.tkTop(this.CONSUME(T.Ident));
              if (real(id)) this.top<N.PostfixExprN>().suffixes.push({ k: 'member', id });
            },
          },
        ]),
      ),
  };

  callSuffix = this.rule('callSuffix', () => {
    const b = this.open(N.callSuffixN());
    this.tk(b, this.CONSUME(T.LParen));
    this.OPTION(this.callArgs);
    this.tk(b, this.CONSUME(T.RParen));
    return this.close<unknown>(b);
  });
  private readonly callArgs = (): void => {
    this.subTop(this.SUBRULE(this.arg));
    this.MANY(this.nextArg);
    this.OPTION2(this.callComma);
  };
  private readonly nextArg = {
    GATE: (): boolean => this.LA(2).tokenType !== T.RParen,
    DEF: (): void => {
      this.tkTop(this.CONSUME(T.Comma));
      this.subTop(this.SUBRULE2(this.arg));
    },
  };
  private readonly callComma = (): void => void this.tkTop(this.CONSUME2(T.Comma));

  arg = this.rule('arg', () => {
    const b = this.open(N.argN());
    this.OPTION(this.keyword);
    this.sub(b, this.SUBRULE(this.expression));
    return this.close<unknown>(b);
  });
  private readonly keyword = {
    GATE: (): boolean => this.LA(2).tokenType === T.Assign && !this.offside(this.LA(1)),
    DEF: (): void => {
      this.name(this.top<N.ArgN>(), this.CONSUME(T.Ident));
      this.tkTop(this.CONSUME(T.Assign));
    },
  };

  indexSuffix = this.rule('indexSuffix', () => {
    const b = this.open(N.indexSuffixN());
    this.tk(b, this.CONSUME(T.LBracket));
    this.sub(b, this.SUBRULE(this.expression));
    this.tk(b, this.CONSUME(T.RBracket));
    return this.close<unknown>(b);
  });

  primary = this.rule('primary', () => {
    this.open(N.primaryN());
    this.OR(
      (this.primaryAlts ??= [
        { ALT: () => this.literal(T.NumberLit) },
        { ALT: () => this.literal(T.StringLit) },
        { ALT: () => this.literal(T.True) },
        { ALT: () => this.literal(T.False) },
        { ALT: () => this.literal(T.None) },
        // `name =` is never an expression (outside a call's keyword argument, which `arg` takes first): it
        // begins the next statement. So an unfinished `q = h ->` stops there rather than swallowing that name.
        { GATE: () => this.LA(2).tokenType !== T.Assign, ALT: () => this.literal(T.Ident) },
        { ALT: () => this.subTop(this.SUBRULE(this.parenExpr)) },
        { ALT: () => this.subTop(this.SUBRULE(this.listExpr)) },
      ]),
    );
    return this.close<unknown>(this.top());
  });
  private primaryAlts: IOrAlt<void>[] | undefined;
  private literal(tt: TokenType): void {
    const b = this.top<N.PrimaryN>();
    b.tok = this.tk(b, this.CONSUME(tt));
  }

  /** `(e)` groups; `(a, b)`, `(a,)` and `()` are tuples. */
  parenExpr = this.rule('parenExpr', () => {
    const b = this.open(N.itemsN('parenExpr'));
    this.tk(b, this.CONSUME(T.LParen));
    this.OPTION(this.parenItems);
    this.tk(b, this.CONSUME(T.RParen));
    return this.close<unknown>(b);
  });
  private readonly parenItems = (): void => {
    this.subTop(this.SUBRULE(this.expression));
    this.MANY(this.nextParenItem);
    this.OPTION2(this.parenComma);
  };
  private readonly nextParenItem = {
    GATE: (): boolean => this.LA(2).tokenType !== T.RParen,
    DEF: (): void => {
      this.comma(this.CONSUME(T.Comma));
      this.subTop(this.SUBRULE2(this.expression));
    },
  };
  private readonly parenComma = (): void => this.comma(this.CONSUME2(T.Comma));
  private comma(t: IToken): void {
    const b = this.top<N.ItemsN>();
    this.tk(b, t);
    if (real(t)) b.comma = true;
  }

  listExpr = this.rule('listExpr', () => {
    const b = this.open(N.itemsN('listExpr'));
    this.tk(b, this.CONSUME(T.LBracket));
    this.OPTION(this.listItems);
    this.tk(b, this.CONSUME(T.RBracket));
    return this.close<unknown>(b);
  });
  private readonly listItems = (): void => {
    this.subTop(this.SUBRULE(this.expression));
    this.MANY(this.nextListItem);
    this.OPTION2(this.listComma);
  };
  private readonly nextListItem = {
    GATE: (): boolean => this.LA(2).tokenType !== T.RBracket,
    DEF: (): void => {
      this.tkTop(this.CONSUME(T.Comma));
      this.subTop(this.SUBRULE2(this.expression));
    },
  };
  private readonly listComma = (): void => void this.tkTop(this.CONSUME2(T.Comma));
}
