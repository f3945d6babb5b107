/** Completion and signature help, called in-process: what each kind of position offers. */
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import { nodeHost } from '../src/cli/host.js';
import { LanguageService, completion, definition, hover, matchScore, signatureHelp } from '../src/service/index.js';

const TEXT = `# helper (see paper, eq. 3)
const C0 = 8
block conv_bn(x: Tensor, channels: int, kernel: int = 3, act: layer = relu) -> Tensor {
  y = x -> conv2d(channels, kernel, padding=kernel // 2)   # trailing (comment, words
  return y -> batchnorm -> act
}

block pair(a: Tensor, b: Tensor, mix: bool = true) -> Tensor {
  return add(a, b)
}

model M(img: [N, 3, H, W], t: int64[N, T]) {
  # a comment with words
  # as conv2d(8, 3, would
  stem = img -> conv_bn(16, name="stem1")
  e = t -> embedding(100, 8)
  for i in 0..2 {
    stem = stem -> relu()
  }
  head = dense(10)
  out = stem -> conv2d(C0, 3, padding=1)
  z = conv2d(img, 8, 3)
  w = (out, out) -> pair(true)
  return out
}
`;

function setup(text = TEXT) {
  const s = new LanguageService({ host: nodeHost() });
  s.set('/virtual/c.nn', text);
  return s.analyze('/virtual/c.nn')!;
}
const a = setup();
/** Offset `k` characters into the first `needle` (by default just after it). */
const at = (needle: string, k = needle.length, text = TEXT) => {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`not found: ${needle}`);
  return i + k;
};
const labels = (o: number, text = TEXT) => completion(a, text, o).map((c) => c.label);

describe('completion: where nothing is to be completed', () => {
  it('inside comments (own line, trailing, in the header comment after a parenthesis)', () => {
    expect(labels(at('a comment with '))).toEqual([]);
    expect(labels(at('# trailing (comment, '))).toEqual([]);
    expect(labels(at('helper ('))).toEqual([]);
    expect(labels(at('as conv2d(8, 3, '))).toEqual([]);
  });

  it('inside strings, also after a parenthesis or comma in them', () => {
    const t2 = TEXT.replace('name="stem1"', 'name="a b (c, "');
    expect(labels(at('"a b ', undefined, t2), t2)).toEqual([]);
    expect(labels(at('"a b (c, ', undefined, t2), t2)).toEqual([]);
    // Unterminated, with the cursor at the end of the line.
    const t3 = TEXT.replace('name="stem1")', 'name="a b (c');
    expect(labels(at('"a b (c', undefined, t3), t3)).toEqual([]);
  });

  it('where a new name goes: after model, block, const, for', () => {
    expect(labels(at('model '))).toEqual([]);
    expect(labels(at('block p'))).toEqual([]);
    expect(labels(at('const '))).toEqual([]);
    expect(labels(at('for '))).toEqual([]);
    // A parameter's name in a header.
    expect(labels(at('conv_bn(x: Tensor, '))).toEqual([]);
  });
});

describe('completion: types in declaration headers', () => {
  it("a block parameter's type after 'name:' (not its keyword arguments)", () => {
    const got = completion(a, TEXT, at('channels: '));
    expect(got.map((c) => c.label)).toEqual(expect.arrayContaining(['Tensor', 'int', 'float', 'bool', 'str', 'string', 'tuple', 'list', 'layer']));
    expect(got.every((c) => c.kind === 'type')).toBe(true);
    // Half-typed: the same list (the editor filters by the prefix).
    expect(labels(at('channels: i'))).toContain('int');
  });

  it("a model input's element type; a block's return type after '->'", () => {
    const got = labels(at(', t: '));
    expect(got).toEqual(expect.arrayContaining(['float32', 'int64', 'bool']));
    expect(got).not.toContain('img');
    expect(labels(at('act: layer = relu) -> '))).toContain('Tensor');
  });

  it('a default value: constants and layers, no tensors', () => {
    const got = labels(at('kernel: int = '));
    expect(got).toEqual(expect.arrayContaining(['C0', 'relu']));
    expect(got).not.toContain('x');
    expect(got).not.toContain('channels=');
  });
});

describe('completion: names in scope come from the parsed declaration', () => {
  it("a model's inputs, every symbolic size, locals bound before the cursor; never the model's own name", () => {
    const got = completion(a, TEXT, at('  return out', 2));
    const names = got.map((c) => c.label);
    expect(names).toEqual(expect.arrayContaining(['img', 't', 'N', 'H', 'W', 'T', 'stem', 'e', 'i', 'head', 'out', 'z', 'w', 'C0', 'conv_bn', 'relu', 'return']));
    expect(names).not.toContain('M');
    expect(got.find((c) => c.label === 'img')).toMatchObject({ kind: 'tensor', detail: '[N, 3, H, W]' });
    expect(got.find((c) => c.label === 'N')?.kind).toBe('variable');
    expect(got.find((c) => c.label === 'out')).toMatchObject({ kind: 'tensor', detail: '[N, 8, H, W]' });
  });

  it('no names bound later in the declaration, or in another declaration', () => {
    const names = labels(at('  e = t', 2));
    expect(names).toContain('stem');
    for (const n of ['e', 'out', 'z', 'x', 'channels', 'y']) expect(names).not.toContain(n);
    const inBlock = completion(a, TEXT, at('  return y', 2));
    expect(inBlock.map((c) => c.label)).toEqual(expect.arrayContaining(['x', 'channels', 'kernel', 'act', 'y']));
    expect(inBlock.find((c) => c.label === 'x')?.kind).toBe('tensor');
    expect(inBlock.find((c) => c.label === 'channels')).toMatchObject({ kind: 'variable', detail: 'channels: int' });
    for (const n of ['img', 'stem', 'N', 'H']) expect(inBlock.map((c) => c.label)).not.toContain(n);
  });

  it("after '->': layers, blocks and names that hold a layer (a layer argument, an instance); not tensors", () => {
    const inBlock = labels(at('return y -> '));
    // (Other blocks, not conv_bn itself: calling it in its own body is recursion, E0208.)
    expect(inBlock).toEqual(expect.arrayContaining(['act', 'batchnorm', 'pair']));
    expect(inBlock).not.toContain('conv_bn');
    expect(inBlock).not.toContain('x');
    expect(inBlock).not.toContain('channels');
    const t2 = TEXT.replace('  return out', '  q = out -> \n  return out');
    const got = completion(a, t2, at('q = out -> ', undefined, t2)).map((c) => c.label);
    expect(got).toContain('head');
    expect(got).not.toContain('img');
    expect(got).not.toContain('M');
  });

  it('the analysis may be older than the text: positions after an edit still find their declaration', () => {
    // Two lines typed above the cursor since the last check.
    const t2 = TEXT.replace('  e = t', '  extra = img -> relu()\n  more = extra\n  e = t');
    const names = completion(a, t2, at('  return out', 2, t2)).map((c) => c.label);
    expect(names).toEqual(expect.arrayContaining(['img', 'stem', 'out', 'z']));
    expect(names).not.toContain('x');
  });
});

describe('completion: keyword arguments', () => {
  it("an op's attributes and the generic name= and trainable=", () => {
    const got = labels(at('conv2d(C0, 3, '));
    expect(got).toEqual(expect.arrayContaining(['stride=', 'padding=', 'name=', 'trainable=']));
  });

  it("a block's arguments after its tensor inputs, and the generic ones; none given already", () => {
    // `img -> conv_bn(16, `: the chain gives x, and 16 binds channels (channels= would be E0204, given twice).
    const got = labels(at('conv_bn(16, '));
    expect(got.filter((l) => l.endsWith('='))).toEqual(['kernel=', 'act=', 'name=', 'trainable=']);
    const t2 = TEXT.replace('conv_bn(16, name="stem1")', 'conv_bn(16, name="a", )');
    const after = completion(a, t2, at('name="a", ', undefined, t2)).map((c) => c.label);
    expect(after).toContain('trainable=');
    expect(after).not.toContain('name=');
  });

  it('not in the value of a keyword argument', () => {
    const got = labels(at('padding=1', 'padding='.length));
    expect(got).not.toContain('stride=');
    expect(got).toContain('stem');
  });
});

describe('signature help: the active parameter', () => {
  const sig = (o: number, text = TEXT) => signatureHelp(a, text, o);

  it('a block in a chain: the chain gives its tensor input, the first argument is the next parameter', () => {
    const s = sig(at('img -> conv_bn('))!;
    expect(s.params.map((p) => p.label)).toEqual(['x: Tensor', 'channels: int', 'kernel: int = …', 'act: layer = …']);
    expect(s.activeParam).toBe(1);
    // Every parameter label is a part of the signature (clients highlight by it).
    for (const p of s.params) expect(s.label).toContain(p.label);
  });

  it('a tuple piped into a block fills both tensor inputs', () => {
    expect(sig(at('-> pair('))!.activeParam).toBe(2);
  });

  it('a keyword argument selects its parameter by name', () => {
    const s = sig(at('conv2d(C0, 3, padding='))!;
    expect(s.params[s.activeParam!]!.label).toBe('padding=0');
    expect(sig(at('conv_bn(16, name='))!.activeParam).toBeUndefined();
    const t2 = TEXT.replace('conv_bn(16, name="stem1")', 'conv_bn(16, act=gelu)');
    expect(sig(at('conv_bn(16, act=', undefined, t2), t2)!.activeParam).toBe(3);
  });

  it('a direct call lists the tensor inputs and counts them', () => {
    const s = sig(at('conv2d(img, 8, '))!;
    expect(s.label.startsWith('conv2d(x: Tensor, out_channels')).toBe(true);
    expect(s.params[s.activeParam!]!.label).toBe('kernel_size: ints');
    expect(sig(at('conv2d(img'))!.activeParam).toBe(0);
    expect(sig(at('conv2d(im'))!.activeParam).toBe(0);
    // An instance made without its input: the first argument is the first attribute.
    const d = sig(at('dense(10'))!;
    expect(d.params[d.activeParam!]!.label).toMatch(/^out_features/);
  });

  it('an op without attributes has no active parameter (not -1)', () => {
    const s = sig(at('stem -> relu('))!;
    expect(s.params).toEqual([]);
    expect(s.activeParam).toBeUndefined();
  });

  it('nothing inside comments and strings', () => {
    expect(sig(at('# trailing (comment, '))).toBeUndefined();
    expect(sig(at('as conv2d(8, 3, '))).toBeUndefined();
    const t2 = TEXT.replace('name="stem1"', 'name="a b (c, "');
    expect(sig(at('"a b (c, ', undefined, t2), t2)).toBeUndefined();
  });
});

describe('imports: module names, the names a module declares, and hover on the module', () => {
  const here = `${import.meta.dirname}/../examples/imports-test.nn`;
  const s = new LanguageService({ host: nodeHost() });
  /** Completion labels where `|` is. */
  const at = (t: string) => {
    const o = t.indexOf('|');
    const text = t.replace('|', '');
    s.set(here, text);
    return completion(s.analyze(here), text, o, s.moduleHost(), here);
  };
  const labels = (t: string) => at(t).map((c) => c.label);
  const stdModules = nodeHost().stdModules!();

  it('after `from`: the standard modules, whole or after `std.`; then `import`', () => {
    expect(stdModules.length).toBeGreaterThan(5);
    expect(labels('from |\n')).toEqual(stdModules);
    expect(labels('from std.|\n')).toEqual(stdModules.map((m) => m.slice(4)));
    expect(labels('from std.res|\n')).toContain('resnet');
    expect(at('from std.|\n').every((c) => c.kind === 'module')).toBe(true);
    expect(labels('from std.resnet |\n')).toEqual(['import']);
    expect(labels('from std.resnet im|\n')).toEqual(['import']);
    expect(labels('from std.resnet xy|\n')).toEqual([]);
  });

  it("after `import`: the module's blocks (signature, doc) and constants, not the layers, not those already named", () => {
    const resnet = nodeHost().read(`${import.meta.dirname}/../stdlib/resnet.nn`)!;
    const blocks = [...resnet.matchAll(/^block (\w+)/gm)].map((m) => m[1]);
    expect(labels('from std.resnet import |\n')).toEqual(blocks);
    const items = at('from std.resnet import |\n');
    expect(items.find((c) => c.label === 'basic_block')).toMatchObject({ kind: 'block', detail: expect.stringMatching(/^block basic_block\(x: Tensor, planes: int/), doc: expect.stringMatching(/residual/i) });
    expect(labels('from std.resnet import basic_block, |\n')).toEqual(blocks.filter((b) => b !== 'basic_block'));
    expect(labels('from std.resnet import basic_block, bo|\n')).toEqual(blocks.filter((b) => b !== 'basic_block'));
    expect(labels('from std.resnet import basic_block a|\n')).toEqual(['as']);
    expect(labels('from std.resnet import basic_block as |\n')).toEqual([]);
    // A relative path, resolved from the file; a module that does not exist offers nothing.
    expect(labels('from "../stdlib/vgg.nn" import |\n')).toEqual(['vgg_block']);
    expect(labels('from std.nope import |\n')).toEqual([]);
    expect(labels('from "./none.nn" import |\n')).toEqual([]);
    // Outside an import, the layers as before.
    expect(labels('model M(x: [1, 3, 8, 8]) {\n  return x -> |\n}\n')).toContain('conv2d');
  });

  it('hover on the module of an import: where it is, its header comment, what it declares', () => {
    const text = 'from std.resnet import basic_block\nmodel M(x: [1, 64, 8, 8]) {\n  return x -> basic_block(64)\n}\n';
    s.set(here, text);
    const got = hover(s.analyze(here)!, text.indexOf('resnet'))!;
    expect(text.slice(got.start, got.end)).toBe('std.resnet');
    expect(got.contents).toMatch(/module \(standard library\)/);
    expect(got.contents).toMatch(/torchvision's ResNet/);
    expect(got.contents).toMatch(/blocks: `projection`, `basic_block`, `bottleneck`/);
    // Go to definition on it: the top of the module's file.
    const [def] = definition(s.analyze(here)!, text.indexOf('resnet'));
    expect(def!.file.replace(/\\/g, '/')).toMatch(/\/stdlib\/resnet\.nn$/);
    expect([def!.start, def!.line, def!.col]).toEqual([0, 1, 1]);
  });
});

describe("after a dot: a tensor's members", () => {
  const s = new LanguageService({ host: nodeHost() });
  const labels = (line: string) => {
    const t0 = `const A = 3\nblock unit(x: Tensor, c: int) -> Tensor {\n  return x\n}\nmodel M(x: [N, 64, 8, 8]) {\n  h = x -> relu\n${line}\n  return h\n}\n`;
    const o = t0.indexOf('|');
    const t = t0.replace('|', '');
    s.set('m.nn', t);
    return completion(s.analyze('m.nn'), t, o).map((c) => c.label);
  };
  it('shape, rank and dtype after a name, a call or a bracket; nothing after a number', () => {
    // h2: not bound in the last check (typed since), so it may be a tensor.
    for (const l of ['  n = h.|', '  n = h.sh|', '  n = (h).|', '  n = h2.|', '  n = conv2d(h, 8, 1).|', '  n = pair[0].|']) expect(labels(l), l).toEqual(['shape', 'rank', 'dtype']);
    // h.shape[1] is an int (it was offered members, which E0300 then refused).
    for (const l of ['  n = 1.|', '  n = 1.5|', '  for i in 0..|', '  n = 2e3.|', '  # h.|', '  n = h.shape[1].|']) expect(labels(l), l).toEqual([]);
  });

  it('nothing after a value that is not a tensor: a constant, a block, an op, a builtin, a member, a list, a size', () => {
    for (const l of ['  n = A.|', '  n = unit.|', '  n = relu.|', '  n = h.shape.|', '  n = h.rank.|', '  n = len.|', '  n = len(h.shape).|', '  n = [h, h].|', '  n = N.|', '  n = rf(h)[0].|', '  n = "a".|'])
      expect(labels(l), l).toEqual([]);
  });
});

describe('standard-library blocks not imported yet: offered, and chosen with their import', () => {
  const path = `${import.meta.dirname}/../examples/auto-import-test.nn`;
  const s = new LanguageService({ host: nodeHost() });
  /** Completion at `|`, the analysis of the text without `before`/`after`, the request on the text with them. */
  const items = (t: string, before = '', after = '') => {
    const o0 = t.indexOf('|');
    const text = t.replace('|', '');
    s.set(path, text);
    const a = s.analyze(path);
    const now = before + text + after;
    return { text: now, items: completion(a, now, o0 + before.length, s.moduleHost(), path) };
  };
  const choose = (text: string, c: { label: string; additionalEdits?: readonly { start: number; end: number; newText: string }[] }, at: number, typed: number) => {
    let t = text.slice(0, at - typed) + c.label + text.slice(at);
    for (const e of [...(c.additionalEdits ?? [])].sort((x, y) => y.start - x.start)) t = t.slice(0, e.start) + e.newText + t.slice(e.end);
    return t;
  };

  it('after ->: each with the import that brings it in; choosing one checks clean', () => {
    const t = '# The model.\nmodel M(x: [1, 64, 8, 8]) {\n  return x -> basic|\n}\n';
    const { text, items: got } = items(t);
    const bb = got.find((c) => c.label === 'basic_block')!;
    expect(bb).toMatchObject({ kind: 'block', rank: 2, detail: expect.stringMatching(/^block basic_block\(.*\(std\.resnet: imported when chosen\)$/) });
    expect(bb.additionalEdits).toEqual([{ start: 0, end: 0, newText: 'from std.resnet import basic_block\n\n' }]);
    const at = t.indexOf('|');
    const chosen = choose(text, bb, at, 'basic'.length).replace('basic_block\n}', 'basic_block(64)\n}');
    expect(check({ path, text: chosen, host: nodeHost() }).diagnostics).toEqual([]);
    // Layers and blocks in scope come first.
    expect(got.findIndex((c) => c.label === 'conv2d')).toBeLessThan(got.indexOf(bb));
  });

  it('appended to an import of the same module; nothing for names in scope or constants after ->', () => {
    const t = 'from std.resnet import bottleneck\nmodel M(x: [1, 64, 8, 8]) {\n  return x -> b|\n}\n';
    const { items: got } = items(t);
    expect(got.filter((c) => c.label === 'bottleneck').map((c) => c.rank)).toEqual([1]);
    // Only for a word being typed, and only the names it matches.
    expect(items(t.replace('-> b|', '-> |')).items.some((c) => c.rank === 2)).toBe(false);
    expect(got.filter((c) => c.rank === 2).every((c) => matchScore(c.label, 'b') !== undefined)).toBe(true);
    expect(items(t.replace('-> b|', '-> vggb|')).items.filter((c) => c.rank === 2).map((c) => c.label)).toEqual(['vgg_block']);
    expect(got.find((c) => c.label === 'basic_block')!.additionalEdits).toEqual([{ start: t.indexOf('\n'), end: t.indexOf('\n'), newText: ', basic_block' }]);
    expect(got.every((c) => c.kind !== 'constant')).toBe(true);
  });

  it('the import place moved by an edit before it since the last check; none while an edit covers it', () => {
    const t = 'from std.vgg import vgg_block\nmodel M(x: [1, 64, 8, 8]) {\n  return x -> vgg_block(64, 1) -> basic|\n}\n';
    const at = t.indexOf('|');
    // The import goes after the first line, which a comment typed above it has moved.
    const { text, items: got } = items(t, '# new comment\n');
    const bb = got.find((c) => c.label === 'basic_block')!;
    const chosen = choose(text, bb, at + '# new comment\n'.length, 'basic'.length);
    expect(chosen).toBe('# new comment\nfrom std.vgg import vgg_block\nfrom std.resnet import basic_block\nmodel M(x: [1, 64, 8, 8]) {\n  return x -> vgg_block(64, 1) -> basic_block\n}\n');
    expect(check({ path, text: chosen.replace('basic_block\n}', 'basic_block(64)\n}'), host: nodeHost() }).diagnostics).toEqual([]);
    const { items: below } = items(t, '', '# below\n');
    expect(below.find((c) => c.label === 'basic_block')!.additionalEdits).toEqual(bb.additionalEdits!.map((e) => ({ ...e, start: e.start - '# new comment\n'.length, end: e.end - '# new comment\n'.length })));
    // An edit at the end of the import line: the place after it, moved.
    s.set(path, t.replace('|', ''));
    const a = s.analyze(path);
    const offered = (edited: string) => completion(a, edited, edited.indexOf('basic') + 'basic'.length, s.moduleHost(), path).find((c) => c.label === 'basic_block');
    const longer = t.replace('|', '').replace('vgg_block\n', 'vgg_block, vgg\n');
    expect(offered(longer)!.additionalEdits).toEqual([{ start: longer.indexOf('model'), end: longer.indexOf('model'), newText: 'from std.resnet import basic_block\n' }]);
    // An edit over the place (the line break before it deleted, not checked yet): none.
    expect(offered(t.replace('|', '').replace('vgg_block\n', 'vgg_block'))).toBeUndefined();
  });
});

describe("an import's quoted path: the directory's .nn files and folders", () => {
  it('relative to the importing file, itself excluded, on disk and in memory', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { memoryHost } = await import('../src/semantics/modules.js');
    const ask = (host: ConstructorParameters<typeof LanguageService>[0]['host'], path: string, t: string) => {
      const s = new LanguageService({ host });
      const o = t.indexOf('|');
      const text = t.replace('|', '');
      s.set(path, text);
      return completion(s.analyze(path), text, o, s.moduleHost(), path).map((c) => c.label);
    };
    const mem = memoryHost({ 'm.nn': '', 'lib.nn': '', 'blocks/a.nn': '', 'blocks/deep/b.nn': '', 'sub/x.nn': '' });
    expect(ask(mem, 'm.nn', 'from "|')).toEqual(['lib.nn', 'blocks/', 'sub/']);
    expect(ask(mem, 'm.nn', 'from "./blocks/|')).toEqual(['a.nn', 'deep/']);
    expect(ask(mem, 'sub/x.nn', 'from "../|')).toEqual(['lib.nn', 'm.nn', 'blocks/', 'sub/']);
    const dir = mkdtempSync(join(tmpdir(), 'dslc-paths-'));
    try {
      mkdirSync(join(dir, 'blocks'));
      mkdirSync(join(dir, '.hidden'));
      for (const f of ['main.nn', 'lib.nn', 'notes.txt', 'blocks/res.nn']) writeFileSync(join(dir, f), '');
      expect(ask(nodeHost(), join(dir, 'main.nn'), 'from "./|')).toEqual(['lib.nn', 'blocks/']);
      expect(ask(nodeHost(), join(dir, 'main.nn'), 'from "blocks/r|')).toEqual(['res.nn']);
      expect(ask(nodeHost(), join(dir, 'main.nn'), 'from "./missing/|')).toEqual([]);
      // Outside the quotes, the usual completion.
      expect(ask(nodeHost(), join(dir, 'main.nn'), 'from "./lib.nn" import |')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
