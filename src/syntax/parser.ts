/**
 * The `.nn` parser: a Chevrotain CST parser with error recovery, shared by the CLI and the language server.
 * Layer calls are parsed as generic calls `name(args)` (a "super grammar"): adding an op never touches it.
 * grammar/nn.ebnf mirrors these rules (test/grammar.test.ts keeps them in sync).
 */
import { CstParser, type CstNode, type IToken } from 'chevrotain';
import * as T from './lexer.js';

class NnParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, skipValidations: true, nodeLocationTracking: 'onlyOffset' });
    this.performSelfAnalysis();
  }

  module = this.RULE('module', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.constDecl) },
        { ALT: () => this.SUBRULE(this.blockDecl) },
        { ALT: () => this.SUBRULE(this.modelDecl) },
      ]);
    });
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.From);
    this.OR([
      { ALT: () => this.CONSUME(T.StringLit) },
      {
        ALT: () => {
          this.CONSUME(T.Ident);
          this.MANY(() => {
            this.CONSUME(T.Dot);
            this.CONSUME2(T.Ident);
          });
        },
      },
    ]);
    this.CONSUME(T.Import);
    this.SUBRULE(this.importItem);
    this.MANY2({ GATE: () => this.LA(2).tokenType === T.Ident, DEF: () => { this.CONSUME(T.Comma); this.SUBRULE2(this.importItem); } });
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  importItem = this.RULE('importItem', () => {
    this.CONSUME(T.Ident);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME2(T.Ident);
    });
  });

  constDecl = this.RULE('constDecl', () => {
    this.CONSUME(T.Const);
    this.CONSUME(T.Ident);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  blockDecl = this.RULE('blockDecl', () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Ident);
    this.SUBRULE(this.paramList);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.outputSpec);
    });
    this.SUBRULE(this.body);
  });

  modelDecl = this.RULE('modelDecl', () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Ident);
    this.SUBRULE(this.paramList);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.outputSpec);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Where);
      this.SUBRULE(this.expression);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expression);
      });
    });
    this.SUBRULE(this.body);
  });

  paramList = this.RULE('paramList', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY({ GATE: () => this.LA(2).tokenType !== T.RParen, DEF: () => { this.CONSUME(T.Comma); this.SUBRULE2(this.param); } });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  param = this.RULE('param', () => {
    this.CONSUME(T.Ident);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeRef);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Assign);
      this.SUBRULE(this.expression);
    });
  });

  /** `(name: type, …)` or a single type. */
  outputSpec = this.RULE('outputSpec', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.outputItem);
          this.MANY({ GATE: () => this.LA(2).tokenType !== T.RParen, DEF: () => { this.CONSUME(T.Comma); this.SUBRULE2(this.outputItem); } });
          this.OPTION(() => this.CONSUME2(T.Comma));
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.typeRef) },
    ]);
  });

  outputItem = this.RULE('outputItem', () => {
    this.OPTION({ GATE: () => this.LA(2).tokenType === T.Colon, DEF: () => { this.CONSUME(T.Ident); this.CONSUME(T.Colon); } });
    this.SUBRULE(this.typeRef);
  });

  typeRef = this.RULE('typeRef', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Ident);
          this.OPTION(() => this.SUBRULE(this.dimList));
        },
      },
      { ALT: () => this.SUBRULE2(this.dimList) },
    ]);
  });

  dimList = this.RULE('dimList', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY({ GATE: () => this.LA(2).tokenType !== T.RBracket, DEF: () => { this.CONSUME(T.Comma); this.SUBRULE2(this.expression); } });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  body = this.RULE('body', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  /** A run of statements on its own: the editor re-parses just the statements an edit touched. */
  statements = this.RULE('statements', () => {
    this.MANY(() => this.SUBRULE(this.statement));
  });

  statement = this.RULE('statement', () => {
    this.ACTION(() => {
      this.stmtCol = this.column(this.LA(1));
    });
    this.OR([
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.forStmt) },
      { ALT: () => this.SUBRULE(this.repeatStmt) },
      { ALT: () => this.SUBRULE(this.assertStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.frozenStmt) },
      { GATE: () => this.LA(2).tokenType === T.Assign, ALT: () => this.SUBRULE(this.assignStmt) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
    this.OPTION(() => this.CONSUME(T.Semi));
    this.ACTION(() => {
      this.stmtCol = 0;
    });
  });

  /**
   * The column of the statement being parsed (0 outside one). A line that begins at or left of it with
   * `name =` begins the next statement, not a keyword argument: an unfinished `q = x -> f(` stops at the end
   * of its line instead of taking the next statement as its argument (an offside rule, as the formatter
   * indents arguments deeper than their statement).
   */
  private stmtCol = 0;
  /** Added to the columns of the first line (a run of statements parsed out of its line: parseStatementRun). */
  private firstLineShift = 0;

  /** Before each parse: no statement yet, and the first line's tokens start `shift` columns further right. */
  resetLayout(shift = 0): void {
    this.stmtCol = 0;
    this.firstLineShift = shift;
  }

  private column(t: IToken): number {
    return (t.startColumn ?? 0) + (t.startLine === 1 ? this.firstLineShift : 0);
  }

  /** `t` begins a line at or left of the current statement's column. */
  private offside(t: IToken): boolean {
    return this.stmtCol > 0 && t.startLine !== this.LA(0).endLine && this.column(t) <= this.stmtCol;
  }

  ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.body);
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([{ ALT: () => this.SUBRULE(this.ifStmt) }, { ALT: () => this.SUBRULE2(this.body) }]);
    });
  });

  forStmt = this.RULE('forStmt', () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Ident);
    this.CONSUME(T.In);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.body);
  });

  repeatStmt = this.RULE('repeatStmt', () => {
    this.CONSUME(T.Repeat);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.body);
  });

  assertStmt = this.RULE('assertStmt', () => {
    this.CONSUME(T.Assert);
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(T.Comma);
      this.CONSUME(T.StringLit);
    });
  });

  returnStmt = this.RULE('returnStmt', () => {
    this.CONSUME(T.Return);
    this.SUBRULE(this.expression);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expression);
    });
  });

  frozenStmt = this.RULE('frozenStmt', () => {
    this.CONSUME(T.Frozen);
    this.SUBRULE(this.body);
  });

  assignStmt = this.RULE('assignStmt', () => {
    this.CONSUME(T.Ident);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  /**
   * `a op b op c …` flat: precedence is resolved in cst-to-ast.ts (precedence climbing), which keeps the
   * CST shallow — a chain of one rule per precedence level made parsing ~5× slower.
   */
  expression = this.RULE('expression', () => {
    this.SUBRULE(this.binaryExpr);
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      this.SUBRULE2(this.binaryExpr);
    });
    this.MANY(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.postfixExpr);
    });
  });

  binaryExpr = this.RULE('binaryExpr', () => {
    this.SUBRULE(this.unaryExpr);
    this.MANY(() => {
      this.SUBRULE(this.binaryOp);
      this.SUBRULE2(this.unaryExpr);
    });
  });

  binaryOp = this.RULE('binaryOp', () => {
    this.OR(
      (this.binOps ??= [
        T.Or, T.And, T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.Plus, T.Minus, T.StarStar, T.Star, T.SlashSlash, T.Slash, T.Percent,
      ].map((tt) => ({ ALT: () => this.CONSUME(tt) }))),
    );
  });
  private binOps: { ALT: () => unknown }[] | undefined;

  /** Prefix `-` and `not` (whose looser binding is resolved in cst-to-ast.ts). */
  unaryExpr = this.RULE('unaryExpr', () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Minus) }, { ALT: () => this.CONSUME(T.Not) }]);
    });
    this.SUBRULE(this.postfixExpr);
  });

  postfixExpr = this.RULE('postfixExpr', () => {
    this.SUBRULE(this.primary);
    // A call or index must start on the same line: a `(` or `[` on the next line begins a new statement.
    this.MANY({ GATE: () => this.LA(1).tokenType === T.Dot || this.LA(1).startLine === this.LA(0).endLine, DEF: () => {
      this.OR([
        { ALT: () => this.SUBRULE(this.callSuffix) },
        { ALT: () => this.SUBRULE(this.indexSuffix) },
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            this.CONSUME(T.Ident);
          },
        },
      ]);
    } });
  });

  callSuffix = this.RULE('callSuffix', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.arg);
      this.MANY({ GATE: () => this.LA(2).tokenType !== T.RParen, DEF: () => { this.CONSUME(T.Comma); this.SUBRULE2(this.arg); } });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  arg = this.RULE('arg', () => {
    this.OPTION({ GATE: () => this.LA(2).tokenType === T.Assign && !this.offside(this.LA(1)), DEF: () => { this.CONSUME(T.Ident); this.CONSUME(T.Assign); } });
    this.SUBRULE(this.expression);
  });

  indexSuffix = this.RULE('indexSuffix', () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RBracket);
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.None) },
      // `name =` is never an expression (outside a call's keyword argument, which `arg` takes first): it
      // begins the next statement. So an unfinished `q = h ->` stops there rather than swallowing that name.
      { GATE: () => this.LA(2).tokenType !== T.Assign, ALT: () => this.CONSUME(T.Ident) },
      { ALT: () => this.SUBRULE(this.parenExpr) },
      { ALT: () => this.SUBRULE(this.listExpr) },
    ]);
  });

  /** `(e)` groups; `(a, b)`, `(a,)` and `()` are tuples. */
  parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY({ GATE: () => this.LA(2).tokenType !== T.RParen, DEF: () => { this.CONSUME(T.Comma); this.SUBRULE2(this.expression); } });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  listExpr = this.RULE('listExpr', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY({ GATE: () => this.LA(2).tokenType !== T.RBracket, DEF: () => { this.CONSUME(T.Comma); this.SUBRULE2(this.expression); } });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });
}

let instance: NnParser | undefined;
/** The shared parser instance (building one costs a grammar analysis). */
export function getParser(): NnParser {
  return (instance ??= new NnParser());
}

export type { CstNode, IToken };
