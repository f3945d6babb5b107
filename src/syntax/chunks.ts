/**
 * Parsing a file one top-level declaration at a time: a cheap line scan splits it where the full parser
 * would start a declaration (with the comment lines just above each), and each piece is parsed on its own.
 * The CLI and the editor both parse this way (the editor caches the pieces: src/service/incremental.ts), so
 * they report the same syntax errors, and an unfinished declaration does not swallow the ones after it.
 */
import type { Diagnostic, Span, WithDiagnostics } from '../diagnostics/types.js';
import type { Module } from './ast.js';
import { BodyScan, stopsAt } from './body-scan.js';
import { nnLexer } from './lexer.js';
import { LIMITS, nextLine, parseSource } from './parse.js';
import { type SourceFile, sourceFile, spanOf } from './source.js';

const DECL_START = /^(?:model|block|from|const)\b/;

/** Whether a top-level declaration starts at `at` (a line start): where a file is split, and a body scan stops. */
export const declStartsAt = (text: string, at: number): boolean => DECL_START.test(text.slice(at, at + 6));

/**
 * Offsets where top-level declarations (with their leading comment lines) start; the first is 0. A line at
 * column 0 that starts with a declaration keyword starts one, unless it is inside a body (by the braces before
 * it) that a later `}` closes ({@link BodyScan}): then it was pasted there, and the parser says so.
 */
export function splitDecls(text: string): number[] {
  return scanDecls(text).starts;
}

/**
 * The column-0 declaration lines that are inside a body ({@link BodyScan}: pasted there, a later `}` closes the
 * body), by their line starts: completion and other line scans must not take them for a declaration's start.
 */
export function pastedDeclLines(text: string): ReadonlySet<number> {
  return scanDecls(text).pasted;
}

function scanDecls(text: string): { starts: number[]; pasted: ReadonlySet<number> } {
  const starts = [0];
  // Per keyword told to the scan (keyed as told: from its comment lines), its own line's start.
  const lines = new Map<number, number>();
  let pendingComment = -1;
  let pos = 0;
  let depth = 0;
  // Made at the first declaration line inside a body (rare: a `}` forgotten, or a line pasted there).
  let scan: BodyScan | undefined;
  // Lines end at `\n`, `\r\n` or a lone `\r`; the next of each is looked for again only once passed (a file
  // without one is not scanned to its end at every line). So is the next brace, quote or `#`: most lines have none.
  let nl = text.indexOf('\n');
  let cr = text.indexOf('\r');
  const nextSpecial = specials(text);
  let special = nextSpecial(0);
  while (pos < text.length) {
    if (nl >= 0 && nl < pos) nl = text.indexOf('\n', pos);
    if (cr >= 0 && cr < pos) cr = text.indexOf('\r', pos);
    const end = Math.min(nl < 0 ? text.length : nl, cr < 0 ? text.length : cr);
    const c = text.charCodeAt(pos);
    if (c === 35 /* # */) {
      if (pendingComment < 0) pendingComment = pos;
    } else {
      if (c >= 97 && c <= 122 && declStartsAt(text, pos)) {
        const at = pendingComment >= 0 ? pendingComment : pos;
        if (depth === 0) {
          if (at > starts[starts.length - 1]!) starts.push(at);
        } else {
          (scan ??= new BodyScan()).keyword(at, depth, stopsAt(text, pos));
          lines.set(at, pos);
        }
      }
      pendingComment = -1;
      // The line's braces, as the lexer reads them (not in a comment or a string; a `}` that closes nothing is
      // ignored), each `}` told to the scan.
      while (special >= 0 && special < end) {
        const s = text.charCodeAt(special);
        if (s === 35 /* # */) break;
        let i = special;
        if (s === 123 /* { */) depth++;
        else if (s === 125 /* } */) {
          if (depth > 0) scan?.close(depth--);
        } else i = stringEnd(text, i, end);
        special = nextSpecial(i + 1);
      }
    }
    pos = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
    if (special >= 0 && special < pos) special = nextSpecial(pos);
  }
  if (!scan) return { starts, pasted: NONE };
  scan.end();
  const pasted = new Set(scan.inside.map((at) => lines.get(at)!));
  if (!scan.apart.length) return { starts, pasted };
  const all = [...starts, ...scan.apart].sort((a, b) => a - b);
  return { starts: all.filter((at, i) => i === 0 || at > all[i - 1]!), pasted };
}

const NONE: ReadonlySet<number> = new Set();

const SPECIAL = ['{', '}', '"', "'", '#'];

/**
 * A function giving the next brace, quote or `#` of `text` at or after `from` (never smaller than the last
 * call's), or -1. Each character's next place is looked for again only once passed: `indexOf` is fast, a loop
 * over every character is not.
 */
function specials(text: string): (from: number) => number {
  const next = SPECIAL.map((c) => text.indexOf(c));
  return (from) => {
    let best = -1;
    for (let k = 0; k < 5; k++) {
      let at = next[k]!;
      if (at >= 0 && at < from) next[k] = at = text.indexOf(SPECIAL[k]!, from);
      if (at >= 0 && (best < 0 || at < best)) best = at;
    }
    return best;
  };
}

/** Where the string whose quote is at `at` ends (its closing quote, or the line's end `to`): an escape takes the next character but a line break. */
function stringEnd(text: string, at: number, to: number): number {
  const q = text.charCodeAt(at);
  let i = at + 1;
  for (; i < to && text.charCodeAt(i) !== q; i++) {
    if (text.charCodeAt(i) !== 92 /* \\ */) continue;
    const n = text.charCodeAt(i + 1);
    if (n === 0x2028 || n === 0x2029) break;
    i++;
  }
  return Math.min(i, to);
}

const EOF_FOUND = ' (found end of file)';

/** A syntax error where the parser met the end of a chunk that is not the file's last. */
const endOfChunk = (d: Diagnostic) => d.code === 'E0101' && d.span !== undefined && d.message.endsWith(EOF_FOUND);

/**
 * That error as the whole file's parse reports it: what it found is the next declaration's first token. An
 * unfinished line stays reported on its last token ("expected an expression after '=' (found 'model' on the
 * next line)"); a missing `}` (reported at the chunk's end) moves to that token.
 */
export function foundNext(file: SourceFile, d: Diagnostic, chunkStart: number, at: number): Diagnostic {
  const t = firstToken(file.text, at);
  const base = d.message.slice(0, -EOF_FOUND.length);
  const atEnd = d.span!.start === at - chunkStart;
  // (Notes, such as where a body left open began, are in the piece: they move with it.)
  const shifted = shiftDiag(file, d, chunkStart);
  if (!t) return atEnd ? { ...shifted, span: spanOf(file, at, at) } : shifted;
  const start = at + t.startOffset;
  if (atEnd) return { ...shifted, message: `${base} (found '${t.image}')`, span: spanOf(file, start, start + t.image.length) };
  const lines = file.text.slice(chunkStart + d.span!.end, start).split(/\r\n|\r|\n/).length - 1;
  return { ...shifted, message: `${base} (found '${t.image}' on ${nextLine(lines)})` };
}

const move = (f: SourceFile, s: Span, by: number): Span => spanOf(f, s.start + by, s.end + by);

/** A diagnostic moved by `by` characters in `f` (its notes and fixes too). */
export function shiftDiag(f: SourceFile, d: Diagnostic, by: number): Diagnostic {
  return {
    ...d,
    ...(d.span ? { span: move(f, d.span, by) } : {}),
    notes: d.notes.map((n) => (n.span ? { ...n, span: move(f, n.span, by) } : n)),
    ...(d.fixes ? { fixes: d.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, span: move(f, e.span, by) })) })) } : {}),
  };
}

/**
 * The first token at or after `from` (offsets relative to `from`), if any. Blank space and comment lines are
 * skipped by a scan, then one line is lexed: lexing the rest of the file (or a fixed window that may cut the
 * token) made a file of many cut-short declarations quadratic.
 */
export function firstToken(text: string, from: number) {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 /* # */) while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
    else {
      let end = i;
      while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
      const t = nnLexer.tokenize(text.slice(i, end)).tokens[0];
      if (t) {
        t.startOffset += i - from;
        if (t.endOffset !== undefined) t.endOffset += i - from;
        return t;
      }
      i = end;
    }
  }
  return undefined;
}

/**
 * Parses `file` declaration by declaration ({@link splitDecls}): the same AST as `parseSource` for a file
 * without errors; with errors, each declaration's own (see {@link foundNext} for one cut short).
 */
export function parseByDecls(file: SourceFile): WithDiagnostics<Module> {
  const text = file.text;
  if (wholeFileOnly(text)) return parseSource(file);
  const starts = splitDecls(text);
  if (starts.length === 1) return parseSource(file);
  const decls: Module['decls'][number][] = [];
  const comments: Module['comments'][number][] = [];
  const diagnostics: Diagnostic[] = [];
  for (let i = 0; i < starts.length; i++) {
    const a = starts[i]!;
    const b = i + 1 < starts.length ? starts[i + 1]! : text.length;
    // Parsed at its offset: its AST is in file offsets already.
    const parsed = parseSource(sourceFile(file.path, text.slice(a, b)), a);
    decls.push(...parsed.result.decls);
    comments.push(...parsed.result.comments);
    for (const d of parsed.diagnostics) diagnostics.push(chunkDiag(file, d, a, b));
  }
  return stopsParse(diagnostics) ? parseSource(file) : { result: { decls, comments }, diagnostics: capped(diagnostics) };
}

/**
 * Texts parsed whole, never in pieces: over-size and non-UTF-8 ones (the parser rejects them before any work,
 * with one error for the file).
 */
export const wholeFileOnly = (text: string): boolean => text.length > LIMITS.maxBytes || text.includes('\u0000') || text.includes('\ufffd');

/** A piece nested too deeply (E0104): the whole file's parse stops there, with its own error (docs/diagnostics.md). */
export const stopsParse = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.code === 'E0104');

/** As the whole file's parse does: at most 50 lexing (E0100) and 50 parsing (E0101) errors for a file. */
export function capped(ds: Diagnostic[]): Diagnostic[] {
  let lex = 0;
  let syn = 0;
  if (ds.length <= 50) return ds;
  return ds.filter((d) => (d.code === 'E0100' ? ++lex <= 50 : d.code === 'E0101' ? ++syn <= 50 : true));
}

/** A diagnostic of the piece [a, b) of `file` in the file's offsets. */
export const chunkDiag = (file: SourceFile, d: Diagnostic, a: number, b: number): Diagnostic => (b < file.text.length && endOfChunk(d) ? foundNext(file, d, a, b) : shiftDiag(file, d, a));
