/**
 * Hover on names that are not layers: a constant (as written and its value, also inside a layer call), a model's
 * name (its totals, the numbers `dslc check` computes), and a size symbol of a model's header (inputs and axes it
 * sizes, the batch axis, what `where` declares).
 */
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import { memoryHost } from '../src/semantics/modules.js';
import { LanguageService, hover } from '../src/service/index.js';
import { formatCount } from '../src/checker/summary.js';

const TEXT = `const WIDTH = 4 * 16
const KS = (3, 3)
model Net(x: [N, 3, H, 32], m: [N, 1, H, 32]) -> (y: [N, 10]) where H % 16 == 0, H >= 64 {
  h = x -> conv2d(WIDTH, KS, padding=1) -> relu
  g = m -> conv2d(WIDTH, 3, padding=1, trainable=false)
  h = add(h, g)
  return h -> global_avg_pool -> flatten -> dense(10)
}
`;
const s = new LanguageService({ host: memoryHost({}) });
s.set('h.nn', TEXT);
const a = s.analyze('h.nn')!;
const at = (needle: string, k = 0) => hover(a, TEXT.indexOf(needle) + k);

describe('hover on names', () => {
  it('a constant: as written and its value, at its definition and inside a layer call', () => {
    for (const h of [at('WIDTH'), at('WIDTH, KS'), at('WIDTH, 3')]) {
      expect(h!.contents).toBe('```nn\nconst WIDTH = 4 * 16\n```\n= `64`');
      expect(TEXT.slice(h!.start, h!.end)).toBe('WIDTH');
    }
    expect(at('KS, padding')!.contents).toBe('```nn\nconst KS = (3, 3)\n```');
    // The call's other tokens still show the layer.
    expect(at('conv2d(WIDTH, KS', 2)!.contents).toMatch(/^\*\*→ \[N, 64, H, 32\]\*\*/);
  });

  it("a model's name: its totals, as the checker computes them", () => {
    const m = check({ path: 'h.nn', text: TEXT, host: memoryHost({}) }).models[0]!;
    const h = at('Net')!.contents;
    expect(h).toContain(`params ${formatCount(m.totals.params)} (${formatCount(m.totals.trainableParams)} trainable)`);
    expect(m.totals.nonTrainableParams).toBeGreaterThan(0);
    expect(h).toMatch(/weights [\d.]+ KB · peak activations symbolic/);
  });

  it('a size symbol: the inputs and axes it sizes, the batch axis, what where declares', () => {
    const n = at('N, 3')!;
    expect(n.contents).toContain('size symbol of model Net (the batch axis: costs are per sample)');
    expect(n.contents).toContain('sizes `x` axis 0, `m` axis 0');
    const h = at('H, 32]')!;
    expect(h.contents).not.toContain('batch');
    expect(h.contents).toContain('sizes `x` axis 2, `m` axis 2');
    expect(h.contents).toContain('declared: `H % 16 == 0`, `H >= 64`');
    // In the where clause too; not on a number or an output's own name.
    expect(at('H % 16')!.contents).toBe(h.contents);
    expect(at('3, H')?.contents ?? '').not.toContain('size symbol');
  });

  it("an output's name: the shape the model returns there, and the one declared", () => {
    const y = at('y: [N')!;
    expect(TEXT.slice(y.start, y.end)).toBe('y');
    expect(y.contents).toBe('```nn\ny: [N, 10]\n```\noutput of model Net (declared `[N, 10]`)');
  });
});

describe('size symbols are names of their model: references, highlights, rename', () => {
  it("rename reaches the header, the where clause and the body, and the program checks the same", async () => {
    const { references, highlights, rename, prepareRename } = await import('../src/service/index.js');
    const text = 'const C = 8\nmodel M(x: [N, 3, H, W], m: [N, 1, H, W]) -> (y: [N, C, H, W]) where H % 8 == 0 {\n  assert H >= 16\n  half = H // 2\n  return x -> conv2d(C, 3, padding=1)\n}\n';
    const svc = new LanguageService({ host: memoryHost({}) });
    svc.set('s.nn', text);
    const an = svc.analyze('s.nn')!;
    const o = text.indexOf('H,');
    expect(prepareRename(an, o)).toEqual({ start: o, end: o + 1, name: 'H' });
    expect(references(an, o).map((r) => text.slice(r.start, r.end))).toEqual(['H', 'H', 'H', 'H', 'H', 'H']);
    expect(highlights(an, text.indexOf('H // 2')).map((h) => h.kind)).toEqual(['write', 'write', 'read', 'read', 'read', 'read']);
    const r = rename(an, text.indexOf('H >='), 'height');
    expect(r.error).toBeUndefined();
    let t = text;
    for (const e of [...r.edits!].sort((x, y) => y.span.start - x.span.start)) t = t.slice(0, e.span.start) + e.newText + t.slice(e.span.end);
    expect(t).toBe(text.replace(/\bH\b/g, 'height'));
    const codes = (src: string) => check({ path: 's.nn', text: src, host: memoryHost({}) }).diagnostics.map((d) => d.code);
    expect(codes(t)).toEqual(codes(text));
    // Not to a name the model uses, nor a constant's; the constant C is no size symbol.
    expect(rename(an, o, 'half').error).toMatch(/already used in M/);
    expect(rename(an, o, 'N').error).toBeDefined();
    expect(references(an, text.indexOf('C, H, W]')).length).toBe(3);
  });

  it('agrees with elaboration on what is a size symbol: a block of the same name does not stop it, a constant does', async () => {
    const { references } = await import('../src/service/index.js');
    const text = 'block W(x: Tensor) -> Tensor {\n  return x\n}\nconst C = 3\nmodel M(x: [N, C, 8, W]) {\n  return x -> relu\n}\n';
    const m = check({ path: 'b.nn', text, host: memoryHost({}) }).models[0]!;
    expect([...m.graph.symbols.keys()].sort()).toEqual(['N', 'W']);
    const svc = new LanguageService({ host: memoryHost({}) });
    svc.set('b.nn', text);
    const an = svc.analyze('b.nn')!;
    const w = text.indexOf('W]');
    expect(hover(an, w)!.contents).toContain('size symbol of model M');
    expect(references(an, w).map((r) => r.start)).toEqual([w]);
    expect(hover(an, text.indexOf('C, 8'))!.contents).toContain('const C = 3');
  });
});
