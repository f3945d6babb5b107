// An LSP client over a spawned `node bin/dslc.cjs lsp --stdio`, speaking JSON-RPC through
// vscode-languageserver-protocol as an editor does. Shared by test/lsp-*.test.ts and bench/lsp.mjs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StreamMessageReader, StreamMessageWriter, createProtocolConnection } from 'vscode-languageserver-protocol/node';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const uriOf = (path) => pathToFileURL(path).href;

/**
 * Starts the server; `diagnostics(uri)` waits for the next publish for that URI (or returns the last).
 * Each server gets an empty diagnostics cache unless `env.DSLC_CACHE_DIR` names one (to test reopening).
 */
export async function startClient({ initializationOptions = {}, env = {}, capabilities = {}, workspaceFolders } = {}) {
  const t0 = performance.now();
  const cacheDir = env.DSLC_CACHE_DIR ?? mkdtempSync(join(tmpdir(), 'dslc-lsp-cache-'));
  // DSLC_SERVER_NODE_ARGS: Node options for the server only (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` to profile it).
  const child = spawn(process.execPath, [...(process.env.DSLC_SERVER_NODE_ARGS ? process.env.DSLC_SERVER_NODE_ARGS.split(' ') : []), join(ROOT, 'bin/dslc.cjs'), 'lsp', '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env, DSLC_CACHE_DIR: cacheDir } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published = new Map();
  const waiters = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    published.set(p.uri, { ...p, at: performance.now() });
    const ws = waiters.get(p.uri) ?? [];
    waiters.delete(p.uri);
    for (const w of ws) w(published.get(p.uri));
  });
  // The refresh requests the server sent (a client declares which it handles in `capabilities.workspace`).
  const refreshes = [];
  for (const kind of ['inlayHint', 'codeLens', 'semanticTokens', 'foldingRange']) conn.onRequest(`workspace/${kind}/refresh`, () => (refreshes.push(kind), null));
  const registrations = [];
  conn.onRequest('client/registerCapability', (p) => {
    registrations.push(...p.registrations);
    return null;
  });
  conn.listen();
  const init = await conn.sendRequest('initialize', { processId: process.pid, rootUri: uriOf(ROOT), ...(workspaceFolders ? { workspaceFolders: workspaceFolders.map((p) => ({ uri: uriOf(p), name: p })) } : {}), capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } }, ...capabilities }, initializationOptions });
  await conn.sendNotification('initialized', {});
  const versions = new Map();
  return {
    conn, child, init, t0, exited, cacheDir, registrations, refreshes,
    stderr: () => stderr,
    published,
    /**
     * The next diagnostics published for `uri` (optionally for `version`: those already published for it, if they
     * were, as a request awaited in between may have let them arrive first), within `ms`.
     */
    nextDiagnostics(uri, ms = 10000, version) {
      if (version !== undefined && published.get(uri)?.version === version) return Promise.resolve(published.get(uri));
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no diagnostics for ${uri} within ${ms} ms`)), ms);
        const w = (p) => {
          if (version !== undefined && p.version !== version) return void (waiters.get(uri) ?? waiters.set(uri, []).get(uri)).push(w);
          clearTimeout(timer);
          res(p);
        };
        (waiters.get(uri) ?? waiters.set(uri, []).get(uri)).push(w);
      });
    },
    open(uri, text) {
      versions.set(uri, 1);
      return conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'nn', version: 1, text } });
    },
    /** Opens `text` as `uri` and returns the first diagnostics published for it. */
    async openAndCheck(uri, text) {
      const got = this.nextDiagnostics(uri);
      await this.open(uri, text);
      return got;
    },
    /** Sends incremental edits; returns the new version. */
    change(uri, changes) {
      const v = (versions.get(uri) ?? 0) + 1;
      versions.set(uri, v);
      void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: changes });
      return v;
    },
    close(uri) {
      return conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    },
    request(method, params) {
      return conn.sendRequest(method, params);
    },
    async stop() {
      try {
        await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
        await conn.sendNotification('exit');
      } catch {}
      const r = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 3000))]);
      if (!r) child.kill('SIGKILL');
      conn.dispose();
      if (env.DSLC_CACHE_DIR === undefined) rmSync(cacheDir, { recursive: true, force: true });
      return r;
    },
  };
}

/** 0-based position of an offset in a text. */
export function posAt(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}
