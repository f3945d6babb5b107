/**
 * Incremental parsing for the editor: a cheap line scan splits a file into top-level declarations
 * (with the comment lines just above each), each chunk is parsed on its own and cached by its text, and
 * the chunk ASTs are shifted to file offsets. Typing inside one declaration re-parses only that one.
 * Chunk boundaries only fall where the full parser would start a declaration, so the AST is the same.
 */
import type { Diagnostic, WithDiagnostics } from '../diagnostics/types.js';
import type { Module } from '../syntax/ast.js';
import { parseSource } from '../syntax/parse.js';
import { capped, chunkDiag, splitDecls, stopsParse, wholeFileOnly } from '../syntax/chunks.js';
import { type SourceFile, sourceFile } from '../syntax/source.js';
import { lazyShift, shift } from './ast-shift.js';
import { type Chunk, spliceStatements } from './splice.js';


/**
 * A parser with a cache of declaration chunks: those of each file's latest parse and of the one before it
 * (so undoing a keystroke hits). Whole-file results are cached for unchanged imported files.
 */
export class IncrementalParser {
  /**
   * Per file, the chunks of its last two parses, by text. No more: a chunk of a big model holds its whole
   * text and a copy of its AST, and keeping ~260 generations of one 2,000-line model took 350 MB.
   */
  private generations = new Map<string, { readonly now: Map<string, Chunk>; readonly before: Map<string, Chunk> }>();
  private files = new Map<string, { text: string; result: WithDiagnostics<Module> }>();
  /** Chunk parses done (a test hook: typing in one declaration re-parses one chunk). */
  parses = 0;
  /** Of those, parses of only the statements an edit touched (a test hook). */
  splices = 0;
  /** Of those, parses from the edited statement to the end of the declaration (after a syntax error). */
  tails = 0;
  /** Of those, parses cut short where they rejoin the old parse (a test hook). */
  rejoins = 0;
  /** Each file's chunks at its last parse: an edited chunk is compared with the one at its index. */
  private lastChunks = new Map<string, readonly { readonly text: string; readonly chunk: Chunk }[]>();

  /** A {@link import('../semantics/modules.js').ParseFn}: the result of `parseByDecls` (what the CLI parses with), from cached chunks. */
  readonly parse = (file: SourceFile): WithDiagnostics<Module> => {
    const hit = this.files.get(file.path);
    if (hit && hit.text === file.text) return hit.result;
    const result = this.parseChunks(file);
    this.files.set(file.path, { text: file.text, result });
    return result;
  };

  /** Chunks held in the cache (a test hook: memory stays bounded while typing). */
  get cachedChunks(): number {
    let n = 0;
    for (const g of this.generations.values()) n += g.now.size + g.before.size;
    return n;
  }

  forget(path: string): void {
    this.files.delete(path);
    this.lastChunks.delete(path);
    this.generations.delete(path);
  }

  /** A cached chunk with this text (this file's first: an open file's chunks may serve another). */
  private cached(path: string, t: string): Chunk | undefined {
    const own = this.generations.get(path);
    const hit = own?.now.get(t) ?? own?.before.get(t);
    if (hit) return hit;
    for (const g of this.generations.values()) {
      const c = g.now.get(t) ?? g.before.get(t);
      if (c) return c;
    }
    return undefined;
  }

  private parseChunks(file: SourceFile): WithDiagnostics<Module> {
    const text = file.text;
    if (wholeFileOnly(text)) return parseSource(file);
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
      let c = used.get(t) ?? this.cached(file.path, t);
      if (!c) {
        this.parses++;
        // Typing inside a big model: re-parse the statements the edit touched, not the whole model.
        const old = prev?.length === starts.length ? prev[i] : undefined;
        const spliced = old ? spliceStatements(old.text, old.chunk, t, a, file.path) : undefined;
        if (spliced) {
          this.splices++;
          if (spliced.tail) this.tails++;
          if (spliced.piece) this.rejoins++;
          c = spliced.chunk;
        }
        else {
          // Parsed at its offset: its AST needs no moving copy.
          const parsed = parseSource(sourceFile(file.path, t), a);
          c = { at: { by: a, path: file.path, decls: parsed.result.decls, comments: parsed.result.comments }, diagnostics: parsed.diagnostics };
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
      for (const d of c.diagnostics) diagnostics.push(chunkDiag(file, d, a, b));
    }
    this.lastChunks.set(file.path, now);
    this.generations.set(file.path, { now: used, before: this.generations.get(file.path)?.now ?? new Map() });
    // (As parseByDecls: a piece nested too deeply stops the parse; errors are capped for the file.)
    return stopsParse(diagnostics) ? parseSource(file) : { result: { decls, comments }, diagnostics: capped(diagnostics) };
  }
}

export { splitDecls };
