/**
 * The `.nn` files of the editor's workspace folders: for rename and references to reach files not open, and
 * for workspace symbols (with the standard library's files).
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { STDLIB_DIR, readText } from '../cli/host.js';
import { SymbolIndex, type SymbolSource, type WorkspaceSymbol } from '../service/index.js';

/** Most files looked at: a rename in a huge tree stays bounded (and says nothing of files past it). */
const MAX_FILES = 5000;

/** Paths of the `.nn` files under `roots` (not in `node_modules` or hidden folders), up to MAX_FILES. */
export function workspaceFiles(roots: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number) => {
    // (Folders are remembered by their real path: a link to a folder above would list the tree again, and again.)
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (out.length >= MAX_FILES || depth > 20 || seen.has(real)) return;
    seen.add(real);
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.startsWith('.') || e === 'node_modules') continue;
      const p = join(dir, e);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, depth + 1);
      else if (st.isFile() && e.endsWith('.nn') && out.length < MAX_FILES) out.push(p);
    }
  };
  for (const r of roots) walk(r, 0);
  return out;
}

/** The text of a workspace file: the editor's when it is open, else the disk's (undefined if unreadable). */
export function workspaceText(path: string, openText: (p: string) => string | undefined): string | undefined {
  const t = openText(path);
  if (t !== undefined) return t;
  try {
    return readText(path);
  } catch {
    return undefined;
  }
}

/**
 * The files that may import a declaration, for rename and references: the open documents (their editor text,
 * wherever they are: a file outside the workspace folders may import the standard library) and the workspace
 * folders' `.nn` files (the disk's text when not open), each once: by its `canonical` path (a file and a link
 * to it are one file, which the open documents are keyed by).
 */
export function importerFiles(roots: readonly string[], open: ReadonlyMap<string, string>, canonical: (path: string) => string = (p) => p): { path: string; text: string }[] {
  const out = [...open].map(([path, text]) => ({ path, text }));
  const seen = new Set(open.keys());
  for (const file of roots.length ? workspaceFiles(roots) : []) {
    const path = canonical(file);
    if (seen.has(path)) continue;
    seen.add(path);
    const text = workspaceText(file, () => undefined);
    if (text !== undefined) out.push({ path, text });
  }
  return out;
}

/**
 * How long a listing of the workspace's files is reused: a symbol picker queries on every keystroke. (A client
 * that watches files says when one is created or deleted: the listing is then made again at once.)
 */
const LISTING_MS = 2000;

/**
 * Workspace symbols over the open documents (their editor text), the workspace folders' files and the standard
 * library. A file on disk is read again only when its modification time or size changed.
 */
export class WorkspaceSymbols {
  private readonly index = new SymbolIndex();
  private readonly disk = new Map<string, { stamp: string; text: string | undefined }>();
  private listing: { at: number; key: string; files: readonly { path: string; real: string }[] } | undefined;

  /** `canonical`: a file's one path (its real path), which open documents are keyed by and symbols located at. */
  constructor(private readonly canonical: (path: string) => string = (p) => p) {}

  /** Lists the workspace's files again on the next query (files were created or deleted). */
  forgetListing(): void {
    this.listing = undefined;
  }

  /** Symbols matching `query`, best first; `open` gives the open documents' paths and texts. */
  query(roots: readonly string[], open: ReadonlyMap<string, string>, query: string, now = Date.now()): WorkspaceSymbol[] {
    const key = roots.join('\0');
    if (!this.listing || this.listing.key !== key || now - this.listing.at > LISTING_MS) this.listing = { at: now, key, files: this.once([...workspaceFiles(roots), ...workspaceFiles([STDLIB_DIR])]) };
    const sources: SymbolSource[] = [];
    for (const [path, text] of open) sources.push({ path, text, ...this.naming(path, roots) });
    const onDisk = new Set<string>();
    for (const { path, real } of this.listing.files) {
      if (open.has(real)) continue;
      const text = this.read(path);
      if (text === undefined) continue;
      onDisk.add(path);
      sources.push({ path: real, text, ...this.naming(path, roots) });
    }
    for (const p of this.disk.keys()) if (!onDisk.has(p)) this.disk.delete(p);
    return this.index.query(sources, query);
  }

  /** Each file once, by its real path: the file itself where it is listed, else the first link to it. */
  private once(files: readonly string[]): { path: string; real: string }[] {
    const byReal = new Map<string, string>();
    for (const path of files) {
      const real = this.canonical(path);
      if (!byReal.has(real) || path === real) byReal.set(real, path);
    }
    return [...byReal].map(([real, path]) => ({ path, real }));
  }

  /** `std.resnet` for a standard-library file, else its path relative to the workspace folder holding it. */
  private naming(path: string, roots: readonly string[]): { container: string; std: boolean } {
    const inStd = relative(STDLIB_DIR, path);
    if (!inStd.startsWith('..') && !isAbsolute(inStd) && inStd.endsWith('.nn')) return { container: `std.${inStd.slice(0, -3).split(sep).join('.')}`, std: true };
    for (const r of roots) {
      const rel = relative(r, path);
      if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return { container: rel.split(sep).join('/'), std: false };
    }
    return { container: path, std: false };
  }

  /** A file's text, read again only when its modification time or size changed. */
  private read(path: string): string | undefined {
    let stamp: string;
    try {
      const st = statSync(path);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      return undefined;
    }
    const hit = this.disk.get(path);
    if (hit?.stamp === stamp) return hit.text;
    let text: string | undefined;
    try {
      text = readText(path);
    } catch {
      text = undefined;
    }
    this.disk.set(path, { stamp, text });
    return text;
  }
}
