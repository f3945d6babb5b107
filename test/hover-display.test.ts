/**
 * What the editor shows agrees with what was computed: block calls that make no layer, receptive fields of
 * what a model or block returns, tuple items and loop results, shared layers' names and input dtypes.
 */
import { describe, expect, it } from 'vitest';
import { nodeHost } from '../src/cli/host.js';
import { LanguageService, codeLenses, hover, inlayHints } from '../src/service/index.js';

function analysis(text: string) {
  const s = new LanguageService({ host: nodeHost() });
  s.set('/virtual/display.nn', text);
  return s.analyze('/virtual/display.nn')!;
}
/** The hover's text at the `nth` occurrence of `needle` (plus `shift` characters), as one line. */
function hoverAt(text: string, needle: string, shift = 0, nth = 0): string | undefined {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`no ${needle}`);
  return hover(analysis(text), at + shift)?.contents.replace(/\n+/g, ' / ');
}

describe('a block call that makes no layer', () => {
  const NOOP = `block maybe_proj(x: Tensor, proj: bool = true) -> Tensor {
  if proj {
    return x -> conv2d(4, 1)
  }
  return x
}

model P(x: [N, 3, 32, 32]) {
  a = x -> maybe_proj(proj=false)
  b = a -> conv2d(8, 3)
  return b -> maybe_proj
}
`;

  it('has its inlay hint, hover and tensor shape', () => {
    const a = analysis(NOOP);
    const call = NOOP.indexOf('maybe_proj(proj=false)');
    const end = call + 'maybe_proj(proj=false)'.length;
    expect(inlayHints(a, 0, NOOP.length).find((h) => h.offset === end)?.label).toBe(': [N, 3, 32, 32]');
    expect(hoverAt(NOOP, 'maybe_proj(proj=false)')).toMatch(/^\*\*→ \[N, 3, 32, 32\]\*\* +\/ params 0 · MACs 0/);
    expect(hoverAt(NOOP, 'a = ')).toBe('```nn / a: [N, 3, 32, 32] / ``` / local of model P');
    expect(hoverAt(NOOP, 'a -> conv2d')).toBe('```nn / a: [N, 3, 32, 32] / ``` / local of model P');
  });

  it('counts as a call of its block, in the order the calls ran', () => {
    // The first call made no layer: the lens' numbers are its own.
    expect(codeLenses(analysis(NOOP))[0]!.title).toMatch(/^0 params · 0 MACs.* \(first of 2 calls\)$/);
  });
});
