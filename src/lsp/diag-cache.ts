/**
 * Diagnostics kept between editor sessions. Reopening a file whose text and imported files are unchanged
 * publishes the last session's diagnostics at once, before the (cold, whole-file) check has run; the check
 * follows and replaces them if anything differs. An entry is exactly what the check published: it is keyed
 * by the compiler build, the file's text and the text of every file the check imported (stdlib included),
 * so a hit cannot show stale results. Entries are small JSON files written atomically (temp + rename).
 *
 * Location: `$DSLC_CACHE_DIR`, else `$XDG_CACHE_HOME/dslc/lsp`, else `~/.cache/dslc/lsp`; the client turns
 * it off with the initialization option `diagnosticsCache: false`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../cli/version.js';

/** One `publishDiagnostics` notification as sent (LSP diagnostics, plain JSON). */
export interface CachedPublish {
  readonly uri: string;
  readonly diagnostics: readonly unknown[];
}

interface Entry {
  readonly format: 1;
  readonly build: string;
  readonly path: string;
  readonly text: string;
  /** Imported files (path, hash of the text the check read). */
  readonly deps: readonly (readonly [string, string])[];
  readonly published: readonly CachedPublish[];
}

const hash = (s: string): string => createHash('sha1').update(s).digest('hex');

/** At most this many entries are kept (the least recently written go first). */
const MAX_ENTRIES = 500;

/**
 * The running compiler build: its version and the size and time of its code (the bundle, or the
 * unbundled checker), so that a rebuilt dslc never trusts diagnostics of another build.
 */
function buildId(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  const files = typeof __filename === 'string' ? [__filename] : [join(here, 'diag-cache.js'), join(here, '..', 'api.js'), join(here, '..', 'semantics', 'elaborate.js')];
  return [VERSION, ...files.map((f) => {
    const s = statSync(f, { throwIfNoEntry: false });
    return s ? `${s.size}-${s.mtimeMs}` : 'none';
  })].join('+');
}

export class DiagnosticsCache {
  private readonly build = buildId();
  constructor(private readonly dir: string) {}

  /** The cache at its default place, or undefined when no place is known. */
  static atDefault(env: NodeJS.ProcessEnv = process.env): DiagnosticsCache | undefined {
    const dir = env.DSLC_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dslc', 'lsp');
    return dir ? new DiagnosticsCache(dir) : undefined;
  }

  private fileFor(path: string): string {
    return join(this.dir, `${hash(path)}.json`);
  }

  /** What the last check of exactly this text (and these imports) published, or undefined. */
  lookup(path: string, text: string, read: (p: string) => string | undefined): readonly CachedPublish[] | undefined {
    let e: Entry;
    try {
      e = JSON.parse(readFileSync(this.fileFor(path), 'utf8')) as Entry;
    } catch {
      return undefined;
    }
    if (e.format !== 1 || e.build !== this.build || e.path !== path || e.text !== hash(text) || !Array.isArray(e.published)) return undefined;
    for (const [p, h] of e.deps) {
      const t = read(p);
      if (t === undefined || hash(t) !== h) return undefined;
    }
    return e.published;
  }

  /** Records what a check of `text` published; failures (read-only home, full disk) are ignored. */
  store(path: string, text: string, deps: readonly { path: string; text: string }[], published: readonly CachedPublish[]): void {
    const entry: Entry = { format: 1, build: this.build, path, text: hash(text), deps: deps.map((d) => [d.path, hash(d.text)] as const), published };
    const file = this.fileFor(path);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, JSON.stringify(entry));
      renameSync(tmp, file);
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing was written
      }
    }
  }

  /** Drops the oldest entries beyond {@link MAX_ENTRIES} (run once per server start). */
  prune(): void {
    try {
      const files = readdirSync(this.dir).filter((f) => f.endsWith('.json'));
      if (files.length <= MAX_ENTRIES) return;
      const byAge = files.map((f) => ({ f, t: statSync(join(this.dir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
      for (const { f } of byAge.slice(0, files.length - MAX_ENTRIES)) unlinkSync(join(this.dir, f));
    } catch {
      // a cache that cannot be pruned still works
    }
  }
}
