/**
 * Re-parsing only the statements an edit touched inside a block or model (the incremental parser's splice),
 * with proofs that the result is what parsing the whole declaration gives.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import type { BlockDecl, Module, ModelDecl, Stmt } from '../syntax/ast.js';
import { nnLexer } from '../syntax/lexer.js';
import { LIMITS, STATEMENT_START, parseSource, parseStatementRun } from '../syntax/parse.js';
import { sourceFile } from '../syntax/source.js';
import { textEdit } from '../syntax/text-edit.js';
import { firstToken, lazyShift, shift, shiftDiag } from './ast-shift.js';

type Comment = Module['comments'][number];

/**
 * A parsed declaration chunk, kept in file offsets as last placed (`by`: the chunk's start then). Placing it
 * elsewhere shifts a copy; most keystrokes leave a chunk where it was and reuse its objects as they are.
 */
export interface Chunk {
  at: { readonly by: number; readonly path: string; readonly decls: Module['decls']; readonly comments: Module['comments'] };
  /** Diagnostics in chunk offsets (re-made for every file position: their line numbers depend on the text above). */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Offset of the body's `{`: the last `{` token between the declaration's name and its first statement (a
 * `{` in a string default or in a comment is not one), or undefined.
 */
function bodyBrace(text: string, from: number, to: number): number | undefined {
  const lexed = nnLexer.tokenize(text.slice(from, to));
  if (lexed.errors.length) return undefined;
  const braces = lexed.tokens.filter((t) => t.tokenType.name === 'LBrace');
  const last = braces[braces.length - 1];
  return last ? from + last.startOffset : undefined;
}

/**
 * The chunk `text`, placed at file offset `at`, made by an edit of the chunk `old` (a block or model whose parse
 * had no problem before the edit; those after it move with their statements), when the edit lies inside the
 * body: only the statements it touches are parsed again, the others are kept (those after it shifted). When the
 * chunk did not move, the statements before the edit and the declaration's header are the very objects of the
 * old AST (the checker resumes after them). Undefined when that cannot be shown to give what parsing the whole
 * chunk gives; then the caller parses the whole chunk. Why it is the same parse: the statements before and after
 * the re-parsed run are unchanged tokens; the run starts after a complete statement with a token that cannot
 * continue it (a name or statement keyword), and is followed, at the start of an unedited line, by a name, a
 * keyword or the body's `}` (so neither a token nor a comment or string of the run can reach into what follows).
 */
export function spliceStatements(oldText: string, old: Chunk, text: string, at: number, path: string): { chunk: Chunk; tail: boolean; piece?: boolean } | undefined {
  const { by, decls, comments: oldComments } = old.at;
  const d = decls[0];
  // (A chunk last placed in another file has objects of that file's AST: never shared.)
  if (old.at.path !== path || decls.length !== 1 || !d || (d.kind !== 'model' && d.kind !== 'block')) return undefined;
  const { from: p, to: oldEnd, delta } = textEdit(oldText, text);
  // Chunk offsets below (old file offset minus `by`).
  const close = d.range.end - by - 1;
  const firstStart = d.body[0] ? d.body[0].range.start - by : close;
  const open = bodyBrace(oldText, d.name.end - by, firstStart);
  if (open === undefined || p <= open) return undefined;
  const before = d.body.filter((st) => st.range.end - by < p);
  const last = before[before.length - 1];
  const a = last ? last.range.end - by : open + 1;
  const move = at - by;
  const head = move === 0 ? d : shift(d, move);
  const keptComments = oldComments.filter((c) => c.end - by <= a).map((c) => shift(c, move));
  const run = oldText[close] === '}' && oldEnd <= close && cleanThrough(oldText, old, a) ? statementRun(oldText, d, by, text, a, oldEnd, close, delta) : undefined;
  const moved = run && movedProblems(old, run.after, by, run.b, close, delta, [], path, text);
  if (run && moved) {
    const { stmts, comments, b, after } = run;
    const body: Stmt[] = [...before.map((st) => shift(st, move)), ...stmts.map((st) => shift(st, at + a)), ...after.map((st) => lazyShift(st, move + delta))];
    const decl = { ...head, body, range: { start: head.range.start, end: head.range.end + delta } } as ModelDecl | BlockDecl;
    const all = [
      ...keptComments,
      ...comments.map((c) => shift(c, at + a)),
      ...oldComments.filter((c) => c.start - by >= b).map((c) => shift(c, move + delta)),
    ];
    return { chunk: { at: { by: at, path, decls: [decl], comments: all }, diagnostics: moved }, tail: false };
  }
  const t = tail(oldText, text, old, d, by, at, path, open, before, head, oldComments, { oldEnd, delta });
  return t && { chunk: t.chunk, tail: true, piece: t.piece };
}

/**
 * Whether the old parse had no problem up to the statements that end at `a`: every one lies past the first
 * token after `a` (a parser that fails at that token may still have been inside the last of them: it
 * reports where it stopped, and after recovering from an error inside a statement it resumes past it).
 */
function cleanThrough(oldText: string, old: Chunk, a: number): boolean {
  if (!old.diagnostics.length) return true;
  const next = firstToken(oldText, a);
  const from = next ? next.startOffset + a : oldText.length;
  return old.diagnostics.every((x) => (x.span?.start ?? 0) > from);
}

/**
 * The short path: the statements from the edit to the first unedited statement after it, parsed on their
 * own (cleanly), or undefined. `a`, `b`: the run in chunk offsets of the old text; `after`: the statements
 * after it.
 */
function statementRun(oldText: string, d: ModelDecl | BlockDecl, by: number, text: string, a: number, oldEnd: number, close: number, delta: number) {
  const after = d.body.filter((st) => st.range.start - by > oldEnd);
  const b = after[0] ? after[0].range.start - by : close;
  // The statement after the run must start with a name or keyword (`not` could join the run's last expression).
  if (after[0] && (!/[A-Za-z_]/.test(oldText[b]!) || /^not\b/.test(oldText.slice(b, b + 4)))) return undefined;
  // It (or the body's `}`) must begin its line, after an unedited line break: a comment or string typed in
  // the run ends at that line break and cannot swallow what follows.
  const nl = oldText.lastIndexOf('\n', b - 1);
  if (nl < oldEnd || oldText.slice(nl + 1, b).trim() !== '') return undefined;
  const run = parseStatementRun(text.slice(a, b + delta), a - text.lastIndexOf('\n', a - 1));
  return run && { ...run, b, after };
}

/**
 * The other path, for an edit that leaves (or had left) a syntax error: the declaration is parsed from the
 * statement the edit is in to its end, the statements before it kept. That is the whole declaration's
 * parse: those statements parsed cleanly (every problem of the old parse lies after them), so the
 * parser was between two statements of the body there, and what it does next depends only on the tokens
 * that follow (the same) and the rules it is in (the same, as the header is kept in the text parsed: only
 * the kept statements are blanked out, offsets unchanged). The first token after them must be one that
 * cannot continue the last of them.
 */
function tail(oldText: string, text: string, old: Chunk, d: ModelDecl | BlockDecl, by: number, at: number, path: string, open: number, kept: readonly Stmt[], head: ModelDecl | BlockDecl, oldComments: readonly { start: number; end: number }[], edit: { oldEnd: number; delta: number }): { chunk: Chunk; piece: boolean } | undefined {
  if (text.length > LIMITS.maxBytes || text.includes('\u0000') || text.includes('\ufffd')) return undefined;
  // Keep fewer statements when the edit continues the last one (`q` then `q =`), or when it has a problem.
  let k = kept.length;
  let a = open + 1;
  for (; k >= 0; k--) {
    a = k ? kept[k - 1]!.range.end - by : open + 1;
    const next = firstToken(text, a);
    if (next && !STATEMENT_START.has(next.tokenType.name) && next.tokenType.name !== 'RBrace') continue;
    // (A problem in the last kept statements, as in an unfinished `q =` being typed on: keep fewer.)
    if (!cleanThrough(oldText, old, a)) continue;
    break;
  }
  if (k < 0) return undefined;
  const move = at - by;
  const keptComments = oldComments.filter((c) => c.end - by <= a).map((c) => shift(c, move));
  // (One run of no-break spaces: the lexer skips it in one match, and chunk diagnostics get their lines from the
  // file later. Not plain spaces: a syntax error's hint that reads the text before it, as `a, b = f(x)`'s does,
  // would see a statement start there that the whole declaration's text does not have.)
  const blank = text.slice(0, open + 1) + '\u00a0'.repeat(a - open - 1);
  const piece = rejoin(oldText, text, old, d, by, at, path, blank, a, kept.slice(0, k), head, keptComments, oldComments, edit);
  if (piece) return { chunk: piece, piece: true };
  const blanked = blank + text.slice(a);
  const parsed = parseSource(sourceFile(path, blanked));
  const nd = parsed.result.decls[0];
  // The body must have been closed: if the parser gave up on it, the declaration's range depends on the
  // statements blanked out here.
  if (parsed.result.decls.length !== 1 || !nd || nd.kind !== d.kind || nd.range.end <= a || blanked[nd.range.end - 1] !== '}') return undefined;
  const body: Stmt[] = [...kept.slice(0, k).map((st) => shift(st, move)), ...nd.body.map((st) => shift(st, at))];
  const decl = { ...head, body, range: { start: head.range.start, end: nd.range.end + at } } as ModelDecl | BlockDecl;
  // (Comments before `a` are in both: the header's are still in the text parsed.)
  const comments = [...keptComments, ...parsed.result.comments.filter((c) => c.start >= a).map((c) => shift(c, at))];
  return { chunk: { at: { by: at, path, decls: [decl], comments }, diagnostics: parsed.diagnostics }, piece: false };
}

/**
 * The tail parse cut short where it rejoins the old parse. The text from `a` is parsed only up to the start
 * `b` of an unedited statement of the old body (closed there with a `}`), for a few `b`s ever further: when
 * that piece's last statement is the old statement just before `b`, an assignment (three tokens or more, so
 * no lookahead from before it reaches `b`), parsed without any problem from its start on, then the whole
 * declaration's parse reaches it in the same state, leaves it between two statements of the body (what
 * starts at `b`, a name or keyword at the start of an unedited line, cannot continue it), and from `b` on
 * does what the old parse did from there: same tokens, same rules. So the statements from `b` on are the old
 * ones, moved, and (as the old parse was clean from before `b`) without problems. Undefined when no `b`
 * qualifies (then the caller parses to the end).
 */
function rejoin(oldText: string, text: string, old: Chunk, d: ModelDecl | BlockDecl, by: number, at: number, path: string, blank: string, a: number, kept: readonly Stmt[], head: ModelDecl | BlockDecl, keptComments: readonly Comment[], oldComments: readonly Comment[], edit: { oldEnd: number; delta: number }): Chunk | undefined {
  const { oldEnd, delta } = edit;
  if (oldText[d.range.end - by - 1] !== '}') return undefined;
  const after = d.body.filter((st) => st.range.start - by > oldEnd);
  const move = at - by;
  // The i-th unedited statement is the one the piece must end with; b: where the next one starts.
  // (Pieces of 1, 2, 4… statements, up to 64: a parse that has not rejoined by then is left to go to the end,
  // so a miss costs at most about 128 statements more.)
  for (let i = 0; i + 1 < after.length && i < 64; i = 2 * i + 1) {
    const last = after[i]!;
    const b = after[i + 1]!.range.start - by;
    if (last.kind !== 'assign' || /^not\b/.test(oldText.slice(b, b + 4))) continue;
    const nl = oldText.lastIndexOf('\n', b - 1);
    if (nl < oldEnd || oldText.slice(nl + 1, b).trim() !== '') continue;
    const c = last.range.start - by + delta;
    const src = `${blank}${text.slice(a, b + delta)}}`;
    const parsed = parseSource(sourceFile(path, src));
    const nd = parsed.result.decls[0];
    if (parsed.result.decls.length !== 1 || !nd || nd.kind !== d.kind || nd.range.end !== src.length) continue;
    const n = nd.body.length;
    if (!n || nd.body[n - 1]!.range.start !== c || nd.body[n - 1]!.kind !== 'assign' || parsed.diagnostics.some((x) => (x.span?.start ?? 0) >= c)) continue;
    const rest = d.body.slice(d.body.indexOf(after[i + 1]!));
    const moved = movedProblems(old, rest, by, b, d.range.end - by - 1, delta, parsed.diagnostics, path, text);
    if (!moved) continue;
    const body: Stmt[] = [...kept.map((st) => shift(st, move)), ...nd.body.map((st) => shift(st, at)), ...rest.map((st) => lazyShift(st, move + delta))];
    const decl = { ...head, body, range: { start: head.range.start, end: d.range.end + move + delta } } as ModelDecl | BlockDecl;
    const comments = [
      ...keptComments,
      ...parsed.result.comments.filter((x) => x.start >= a).map((x) => shift(x, at)),
      ...oldComments.filter((x) => x.start - by >= b).map((x) => shift(x, move + delta)),
    ];
    return { at: { by: at, path, decls: [decl], comments }, diagnostics: [...parsed.diagnostics, ...moved] };
  }
  return undefined;
}

/**
 * The old parse's problems in the statements kept after a re-parsed run (`rest`, from `b` in old chunk
 * offsets), moved by `delta` into the new chunk `text`: the whole declaration's parse reports them there,
 * since from `b` on it does what the old parse did (the parser was starting a statement of the body there in
 * both). Those in the run were superseded by its new parse; the parser lists problems in source order, so
 * the run's (`fresh`) come first. `close`: the old declaration's last `}`. Undefined when the moved
 * statements cannot be trusted: when the lists are near 50 problems (the parser reports at most 50 of a
 * kind: the old list may have been cut), or when a statement around a problem holds a node recovered
 * without tokens (placed at the chunk's start, which does not move).
 */
function movedProblems(old: Chunk, rest: readonly Stmt[], by: number, b: number, close: number, delta: number, fresh: readonly Diagnostic[], path: string, text: string): Diagnostic[] | undefined {
  // One at `b` itself may be the run's (its last statement failed at the next one's first token) or the
  // next statement's (a bad number there): whose it is is not known.
  if (old.diagnostics.some((x) => x.span!.start === b)) return undefined;
  const kept = old.diagnostics.filter((x) => x.span!.start > b);
  if (!kept.length) return [];
  // A problem at or after the declaration's last `}` means that brace closed something else (an inner body
  // left open): the declaration's structure was not the one the new text has.
  if (kept.some((x) => x.span!.start >= close)) return undefined;
  if (old.diagnostics.length >= 50 || kept.length + fresh.length >= 50) return undefined;
  let j = 0;
  for (const x of kept) {
    const at = x.span!.start + by;
    while (j + 1 < rest.length && rest[j + 1]!.range.start <= at) j++;
    // The statement the parser was in when it failed, and the one before it (a failure at a statement's first token).
    for (const st of [rest[j - 1], rest[j]]) if (st && st.range.start - by >= b && recoveredAtStart(st, st.range.start)) return undefined;
  }
  const f = sourceFile(path, text);
  return kept.map((x) => shiftDiag(f, x, delta));
}

/** Whether an AST value holds a range that starts before `from` (a node recovered without tokens). */
function recoveredAtStart(v: unknown, from: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some((x) => recoveredAtStart(x, from));
  const o = v as Record<string, unknown>;
  if (typeof o.start === 'number' && o.start < from) return true;
  for (const k in o) if (typeof o[k] === 'object' && recoveredAtStart(o[k], from)) return true;
  return false;
}

