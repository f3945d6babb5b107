/**
 * The language service: plain data in (paths, texts, offsets), plain data out. No protocol types here
 * (src/lsp converts), no Node imports (runs in a browser). Each document keeps the result of its last
 * check; queries (hover, completion, …) answer from that cache and never re-check.
 */
import type { CheckResult } from '../api.js';
import type { CheckedModel, LayerReport } from '../checker/analyze.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import type { ModuleHost, ModuleInfo } from '../semantics/modules.js';
import type { Module } from '../syntax/ast.js';
import { sourceFile } from '../syntax/source.js';
import { IncrementalParser } from './incremental.js';
import { ModelCache } from './incremental-check.js';
import { type ModuleSymbols, moduleSymbols } from './symbols.js';

/** The cached analysis of one document. */
export interface Analysis {
  readonly path: string;
  readonly text: string;
  readonly version: number;
  readonly result: CheckResult;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Every layer application, with the model it belongs to and `span`, which maps a span of that model's
   * graph to the current text (reused models keep the spans of when they were elaborated).
   */
  readonly layers: readonly { readonly model: CheckedModel; readonly layer: LayerReport; readonly span: (s: Span) => Span }[];
  /** For reused models whose declarations moved: maps a span of that model's graph to the current text. */
  readonly moves: ReadonlyMap<CheckedModel, (s: Span) => Span>;
  symbols(mod: ModuleInfo): ModuleSymbols;
  /** Wall time of the check, ms. */
  readonly ms: number;
  /** Models elaborated by this check (the others were reused from the previous one). */
  readonly elaborated: readonly string[];
  /** Of those, the models whose elaboration resumed after the statements the edit left alone. */
  readonly resumed: readonly string[];
  /** Of those, the models whose resumed run reused the statements after the edit (an early cutoff). */
  readonly cut: readonly string[];
  /** Models whose text changed only between tokens: their last result reused, its spans moved. */
  readonly kept: readonly string[];
}

export interface ServiceOptions {
  /** Reads files that are not open (imports, stdlib). */
  readonly host: ModuleHost;
  readonly now?: () => number;
}

/** Open documents and their last analyses. */
export class LanguageService {
  private docs = new Map<string, { text: string; version: number }>();
  private cache = new Map<string, Analysis>();
  private models = new Map<string, ModelCache>();
  /** Documents to check again although their text did not change (an import changed on disk). */
  private stale = new Set<string>();
  readonly parser = new IncrementalParser();
  private readonly host: ModuleHost;
  private readonly now: () => number;

  constructor(opts: ServiceOptions) {
    const base = opts.host;
    this.now = opts.now ?? (() => Date.now());
    // Open documents shadow the disk: an unsaved edit to an imported file is seen by its importers.
    this.host = { id: base.id ?? base, resolve: (spec, from) => base.resolve(spec, from) ?? this.openAt(base.pathOf?.(spec, from)), read: (p) => this.docs.get(p)?.text ?? base.read(p), ...(base.isStd ? { isStd: (p: string) => base.isStd!(p) } : {}), ...(base.list ? { list: (d: string, f: string) => base.list!(d, f) } : {}), ...(base.stdModules ? { stdModules: () => base.stdModules!() } : {}) };
  }

  /** `path` when an open document is there (one not on disk resolves too), else undefined. */
  private openAt(path: string | undefined): string | undefined {
    return path !== undefined && this.docs.has(path) ? path : undefined;
  }

  /** Opens or replaces a document's text. */
  set(path: string, text: string, version = 0): void {
    this.docs.set(path, { text, version });
  }

  /**
   * Closes a document: its importers see the file on disk again. Returns the open documents whose last
   * check imported it (marked for a new check: the editor's unsaved text they saw is gone).
   */
  close(path: string): string[] {
    const importers = this.dependents(path);
    for (const p of importers) this.stale.add(p);
    this.docs.delete(path);
    this.cache.delete(path);
    this.models.delete(path);
    this.stale.delete(path);
    this.parser.forget(path);
    return importers;
  }

  /** How this service reads modules: open documents first, then the host (for programs loaded beside it). */
  moduleHost(): ModuleHost {
    return this.host;
  }

  isOpen(path: string): boolean {
    return this.docs.has(path);
  }

  text(path: string): string | undefined {
    return this.docs.get(path)?.text;
  }

  openPaths(): string[] {
    return [...this.docs.keys()];
  }

  /**
   * The syntax tree of a document's current text, which may be newer than the last check (an edit not yet
   * checked): for queries whose answer must match the text exactly. Parsed per declaration with the check's
   * cache, so the next check of the same text parses nothing again.
   */
  syntax(path: string, text: string): Module {
    return this.parser.parse(sourceFile(path, text)).result;
  }

  /** The last analysis, even if the text changed since (queries between checks use it). */
  last(path: string): Analysis | undefined {
    return this.cache.get(path);
  }

  /** Checks the document if its text changed since the last check, and returns the analysis. */
  analyze(path: string): Analysis | undefined {
    const doc = this.docs.get(path);
    if (!doc) return undefined;
    const prev = this.cache.get(path);
    if (prev && prev.text === doc.text && !this.importsChanged(prev) && !this.stale.has(path)) return prev;
    this.stale.delete(path);
    const t0 = this.now();
    let mc = this.models.get(path);
    if (!mc) this.models.set(path, (mc = new ModelCache()));
    const result = mc.run(path, doc.text, this.host, this.parser.parse);
    const same = (x: Span) => x;
    // Built on first use (code lenses): a keystroke should not allocate an entry per layer of the file.
    let layers: Analysis['layers'] | undefined;
    const symCache = new Map<ModuleInfo, ModuleSymbols>();
    const a: Analysis = {
      path,
      text: doc.text,
      version: doc.version,
      result,
      diagnostics: result.diagnostics,
      get layers() {
        return (layers ??= result.models.flatMap((model) => {
          const span = result.moves.get(model) ?? same;
          return model.layers.map((layer) => ({ model, layer, span }));
        }));
      },
      moves: result.moves,
      symbols(mod) {
        let s = symCache.get(mod);
        if (!s) symCache.set(mod, (s = moduleSymbols(mod)));
        return s;
      },
      ms: this.now() - t0,
      elaborated: result.elaborated,
      resumed: result.resumed,
      cut: result.cut,
      kept: result.kept,
    };
    this.cache.set(path, a);
    return a;
  }

  /**
   * Idle work that readies the document's models for its next edit (see `ModelCache.settle`; the results
   * do not change). Call `next()` while the editor is idle, one slice per call; stop calling it once
   * another check may have run (it then does nothing more).
   */
  settle(path: string): Generator<void, void> | undefined {
    return this.models.get(path)?.settle();
  }

  /** An open document that this analysis imported was edited since. */
  private importsChanged(a: Analysis): boolean {
    for (const m of a.result.program.modules.values()) {
      if (m === a.result.program.root) continue;
      const open = this.docs.get(m.path);
      if (open && open.text !== m.file.text) return true;
    }
    return false;
  }

  /**
   * A file or folder changed on disk, not through the editor (another program, a `git checkout`): marks the
   * open documents whose last check imported it or a file under it (a folder renamed or deleted comes as one
   * event), or, when `missing`, could not find a module it imports (E0206: the file may just have been
   * created), as needing a new check, and returns them. An open file's own text is the editor's.
   */
  changedOnDisk(path: string, missing = true): string[] {
    if (this.docs.has(path)) return [];
    // (No node:path here: either separator.)
    const dir = path.replace(/[\\/]+$/, '');
    const under = (m: string) => m.length > dir.length && m.startsWith(dir) && (m[dir.length] === '/' || m[dir.length] === '\\');
    const out: string[] = [];
    for (const a of this.cache.values())
      if (a.result.program.modules.has(path) || [...a.result.program.modules.keys()].some(under) || (missing && a.diagnostics.some((d) => d.code === 'E0206'))) {
        this.stale.add(a.path);
        out.push(a.path);
      }
    return out;
  }

  /**
   * A link that led to the file `path` came, went or changed (the file's own text did not: open or not, it
   * counts): marks the open documents whose last check imported it, perhaps through the link, as needing a
   * new check, and returns them.
   */
  relinked(path: string): string[] {
    const out = this.dependents(path);
    for (const p of out) this.stale.add(p);
    return out;
  }

  /**
   * A document was opened at `path`: an import that could not be found (E0206) may resolve to it now, saved
   * or not. Marks the other open documents whose last check has E0206 as needing a new check, and returns them.
   */
  opened(path: string): string[] {
    const out: string[] = [];
    for (const a of this.cache.values())
      if (a.path !== path && a.diagnostics.some((d) => d.code === 'E0206')) {
        this.stale.add(a.path);
        out.push(a.path);
      }
    return out;
  }

  /** Open documents whose last check imported `path` (to re-check them when it is edited). */
  dependents(path: string): string[] {
    return [...this.cache.values()].filter((a) => a.path !== path && a.result.program.modules.has(path)).map((a) => a.path);
  }

  /**
   * Diagnostics of the last check, grouped by file (imports' problems map to their own files). A problem
   * inside a block of another file (the standard library, an import) that this document's call led to is
   * also reported at that call, in this document: that is where the editor shows it and the fix usually is.
   */
  diagnostics(path: string): Map<string, Diagnostic[]> {
    const a = this.analyze(path);
    const out = new Map<string, Diagnostic[]>([[path, []]]);
    const add = (f: string, d: Diagnostic) => {
      let list = out.get(f);
      if (!list) out.set(f, (list = []));
      list.push(d);
    };
    for (const d of a?.diagnostics ?? []) {
      const f = d.span?.file ?? path;
      add(f, d);
      if (f !== path) {
        const here = atCallSite(d, path);
        if (here) add(path, here);
      }
    }
    return out;
  }
}

/**
 * A diagnostic of another file moved to the outermost call in `path` that led to it (its "called here"
 * note), pointing back at where it is; undefined when no call of `path` is among its notes.
 */
function atCallSite(d: Diagnostic, path: string): Diagnostic | undefined {
  let k = -1;
  for (let i = 0; i < d.notes.length; i++) if (d.notes[i]!.span?.file === path) k = i;
  if (k < 0 || !d.span) return undefined;
  const call = d.notes[k]!;
  // (No node:path here: the service runs in a browser too.)
  const where = `${d.span.file.slice(d.span.file.lastIndexOf('/') + 1)}:${d.span.line}:${d.span.col}`;
  return {
    ...d,
    message: `${d.message} (${call.message.replace(/ called here$/, '')}, at ${where})`,
    span: call.span!,
    notes: [{ message: 'here', span: d.span }, ...d.notes.filter((_, i) => i !== k)],
  };
}
