/**
 * Formatting a selection (src/service/format-range.ts): the declarations a range touches come out as the
 * whole-file formatter makes them, nothing outside them changes, a broken declaration elsewhere does not stop
 * it, and edits are the changed middle only (never splitting a CRLF or a surrogate pair).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRange, minimalEdit, splitDecls, type OffsetEdit } from '../src/service/index.js';
import { formatText } from '../src/syntax/printer.js';

const ROOT = join(import.meta.dirname, '..');
const texts = ['examples', 'stdlib'].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.nn')).map((f) => ({ f: `${d}/${f}`, text: readFileSync(join(ROOT, d, f), 'utf8') })));
const apply = (text: string, edits: readonly OffsetEdit[]) => [...edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text);
/** Spacing the formatter undoes, on lines without comments or strings (the program stays the same). */
const messUp = (text: string) => text.split('\n').map((l) => (/[#"']/.test(l) ? l : l.replace(/ -> /g, '->').replace(/, /g, ',  ').replace(/^( +)/, '$1 '))).join('\n');

describe('formatRange', () => {
  for (const { f, text } of texts) {
    it(`${f}: each declaration formatted on its own, last to first, gives the whole file's formatting`, () => {
      const messy = messUp(text);
      expect(messy).not.toBe(text);
      const whole = formatText(messy).result!;
      expect(whole).toBeDefined();
      const starts = splitDecls(messy);
      let t = messy;
      for (let i = starts.length - 1; i >= 0; i--) {
        const edits = formatRange(t, f, starts[i]!, starts[i]!);
        // Only the declaration at that offset (with its comments) changes.
        for (const e of edits) expect(e.start).toBeGreaterThanOrEqual(starts[i]!);
        if (i + 1 < starts.length) for (const e of edits) expect(e.end).toBeLessThanOrEqual(starts[i + 1]!);
        t = apply(t, edits);
      }
      expect(t).toBe(whole);
      // The whole text as one range: the same; formatted text: no edits.
      expect(apply(messy, formatRange(messy, f, 0, messy.length))).toBe(whole);
      expect(formatRange(whole, f, 0, whole.length)).toEqual([]);
    });
  }

  const FILE = 'const C = 8\n\n# The stem.\nblock stem(x: Tensor) -> Tensor {\n  return x->conv2d(C,3,  padding=1)\n}\n\nmodel M(x: [1, 3, 8, 8]) {\n  h = x->stem\n  return h->relu\n}\n';

  it('a range inside one declaration formats that declaration (its comment included) and nothing else', () => {
    const at = FILE.indexOf('padding');
    const edits = formatRange(FILE, 'f.nn', at, at + 3);
    expect(apply(FILE, edits)).toBe(FILE.replace('x->conv2d(C,3,  padding=1)', 'x -> conv2d(C, 3, padding=1)'));
    // A range ending where the model starts does not reach into it; one that enters it does.
    const model = FILE.indexOf('model M');
    expect(apply(FILE, formatRange(FILE, 'f.nn', at, model))).toBe(apply(FILE, edits));
    expect(apply(FILE, formatRange(FILE, 'f.nn', at, model + 1))).toBe(formatText(FILE).result);
    // Reversed or empty ranges: the declaration holding the offset.
    expect(apply(FILE, formatRange(FILE, 'f.nn', FILE.indexOf('h = x'), FILE.indexOf('h = x')))).toBe(FILE.replace('x->stem', 'x -> stem').replace('h->relu', 'h -> relu'));
  });

  it('a syntax error elsewhere does not stop it; in the range, nothing is formatted', () => {
    const broken = FILE.replace('return h->relu', 'return h->relu ->');
    expect(formatText(broken).result).toBeUndefined();
    const at = broken.indexOf('padding');
    expect(apply(broken, formatRange(broken, 'f.nn', at, at))).toBe(broken.replace('x->conv2d(C,3,  padding=1)', 'x -> conv2d(C, 3, padding=1)'));
    expect(formatRange(broken, 'f.nn', broken.indexOf('h = x'), broken.indexOf('h = x'))).toEqual([]);
    expect(formatRange('', 'f.nn', 0, 0)).toEqual([]);
    expect(formatRange('\n\n', 'f.nn', 0, 2)).toEqual([]);
  });

  it('keeps a CRLF file CRLF', () => {
    const crlf = FILE.replace(/\n/g, '\r\n');
    const at = crlf.indexOf('padding');
    expect(apply(crlf, formatRange(crlf, 'f.nn', at, at))).toBe(crlf.replace('x->conv2d(C,3,  padding=1)', 'x -> conv2d(C, 3, padding=1)'));
  });
});

describe('minimalEdit', () => {
  const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
  it('turns one text into the other, one edit, never splitting a CRLF or a surrogate pair', () => {
    const piece = fc.constantFrom('a', 'b', ' ', '\r\n', '\n', '\r', '😀', '\u00e9', '->');
    const text = fc.array(piece, { maxLength: 12 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(text, text, fc.nat(5), (a, b, off) => {
        const pad = 'x'.repeat(off);
        const edits = minimalEdit(a, b, off);
        expect(apply(pad + a, edits)).toBe(pad + b);
        expect(edits.length).toBe(a === b ? 0 : 1);
        for (const e of edits) {
          for (const o of [e.start - off, e.end - off]) {
            expect(isLow(a.charCodeAt(o)) && o > 0).toBe(false);
            expect(a[o - 1] === '\r' && a[o] === '\n').toBe(false);
          }
          // Minimal up to those pairs: the edit keeps at most one unit more than the common prefix and suffix.
          let p = 0;
          while (p < Math.min(a.length, b.length) && a[p] === b[p]) p++;
          expect(e.start - off).toBeGreaterThanOrEqual(p - 1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
