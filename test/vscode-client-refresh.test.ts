/**
 * The VS Code extension's client and `workspace/{inlayHint,codeLens,semanticTokens}/refresh`: it declares
 * refreshSupport, and its providers' onDidChange… events fire when the server asks (a dslc.inlayHints or
 * dslc.codeLens toggle, an edit checked), so VS Code pulls hints, lenses and tokens again. Activated with
 * the `vscode` stand-in (test/helpers/vscode-mock.ts) on the real `dslc lsp --stdio`, as in
 * vscode-client-server.test.ts.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Position, Range, TextDocument, Uri, createVscodeMock, loadExtension, untilWith } from './helpers/vscode-mock.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = process.env.DSLC_BIN ? resolve(process.env.DSLC_BIN) : join(ROOT, 'bin/dslc.cjs');
const settings: Record<string, unknown> = { 'dslc.server.path': process.execPath, 'dslc.server.args': [BIN, 'lsp', '--stdio'], 'dslc.trace.server': false, 'dslc.warmUp': false, 'dslc.diagnosticsCache': false };
const mock = createVscodeMock(settings);
const ext = loadExtension(join(ROOT, 'editors/vscode/extension.js'), mock.api);
const token = { onCancellationRequested() {} };

const until = untilWith(mock.output);

afterAll(async () => {
  await ext.deactivate();
});

describe('the VS Code client: hints, lenses, tokens and folding ranges refreshed when the server asks', () => {
  const text = 'block unit(x: Tensor, c: int) -> Tensor {\n  return x -> conv2d(c, 3, padding=1) -> relu\n}\n\nmodel M(x: [N, 3, 16, 16]) {\n  return x -> unit(8) -> unit(8)\n}\n';
  const doc = new TextDocument(Uri.file(join(tmpdir(), 'dslc-vscode-refresh.nn')), text);
  type Hint = { args: [Position, string, number]; tooltip?: string };
  type Lens = { args: [Range, { title: string } | undefined] };
  const p = mock.providers as Record<string, Record<string, Function>>;
  const hints = async () => (await p.inlayHint!.provideInlayHints!(doc, new Range(new Position(0, 0), new Position(9, 0)), token)) as Hint[];
  const lenses = async () => (await p.codeLens!.provideCodeLenses!(doc, token)) as Lens[];
  const tokens = async () => (await p.semanticTokens!.provideDocumentSemanticTokens!(doc, token)) as { data: Uint32Array };
  const folds = async () => (await p.foldingRange!.provideFoldingRanges!(doc, {}, token)) as unknown[];
  const fired = { inlayHint: 0, codeLens: 0, semanticTokens: 0, foldingRange: 0 };
  /** Sets dslc.<key> as VS Code does: the setting, then the configuration event. */
  const set = (key: string, value: boolean) => {
    settings[`dslc.${key}`] = value;
    for (const l of mock.listeners.config) l({ affectsConfiguration: (s: string) => s === 'dslc' || s === `dslc.${key}` });
  };

  it('declares refreshSupport and gives each provider its change event; hints keep their tooltip', async () => {
    mock.documents.push(doc);
    await ext.activate({ subscriptions: [], extensionPath: join(ROOT, 'editors/vscode') });
    await until('diagnostics', () => mock.published.get(doc.uri.toString()));
    p.inlayHint!.onDidChangeInlayHints!(() => fired.inlayHint++);
    p.codeLens!.onDidChangeCodeLenses!(() => fired.codeLens++);
    p.semanticTokens!.onDidChangeSemanticTokens!(() => fired.semanticTokens++);
    p.foldingRange!.onDidChangeFoldingRanges!(() => fired.foldingRange++);
    const hs = await hints();
    // The conv inside the block, applied twice: its hint says so on hover.
    expect(hs.find((h) => h.tooltip)).toMatchObject({ tooltip: '2 applications' });
    expect((await lenses()).length).toBeGreaterThan(0);
    expect((await tokens()).data.length).toBeGreaterThan(0);
  });

  it('a dslc.inlayHints or dslc.codeLens toggle refreshes that kind at once', async () => {
    set('inlayHints', false);
    await until('an inlay hint refresh', () => (fired.inlayHint === 1 ? true : undefined));
    expect(await hints()).toEqual([]);
    set('codeLens', false);
    await until('a code lens refresh', () => (fired.codeLens === 1 ? true : undefined));
    expect(await lenses()).toEqual([]);
    set('inlayHints', true);
    set('codeLens', true);
    await until('both refreshed', () => (fired.inlayHint === 2 && fired.codeLens === 2 ? true : undefined));
    expect((await hints()).length).toBeGreaterThan(0);
    expect((await lenses()).length).toBeGreaterThan(0);
  });

  it('an edit: once checked, everything fetched before is refreshed', async () => {
    await tokens();
    const before = { hints: fired.inlayHint, lenses: fired.codeLens, tokens: fired.semanticTokens };
    const line = text.split('\n').findIndex((l) => l.includes('unit(8) ->'));
    const col = text.split('\n')[line]!.indexOf('unit(8)') + 5;
    const edited = text.replace('unit(8) ->', 'unit(4) ->');
    doc.setText(edited);
    for (const l of mock.listeners.change) l({ document: doc, contentChanges: [{ range: new Range(new Position(line, col), new Position(line, col + 1)), rangeLength: 1, text: '4' }] });
    // A second keystroke at once (the server then waits for more before checking), and folding ranges asked for
    // before the check: they are refreshed too.
    const end = new Position(edited.split('\n').length - 1, 0);
    doc.setText(`${edited}#`);
    for (const l of mock.listeners.change) l({ document: doc, contentChanges: [{ range: new Range(end, end), rangeLength: 0, text: '#' }] });
    expect((await folds()).length).toBeGreaterThan(0);
    await until('hints, lenses, tokens and folding ranges refreshed', () => (fired.inlayHint > before.hints && fired.codeLens > before.lenses && fired.semanticTokens > before.tokens && fired.foldingRange > 0 ? true : undefined));
    expect((await hints()).map((h) => h.args[1])).toContain(': [N, 4, 16, 16] | [N, 8, 16, 16]');
  });
});
