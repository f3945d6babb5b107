/**
 * Block-parameter rename across the workspace, through the spawned server: a parameter's `name=` arguments are
 * renamed in the files that import the block (open with their unsaved text, or only on disk; aliases and
 * instances included), or the rename is refused.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without type declarations
import { startClient, uriOf, posAt } from './helpers/lsp-client.mjs';

interface Pos {
  line: number;
  character: number;
}
type Changes = Record<string, { range: { start: Pos; end: Pos }; newText: string }[]>;

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A server over a temporary workspace folder holding `files`; `open` lists those the editor has open (with `unsaved` texts instead of the disk's). */
async function workspace(files: Record<string, string>, open: string[], unsaved: Record<string, string> = {}) {
  const ws = mkdtempSync(join(tmpdir(), 'dslc-refs-'));
  cleanups.push(() => rmSync(ws, { recursive: true, force: true }));
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(join(ws, f, '..'), { recursive: true });
    writeFileSync(join(ws, f), t);
  }
  const c = await startClient({ workspaceFolders: [ws], initializationOptions: { warmUp: false } });
  cleanups.push(() => c.stop());
  const texts: Record<string, string> = { ...files, ...unsaved };
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
