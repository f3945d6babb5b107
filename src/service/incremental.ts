/**
 * Incremental parsing for the editor: a cheap line scan splits a file into top-level declarations
 * (with the comment lines just above each), each chunk is parsed on its own and cached by its text, and
 * the chunk ASTs are shifted to file offsets. Typing inside one declaration re-parses only that one.
 * Chunk boundaries only fall where the full parser would start a declaration, so the AST is the same.
 */
import type { Diagnostic, Span, WithDiagnostics } from '../diagnostics/types.js';
import type { BlockDecl, Module, ModelDecl, Stmt } from '../syntax/ast.js';
import { nnLexer } from '../syntax/lexer.js';
import { LIMITS, STATEMENT_START, parseSource, parseStatementRun } from '../syntax/parse.js';
import { type SourceFile, sourceFile, spanOf } from '../syntax/source.js';
import { textEdit } from '../syntax/text-edit.js';

const DECL_START = /^(?:model|block|from|const)\b/;

/** Offsets where top-level declarations (with their leading comment lines) start; the first is 0. */
export function splitDecls(text: string): number[] {
  const starts = [0];
  let pendingComment = -1;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const c = text.charCodeAt(pos);
    if (c === 35 /* # */) {
      if (pendingComment < 0) pendingComment = pos;
    } else if (c >= 97 && c <= 122 && DECL_START.test(text.slice(pos, pos + 6))) {
      const at = pendingComment >= 0 ? pendingComment : pos;
      if (at > starts[starts.length - 1]!) starts.push(at);
      pendingComment = -1;
    } else pendingComment = -1;
    pos = end + 1;
  }
  return starts;
}

/**
 * A parsed declaration chunk, kept in file offsets as last placed (`by`: the chunk's start then). Placing it
 * elsewhere shifts a copy; most keystrokes leave a chunk where it was and reuse its objects as they are.
 */
interface Chunk {
  at: { readonly by: number; readonly path: string; readonly decls: Module['decls']; readonly comments: Module['comments'] };
  /** Diagnostics in chunk offsets (re-made for every file position: their line numbers depend on the text above). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Shifts every `start`/`end` offset of a plain AST value by `by` (a structural copy, unless `by` is 0 and no `copy` is asked). */
function shift<T>(v: T, by: number, copy = false): T {
  if ((by === 0 && !copy) || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = shift(v[i], by, copy);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    out[k] = typeof x === 'object' ? (x === null ? x : shift(x, by, copy)) : (k === 'start' || k === 'end') && typeof x === 'number' ? x + by : x;
  }
  return out as T;
}

/** Objects made by `lazyShift`: the object they are a moved copy of, and by how much. */
const lazyOrigins = new WeakMap<object, { readonly src: object; readonly by: number; readonly copy: boolean }>();

/**
 * `shift` of a declaration or statement, field by field on first use: one that only moved (text typed
 * above it) is rarely read below its range before it moves again, and copying every one after each
 * keystroke near the top of a big file (or of a big model) was most of that keystroke's time.
 */
function lazyShift<T extends object>(v: T, by: number, copy = false): T {
  if (by === 0 && !copy) return v;
  const origin = lazyOrigins.get(v);
  const src = (origin ? origin.src : v) as T;
  const total = (origin ? origin.by : 0) + by;
  // (An origin in another file is always copied from, even where nothing moves.)
  const mustCopy = copy || (origin?.copy ?? false);
  if (total === 0 && !mustCopy) return src;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    const x = (src as Record<string, unknown>)[k];
    if (x === null || typeof x !== 'object') {
      out[k] = x;
      continue;
    }
    Object.defineProperty(out, k, {
      enumerable: true,
      configurable: true,
      get() {
        const y = shift(x, total, mustCopy);
        Object.defineProperty(out, k, { value: y, enumerable: true, writable: false, configurable: false });
        return y;
      },
    });
  }
  lazyOrigins.set(out, { src, by: total, copy: mustCopy });
  return out as T;
}

/**
 * For an AST object made by moving another (statements after an edit, declarations below it): that one,
 * and by how much its offsets moved. Lets a comparison skip the walk of two moved copies of one object.
 */
export function movedFrom(v: object): { readonly src: object; readonly by: number } | undefined {
  return lazyOrigins.get(v);
}

const move = (f: SourceFile, s: Span, by: number): Span => spanOf(f, s.start + by, s.end + by);

function shiftDiag(f: SourceFile, d: Diagnostic, by: number): Diagnostic {
  return {
    ...d,
    ...(d.span ? { span: move(f, d.span, by) } : {}),
    notes: d.notes.map((n) => (n.span ? { ...n, span: move(f, n.span, by) } : n)),
    ...(d.fixes ? { fixes: d.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, span: move(f, e.span, by) })) })) } : {}),
  };
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
 * The chunk `text`, placed at file offset `at`, made by an edit of the chunk `old` (a block or model that
 * parsed cleanly), when the edit lies inside the body: only the statements it touches are parsed again,
 * the others are kept (those after it shifted). When the chunk did not move, the statements before the edit
 * and the declaration's header are the very objects of the old AST (the checker resumes after them).
 * Undefined when that cannot be shown to give what parsing the whole chunk gives; then the caller parses
 * the whole chunk. Why it is the same parse: the statements before and after the re-parsed run are
 * unchanged tokens; the run starts after a complete statement with a token that cannot continue it (a name
 * or statement keyword), and is followed, at the start of an unedited line, by a name, a keyword or the
 * body's `}` (so neither a token nor a comment or string of the run can reach into what follows).
 */
function spliceStatements(oldText: string, old: Chunk, text: string, at: number, path: string): { chunk: Chunk; tail: boolean } | undefined {
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
  if (!old.diagnostics.length && oldText[close] === '}' && oldEnd <= close) {
    const run = statementRun(oldText, d, by, text, a, oldEnd, close, delta);
    if (run) {
      const { stmts, comments, b, after } = run;
      const body: Stmt[] = [...before.map((st) => shift(st, move)), ...stmts.map((st) => shift(st, at + a)), ...after.map((st) => lazyShift(st, move + delta))];
      const decl = { ...head, body, range: { start: head.range.start, end: head.range.end + delta } } as ModelDecl | BlockDecl;
      const all = [
        ...keptComments,
        ...comments.map((c) => ({ start: c.start + at + a, end: c.end + at + a })),
        ...oldComments.filter((c) => c.start - by >= b).map((c) => ({ start: c.start + move + delta, end: c.end + move + delta })),
      ];
      return { chunk: { at: { by: at, path, decls: [decl], comments: all }, diagnostics: [] }, tail: false };
    }
  }
  const t = tail(oldText, text, old, d, by, at, path, open, before, head, oldComments);
  return t && { chunk: t, tail: true };
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
  const run = parseStatementRun(text.slice(a, b + delta));
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
function tail(oldText: string, text: string, old: Chunk, d: ModelDecl | BlockDecl, by: number, at: number, path: string, open: number, kept: readonly Stmt[], head: ModelDecl | BlockDecl, oldComments: readonly { start: number; end: number }[]): Chunk | undefined {
  if (text.length > LIMITS.maxBytes || text.includes('\u0000') || text.includes('\ufffd')) return undefined;
  // Keep fewer statements when the edit continues the last one (`q` then `q =`).
  let k = kept.length;
  let a = open + 1;
  for (; k >= 0; k--) {
    a = k ? kept[k - 1]!.range.end - by : open + 1;
    const next = firstToken(text, a);
    if (next && !STATEMENT_START.has(next.tokenType.name) && next.tokenType.name !== 'RBrace') continue;
    // Every problem of the old parse lies past the first token after the kept statements: a parser that
    // fails at that token may still have been inside the last of them (it reports where it stopped).
    const oldNext = firstToken(oldText, a);
    const from = oldNext ? oldNext.startOffset + a : oldText.length;
    if (old.diagnostics.some((x) => (x.span?.start ?? 0) <= from)) return undefined;
    break;
  }
  if (k < 0) return undefined;
  const move = at - by;
  const blanked = text.slice(0, open + 1) + text.slice(open + 1, a).replace(/[^\n]/g, ' ') + text.slice(a);
  const parsed = parseSource(sourceFile(path, blanked));
  const nd = parsed.result.decls[0];
  // The body must have been closed: if the parser gave up on it, the declaration's range depends on the
  // statements blanked out here.
  if (parsed.result.decls.length !== 1 || !nd || nd.kind !== d.kind || nd.range.end <= a || blanked[nd.range.end - 1] !== '}') return undefined;
  const body: Stmt[] = [...kept.slice(0, k).map((st) => shift(st, move)), ...nd.body.map((st) => shift(st, at))];
  const decl = { ...head, body, range: { start: head.range.start, end: nd.range.end + at } } as ModelDecl | BlockDecl;
  // (Comments before `a` are in both: the header's are still in the text parsed.)
  const comments = [
    ...oldComments.filter((c) => c.end - by <= a).map((c) => shift(c, move)),
    ...parsed.result.comments.filter((c) => c.start >= a).map((c) => shift(c, at)),
  ];
  return { at: { by: at, path, decls: [decl], comments }, diagnostics: parsed.diagnostics };
}

/** A syntax error at the end of a chunk that is not the file's last: the parser met the chunk's end. */
const endOfChunk = (d: Diagnostic, length: number) => d.code === 'E0101' && d.span?.start === length && d.message.endsWith(' (found end of file)');

/**
 * That error as the whole file's parse reports it: at the next declaration's first token (what the parser
 * of the whole file finds there), not at the end of the chunk.
 */
function foundNext(file: SourceFile, d: Diagnostic, at: number): Diagnostic {
  const t = firstToken(file.text, at);
  if (!t) return shiftDiag(file, d, at - d.span!.start);
  const start = at + t.startOffset;
  return { ...d, message: `${d.message.slice(0, -' (found end of file)'.length)} (found '${t.image}')`, span: spanOf(file, start, start + t.image.length) };
}

/** The first token at or after `from` (offsets relative to `from`), if any. */
function firstToken(text: string, from: number) {
  return nnLexer.tokenize(text.slice(from, from + 64)).tokens[0] ?? nnLexer.tokenize(text.slice(from)).tokens[0];
}

/**
 * A parser with a cache of declaration chunks. Entries unused by the latest parse of any file are
 * dropped (bounded memory across edits); whole-file results are cached for unchanged imported files.
 */
export class IncrementalParser {
  private chunks = new Map<string, Chunk>();
  private files = new Map<string, { text: string; result: WithDiagnostics<Module> }>();
  /** Chunk parses done (a test hook: typing in one declaration re-parses one chunk). */
  parses = 0;
  /** Of those, parses of only the statements an edit touched (a test hook). */
  splices = 0;
  /** Of those, parses from the edited statement to the end of the declaration (after a syntax error). */
  tails = 0;
  /** Each file's chunks at its last parse: an edited chunk is compared with the one at its index. */
  private lastChunks = new Map<string, readonly { readonly text: string; readonly chunk: Chunk }[]>();

  /** A {@link import('../semantics/modules.js').ParseFn}: same result as `parseSource`, from cached chunks. */
  readonly parse = (file: SourceFile): WithDiagnostics<Module> => {
    const hit = this.files.get(file.path);
    if (hit && hit.text === file.text) return hit.result;
    const result = this.parseChunks(file);
    this.files.set(file.path, { text: file.text, result });
    return result;
  };

  forget(path: string): void {
    this.files.delete(path);
    this.lastChunks.delete(path);
  }

  private parseChunks(file: SourceFile): WithDiagnostics<Module> {
    const text = file.text;
    // Over-size and binary files are rejected by the real parser before any work: let it say so.
    if (text.length > LIMITS.maxBytes || text.includes('\u0000')) return parseSource(file);
    const starts = splitDecls(text);
    const decls: Module['decls'][number][] = [];
    const comments: Module['comments'][number][] = [];
    const diagnostics: Diagnostic[] = [];
    const used = new Map<string, Chunk>();
    const prev = this.lastChunks.get(file.path);
    const now: { text: string; chunk: Chunk }[] = [];
    for (let i = 0; i < starts.length; i++) {
      const a = starts[i]!;
      const b = i + 1 < starts.length ? starts[i + 1]! : text.length;
      const t = text.slice(a, b);
      let c = this.chunks.get(t) ?? used.get(t);
      if (!c) {
        this.parses++;
        // Typing inside a big model: re-parse the statements the edit touched, not the whole model.
        const old = prev?.length === starts.length ? prev[i] : undefined;
        const spliced = old ? spliceStatements(old.text, old.chunk, t, a, file.path) : undefined;
        if (spliced) {
          this.splices++;
          if (spliced.tail) this.tails++;
          c = spliced.chunk;
        }
        else {
          const parsed = parseSource(sourceFile(file.path, t));
          c = { at: { by: a, path: file.path, decls: shift(parsed.result.decls, a), comments: shift(parsed.result.comments, a) }, diagnostics: parsed.diagnostics };
        }
      }
      used.set(t, c);
      now.push({ text: t, chunk: c });
      // ASTs are copied only when their chunk moved (or is placed in another file: files never share AST objects).
      if (c.at.by !== a || c.at.path !== file.path) {
        const other = c.at.path !== file.path;
        c.at = { by: a, path: file.path, decls: c.at.decls.map((d) => lazyShift(d, a - c.at.by, other)), comments: shift(c.at.comments, a - c.at.by, other) };
      }
      for (const d of c.at.decls) decls.push(d);
      for (const x of c.at.comments) comments.push(x);
      for (const d of c.diagnostics) diagnostics.push(b < text.length && endOfChunk(d, t.length) ? foundNext(file, d, b) : shiftDiag(file, d, a));
    }
    this.lastChunks.set(file.path, now);
    // Keep this file's chunks plus the previous generation (other open files share the map briefly).
    for (const [k, v] of used) this.chunks.set(k, v);
    if (this.chunks.size > 4 * used.size + 256) this.chunks = used;
    return { result: { decls, comments }, diagnostics };
  }
}
