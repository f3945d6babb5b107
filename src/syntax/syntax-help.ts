/**
 * Extra words for the syntax errors people make most often with bodies (`{ … }`), added to the parser's
 * "expected X (found Y)": a body left open (a note at its `{`), a statement after the body was closed (a note
 * at the `}` that closed it), an import written inside a body, a misspelt `model`. Only words (and that fix): the error's code, place and the
 * parse itself are unchanged.
 */
import { didYouMean } from '../diagnostics/make.js';
import type { Fix, Note } from '../diagnostics/types.js';
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
const STATEMENT_START = new Set(['Ident', 'If', 'For', 'Repeat', 'Assert', 'Return', 'Frozen']);

/** `mdoel` for `model`: two letters swapped are two edits, more than a 5-letter word's suggestions allow. */
const sameLetters = (a: string, b: string) => a.length === b.length && [...a].sort().join('') === [...b.toLowerCase()].sort().join('');

/** The `{` still open where `at` is (the innermost), from the piece's tokens. */
function openBrace(tokens: readonly IToken[], at: number): IToken | undefined {
  const open: IToken[] = [];
  for (const t of tokens) {
    if (t.startOffset >= at) break;
    const n = t.tokenType.name;
    if (n === 'LBrace') open.push(t);
    else if (n === 'RBrace') open.pop();
  }
  return open[open.length - 1];
}

/** The last token starting before `at` (binary search: tokens are in order). */
function tokenBefore(tokens: readonly IToken[], at: number): IToken | undefined {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < at) lo = mid + 1;
    else hi = mid;
  }
  return tokens[lo - 1];
}

const tokenSpan = (file: SourceFile, t: IToken) => spanOf(file, t.startOffset, t.endOffset! + 1);

/**
 * Help for a Chevrotain error: `message` is its raw text, `found` the token it stopped at (undefined at the
 * end of the text), `prev` the token before, `tokens` those of the text parsed.
 */
export function syntaxHelp(file: SourceFile, message: string, found: IToken | undefined, prev: IToken | undefined, tokens: readonly IToken[]): SyntaxHelp {
  const foundName = found?.tokenType.name;
  if (message.includes('--> RBrace <--')) {
    if (foundName === 'From' || foundName === 'Import')
      return { hint: 'imports go at the top level of the file, outside any block or model: move this line above the declaration' };
    if (found && !DECL_KEYWORDS.has(foundName!)) return {};
    const brace = openBrace(tokens, found ? found.startOffset : file.text.length);
    return { hint: "close the body with '}'", ...(brace ? { notes: [{ message: "the body opened here is not closed", span: tokenSpan(file, brace) }] } : {}) };
  }
  if (found && message.includes('--> EOF <--')) {
    // The token before, from the tokens: Chevrotain's for input left over after the last rule is whatever it
    // consumed last, which after a recovery may lie after `found`.
    prev = tokenBefore(tokens, found.startOffset);
    const expected = 'expected a declaration (const, from … import, block or model)';
    const keyword = foundName === 'Ident' ? (didYouMean(found.image, TOP_KEYWORDS) ?? TOP_KEYWORDS.find((k) => sameLetters(k, found.image))) : undefined;
    if (keyword) return { expected, hint: `did you mean '${keyword}'?`, fixes: [{ title: `change to '${keyword}'`, edits: [{ span: tokenSpan(file, found), newText: keyword }] }] };
    if (!STATEMENT_START.has(foundName!)) return { expected };
    if (prev?.tokenType.name !== 'RBrace') return { expected, hint: 'statements belong inside the body of a block or model' };
    return {
      expected,
      hint: "this statement is outside any body: the '}' before it ends the declaration; move the '}' below it",
      notes: [{ message: 'the body ends here', span: tokenSpan(file, prev) }],
    };
  }
  return {};
}
