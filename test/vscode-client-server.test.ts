/**
 * The VS Code extension's client (editors/vscode/extension.js), activated in Node with a stand-in for the
 * `vscode` module (test/helpers/vscode-mock.ts), starting the real `dslc lsp --stdio` (the build in dist/:
 * `npm test` builds first): diagnostics reach the diagnostic collection, edits are sent incrementally,
 * and hover, completion, formatting, semantic tokens, folding and quick fixes answer through the registered
 * providers.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatText } from '../src/syntax/printer.js';
import { CodeActionKind, Diagnostic, Position, Range, TextDocument, Uri, createVscodeMock, loadExtension, untilWith } from './helpers/vscode-mock.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = process.env.DSLC_BIN ? resolve(process.env.DSLC_BIN) : join(ROOT, 'bin/dslc.cjs');
const mock = createVscodeMock({ 'dslc.server.path': process.execPath, 'dslc.server.args': [BIN, 'lsp', '--stdio'], 'dslc.trace.server': false });
const ext = loadExtension(join(ROOT, 'editors/vscode/extension.js'), mock.api);
const token = { onCancellationRequested() {} };

const until = untilWith(mock.output);

afterAll(async () => {
  await ext.deactivate();
});

describe('the VS Code client with dslc lsp --stdio', () => {
  const text = readFileSync(join(ROOT, 'examples/lenet5.nn'), 'utf8');
  const uri = Uri.file(join(ROOT, 'examples/lenet5.nn'));
  const doc = new TextDocument(uri, text.replace('conv2d(16', 'conv2dd(16'));
  mock.documents.push(doc);

  it('starts the server, opens the documents already open and shows their diagnostics', async () => {
    await ext.activate({ subscriptions: [], extensionPath: join(ROOT, 'editors/vscode') });
    expect(mock.errors).toEqual([]);
    const ds = await until('diagnostics', () => {
      const got = mock.published.get(uri.toString());
      return got?.some((d) => d.code === 'E0201') ? got : undefined;
    });
    const typo = ds.find((d) => d.code === 'E0201')!;
    const line = doc.getText().split('\n').findIndex((l) => l.includes('conv2dd'));
    expect(typo.range.start).toEqual(new Position(line, doc.getText().split('\n')[line]!.indexOf('conv2dd')));
    expect(typo.severity).toBe(mock.api.DiagnosticSeverity.Error);
    for (const p of ['hover', 'completion', 'definition', 'formatting', 'rangeFormatting', 'workspaceSymbol', 'selectionRange', 'documentSymbol', 'documentHighlight']) expect(Object.keys(mock.providers), p).toContain(p);
  });

  it('sends edits (incrementally when the server asks for it) and gets the diagnostics of the new text', async () => {
    const before = doc.getText();
    const at = before.indexOf('conv2dd');
    const start = new Position(before.slice(0, at).split('\n').length - 1, at - before.lastIndexOf('\n', at) - 1);
    doc.setText(before.replace('conv2dd', 'conv2d'));
    for (const l of mock.listeners.change)
      l({ document: doc, contentChanges: [{ range: new Range(start, new Position(start.line, start.character + 7)), rangeLength: 7, text: 'conv2d' }] });
    await until('the errors to clear', () => (mock.published.get(uri.toString())?.some((d) => d.severity === 0) ? undefined : true));
  });

  it('forwards file-system changes: an import edited outside the editor re-checks its importer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dslc-vscode-'));
    const lib = join(dir, 'lib.nn');
    writeFileSync(lib, 'block head(x: Tensor, n: int) -> Tensor {\n  return x -> flatten() -> dense(n)\n}\n');
    const main = new TextDocument(Uri.file(join(dir, 'main.nn')), 'from "./lib.nn" import head\n\nmodel M(x: [N, 3, 8, 8]) -> (y: [N, 10]) {\n  return x -> conv2d(4, 3) -> head(10)\n}\n');
    for (const l of mock.listeners.open) l(main);
    const key = main.uri.toString();
    await until('diagnostics of main.nn', () => mock.published.get(key));
    expect(mock.published.get(key)).toEqual([]);
    writeFileSync(lib, 'block head(x: Tensor) -> Tensor {\n  return x -> flatten() -> dense(10)\n}\n');
    mock.fileEvent('change', Uri.file(lib));
    await until('E0203 after the import changed', () => (mock.published.get(key)?.some((d) => d.code === 'E0203') ? true : undefined));
    for (const l of mock.listeners.close) l(main);
  });

  it('forwards a folder deleted (one event for the folder): the importer of a file in it is checked again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dslc-vscode-'));
    mkdirSync(join(dir, 'layers'));
    writeFileSync(join(dir, 'layers', 'lib.nn'), 'block head(x: Tensor) -> Tensor {\n  return x -> relu\n}\n');
    const main = new TextDocument(Uri.file(join(dir, 'main.nn')), 'from "./layers/lib.nn" import head\n\nmodel M(x: [N, 4]) -> (y: [N, 4]) {\n  return x -> head\n}\n');
    for (const l of mock.listeners.open) l(main);
    const key = main.uri.toString();
    await until('diagnostics of main.nn', () => mock.published.get(key));
    expect(mock.published.get(key)).toEqual([]);
    rmSync(join(dir, 'layers'), { recursive: true });
    mock.fileEvent('delete', Uri.file(join(dir, 'layers')));
    await until('E0206 after the folder went', () => (mock.published.get(key)?.some((d) => d.code === 'E0206') ? true : undefined));
    for (const l of mock.listeners.close) l(main);
  });

  it('answers hover and completion through the providers', async () => {
    const lines = doc.getText().split('\n');
    const line = lines.findIndex((l) => l.includes('conv2d(16'));
    const pos = new Position(line, lines[line]!.indexOf('conv2d(16') + 2);
    const hover = (await (mock.providers.hover as { provideHover: Function }).provideHover(doc, pos, token)) as { contents: { value: string }[] };
    expect(hover.contents.map((c) => c.value).join('\n')).toMatch(/\[N, 16, 10, 10\]/);
    const list = (await (mock.providers.completion as { provideCompletionItems: Function }).provideCompletionItems(doc, pos, token)) as { items: { label: string }[] };
    expect(list.items.map((i) => i.label)).toContain('conv2d');
    const marks = (await (mock.providers.documentHighlight as { provideDocumentHighlights: Function }).provideDocumentHighlights(doc, pos, token)) as { args: unknown[] }[];
    expect(marks.length).toBeGreaterThanOrEqual(2); // conv2d is called more than once in LeNet-5
    // Docs come when an item is shown (completionItem/resolve).
    const conv = list.items.find((i) => i.label === 'conv2d')!;
    const resolved = (await (mock.providers.completion as { resolveCompletionItem: Function }).resolveCompletionItem(conv, token)) as { documentation?: { value: string } };
    expect(resolved.documentation?.value).toMatch(/convolution/i);
  });

  it('semantic tokens: registered with the legend the server gives, answered from textDocument/semanticTokens/full', async () => {
    const [legend] = mock.registered.semanticTokens as [{ tokenTypes: string[]; tokenModifiers: string[] }];
    expect(legend.tokenTypes).toContain('function');
    expect(legend.tokenModifiers).toContain('defaultLibrary');
    const provider = mock.providers.semanticTokens as { provideDocumentSemanticTokens: Function };
    const tokens = (await provider.provideDocumentSemanticTokens(doc, token)) as { data: Uint32Array };
    expect(tokens.data).toBeInstanceOf(Uint32Array);
    // Decoded (relative lines and columns), each `conv2d` call is a library function.
    const lines = doc.getText().split('\n');
    const named: string[] = [];
    for (let i = 0, line = 0, col = 0; i < tokens.data.length; i += 5) {
      const [dl, dc, len, type, mods] = tokens.data.subarray(i, i + 5) as unknown as number[];
      col = dl ? dc! : col + dc!;
      line += dl!;
      named.push(`${lines[line]!.slice(col, col + len!)}:${legend.tokenTypes[type!]}${mods! & (1 << legend.tokenModifiers.indexOf('defaultLibrary')) ? '/lib' : ''}`);
    }
    expect(named).toContain('conv2d:function/lib');
    expect(named.filter((n) => n === 'conv2d:function/lib').length).toBe(lines.filter((l) => l.includes('conv2d(')).length);
    // Names only: VS Code's TextMate grammar colours keywords, numbers, strings, comments and operators (the
    // server sends them for other editors; the names after them still decode to their text, as above).
    expect(legend.tokenTypes).toContain('keyword');
    expect(named.filter((n) => /:(keyword|number|string|comment|operator)\b/.test(n))).toEqual([]);
    expect(named.length).toBeGreaterThan(10);
  });

  describe('on a model with a comment block, a shrinking conv and a conv before a norm', () => {
    const text = '# LeNet-like stem:\n# one conv, one norm.\nmodel M(x: [N, 3, 32, 32]) -> (y: [N, 8, 32, 32]) {\n  y = x -> conv2d(8, 3) -> batchnorm\n  return y\n}\n';
    const stem = new TextDocument(Uri.file(join(tmpdir(), 'dslc-vscode-stem.nn')), text);
    const key = stem.uri.toString();

    it('folding ranges keep their kind: the comment block folds as a comment', async () => {
      for (const l of mock.listeners.open) l(stem);
      const ranges = (await (mock.providers.foldingRange as { provideFoldingRanges: Function }).provideFoldingRanges(stem, {}, token)) as { start: number; end: number; kind?: number }[];
      expect(ranges).toContainEqual(expect.objectContaining({ start: 0, end: 1, kind: mock.api.FoldingRangeKind.Comment }));
      expect(ranges).toContainEqual(expect.objectContaining({ start: 2, end: 5, kind: undefined }));
    });

    it('quick fixes come back for the diagnostics VS Code hands over (bias=false for W0101, padding for the shrinking conv)', async () => {
      const published = await until('W0101 and E0405', () => {
        const ds = mock.published.get(key);
        return ds?.some((d) => d.code === 'W0101') && ds.some((d) => d.code === 'E0405') ? ds : undefined;
      });
      // VS Code passes copies rebuilt from its markers: the fields only, nothing the client kept on its objects.
      const copy = (d: Diagnostic) => Object.assign(new Diagnostic(d.range, d.message, d.severity), { code: d.code, source: d.source });
      const provider = mock.providers.codeAction as { provideCodeActions: Function };
      type Action = { title: string; kind: CodeActionKind; diagnostics?: Diagnostic[]; isPreferred?: boolean; edit: { edits: { newText: string }[] } };
      const w0101 = published.find((d) => d.code === 'W0101')!;
      const actions = (await provider.provideCodeActions(stem, w0101.range, { diagnostics: [copy(w0101)], only: CodeActionKind.QuickFix, triggerKind: 1 }, token)) as Action[];
      const bias = actions.find((a) => /bias=false/.test(a.title))!;
      expect(bias.kind.value).toBe('quickfix');
      expect(bias.diagnostics!.map((d) => [d.code, d.source, d.severity])).toEqual([['W0101', 'dslc', mock.api.DiagnosticSeverity.Warning]]);
      expect(bias.diagnostics![0]!.range).toEqual(w0101.range);
      expect(bias.edit.edits.map((e) => e.newText).join('')).toMatch(/bias=false/);
      const conv = text.split('\n')[3]!.indexOf('conv2d');
      const onConv = new Range(new Position(3, conv), new Position(3, conv));
      const e0405 = published.filter((d) => d.code === 'E0405').map(copy);
      const atConv = (await provider.provideCodeActions(stem, onConv, { diagnostics: e0405, triggerKind: 2 }, token)) as Action[];
      expect(atConv.map((a) => a.title)).toContainEqual(expect.stringMatching(/padding=1/));
      expect(atConv.find((a) => /padding=1/.test(a.title))!.edit.edits.map((e) => e.newText).join('')).toMatch(/padding=1/);
      // The kinds the server offers are declared with the provider (VS Code asks it only for those).
      expect(mock.registered.codeAction).toEqual([{ providedCodeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.Empty.append('source').append('organizeImports')] }]);
      for (const l of mock.listeners.close) l(stem);
    });
  });

  it('rename: prepareRename gives the range, and a refused rename throws the reason the server gives (VS Code shows it)', async () => {
    const lines = doc.getText().split('\n');
    const line = lines.findIndex((l) => /^\s+h = /.test(l));
    const pos = new Position(line, lines[line]!.indexOf('h = '));
    const rename = mock.providers.rename as { prepareRename: Function; provideRenameEdits: Function };
    const prep = (await rename.prepareRename(doc, pos, token)) as { placeholder: string };
    expect(prep.placeholder).toBe('h');
    const onOp = new Position(line, lines[line]!.indexOf('->') + 3);
    await expect(rename.prepareRename(doc, onOp, token)).rejects.toThrow(/layer catalogue/);
    await expect(rename.provideRenameEdits(doc, pos, 'x', token)).rejects.toThrow(/cannot rename 'h' to 'x'/);
  });

  it('formatting: the document, and a selection, as the changed middle only', async () => {
    const text = doc.getText();
    // A text the formatter changes: its edits (the changed middle only) give the formatted text.
    const messy = text.replace(/ -> /g, '->').replace(/, /g, ',');
    expect(messy).not.toBe(text);
    const replaceAll = (t: string) => {
      const lines = doc.getText().split('\n');
      const end = new Position(lines.length - 1, lines.at(-1)!.length);
      const old = doc.getText();
      doc.setText(t);
      for (const l of mock.listeners.change) l({ document: doc, contentChanges: [{ range: new Range(new Position(0, 0), end), rangeLength: old.length, text: t }] });
    };
    replaceAll(messy);
    type Edit = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string };
    const edits = (await (mock.providers.formatting as { provideDocumentFormattingEdits: Function }).provideDocumentFormattingEdits(doc, { tabSize: 2, insertSpaces: true }, token)) as Edit[];
    expect(edits).toHaveLength(1);
    const starts = [0, ...[...messy.matchAll(/\n/g)].map((m) => m.index! + 1)];
    const at = (p: { line: number; character: number }) => starts[p.line]! + p.character;
    const e = edits[0]!;
    expect(messy.slice(0, at(e.range.start)) + e.newText + messy.slice(at(e.range.end))).toBe(formatText(messy).result);
    expect(e.newText.length).toBeLessThan(formatText(messy).result!.length);
    // A selection: the declarations it touches (this file has one), through textDocument/rangeFormatting.
    const line = messy.split('\n').findIndex((l) => l.includes('conv2d(16'));
    const ranged = (await (mock.providers.rangeFormatting as { provideDocumentRangeFormattingEdits: Function }).provideDocumentRangeFormattingEdits(doc, new Range(new Position(line, 0), new Position(line, 4)), { tabSize: 2, insertSpaces: true }, token)) as Edit[];
    expect(ranged.map((r) => r.newText)).toEqual([e.newText]);
    replaceAll(text);
  });

  it('selection ranges: nested VS Code SelectionRanges from the server', async () => {
    const lines = doc.getText().split('\n');
    const line = lines.findIndex((l) => l.includes('conv2d(16'));
    const pos = new Position(line, lines[line]!.indexOf('conv2d(16') + 8);
    const [sel] = (await (mock.providers.selectionRange as { provideSelectionRanges: Function }).provideSelectionRanges(doc, [pos], token)) as { args: unknown[] }[];
    const texts: string[] = [];
    for (let s: { args: unknown[] } | undefined = sel; s; s = s.args[1] as { args: unknown[] } | undefined) {
      const r = s.args[0] as Range;
      texts.push(r.start.line === r.end.line ? lines[r.start.line]!.slice(r.start.character, r.end.character) : `lines ${r.start.line}-${r.end.line}`);
    }
    expect(texts[0]).toBe('16');
    expect(texts[1]).toMatch(/^conv2d\(16/);
    expect(texts.at(-1)).toBe(`lines 0-${lines.length - 1}`);
  });

  it("a model's code lens opens its summary beside the editor, as `dslc summary --format markdown` prints it", async () => {
    // (vscode.CodeLens(range, command) in the mock: its arguments.)
    // (Lenses wait for the check of an edit made just before: an earlier test restored the text.)
    type Lens = { args: [unknown, { title: string; command: string; arguments?: unknown[] } | undefined] };
    let lenses: Lens[] = [];
    for (let i = 0; i < 200 && !lenses.length; i++) {
      lenses = (await (mock.providers.codeLens as { provideCodeLenses: Function }).provideCodeLenses(doc, token)) as Lens[];
      if (!lenses.length) await new Promise((r) => setTimeout(r, 20));
    }
    const lens = lenses.map((l) => l.args[1]).find((c) => c?.command === 'dslc.showSummary')!;
    expect(lens.title).toMatch(/params/);
    expect(lens.arguments).toEqual([uri.toString(), 'LeNet5']);
    await mock.commands['dslc.showSummary']!(...lens.arguments!);
    const file = join(mkdtempSync(join(tmpdir(), 'dslc-summary-')), 'lenet5.nn');
    writeFileSync(file, doc.getText());
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/dslc.cjs'), 'summary', '--format', 'markdown', file], { encoding: 'utf8' });
    expect(cli.status).toBe(0);
    expect(mock.opened.at(-1)).toEqual({ language: 'markdown', content: cli.stdout.endsWith('\n') ? cli.stdout : `${cli.stdout}\n` });
    expect(mock.shown.at(-1)!.opts).toEqual({ viewColumn: -2, preview: true });
    // A model name the file does not have: an error message, nothing opened.
    const n = mock.opened.length;
    await mock.commands['dslc.showSummary']!(uri.toString(), 'Nope');
    expect(mock.opened.length).toBe(n);
    expect(mock.errors.at(-1)).toMatch(/no summary: no checked model 'Nope'/);
  });

  it('workspace symbols: the open document\'s model and standard-library blocks, as SymbolInformation', async () => {
    const provider = mock.providers.workspaceSymbol as { provideWorkspaceSymbols: Function };
    const found = (await provider.provideWorkspaceSymbols('lenet', token)) as { args: unknown[] }[];
    expect(found.map((s) => s.args[0])).toContain('LeNet5');
    const std = (await provider.provideWorkspaceSymbols('bottleneck', token)) as { args: unknown[] }[];
    expect(std[0]!.args.slice(0, 3)).toEqual(['bottleneck', 4, 'std.resnet']); // vscode.SymbolKind.Class is 4
  });

  it('workspace folders added or removed reach the server: workspace symbols search them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dslc-vscode-folder-'));
    writeFileSync(join(dir, 'added.nn'), 'model AddedFolderModel(x: [N, 4]) -> (y: [N, 4]) {\n  return x -> relu\n}\n');
    const provider = mock.providers.workspaceSymbol as { provideWorkspaceSymbols: Function };
    const find = async () => ((await provider.provideWorkspaceSymbols('AddedFolderModel', token)) as { args: unknown[] }[]).map((s) => s.args[0]);
    expect(await find()).toEqual([]);
    const folder = { uri: Uri.file(dir), name: 'added', index: 0 };
    for (const l of mock.listeners.folders) l({ added: [folder], removed: [] });
    expect(await find()).toEqual(['AddedFolderModel']);
    for (const l of mock.listeners.folders) l({ added: [], removed: [folder] });
    expect(await find()).toEqual([]);
  });
});

describe('the VS Code client when the server is gone', () => {
  it('a server that cannot be spawned: activation finishes, requests fail at once', async () => {
    const m = createVscodeMock({ 'dslc.server.path': '/nonexistent/dslc', 'dslc.server.args': ['lsp', '--stdio'] });
    const e = loadExtension(join(ROOT, 'editors/vscode/extension.js'), m.api);
    const t0 = Date.now();
    await e.activate({ subscriptions: [], extensionPath: join(ROOT, 'editors/vscode') });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(m.errors.join('\n')).toMatch(/cannot start the language server/);
    await e.deactivate();
  });
});
