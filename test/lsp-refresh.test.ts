/**
 * `workspace/{inlayHint,codeLens,semanticTokens,foldingRange}/refresh`: the server asks the client to pull hints,
 * lenses, tokens and folding ranges again when a setting switches them, and after checks that changed what the
 * client was shown (its own edits checked after it asked, an imported file edited or changed on disk; folding
 * ranges only for the former); only the kinds the client declares `refreshSupport` for, one request per burst of
 * checks. A spawned server, as in lsp-server.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM helper shared with bench/lsp.mjs
import { ROOT, posAt, startClient, uriOf } from './helpers/lsp-client.mjs';

type Client = Awaited<ReturnType<typeof startClient>>;
const ALL = { inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true }, semanticTokens: { refreshSupport: true }, foldingRange: { refreshSupport: true } };
const OPTIONS = { warmUp: false, diagnosticsCache: false };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longer than the server's wait after the last check (300 ms). */
const QUIET = 800;
const lenetPath = join(ROOT, 'examples/lenet5.nn');
const lenet = readFileSync(lenetPath, 'utf8');
const whole = { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } };

/** What an editor showing `uri` fetches: hint labels, lens titles, the number of token entries and of folding ranges. */
async function fetchAll(c: Client, uri: string) {
  const hints = (await c.request('textDocument/inlayHint', { textDocument: { uri }, range: whole })) as { label: string }[];
  const lenses = (await c.request('textDocument/codeLens', { textDocument: { uri } })) as { command: { title: string } }[];
  const tokens = (await c.request('textDocument/semanticTokens/full', { textDocument: { uri } })) as { data: number[] };
  const folds = (await c.request('textDocument/foldingRange', { textDocument: { uri } })) as unknown[];
  return { hints: hints.map((h) => h.label), lenses: lenses.map((l) => l.command.title), tokens: tokens.data.length, folds: folds.length };
}

describe('dslc lsp: refresh requests after a setting changes', () => {
  const toggle = async (c: Client, dslc: Record<string, boolean>) => {
    c.refreshes.length = 0;
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { dslc } });
    await sleep(300);
    return [...c.refreshes];
  };

  it('asks for the kind a setting switched, where the client supports it, and only when it changed', async () => {
    const c = await startClient({ initializationOptions: OPTIONS, capabilities: { workspace: { inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true } } } });
    const uri = uriOf(lenetPath);
    await c.openAndCheck(uri, lenet);
    expect((await fetchAll(c, uri)).lenses.length).toBeGreaterThan(0);
    expect(await toggle(c, { codeLens: false })).toEqual(['codeLens']);
    expect((await fetchAll(c, uri)).lenses).toEqual([]);
    expect(await toggle(c, { inlayHints: false })).toEqual(['inlayHint']);
    expect(await toggle(c, { inlayHints: false, codeLens: false })).toEqual([]);
    expect(await toggle(c, { inlayHints: true, codeLens: true })).toEqual(['inlayHint', 'codeLens']);
    expect((await fetchAll(c, uri)).hints.length).toBeGreaterThan(0);
    await c.stop();
  });

  it('flat settings ("dslc.codeLens"), and a client that is asked for them (settings: null, workspace/configuration)', async () => {
    const c = await startClient({ initializationOptions: OPTIONS, capabilities: { workspace: { configuration: true, ...ALL } } });
    let asked = 0;
    let answer: unknown = { inlayHints: false };
    c.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => {
      asked++;
      return p.items.map((i) => (i.section === 'dslc' ? answer : null));
    });
    const uri = uriOf(lenetPath);
    await c.openAndCheck(uri, lenet);
    expect((await fetchAll(c, uri)).lenses.length).toBeGreaterThan(0);
    c.refreshes.length = 0;
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { 'dslc.codeLens': false } });
    await sleep(300);
    expect((await fetchAll(c, uri)).lenses).toEqual([]);
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await sleep(300);
    expect(asked).toBe(1);
    expect((await fetchAll(c, uri)).hints).toEqual([]);
    expect(c.refreshes).toEqual(['codeLens', 'inlayHint']);
    // Settings that are not an object (a string, a number) change nothing and break nothing.
    for (const settings of ['text', 5, true]) await c.conn.sendNotification('workspace/didChangeConfiguration', { settings });
    await sleep(200);
    expect(c.stderr()).not.toMatch(/failed|TypeError/);
    expect(asked).toBe(1);
    // An answer that is not settings changes nothing.
    answer = 'nonsense';
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await sleep(300);
    expect(asked).toBe(2);
    expect((await fetchAll(c, uri)).hints).toEqual([]);
    await c.stop();
  });

  it('sends none to a client without refreshSupport', async () => {
    const c = await startClient({ initializationOptions: OPTIONS });
    const uri = uriOf(lenetPath);
    await c.openAndCheck(uri, lenet);
    await fetchAll(c, uri);
    expect(await toggle(c, { inlayHints: false, codeLens: false })).toEqual([]);
    expect(await fetchAll(c, uri)).toMatchObject({ hints: [], lenses: [] });
    await c.stop();
  });
});

describe('dslc lsp: refresh requests after checks', () => {
  it('typing: hints fetched before the check are refreshed after it, once for a burst of keystrokes', async () => {
    // A quiet time (refreshDelayMs) well beyond the keystrokes' gaps, so that a loaded machine cannot split the burst.
    const c = await startClient({ initializationOptions: { ...OPTIONS, refreshDelayMs: 1500 }, capabilities: { workspace: ALL } });
    const uri = uriOf(lenetPath);
    let text = lenet;
    await c.openAndCheck(uri, text);
    const before = await fetchAll(c, uri);
    expect(before.hints).toContain(': [N, 6, 28, 28]');
    // "12" typed over the 6 of conv2d(6, 5, …), the editor asking right after; then keystrokes each checked on
    // its own (120 ms apart), within the server's wait before a refresh.
    const at = text.indexOf('conv2d(6,') + 7;
    const type = (off: number, del: number, ins: string) => {
      const v = c.change(uri, [{ range: { start: posAt(text, off), end: posAt(text, off + del) }, text: ins }]);
      text = text.slice(0, off) + ins + text.slice(off + del);
      return v;
    };
    type(at, 1, '1');
    await sleep(15);
    let last = type(at + 1, 0, '2');
    // (Folding ranges first: asked for before the check of the edit, as a client does at once.)
    await c.request('textDocument/foldingRange', { textDocument: { uri } });
    await fetchAll(c, uri);
    for (const ins of [' ', '#', 'x']) {
      await sleep(120);
      last = type(text.indexOf('\n', at), 0, ins);
    }
    await c.nextDiagnostics(uri, 10_000, last);
    // Not yet: the quiet time asked for has not passed (the default, 300 ms, would have).
    await sleep(700);
    expect(c.refreshes).toEqual([]);
    await sleep(800 + QUIET);
    expect((await c.request('dslc/stats', { gc: false })).checks).toBeGreaterThanOrEqual(4);
    // (Folding ranges too: they were fetched through the edit not checked yet.)
    expect(c.refreshes.sort()).toEqual(['codeLens', 'foldingRange', 'inlayHint', 'semanticTokens']);
    // Fetched again (as the client does on the refresh): the shapes of the new text.
    const after = await fetchAll(c, uri);
    expect(after.hints).toContain(': [N, 12, 28, 28]');
    expect(after.lenses).not.toEqual(before.lenses);
    await c.stop();
  });

  it('no refresh when the client fetched from the check already, or when no new check ran', async () => {
    const c = await startClient({ initializationOptions: OPTIONS, capabilities: { workspace: ALL } });
    const uri = uriOf(lenetPath);
    await c.openAndCheck(uri, lenet);
    await fetchAll(c, uri);
    // A new version of the same text: its diagnostics go out again, nothing is checked.
    const v = c.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '' }]);
    await c.nextDiagnostics(uri, 10_000, v);
    await sleep(QUIET);
    expect(c.refreshes).toEqual([]);
    // An edit, then the client asks once its diagnostics are out (before the server's quiet time is over).
    const at = lenet.indexOf('conv2d(6,') + 7;
    const w = c.change(uri, [{ range: { start: posAt(lenet, at), end: posAt(lenet, at + 1) }, text: '8' }]);
    await c.nextDiagnostics(uri, 10_000, w);
    expect((await fetchAll(c, uri)).hints).toContain(': [N, 8, 28, 28]');
    await sleep(QUIET);
    expect(c.refreshes).toEqual([]);
    await c.stop();
  });
});

describe('dslc lsp: refresh requests when an imported file changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dslc-refresh-'));
  const lib = join(dir, 'lib.nn');
  const main = join(dir, 'main.nn');
  const libText = 'block stem(x: Tensor, c: int) -> Tensor {\n  return x -> conv2d(c, 3, padding=1) -> relu\n}\n';
  const mainText = 'from "./lib.nn" import stem\n\nmodel Main(x: [N, 3, 32, 32]) {\n  y = x -> stem(16) -> max_pool2d(2)\n  return y\n}\n';

  it('an open import edited: its importer is refreshed, and shows the new shapes', async () => {
    writeFileSync(lib, libText);
    writeFileSync(main, mainText);
    const c = await startClient({ initializationOptions: OPTIONS, capabilities: { workspace: ALL } });
    await c.openAndCheck(uriOf(lib), libText);
    await c.openAndCheck(uriOf(main), mainText);
    const before = await fetchAll(c, uriOf(main));
    expect(before.hints).toContain(': [N, 16, 32, 32]');
    const at = libText.indexOf('conv2d(c,') + 7;
    const next = c.nextDiagnostics(uriOf(main), 10_000);
    c.change(uriOf(lib), [{ range: { start: posAt(libText, at), end: posAt(libText, at + 1) }, text: 'c * 2' }]);
    await next;
    await sleep(QUIET);
    // Not folding ranges: the importer's text, all they depend on, did not change.
    expect(c.refreshes.sort()).toEqual(['codeLens', 'inlayHint', 'semanticTokens']);
    const after = await fetchAll(c, uriOf(main));
    expect(after.hints).toContain(': [N, 32, 32, 32]');
    expect(after.lenses).not.toEqual(before.lenses);
    await c.stop();
  });

  it('an import changed on disk: its importer is refreshed', async () => {
    writeFileSync(lib, libText);
    writeFileSync(main, mainText);
    const c = await startClient({ initializationOptions: OPTIONS, capabilities: { workspace: { ...ALL, didChangeWatchedFiles: { dynamicRegistration: true } } } });
    await c.openAndCheck(uriOf(main), mainText);
    await fetchAll(c, uriOf(main));
    const next = c.nextDiagnostics(uriOf(main), 10_000);
    writeFileSync(lib, libText.replace('conv2d(c,', 'conv2d(c * 4,'));
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(lib), type: 2 }] });
    await next;
    await sleep(QUIET);
    expect(c.refreshes.sort()).toEqual(['codeLens', 'inlayHint', 'semanticTokens']);
    expect((await fetchAll(c, uriOf(main))).hints).toContain(': [N, 64, 32, 32]');
    await c.stop();
  });
});
