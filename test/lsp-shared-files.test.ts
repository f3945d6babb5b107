/**
 * Two open documents that report on one file (a library open beside a model that imports it): the file shows
 * the union of what their checks say, and a check or a close of one takes back only its own share. A file and a
 * symbolic link to it are one file. A spawned server, as in lsp-server.test.ts.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeHost } from '../src/cli/host.js';
import { DiagnosticsBySource } from '../src/lsp/publisher.js';
import { LanguageService } from '../src/service/index.js';
// @ts-expect-error: plain ESM helper shared with bench/lsp.mjs
import { posAt, startClient, uriOf } from './helpers/lsp-client.mjs';

type Client = Awaited<ReturnType<typeof startClient>>;
interface Published { diagnostics: { code: string }[] }

/** The codes last published for `uri` (sorted) once they equal `want`, or the last ones after 10 s. */
async function settle(c: Client, uri: string, want: string[]): Promise<string[]> {
  const last = () => (c.published.get(uri) as Published | undefined)?.diagnostics.map((d) => d.code).sort();
  for (let i = 0; i < 200 && JSON.stringify(last()) !== JSON.stringify(want); i++) await new Promise((r) => setTimeout(r, 50));
  return last() ?? [];
}

/** A temporary folder with lib.nn and main.nn (which imports it) written to disk. */
function libAndMain(prefix: string, libText: string, mainText: string): { dir: string; lib: string; main: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const lib = join(dir, 'lib.nn');
  const main = join(dir, 'main.nn');
  writeFileSync(lib, libText);
  writeFileSync(main, mainText);
  return { dir, lib, main };
}

describe('diagnostics of a file two open documents report on', () => {
  const libText = 'from std.resnet import basic_block\n\nblock head(x: Tensor, c: int) -> Tensor {\n  return x -> conv2d(c, 5) -> relu\n}\n';
  const mainText = 'from "./lib.nn" import head\n\nmodel M(x: [N, 3, 8, 8]) {\n  y = x -> head(4)\n  return y\n}\n';
  const { dir, lib, main } = libAndMain('dslc-shared-', libText, mainText);
  let c: Client;
  afterAll(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keep the library's own warning while the model's check adds, then takes back, an error in it", async () => {
    c = await startClient({ workspaceFolders: [dir] });
    await c.openAndCheck(uriOf(lib), libText);
    await c.openAndCheck(uriOf(main), mainText);
    expect(await settle(c, uriOf(lib), ['W0109'])).toEqual(['W0109']);
    // A 3×3 input: the 5×5 conv inside the library's block fails, reported in lib.nn by main's check.
    const small = { range: { start: { line: 2, character: 15 }, end: { line: 2, character: 19 } }, text: '3, 3' };
    c.change(uriOf(main), [small]);
    expect(await settle(c, uriOf(lib), ['E0401', 'W0109'])).toEqual(['E0401', 'W0109']);
    // Back to 8×8: main's share is empty again, the library's warning stays.
    c.change(uriOf(main), [{ range: { start: { line: 2, character: 15 }, end: { line: 2, character: 19 } }, text: '8, 8' }]);
    expect(await settle(c, uriOf(lib), ['W0109'])).toEqual(['W0109']);
    // The model closed: the library still shows its own.
    c.change(uriOf(main), [small]);
    expect(await settle(c, uriOf(lib), ['E0401', 'W0109'])).toEqual(['E0401', 'W0109']);
    await c.close(uriOf(main));
    expect(await settle(c, uriOf(lib), ['W0109'])).toEqual(['W0109']);
  });
});

describe('a library edited beside its open importer', () => {
  it("its publishes leave out the importer's share of its older text (no copy at the old line) until the importer checks again", async () => {
    const libText = 'block stem(x: Tensor) -> Tensor {\n  return x -> relu\n}\nblock stem(x: Tensor) -> Tensor {\n  return x\n}\n';
    const mainText = 'from "./lib.nn" import stem\n\nmodel Main(x: [N, 3, 32, 32]) {\n  return x -> stem\n}\n';
    const { dir, lib, main } = libAndMain('dslc-stale-share-', libText, mainText);
    const c = await startClient({ workspaceFolders: [dir] });
    try {
      // Every list published for lib (polled: the client's handler keeps the last one, with its time).
      const log: string[][] = [];
      let seen: unknown;
      let changed = Infinity;
      const poll = setInterval(() => {
        const p = c.published.get(uriOf(lib)) as { at: number; diagnostics: { code: string; range: { start: { line: number } } }[] } | undefined;
        if (p && p !== seen && p.at > changed) (seen = p), log.push(p.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`));
      }, 2);
      await c.openAndCheck(uriOf(main), mainText);
      await c.openAndCheck(uriOf(lib), libText);
      expect(await settle(c, uriOf(lib), ['E0205'])).toEqual(['E0205']);
      await new Promise((r) => setTimeout(r, 300));
      log.length = 0;
      changed = performance.now();
      // Two lines typed above: E0205 moves from line 4 to line 6.
      c.change(uriOf(lib), [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n\n' }]);
      for (let i = 0; i < 100 && !log.some((l) => l.includes('E0205@6')); i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      expect(log.length).toBeGreaterThan(0);
      for (const l of log) expect(l, JSON.stringify(log)).not.toContain('E0205@4');
      expect(log.at(-1)).toEqual(['E0205@6']);
      clearInterval(poll);
    } finally {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('DiagnosticsBySource.staleFor drops the other documents\' shares of a file, not its own nor theirs of other files', () => {
    const s = new DiagnosticsBySource<string>();
    s.set('lib', new Map([['lib', ['own']]]));
    s.set('main', new Map([['main', ['m']], ['lib', ['from main']]]));
    expect(s.union('lib')).toEqual(['own', 'from main']);
    s.staleFor('lib');
    expect(s.union('lib')).toEqual(['own']);
    expect(s.union('main')).toEqual(['m']);
    // main's close no longer touches lib.
    expect(s.drop('main')).toEqual(['main']);
  });
});

describe("a file whose URI the editor spells otherwise than the server (VS Code's `%28` for `(`)", () => {
  /** A URI as VS Code writes it: every character but letters, digits and `-._~` of each segment escaped. */
  const vscodeUri = (p: string) => `file://${p.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)).join('/')}`;
  const dir = join(mkdtempSync(join(tmpdir(), 'dslc-spelling-')), 'models (v2)');
  const libText = 'from std.resnet import projection\n\nblock bad(x: Tensor) -> Tensor {\n  return x -> nosuchlayer\n}\n';
  const mainText = 'from "./lib.nn" import bad\n\nmodel M(x: [N, 4]) -> (y: [N, 4]) {\n  return x -> bad\n}\n';
  let c: Client;
  afterAll(async () => {
    await c?.stop();
    rmSync(dirname(dir), { recursive: true, force: true });
  });

  it("gets the imported file's diagnostics under the open document's URI, its own warning kept", async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'lib.nn'), libText);
    writeFileSync(join(dir, 'main.nn'), mainText);
    c = await startClient({ workspaceFolders: [dir], initializationOptions: { warmUp: false, diagnosticsCache: false } });
    const lu = vscodeUri(join(dir, 'lib.nn'));
    const mu = vscodeUri(join(dir, 'main.nn'));
    expect(lu).not.toBe(uriOf(join(dir, 'lib.nn')));
    // As VS Code's diagnostic collection shows lib.nn: one list per resource, whatever the spelling of its
    // URI, the last one published.
    const shown = () => {
      const lists = [...(c.published as Map<string, Published & { at: number }>)].filter(([u]) => decodeURIComponent(u) === decodeURIComponent(lu)).map(([, p]) => p);
      return lists.sort((a, b) => b.at - a.at)[0]?.diagnostics.map((d) => d.code).sort();
    };
    const lib = async (want: string[]) => {
      for (let i = 0; i < 200 && JSON.stringify(shown()) !== JSON.stringify(want); i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      return shown();
    };
    await c.open(lu, libText);
    expect(await lib(['W0109'])).toEqual(['W0109']);
    await c.open(mu, mainText);
    expect(await lib(['E0200', 'W0109'])).toEqual(['E0200', 'W0109']);
    // (The union went to the editor's spelling.)
    expect((c.published.get(lu) as Published).diagnostics.map((d) => d.code).sort()).toEqual(['E0200', 'W0109']);
    // Locations in answers and related information name it as the editor does too.
    const at = mainText.indexOf('bad\n') + 1;
    const line = mainText.slice(0, at).split('\n').length - 1;
    const character = at - mainText.lastIndexOf('\n', at - 1) - 1;
    const defs = (await c.request('textDocument/definition', { textDocument: { uri: mu }, position: { line, character } })) as { uri: string }[];
    expect(defs.map((d) => d.uri)).toEqual([lu]);
    const dup = `${mainText}model M(x: [N, 4]) {\n  return x\n}\n`;
    c.change(mu, [{ range: { start: { line: 0, character: 0 }, end: { line: 6, character: 0 } }, text: dup }]);
    for (let i = 0; i < 200 && !(c.published.get(mu) as Published | undefined)?.diagnostics.some((d) => d.code === 'E0205'); i++) await new Promise((r) => setTimeout(r, 50));
    const e0205 = (c.published.get(mu) as { diagnostics: { code: string; relatedInformation?: { location: { uri: string } }[] }[] }).diagnostics.find((d) => d.code === 'E0205')!;
    expect(e0205.relatedInformation!.map((r) => r.location.uri)).toEqual([mu]);
    await c.close(mu);
    expect(await lib(['W0109'])).toEqual(['W0109']);
  });
});

describe('DiagnosticsBySource', () => {
  it('unions the shares of a file, its own first, each diagnostic once; a document takes back only its own', () => {
    const s = new DiagnosticsBySource<{ m: string }>();
    expect(s.set('lib', new Map([['lib', [{ m: 'own' }]]]))).toEqual(['lib']);
    expect(s.set('main', new Map([['main', []], ['lib', [{ m: 'inner' }, { m: 'own' }]]]))).toEqual(['main', 'lib']);
    expect(s.union('lib')).toEqual([{ m: 'own' }, { m: 'inner' }]);
    // main's next check reports nothing on lib: lib is among the files to send again.
    expect(s.set('main', new Map([['main', []]]))).toEqual(['main', 'lib']);
    expect(s.union('lib')).toEqual([{ m: 'own' }]);
    expect(s.drop('lib')).toEqual(['lib']);
    expect(s.union('lib')).toEqual([]);
  });
});

describe('an open document that is not on disk', () => {
  it('resolves for the documents that import it (never saved, or deleted), as long as it is open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dslc-unsaved-'));
    const s = new LanguageService({ host: nodeHost() });
    const main = join(dir, 'main.nn');
    s.set(main, 'from "./fresh.nn" import nb\n\nmodel M(x: [N, 3, 8, 8]) {\n  return x -> nb\n}\n');
    const codes = () => s.analyze(main)!.result.diagnostics.map((d) => d.code);
    expect(codes()).toEqual(['E0206']);
    s.set(join(dir, 'fresh.nn'), 'block nb(x: Tensor) -> Tensor {\n  return x -> relu\n}\n');
    s.set(main, 'from "./fresh.nn" import nb\n\nmodel M(x: [N, 3, 8, 8]) {\n  return x -> nb\n}\n\n');
    expect(codes()).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('opened in the editor, re-checks the open model that could not find it (E0206)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dslc-unsaved-'));
    const mainText = 'from "./lib.nn" import head\n\nmodel M(x: [N, 3, 8, 8]) -> (y: [N, 10]) {\n  return x -> head(10)\n}\n';
    writeFileSync(join(dir, 'main.nn'), mainText);
    const s = await startClient({ workspaceFolders: [dir], initializationOptions: { warmUp: false, diagnosticsCache: false } });
    try {
      const mu = uriOf(join(dir, 'main.nn'));
      await s.open(mu, mainText);
      expect(await settle(s, mu, ['E0206'])).toEqual(['E0206']);
      await s.open(uriOf(join(dir, 'lib.nn')), 'block head(x: Tensor, n: int) -> Tensor {\n  return x -> flatten() -> dense(n)\n}\n');
      expect(await settle(s, mu, [])).toEqual([]);
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a file and a symbolic link to it are one file', () => {
  const libDisk = 'block head(x: Tensor, c: int) -> Tensor {\n  return x -> conv2d(c, 5) -> relu\n}\n';
  // Unsaved in the editor: a block the disk's text does not have yet.
  const libEdited = `${libDisk}block extra(x: Tensor) -> Tensor {\n  return x -> tanh\n}\n`;
  const model = (from: string, size: number) => `from "./${from}" import head, extra\n\nmodel M(x: [N, 3, ${size}, ${size}]) {\n  return x -> head(4) -> extra\n}\n`;
  /** A temporary folder (by its real path) with lib.nn and link.nn leading to it. */
  const folder = (prefix: string) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
    writeFileSync(join(dir, 'lib.nn'), libDisk);
    symlinkSync('lib.nn', join(dir, 'link.nn'));
    return { dir, lib: uriOf(join(dir, 'lib.nn')), link: uriOf(join(dir, 'link.nn')) };
  };
  const start = (dir: string) => startClient({ workspaceFolders: [dir], initializationOptions: { warmUp: false, diagnosticsCache: false } });

  it("the file open: a model importing it through the link sees its unsaved text, is checked again on its edits, and reports on it at the file's URI", async () => {
    const { dir, lib, link } = folder('dslc-link-file-');
    const mu = uriOf(join(dir, 'main.nn'));
    writeFileSync(join(dir, 'main.nn'), model('link.nn', 8));
    const c = await start(dir);
    try {
      await c.openAndCheck(lib, libEdited);
      await c.open(mu, model('link.nn', 8));
      expect(await settle(c, mu, [])).toEqual([]);
      // A 3×3 input: the 5×5 conv inside head fails, in lib.nn, which the editor has open as lib.nn.
      c.change(mu, [{ text: model('link.nn', 3) }]);
      expect(await settle(c, lib, ['E0401'])).toEqual(['E0401']);
      // The file loses its unsaved block: the model is checked again.
      c.change(lib, [{ text: libDisk }]);
      expect(await settle(c, mu, ['E0209', 'E0401'])).toEqual(['E0209', 'E0401']);
      expect(c.published.has(link)).toBe(false);
    } finally {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the link open (alone, then beside the file): its unsaved text is the file\'s, what is said about the file goes to the URIs the editor opened, and either closes alone', async () => {
    const { dir, lib, link } = folder('dslc-link-open-');
    const ou = uriOf(join(dir, 'other.nn'));
    writeFileSync(join(dir, 'other.nn'), model('lib.nn', 3));
    const c = await start(dir);
    try {
      await c.openAndCheck(link, libEdited);
      await c.open(ou, model('lib.nn', 3));
      // (The failing conv is shown at the model's call too.)
      expect(await settle(c, ou, ['E0401'])).toEqual(['E0401']);
      expect(await settle(c, link, ['E0401'])).toEqual(['E0401']);
      expect(c.published.has(lib)).toBe(false);
      // Locations in the file are the link's, as the editor opened it.
      const at = posAt(model('lib.nn', 3), model('lib.nn', 3).indexOf('head(4)'));
      const defs = (await c.request('textDocument/definition', { textDocument: { uri: ou }, position: at })) as { uri: string }[];
      expect(defs.map((d) => d.uri)).toEqual([link]);
      // The file opened too: both names show what is said about it.
      await c.open(lib, libEdited);
      expect(await settle(c, lib, ['E0401'])).toEqual(['E0401']);
      // The link closed: the file stays open (its requests answered), the model still sees the unsaved block.
      await c.close(link);
      expect(await settle(c, link, [])).toEqual([]);
      const symbols = (await c.request('textDocument/documentSymbol', { textDocument: { uri: lib } })) as { name: string }[];
      expect(symbols.map((x) => x.name)).toEqual(['head', 'extra']);
      c.change(ou, [{ text: model('lib.nn', 8) }]);
      expect(await settle(c, ou, [])).toEqual([]);
      expect(await settle(c, lib, [])).toEqual([]);
    } finally {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
