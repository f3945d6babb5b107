/**
 * Extra words for the syntax errors people make most often with bodies (`{ … }`), added to the parser's
 * "expected X (found Y)": a body left open (a note at its `{`), a statement after the body was closed (a note
 * at the `}` that closed it), an import written inside a body, a misspelt `model`. Only words (and that fix): the error's code, place and the
 * parse itself are unchanged. (A declaration misplaced in a body the parser reports itself, with the hints here.)
 */
import { didYouMean } from '../diagnostics/make.js';
import type { Fix, Note } from '../diagnostics/types.js';
import { STATEMENT_START } from './lexer.js';
import type { IToken } from './parser.js';
import { type SourceFile, spanOf } from './source.js';

/** What a syntax error adds: a better message head (replacing "expected end of file"), a hint, notes. */
export interface SyntaxHelp {
  readonly expected?: string;
  readonly hint?: string;
  readonly notes?: readonly Note[];
  readonly fixes?: readonly Fix[];
}

const DECL_KEYWORDS = new Set(['Model', 'Block', 'Const', 'From']);
const TOP_KEYWORDS = ['model', 'block', 'const', 'from', 'import'];

/** Help for a declaration (or an import) inside a body that a later `}` closes. */
export const TOP_LEVEL_HINT = 'declarations (const, block, model) go at the top level of the file, not inside a body';
export const IMPORT_HINT = 'imports go at the top level of the file, outside any block or model: move this line above the declaration';
/** Help for a keyword written where a name goes (`model = x`; parse.ts reads it as that name). */
export const keywordHint = (word: string): string => `'${word}' is a keyword: choose another name`;

/** `mdoel` for `model`: two letters swapped are two edits, more than a 5-letter word's suggestions allow. */
const sameLetters = (a: string, b: string) => a.length === b.length && [...a].sort().join('') === [...b.toLowerCase()].sort().join('');

/** The `{` still open where `at` is (the innermost), from the piece's tokens. */
function openBrace(tokens: readonly IToken[], at: number): IToken | undefined {
  const open: IToken[] = [];
  for (let i = 0; i < tokens.length && tokens[i]!.startOffset < at; i++) {
    const n = tokens[i]!.tokenType.name;
    if (n === 'LBrace') open.push(tokens[i]!);
    else if (n === 'RBrace') open.pop();
  }
  return open[open.length - 1];
}

/** How many `{` are open where `at` is, counted in the text (not as the parser, recovering, saw them). */
function depthAt(tokens: readonly IToken[], at: number): number {
  let d = 0;
  for (const t of tokens) {
    if (t.startOffset >= at) break;
    const n = t.tokenType.name;
    if (n === 'LBrace') d++;
    else if (n === 'RBrace' && d > 0) d--;
  }
  return d;
}

/** The index of the first token starting at or after `at` (binary search: tokens are in order). */
function firstAtOrAfter(tokens: readonly IToken[], at: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last token starting before `at`. */
const tokenBefore = (tokens: readonly IToken[], at: number): IToken | undefined => tokens[firstAtOrAfter(tokens, at) - 1];

/** The token after the one starting at `at`. */
const tokenAfter = (tokens: readonly IToken[], at: number): IToken | undefined => tokens[firstAtOrAfter(tokens, at + 1)];

const tokenSpan = (file: SourceFile, t: IToken) => spanOf(file, t.startOffset, t.endOffset! + 1);

/**
 * Help for a Chevrotain error: `message` is its raw text, `found` the token it stopped at (undefined at the
 * end of the text), `prev` the token before, `tokens` those of the text parsed, `inside` the declaration
 * keywords in a body that a later `}` closes (src/syntax/body-scan.ts).
 */
export function syntaxHelp(file: SourceFile, message: string, found: IToken | undefined, prev: IToken | undefined, tokens: readonly IToken[], inside: ReadonlySet<number>): SyntaxHelp {
  const foundName = found?.tokenType.name;
  const next = found ? tokenAfter(tokens, found.startOffset) : undefined;
  if (message.includes('--> RBrace <--')) {
    // (A declaration keyword where the body is closed later: one cut short before its name, `const` alone;
    // with its name, the parser takes it as a misplaced declaration.)
    const closed = found !== undefined && inside.has(found.startOffset);
    if (foundName === 'Import' || (foundName === 'From' && closed)) return { hint: IMPORT_HINT };
    if (found && !DECL_KEYWORDS.has(foundName!)) return {};
    if (closed) return { hint: TOP_LEVEL_HINT };
    const brace = openBrace(tokens, found ? found.startOffset : file.text.length);
    return { hint: "close the body with '}'", ...(brace ? { notes: [{ message: 'the body opened here is not closed', span: tokenSpan(file, brace) }] } : {}) };
  }
  // (Chevrotain says "Redundant input" for what is left after the last declaration it could parse.)
  if (found && (message.includes('--> EOF <--') || message.startsWith('Redundant input'))) {
    // The token before, from the tokens: Chevrotain's for input left over after the last rule is whatever it
    // consumed last, which after a recovery may lie after `found`.
    prev = tokenBefore(tokens, found.startOffset);
    const expected = 'expected a declaration (const, from … import, block or model)';
    if (foundName === 'RBrace' && depthAt(tokens, found.startOffset) === 0) return { expected, hint: "this '}' closes no '{': remove it" };
    // `mdoel M(`: a misspelt keyword before a name (not a name of its own, `block1 = …`, nor a run-on `modelM(`).
    const keyword = foundName === 'Ident' && next?.tokenType.name === 'Ident' ? (didYouMean(found.image, TOP_KEYWORDS) ?? TOP_KEYWORDS.find((k) => sameLetters(k, found.image))) : undefined;
    if (keyword) return { expected, hint: `did you mean '${keyword}'?`, fixes: [{ title: `change to '${keyword}'`, edits: [{ span: tokenSpan(file, found), newText: keyword }] }] };
    // Statements outside any body, counted in the text: after a recovery the parser may have left a body that
    // the text has not.
    if (!STATEMENT_START.has(foundName!) || depthAt(tokens, found.startOffset) > 0) return { expected };
    if (prev?.tokenType.name !== 'RBrace') return { expected, hint: 'statements belong inside the body of a block or model' };
    return {
      expected,
      hint: "this statement is outside any body: the '}' before it ends the declaration; move the '}' below it",
      notes: [{ message: 'the body ends here', span: tokenSpan(file, prev) }],
    };
  }
  return {};
}
