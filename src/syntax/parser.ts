/**
 * The `.nn` parser: a Chevrotain parser with error recovery, shared by the CLI and the language server,
 * whose actions build the AST directly (src/syntax/nodes.ts and nodes-expr.ts: one builder per rule).
 * Layer calls are parsed as generic calls `name(args)` (a "super grammar"): adding an op never touches it.
 * grammar/nn.ebnf mirrors these rules (test/grammar.test.ts keeps them in sync).
 */
import type { IOrAlt, IToken } from 'chevrotain';
import type { Decl, Stmt } from './ast.js';
import { type ConvertProblem, real } from './build.js';
import * as N from './nodes.js';
import { ExprParser } from './parser-expr.js';
import * as T from './lexer.js';

class NnParser extends ExprParser {
  constructor() {
    super();
    this.performSelfAnalysis();
  }

  /** Parses a whole file (or a piece of one starting at offset `base`: the AST's offsets are the file's). */
  parseModule(tokens: IToken[], maxExprDepth: number, base = 0, misplaced?: ReadonlySet<number>): { decls: Decl[]; problems: ConvertProblem[] } {
    this.start(tokens, 0, maxExprDepth, base, misplaced);
    let decls = this.module() ?? [];
    this.ctx.placeRest();
    // Declarations misplaced in bodies are the file's, checked as if written at the top level (as the hint says
    // to move them): what uses them reports nothing more.
    const hoisted = this.ctx.hoisted;
    if (hoisted.length) decls = [...decls, ...hoisted.map((h) => h.decl)].sort((a, b) => a.range.start - b.range.start);
    return { decls, problems: this.ctx.problems };
  }

  /**
   * Parses a run of statements whose first line starts `shift` columns right of the text's (the offside
   * rule reads columns); `count` includes statements that made no AST.
   */
  parseStatements(tokens: IToken[], shift: number, maxExprDepth: number): { stmts: Stmt[]; count: number; problems: ConvertProblem[] } {
    this.start(tokens, shift, maxExprDepth);
    const stmts = this.statements() ?? [];
    const count = this.lastBuilt?.rule === 'statements' ? (this.lastBuilt as N.ListN<Stmt>).count : 0;
    return { stmts, count, problems: this.ctx.problems };
  }

  module = this.rule('module', () => {
    const b = this.open(N.moduleN());
    this.MANY(() => {
      this.OR([
        { ALT: () => this.sub(b, this.SUBRULE(this.importDecl)) },
        { ALT: () => this.sub(b, this.SUBRULE(this.constDecl)) },
        { ALT: () => this.sub(b, this.SUBRULE(this.blockDecl)) },
        { ALT: () => this.sub(b, this.SUBRULE(this.modelDecl)) },
      ]);
    });
    return this.close<Decl[]>(b);
  });

  importDecl = this.rule('importDecl', () => {
    const b = this.open(N.importDeclN());
    this.tk(b, this.CONSUME(T.From));
    this.OR([
      {
        ALT: () => {
          const t = this.tk(b, this.CONSUME(T.StringLit));
          if (real(t)) b.str ??= t;
        },
      },
      {
        ALT: () => {
          const t = this.tk(b, this.CONSUME(T.Ident));
          if (real(t)) b.idents.push(t);
          this.MANY(() => {
            this.tk(b, this.CONSUME(T.Dot));
            const u = this.tk(b, this.CONSUME2(T.Ident));
            if (real(u)) b.idents.push(u);
          });
        },
      },
    ]);
    this.tk(b, this.CONSUME(T.Import));
    this.sub(b, this.SUBRULE(this.importItem));
    this.MANY2({
      GATE: () => this.LA(2).tokenType === T.Ident,
      DEF: () => {
        this.tk(b, this.CONSUME(T.Comma));
        this.sub(b, this.SUBRULE2(this.importItem));
      },
    });
    this.OPTION(() => this.tk(b, this.CONSUME2(T.Comma)));
    return this.close<Decl>(b);
  });

  importItem = this.rule('importItem', () => {
    const b = this.open(N.importItemN());
    const t = this.tk(b, this.CONSUME(T.Ident));
    if (real(t)) b.ids.push(t);
    this.OPTION(() => {
      this.tk(b, this.CONSUME(T.As));
      const u = this.tk(b, this.CONSUME2(T.Ident));
      if (real(u)) b.ids.push(u);
    });
    return this.close<unknown>(b);
  });

  constDecl = this.rule('constDecl', () => {
    const b = this.open(N.constDeclN(this.ctx.problems.length));
    this.ctx.tooDeep = false;
    this.tk(b, this.CONSUME(T.Const));
    this.name(b, this.CONSUME(T.Ident));
    this.tk(b, this.CONSUME(T.Assign));
    this.sub(b, this.SUBRULE(this.expression));
    return this.close<Decl | undefined>(b);
  });


  blockDecl = this.rule('blockDecl', () => {
    const b = this.open(N.declN('blockDecl', this.ctx.problems.length));
    this.tk(b, this.CONSUME(T.Block));
    this.name(b, this.CONSUME(T.Ident));
    this.sub(b, this.SUBRULE(this.paramList));
    this.OPTION(() => {
      this.tk(b, this.CONSUME(T.Arrow));
      this.sub(b, this.SUBRULE(this.outputSpec));
    });
    this.sub(b, this.SUBRULE(this.body));
    return this.close<Decl | undefined>(b);
  });

  modelDecl = this.rule('modelDecl', () => {
    const b = this.open(N.declN('modelDecl', this.ctx.problems.length));
    this.ctx.tooDeep = false;
    this.tk(b, this.CONSUME(T.Model));
    this.name(b, this.CONSUME(T.Ident));
    this.sub(b, this.SUBRULE(this.paramList));
    this.OPTION(() => {
      this.tk(b, this.CONSUME(T.Arrow));
      this.sub(b, this.SUBRULE(this.outputSpec));
    });
    this.OPTION2(() => {
      this.tk(b, this.CONSUME(T.Where));
      this.sub(b, this.SUBRULE(this.expression));
      this.MANY(() => {
        this.tk(b, this.CONSUME(T.Comma));
        this.sub(b, this.SUBRULE2(this.expression));
      });
    });
    this.sub(b, this.SUBRULE(this.body));
    return this.close<Decl | undefined>(b);
  });

  paramList = this.rule('paramList', () => {
    const b = this.open(N.listN('paramList'));
    this.tk(b, this.CONSUME(T.LParen));
    this.OPTION(() => {
      this.sub(b, this.SUBRULE(this.param));
      this.MANY({
        GATE: () => this.LA(2).tokenType !== T.RParen,
        DEF: () => {
          this.tk(b, this.CONSUME(T.Comma));
          this.sub(b, this.SUBRULE2(this.param));
        },
      });
      this.OPTION2(() => this.tk(b, this.CONSUME2(T.Comma)));
    });
    this.tk(b, this.CONSUME(T.RParen));
    return this.close<unknown>(b);
  });

  param = this.rule('param', () => {
    const b = this.open(N.paramN(this.ctx.problems.length));
    this.ctx.tooDeep = false;
    this.name(b, this.CONSUME(T.Ident));
    this.OPTION(() => {
      this.tk(b, this.CONSUME(T.Colon));
      this.sub(b, this.SUBRULE(this.typeRef));
    });
    this.OPTION2(() => {
      this.tk(b, this.CONSUME(T.Assign));
      this.sub(b, this.SUBRULE(this.expression));
    });
    return this.close<unknown>(b);
  });

  /** `(name: type, …)` or a single type. */
  outputSpec = this.rule('outputSpec', () => {
    const b = this.open(N.outputSpecN());
    this.OR([
      {
        ALT: () => {
          this.tk(b, this.CONSUME(T.LParen));
          this.sub(b, this.SUBRULE(this.outputItem));
          this.MANY({
            GATE: () => this.LA(2).tokenType !== T.RParen,
            DEF: () => {
              this.tk(b, this.CONSUME(T.Comma));
              this.sub(b, this.SUBRULE2(this.outputItem));
            },
          });
          this.OPTION(() => this.tk(b, this.CONSUME2(T.Comma)));
          this.tk(b, this.CONSUME(T.RParen));
        },
      },
      { ALT: () => this.sub(b, this.SUBRULE(this.typeRef)) },
    ]);
    return this.close<unknown>(b);
  });

  outputItem = this.rule('outputItem', () => {
    const b = this.open(N.outputItemN());
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.name(b, this.CONSUME(T.Ident));
        this.tk(b, this.CONSUME(T.Colon));
      },
    });
    this.sub(b, this.SUBRULE(this.typeRef));
    return this.close<unknown>(b);
  });

  typeRef = this.rule('typeRef', () => {
    const b = this.open(N.typeRefN());
    this.OR([
      {
        ALT: () => {
          this.name(b, this.CONSUME(T.Ident));
          this.OPTION(() => this.sub(b, this.SUBRULE(this.dimList)));
        },
      },
      { ALT: () => this.sub(b, this.SUBRULE2(this.dimList)) },
    ]);
    return this.close<unknown>(b);
  });

  dimList = this.rule('dimList', () => {
    const b = this.open(N.dimListN());
    this.tk(b, this.CONSUME(T.LBracket));
    this.OPTION(() => {
      this.ctx.tooDeep = false;
      this.sub(b, this.SUBRULE(this.expression));
      this.MANY({
        GATE: () => this.LA(2).tokenType !== T.RBracket,
        DEF: () => {
          this.tk(b, this.CONSUME(T.Comma));
          this.sub(b, this.SUBRULE2(this.expression));
        },
      });
      this.OPTION2(() => this.tk(b, this.CONSUME2(T.Comma)));
    });
    this.tk(b, this.CONSUME(T.RBracket));
    return this.close<unknown>(b);
  });

  // The rules below run once per statement or expression: their DSL closures are made once (fields), not
  // at each invocation, and reach the rule's builder through `top()` (closures per call allocated more
  // than the AST did).
  body = this.rule('body', () => {
    const b = this.open(N.listN<Stmt>('body'));
    this.tk(b, this.CONSUME(T.LBrace));
    this.MANY(this.oneStatement);
    this.tk(b, this.CONSUME(T.RBrace));
    return this.close<Stmt[]>(b);
  });
  private readonly oneStatement = { GATE: (): boolean => this.statementNext(), DEF: (): void => this.subTop(this.SUBRULE(this.statement)) };

  /** A run of statements on its own: the editor re-parses just the statements an edit touched. */
  statements = this.rule('statements', () => {
    const b = this.open(N.listN<Stmt>('statements'));
    this.MANY(this.oneStatement);
    return this.close<Stmt[]>(b);
  });

  statement = this.rule('statement', () => {
    this.open(N.statementN(this.ctx.tokenlessMade));
    this.ctx.tooDeep = false;
    this.ACTION(this.enterStatement);
    this.OR(
      (this.statementAlts ??= [
        { ALT: () => this.subTop(this.SUBRULE(this.ifStmt)) },
        { ALT: () => this.subTop(this.SUBRULE(this.forStmt)) },
        { ALT: () => this.subTop(this.SUBRULE(this.repeatStmt)) },
        { ALT: () => this.subTop(this.SUBRULE(this.assertStmt)) },
        { ALT: () => this.subTop(this.SUBRULE(this.returnStmt)) },
        { ALT: () => this.subTop(this.SUBRULE(this.frozenStmt)) },
        { GATE: () => this.LA(2).tokenType === T.Assign, ALT: () => this.subTop(this.SUBRULE(this.assignStmt)) },
        { ALT: () => this.subTop(this.SUBRULE(this.expression)) },
        { ALT: () => this.subTop(this.SUBRULE(this.misplacedDecl)) },
      ]),
    );
    this.OPTION(this.semicolon);
    this.ACTION(this.leaveStatement);
    return this.close<Stmt | undefined>(this.top());
  });
  private statementAlts: IOrAlt<void>[] | undefined;
  private readonly enterStatement = (): void => {
    this.stmtCol = this.column(this.LA(1));
  };
  private readonly leaveStatement = (): void => {
    this.stmtCol = 0;
  };
  private readonly semicolon = (): void => void this.tkTop(this.CONSUME(T.Semi));

  ifStmt = this.rule('ifStmt', () => {
    const b = this.open(N.ifStmtN());
    this.tk(b, this.CONSUME(T.If));
    this.sub(b, this.SUBRULE(this.expression));
    this.sub(b, this.SUBRULE(this.body));
    this.OPTION(() => {
      this.tk(b, this.CONSUME(T.Else));
      this.OR([{ ALT: () => this.sub(b, this.SUBRULE(this.ifStmt)) }, { ALT: () => this.sub(b, this.SUBRULE2(this.body)) }]);
    });
    return this.close<Stmt>(b);
  });

  forStmt = this.rule('forStmt', () => {
    const b = this.open(N.simpleStmtN('forStmt', this.ctx.problems.length));
    this.tk(b, this.CONSUME(T.For));
    this.name(b, this.CONSUME(T.Ident));
    this.tk(b, this.CONSUME(T.In));
    this.sub(b, this.SUBRULE(this.expression));
    this.sub(b, this.SUBRULE(this.body));
    return this.close<Stmt | undefined>(b);
  });

  repeatStmt = this.rule('repeatStmt', () => {
    const b = this.open(N.simpleStmtN('repeatStmt', this.ctx.problems.length));
    this.tk(b, this.CONSUME(T.Repeat));
    this.sub(b, this.SUBRULE(this.expression));
    this.sub(b, this.SUBRULE(this.body));
    return this.close<Stmt | undefined>(b);
  });

  assertStmt = this.rule('assertStmt', () => {
    const b = this.open(N.simpleStmtN('assertStmt', this.ctx.problems.length));
    this.tk(b, this.CONSUME(T.Assert));
    this.sub(b, this.SUBRULE(this.expression));
    this.OPTION(() => {
      this.tk(b, this.CONSUME(T.Comma));
      const t = this.tk(b, this.CONSUME(T.StringLit));
      if (real(t)) b.str ??= t;
    });
    return this.close<Stmt | undefined>(b);
  });

  returnStmt = this.rule('returnStmt', () => {
    const b = this.open(N.simpleStmtN('returnStmt', this.ctx.problems.length));
    this.tk(b, this.CONSUME(T.Return));
    this.sub(b, this.SUBRULE(this.expression));
    this.MANY(() => {
      this.tk(b, this.CONSUME(T.Comma));
      this.sub(b, this.SUBRULE2(this.expression));
    });
    return this.close<Stmt | undefined>(b);
  });

  frozenStmt = this.rule('frozenStmt', () => {
    const b = this.open(N.simpleStmtN('frozenStmt', this.ctx.problems.length));
    this.tk(b, this.CONSUME(T.Frozen));
    this.sub(b, this.SUBRULE(this.body));
    return this.close<Stmt | undefined>(b);
  });

  /**
   * A declaration in a body, where a later `}` closes the body (a line pasted there; src/syntax/body-scan.ts):
   * parsed, so that the statements after it are read, and reported (E0101). Not part of the language.
   */
  misplacedDecl = this.rule('misplacedDecl', () => {
    const b = this.open(N.misplacedN(this.LA(1)));
    this.OR([
      { ALT: () => this.sub(b, this.SUBRULE(this.importDecl)) },
      { ALT: () => this.sub(b, this.SUBRULE(this.constDecl)) },
      { ALT: () => this.sub(b, this.SUBRULE(this.blockDecl)) },
      { ALT: () => this.sub(b, this.SUBRULE(this.modelDecl)) },
    ]);
    return this.close<undefined>(b);
  });

  assignStmt = this.rule('assignStmt', () => {
    const b = this.open(N.simpleStmtN('assignStmt', this.ctx.problems.length));
    this.name(b, this.CONSUME(T.Ident));
    this.tk(b, this.CONSUME(T.Assign));
    this.sub(b, this.SUBRULE(this.expression));
    return this.close<Stmt | undefined>(b);
  });

}

let instance: NnParser | undefined;
/** The shared parser instance (building one costs a grammar analysis). */
export function getParser(): NnParser {
  return (instance ??= new NnParser());
}

export type { IToken };
