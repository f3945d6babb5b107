/**
 * Asking the editor to pull inlay hints, code lenses, semantic tokens and folding ranges again. Those requests
 * answer from a document's last check (view.ts): one made while a check was due, or before an imported file
 * changed, shows what that check said until the editor asks again, which editors do after an edit or on
 * `workspace/<kind>/refresh`. So after checks whose analysis changed, once they stop coming, each kind the
 * client supports is refreshed where the client fetched it for one of those documents, and not since from
 * that very check.
 */
import type { ClientCapabilities, Connection } from 'vscode-languageserver/node';
import { CodeLensRefreshRequest, FoldingRangeRefreshRequest, InlayHintRefreshRequest, SemanticTokensRefreshRequest } from 'vscode-languageserver/node';

export type RefreshKind = 'inlayHint' | 'codeLens' | 'semanticTokens' | 'foldingRange';
const REQUESTS = { inlayHint: InlayHintRefreshRequest.type, codeLens: CodeLensRefreshRequest.type, semanticTokens: SemanticTokensRefreshRequest.type, foldingRange: FoldingRangeRefreshRequest.type } as const;
/**
 * Kinds that depend on the document's text alone (folding: its declarations, bodies and comments): stale only
 * when read through an edit not checked yet, not when a check of the same text changed (an import did).
 */
const TEXT_ONLY: ReadonlySet<RefreshKind> = new Set(['foldingRange']);
const KINDS = Object.keys(REQUESTS) as RefreshKind[];
/** What the client got when it was read through an edit not checked yet (part of it left out: view.ts). */
const STALE = {};

export class Refresher {
  private supported: RefreshKind[] = [];
  /** Per document, the analysis (any object identifying a check) its diagnostics last went out for. */
  private readonly published = new Map<string, object>();
  /** Per kind, the documents whose check changed since the last refresh of that kind. */
  private readonly dirty = new Map<RefreshKind, Set<string>>(KINDS.map((k) => [k, new Set()]));
  /** Per kind and document, the check the client's last answer came from (STALE: not of the document's current text). */
  private readonly fetched = new Map<RefreshKind, Map<string, object>>(KINDS.map((k) => [k, new Map()]));
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `busy`: a check is due (the refresh waits for it: a burst of checks gets one refresh). `delayMs`: the quiet
   * time after the last changed check: editors ask again after an edit by themselves, debounced (VS Code: lenses
   * after 250 ms or more), and an answer from the check by then needs no refresh.
   */
  constructor(private readonly conn: Connection, private readonly busy: () => boolean, private delayMs = 300) {}

  /**
   * The kinds whose refresh request the client declared it handles (`workspace.<kind>.refreshSupport`), and the
   * quiet time it asked for (`refreshDelayMs`, 0–10,000 ms: a client that asks again later after an edit).
   */
  init(caps: ClientCapabilities['workspace'], delayMs?: unknown): void {
    this.supported = KINDS.filter((k) => caps?.[k]?.refreshSupport === true);
    if (typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0) this.delayMs = Math.min(delayMs, 10_000);
  }

  /** A check of `uri` went out: when it is not the one published before, what it shows may have changed. */
  checked(uri: string, analysis: object): void {
    if (this.published.get(uri) === analysis) return;
    this.published.set(uri, analysis);
    if (!this.supported.length) return;
    for (const k of this.supported) this.dirty.get(k)!.add(uri);
    this.arm();
  }

  /** The client got `kind` for `uri` from `analysis`; `current`: read through the document's text unchanged. */
  served(kind: RefreshKind, uri: string, analysis: object, current: boolean): void {
    this.fetched.get(kind)!.set(uri, current ? analysis : STALE);
  }

  /** A setting changed what `kind` shows in every document: refreshed now. */
  now(kind: RefreshKind): void {
    this.dirty.get(kind)!.clear();
    this.send(kind);
  }

  closed(uri: string): void {
    this.published.delete(uri);
    for (const k of KINDS) {
      this.dirty.get(k)!.delete(uri);
      this.fetched.get(k)!.delete(uri);
    }
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    if (this.busy()) return this.arm();
    for (const k of this.supported) {
      const dirty = this.dirty.get(k)!;
      const fetched = this.fetched.get(k)!;
      // (A document the client never asked this kind for shows none of it: nothing to refresh.)
      const stale = [...dirty].some((u) => fetched.has(u) && (TEXT_ONLY.has(k) ? fetched.get(u) === STALE : fetched.get(u) !== this.published.get(u)));
      dirty.clear();
      if (stale) this.send(k);
    }
  }

  private send(kind: RefreshKind): void {
    if (this.supported.includes(kind)) void this.conn.sendRequest(REQUESTS[kind]).catch(() => undefined);
  }
}
