/**
 * Hover on what is not a single tensor: tuples a block returns, layer instances applied as chain steps, numbers,
 * loop variables, builtins, `where` equalities and layers passed to blocks; and inlay hints of tuples.
 */
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { nodeHost } from '../src/cli/host.js';
import { viewOf } from '../src/lsp/view.js';
import { LanguageService, completion, hover, inlayHints } from '../src/service/index.js';

const PATH = '/virtual/hover-values.nn';
const TEXT = `block two(x: Tensor, c: int) -> (Tensor, Tensor) {
  return x -> conv2d(c, 1), x -> conv2d(2 * c, 3, stride=2, padding=1)
}

block tower(x: Tensor, dim: int = 16, act: layer = relu) -> Tensor {
  return x -> flatten -> dense(dim) -> act
}

model M(l: [N, 16, H, W], r: [N, 16, H, W]) where H == 8, W == 8, N % 2 == 0 {
  pair = two(l, 8)
  both = (l, r)
  k = 3
  encoder = tower(16, act=leaky_relu(0.1))
  a = l -> encoder
  b = r -> encoder
  for c in [8, 16] {
    q = l -> conv2d(c, k, padding=1)
  }
  e = l -> tower(act=gelu)
  assert params < 10M
  return pair[0], a, b, e
}
`;

function analysis(text = TEXT) {
  const s = new LanguageService({ host: nodeHost() });
  s.set(PATH, text);
  return s.analyze(PATH)!;
}
/** The hover's text at the first occurrence of `needle` (plus `shift` characters), as one line. */
function hoverAt(needle: string, shift = 0, text = TEXT): string | undefined {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`no ${needle}`);
  return hover(analysis(text), at + shift)?.contents.replace(/\n+/g, ' / ');
}

describe('hover on values that are not one tensor', () => {
  it('the model checks without errors (the fixture is valid)', () => {
    expect(analysis().result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('a tuple a block returns shows every item, in the local, the call and the inlay hint', () => {
    expect(hoverAt('pair =')).toBe('```nn / pair: ([N, 8, 8, 8], [N, 16, 4, 4]) / ``` / local of model M');
    const call = hoverAt('two(l, 8)');
    expect(call?.startsWith('**→ ([N, 8, 8, 8], [N, 16, 4, 4])**')).toBe(true);
    // Unnamed results are their types alone.
    expect(call).toContain('block two(x: Tensor, c: int) -> (Tensor, Tensor)');
    const a = analysis();
    const end = TEXT.indexOf('two(l, 8)') + 'two(l, 8)'.length;
    expect(inlayHints(a, 0, TEXT.length).find((h) => h.offset === end)?.label).toBe(': ([N, 8, 8, 8], [N, 16, 4, 4])');
    // Completion's detail of the name agrees.
    const typed = TEXT.replace('  return pair[0]', '  z = pa\n  return pair[0]');
    const items = completion(analysis(), typed, typed.indexOf('z = pa') + 'z = pa'.length);
    expect(items.find((c) => c.label === 'pair')?.detail).toBe('([N, 8, 8, 8], [N, 16, 4, 4])');
  });

  it('a tuple of tensors written in place shows each item', () => {
    expect(hoverAt('both =')).toBe('```nn / both: ([N, 16, 8, 8], [N, 16, 8, 8]) / ``` / local of model M');
  });

  it('a layer instance applied as a chain step shows what that application made, and that its weights are shared', () => {
    const h = hoverAt('-> encoder', 3);
    expect(h?.startsWith('**→ [N, 16]**')).toBe(true);
    expect(h).toContain('layer instance `encoder`: its applications share weights');
    expect(h).toContain('block tower(');
  });

  it('numbers, instances and loop variables show how they were made', () => {
    expect(hoverAt('k = 3')).toBe('```nn / k = 3 / ``` / local of model M');
    expect(hoverAt('encoder =')).toBe('```nn / encoder = tower(16, act=leaky_relu(0.1)) / ``` / local of model M');
    expect(hoverAt('c in')).toBe('```nn / for c in [8, 16] / ``` / loop variable of model M');
  });

  it('a layer passed to a block shows with its arguments', () => {
    expect(hoverAt('act: layer')).toBe('```nn / act: layer = leaky_relu(0.1) | gelu / ``` / parameter of block tower (2 values across calls)');
  });

  it('builtins show their documentation', () => {
    expect(hoverAt('params <')).toBe('```nn / params / ``` / whole-model total (in assertions): Total parameters of the model (shared weights counted once).');
  });

  it('a size symbol shows the `where` constraints that name it, an equality as declared', () => {
    expect(hoverAt('H, W]')).toContain('declared: `H == 8` / bound to `8`');
    expect(hoverAt('H, W]')).not.toContain('by the shapes');
    expect(hoverAt('N, 16, H')).toContain('declared: `N % 2 == 0`');
  });
});

describe('hover ranges between an edit and its check', () => {
  it('a line typed above a name moves the whole range of its hover', () => {
    const a = analysis();
    const at = TEXT.indexOf('k = 3');
    const h = hover(a, at)!;
    const now = TEXT.replace('  k = 3', '  z = l -> relu\n  k = 3');
    const v = viewOf(a, TextDocument.create('file:///virtual/hover-values.nn', 'nn', 2, now));
    const doc = TextDocument.create('x', 'nn', 1, now);
    const r = v.range(h.start, h.end)!;
    expect(now.slice(doc.offsetAt(r.start), doc.offsetAt(r.end))).toBe('k');
  });
});

describe('hover on what has nothing to show', () => {
  it('an imported name that did not resolve: no hover (not an empty one)', () => {
    const text = 'from "./nowhere.nn" import nb\nfrom std.resnet import nosuch\n\nmodel M(x: [N, 3, 8, 8]) {\n  return x -> nb -> nosuch\n}\n';
    for (const at of [text.indexOf('nb'), text.indexOf('nosuch'), text.lastIndexOf('nb'), text.lastIndexOf('nosuch')]) expect(hover(analysis(text), at)).toBeUndefined();
  });
});
