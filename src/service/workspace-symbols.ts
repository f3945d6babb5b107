/**
 * Workspace symbols ("go to symbol in workspace"): the models, blocks and constants declared at the top of many
 * files, matched against a query as editors match (the query's characters in order, case-insensitive) and ranked.
 * Plain data: the caller gives each file's text (open documents, the workspace's files, the standard library);
 * {@link SymbolIndex} keeps a file's symbols until its text changes, so a query re-parses only what changed.
 */
import type { Span } from '../diagnostics/types.js';
import { parseSource } from '../syntax/parse.js';
import { sourceFile, spanOf } from '../syntax/source.js';

/** One top-level declaration of a file. */
export interface WorkspaceSymbol {
  readonly name: string;
  readonly kind: 'model' | 'block' | 'const';
  /** The whole declaration. */
  readonly span: Span;
  /** Its name. */
  readonly nameSpan: Span;
  /** Where it is declared, as the caller named the file (`std.resnet`, a workspace-relative path). */
  readonly container: string;
  /** A standard-library declaration (ranked after the user's own on equal matches). */
  readonly std: boolean;
}

/** A file to index: its path, text, how to name it, and whether it belongs to the standard library. */
export interface SymbolSource {
  readonly path: string;
  readonly text: string;
  readonly container: string;
  readonly std?: boolean;
}

/** The top-level models, blocks and constants of one file (declarations the parser recovered from errors included). */
export function fileSymbols(src: SymbolSource): WorkspaceSymbol[] {
  const file = sourceFile(src.path, src.text);
  const out: WorkspaceSymbol[] = [];
  for (const d of parseSource(file).result.decls) {
    if (d.kind === 'import' || !d.name.text) continue;
    out.push({ name: d.name.text, kind: d.kind, span: spanOf(file, d.range.start, d.range.end), nameSpan: spanOf(file, d.name.start, d.name.end), container: src.container, std: src.std === true });
  }
  return out;
}

/**
 * How well `name` matches `query` (higher is better), or undefined when it does not: exact, then prefix, then
 * at a word start (after `_`, or a capital), then anywhere, then as a subsequence (fewer gaps first). Case-insensitive.
 */
export function matchScore(name: string, query: string): number | undefined {
  if (!query) return 1;
  const n = name.toLowerCase();
  const q = query.toLowerCase();
  if (n === q) return name === query ? 1001 : 1000;
  if (n.startsWith(q)) return 900;
  const at = n.indexOf(q);
  if (at >= 0) {
    for (let i = at; i >= 0; i = n.indexOf(q, i + 1)) if (name[i - 1] === '_' || (name[i] !== n[i] && name[i - 1] === n[i - 1])) return 800;
    return 700;
  }
  // A subsequence: each gap between matched characters costs a point.
  let gaps = 0;
  let j = 0;
  for (let i = 0; i < n.length && j < q.length; i++) {
    if (n[i] === q[j]) j++;
    else if (j > 0) gaps++;
  }
  return j === q.length ? Math.max(1, 600 - gaps) : undefined;
}

/** Keeps each file's symbols while its text is unchanged; answers queries over any set of files. */
export class SymbolIndex {
  private readonly files = new Map<string, { text: string; container: string; symbols: readonly WorkspaceSymbol[] }>();

  /** The symbols of one file, parsed only when its text (or its name) changed since the last call. */
  symbolsOf(src: SymbolSource): readonly WorkspaceSymbol[] {
    const hit = this.files.get(src.path);
    if (hit && hit.text === src.text && hit.container === src.container) return hit.symbols;
    const symbols = fileSymbols(src);
    this.files.set(src.path, { text: src.text, container: src.container, symbols });
    return symbols;
  }

  /**
   * The symbols of `sources` matching `query`, best first (then the user's files before the standard library,
   * shorter names, alphabetical), at most `limit`. Files not among `sources` are forgotten.
   */
  query(sources: Iterable<SymbolSource>, query: string, limit = 500): WorkspaceSymbol[] {
    const seen = new Set<string>();
    const hits: { s: WorkspaceSymbol; score: number }[] = [];
    for (const src of sources) {
      if (seen.has(src.path)) continue;
      seen.add(src.path);
      for (const s of this.symbolsOf(src)) {
        const score = matchScore(s.name, query.trim());
        if (score !== undefined) hits.push({ s, score });
      }
    }
    for (const p of this.files.keys()) if (!seen.has(p)) this.files.delete(p);
    hits.sort((a, b) => b.score - a.score || Number(a.s.std) - Number(b.s.std) || a.s.name.length - b.s.name.length || (a.s.name < b.s.name ? -1 : a.s.name > b.s.name ? 1 : 0) || (a.s.span.file < b.s.span.file ? -1 : 1) || a.s.span.start - b.s.span.start);
    return hits.slice(0, limit).map((h) => h.s);
  }

  /** Files indexed (tests). */
  get size(): number {
    return this.files.size;
  }
}
