/**
 * What the parser's rules share: the stack of rule invocations being built (src/syntax/nodes.ts), the
 * recovery that finishes those a syntax error cut short, and the layout (offside) rule.
 */
import { EmbeddedActionsParser, type IRuleConfig, type IToken } from 'chevrotain';
import { BuildContext, extend, real } from './build.js';
import type * as N from './nodes.js';
import * as T from './lexer.js';

const NONE: ReadonlySet<number> = new Set();

export abstract class ParserBase extends EmbeddedActionsParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, skipValidations: true });
  }

  /** The rule invocations being built, innermost last. */
  protected building: N.Node[] = [];
  /** The invocation finished last: its parent reads its rule and location. */
  protected lastBuilt: N.Node | undefined = undefined;
  protected ctx = new BuildContext();
  /**
   * When a rule recovers from a syntax error (Chevrotain re-syncs in the innermost rule that can go on), the
   * invocations under it that were cut short are finished from what they had, each handed to its parent, as
   * Chevrotain's CST parser kept their partial nodes; then the rule itself is finished.
   */
  protected readonly recovery = { recoveryValueFunc: (): unknown => this.recover() };

  protected start(tokens: IToken[], shift: number, maxExprDepth: number, base = 0, misplaced: ReadonlySet<number> = NONE): void {
    this.misplaced = misplaced;
    this.input = tokens;
    this.stmtCol = 0;
    this.firstLineShift = shift;
    this.building = [];
    this.lastBuilt = undefined;
    this.ctx = new BuildContext(maxExprDepth, base);
  }

  /**
   * The depth of Chevrotain's rule stack (its `RULE_STACK_IDX`, not part of its typed API). Should an
   * upgrade rename it, cut-short rules would lose their partial trees (test/parse-recovery.test.ts fails).
   */
  private ruleDepth(): number {
    return (this as unknown as { RULE_STACK_IDX: number }).RULE_STACK_IDX;
  }

  protected open<B extends N.Node>(b: B): B {
    b.depth = this.ruleDepth();
    this.building.push(b);
    return b;
  }

  protected close<R>(b: N.Node): R {
    this.building.pop();
    // While Chevrotain records the grammar, rules run once with placeholder tokens and results.
    if (this.RECORDING_PHASE) return undefined as R;
    this.lastBuilt = b;
    return b.spec.finish(b, this.ctx) as R;
  }

  /** A token consumed by `b`'s rule. */
  protected tk(b: N.Node, t: IToken): IToken {
    extend(b, t.startOffset, t.endOffset!);
    return t;
  }

  /** The builder of the rule being parsed. */
  protected top<B extends N.Node>(): B {
    return this.building[this.building.length - 1] as B;
  }

  protected tkTop(t: IToken): IToken {
    return this.tk(this.top(), t);
  }

  protected subTop(v: unknown): void {
    this.sub(this.top(), v);
  }

  /** The value of a child rule of `b`'s rule, just returned. */
  protected sub(b: N.Node, v: unknown): void {
    if (this.RECORDING_PHASE) return;
    const k = this.lastBuilt!;
    b.spec.add(b, k.rule, v, k, this.ctx);
    extend(b, k.s, k.e);
  }

  /** A rule that recovers from syntax errors by finishing what it has ({@link recovery}). */
  protected rule<F extends () => unknown>(name: string, impl: F) {
    return this.RULE(name, impl, this.recovery as IRuleConfig<ReturnType<F>>);
  }

  /** The value of the rule that recovers (called in its catch: the rules under it have returned). */
  protected recover(): unknown {
    const depth = this.ruleDepth();
    let b = this.building[this.building.length - 1]!;
    while (b.depth > depth) {
      this.building.pop();
      const v = b.spec.finish(b, this.ctx);
      const parent = this.building[this.building.length - 1]!;
      parent.spec.add(parent, b.rule, v, b, this.ctx);
      extend(parent, b.s, b.e);
      b = parent;
    }
    return this.close(b);
  }

  /** Offsets of the declaration keywords the parser takes as declarations misplaced in a body (src/syntax/body-scan.ts). */
  protected misplaced: ReadonlySet<number> = NONE;

  /** Whether a statement of a body can begin at the next token: not a declaration keyword, unless one misplaced there. */
  protected statementNext(): boolean {
    const t = this.LA(1);
    const k = t.tokenType;
    return (k !== T.Model && k !== T.Block && k !== T.Const && k !== T.From) || this.misplaced.has(t.startOffset);
  }

  /** The first real name a rule consumes (its declared name, variable or keyword). */
  protected name(b: N.Named, t: IToken): void {
    this.tk(b, t);
    if (real(t)) b.id ??= t;
  }

  /**
   * The column of the statement being parsed (0 outside one). A line that begins at or left of it with
   * `name =` begins the next statement, not a keyword argument: an unfinished `q = x -> f(` stops at the end
   * of its line instead of taking the next statement as its argument (an offside rule, as the formatter
   * indents arguments deeper than their statement).
   */
  protected stmtCol = 0;
  /** Added to the columns of the first line (a run of statements parsed out of its line: parseStatementRun). */
  protected firstLineShift = 0;

  protected column(t: IToken): number {
    return (t.startColumn ?? 0) + (t.startLine === 1 ? this.firstLineShift : 0);
  }

  /** `t` begins a line at or left of the current statement's column. */
  protected offside(t: IToken): boolean {
    return this.stmtCol > 0 && t.startLine !== this.LA(0).endLine && this.column(t) <= this.stmtCol;
  }
}
