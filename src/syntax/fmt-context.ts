/**
 * What the formatter knows about the source besides the AST: the tokens (to find brackets the AST does
 * not keep) and the comments, each of which must be printed exactly once.
 */
import type { IToken } from 'chevrotain';
import type { Range } from './ast.js';
import { Comment, nnLexer } from './lexer.js';

export interface SrcComment {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Nothing but whitespace before it on its line. */
  readonly ownLine: boolean;
}

const OPEN = new Set(['LParen', 'LBracket', 'LBrace']);
const CLOSE = new Set(['RParen', 'RBracket', 'RBrace']);

export class FmtContext {
  readonly tokens: IToken[];
  readonly comments: SrcComment[];
  readonly used: boolean[];
  /** Offset of an opening bracket → offset of its closing bracket, and back. */
  private readonly match = new Map<number, number>();

  constructor(readonly text: string) {
    const lexed = nnLexer.tokenize(text);
    this.tokens = lexed.tokens;
    this.comments = (lexed.groups.comments ?? [])
      .filter((t) => t.tokenType === Comment)
      .map((t) => {
        const ls = text.lastIndexOf('\n', t.startOffset - 1) + 1;
        return { start: t.startOffset, end: t.endOffset! + 1, text: t.image.replace(/\s+$/, ''), ownLine: text.slice(ls, t.startOffset).trim() === '' };
      });
    this.used = this.comments.map(() => false);
    const stack: number[] = [];
    for (const t of this.tokens) {
      const n = t.tokenType.name;
      if (OPEN.has(n)) stack.push(t.startOffset);
      else if (CLOSE.has(n) && stack.length) {
        const o = stack.pop()!;
        this.match.set(o, t.startOffset);
        this.match.set(t.startOffset, o);
      }
    }
  }

  /** Index of the first token starting at or after `offset`. */
  tokenIndex(offset: number): number {
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid]!.startOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first token of type `name` at or after `offset`. */
  tokenAfter(offset: number, name: string): IToken | undefined {
    for (let i = this.tokenIndex(offset); i < this.tokens.length; i++) if (this.tokens[i]!.tokenType.name === name) return this.tokens[i];
    return undefined;
  }

  /** `[open, close]` offsets of the bracket pair whose opening bracket is the first `name` at or after `offset`. */
  bracketAfter(offset: number, name: 'LParen' | 'LBracket' | 'LBrace'): Range | undefined {
    const t = this.tokenAfter(offset, name);
    if (!t) return undefined;
    const close = this.match.get(t.startOffset);
    return close === undefined ? undefined : { start: t.startOffset, end: close };
  }

  /** Whether `r` is directly wrapped in a matching pair of parentheses in the source. */
  parenthesized(r: Range): boolean {
    // An AST range stops at its last operand's text: it leaves out the brackets of groups nested at its
    // edges (`(a) + (b)` spans `a) + (b`), so step over those first.
    let i = this.tokenIndex(r.start) - 1;
    while (this.tokens[i]?.tokenType.name === 'LParen' && (this.match.get(this.tokens[i]!.startOffset) ?? Infinity) < r.end) i--;
    let j = this.tokenIndex(r.end);
    while (this.tokens[j]?.tokenType.name === 'RParen' && (this.match.get(this.tokens[j]!.startOffset) ?? -1) >= r.start) j++;
    const before = this.tokens[i];
    const after = this.tokens[j];
    return !!before && !!after && before.tokenType.name === 'LParen' && after.tokenType.name === 'RParen' && this.match.get(before.startOffset) === after.startOffset;
  }

  /** Indices of the unused comments starting in [from, to). */
  commentsIn(from: number, to: number): number[] {
    const out: number[] = [];
    let lo = 0;
    let hi = this.comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.comments[mid]!.start < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.comments.length && this.comments[i]!.start < to; i++) if (!this.used[i]) out.push(i);
    return out;
  }

  /** Marks a comment printed and returns its text. */
  take(i: number): string {
    this.used[i] = true;
    return this.comments[i]!.text;
  }

  /** Whether the comment sits on the line where `offset` (the end of some code) is, after it. */
  trailsAfter(i: number, offset: number): boolean {
    const c = this.comments[i]!;
    return c.start >= offset && /^[ \t;,]*$/.test(this.text.slice(offset, c.start));
  }

  /** Whether a blank line separates `offset` from the code or comment before it. */
  blankBefore(offset: number): boolean {
    let nl = 0;
    for (let i = offset - 1; i >= 0; i--) {
      const ch = this.text.charCodeAt(i);
      if (ch === 10) nl++;
      else if (ch !== 32 && ch !== 9 && ch !== 13 && ch !== 12 && ch !== 11 && ch !== 0xa0 && ch !== 0xfeff && ch !== 59) break;
      if (nl >= 2) return true;
    }
    return false;
  }
}
