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
