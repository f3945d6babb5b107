/**
 * Files changed outside the editor: a client that can watch files is asked to watch `**\/*.nn`, and a
 * `workspace/didChangeWatchedFiles` for an imported file (changed, or created after an import failed)
 * re-checks the open documents that depend on it. A spawned server, as in lsp-server.test.ts.
 */
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM helper shared with bench/lsp.mjs
import { startClient, uriOf } from './helpers/lsp-client.mjs';

type Client = Awaited<ReturnType<typeof startClient>>;
interface Published { diagnostics: { code: string }[] }
const codes = (p: Published) => p.diagnostics.map((d) => d.code);

/** The codes last published for `uri` once they equal `want` (the open also re-publishes once), or the last ones after 10 s. */
async function settle(c: Client, uri: string, want: string[]): Promise<string[]> {
  const last = () => (c.published.get(uri) ? codes(c.published.get(uri)) : undefined);
  for (let i = 0; i < 200 && JSON.stringify(last()) !== JSON.stringify(want); i++) await new Promise((r) => setTimeout(r, 50));
  return last() ?? [];
}

describe('dslc lsp: imported files changed on disk', () => {
  let c: Client;
  const dir = mkdtempSync(join(tmpdir(), 'dslc-watch-'));
  const lib = join(dir, 'lib.nn');
  const main = join(dir, 'main.nn');
  const mainText = 'from "./lib.nn" import head\n\nmodel M(x: [N, 3, 8, 8]) -> (y: [N, 10]) {\n  return x -> conv2d(4, 3) -> head(10)\n}\n';
  beforeAll(async () => {
    writeFileSync(lib, 'block head(x: Tensor, n: int) -> Tensor {\n  return x -> flatten() -> dense(n)\n}\n');
    writeFileSync(main, mainText);
    c = await startClient({ capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } } });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('registers a watcher for .nn files when the client can watch', async () => {
    for (let i = 0; i < 50 && !c.registrations.length; i++) await new Promise((r) => setTimeout(r, 20));
    // (And every path created or deleted: folders, which `**/*.nn` does not match; 5 is Create | Delete.)
    expect(c.registrations).toEqual([expect.objectContaining({ method: 'workspace/didChangeWatchedFiles', registerOptions: { watchers: [{ globPattern: '**/*.nn' }, { globPattern: '**/*', kind: 5 }] } })]);
  });

  it('an imported file changed on disk re-checks its importer', async () => {
    const uri = uriOf(main);
    await c.open(uri, mainText);
    expect(await settle(c, uri, [])).toEqual([]);
    // Opening checks once (the open's own change event does not check the same text again).
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.request('dslc/stats', { gc: false })).checks).toBe(1);
    // The block loses its parameter: the call in main.nn now passes one argument too many.
    writeFileSync(lib, 'block head(x: Tensor) -> Tensor {\n  return x -> flatten() -> dense(10)\n}\n');
    await new Promise((r) => setTimeout(r, 300));
    // Nothing is re-checked until the client says the file changed.
    expect(codes(c.published.get(uri))).toEqual([]);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(lib), type: 2 }] });
    expect(await settle(c, uri, ['E0203'])).toEqual(['E0203']);
    // A change to a file main.nn does not import checks nothing again.
    const before = (await c.request('dslc/stats')).checks;
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(join(dir, 'other.nn')), type: 2 }] });
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.request('dslc/stats')).checks).toBe(before);
    await c.close(uri);
  });

  it('a missing module that appears on disk clears E0206', async () => {
    const path = join(dir, 'late.nn');
    const text = 'from "./later.nn" import tail\n\nmodel L(x: [N, 8]) -> (y: [N, 2]) {\n  return x -> tail()\n}\n';
    writeFileSync(path, text);
    const uri = uriOf(path);
    await c.open(uri, text);
    expect(await settle(c, uri, ['E0206'])).toEqual(['E0206']);
    writeFileSync(join(dir, 'later.nn'), 'block tail(x: Tensor) -> Tensor {\n  return x -> dense(2)\n}\n');
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(join(dir, 'later.nn')), type: 1 }] });
    expect(await settle(c, uri, [])).toEqual([]);
  });

  it('the folder of an import renamed (one event per folder, none for its files) re-checks the importer', async () => {
    mkdirSync(join(dir, 'layers'));
    writeFileSync(join(dir, 'layers', 'lib.nn'), 'block head(x: Tensor) -> Tensor {\n  return x -> relu\n}\n');
    const path = join(dir, 'nested.nn');
    const text = 'from "./layers/lib.nn" import head\n\nmodel F(x: [N, 4]) -> (y: [N, 4]) {\n  return x -> head\n}\n';
    writeFileSync(path, text);
    const uri = uriOf(path);
    await c.open(uri, text);
    expect(await settle(c, uri, [])).toEqual([]);
    renameSync(join(dir, 'layers'), join(dir, 'blocks'));
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(join(dir, 'layers')), type: 3 }, { uri: uriOf(join(dir, 'blocks')), type: 1 }] });
    expect(await settle(c, uri, ['E0206'])).toEqual(['E0206']);
    // Renamed back: the folder's creation lets the import resolve again.
    renameSync(join(dir, 'blocks'), join(dir, 'layers'));
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(join(dir, 'blocks')), type: 3 }, { uri: uriOf(join(dir, 'layers')), type: 1 }] });
    expect(await settle(c, uri, [])).toEqual([]);
    await c.close(uri);
  });

  it('a file created or deleted shows in workspace symbols at once (the listing is otherwise reused for 2 s)', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'dslc-watch-ws-'));
    writeFileSync(join(ws, 'a.nn'), 'block first_tower(x: Tensor) -> Tensor {\n  return x\n}\n');
    const w = await startClient({ workspaceFolders: [ws], initializationOptions: { warmUp: false }, capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } } });
    try {
      const towers = async () => ((await w.request('workspace/symbol', { query: '_tower' })) as { name: string }[]).map((s) => s.name);
      expect(await towers()).toEqual(['first_tower']);
      const late = join(ws, 'b.nn');
      writeFileSync(late, 'block second_tower(x: Tensor) -> Tensor {\n  return x\n}\n');
      await w.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(late), type: 1 }] });
      expect(await towers()).toEqual(['first_tower', 'second_tower']);
      rmSync(late);
      await w.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(late), type: 3 }] });
      expect(await towers()).toEqual(['first_tower']);
    } finally {
      await w.stop();
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('dslc lsp: a symbolic link to an imported file', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'dslc-watch-link-')));
  const lib = join(dir, 'lib.nn');
  const link = join(dir, 'link.nn');
  const libText = 'block head(x: Tensor, n: int) -> Tensor {\n  return x -> flatten() -> dense(n)\n}\n';
  const mainText = 'from "./link.nn" import head\n\nmodel M(x: [N, 3, 8, 8]) -> (y: [N, 10]) {\n  return x -> head(10)\n}\n';
  let c: Client;
  beforeAll(async () => {
    writeFileSync(lib, libText);
    writeFileSync(join(dir, 'alt.nn'), 'block head(x: Tensor) -> Tensor {\n  return x -> flatten() -> dense(10)\n}\n');
    writeFileSync(join(dir, 'main.nn'), mainText);
    symlinkSync('lib.nn', link);
    c = await startClient({ workspaceFolders: [dir], initializationOptions: { warmUp: false, diagnosticsCache: false }, capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } } });
  });
  afterAll(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('led elsewhere or deleted, re-checks what imported the file through it (the file itself open and unchanged)', async () => {
    const uri = uriOf(join(dir, 'main.nn'));
    await c.openAndCheck(uriOf(lib), libText);
    await c.open(uri, mainText);
    expect(await settle(c, uri, [])).toEqual([]);
    // Led to alt.nn, whose head takes no width.
    unlinkSync(link);
    symlinkSync('alt.nn', link);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(link), type: 3 }, { uri: uriOf(link), type: 1 }] });
    expect(await settle(c, uri, ['E0203'])).toEqual(['E0203']);
    unlinkSync(link);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(link), type: 3 }] });
    expect(await settle(c, uri, ['E0206'])).toEqual(['E0206']);
    symlinkSync('lib.nn', link);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(link), type: 1 }] });
    expect(await settle(c, uri, [])).toEqual([]);
  });

  it('lists the file once in workspace symbols, at the file', async () => {
    const heads = ((await c.request('workspace/symbol', { query: 'head' })) as { name: string; location: { uri: string } }[]).filter((x) => x.location.uri.startsWith(uriOf(dir)));
    expect(heads.map((x) => x.location.uri).sort()).toEqual([uriOf(join(dir, 'alt.nn')), uriOf(lib)]);
  });
});
