/**
 * What surrounds the cursor in the current text (which may be half-typed and newer than the last check):
 * a comment or a string, the call whose arguments it is in, a declaration header. Text scans only:
 * comments and strings end at the end of their line, so a line can be read on its own. A line ends at
 * `\n`, `\r\n` or a lone `\r`, as for the lexer.
 */

import { declStartsAt, pastedDeclLines } from '../syntax/chunks.js';
import { KEYWORD_WORDS } from '../syntax/lexer.js';
import { lineStartOf } from '../syntax/source.js';

const IDENT = /[A-Za-z0-9_]/;
const KEYWORDS = new Set(KEYWORD_WORDS);

export { lineStartOf };

/** Inside a comment, a string, or code, at `offset`. */
export function lexicalState(text: string, offset: number): 'code' | 'comment' | 'string' {
  const lineStart = lineStartOf(text, offset);
  let quote: string | undefined;
  for (let i = lineStart; i < offset; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return 'comment';
  }
  return quote ? 'string' : 'code';
}

/**
 * `text[from, to)` with comments blanked and string contents blanked (the quotes stay), so that brackets
 * and commas in them do not count. `from` must be a line start. Same length as the slice.
 */
export function codeOnly(text: string, from: number, to: number): string {
  let out = '';
  let quote: string | undefined;
  let comment = false;
  for (let i = from; i < to; i++) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') {
      quote = undefined;
      comment = false;
      out += c;
    } else if (comment) out += ' ';
    else if (quote) {
      if (c === '\\' && i + 1 < to && text[i + 1] !== '\n' && text[i + 1] !== '\r') {
        out += '  ';
        i++;
      } else if (c === quote) {
        quote = undefined;
        out += c;
      } else out += ' ';
    } else if (c === '"' || c === "'") {
      quote = c;
      out += c;
    } else if (c === '#') {
      comment = true;
      out += ' ';
    } else out += c;
  }
  return out;
}

/** How far back the scans look (a call's arguments rarely span more). */
const WINDOW = 4000;

/** The code before `offset`, from a line start at most about WINDOW characters back; `base` is its offset. */
function codeBefore(text: string, offset: number): { code: string; base: number } {
  const base = offset <= WINDOW ? 0 : lineStartOf(text, offset - WINDOW + 1);
  return { code: codeOnly(text, base, offset), base };
}

export interface CallContext {
  readonly callee: string;
  readonly calleeStart: number;
  /** Index of the argument at the cursor (the commas before it). */
  readonly argIndex: number;
  /** The arguments before it, trimmed (comments and string contents blanked). */
  readonly args: readonly string[];
  /** The argument at the cursor, up to the cursor. */
  readonly current: string;
  /** The argument at the cursor is a keyword argument (`padding=|`, or the cursor is in its name): the keyword. */
  readonly keyword?: string;
  /** A chain step (`x -> f(…)`): how many tensors the chain passes in (a tuple head passes each item); 0 otherwise. */
  readonly piped: number;
  /** The parentheses are the parameter list of a `block` or `model` declaration, not a call. */
  readonly header?: 'block' | 'model';
  /** The cursor is in a tuple, list, index or grouping inside the argument (`f(8, (1, |`, `f(h.shape[|`). */
  readonly nested?: boolean;
}

/**
 * The innermost call enclosing `offset`, by a backwards scan of the text (works on half-typed lines); also
 * through brackets that are not calls, which are then part of the argument at the cursor.
 */
export function callContext(text: string, offset: number): CallContext | undefined {
  const { code, base } = codeBefore(text, offset);
  let depth = 0;
  let nested = false;
  const commas: number[] = [];
  // A bracket opened before the cursor that is not a call's (a tuple, list, index or grouping): the cursor
  // is in an argument of the call around it, if any (`conv2d(8, (1, |`); its commas are not the call's.
  const enter = () => {
    nested = true;
    commas.length = 0;
  };
  for (let i = code.length - 1; i >= 0; i--) {
    const c = code[i]!;
    if (c === ')' || c === ']') depth++;
    else if (c === '[') {
      if (depth === 0) enter();
      else depth--;
    } else if (c === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      let j = i;
      while (j > 0 && code[j - 1] === ' ') j--;
      let k = j;
      while (k > 0 && IDENT.test(code[k - 1]!)) k--;
      // `(a, b)`, `if (…`: not a call.
      if (k === j || /^[0-9]/.test(code[k]!) || KEYWORDS.has(code.slice(k, j))) {
        enter();
        continue;
      }
      const bounds = [i, ...commas.reverse(), code.length];
      const parts = bounds.slice(1).map((e, n) => code.slice(bounds[n]! + 1, e));
      const current = parts.pop()!;
      const before = code.slice(0, k).trimEnd();
      const header = /(?:^|[^\w.])(block|model)$/.exec(before)?.[1] as 'block' | 'model' | undefined;
      const keyword = keywordAt(text, offset, current);
      return {
        callee: code.slice(k, j), calleeStart: base + k, argIndex: commas.length, args: parts.map((x) => x.trim()), current,
        ...(keyword ? { keyword } : {}), piped: before.endsWith('->') ? pipedCount(before.slice(0, -2)) : 0, ...(header ? { header } : {}), ...(nested ? { nested } : {}),
      };
    } else if (c === ',' && depth === 0) commas.push(i);
    else if (c === '{' || c === '}') return undefined;
  }
  return undefined;
}

/** `name=` of the argument at the cursor, the name possibly running on past the cursor (`pad|ding=3`). */
function keywordAt(text: string, offset: number, current: string): string | undefined {
  const done = /^\s*([A-Za-z_]\w*)\s*=(?!=)/.exec(current);
  if (done) return done[1];
  const head = /^\s*([A-Za-z_]\w*)?$/.exec(current);
  if (!head) return undefined;
  let r = offset;
  while (r < text.length && IDENT.test(text[r]!)) r++;
  const name = (head[1] ?? '') + text.slice(offset, r);
  return name && /^\s*=(?!=)/.test(text.slice(r, r + 200)) ? name : undefined;
}

/** Tensors passed by the chain whose previous step ends `before`: a parenthesised tuple head passes each item. */
function pipedCount(before: string): number {
  let i = before.trimEnd().length - 1;
  if (before[i] !== ')') return 1;
  let depth = 0;
  let commas = 0;
  let last = i;
  for (; i >= 0; i--) {
    const c = before[i]!;
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      depth--;
      if (depth === 0) break;
    } else if (c === ',' && depth === 1) {
      // A trailing comma (`(a, b,)`) adds no item.
      if (before.slice(i + 1, last).trim()) commas++;
      last = i;
    }
  }
  if (i < 0) return 1;
  const prev = before.slice(0, i).trimEnd();
  // `f(a, b) -> g`: a call's result, one value.
  if (prev && /[\w)\]]$/.test(prev)) return 1;
  return commas + 1;
}

/**
 * The declaration header the cursor is in (`block f(x: Tensor, c: |`, `model M(x: [N, |` or after its `->`),
 * or undefined in a body or between declarations.
 */
export function headerAt(text: string, offset: number): 'block' | 'model' | undefined {
  const { code } = codeBefore(text, offset);
  const brace = Math.max(code.lastIndexOf('{'), code.lastIndexOf('}'));
  let kw: RegExpExecArray | undefined;
  const re = /(?:^|[^\w.])(block|model)\b/g;
  re.lastIndex = brace + 1;
  for (let m: RegExpExecArray | null; (m = re.exec(code)); ) kw = m;
  return kw ? (kw[1] as 'block' | 'model') : undefined;
}

/**
 * The start of the statement `offset` is in: its line's start (or just after a `{`, `}` or `;` on it), moved
 * back over the lines of brackets still open at `offset` and over line breaks before a line that continues
 * a chain (`-> …`). Text only: for a statement being typed.
 */
export function statementStart(text: string, offset: number): number {
  const { code, base } = codeBefore(text, offset);
  // Forwards: whether a bracket is still open at a line break is known only from before it.
  let depth = 0;
  let start = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth = Math.max(0, depth - 1);
    // Braces are never inside brackets: one closes what an unfinished line left open.
    else if (c === '{' || c === '}') {
      depth = 0;
      start = i + 1;
    } else if (depth > 0) continue;
    else if (c === ';') start = i + 1;
    else if ((c === '\n' || c === '\r') && !/^[ \t]*->/.test(code.slice(i + 1, i + 200))) start = i + 1;
  }
  return base + start;
}

/** A new name is written at `offset` (`model |`, `block |`, `const |`, `for |`, `as |`): nothing to complete. */
export function atNewName(text: string, wordStart: number): boolean {
  const lineStart = lineStartOf(text, wordStart);
  return /(?:^|[^\w.])(model|block|const|for|as)\s+$/.test(text.slice(lineStart, wordStart));
}

/** Whether `offset` is inside a body (`{ … }`): a scan back, line by line, for a brace left open. */
export function inBody(text: string, offset: number): boolean {
  let depth = 0;
  let pasted: ReadonlySet<number> | undefined;
  for (let end = offset; ; ) {
    const start = lineStartOf(text, end);
    const code = codeOnly(text, start, end);
    for (let i = code.length - 1; i >= 0; i--) {
      if (code[i] === '}') depth++;
      else if (code[i] === '{' && depth-- === 0) return true;
    }
    // A declaration's first line (at column 0, as the editor's parser splits a file): no body opened before it
    // reaches here, so the scan stops at the current declaration instead of going to the file's start. Not a
    // line pasted inside a body (the file is not split there either).
    if (start === 0 || (declStartsAt(text, start) && !(pasted ??= pastedDeclLines(text)).has(start))) return false;
    end = start - 1;
  }
}

/** What can be written at a word's start, from the text before it (completion offers only that). */
export interface Slot {
  /**
   * `declaration`: at the top level, where one begins; `statement`: in a body, where one begins (an
   * expression statement too); `expression`: a value; `operator`: after a whole operand, where only an
   * operator or a keyword such as `and` can follow; `none`: nothing to complete.
   */
  readonly kind: 'declaration' | 'statement' | 'expression' | 'operator' | 'none';
  /** The keywords that can be written there. */
  readonly keywords: readonly string[];
  /** Outside any body (a constant's value): no local names. */
  readonly topLevel: boolean;
  /** In an `assert`: the whole-model totals and `rf`, `jump`, `rf_start` are allowed. */
  readonly inAssert: boolean;
}

const DECLARATION_KEYWORDS = ['model', 'block', 'const', 'from'];
const STATEMENT_KEYWORDS = ['return', 'if', 'for', 'repeat', 'assert', 'frozen'];
const VALUE_KEYWORDS = ['not', 'true', 'false', 'none'];
/** Keywords after which an expression goes. */
const BEFORE_EXPRESSION = new Set(['return', 'assert', 'if', 'in', 'repeat', 'and', 'or', 'not']);

/** The slot at `wordStart` (the start of the word being typed, or the cursor). */
export function slotAt(text: string, wordStart: number): Slot {
  const body = inBody(text, wordStart);
  const from = statementStart(text, wordStart);
  const stmt = codeOnly(text, lineStartOf(text, from), wordStart).slice(from - lineStartOf(text, from));
  const slot = (kind: Slot['kind'], keywords: readonly string[] = []): Slot => ({ kind, keywords, topLevel: !body, inAssert: /^\s*assert\b/.test(stmt) });
  if (!stmt.trim()) return body ? slot('statement', [...STATEMENT_KEYWORDS, ...(afterIfBody(text, from) ? ['else'] : [])]) : slot('declaration', DECLARATION_KEYWORDS);
  // At the top level, only a constant's value is an expression (headers and imports are handled apart).
  if (!body && !/^\s*const\s+[A-Za-z_]\w*\s*=/.test(stmt)) return slot('none');
  const last = stmt.trimEnd();
  const word = /(?:^|[^\w.])([A-Za-z_]\w*)$/.exec(last)?.[1];
  if (word && BEFORE_EXPRESSION.has(word)) return slot('expression', VALUE_KEYWORDS);
  if (word === 'else') return slot('operator', ['if']);
  if (/[\w)\]"']$/.test(last)) return slot('operator', /^\s*for\s+[A-Za-z_]\w*$/.test(last) ? ['in'] : ['and', 'or']);
  return slot('expression', VALUE_KEYWORDS);
}

/** The code before the statement at `from` ends with the `}` of an `if` (or `else if`) body: `else` may follow. */
function afterIfBody(text: string, from: number): boolean {
  const { code, base } = codeBefore(text, from);
  let i = code.trimEnd().length - 1;
  if (code[i] !== '}') return false;
  for (let depth = 0; i >= 0; i--) {
    if (code[i] === '}') depth++;
    else if (code[i] === '{' && --depth === 0) break;
  }
  if (i < 0) return false;
  const head = code.slice(Math.max(0, statementStart(text, base + i) - base), i);
  return /^\s*(?:else\s+)?if\b/.test(head);
}

/**
 * The block whose body holds `p` (its name), read from the text: the declaration line (at column 0) the
 * cursor's declaration starts on, when that is a block and `p` is inside its body. Calling it there is E0208.
 */
export function enclosingBlock(text: string, p: number): string | undefined {
  if (!inBody(text, p)) return undefined;
  const pasted = pastedDeclLines(text);
  for (let end = p; ; ) {
    const start = lineStartOf(text, end);
    if (declStartsAt(text, start) && !pasted.has(start)) return /^block\s+([A-Za-z_]\w*)/.exec(text.slice(start, start + 200))?.[1];
    if (start === 0) return undefined;
    end = start - 1;
  }
}
