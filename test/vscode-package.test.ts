/**
 * The VS Code extension package (`npm run package:vscode` → scripts/package-vscode.mjs): a .vsix that
 * other zip readers (Info-ZIP `unzip`, Python's zipfile) accept with valid CRCs, with the manifest VS Code
 * reads, the grammar copied from grammar/, the project's license, and the dslc language server, which runs
 * from the unpacked extension (and is all it carries of dslc).
 * The build in dist/ must exist (`npm test` builds first).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextDocument, Uri, createVscodeMock, loadExtension } from './helpers/vscode-mock.js';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'dslc-vsix-'));
const vsix = join(dir, 'dslc-nn.vsix');
const pack = (out: string) => execFileSync(process.execPath, [join(ROOT, 'scripts/package-vscode.mjs'), '-o', out], { cwd: ROOT, encoding: 'utf8' });
/** One archive member, read by Info-ZIP's unzip (not by our own code). */
const member = (name: string) => execFileSync('unzip', ['-p', vsix, name], { maxBuffer: 64 << 20 });

beforeAll(() => {
  expect(pack(vsix)).toMatch(/^wrote .*dslc-nn\.vsix \(\d+ files/);
  execFileSync('unzip', ['-q', '-o', vsix, '-d', join(dir, 'x')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the .vsix', () => {
  it('is a zip that unzip and Python accept, with valid CRCs', () => {
    const t = spawnSync('unzip', ['-t', vsix], { encoding: 'utf8' });
    expect(t.status, t.stdout + t.stderr).toBe(0);
    expect(t.stdout).toMatch(/No errors detected/);
    const py = spawnSync('/usr/bin/python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip()); print("\\n".join(z.namelist()))', vsix], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const [bad, ...names] = py.stdout.trim().split('\n');
    expect(bad).toBe('None');
    for (const n of ['[Content_Types].xml', 'extension.vsixmanifest', 'extension/package.json', 'extension/extension.js', 'extension/connection.js', 'extension/language-configuration.json', 'extension/LICENSE.txt', 'extension/syntaxes/nn.tmLanguage.json', 'extension/server/bin/dslc.cjs', 'extension/server/dist/lsp.cjs', 'extension/server/stdlib/resnet.nn'])
      expect(names).toContain(n);
    // Only what `dslc lsp` loads: not the CLI bundle, nor V8 code caches (they fit only the Node that made them).
    expect(names.filter((n) => n.startsWith('extension/server/dist/'))).toEqual(['extension/server/dist/lsp.cjs']);
    const listing = execFileSync('unzip', ['-l', vsix], { encoding: 'utf8' });
    expect(listing).toMatch(/extension\/syntaxes\/nn\.tmLanguage\.json/);
  });

  it('has the manifest VS Code reads, consistent with extension/package.json', () => {
    const pkg = JSON.parse(member('extension/package.json').toString('utf8'));
    const manifest = member('extension.vsixmanifest').toString('utf8');
    expect(manifest).toContain(`<Identity Language="en-US" Id="${pkg.name}" Version="${pkg.version}" Publisher="${pkg.publisher}" />`);
    expect(manifest).toContain(`<Property Id="Microsoft.VisualStudio.Code.Engine" Value="${pkg.engines.vscode}" />`);
    expect(manifest).toContain('<Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" />');
    expect(manifest).toContain('<InstallationTarget Id="Microsoft.VisualStudio.Code" />');
    // Every file type in the archive has a content type.
    // (unzip reads `[…]` as a wildcard)
    const types = member('\\[Content_Types\\].xml').toString('utf8');
    const names = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).trim().split('\n');
    for (const n of names.filter((x) => x !== '[Content_Types].xml')) expect(types, n).toContain(`Extension="${n.slice(n.lastIndexOf('.'))}"`);
  });

  it('carries the project\'s license, declared as the package\'s license asset', () => {
    expect(member('extension/LICENSE.txt').toString('utf8')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the dslc contributors\n/);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).license).toBe('MIT');
    expect(JSON.parse(member('extension/package.json').toString('utf8')).license).toBe('MIT');
    const manifest = member('extension.vsixmanifest').toString('utf8');
    expect(manifest).toContain('<License>extension/LICENSE.txt</License>');
    expect(manifest).toContain('<Asset Type="Microsoft.VisualStudio.Services.Content.License" Path="extension/LICENSE.txt" Addressable="true" />');
  });

  it('contributes the nn language, its configuration and the grammar from grammar/', () => {
    const pkg = JSON.parse(member('extension/package.json').toString('utf8'));
    expect(pkg.main).toBe('./extension.js');
    const lang = pkg.contributes.languages[0];
    expect([lang.id, lang.extensions]).toEqual(['nn', ['.nn']]);
    const config = JSON.parse(member(`extension/${lang.configuration.replace(/^\.\//, '')}`).toString('utf8'));
    expect(config.comments.lineComment).toBe('#');
    expect(config.brackets).toEqual([['{', '}'], ['[', ']'], ['(', ')']]);
    expect(config.autoClosingPairs.map((p: { open: string }) => p.open)).toEqual(['{', '[', '(', '"', "'"]);
    expect(new RegExp(config.indentationRules.increaseIndentPattern).test('model M(x: [N]) {')).toBe(true);
    expect(new RegExp(config.indentationRules.decreaseIndentPattern).test('  }')).toBe(true);
    const g = pkg.contributes.grammars[0];
    expect(g.language).toBe('nn');
    const grammar = JSON.parse(member(`extension/${g.path.replace(/^\.\//, '')}`).toString('utf8'));
    expect(grammar).toEqual(JSON.parse(readFileSync(join(ROOT, 'grammar/nn.tmLanguage.json'), 'utf8')));
    expect(grammar.scopeName).toBe(g.scopeName);
    expect(pkg.contributes.configuration.properties['dslc.server.path'].type).toBe('string');
  });

  it('is reproducible: the same sources give the same bytes', () => {
    const again = join(dir, 'again.vsix');
    pack(again);
    expect(readFileSync(again).equals(readFileSync(vsix))).toBe(true);
  });

  it('its launcher runs only the language server: another command says so in one line (exit 2), no trace', () => {
    const bin = join(dir, 'x/extension/server/bin/dslc.cjs');
    const r = spawnSync(process.execPath, [bin, 'check', join(ROOT, 'examples/resnet18.nn')], { cwd: tmpdir(), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`dslc: this copy of dslc carries only the language server (\`dslc lsp\`): ${join(dir, 'x/extension/server/dist/dslc.cjs')} is missing\n`);
  });

  it('the launcher of an unbuilt copy says so in one line (exit 2), for `dslc lsp` too', () => {
    const bare = join(dir, 'bare');
    mkdirSync(join(bare, 'bin'), { recursive: true });
    copyFileSync(join(ROOT, 'bin/dslc.cjs'), join(bare, 'bin/dslc.cjs'));
    for (const args of [['lsp', '--stdio'], ['check', 'a.nn']]) {
      const r = spawnSync(process.execPath, [join(bare, 'bin/dslc.cjs'), ...args], { cwd: tmpdir(), encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^dslc: dslc is not built \(.*(lsp|dslc)\.cjs is missing\): run `npm run build`\n$/);
    }
  });

  it('its client starts the bundled server by default, which checks the documents open in the editor', async () => {
    // No `dslc.server.path`: the client runs extension/server/bin/dslc.cjs with the editor's own runtime.
    const mock = createVscodeMock({});
    const text = readFileSync(join(ROOT, 'examples/resnet18.nn'), 'utf8').replace('basic_stage(128', 'basic_stag(128');
    const uri = Uri.file(join(dir, 'resnet18.nn'));
    mock.documents.push(new TextDocument(uri, text));
    const ext = loadExtension(join(dir, 'x/extension/extension.js'), mock.api);
    await ext.activate({ subscriptions: [], extensionPath: join(dir, 'x/extension') });
    try {
      const end = Date.now() + 20_000;
      while (!mock.published.get(uri.toString())?.length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(mock.output.join('')).toContain(join(dir, 'x/extension/server/bin/dslc.cjs'));
      // The misspelt block is reported; the import from the bundled standard library resolves (no E0206/E0209).
      const errors = mock.published.get(uri.toString())!.filter((d) => d.severity === 0);
      expect(errors.map((d) => [d.code, d.message.split('\n')[0]])).toContainEqual(['E0201', "unknown layer or block 'basic_stag'"]);
      expect(errors.map((d) => d.code).filter((c) => c === 'E0206' || c === 'E0209')).toEqual([]);
    } finally {
      await ext.deactivate();
    }
  });
});
