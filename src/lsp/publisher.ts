/**
 * Diagnostics per file from several open documents: each document's check reports on its own file and on
 * the files it imports, and two open documents may report on one file (a library and a model that imports
 * it). The client keeps one list per file, so the server sends each file the union of what the documents'
 * last checks say about it (the same diagnostic once), and a document's close or next check takes back only
 * its own share.
 */
export class DiagnosticsBySource<D> {
  /** Per file, per document whose check reported on it: its list (documents in the order they reported). */
  private readonly byTarget = new Map<string, Map<string, readonly D[]>>();
  /** Per document, the files its last check reported on. */
  private readonly bySource = new Map<string, Set<string>>();

  /**
   * Records what `source`'s check says, per file (files without problems with an empty list); returns the
   * files whose union may have changed: those of this check and of its previous one.
   */
  set(source: string, lists: ReadonlyMap<string, readonly D[]>): string[] {
    const touched = this.drop(source);
    for (const [target, ds] of lists) {
      let m = this.byTarget.get(target);
      if (!m) this.byTarget.set(target, (m = new Map()));
      m.set(source, ds);
      if (!touched.includes(target)) touched.push(target);
    }
    this.bySource.set(source, new Set(lists.keys()));
    return touched;
  }

  /** Forgets what `source` reported (it was closed); returns the files it had reported on. */
  drop(source: string): string[] {
    const targets = [...(this.bySource.get(source) ?? [])];
    for (const t of targets) {
      const m = this.byTarget.get(t);
      m?.delete(source);
      if (m && m.size === 0) this.byTarget.delete(t);
    }
    this.bySource.delete(source);
    return targets;
  }

  /**
   * Forgets what documents other than `target` itself reported on it: their checks read an older text of it
   * (it was just edited), so their positions are stale until they check again.
   */
  staleFor(target: string): void {
    const m = this.byTarget.get(target);
    if (!m) return;
    for (const source of [...m.keys()]) {
      if (source === target) continue;
      m.delete(source);
      this.bySource.get(source)?.delete(target);
    }
    if (m.size === 0) this.byTarget.delete(target);
  }

  /** What `target` shows: the file's own check first, then the others', each diagnostic once. */
  union(target: string): D[] {
    const m = this.byTarget.get(target);
    if (!m) return [];
    const own = m.get(target);
    // (Usually one document reports on a file: its list as it is, without a comparison of every item.)
    if (m.size === 1) return [...m.values()][0]!.slice();
    const out: D[] = [];
    const seen = new Set<string>();
    for (const ds of own ? [own, ...[...m].filter(([s]) => s !== target).map(([, x]) => x)] : m.values())
      for (const d of ds) {
        const k = JSON.stringify(d);
        if (!seen.has(k)) seen.add(k), out.push(d);
      }
    return out;
  }
}

/** The document whose check a list is of: its URI, and the version checked. */
export interface Checked {
  readonly uri: string;
  readonly version: number;
}

/**
 * Sends each file its union (see {@link DiagnosticsBySource}) to the URIs `urisOf` gives it: those of its open
 * documents, as the editor spells them (a file and a symbolic link to it, both open, are one file: both show it).
 */
export class DiagnosticsSender {
  /** Per file, the URIs its last non-empty list went out under. */
  private readonly sent = new Map<string, readonly string[]>();

  constructor(
    private readonly shares: DiagnosticsBySource<unknown>,
    private readonly urisOf: (path: string) => readonly string[],
    private readonly send: (uri: string, diagnostics: unknown[], version?: number) => void,
  ) {}

  /** Sends a file its list; the URI `own` names with that version. */
  to(path: string, diagnostics: unknown[], own?: Checked): void {
    const uris = this.urisOf(path);
    // The other spellings' lists are cleared first: a client that decodes URIs then keeps the new one.
    for (const before of this.sent.get(path) ?? []) if (!uris.includes(before)) this.send(before, []);
    if (diagnostics.length) this.sent.set(path, uris);
    else this.sent.delete(path);
    for (const uri of uris) this.send(uri, diagnostics, uri === own?.uri ? own.version : undefined);
  }

  /** Sends each of `files` (paths) its union, `own`'s document (at `path`) with its version; returns what each was sent, as JSON. */
  unions(files: readonly string[], path: string, own: Checked): Map<string, string> {
    const sent = new Map<string, string>();
    for (const p of files) {
      const diagnostics = this.shares.union(p);
      sent.set(p, JSON.stringify(diagnostics));
      this.to(p, diagnostics, p === path ? own : undefined);
    }
    return sent;
  }
}
