/**
 * The language server as an editor sees it: `node bin/dslc.cjs lsp --stdio` in its own process, spoken to
 * through vscode-languageserver-protocol (needs the build: `npm test` builds first). On the real files.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without type declarations
import { generateModel } from '../bench/lsp-gen.mjs';
import { checkFile } from './helpers/compile.js';
import { formatText } from '../src/syntax/printer.js';
// @ts-expect-error: plain ESM helper shared with bench/lsp.mjs
import { ROOT, posAt, startClient, uriOf } from './helpers/lsp-client.mjs';

type Client = Awaited<ReturnType<typeof startClient>>;
const files = [...readdirSync(join(ROOT, 'examples')).map((f) => `examples/${f}`), ...readdirSync(join(ROOT, 'stdlib')).map((f) => `stdlib/${f}`)].filter((f) => f.endsWith('.nn')).sort();
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

describe('dslc lsp --stdio', () => {
  let c: Client;
  beforeAll(async () => {
    c = await startClient();
  });
  afterAll(async () => {
    await c?.stop();
  });
  /** Opens an example and waits for its (empty) diagnostics. */
  const openClean = async (file: string) => {
    const uri = uriOf(join(ROOT, file));
    const text = read(file);
    expect((await c.openAndCheck(uri, text)).diagnostics).toEqual([]);
    return { uri, text };
  };

  it('initializes with the features it implements', () => {
    const caps = c.init.capabilities;
    expect(caps.textDocumentSync.change).toBe(2); // incremental
    for (const k of ['hoverProvider', 'completionProvider', 'signatureHelpProvider', 'definitionProvider', 'referencesProvider', 'documentHighlightProvider', 'renameProvider', 'documentSymbolProvider', 'workspaceSymbolProvider', 'foldingRangeProvider', 'selectionRangeProvider', 'semanticTokensProvider', 'inlayHintProvider', 'codeLensProvider', 'codeActionProvider', 'documentFormattingProvider'])
      expect(caps[k], k).toBeTruthy();
  });

  for (const f of files) {
    it(`${f}: publishes the CLI's diagnostics; hover, completion, definition, symbols, formatting answer`, async () => {
      const path = join(ROOT, f);
      const uri = uriOf(path);
      const text = read(f);
      const got = c.nextDiagnostics(uri);
      await c.open(uri, text);
      const p = await got;
      const cli = checkFile(f).diagnostics.filter((d) => !d.span || d.span.file === path);
      expect(p.diagnostics.map((d: { code: string }) => d.code)).toEqual(cli.map((d) => d.code));
      const start = Math.max(0, text.search(/^model/m));
      const call = /-> *[a-z_0-9]+\(/.exec(text.slice(start))!;
      const off = start + call.index + call[0].length - 2;
      const h = await c.request('textDocument/hover', { textDocument: { uri }, position: posAt(text, off) });
      if (f.startsWith('examples/') && text.includes('\nmodel ')) expect(h?.contents.value).toMatch(/\[/);
      const comp = await c.request('textDocument/completion', { textDocument: { uri }, position: posAt(text, off) });
      expect(comp.length).toBeGreaterThan(10);
      // Docs come with completionItem/resolve, not in the list.
      const conv = comp.find((x: { label: string }) => x.label === 'conv2d');
      expect(conv.documentation).toBeUndefined();
      expect((await c.request('completionItem/resolve', conv)).documentation.value).toMatch(/convolution/i);
      await c.request('textDocument/definition', { textDocument: { uri }, position: posAt(text, off) });
      const syms = await c.request('textDocument/documentSymbol', { textDocument: { uri } });
      expect(syms.length).toBeGreaterThan(0);
      // The document's edits, and a selection of all of it, give the formatter's text.
      const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)];
      type Edit = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string };
      const applied = (edits: Edit[]) => [...edits].reverse().reduce((t, e) => t.slice(0, starts[e.range.start.line]! + e.range.start.character) + e.newText + t.slice(starts[e.range.end.line]! + e.range.end.character), text);
      const fmt = await c.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
      expect(applied(fmt)).toBe(formatText(text).result);
      const ranged = await c.request('textDocument/rangeFormatting', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: starts.length, character: 0 } }, options: { tabSize: 2, insertSpaces: true } });
      expect(applied(ranged)).toBe(formatText(text).result);
      await c.close(uri);
    });
  }

  it('incremental edits: an error appears where it is typed, with related information, and goes away', async () => {
    const opened = await openClean('examples/resnet18.nn');
    const uri = opened.uri;
    let text = opened.text;
    let got;
    // Type a misspelt layer name, one character at a time, into the stem.
    const at = text.indexOf('relu(name="relu")');
    const pos = posAt(text, at);
    let v = 0;
    // 'relu' → 'rexlu' (the only name within one edit is relu), one keystroke at a time.
    for (const [i, ch] of [...'x'].entries()) v = c.change(uri, [{ range: { start: { line: pos.line, character: pos.character + 2 + i }, end: { line: pos.line, character: pos.character + 2 + i } }, text: ch }]);
    text = `${text.slice(0, at + 2)}x${text.slice(at + 2)}`;
    got = c.nextDiagnostics(uri, 10000, v);
    const p = await got;
    const d = p.diagnostics.find((x: { code: string }) => x.code === 'E0201');
    expect(d.range.start).toEqual(pos);
    expect(d.message).toContain("did you mean 'relu'");
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    expect(actions[0].title).toBe("replace with 'relu'");
    expect(actions[0].edit.changes[uri][0]).toEqual({ range: d.range, newText: 'relu' });
    // `only` filters by kind, hierarchically: quick fixes for `quickfix`, none for `refactor`.
    const only = (k: string) => c.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: [k] } });
    expect((await only('quickfix'))[0].title).toBe("replace with 'relu'");
    expect(await only('refactor')).toEqual([]);
    // Undo by applying the fix.
    v = c.change(uri, [{ range: d.range, text: 'relu' }]);
    expect((await c.nextDiagnostics(uri, 10000, v)).diagnostics).toEqual([]);
    // A shape error in a block call carries related information pointing at the call site.
    const stage = text.indexOf('basic_stage(128, 2, stride=2');
    text = text.replace('rexlu', 'relu');
    const sp = posAt(text, stage + 'basic_stage('.length);
    v = c.change(uri, [{ range: { start: sp, end: { line: sp.line, character: sp.character + 3 } }, text: '0' }]);
    const bad = await c.nextDiagnostics(uri, 10000, v);
    expect(bad.diagnostics.length).toBeGreaterThan(0);
    // That edit lies after the stem: the model's elaboration resumed after it, and only the edited statement was parsed again.
    const stats = await c.request('dslc/stats', { gc: false });
    expect([stats.lastElaborated, stats.lastResumed]).toEqual([1, 1]);
    expect(stats.statementParses).toBeGreaterThan(0);
    const stdUri = uriOf(join(ROOT, 'stdlib/resnet.nn'));
    const inStd = c.published.get(stdUri)?.diagnostics ?? [];
    const related = [...bad.diagnostics, ...inStd].flatMap((x: { relatedInformation?: unknown[] }) => x.relatedInformation ?? []);
    expect(related.length).toBeGreaterThan(0);
    await c.close(uri);
  });

  it('an edit back to the text last checked (typed and deleted at once) gets its diagnostics again, for the new version', async () => {
    const { uri, text } = await openClean('examples/lenet5.nn');
    const at = posAt(text, text.indexOf('model LeNet5'));
    // One notification with both changes: the server never sees the text in between.
    const v = c.change(uri, [
      { range: { start: at, end: at }, text: 'x' },
      { range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' },
    ]);
    const p = await c.nextDiagnostics(uri, 10000, v);
    expect([p.version, p.diagnostics]).toEqual([v, []]);
    await c.close(uri);
  });

  it('a comment typed into a model keeps its last check, moved: diagnostics, hover, hints and lenses as a fresh check gives them', async () => {
    const { uri, text } = await openClean('examples/lenet5.nn');
    // An error after the place of the comment: fc2 one unit wider breaks `assert params == 61_706`.
    let v = c.change(uri, [{ range: { start: posAt(text, text.indexOf('dense(84') + 6), end: posAt(text, text.indexOf('dense(84') + 8) }, text: '85' }]);
    const broken = text.replace('dense(84', 'dense(85');
    const before = (await c.nextDiagnostics(uri, 10000, v)).diagnostics;
    expect(before.length).toBeGreaterThan(0);
    // A comment line typed at the top of the body, one keystroke at a time (the first makes a blank line).
    const at = posAt(broken, broken.indexOf('  h = x'));
    const typed = '\n  # a note';
    for (let i = 0; i < typed.length; i++) {
      const p = i === 0 ? at : { line: at.line, character: i - 1 };
      v = c.change(uri, [{ range: { start: p, end: p }, text: typed[i]! }]);
      await c.nextDiagnostics(uri, 10000, v);
    }
    const now = `${broken.slice(0, broken.indexOf('  h = x'))}${typed.slice(1)}\n${broken.slice(broken.indexOf('  h = x'))}`;
    const after = (await c.nextDiagnostics(uri, 10000, c.change(uri, [{ range: { start: posAt(now, now.length), end: posAt(now, now.length) }, text: '' }]))).diagnostics;
    const stats = await c.request('dslc/stats', { gc: false });
    expect([stats.lastElaborated, stats.lastKept]).toEqual([0, 1]);
    expect(after.map((d: { range: { start: { line: number } } }) => d.range.start.line)).toEqual(before.map((d: { range: { start: { line: number } } }) => d.range.start.line + 1));
    // The same text opened afresh under another name answers alike.
    const fresh = uriOf(join(ROOT, 'examples/__lenet5_fresh.nn'));
    const got = c.nextDiagnostics(fresh);
    await c.open(fresh, now);
    expect((await got).diagnostics).toEqual(after);
    const all = { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } };
    const ask = async (u: string) => ({
      hints: await c.request('textDocument/inlayHint', { textDocument: { uri: u }, range: all }),
      lenses: await c.request('textDocument/codeLens', { textDocument: { uri: u } }),
      hover: await c.request('textDocument/hover', { textDocument: { uri: u }, position: posAt(now, now.indexOf('dense(120') + 1) }),
    });
    const mine = await ask(uri);
    expect(mine.hints.length).toBeGreaterThan(5);
    expect(mine.hover.contents.value).toContain('[N, 120]');
    expect(mine).toEqual(await ask(fresh));
    await c.close(fresh);
    await c.close(uri);
  });

  it('idle work runs while no message comes: the warm-up, and a model kept through a comment is settled', async () => {
    // Servers of their own: what they do between messages is what this tests (an unreferenced immediate, for
    // one, lets the event loop wait for the next message before it runs). The first has no warm-up, whose
    // steps would keep the event loop turning.
    const quiet = () => new Promise((r) => setTimeout(r, 2500));
    const own = await startClient({ initializationOptions: { warmUp: false } });
    try {
      // (Big enough for the settle to take many slices: ~8,000 layers.)
      const uri = uriOf(join(ROOT, 'examples/__idle.nn'));
      const text = generateModel(2000, 'single');
      let got = own.nextDiagnostics(uri);
      await own.open(uri, text);
      expect((await got).diagnostics).toEqual([]);
      const at = posAt(text, text.indexOf('\n', text.indexOf('  h50 = ')));
      const v = own.change(uri, [{ range: { start: at, end: at }, text: ' # a note' }]);
      got = own.nextDiagnostics(uri, 10000, v);
      await got;
      await quiet();
      const stats = await own.request('dslc/stats', { gc: false });
      expect([stats.lastKept, stats.settled, stats.warmedUp]).toEqual([1, 1, false]);
    } finally {
      await own.stop();
    }
    const warm = await startClient();
    try {
      const got = warm.nextDiagnostics(uriOf(join(ROOT, 'examples/lenet5.nn')));
      await warm.open(uriOf(join(ROOT, 'examples/lenet5.nn')), read('examples/lenet5.nn'));
      await got;
      await quiet();
      const stats = await warm.request('dslc/stats', { gc: false });
      expect([stats.warmedUp, stats.warmUpKind]).toEqual([true, 'small']);
    } finally {
      await warm.stop();
    }
    // After a big model (~1,200 layers), the bigger warm-up.
    const big = await startClient();
    try {
      const uri = uriOf(join(ROOT, 'examples/__big-warm-up.nn'));
      const got = big.nextDiagnostics(uri, 10000);
      await big.open(uri, generateModel(300, 'single'));
      expect((await got).diagnostics).toEqual([]);
      let stats = await big.request('dslc/stats', { gc: false });
      for (let i = 0; i < 100 && !stats.warmedUp; i++) {
        await new Promise((r) => setTimeout(r, 100));
        stats = await big.request('dslc/stats', { gc: false });
      }
      expect([stats.warmedUp, stats.warmUpKind]).toEqual([true, 'big']);
    } finally {
      await big.stop();
    }
  });

  it('hover and inlay hints give shapes; code lenses give totals; rename edits every use', async () => {
    const { uri, text } = await openClean('examples/lenet5.nn');
    const h = await c.request('textDocument/hover', { textDocument: { uri }, position: posAt(text, text.indexOf('dense(120') + 1) });
    expect(h.contents.value).toContain('[N, 120]');
    expect(h.contents.value).toContain('48,120');
    const hints = await c.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } } });
    expect(hints.map((x: { label: string }) => x.label)).toContain(': [N, 16, 5, 5]');
    const lenses = await c.request('textDocument/codeLens', { textDocument: { uri } });
    expect(lenses[0].command.title).toMatch(/^61\.7K params · 417K MACs/);
    // No command unless the client says it has the summary command; the summary itself is a request.
    expect(lenses[0].command.command).toBe('');
    const table = await c.request('dslc/summary', { textDocument: { uri }, format: 'table' });
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/dslc.cjs'), 'summary', 'examples/lenet5.nn'], { cwd: ROOT, encoding: 'utf8' });
    expect(table).toEqual({ model: 'LeNet5', text: cli.stdout.trimEnd() });
    await expect(c.request('dslc/summary', { textDocument: { uri }, model: 'Nope' })).rejects.toMatchObject({ code: -32803 });
    const r = await c.request('textDocument/rename', { textDocument: { uri }, position: posAt(text, text.indexOf('h = x') ), newName: 'features' });
    expect(r.changes[uri].length).toBe(5);
    const sig = await c.request('textDocument/signatureHelp', { textDocument: { uri }, position: posAt(text, text.indexOf('conv2d(6, 5') + 'conv2d(6, '.length) });
    expect(sig.activeParameter).toBe(1);
    const toks = await c.request('textDocument/semanticTokens/full', { textDocument: { uri } });
    expect(toks.data.length % 5).toBe(0);
    expect(toks.data.length).toBeGreaterThan(50);
    await c.close(uri);
  });

  it('asked right after an edit, before its check: rename and definition answer for the new text, code actions wait for the check', async () => {
    const text = 'model M(x: [1, 3, 8, 8]) {\n  h = x -> conv2d(4, 3, padding=1) -> relu\n  return h\n}\n';
    const uri = uriOf(join(ROOT, 'fresh.nn'));
    await c.openAndCheck(uri, text);
    // A line inserted above: every position below moves; the requests come before the debounced check.
    const edited = `# Where the features are made.\n${text}`;
    c.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# Where the features are made.\n' }]);
    const at = edited.indexOf('return h') + 'return '.length;
    const renamed = await c.request('textDocument/rename', { textDocument: { uri }, position: posAt(edited, at), newName: 'features' });
    const edits = renamed.changes[uri] as { range: { start: { line: number; character: number } } }[];
    expect(edits.map((e) => e.range.start)).toEqual([posAt(edited, edited.indexOf('h = x')), posAt(edited, at)]);
    const def = await c.request('textDocument/definition', { textDocument: { uri }, position: posAt(edited, at) });
    expect(def[0].range.start).toEqual(posAt(edited, edited.indexOf('h = x')));
    // Answers from the last check are mapped through the unchecked edit: hover, highlights, symbols, hints, lenses,
    // tokens and folding land on the new text.
    const v2 = c.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# another line\n' }]);
    const twice = `# another line\n${edited}`;
    const relu = twice.indexOf('relu');
    const h = await c.request('textDocument/hover', { textDocument: { uri }, position: posAt(twice, relu + 1) });
    expect(h.range).toEqual({ start: posAt(twice, relu), end: posAt(twice, relu + 4) });
    const marks = await c.request('textDocument/documentHighlight', { textDocument: { uri }, position: posAt(twice, twice.indexOf('return h') + 7) });
    expect(marks.map((m: { range: { start: unknown } }) => m.range.start)).toEqual([posAt(twice, twice.indexOf('h = x')), posAt(twice, twice.indexOf('return h') + 7)]);
    const [sym] = await c.request('textDocument/documentSymbol', { textDocument: { uri } });
    expect(sym.selectionRange.start).toEqual(posAt(twice, twice.indexOf('M(')));
    const hints = await c.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } } });
    expect(hints.map((x: { position: unknown }) => x.position)).toContainEqual(posAt(twice, relu + 4));
    const lenses = await c.request('textDocument/codeLens', { textDocument: { uri } });
    expect(lenses[0].range.start).toEqual(posAt(twice, twice.indexOf('model M')));
    const toks = await c.request('textDocument/semanticTokens/full', { textDocument: { uri } });
    expect(toks.data[0]).toBe(posAt(twice, twice.indexOf('M(')).line);
    const folds = await c.request('textDocument/foldingRange', { textDocument: { uri } });
    expect(folds.map((f: { startLine: number }) => f.startLine)).toContain(posAt(twice, twice.indexOf('model M')).line);
    // A hover inside the edit itself waits for the check.
    expect(await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } })).toBe(null);
    await c.nextDiagnostics(uri, 10000, v2);
    const back = c.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
    await c.nextDiagnostics(uri, 10000, back);
    // A conv that shrinks its input, typed: its padding fix comes once the edit is checked, at the new place.
    const v = c.change(uri, [{ range: { start: posAt(edited, edited.indexOf(', padding=1')), end: posAt(edited, edited.indexOf(', padding=1') + ', padding=1'.length) }, text: '' }]);
    const shrunk = edited.replace(', padding=1', '');
    const conv = { start: posAt(shrunk, shrunk.indexOf('conv2d')), end: posAt(shrunk, shrunk.indexOf('conv2d') + 6) };
    expect(await c.request('textDocument/codeAction', { textDocument: { uri }, range: conv, context: { diagnostics: [] } })).toEqual([]);
    await c.nextDiagnostics(uri, 10000, v);
    const acts = await c.request('textDocument/codeAction', { textDocument: { uri }, range: conv, context: { diagnostics: [] } });
    expect(acts.map((a: { title: string }) => a.title)).toContain('insert padding=1 to keep the size');
    await c.close(uri);
  });

  it('completion triggered by a space where nothing can follow stays closed; invoked there, it lists what can', async () => {
    const uri = uriOf(join(ROOT, 'space.nn'));
    const text = 'model M(x: [1, 3, 8, 8]) {\n  y = x -> conv2d(8, 3) \n  return y\n}\n';
    await c.openAndCheck(uri, text);
    const position = { line: 1, character: 24 };
    const bySpace = await c.request('textDocument/completion', { textDocument: { uri }, position, context: { triggerKind: 2, triggerCharacter: ' ' } });
    expect(bySpace).toEqual([]);
    const invoked = await c.request('textDocument/completion', { textDocument: { uri }, position, context: { triggerKind: 1 } });
    expect(invoked.map((x: { label: string }) => x.label).sort()).toEqual(['and', 'or']);
    await c.close(uri);
  });

  it("completion in an import: the standard modules, then the module's blocks", async () => {
    const uri = uriOf(join(ROOT, 'imports.nn'));
    const text = 'from std.\n';
    await c.openAndCheck(uri, text);
    const mods = await c.request('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 9 } });
    expect(mods.map((x: { label: string }) => x.label)).toContain('resnet');
    expect(mods.find((x: { label: string }) => x.label === 'resnet').kind).toBe(9); // Module
    const v = c.change(uri, [{ range: { start: { line: 0, character: 9 }, end: { line: 0, character: 9 } }, text: 'resnet import ' }]);
    await c.nextDiagnostics(uri, 10000, v);
    const names = await c.request('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 23 } });
    expect(names.map((x: { label: string }) => x.label)).toContain('bottleneck');
    expect(names.map((x: { label: string }) => x.label)).not.toContain('conv2d');
    // A standard-library block not imported yet, after ->: offered with its import as an additional edit.
    const body = 'model M(x: [1, 64, 8, 8]) {\n  return x -> bott\n}\n';
    const v2 = c.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: body }]);
    await c.nextDiagnostics(uri, 10000, v2);
    const after = await c.request('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 18 } });
    expect(after.find((x: { label: string }) => x.label === 'bottleneck').additionalTextEdits).toEqual([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'from std.resnet import bottleneck\n\n' }]);
    await c.close(uri);
  });

  it('organize imports: a source action only when asked for, removing the unused names', async () => {
    const uri = uriOf(join(ROOT, 'organize.nn'));
    const text = 'from std.resnet import basic_block, bottleneck\nfrom std.vgg import vgg_block\nmodel M(x: [1, 64, 8, 8]) {\n  return x -> basic_block(64)\n}\n';
    await c.openAndCheck(uri, text);
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    expect(c.init.capabilities.codeActionProvider.codeActionKinds).toContain('source.organizeImports');
    const plain = await c.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [] } });
    expect(plain.map((x: { kind: string }) => x.kind)).not.toContain('source.organizeImports');
    const [act] = await c.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [], only: ['source.organizeImports'] } });
    expect(act).toMatchObject({ kind: 'source.organizeImports', title: 'Remove unused imports (2)' });
    const lines = text.split('\n');
    const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    let t = text;
    for (const e of [...act.edit.changes[uri]].sort((x: { range: { start: { line: number; character: number } } }, y: { range: { start: { line: number; character: number } } }) => offset(y.range.start) - offset(x.range.start))) t = t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end));
    expect(t).toBe('from std.resnet import basic_block\nmodel M(x: [1, 64, 8, 8]) {\n  return x -> basic_block(64)\n}\n');
    await c.close(uri);
  });

  it('completion and signature help: nothing in comments, generic keywords, no activeParameter where no parameter applies', async () => {
    const { uri, text } = await openClean('examples/lenet5.nn');
    const pos = (needle: string) => posAt(text, text.indexOf(needle) + needle.length);
    expect(await c.request('textDocument/completion', { textDocument: { uri }, position: pos('# C1, '), context: { triggerKind: 2, triggerCharacter: ' ' } })).toEqual([]);
    const kw = await c.request('textDocument/completion', { textDocument: { uri }, position: pos('conv2d(6, 5, ') });
    expect(kw.map((i: { label: string }) => i.label)).toEqual(expect.arrayContaining(['padding=', 'name=', 'trainable=']));
    // tanh has no attributes: an empty parameter list and no activeParameter (-1 is not a uinteger).
    const none = await c.request('textDocument/signatureHelp', { textDocument: { uri }, position: pos('tanh(') });
    expect(none.signatures[0].parameters).toEqual([]);
    expect(none).not.toHaveProperty('activeParameter');
    const named = await c.request('textDocument/signatureHelp', { textDocument: { uri }, position: pos('avg_pool2d(2, name=') });
    expect(named).not.toHaveProperty('activeParameter');
    await c.close(uri);
  });

  it('inlay hints can be turned off by the client', async () => {
    const c2 = await startClient({ initializationOptions: { inlayHints: false } });
    const uri = uriOf(join(ROOT, 'examples/lenet5.nn'));
    const got = c2.nextDiagnostics(uri);
    await c2.open(uri, read('examples/lenet5.nn'));
    await got;
    expect(await c2.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } } })).toEqual([]);
    expect((await c2.stop())?.code).toBe(0);
  });

  it('dslc lsp without --stdio is a usage error (exit 2), with help on --help', () => {
    const bad = spawnSync(process.execPath, [join(ROOT, 'bin/dslc.cjs'), 'lsp'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage: dslc lsp --stdio');
    const help = spawnSync(process.execPath, [join(ROOT, 'bin/dslc.cjs'), 'lsp', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
  });
});
