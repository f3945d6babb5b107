/**
 * The server's settings: from `initializationOptions`, then `workspace/didChangeConfiguration` (under `dslc`, or
 * flat as `dslc.inlayHints`), or asked for with `workspace/configuration` when a client sends none. A setting
 * switched on or off asks the client to fetch that kind again (where it can be asked).
 */
import type { Connection } from 'vscode-languageserver/node';
import type { Refresher } from './refresh.js';

/** What the queries read. */
export interface Config {
  readonly inlayHints: boolean;
  readonly codeLens: boolean;
  readonly summaryCommand?: boolean;
}

type Settings = { inlayHints?: unknown; codeLens?: unknown } | undefined;

const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);

/** The settings of one server: `current()` for the queries, `init` at `initialize`; registers the change handler. */
export function settings(conn: Connection, refresher: Refresher) {
  let config: Config = { inlayHints: true, codeLens: true };
  let pull = false;
  const apply = (s: Settings) => {
    const was = config;
    if (s) config = { ...config, inlayHints: bool(s.inlayHints, config.inlayHints), codeLens: bool(s.codeLens, config.codeLens) };
    if (config.inlayHints !== was.inlayHints) refresher.now('inlayHint');
    if (config.codeLens !== was.codeLens) refresher.now('codeLens');
  };
  conn.onDidChangeConfiguration((p) => {
    // (Anything but an object — a string, a number — holds no settings.)
    const all = typeof p.settings === 'object' && p.settings !== null ? (p.settings as Record<string, unknown>) : undefined;
    const flat = all && ('dslc.inlayHints' in all || 'dslc.codeLens' in all) ? { inlayHints: all['dslc.inlayHints'], codeLens: all['dslc.codeLens'] } : undefined;
    const s = (all?.dslc as Settings) ?? flat;
    if (s || !pull || p.settings != null) return apply(s);
    void conn.workspace.getConfiguration('dslc').then((x: Settings) => apply(x ?? undefined), () => undefined);
  });
  return {
    current: (): Config => config,
    /** At `initialize`: the options, and whether the client answers `workspace/configuration`. */
    init(o: { inlayHints?: boolean; codeLens?: boolean; summaryCommand?: boolean }, canPull: boolean): void {
      config = { inlayHints: o.inlayHints ?? true, codeLens: o.codeLens ?? true, summaryCommand: o.summaryCommand === true };
      pull = canPull;
    },
  };
}
