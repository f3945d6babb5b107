/**
 * Quick fixes applied to real text: the result must parse and check without the diagnostic it fixed.
 * Padding to keep the size (whatever the call's layout or how padding was written), `bias=false` for W0101,
 * did-you-mean renames of unknown keyword arguments (ops and blocks).
 */
import { describe, expect, it } from 'vitest';
import { nodeHost } from '../src/cli/host.js';
import { LanguageService, codeActions } from '../src/service/index.js';
import type { CodeAction } from '../src/service/actions.js';

function analysis(text: string) {
  const s = new LanguageService({ host: nodeHost() });
  s.set('/virtual/a.nn', text);
  return s.analyze('/virtual/a.nn')!;
}

const apply = (text: string, x: CodeAction) => {
  let out = text;
  for (const e of [...x.edits].sort((p, q) => q.span.start - p.span.start)) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
};

/** The actions titled like `title` over the whole text, each applied. */
function fixed(text: string, title: RegExp): string[] {
  const a = analysis(text);
  return codeActions(a, 0, text.length).filter((x) => title.test(x.title)).map((x) => apply(text, x));
}

const codes = (text: string) => analysis(text).diagnostics.map((d) => d.code);

describe('insert padding to keep the size', () => {
  const model = (call: string) => `model M(x: [N, 3, 32, 32]) -> (y: [N, 8, 32, 32]) {\n  y = x -> ${call}\n  return y\n}\n`;
  it.each([
    ['conv2d(8, 3)', 'conv2d(8, 3, padding=1)'],
    ['conv2d(8, 3, 1, 0)', 'conv2d(8, 3, 1, 1)'],
    ['conv2d(8, 3, padding=0)', 'conv2d(8, 3, padding=1)'],
    ['conv2d(8, 3, pad=0)', 'conv2d(8, 3, pad=1)'],
    ['conv2d(8, 3,)', 'conv2d(8, 3, padding=1)'],
    ['conv2d(8, 5, dilation=2)  # wide', 'conv2d(8, 5, dilation=2, padding=4)  # wide'],
    ['conv2d(\n    8,\n    3,\n  )', 'conv2d(\n    8,\n    3,\n    padding=1,\n  )'],
    ['conv2d(\n    8,\n    3  # k\n  )', 'conv2d(\n    8,\n    3,  # k\n    padding=1,\n  )'],
    // `)` alone under the statement: a `padding=` line at the statement's column would begin a new statement.
    ['conv2d(8, 3,\n  )', 'conv2d(8, 3, padding=1,\n  )'],
    ['conv2d(8, 3\n  )', 'conv2d(8, 3, padding=1\n  )'],
    ['conv2d(8, 3,  # k\n  )', 'conv2d(8, 3, padding=1,  # k\n  )'],
    ['conv2d(8,\n  3,\n  )', 'conv2d(8,\n  3, padding=1,\n  )'],
    ['conv2d(8,\n    3,\n  )', 'conv2d(8,\n    3,\n    padding=1,\n  )'],
    // A kernel with a 1 in it still shrinks the other axis.
    ['conv2d(8, (1, 7))', 'conv2d(8, (1, 7), padding=(0, 3))'],
  ])('%j becomes %j, which checks cleanly', (call, want) => {
    const text = model(call);
    expect(codes(text)).toEqual(['E0405']);
    const out = fixed(text, /padding=/);
    expect(out).toEqual([model(want)]);
    expect(codes(out[0]!)).toEqual([]);
  });
});

describe('padding for every application of a conv', () => {
  const model = (out: string, body: string) => `model M(x: [N, 3, 32, 32]) -> [N, ${out}, 32, 32] {\n${body}}\n`;
  it.each([
    // A block parameter: the padding is written with it.
    [
      'block unit(x: Tensor, k: int) -> Tensor {\n  return x -> conv2d(8, k)\n}\n' + model('8', '  return x -> unit(3) -> unit(7)\n'),
      'block unit(x: Tensor, k: int) -> Tensor {\n  return x -> conv2d(8, k, padding=k // 2)\n}\n' + model('8', '  return x -> unit(3) -> unit(7)\n'),
    ],
    // The same need in every application: a number.
    [
      'block unit(x: Tensor, k: int) -> Tensor {\n  return x -> conv2d(8, k)\n}\n' + model('8', '  return x -> unit(5) -> unit(5)\n'),
      'block unit(x: Tensor, k: int) -> Tensor {\n  return x -> conv2d(8, k, padding=2)\n}\n' + model('8', '  return x -> unit(5) -> unit(5)\n'),
    ],
    // Loop variables: kernel, dilation, both, and a kernel expression.
    [model('3', '  for k in [3, 5] {\n    x = x -> conv2d(3, k)\n  }\n  return x\n'), model('3', '  for k in [3, 5] {\n    x = x -> conv2d(3, k, padding=k // 2)\n  }\n  return x\n')],
    [model('3', '  for d in [1, 2] {\n    x = x -> conv2d(3, 3, dilation=d)\n  }\n  return x\n'), model('3', '  for d in [1, 2] {\n    x = x -> conv2d(3, 3, dilation=d, padding=d)\n  }\n  return x\n')],
    [model('3', '  for d in [1, 3] {\n    x = x -> conv2d(3, 5, dilation=d)\n  }\n  return x\n'), model('3', '  for d in [1, 3] {\n    x = x -> conv2d(3, 5, dilation=d, padding=d * 2)\n  }\n  return x\n')],
    [
      model('3', '  for k in [3, 5] {\n    for d in [1, 2] {\n      x = x -> conv2d(3, k, dilation=d)\n    }\n  }\n  return x\n'),
      model('3', '  for k in [3, 5] {\n    for d in [1, 2] {\n      x = x -> conv2d(3, k, dilation=d, padding=d * (k - 1) // 2)\n    }\n  }\n  return x\n'),
    ],
    [model('3', '  for k in [1, 3] {\n    x = x -> conv2d(3, k + 2)\n  }\n  return x\n'), model('3', '  for k in [1, 3] {\n    x = x -> conv2d(3, k + 2, padding=(k + 2) // 2)\n  }\n  return x\n')],
    // An instance applied later: fixed where it is created.
    [model('3', '  enc = conv2d(3, 3)\n  y = x -> enc -> enc\n  return y\n'), model('3', '  enc = conv2d(3, 3, padding=1)\n  y = x -> enc -> enc\n  return y\n')],
    [model('3', '  enc = conv2d(3, 3)\n  return enc(enc(x))\n'), model('3', '  enc = conv2d(3, 3, padding=1)\n  return enc(enc(x))\n')],
    [model('3', '  for k in [3, 5] {\n    enc = conv2d(3, k)\n    x = x -> enc\n  }\n  return x\n'), model('3', '  for k in [3, 5] {\n    enc = conv2d(3, k, padding=k // 2)\n    x = x -> enc\n  }\n  return x\n')],
  ])('%j: one padding that keeps every application, which checks cleanly', (text, want) => {
    expect(codes(text)).toEqual(['E0405']);
    const out = fixed(text, /padding=/);
    expect(out).toEqual([want]);
    expect(codes(out[0]!)).toEqual([]);
  });

  it.each([
    [model('3', '  return x -> conv2d(3, 4)\n'), model('3', "  return x -> conv2d(3, 4, padding='same')\n")],
    [model('3', '  for k in [3, 4] {\n    x = x -> conv2d(3, k)\n  }\n  return x\n'), model('3', "  for k in [3, 4] {\n    x = x -> conv2d(3, k, padding='same')\n  }\n  return x\n")],
    [model('3', '  return x -> conv2d(3, (2, 3), padding=0)\n'), model('3', "  return x -> conv2d(3, (2, 3), padding='same')\n")],
  ])("%j: an even kernel keeps the size only with padding='same', which pads one more after (W0102 says so)", (text, want) => {
    expect(codes(text)).toEqual(['E0405']);
    const a = analysis(text);
    const acts = codeActions(a, 0, text.length).filter((x) => /padding=/.test(x.title));
    expect(acts.map((x) => x.title)).toEqual([expect.stringMatching(/padding='same' to keep the size \(asymmetric for an even kernel\)/)]);
    const out = apply(text, acts[0]!);
    expect(out).toBe(want);
    expect(codes(out)).toEqual(['W0102']);
  });

  it.each([
    // Kernels that are tuples; a kernel 1 (nothing shrinks).
    model('3', '  for k in [(3, 3), (5, 5)] {\n    x = x -> conv2d(3, k)\n  }\n  return x\n'),
    model('3', '  return x -> conv2d(3, 1)\n'),
    // `enc` names two instances.
    model('3', '  enc = conv2d(3, 3)\n  x = x -> enc\n  enc = conv2d(3, 5)\n  return x -> enc\n'),
  ])('%j: no padding fix', (text) => {
    expect(fixed(text, /padding=/)).toEqual([]);
  });
});

describe('fixes for diagnostics', () => {
  it('W0101: bias=false on the layer before the norm, in any layout', () => {
    for (const [call, want] of [
      ['conv2d(8, 3, padding=1)', 'conv2d(8, 3, padding=1, bias=false)'],
      ['conv2d(\n    8,\n    3,\n    padding=1,\n  )', 'conv2d(\n    8,\n    3,\n    padding=1,\n    bias=false,\n  )'],
      ['conv2d(8, 3, padding=1,\n  )', 'conv2d(8, 3, padding=1, bias=false,\n  )'],
      ['conv2d(8, 3, padding=1\n  )', 'conv2d(8, 3, padding=1, bias=false\n  )'],
    ]) {
      const text = `model M(x: [N, 3, 8, 8]) {\n  y = x -> ${call} -> batchnorm\n  return y\n}\n`;
      expect(codes(text)).toEqual(['W0101']);
      const out = fixed(text, /bias=false/);
      expect(out).toEqual([text.replace(call, want)]);
      expect(codes(out[0]!)).toEqual([]);
    }
  });

  it('E0202: an unknown keyword argument is renamed to the one it resembles (ops and blocks)', () => {
    const text = 'block b(x: Tensor, channels: int) -> Tensor {\n  return x -> conv2d(channels, 3, paddin=1)\n}\nmodel M(x: [N, 3, 8, 8]) {\n  return x -> b(chanels=4)\n}\nmodel M2(x: [N, 3, 8, 8]) {\n  return x -> b(channels=4)\n}\n';
    const a = analysis(text);
    const fixes = codeActions(a, 0, text.length).filter((x) => x.diagnostic?.code === 'E0202');
    expect(fixes.map((x) => x.title).sort()).toEqual(["replace with 'channels'", "replace with 'padding'"]);
    let out = text;
    for (const x of fixes.sort((p, q) => q.edits[0]!.span.start - p.edits[0]!.span.start)) out = apply(out, x);
    expect(out).toBe(text.replace('paddin=', 'padding=').replace('chanels=', 'channels='));
    expect(codes(out)).toEqual([]);
  });
});

describe('W0108: the bound a shrinking layer needs, added to the model', () => {
  it.each([
    ['model M(x: [N, 3, H, 32]) {\n  return x -> conv2d(8, 7)\n}\n', 'model M(x: [N, 3, H, 32]) where H >= 7 {\n  return x -> conv2d(8, 7)\n}\n'],
    ['model M(x: [N, 3, H, 32]){\n  return x -> conv2d(8, 7)\n}\n', 'model M(x: [N, 3, H, 32]) where H >= 7 {\n  return x -> conv2d(8, 7)\n}\n'],
    // After the model's constraints; with `H % 2 == 0` the first size past 6 is 8.
    ['model M(x: [N, 3, H, 32]) -> (y: [N, 8, H - 6, 26]) where H % 2 == 0 {\n  y = x -> conv2d(8, 7)\n  return y\n}\n', 'model M(x: [N, 3, H, 32]) -> (y: [N, 8, H - 6, 26]) where H % 2 == 0, H >= 8 {\n  y = x -> conv2d(8, 7)\n  return y\n}\n'],
    // From a block of the file: the model whose inputs have the symbol.
    ['block stem(x: Tensor) -> Tensor {\n  return x -> conv2d(8, 5)\n}\nmodel M(x: [N, 3, 64, W]) -> [N, 8, 60, W - 4] {\n  return x -> stem()\n}\n', 'block stem(x: Tensor) -> Tensor {\n  return x -> conv2d(8, 5)\n}\nmodel M(x: [N, 3, 64, W]) -> [N, 8, 60, W - 4] where W >= 5 {\n  return x -> stem()\n}\n'],
  ])('%j', (text, want) => {
    expect(codes(text)).toContain('W0108');
    const got = fixed(text, /^add `where/);
    expect(got).toEqual([want]);
    expect(codes(got[0]!)).toEqual([]);
  });

  it('one fix per symbol; none for a symbol two models have when the layer is in neither', () => {
    const two = 'model M(x: [N, 3, H, W]) {\n  return x -> conv2d(8, 3)\n}\n';
    expect(fixed(two, /^add `where/).map((t) => t.split('\n')[0])).toEqual(['model M(x: [N, 3, H, W]) where H >= 3 {', 'model M(x: [N, 3, H, W]) where W >= 3 {']);
    const shared = 'block stem(x: Tensor) -> Tensor {\n  return x -> conv2d(8, 5)\n}\nmodel A(x: [N, 3, 64, W]) {\n  return x -> stem()\n}\nmodel B(x: [N, 3, 64, W]) {\n  return x\n}\n';
    expect(fixed(shared, /^add `where/)).toEqual([]);
  });
});
