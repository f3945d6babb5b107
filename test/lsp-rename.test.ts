/**
 * Rename and references across the program (block parameters and their `name=` arguments, import
 * aliases, clashes refused), problems inside imported blocks shown at the call, closing an unsaved
 * import, and line breaks as editors count them. In-process through the service, on files in a
 * temporary directory (imports are resolved on disk).
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeHost } from '../src/cli/host.js';
import { LanguageService, definition, documentSymbols, hover, prepareRename, references, rename } from '../src/service/index.js';
import type { Analysis } from '../src/service/service.js';
import { formatText } from '../src/syntax/printer.js';

const dir = mkdtempSync(join(tmpdir(), 'dslc-rename-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const put = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

function open(path: string, text: string, s = new LanguageService({ host: nodeHost() })): { s: LanguageService; a: Analysis } {
  s.set(path, text);
  return { s, a: s.analyze(path)! };
}

/** The text of each file after applying rename edits (files not open are read from disk by the test). */
function applied(texts: Record<string, string>, edits: readonly { span: { file: string; start: number; end: number }; newText: string }[]): Record<string, string> {
  const out = { ...texts };
  for (const f of Object.keys(out)) {
    const es = edits.filter((e) => e.span.file === f).sort((x, y) => y.span.start - x.span.start);
    for (const e of es) out[f] = out[f]!.slice(0, e.span.start) + e.newText + out[f]!.slice(e.span.end);
  }
  return out;
}

const errorsOf = (s: LanguageService, path: string) => [...s.diagnostics(path).values()].flat().filter((d) => d.severity === 'error').map((d) => d.code);

const CONV_BN = `const C = 16
block conv_bn(x: Tensor, channels: int = C) -> Tensor {
  return x -> conv2d(channels, 3, padding=1) -> batchnorm
}
model M(img: [N, 3, 32, 32]) {
  h = img -> conv_bn(C)
  h = h -> conv_bn(channels=C)
  out = h -> relu
  return out
}
`;

describe('rename', () => {
  it("a block parameter: its uses and every call's `name=` argument (from the parameter or from an argument)", () => {
    const path = put('p.nn', CONV_BN);
    const { s, a } = open(path, CONV_BN);
    for (const from of [CONV_BN.indexOf('channels:'), CONV_BN.indexOf('channels=C')]) {
      const r = rename(a, from + 2, 'ch');
      expect(r.error).toBeUndefined();
      expect(r.edits).toHaveLength(3);
      const t = applied({ [path]: CONV_BN }, r.edits!)[path]!;
      expect(t).toContain('conv_bn(ch=C)');
      expect(t).toContain('conv2d(ch, 3');
      expect(errorsOf(open(path, t, s).s, path)).toEqual([]);
    }
    // References from the argument include the parameter's declaration and uses.
    expect(references(a, CONV_BN.indexOf('channels=C') + 1).length).toBe(3);
  });

  it('an import alias is renamed in its module only; the declared name everywhere it is written', () => {
    const lib = put('lib.nn', 'block tower(x: Tensor, c: int) -> Tensor {\n  return x -> conv2d(c, 3, padding=1)\n}\n');
    const mainText = 'from "./lib.nn" import tower as t\nfrom "./lib.nn" import tower\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> t(4) -> tower(4)\n}\n';
    const main = put('main.nn', mainText);
    const { a } = open(main, mainText);
    const alias = rename(a, mainText.indexOf('t(4)'), 'enc');
    expect(alias.error).toBeUndefined();
    expect(alias.edits!.every((e) => e.span.file === main)).toBe(true);
    expect(applied({ [main]: mainText }, alias.edits!)[main]).toBe(mainText.replace('tower as t', 'tower as enc').replace('t(4)', 'enc(4)'));
    const decl = rename(a, mainText.indexOf('tower(4)') + 1, 'stack');
    const libText = 'block tower(x: Tensor, c: int) -> Tensor {\n  return x -> conv2d(c, 3, padding=1)\n}\n';
    const out = applied({ [main]: mainText, [lib]: libText }, decl.edits!);
    expect(out[lib]).toContain('block stack(');
    expect(out[main]).toBe(mainText.replace('import tower as t', 'import stack as t').replace('import tower\n', 'import stack\n').replace('tower(4)', 'stack(4)'));
  });

  it('a block imported through a symbolic link and by its file\'s name is one block, in the file\'s unsaved text: one edit per occurrence', () => {
    // (Paths as the language server keys documents: real ones.)
    const real = realpathSync(dir);
    const libText = 'block tower(x: Tensor, c: int) -> Tensor {\n  return x -> conv2d(c, 3, padding=1)\n}\n';
    const lib = join(real, 'linked-lib.nn');
    writeFileSync(lib, libText);
    symlinkSync('linked-lib.nn', join(real, 'the-link.nn'));
    const mainText = 'from "./the-link.nn" import tower as t\nfrom "./linked-lib.nn" import tower\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> t() -> tower(4)\n}\n';
    const main = join(real, 'link-main.nn');
    writeFileSync(main, mainText);
    // Open with a default not saved yet: the call through the link passes no argument.
    const s = new LanguageService({ host: nodeHost() });
    const edited = libText.replace('c: int', 'c: int = 4');
    s.set(lib, edited);
    const { a } = open(main, mainText, s);
    expect(errorsOf(s, main)).toEqual([]);
    expect(s.dependents(lib)).toEqual([main]);
    const refs = references(a, mainText.indexOf('tower(4)') + 1);
    // (References take in the alias and its use: one declaration.)
    expect(refs.map((r) => (r.file === lib ? 'lib' : r.file === main ? 'main' : r.file)).sort()).toEqual(['lib', 'main', 'main', 'main', 'main', 'main']);
    const r = rename(a, mainText.indexOf('tower(4)') + 1, 'stack');
    const out = applied({ [main]: mainText, [lib]: edited }, r.edits!);
    expect(r.edits).toHaveLength(4);
    expect(out[lib]).toBe(edited.replace('tower', 'stack'));
    expect(out[main]).toBe(mainText.replace('tower as t', 'stack as t').replace('import tower\n', 'import stack\n').replace('tower(4)', 'stack(4)'));
  });

  it('refuses a new name that would merge two tensors, hide a layer or builtin, or clash with a block', () => {
    const text = 'block b2(x: Tensor) -> Tensor {\n  return x -> conv2d(4, 3)\n}\nmodel M(x: [1, 3, 8, 8]) {\n  a = x -> relu\n  b = x -> sigmoid\n  s = prod(a.shape)\n  return add(a, b) -> b2\n}\n';
    const path = put('clash.nn', text);
    const { a } = open(path, text);
    expect(rename(a, text.indexOf('b = x') + 0, 'a').error).toMatch(/'a' is already used in M/);
    expect(rename(a, text.indexOf('b = x'), 'prod').error).toMatch(/'prod' is already used in M/);
    expect(rename(a, text.indexOf('block b2') + 7, 'conv2d').error).toMatch(/conv2d/);
    expect(rename(a, text.indexOf('block b2') + 7, 'M').error).toMatch(/already names/);
    expect(rename(a, text.indexOf('b = x'), 'c').error).toBeUndefined();
    expect(rename(a, text.indexOf('b = x'), 'b').edits).toEqual([]);
  });

  it('the standard library is recognised by where it lives, not by a folder name; prepareRename gives the range or why not', () => {
    const text = 'from std.resnet import basic_block as bb\nmodel M(x: [1, 64, 8, 8]) {\n  y = x -> bb(64) -> relu\n  return y\n}\n';
    const { a } = open(put('std.nn', text), text);
    expect(prepareRename(a, text.indexOf('basic_block') + 1)).toEqual({ error: expect.stringMatching(/standard library/) });
    expect(prepareRename(a, text.indexOf('relu') + 1)).toEqual({ error: expect.stringMatching(/layer catalogue/) });
    expect(prepareRename(a, text.indexOf('bb(64)') + 1)).toEqual({ start: text.indexOf('bb(64)'), end: text.indexOf('bb(64)') + 2, name: 'bb' });
    expect(prepareRename(a, text.indexOf('y =') + 1)).toMatchObject({ name: 'y' });
    // A user's own folder called stdlib is the user's.
    mkdirSync(join(dir, 'stdlib'));
    const t2 = 'block mine(x: Tensor) -> Tensor {\n  return x -> relu\n}\n';
    const { a: a2 } = open(put('stdlib/x.nn', t2), t2);
    expect(rename(a2, t2.indexOf('mine') + 1, 'yours').error).toBeUndefined();
  });
});

describe('keyword arguments of block calls, signatures, outline', () => {
  it('hover and definition on `name=` of a block call reach the parameter; signatures show shapes and defaults as written', () => {
    const path = put('kw.nn', CONV_BN);
    const { a } = open(path, CONV_BN);
    const at = CONV_BN.indexOf('channels=C') + 2;
    expect(hover(a, at)!.contents).toContain('channels: int = C');
    expect(hover(a, at)!.contents).toContain('parameter of block conv_bn');
    const [d] = definition(a, at);
    expect(d!.start).toBe(CONV_BN.indexOf('channels:'));
    expect(hover(a, CONV_BN.indexOf('conv_bn(x') + 2)!.contents).toContain('block conv_bn(x: Tensor, channels: int = C) -> Tensor');
    expect(hover(a, CONV_BN.indexOf('model M') + 6)!.contents).toContain('model M(img: [N, 3, 32, 32])');
  });

  it('an aliased import is outlined under its alias, the alias selected', () => {
    const text = 'from std.resnet import basic_block as bb\nmodel M(x: [1, 64, 8, 8]) {\n  return x -> bb(64)\n}\n';
    const { a } = open(put('outline.nn', text), text);
    const imp = documentSymbols(a).find((x) => x.kind === 'import')!;
    expect(imp).toMatchObject({ name: 'bb', selStart: text.indexOf('bb'), selEnd: text.indexOf('bb') + 2, detail: 'basic_block from std.resnet' });
  });
});

describe('problems inside imported blocks, and closing an unsaved import', () => {
  it('an error inside a standard-library block is also shown at the call in the document, pointing back', () => {
    const text = 'from std.resnet import basic_block\nmodel M(x: [N, 64, 32]) {\n  return x -> basic_block(64)\n}\n';
    const path = put('sb.nn', text);
    const { s } = open(path, text);
    const mine = s.diagnostics(path).get(path)!;
    const e = mine.find((d) => d.code === 'E0400')!;
    expect(e).toBeDefined();
    expect(text.slice(e.span!.start, e.span!.end)).toBe('basic_block(64)');
    expect(e.message).toMatch(/rank-4 input.*\(in basic_block_1 \(basic_block\), at resnet\.nn:\d+:\d+\)/);
    expect(e.notes[0]!.span!.file).toMatch(/stdlib\/resnet\.nn$/);
  });

  it('closing an import edited without saving re-checks the documents that import it', () => {
    const libText = 'block tower(x: Tensor) -> Tensor {\n  return x -> relu\n}\n';
    const lib = put('lib2.nn', libText);
    const mainText = 'from "./lib2.nn" import tower\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> tower\n}\n';
    const main = put('main2.nn', mainText);
    const s = new LanguageService({ host: nodeHost() });
    open(main, mainText, s);
    expect(errorsOf(s, main)).toEqual([]);
    // The import is opened and edited (not saved): its importer sees the edit.
    open(lib, libText.replace('tower', 'towr'), s);
    expect(s.dependents(lib)).toEqual([main]);
    expect(errorsOf(s, main)).toEqual(['E0209']);
    expect(s.close(lib)).toEqual([main]);
    expect(errorsOf(s, main)).toEqual([]);
  });
});

describe('line breaks as editors count them', () => {
  it('a lone \\r ends a line (LSP positions), and ends a comment or string', () => {
    const text = '# c\rmodel M(x: [1, 4]) {\r  return x -> relu\r}\r';
    const { a } = open(put('cr.nn', text), text);
    expect(a.diagnostics).toEqual([]);
    expect(a.result.program.root.file.lineStarts).toEqual([0, 4, 25, 44, 46]);
    const bad = '# c\r\nmodel M(x: [1, 4]) {\r\n  y = x -> dense(4, name="oops)\r\n  return y\r\n}\r\n';
    const { a: b } = open(put('crs.nn', bad), bad);
    const e = b.diagnostics.find((d) => d.code === 'E0103')!;
    expect(bad.slice(e.span!.start, e.span!.end)).not.toContain('\r');
  });

  it('formatting keeps the file\'s line ending', () => {
    const r = formatText('model M(x: [1, 4]) {\r\n  return x->relu\r\n}\r\n');
    expect(r.result).toBe('model M(x: [1, 4]) {\r\n  return x -> relu\r\n}\r\n');
  });
});

describe('rename through the server: files of the workspace that are not open', () => {
  it('renaming an imported block edits every workspace file importing it (aliases kept), or refuses if one would break', async () => {
    // @ts-expect-error: a plain ES module without type declarations
    const { startClient, uriOf } = await import('./helpers/lsp-client.mjs');
    const ws = mkdtempSync(join(tmpdir(), 'dslc-ws-'));
    const files: Record<string, string> = {
      'lib.nn': 'block tower(x: Tensor) -> Tensor {\n  return x -> relu\n}\n',
      'main.nn': 'from "./lib.nn" import tower\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> tower\n}\n',
      'sub/other.nn': 'from "../lib.nn" import tower\nmodel O(x: [1, 3, 8, 8]) {\n  y = x -> tower -> tower\n  return y\n}\n',
      'alias.nn': 'from "./lib.nn" import tower as t\nmodel A(x: [1, 3, 8, 8]) {\n  return x -> t\n}\n',
      'unrelated.nn': 'block tower(x: Tensor) -> Tensor {\n  return x\n}\n',
    };
    mkdirSync(join(ws, 'sub'));
    for (const [f, t] of Object.entries(files)) writeFileSync(join(ws, f), t);
    const c = await startClient({ workspaceFolders: [ws], initializationOptions: { warmUp: false } });
    try {
      const uri = uriOf(join(ws, 'main.nn'));
      const got = c.nextDiagnostics(uri);
      await c.open(uri, files['main.nn']!);
      await got;
      const r = await c.request('textDocument/rename', { textDocument: { uri }, position: { line: 2, character: 14 }, newName: 'stack' });
      const out: Record<string, string> = {};
      for (const [u, edits] of Object.entries(r.changes as Record<string, { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]>)) {
        const f = Object.keys(files).find((k) => uriOf(join(ws, k)) === u)!;
        const lines = files[f]!.split('\n');
        for (const e of [...edits].sort((p, q) => q.range.start.line - p.range.start.line || q.range.start.character - p.range.start.character)) {
          const l = lines[e.range.start.line]!;
          lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
        }
        out[f] = lines.join('\n');
      }
      expect(Object.keys(out).sort()).toEqual(['alias.nn', 'lib.nn', 'main.nn', 'sub/other.nn']);
      expect(out['sub/other.nn']).toBe(files['sub/other.nn']!.replace(/tower/g, 'stack'));
      expect(out['alias.nn']).toBe(files['alias.nn']!.replace('import tower as t', 'import stack as t'));
      expect(out['lib.nn']).toContain('block stack(');
      // A workspace file where the new name is taken: refused, nothing edited.
      writeFileSync(join(ws, 'taken.nn'), 'from "./lib.nn" import tower\nblock stack(x: Tensor) -> Tensor {\n  return x -> tower\n}\n');
      await expect(c.request('textDocument/rename', { textDocument: { uri }, position: { line: 2, character: 14 }, newName: 'stack' })).rejects.toMatchObject({ code: -32803, message: expect.stringMatching(/taken\.nn/) });
    } finally {
      await c.stop();
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('doc comments', () => {
  it('only comment lines alone above a block or model document it; a comment after code on the line above does not', async () => {
    const { parseSource } = await import('../src/syntax/parse.js');
    const { sourceFile } = await import('../src/syntax/source.js');
    const text = 'const K = 3  # kernel size\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> conv2d(4, K)\n}\n\n# The real doc.\n# Two lines.\nblock b(x: Tensor) -> Tensor {\n  return x\n}\n';
    const decls = parseSource(sourceFile('d.nn', text)).result.decls as readonly { kind: string; doc?: string }[];
    expect(decls.map((d) => d.doc)).toEqual([undefined, undefined, 'The real doc.\nTwo lines.']);
    const once = formatText(text).result!;
    expect(formatText(once).result).toBe(once);
    expect(once).toContain('const K = 3  # kernel size\n');
  });
});
