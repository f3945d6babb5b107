/**
 * References and block-parameter rename across the workspace, through the spawned server: from a block's or
 * constant's own file, the files that import it (open with their unsaved text, or only on disk) are found as
 * they are from an importer; a parameter's `name=` arguments are renamed there too (aliases and instances
 * included), or the rename is refused.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without type declarations
import { ROOT, startClient, uriOf, posAt } from './helpers/lsp-client.mjs';

interface Pos {
  line: number;
  character: number;
}
interface Loc {
  uri: string;
  range: { start: Pos; end: Pos };
}
type Changes = Record<string, { range: { start: Pos; end: Pos }; newText: string }[]>;

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A server over a temporary workspace folder holding `files` and symbolic `links` (name: the file it leads to, in the
 * same folder); `open` lists those the editor has open (with `unsaved` texts instead of the disk's).
 */
async function workspace(files: Record<string, string>, open: string[], unsaved: Record<string, string> = {}, links: Record<string, string> = {}) {
  const ws = realpathSync(mkdtempSync(join(tmpdir(), 'dslc-refs-')));
  cleanups.push(() => rmSync(ws, { recursive: true, force: true }));
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(join(ws, f, '..'), { recursive: true });
    writeFileSync(join(ws, f), t);
  }
  for (const [l, target] of Object.entries(links)) symlinkSync(target, join(ws, l));
  const c = await startClient({ workspaceFolders: [ws], initializationOptions: { warmUp: false } });
  cleanups.push(() => c.stop());
  const texts: Record<string, string> = { ...files, ...Object.fromEntries(Object.entries(links).map(([l, target]) => [l, files[target]!])), ...unsaved };
  for (const f of open) await c.openAndCheck(uriOf(join(ws, f)), texts[f]);
  const nameOf = (uri: string) => Object.keys(texts).find((k) => uriOf(join(ws, k)) === uri) ?? uri;
  const at = (f: string, needle: string, delta = 0) => {
    const i = texts[f]!.indexOf(needle);
    if (i < 0) throw new Error(`${needle} not in ${f}`);
    return { textDocument: { uri: uriOf(join(ws, f)) }, position: posAt(texts[f], i + delta) };
  };
  return {
    c,
    ws,
    texts,
    /** References as `file:line:character` (1-based lines), sorted. */
    async refs(f: string, needle: string, delta = 0, includeDeclaration = true): Promise<string[]> {
      const r: Loc[] = await c.request('textDocument/references', { ...at(f, needle, delta), context: { includeDeclaration } });
      return r.map((l) => `${nameOf(l.uri)}:${l.range.start.line + 1}:${l.range.start.character}`).sort();
    },
    /** Each edited file's text after the rename's edits. */
    async rename(f: string, needle: string, newName: string, delta = 0): Promise<Record<string, string>> {
      const r: { changes: Changes } = await c.request('textDocument/rename', { ...at(f, needle, delta), newName });
      const out: Record<string, string> = {};
      for (const [u, edits] of Object.entries(r.changes)) {
        const name = nameOf(u);
        const lines = texts[name]!.split('\n');
        for (const e of [...edits].sort((p, q) => q.range.start.line - p.range.start.line || q.range.start.character - p.range.start.character)) {
          const l = lines[e.range.start.line]!;
          lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
        }
        out[name] = lines.join('\n');
      }
      return out;
    },
  };
}

const LIB = 'const WIDTH = 32\n\nblock tower(x: Tensor, dim: int = 128) -> Tensor {\n  return x -> flatten -> dense(dim) -> dense(WIDTH)\n}\n';
const MAIN = 'from "./lib.nn" import tower, WIDTH\n\nmodel M(x: [N, 3, 4, 4]) {\n  return x -> tower(dim=64) -> dense(WIDTH)\n}\n';
const OTHER = 'from "./lib.nn" import tower\n\nmodel O(x: [N, 3, 4, 4]) {\n  return x -> tower(dim=10)\n}\n';
const ALIAS = 'from "./lib.nn" import tower as tw\n\nmodel A(x: [N, 3, 4, 4]) {\n  t = tw(dim=3)\n  return x -> t -> tw(dim=1)\n}\n';

describe('block parameters renamed in the files that import the block', () => {
  it('from the declaration or from an argument: every `name=` of every importer (open, on disk, aliased, instances)', async () => {
    const files = { 'lib.nn': LIB, 'main.nn': MAIN, 'sub/other.nn': OTHER.replace('./lib.nn', '../lib.nn'), 'alias.nn': ALIAS };
    // main.nn is open with an unsaved second call: its editor text is the one renamed.
    const unsaved = { 'main.nn': MAIN.replace('tower(dim=64)', 'tower(dim=64) -> tower(dim=2)') };
    const w = await workspace(files, ['lib.nn', 'main.nn'], unsaved);
    const expected: Record<string, string> = {
      'lib.nn': LIB.replace('dim: int', 'units: int').replace('dense(dim)', 'dense(units)'),
      'main.nn': unsaved['main.nn'].replace(/dim=/g, 'units='),
      'sub/other.nn': files['sub/other.nn'].replace('dim=', 'units='),
      'alias.nn': ALIAS.replace(/dim=/g, 'units='),
    };
    expect(await w.rename('lib.nn', 'dim:', 'units')).toEqual(expected);
    expect(await w.rename('main.nn', 'dim=', 'units', 1)).toEqual(expected);
    expect(await w.rename('lib.nn', 'dense(dim)', 'units', 7)).toEqual(expected);
    // The renamed workspace checks clean (lib.nn saved and closed: its importers read the disk).
    for (const [f, t] of Object.entries(expected)) writeFileSync(join(w.ws, f), t);
    await w.c.close(uriOf(join(w.ws, 'lib.nn')));
    for (const f of ['alias.nn', 'sub/other.nn']) {
      const d = await w.c.openAndCheck(uriOf(join(w.ws, f)), expected[f]);
      expect(d.diagnostics.filter((x: { severity: number }) => x.severity === 1).map((x: { message: string }) => x.message)).toEqual([]);
    }
  });

  it('refused when a call in an importer already passes the new name', async () => {
    const bad = 'from "./lib.nn" import tower\nmodel B(x: [N, 3, 4, 4]) {\n  return x -> tower(dim=4, units=5)\n}\n';
    const w = await workspace({ 'lib.nn': LIB, 'bad.nn': bad }, ['lib.nn']);
    await expect(w.rename('lib.nn', 'dim:', 'units')).rejects.toMatchObject({ code: -32803, message: expect.stringMatching(/bad\.nn/) });
    expect(Object.keys(await w.rename('lib.nn', 'dim:', 'size')).sort()).toEqual(['bad.nn', 'lib.nn']);
  });
});

describe('references reach the files that import a declaration', () => {
  it('the same set from the declaring file as from an importer (open or on disk), for blocks, constants and parameters', async () => {
    const w = await workspace({ 'lib.nn': LIB, 'main.nn': MAIN, 'other.nn': OTHER }, ['lib.nn', 'main.nn']);
    const tower = ['lib.nn:3:6', 'main.nn:1:23', 'main.nn:4:14', 'other.nn:1:23', 'other.nn:4:14'];
    expect(await w.refs('lib.nn', 'tower')).toEqual(tower);
    expect(await w.refs('main.nn', 'tower(')).toEqual(tower);
    const width = ['lib.nn:1:6', 'lib.nn:4:45', 'main.nn:1:30', 'main.nn:4:37'];
    expect(await w.refs('lib.nn', 'WIDTH')).toEqual(width);
    expect(await w.refs('main.nn', 'WIDTH)')).toEqual(width);
    // (An import without alias names the declaration there, as its definition does: both left out.)
    expect(await w.refs('lib.nn', 'WIDTH', 0, false)).toEqual(['lib.nn:4:45', 'main.nn:4:37']);
    expect(await w.refs('main.nn', 'WIDTH)', 0, false)).toEqual(['lib.nn:4:45', 'main.nn:4:37']);
    const dim = ['lib.nn:3:23', 'lib.nn:4:31', 'main.nn:4:20', 'other.nn:4:20'];
    expect(await w.refs('lib.nn', 'dim:')).toEqual(dim);
    expect(await w.refs('main.nn', 'dim=')).toEqual(dim);
  });

  it("an alias's uses are references of the imported declaration (as highlights have them)", async () => {
    const w = await workspace({ 'lib.nn': LIB, 'alias.nn': ALIAS }, ['lib.nn', 'alias.nn']);
    const all = ['alias.nn:1:23', 'alias.nn:1:32', 'alias.nn:4:6', 'alias.nn:5:19', 'lib.nn:3:6'];
    expect(await w.refs('alias.nn', 'tower')).toEqual(all);
    expect(await w.refs('alias.nn', 'tw(dim=1')).toEqual(all);
    expect(await w.refs('lib.nn', 'tower')).toEqual(all);
    const hl: { range: { start: Pos } }[] = await w.c.request('textDocument/documentHighlight', { textDocument: { uri: uriOf(join(w.ws, 'alias.nn')) }, position: { line: 0, character: 24 } });
    expect(hl.map((h) => `alias.nn:${h.range.start.line + 1}:${h.range.start.character}`).sort()).toEqual(all.filter((x) => x.startsWith('alias')));
  });

  it('a standard-library block: the open documents that import it', async () => {
    const w = await workspace({ 'user.nn': 'from std.resnet import basic_block\nmodel Q(x: [N, 8, 8, 8]) {\n  return x -> basic_block(8)\n}\n' }, ['user.nn']);
    const std = join(ROOT, 'stdlib', 'resnet.nn');
    const text = readFileSync(std, 'utf8');
    await w.c.openAndCheck(uriOf(std), text);
    const line = text.split('\n').findIndex((l) => l.startsWith('block basic_block'));
    const r: Loc[] = await w.c.request('textDocument/references', { textDocument: { uri: uriOf(std) }, position: { line, character: 8 }, context: { includeDeclaration: true } });
    const user = r.filter((l) => l.uri === uriOf(join(w.ws, 'user.nn'))).map((l) => `${l.range.start.line + 1}:${l.range.start.character}`);
    expect(user.sort()).toEqual(['1:23', '3:14']);
    expect(r.filter((l) => l.uri === uriOf(std)).length).toBeGreaterThan(1);
  });
});

describe('a file imported through a symbolic link is the file it leads to', () => {
  // main.nn imports lib.nn through link.nn; other.nn imports it by its own name.
  const files = { 'lib.nn': LIB, 'main.nn': MAIN.replace('./lib.nn', './link.nn'), 'other.nn': OTHER };
  const tower = ['lib.nn:3:6', 'main.nn:1:24', 'main.nn:4:14', 'other.nn:1:23', 'other.nn:4:14'];
  const dimRenamed = {
    'main.nn': files['main.nn'].replace('dim=', 'units='),
    'other.nn': OTHER.replace('dim=', 'units='),
  };

  it('references and rename reach the importers under either name, each file once (never the link beside its file)', async () => {
    const w = await workspace(files, ['lib.nn', 'main.nn'], {}, { 'link.nn': 'lib.nn' });
    expect(await w.refs('lib.nn', 'tower')).toEqual(tower);
    expect(await w.refs('main.nn', 'tower(')).toEqual(tower);
    const renamed = { 'lib.nn': LIB.replace('dim: int', 'units: int').replace('dense(dim)', 'dense(units)'), ...dimRenamed };
    expect(await w.rename('lib.nn', 'dim:', 'units')).toEqual(renamed);
    expect(await w.rename('main.nn', 'dim=', 'units', 1)).toEqual(renamed);
  });

  it('with the link open in the editor (not the file), locations in the file are at the link', async () => {
    const w = await workspace(files, ['link.nn', 'other.nn'], {}, { 'link.nn': 'lib.nn' });
    expect(await w.refs('other.nn', 'tower(')).toEqual(tower.map((x) => x.replace('lib.nn', 'link.nn')));
    expect(await w.rename('link.nn', 'dim:', 'units')).toEqual({ 'link.nn': LIB.replace('dim: int', 'units: int').replace('dense(dim)', 'dense(units)'), ...dimRenamed });
  });
});
