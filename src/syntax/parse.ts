/** Entry point of the syntax stage: text → AST with diagnostics. Never throws. */
import { diag } from '../diagnostics/make.js';
import type { Diagnostic, WithDiagnostics } from '../diagnostics/types.js';
import type { Module, Range, Stmt } from './ast.js';
import type { ConvertProblem } from './build.js';
import { BodyTokens } from './body-scan.js';
import { Comment, STATEMENT_START, nnLexer, BadNumber, Ident, NumberLit, StringLit, UnterminatedString } from './lexer.js';
import { getParser, type IToken } from './parser.js';
import { type SourceFile, lineStartOf, spanOf } from './source.js';
import { keywordHint, syntaxHelp } from './syntax-help.js';

/**
 * Limits that keep hostile input bounded in time and memory. `maxDepth` bounds the parser's recursion,
 * which costs most for calls with keyword arguments: nested 175 deep they exhausted plain node's default
 * stack (the CLI's), so the limit leaves that stack about twice what the deepest accepted file needs.
 */
export const LIMITS = { maxBytes: 2 * 1024 * 1024, maxDepth: 100, maxExprDepth: 200 } as const;

const CLOSER: Readonly<Record<string, string>> = { RParen: 'LParen', RBracket: 'LBracket', RBrace: 'LBrace' };

const EMPTY: Module = { decls: [], comments: [] };

const TOKEN_LABEL: Record<string, string> = {
  Ident: 'a name', NumberLit: 'a number', StringLit: 'a string', LParen: "'('", RParen: "')'", LBracket: "'['", RBracket: "']'",
  LBrace: "'{'", RBrace: "'}'", Comma: "','", Colon: "':'", Assign: "'='", Arrow: "'->'", EOF: 'end of file',
};

/**
 * Parses one file. Syntax errors are recovered from; the AST covers whatever could be understood.
 * `base`: the text is a piece of a bigger one that starts at this offset (the editor parses a file by
 * declarations), and the AST's offsets are of the bigger text; the diagnostics' spans stay of `file`.
 */
export function parseSource(file: SourceFile, base = 0): WithDiagnostics<Module> {
  const diagnostics: Diagnostic[] = [];
  const text = file.text;
  if (text.length > LIMITS.maxBytes) {
    diagnostics.push(diag('E0104', `file is too large (${(text.length / 1048576).toFixed(1)} MB; the limit is ${LIMITS.maxBytes / 1048576} MB)`, spanOf(file, 0, 0), { hint: 'split the model into modules and import them' }));
    return { result: EMPTY, diagnostics };
  }
  if (text.includes('\u0000') || text.includes('\ufffd')) {
    const at = Math.max(text.indexOf('\u0000'), text.indexOf('\ufffd'));
    diagnostics.push(diag('E0105', 'this is not a UTF-8 text file (binary data or a different encoding)', spanOf(file, at, at + 1), { hint: 'save the file as UTF-8' }));
    return { result: EMPTY, diagnostics };
  }
  const lexed = nnLexer.tokenize(text);
  for (const e of lexed.errors.slice(0, 50)) {
    const ch = text.slice(e.offset, e.offset + (e.length || 1));
    diagnostics.push(diag('E0100', `unexpected character '${ch}'`, spanOf(file, e.offset, e.offset + (e.length || 1)), { hint: ch === '→' ? "did you mean '->'?" : ch === '/' ? 'comments start with #' : 'this character is not part of the language (comments start with #)' }));
  }
  const tokens = [];
  // Where unterminated strings start (E0103): the parser's complaint about what follows one is the same mistake.
  const unterminated = new Set<number>();
  // Keywords read as names (an E0101 each; at most 50, as the parser's errors).
  let renamed = 0;
  // The open brackets. A closer that matches none (a stray `)` before any `(`, or `]` closing a `(`) closes
  // nothing: counting it would let the brackets after it nest past the limit unseen.
  const open: string[] = [];
  let depth = 0;
  // An `else if` nests the next if statement inside the previous one (in the parser and every later
  // stage), so each link of an open chain counts as one level too, until the chain ends.
  const elifLinks = new Map<number, number>();
  let links = 0;
  const inBody = new BodyTokens(text);
  const all = lexed.tokens;
  for (let i = 0; i < all.length; i++) {
    const t = all[i]!;
    if (t.tokenType === BadNumber) {
      diagnostics.push(diag('E0102', `invalid number literal '${t.image}'`, spanOf(file, t.startOffset, t.endOffset! + 1), { hint: 'numbers look like 64, 0.5, 1e-3 or 12M (suffixes K, M, G, T)' }));
      // Keep it as a (poisoned) number so the parser does not see a hole and report more errors.
      tokens.push({ ...t, tokenType: NumberLit, tokenTypeIdx: NumberLit.tokenTypeIdx! });
      continue;
    }
    if (t.tokenType === UnterminatedString) {
      unterminated.add(t.startOffset);
      diagnostics.push(diag('E0103', 'unterminated string', spanOf(file, t.startOffset, t.endOffset! + 1), { hint: 'close the string with a matching quote on the same line' }));
      tokens.push({ ...t, tokenType: StringLit, tokenTypeIdx: StringLit.tokenTypeIdx! });
      continue;
    }
    const n = t.tokenType.name;
    if (n === 'LParen' || n === 'LBracket' || n === 'LBrace') depth = open.push(n);
    else if (CLOSER[n] !== undefined && open[open.length - 1] === CLOSER[n]) {
      open.pop();
      depth--;
    }
    if (n === 'If' && all[i - 1]?.tokenType.name === 'Else') {
      elifLinks.set(depth, (elifLinks.get(depth) ?? 0) + 1);
      links++;
    } else if (n === 'RBrace' && all[i + 1]?.tokenType.name !== 'Else' && elifLinks.has(depth)) {
      links -= elifLinks.get(depth)!;
      elifLinks.delete(depth);
    }
    if (depth + links > LIMITS.maxDepth) {
      diagnostics.push(diag('E0104', `nesting is deeper than ${LIMITS.maxDepth} levels${links ? ` (brackets and ${links} else-if links)` : ''}`, spanOf(file, t.startOffset, t.endOffset! + 1), { hint: 'flatten the expression or use blocks' }));
      return { result: EMPTY, diagnostics };
    }
    if (inBody.add(t, all[i - 1], all[i + 1])) {
      // (Read as the name it stands for: one error, and its statement and those after it are parsed as written.)
      if (++renamed <= 50) diagnostics.push(diag('E0101', `expected a name (found '${t.image}')`, spanOf(file, t.startOffset, t.endOffset! + 1), { hint: keywordHint(t.image) }));
      tokens.push({ ...t, tokenType: Ident, tokenTypeIdx: Ident.tokenTypeIdx! });
      continue;
    }
    tokens.push(t);
  }
  const { misplaced, inside } = inBody.end();
  const parser = getParser();
  let decls: Module['decls'] = [];
  let problems: readonly ConvertProblem[] = [];
  try {
    ({ decls, problems } = parser.parseModule(tokens, LIMITS.maxExprDepth, base, misplaced));
  } catch (e) {
    // Last resort: the explicit limits (brackets, expression depth) should make this unreachable.
    if (!(e instanceof RangeError)) throw e;
    diagnostics.push(diag('E0104', 'the file nests too deeply to be parsed (call stack exhausted)', spanOf(file, 0, 0), { hint: 'flatten long else-if chains or expressions' }));
    return { result: EMPTY, diagnostics };
  }
  let stoppedAt = -1;
  for (const e of parser.errors.slice(0, 50)) {
    const t = e.token;
    const eof = t.tokenType?.name === 'EOF' || isNaN(t.startOffset);
    // A body that ends at the token where an error in its last statement stopped: that error says it. (A
    // declaration keyword may begin a misplaced declaration, so a statement's recovery stops at one.)
    const at = eof ? -1 : t.startOffset;
    if (at >= 0 && at === stoppedAt && e.message.includes('--> RBrace <--')) continue;
    stoppedAt = at;
    // What is missing at the end of an unfinished line is reported there, on the line's last token, not on
    // the next line (which usually begins the next statement, see the parser's offside rule).
    const prev = (e as { previousToken?: IToken }).previousToken;
    // (At the end of the file too: a line left unfinished there is reported on it, not on the empty line after it.)
    const hasPrev = prev !== undefined && !isNaN(prev.startOffset);
    const gap = hasPrev && (eof || prev.endOffset! < t.startOffset) ? text.slice(prev.endOffset! + 1, eof ? text.length : t.startOffset) : '';
    const lines = gap.split(/\r\n|\r|\n/).length - 1;
    // (Not for a missing `}`: the editor reports that at the next declaration, as chunks end there.)
    const atPrev = lines > 0 && !e.message.includes('--> RBrace <--');
    const start = atPrev ? prev!.startOffset : eof ? text.length : t.startOffset;
    const end = atPrev ? prev!.endOffset! + 1 : eof ? text.length : t.endOffset! + 1;
    if (unterminated.has(start)) continue;
    const found = eof ? 'end of file' : atPrev ? `'${t.image}' on ${nextLine(lines)}` : `'${t.image}'`;
    const help = syntaxHelp(file, e.message, eof ? undefined : t, hasPrev ? prev : undefined, tokens, inside);
    const what = help.expected ?? friendly(e.message);
    const after = prev && prev.image.length > 16 ? `${prev.image.slice(0, 15)}…` : prev?.image;
    // (At the end of a file without a final line break too: what was left unfinished says more than "here".)
    const message = atPrev || (eof && hasPrev && !e.message.includes('--> RBrace <--')) ? `${what === GENERIC ? 'expected an expression' : what} after '${after}'` : what;
    // A `;` between top-level declarations: only statements inside a body take one.
    const semi = !eof && !atPrev && t.image === ';' && e.message.includes('--> EOF <--');
    // `a, b = f(x)`, Python's unpacking: one name per assignment.
    const unpack = !eof && !atPrev && t.image === ',' && /(^|[\n\r{;])[ \t]*[A-Za-z_]\w*$/.test(text.slice(Math.max(0, t.startOffset - 200), t.startOffset))
      && /^,\s*[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*\s*=(?!=)/.test(text.slice(t.startOffset, t.startOffset + 200));
    const hint = semi
      ? '`;` may end a statement inside a block or model body; top-level declarations (const, from … import, block, model) take none: remove it'
      : unpack ? 'an assignment takes one name: assign the tuple (`pair = f(x)`) and take its items (`pair[0]`, `pair[1]`)' : help.hint;
    diagnostics.push(diag('E0101', `${message} (found ${found})`, spanOf(file, start, end), { ...(hint ? { hint } : {}), ...(help.notes ? { notes: [...help.notes] } : {}), ...(help.fixes ? { fixes: [...help.fixes] } : {}) }));
  }
  // (A tokenless range that no statement placed is still at 0.)
  const rel = (n: number) => (n === 0 ? 0 : n - base);
  for (const p of problems) diagnostics.push(diag(p.code, p.message, spanOf(file, rel(p.range.start), rel(p.range.end)), p.hint ? { hint: p.hint } : {}));
  // In source order (stable: at one offset, lexing before parsing), so that the problems of two pieces of a
  // text, parsed apart, are those of the whole text (the editor's incremental parser relies on it).
  diagnostics.sort((x, y) => x.span!.start - y.span!.start);
  const comments = commentRanges(lexed);
  const docs = attachDocs(decls, comments, text, base);
  return { result: { decls: docs, comments: base ? comments.map((c) => ({ start: c.start + base, end: c.end + base })) : comments }, diagnostics };
}

/** Where the `#` comments of a lexed text are (kept for the formatter and doc comments). */
const commentRanges = (lexed: ReturnType<typeof nnLexer.tokenize>): Range[] =>
  (lexed.groups.comments ?? []).filter((t) => t.tokenType === Comment).map((t) => ({ start: t.startOffset, end: t.endOffset! + 1 }));

const GENERIC = 'expected an expression or statement here';

/** Where a token found after an unfinished line is, in a syntax error's `(found …)`. */
export const nextLine = (lines: number): string => (lines === 1 ? 'the next line' : 'a later line');

/** Turns Chevrotain's messages ("Expecting token of type --> RParen <-- but found --> '}' <--") into prose. */
function friendly(msg: string): string {
  const m = /Expecting token of type --> (\w+) <--/.exec(msg);
  if (m) return `expected ${TOKEN_LABEL[m[1]!] ?? m[1]!.toLowerCase()}`;
  if (msg.startsWith('Expecting: one of these possible Token sequences') || msg.startsWith('Expecting: expecting at least one'))
    return GENERIC;
  if (msg.startsWith('Redundant input')) return 'unexpected input';
  return msg.split('\n')[0]!.replace(/-->|<--/g, '').trim();
}

/** A run of `#` comment lines (alone on their lines) directly above a block or model is its documentation (shown on hover). */
function attachDocs(decls: Module['decls'], comments: { start: number; end: number }[], text: string, base: number): Module['decls'] {
  return decls.map((d) => {
    if (d.kind !== 'block' && d.kind !== 'model') return d;
    const lines: string[] = [];
    let pos = d.range.start - base;
    for (let i = comments.length - 1; i >= 0; i--) {
      const c = comments[i]!;
      if (c.end > pos) continue;
      if (text.slice(c.end, pos).trim() !== '' || (text.slice(c.end, pos).match(/\r\n?|\n/g) ?? []).length > 1) break;
      // Only a comment alone on its line: one after code (`const K = 3  # note`) belongs to that code.
      const lineStart = lineStartOf(text, c.start);
      if (text.slice(lineStart, c.start).trim() !== '') break;
      lines.unshift(text.slice(c.start + 1, c.end).replace(/^ /, ''));
      pos = c.start;
    }
    return lines.length ? { ...d, doc: lines.join('\n') } : d;
  });
}

export { STATEMENT_START } from './lexer.js';

/**
 * Parses a run of whole statements (for re-parsing only the statements an edit touched; offsets relative
 * to `text`, which starts at column `firstColumn` of its line: the parser's offside rule reads columns).
 * Undefined unless the text is entirely clean: no lexing, parse or conversion problem, shallow nesting, and
 * a first token that starts a statement and cannot continue the one before it. Anything else is left to the
 * full parse of the declaration, which reports it.
 */
export function parseStatementRun(text: string, firstColumn = 1): { stmts: Stmt[]; comments: Range[] } | undefined {
  if (text.includes('\u0000') || text.includes('\ufffd')) return undefined;
  const lexed = nnLexer.tokenize(text);
  if (lexed.errors.length) return undefined;
  const tokens = lexed.tokens;
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === BadNumber || t.tokenType === UnterminatedString || t.tokenType.name === 'Else') return undefined;
    const n = t.tokenType.name;
    if (n === 'LParen' || n === 'LBracket' || n === 'LBrace') depth++;
    else if (n === 'RParen' || n === 'RBracket' || n === 'RBrace') depth--;
    if (depth < 0 || depth > LIMITS.maxDepth / 4) return undefined;
  }
  if (tokens.length && !STATEMENT_START.has(tokens[0]!.tokenType.name)) return undefined;
  const comments = commentRanges(lexed);
  if (!tokens.length) return { stmts: [], comments };
  const parser = getParser();
  const run = parser.parseStatements(tokens, firstColumn - 1, LIMITS.maxExprDepth);
  if (parser.errors.length || run.problems.length || run.stmts.length !== run.count) return undefined;
  const stmts = run.stmts;
  return { stmts, comments };
}
