/**
 * Workspace symbols ("go to symbol in workspace"): the matcher's ranking, one file's declarations (also from a
 * broken file), the index re-parsing only changed files, and the spawned server answering `workspace/symbol`
 * over open documents (their unsaved text), the workspace folder's files and the standard library.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceFiles } from '../src/lsp/workspace.js';
import { SymbolIndex, fileSymbols, matchScore } from '../src/service/index.js';
import { parseSource } from '../src/syntax/parse.js';
import { sourceFile } from '../src/syntax/source.js';
// @ts-expect-error: plain ESM helper shared with bench/lsp.mjs
import { ROOT, startClient, uriOf } from './helpers/lsp-client.mjs';

describe('matchScore', () => {
  it('ranks exact, prefix, word start, substring, then subsequences with fewer gaps', () => {
    const names = ['bottleneck', 'basic_block', 'Block', 'block', 'res_block', 'resblock', 'bblock', 'bilinear_lock', 'conv_bn', 'b_l_o_c_k'];
    const ranked = names.filter((n) => matchScore(n, 'block') !== undefined).sort((a, b) => matchScore(b, 'block')! - matchScore(a, 'block')!);
    expect(ranked.slice(0, 2)).toEqual(['block', 'Block']);
    expect(ranked.indexOf('basic_block')).toBeLessThan(ranked.indexOf('resblock'));
    expect(ranked.indexOf('res_block')).toBeLessThan(ranked.indexOf('bblock'));
    expect(ranked.indexOf('resblock')).toBeLessThan(ranked.indexOf('bilinear_lock'));
    expect(ranked.indexOf('b_l_o_c_k')).toBeLessThan(ranked.indexOf('bilinear_lock')); // 4 gaps against 8
    expect(ranked).not.toContain('conv_bn');
    expect(ranked).not.toContain('bottleneck');
    // A capital starts a word; the empty query matches everything.
    expect(matchScore('ResNetBlock', 'block')).toBe(matchScore('res_block', 'block'));
    expect(matchScore('conv_bn', '')).toBeDefined();
    expect(matchScore('conv_bn', 'cbn')).toBeGreaterThan(matchScore('conv_bn_relu_x', 'cbx')!);
  });

  it('matches exactly when a name contains the query as a subsequence (brute force over a small alphabet)', () => {
    const isSubsequence = (n: string, q: string) => {
      let j = 0;
      for (const ch of n.toLowerCase()) if (ch === q[j]) j++;
      return j === q.length;
    };
    let seed = 7;
    const rand = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % k);
    const word = (len: number) => Array.from({ length: len }, () => 'abAB_'[rand(5)]).join('');
    for (let i = 0; i < 3000; i++) {
      const n = word(1 + rand(8));
      const q = word(rand(4)).toLowerCase().replace(/_/g, '');
      expect(matchScore(n, q) !== undefined, `${n} / ${q}`).toBe(isSubsequence(n, q));
    }
  });
});

describe('fileSymbols and SymbolIndex', () => {
  const text = 'from std.resnet import basic_block\nconst WIDTH = 64\n# A stem.\nblock stem(x: Tensor) -> Tensor {\n  return x -> conv2d(WIDTH, 7, stride=2, padding=3)\n}\nmodel Net(x: [N, 3, 224, 224]) {\n  return x -> stem -> basic_block(64)\n}\n';

  it("lists a file's models, blocks and constants with their spans, not its imports", () => {
    const syms = fileSymbols({ path: 'a.nn', text, container: 'a.nn' });
    expect(syms.map((s) => [s.kind, s.name])).toEqual([['const', 'WIDTH'], ['block', 'stem'], ['model', 'Net']]);
    const stem = syms[1]!;
    expect(text.slice(stem.nameSpan.start, stem.nameSpan.end)).toBe('stem');
    expect([stem.nameSpan.line, stem.nameSpan.col]).toEqual([4, 7]);
    expect(text.slice(stem.span.start, stem.span.end)).toMatch(/^block stem[\s\S]*\}$/);
  });

  it('keeps the declarations the parser recovers in a broken file', () => {
    const broken = text.replace('return x -> stem', 'return x -> stem ->');
    expect(parseSource(sourceFile('b.nn', broken)).diagnostics.length).toBeGreaterThan(0);
    expect(fileSymbols({ path: 'b.nn', text: broken, container: 'b.nn' }).map((s) => s.name)).toEqual(['WIDTH', 'stem', 'Net']);
  });

  it('parses a file again only when its text changed, and forgets files no longer given', () => {
    const idx = new SymbolIndex();
    const a = { path: 'a.nn', text, container: 'a.nn' };
    const b = { path: 'b.nn', text: 'block stemmed(x: Tensor) -> Tensor {\n  return x\n}\n', container: 'b.nn', std: true };
    const first = idx.query([a, b], 'stem');
    expect(first.map((s) => `${s.container}:${s.name}`)).toEqual(['a.nn:stem', 'b.nn:stemmed']);
    const symbolsA = idx.symbolsOf(a);
    idx.query([a, b], 'net');
    expect(idx.symbolsOf(a)).toBe(symbolsA);
    expect(idx.symbolsOf({ ...a, text: text.replace('stem', 'trunk') })).not.toBe(symbolsA);
    idx.query([a], '');
    expect(idx.size).toBe(1);
  });

  it("ranks the user's files before the standard library on equal matches", () => {
    const idx = new SymbolIndex();
    const mk = (path: string, std: boolean) => ({ path, text: 'block basic_block(x: Tensor) -> Tensor {\n  return x\n}\n', container: path, std });
    expect(idx.query([mk('std.nn', true), mk('mine.nn', false)], 'basic').map((s) => s.container)).toEqual(['mine.nn', 'std.nn']);
  });
});

describe('workspace/symbol through the server', () => {
  it('finds declarations in open documents (unsaved text), workspace files and the standard library', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'dslc-wsym-'));
    mkdirSync(join(ws, 'blocks'));
    writeFileSync(join(ws, 'blocks', 'towers.nn'), 'block tower_a(x: Tensor) -> Tensor {\n  return x -> relu\n}\n\nblock tower_b(x: Tensor) -> Tensor {\n  return x\n}\n');
    writeFileSync(join(ws, 'main.nn'), 'model Main(x: [1, 3, 8, 8]) {\n  return x\n}\n');
    const c = await startClient({ workspaceFolders: [ws], initializationOptions: { warmUp: false } });
    try {
      expect(c.init.capabilities.workspaceSymbolProvider).toBeTruthy();
      type Sym = { name: string; kind: number; containerName: string; location: { uri: string; range: { start: { line: number; character: number } } } };
      const ask = async (query: string) => (await c.request('workspace/symbol', { query })) as Sym[];
      const towers = await ask('tower');
      expect(towers.map((s) => `${s.containerName}:${s.name}`)).toEqual(['blocks/towers.nn:tower_a', 'blocks/towers.nn:tower_b']);
      expect(towers[1]!.location).toEqual({ uri: uriOf(join(ws, 'blocks', 'towers.nn')), range: { start: { line: 4, character: 6 }, end: { line: 4, character: 13 } } });
      expect(towers[0]!.kind).toBe(5); // Class, as in the outline

      // Every standard-library block is found, under its module's name.
      const stdBlocks = readdirSync(join(ROOT, 'stdlib')).filter((f) => f.endsWith('.nn')).flatMap((f) => [...readFileSync(join(ROOT, 'stdlib', f), 'utf8').matchAll(/^block (\w+)/gm)].map((m) => `std.${f.slice(0, -3)}:${m[1]}`));
      expect(stdBlocks.length).toBeGreaterThan(20);
      const all = await ask('');
      const names = new Set(all.map((s) => `${s.containerName}:${s.name}`));
      for (const b of stdBlocks) expect(names.has(b), b).toBe(true);
      expect(names.has('main.nn:Main')).toBe(true);
      const basic = await ask('basic_block');
      expect(basic[0]).toMatchObject({ name: 'basic_block', containerName: 'std.resnet' });

      // An open document answers with its editor text, saved or not; a file changed on disk is read again.
      const uri = uriOf(join(ws, 'main.nn'));
      const got = c.nextDiagnostics(uri);
      await c.open(uri, 'model Main(x: [1, 3, 8, 8]) {\n  return x\n}\n\nblock unsaved_helper(x: Tensor) -> Tensor {\n  return x\n}\n');
      await got;
      expect((await ask('unsaved')).map((s) => s.name)).toEqual(['unsaved_helper']);
      writeFileSync(join(ws, 'blocks', 'towers.nn'), 'block tower_c(x: Tensor) -> Tensor {\n  return x\n}\n');
      utimesSync(join(ws, 'blocks', 'towers.nn'), new Date(), new Date(Date.now() + 5000));
      expect((await ask('tower')).map((s) => s.name)).toEqual(['tower_c']);
      await expect(c.request('workspace/symbol', {})).rejects.toMatchObject({ code: -32602 });
    } finally {
      await c.stop();
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('workspace folders added and removed while the server runs', () => {
  it('workspace/symbol and rename reach the folders as they are now (workspace/didChangeWorkspaceFolders)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dslc-wsfolders-'));
    const [a, b, cc] = ['A', 'B', 'C'].map((d) => join(root, d)) as [string, string, string];
    const lib = 'block tower(x: Tensor) -> Tensor {\n  return x -> relu\n}\n';
    const use = (m: string) => `from "../A/lib.nn" import tower\nmodel ${m}(x: [N, 4]) -> (y: [N, 4]) {\n  return x -> tower\n}\n`;
    for (const d of [a, b, cc]) mkdirSync(d);
    writeFileSync(join(a, 'lib.nn'), lib);
    writeFileSync(join(b, 'useb.nn'), use('UB'));
    writeFileSync(join(cc, 'usec.nn'), use('UC'));
    const c = await startClient({ workspaceFolders: [a, b], capabilities: { workspace: { workspaceFolders: true } }, initializationOptions: { warmUp: false } });
    try {
      expect(c.init.capabilities.workspace?.workspaceFolders).toEqual({ supported: true, changeNotifications: true });
      const names = async (q: string) => ((await c.request('workspace/symbol', { query: q })) as { name: string }[]).map((s) => s.name).filter((n) => n === q);
      expect([...(await names('UB')), ...(await names('UC'))]).toEqual(['UB']);
      await c.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: uriOf(cc), name: 'C' }], removed: [{ uri: uriOf(b), name: 'B' }] } });
      expect([...(await names('UB')), ...(await names('UC'))]).toEqual(['UC']);
      const lu = uriOf(join(a, 'lib.nn'));
      await c.openAndCheck(lu, lib);
      const r = (await c.request('textDocument/rename', { textDocument: { uri: lu }, position: { line: 0, character: 7 }, newName: 'tower2' })) as { changes: Record<string, unknown> };
      expect(Object.keys(r.changes).sort()).toEqual([lu, uriOf(join(cc, 'usec.nn'))].sort());
    } finally {
      await c.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('workspaceFiles', () => {
  it('lists each folder once: links back up the tree (a loop) are not walked again', () => {
    const ws = mkdtempSync(join(tmpdir(), 'dslc-wsloop-'));
    try {
      mkdirSync(join(ws, 'sub'));
      writeFileSync(join(ws, 'lib.nn'), '');
      writeFileSync(join(ws, 'sub', 'a.nn'), '');
      symlinkSync(ws, join(ws, 'loop'));
      symlinkSync(ws, join(ws, 'sub', 'up'));
      expect(workspaceFiles([ws]).sort()).toEqual([join(ws, 'lib.nn'), join(ws, 'sub', 'a.nn')]);
      // A folder given twice, or inside another given, is listed once too.
      expect(workspaceFiles([ws, join(ws, 'sub')]).sort()).toEqual([join(ws, 'lib.nn'), join(ws, 'sub', 'a.nn')]);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
