/** Declaration keywords inside bodies: pasted lines, or the next declaration after a forgotten `}` (see BodyScan). */
import type { IToken } from 'chevrotain';
import { Assign, Block, Const, From, Ident, KEYWORDS, LBrace, Model, RBrace, Semi, StringLit } from './lexer.js';

/**
 * A declaration keyword inside a body (by the braces before it): a line pasted there (`from std import x` or
 * `const K = 3` between two statements), or the next declaration after a body whose `}` was forgotten? What
 * follows decides, the same way for a file's text (chunks.ts: where the file is split) and for a piece's tokens
 * (parse.ts: whether the parser takes it as a declaration misplaced in the body, see misplacedDecl). Inside, when
 * a `}` closes that body first; a declaration of its own when nothing closes it, or when a `model` or `block`
 * line at column 0 at the same depth comes first (after a forgotten `}`, whole declarations follow: each such
 * line ends the one before). Any other keyword (a `const` or `from` line) goes as the next such line does: a
 * block pasted after a constant keeps it inside; a constant after a forgotten `}` goes with the model after it.
 * So a keyword decided inside is closed before the next split at its depth: within its piece.
 */
export class BodyScan {
  /** Keywords not decided yet, in order (the depths never decrease along it: a `}` decided the deeper ones). */
  private readonly open: { readonly at: number; readonly depth: number; readonly line: boolean }[] = [];
  /** Decided: inside the body (a later `}` closes it). */
  readonly inside: number[] = [];
  /** Decided: a declaration of its own. */
  readonly apart: number[] = [];

  /** A declaration keyword at `at`, with `depth` bodies open before it; `line`: a `model` or `block` line at column 0. */
  keyword(at: number, depth: number, line: boolean): void {
    const open = this.open;
    if (line) {
      // The last such line before it at its depth is a declaration of its own, with the keywords before that.
      let i = open.length;
      let last = -1;
      while (i > 0 && open[i - 1]!.depth === depth) if (open[--i]!.line && last < 0) last = i;
      if (last >= 0) for (const k of open.splice(i, last - i + 1)) this.apart.push(k.at);
    }
    open.push({ at, depth, line });
  }

  /** A `}` that closes a body, with `depth` open before it. */
  close(depth: number): void {
    const open = this.open;
    while (open.length && open[open.length - 1]!.depth === depth) this.inside.push(open.pop()!.at);
  }

  /** The end of the text: the bodies still open are left open. */
  end(): void {
    for (const k of this.open) this.apart.push(k.at);
    this.open.length = 0;
  }
}

const KEYWORD = new Set(KEYWORDS);

const STOP = /(?:model|block)[ \t]+[A-Za-z_]/y;
/** Whether a `model` or `block` keyword and a name start at `at`: at column 0, it ends the search of a {@link BodyScan}. */
export function stopsAt(text: string, at: number): boolean {
  STOP.lastIndex = at;
  return STOP.test(text);
}

/**
 * The keywords inside the bodies of a piece's tokens (taken in order by {@link add}), for the parser: those that
 * stand for names, and the declarations pasted into a body ({@link BodyScan}).
 */
export class BodyTokens {
  private depth = 0;
  private scan: BodyScan | undefined;
  /** Declaration keywords that begin a statement, a name after them on their line (`const K`, `from std`). */
  private heads: Set<number> | undefined;

  constructor(private readonly text: string) {}

  /**
   * Takes the next token (`prev`, `next`: the tokens around it). True when it is a keyword in a body where only
   * a name can be: before `=` (`model = x`), or `model`, `block` or `const` after something on its line and
   * before no name (`return model`); the parser then reads it as that name.
   */
  add(t: IToken, prev: IToken | undefined, next: IToken | undefined): boolean {
    const k = t.tokenType;
    if (k === LBrace) this.depth++;
    else if (k === RBrace) {
      if (this.depth > 0) this.scan?.close(this.depth--);
    } else if (this.depth > 0 && KEYWORD.has(k)) {
      if (next?.tokenType === Assign) return true;
      const decl = k === Model || k === Block || k === Const;
      if (!decl && k !== From) return false;
      const p = prev?.tokenType;
      const starts = !prev || prev.endLine! < t.startLine! || p === LBrace || p === RBrace || p === Semi;
      const named = next !== undefined && next.startLine === t.startLine && (next.tokenType === Ident || (k === From && next.tokenType === StringLit));
      // (Not a declaration's head after something, `relu()model B(`: two lines run together.)
      if (!starts && decl && !named) return true;
      (this.scan ??= new BodyScan()).keyword(t.startOffset, this.depth, t.startColumn === 1 && stopsAt(this.text, t.startOffset));
      if (starts && named) (this.heads ??= new Set()).add(t.startOffset);
    }
    return false;
  }

  /**
   * After the last token: `inside`, the declaration keywords inside a body that a later `}` closes; `misplaced`,
   * those of them that begin a declaration there (the parser takes it as one, reported, and goes on with the body).
   */
  end(): { misplaced: ReadonlySet<number>; inside: ReadonlySet<number> } {
    if (!this.scan) return NONE;
    this.scan.end();
    const inside = new Set(this.scan.inside);
    const heads = this.heads;
    return { inside, misplaced: heads ? new Set([...inside].filter((at) => heads.has(at))) : EMPTY };
  }
}

const EMPTY: ReadonlySet<number> = new Set();
const NONE = { misplaced: EMPTY, inside: EMPTY };
