/**
 * Incremental parsing for the editor: a cheap line scan splits a file into top-level declarations
 * (with the comment lines just above each), each chunk is parsed on its own and cached by its text, and
 * the chunk ASTs are shifted to file offsets. Typing inside one declaration re-parses only that one.
 * Chunk boundaries only fall where the full parser would start a declaration, so the AST is the same.
 */
import type { Diagnostic, Span, WithDiagnostics } from '../diagnostics/types.js';
import type { BlockDecl, Module, ModelDecl, Stmt } from '../syntax/ast.js';
import { nnLexer } from '../syntax/lexer.js';
import { LIMITS, parseSource, parseStatementRun } from '../syntax/parse.js';
import { type SourceFile, sourceFile, spanOf } from '../syntax/source.js';

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

interface Chunk {
  readonly parsed: WithDiagnostics<Module>;
  /** The chunk at its last file offset (reused while the chunk does not move). */
  at?: { readonly by: number; readonly path: string; readonly decls: Module['decls']; readonly comments: Module['comments'] };
}

/** Shifts every `start`/`end` offset of a plain AST value by `by` (a structural copy). */
function shift<T>(v: T, by: number): T {
  if (by === 0 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = shift(v[i], by);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    out[k] = typeof x === 'object' ? (x === null ? x : shift(x, by)) : (k === 'start' || k === 'end') && typeof x === 'number' ? x + by : x;
  }
  return out as T;
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
 * The chunk `text` made by an edit of the chunk `old` (a block or model that parsed cleanly), when the edit
 * lies inside the body: only the statements it touches are parsed again, the others are kept (those after
 * it shifted). Undefined when that cannot be shown to give what parsing the whole chunk gives; then the
 * caller parses the whole chunk. Why it is the same parse: the statements before and after the re-parsed
 * run are unchanged tokens; the run starts after a complete statement with a token that cannot continue it
 * (a name or statement keyword), and is followed, at the start of an unedited line, by a name, a keyword or
 * the body's `}` (so neither a token nor a comment or string of the run can reach into what follows).
 */
function spliceStatements(oldText: string, old: Chunk, text: string): Chunk | undefined {
  const { result, diagnostics } = old.parsed;
  const d = result.decls[0];
  if (diagnostics.length || result.decls.length !== 1 || !d || (d.kind !== 'model' && d.kind !== 'block')) return undefined;
  let p = 0;
  const max = Math.min(oldText.length, text.length);
  while (p < max && oldText.charCodeAt(p) === text.charCodeAt(p)) p++;
  let q = 0;
  while (q < max - p && oldText.charCodeAt(oldText.length - 1 - q) === text.charCodeAt(text.length - 1 - q)) q++;
  const oldEnd = oldText.length - q;
  const delta = text.length - oldText.length;
  const close = d.range.end - 1;
  const open = bodyBrace(oldText, d.name.end, d.body[0]?.range.start ?? close);
  if (open === undefined || oldText[close] !== '}' || p <= open || oldEnd > close) return undefined;
  const before = d.body.filter((st) => st.range.end < p);
  const after = d.body.filter((st) => st.range.start > oldEnd);
  const last = before[before.length - 1];
  const a = last ? last.range.end : open + 1;
  const b = after[0] ? after[0].range.start : close;
  // The statement after the run must start with a name or keyword (`not` could join the run's last expression).
  if (after[0] && (!/[A-Za-z_]/.test(oldText[b]!) || /^not\b/.test(oldText.slice(b, b + 4)))) return undefined;
  // It (or the body's `}`) must begin its line, after an unedited line break: a comment or string typed in
  // the run ends at that line break and cannot swallow what follows.
  const nl = oldText.lastIndexOf('\n', b - 1);
  if (nl < oldEnd || oldText.slice(nl + 1, b).trim() !== '') return undefined;
  const run = parseStatementRun(text.slice(a, b + delta));
  if (!run) return undefined;
  const body: Stmt[] = [...before, ...run.stmts.map((st) => shift(st, a)), ...after.map((st) => shift(st, delta))];
  const decl = { ...d, body, range: { start: d.range.start, end: d.range.end + delta } } as ModelDecl | BlockDecl;
  const comments = [
    ...result.comments.filter((c) => c.end <= a),
    ...run.comments.map((c) => ({ start: c.start + a, end: c.end + a })),
    ...result.comments.filter((c) => c.start >= b).map((c) => ({ start: c.start + delta, end: c.end + delta })),
  ];
  return { parsed: { result: { decls: [decl], comments }, diagnostics: [] } };
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
        const spliced = old ? spliceStatements(old.text, old.chunk, t) : undefined;
        if (spliced) this.splices++;
        c = spliced ?? { parsed: parseSource(sourceFile(file.path, t)) };
      }
      used.set(t, c);
      now.push({ text: t, chunk: c });
      // Diagnostics are re-made every time (their line numbers depend on the text above); ASTs only when moved.
      if (!c.at || c.at.by !== a || c.at.path !== file.path)
        c.at = { by: a, path: file.path, decls: shift(c.parsed.result.decls, a), comments: shift(c.parsed.result.comments, a) };
      for (const d of c.at.decls) decls.push(d);
      for (const x of c.at.comments) comments.push(x);
      for (const d of c.parsed.diagnostics) diagnostics.push(shiftDiag(file, d, a));
    }
    this.lastChunks.set(file.path, now);
    // Keep this file's chunks plus the previous generation (other open files share the map briefly).
    for (const [k, v] of used) this.chunks.set(k, v);
    if (this.chunks.size > 4 * used.size + 256) this.chunks = used;
    return { result: { decls, comments }, diagnostics };
  }
}
