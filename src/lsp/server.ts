/**
 * The language server: the only importer of vscode-languageserver. It keeps documents in sync
 * (incremental), checks them through the language service (debounced), publishes diagnostics and
 * answers queries from the last check. Nothing here computes: it converts and schedules.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import v8 from 'node:v8';
import {
  CodeActionKind, DidChangeWatchedFilesNotification, DidChangeWorkspaceFoldersNotification, ErrorCodes, FileChangeType, ProposedFeatures, ResponseError, TextDocumentSyncKind, TextDocuments, WatchKind, createConnection, type Connection, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { nodeHost } from '../cli/host.js';
import { LanguageService, TOKEN_MODIFIERS, TOKEN_TYPES, type Analysis } from '../service/index.js';
import { sitesOf } from '../service/layers.js';
import { BIG_MODEL_LAYERS, runWhenIdle, warmUpSteps } from '../service/warmup.js';
import { offsetsRange, pathToUri, toLspDiagnostic, uriToPath } from './convert.js';
import { DiagnosticsBySource, DiagnosticsSender } from './publisher.js';
import { type CachedPublish, DiagnosticsCache } from './diag-cache.js';
import { registerQueries } from './queries.js';
import { Refresher } from './refresh.js';
import { settings } from './settings.js';
import { viewOf } from './view.js';

export interface ServerOptions {
  /** Quiet period before re-checking while edits keep coming (ms). */
  readonly debounceMs?: number;
}

/** Starts a server on the given connection (stdio by default) and returns it. */
export function startServer(opts: ServerOptions = {}, conn: Connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout)): Connection {
  const debounceMs = opts.debounceMs ?? 50;
  const documents = new TextDocuments(TextDocument);
  /** One file-system host: the warm-up's reads of the standard library are then the service's too. */
  const host = nodeHost();
  const service = new LanguageService({ host, now: () => performance.now() });
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Asks the client for hints, lenses and tokens again after checks that changed them (once no check is due). */
  const refresher = new Refresher(conn, () => timers.size > 0);
  const config = settings(conn, refresher);
  /** Builds of the hover/inlay index, scheduled for when typing pauses. */
  const indexTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const idleIndexMs = 300;
  const lastChange = new Map<string, number>();
  /** The document version whose diagnostics went out last, per document. */
  const publishedVersion = new Map<string, number>();
  /**
   * What each open document's check says about each file (its own and the ones it imports): files get the
   * union. Keyed by path: the editor and the server may spell one file's URI differently (`%28` or `(`).
   */
  const shares = new DiagnosticsBySource<unknown>();
  /** Sends files their unions: to the URIs of their open documents (the editor's spellings), else to ours. */
  const sender = new DiagnosticsSender(
    shares,
    (path) => {
      const open = openUris(path);
      return open.length ? open : [pathToUri(path)];
    },
    (uri, diagnostics, version) => void conn.sendDiagnostics({ uri, version, diagnostics: diagnostics as never[] }),
  );
  /** Diagnostics kept between sessions (see diag-cache.ts); off with `diagnosticsCache: false`. */
  let diagCache: DiagnosticsCache | undefined;
  /** What was published from the cache at open, per document: the first check re-sends only if it differs. */
  const fromCache = new Map<string, { version: number; sent: Map<string, string> }>();
  const storeTimers = new Map<string, { timer: ReturnType<typeof setTimeout>; run: () => void }>();
  let checks = 0;
  let cacheHits = 0;
  /** The client watches files for us when it can register a watcher (imports edited outside the editor). */
  let watchFiles = false;
  /** The workspace folders' paths (rename reaches the files there that import a renamed declaration). */
  let roots: string[] = [];
  let lastCheckMs = 0;
  let lastElaborated = 0;
  let lastResumed = 0;
  let lastKept = 0;
  /** Settles finished (idle work after edits between tokens, see `idle` in publishNow). */
  let settled = 0;
  let warmedUp = false;
  /** Which warm-up started (src/service/warmup.ts): the bigger one after a big model. */
  let warmUpKind: 'small' | 'big' | undefined;

  /**
   * A document's path: its file's real path (see nodeHost's `canonical`), so that a file opened or imported
   * through a symbolic link is the file it leads to; what goes back to the editor goes to the URIs it opened.
   */
  const pathOf = (uri: string) => host.canonical(uriToPath(uri));
  /** The URIs of the open documents at `path`, as the editor spells them (a file and a link to it: both). */
  const openUris = (path: string) => documents.all().flatMap((d) => (pathOf(d.uri) === path ? [d.uri] : []));
  const openUri = (path: string) => documents.all().find((d) => pathOf(d.uri) === path)?.uri;
  const uriOf = (path: string) => openUri(path) ?? pathToUri(path);
  /** The open document a request names (InvalidParams when the request names none, or one not open). */
  const docOf = (p: { textDocument?: { uri?: unknown } } | undefined): TextDocument => {
    const uri = p?.textDocument?.uri;
    if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'the request names no textDocument.uri');
    const doc = documents.get(uri);
    if (!doc) throw new ResponseError(ErrorCodes.InvalidParams, `document is not open: ${uri}`);
    return doc;
  };
  const open = (p: { textDocument?: { uri?: unknown } } | undefined): Analysis => {
    const uri = docOf(p).uri;
    const a = service.last(pathOf(uri)) ?? service.analyze(pathOf(uri));
    if (!a) throw new ResponseError(ErrorCodes.InvalidParams, `document is not open: ${uri}`);
    return a;
  };
  const fresh = (p: { textDocument?: { uri?: unknown } } | undefined): Analysis => {
    const uri = docOf(p).uri;
    const a = service.analyze(pathOf(uri));
    if (!a) throw new ResponseError(ErrorCodes.InvalidParams, `document is not open: ${uri}`);
    return a;
  };
  /** A request's position, checked (InvalidParams when it is missing or not a position). */
  const positionOf = (p: { position?: unknown }): { line: number; character: number } => {
    const x = p.position as { line?: unknown; character?: unknown } | undefined;
    // (Whole numbers only: a fractional line made offsets NaN, and a backward scan from NaN never ends.)
    if (!x || !Number.isInteger(x.line) || !Number.isInteger(x.character)) throw new ResponseError(ErrorCodes.InvalidParams, 'the request has no valid position');
    return x as { line: number; character: number };
  };

  /** A bug in a check must not take the editor's server down: log it, keep the last diagnostics. */
  const publish = (uri: string) => {
    try {
      publishNow(uri);
    } catch (e) {
      conn.console.error(`dslc: internal error while checking ${uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  };

  const publishNow = (uri: string) => {
    timers.delete(uri);
    const doc = documents.get(uri);
    if (!doc) return;
    const path = pathOf(uri);
    service.set(path, doc.getText(), doc.version);
    const previous = service.last(path);
    const a = service.analyze(path);
    if (!a) return;
    // (The text may be the one checked last: then its diagnostics only go out again, for the new version.)
    if (a !== previous) {
      checks++;
      lastCheckMs = a.ms;
      lastElaborated = a.elaborated.length;
      lastResumed = a.resumed.length;
      lastKept = a.kept.length;
    }
    const file = a.result.program.root.file;
    const zero = offsetsRange(file, 0, 0);
    const byFile = service.diagnostics(path);
    const lists = new Map([...byFile].map(([p, ds]) => [p, ds.map((d) => toLspDiagnostic(d, zero, uriOf))]));
    const sends: CachedPublish[] = [...lists].map(([p, diagnostics]) => ({ uri: p === path ? uri : pathToUri(p), diagnostics }));
    const touched = shares.set(path, lists);
    // Right after a cache hit at open, the first check usually confirms what the editor already shows.
    const cached = fromCache.get(uri);
    fromCache.delete(uri);
    const confirmed = cached?.version === doc.version && cached.sent.size === touched.length && touched.every((u) => cached.sent.get(u) === JSON.stringify(shares.union(u)));
    if (!confirmed) sender.unions(touched, path, { uri, version: doc.version });
    publishedVersion.set(uri, doc.version);
    refresher.checked(uri, a);
    if (diagCache) scheduleStore(uri, path, a, sends);
    // Build the hover/inlay index once the editor is idle, not on the first hover; not between keystrokes
    // while the user types (it walks every layer of the file: the next keystroke would wait for it and its
    // garbage). A query before then builds it on demand.
    clearTimeout(indexTimers.get(uri));
    const timer = setTimeout(() => {
      indexTimers.delete(uri);
      if (service.last(path) === a) sitesOf(a, path);
    }, idleIndexMs);
    timer.unref();
    indexTimers.set(uri, timer);
    // Idle work while the editor shows the result, none of it once another check is due: a young-generation
    // collection (the last check's garbage would otherwise be scavenged, with this one's result still live
    // and copied, during the next keystroke's check); after edits between a model's tokens, readying it for
    // the next real edit (settle), a slice per turn of the event loop, so that messages go first. (Not
    // `unref()`ed: an unreferenced immediate does not keep the event loop from waiting for I/O, and would run
    // only when the next message arrives, on that keystroke's time.)
    const settle = a.kept.length ? service.settle(path) : undefined;
    const idle = () => {
      if (timers.size) return;
      try {
        if (settle && !settle.next().done) return void setImmediate(idle);
        if (settle) settled++;
      } catch (e) {
        conn.console.error(`dslc: internal error while settling ${uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
      collector()?.({ type: 'minor' });
    };
    setImmediate(() => {
      if (timers.size) return;
      collector()?.({ type: 'minor' });
      if (settle) idle();
    });
    startWarmUp(a);
  };

  /** The warm-up (src/service/warmup.ts) once, after the first check went out; `warmUp: false` turns it off. */
  let warmUp = true;
  /**
   * When the last edit came. While the user types (an edit in the last second), the warm-up waits 20 ms after
   * each of its steps (~2 ms each): a keystroke then seldom arrives during one (bench/NOTES.md).
   */
  let lastEditAt = -Infinity;
  const warmUpGap = () => (performance.now() - lastEditAt < 1000 ? 20 : 0);
  const startWarmUp = (first: Analysis) => {
    if (!warmUp) return;
    warmUp = false;
    const big = first.result.models.some((m) => m.graph.nodes.length >= BIG_MODEL_LAYERS);
    warmUpKind = big ? 'big' : 'small';
    runWhenIdle(
      warmUpSteps(host, join(tmpdir(), 'dslc-warm-up.nn'), big).steps,
      () => timers.size > 0,
      (e) => conn.console.error(`dslc: internal error in the warm-up: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
      () => (warmedUp = true),
      warmUpGap,
    );
  };

  /** Persists the diagnostics of a check once the document has been quiet for a while (not per keystroke). */
  const scheduleStore = (uri: string, path: string, a: Analysis, sends: readonly CachedPublish[]) => {
    const prev = storeTimers.get(uri);
    if (prev) clearTimeout(prev.timer);
    const run = () => {
      storeTimers.delete(uri);
      const deps = [...a.result.program.modules.values()].filter((m) => m !== a.result.program.root).map((m) => ({ path: m.path, text: m.file.text }));
      diagCache?.store(path, a.text, deps, sends);
    };
    const timer = setTimeout(run, 1000);
    timer.unref();
    storeTimers.set(uri, { timer, run });
  };

  /** At open: last session's diagnostics for this exact text, published before the check runs. */
  const publishCached = (uri: string, version: number, text: string): boolean => {
    const hit = diagCache?.lookup(pathOf(uri), text, (p) => service.text(p) ?? host.read(p));
    if (!hit) return false;
    const path = pathOf(uri);
    const sent = sender.unions(shares.set(path, new Map(hit.map((x) => [pathOf(x.uri), x.diagnostics]))), path, { uri, version });
    fromCache.set(uri, { version, sent });
    publishedVersion.set(uri, version);
    cacheHits++;
    return true;
  };

  /** Leading edge after a pause (one keystroke: check at once), trailing debounce while typing fast. */
  const schedule = (uri: string) => {
    const t = performance.now();
    lastEditAt = t;
    const prev = lastChange.get(uri) ?? -Infinity;
    lastChange.set(uri, t);
    clearTimeout(indexTimers.get(uri));
    const pending = timers.get(uri);
    if (pending) clearTimeout(pending);
    timers.set(uri, t - prev > debounceMs * 2 && !pending ? setTimeout(() => publish(uri), 0) : setTimeout(() => publish(uri), debounceMs));
  };

  documents.onDidOpen((e) => {
    service.set(pathOf(e.document.uri), e.document.getText(), e.document.version);
    // A cache hit goes out first; the check then runs on the next turn (and re-sends only what changed).
    if (publishCached(e.document.uri, e.document.version, e.document.getText())) setImmediate(() => publish(e.document.uri));
    else publish(e.document.uri);
    // Documents that could not find a module (E0206) may find this one now, on disk or not.
    for (const u of service.opened(pathOf(e.document.uri)).map(openUri)) if (u) schedule(u);
  });
  documents.onDidChangeContent((e) => {
    service.set(pathOf(e.document.uri), e.document.getText(), e.document.version);
    // (The open fires this too: a text already checked needs no second check.)
    const last = service.last(pathOf(e.document.uri));
    if (last && last.text !== e.document.getText()) schedule(e.document.uri);
    // An edit back to the text last checked (a character typed and deleted within the debounce): nothing to
    // check, but the diagnostics go out again for the new version (clients may drop those of older versions).
    else if (last && (publishedVersion.get(e.document.uri) ?? Infinity) < e.document.version) schedule(e.document.uri);
    // Open files that import this one see the unsaved text: re-check them too. Until they have, what they said
    // about this file is of its older text (at old positions): its next publish leaves that out.
    const deps = service.dependents(pathOf(e.document.uri));
    if (deps.length) shares.staleFor(pathOf(e.document.uri));
    for (const p of deps) {
      const u = documents.all().find((d) => pathOf(d.uri) === p)?.uri;
      if (u) schedule(u);
    }
  });
  documents.onDidClose((e) => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    lastChange.delete(e.document.uri);
    publishedVersion.delete(e.document.uri);
    refresher.closed(e.document.uri);
    // The same file still open under another name (a link, or the file a link leads to): it stays open, with that text.
    const other = documents.all().find((d) => d.uri !== e.document.uri && pathOf(d.uri) === pathOf(e.document.uri));
    if (other) {
      service.set(pathOf(other.uri), other.getText(), other.version);
      return void schedule(other.uri);
    }
    const importers = service.close(pathOf(e.document.uri));
    // Its share goes: its file keeps what other open documents' checks say about it (an import of theirs).
    for (const p of shares.drop(pathOf(e.document.uri))) sender.to(p, shares.union(p));
    // Files that import it saw its unsaved text: they are checked again against the file on disk.
    for (const p of importers) {
      const u = documents.all().find((d) => pathOf(d.uri) === p)?.uri;
      if (u) schedule(u);
    }
  });

  conn.onInitialize((params): InitializeResult => {
    const o = (params.initializationOptions ?? {}) as { inlayHints?: boolean; codeLens?: boolean; diagnosticsCache?: boolean; warmUp?: boolean; summaryCommand?: boolean; refreshDelayMs?: unknown };
    config.init(o, params.capabilities.workspace?.configuration === true);
    if (o.warmUp === false) warmUp = false;
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    refresher.init(params.capabilities.workspace, o.refreshDelayMs);
    roots = (params.workspaceFolders ?? []).map((f) => f.uri).filter((u) => u.startsWith('file:')).map(uriToPath);
    if (!roots.length && params.rootUri?.startsWith('file:')) roots = [uriToPath(params.rootUri)];
    // Folders added or removed later. (Registered here: the library installs its own handler for this
    // notification while initializing, when the client says it has workspace folders.)
    conn.onNotification(DidChangeWorkspaceFoldersNotification.type, ({ event }) => {
      const paths = (fs: readonly { uri: string }[]) => fs.map((f) => f.uri).filter((u) => u.startsWith('file:')).map(uriToPath);
      const removed = new Set(paths(event.removed));
      roots = [...new Set([...roots.filter((r) => !removed.has(r)), ...paths(event.added)])];
    });
    if (o.diagnosticsCache !== false) {
      diagCache = DiagnosticsCache.atDefault();
      setTimeout(() => diagCache?.prune(), 10_000).unref();
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { resolveProvider: true, triggerCharacters: ['>', '(', ',', ' ', '=', '.', '"', '/'] },
        signatureHelpProvider: { triggerCharacters: ['(', ','] },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        foldingRangeProvider: true,
        selectionRangeProvider: true,
        semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true },
        inlayHintProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceOrganizeImports] },
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'dslc' },
    };
  });
  const queries = registerQueries(conn, { service, docOf, open, fresh, view: (p) => viewOf(open(p), docOf(p)), positionOf, pathOf, canonical: host.canonical, uriOf, config: config.current, roots: () => roots, openTexts: () => new Map(documents.all().map((d) => [pathOf(d.uri), d.getText()])), served: (k, uri, a) => refresher.served(k, uri, a, a.text === documents.get(uri)?.getText()) });
  // Imported files edited outside the editor: their importers are checked again. Files created or deleted
  // change what workspace symbols list.
  conn.onDidChangeWatchedFiles((p) => {
    for (const c of p.changes) {
      const raw = uriToPath(c.uri);
      // Another path may be a folder, created or deleted: editors send one event for a folder deleted or
      // renamed, none for the files in it.
      const folder = !raw.endsWith('.nn');
      if (folder && c.type === FileChangeType.Changed) continue;
      if (c.type !== FileChangeType.Changed) queries.filesCreatedOrDeleted();
      // A link there may have come, gone or changed: its real path is looked up again, and the files it led to
      // are imported again by those that imported them through it.
      const links = host.forget(raw);
      const path = pathOf(c.uri);
      const missing = !folder || c.type === FileChangeType.Created;
      // (The link's own name too: an open file it leads to is the editor's, but the link is new or gone.)
      const due = [...service.changedOnDisk(path, missing), ...(path !== raw ? service.changedOnDisk(raw, missing) : []), ...links.flatMap((l) => service.relinked(l))];
      for (const q of new Set(due)) {
        const u = openUri(q);
        if (u) schedule(u);
      }
    }
  });
  conn.onInitialized(() => {
    // (`**/*`: folders created or deleted, which `**/*.nn` does not match.)
    const folders = { globPattern: '**/*', kind: WatchKind.Create | WatchKind.Delete };
    if (watchFiles) void conn.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.nn' }, folders] }).catch(() => undefined);
  });
  /** Debug request for tests and the benchmark: memory (after a full GC unless `{ gc: false }`), and how many checks ran. */
  conn.onRequest('dslc/stats', (p?: { gc?: boolean }) => {
    // A full collection first, so that heapUsed measures what is kept; `{ gc: false }` skips it (a forced
    // collection shrinks the young generation and slows the next check: the benchmark must not pay it).
    const gc = collector();
    if (p?.gc !== false) gc?.();
    const m = process.memoryUsage();
    return { heapUsed: m.heapUsed, rss: m.rss, checks, cacheHits, lastCheckMs, lastElaborated, lastResumed, lastKept, settled, warmedUp, warmUpKind, chunkParses: service.parser.parses, statementParses: service.parser.splices, gc: Boolean(gc), open: service.openPaths().length };
  });

  // Pending cache writes are flushed before the editor stops the server.
  conn.onShutdown(() => {
    for (const { timer, run } of [...storeTimers.values()]) {
      clearTimeout(timer);
      run();
    }
  });

  documents.listen(conn);
  conn.listen();
  return conn;
}

/** V8's `gc` (exposed at run time): a full collection, or `{ type: 'minor' }` for the young generation only. */
type Gc = (opts?: { type: 'minor' | 'major' }) => void;
let gcFn: Gc | undefined | null = null;
function collector(): Gc | undefined {
  if (gcFn !== null) return gcFn;
  try {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as Gc;
  } catch {
    gcFn = undefined;
  }
  return gcFn;
}
