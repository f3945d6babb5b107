/**
 * Ordering symbolic sizes: the cheap sign bound (sign.ts, any number of symbols) and the exact one-symbol
 * decision (one-symbol-order.ts), against brute force over H in 1..2000 and witnesses beyond; and what
 * users see in assertions, `if` conditions and min/max/abs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Dim, add, floorDiv, signOf, sub, sym } from '../src/symbolic/dim.js';
import { type Holds, type Rel, type Sizes, decide, holdsAt, holdsWhere, signsOf } from '../src/symbolic/one-symbol-order.js';
import { decideRelation, possibleSigns, relationCondition } from '../src/symbolic/order.js';
import { leastSize, lowerBoundKey } from '../src/symbolic/facts.js';
import { checkText, codes } from './helpers/compile.js';
import { type Tree, build, oneSymbolTree, periodicPair, polyTree, sizes, value } from './helpers/quasi.js';

const H = sym('H');
const W = sym('W');
const LIMIT = 2000;
const RELS: readonly Rel[] = ['<', '<=', '>', '>=', '==', '!='];
const holds = (rel: Rel, x: number) => (rel === '<' ? x < 0 : rel === '<=' ? x <= 0 : rel === '>' ? x > 0 : rel === '>=' ? x >= 0 : rel === '==' ? x === 0 : x !== 0);
/** `where H % m == 0` and `where H >= low`. */
const facts = (m: number, low = 1) => new Map([...(m > 1 ? [['H', m] as const] : []), ...(low > 1 ? [[lowerBoundKey('H'), low] as const] : [])]);

/** Sizes past the window where a Holds changes or ends (ends of some runs and the next sizes), and far sizes. */
function probes(w: Holds, m: number): number[] {
  const out = [1e6 * m, 1e6 * m + m, 3e6 * m + 2 * m];
  if (w.kind === 'only' || w.kind === 'except') {
    const stride = BigInt(w.sizes.stride);
    const some = w.sizes.runs.length > 8 ? [...w.sizes.runs.slice(0, 4), ...w.sizes.runs.slice(-4)] : w.sizes.runs;
    for (const r of some) {
      const last = r.start + (r.count - 1n) * stride;
      for (const x of [r.start, last, last + stride, last + BigInt(m)]) if (x < 10n ** 9n) out.push(Number(x));
    }
    out.push(Number(lastOf(w.sizes)) + m);
  }
  return out;
}

/** The last size of a set of runs. */
const lastOf = (s: Sizes) => s.runs.reduce((x, r) => (r.start + (r.count - 1n) * BigInt(s.stride) > x ? r.start + (r.count - 1n) * BigInt(s.stride) : x), 0n);

/** A size where the relation holds, from a Holds that is not `none` (`least`: the smallest allowed size). */
function witness(w: Holds, m: number, least: number): number {
  if (w.kind === 'all') return least;
  if (w.kind === 'only') return Number(w.sizes.runs[0]!.start);
  if (w.kind === 'periodic') return sizes(m, least + w.period).find((h) => h >= least && w.residues.includes(h % w.period))!;
  if (w.kind === 'except') return Number(lastOf(w.sizes)) + m;
  throw new Error('no witness of none');
}

/** holdsAt over the window 1..LIMIT at once (holdsAt scans the runs for every size). */
function window(w: Holds, hs: readonly number[]): boolean[] {
  if (w.kind !== 'only' && w.kind !== 'except') return hs.map((h) => holdsAt(w, h));
  const inside = new Set<number>();
  for (const r of w.sizes.runs) for (let x = r.start; x <= BigInt(LIMIT) && x < r.start + r.count * BigInt(w.sizes.stride); x += BigInt(w.sizes.stride)) inside.add(Number(x));
  return hs.map((h) => inside.has(h) === (w.kind === 'only'));
}

/** Pairs whose difference changes sign late as often as early: a tree against a constant up to ±300. */
const pairs: fc.Arbitrary<[Tree, Tree]> = fc.oneof(
  fc.tuple(oneSymbolTree, oneSymbolTree),
  periodicPair,
  fc.tuple(oneSymbolTree, fc.integer({ min: -300, max: 300 }).map((v): Tree => ({ k: 'c', v }))),
);

describe('one-symbol order is decided exactly', () => {
  it('holdsWhere, signsOf and decideRelation agree with brute force over H in 1..2000, and beyond (with divisibility and lower bounds)', () => {
    let solved = 0;
    let runs = 0;
    const kinds = new Set<string>();
    fc.assert(
      fc.property(pairs, fc.constantFrom(1, 1, 2, 3, 4, 32), fc.constantFrom(1, 1, 1, 2, 7, 33, 100), ([ta, tb], m, low) => {
        const f = facts(m, low);
        const least = leastSize(f, 'H');
        const a = build(ta, f);
        const b = build(tb, f);
        const d = sub(a, b);
        const at = (h: number) => value(ta, h) - value(tb, h);
        const hs = sizes(m, LIMIT).filter((h) => h >= low);
        const vs = hs.map(at);
        for (const rel of RELS) {
          // Sound whatever the form: a decided relation holds (or fails) at every size of the window.
          const r = decideRelation(a, rel, b, f);
          if (r !== undefined) expect(vs.every((v) => holds(rel, v) === r), rel).toBe(true);
        }
        if (typeof d === 'number') return;
        runs++;
        const s = signsOf(d, 'H', f);
        if (!s) return;
        solved++;
        for (const rel of RELS) {
          const w = holdsWhere(d, 'H', f, rel)!;
          kinds.add(w.kind);
          const got = window(w, hs);
          const bad = hs.findIndex((_, i) => got[i] !== holds(rel, vs[i]!));
          expect(bad, `${rel} at H = ${hs[bad]}`).toBe(-1);
          for (const h of probes(w, m)) expect(holdsAt(w, h), `${rel} at H = ${h}`).toBe(holds(rel, at(h)));
          // The sign set is exact: a sign it claims has a size, one it denies has none.
          if (w.kind !== 'none') {
            const x = witness(w, m, least);
            expect([x >= low, holds(rel, at(x))], `${rel} at H = ${x}`).toEqual([true, true]);
          }
          expect(decideRelation(a, rel, b, f)).toBe(decide(s, rel));
          expect(decide(s, rel)).toBe(w.kind === 'all' ? true : w.kind === 'none' ? false : undefined);
        }
        expect(s).toEqual({
          neg: holdsWhere(d, 'H', f, '<')!.kind !== 'none',
          zero: holdsWhere(d, 'H', f, '==')!.kind !== 'none',
          pos: holdsWhere(d, 'H', f, '>')!.kind !== 'none',
        });
      }),
      { seed: 20261207, numRuns: 2000 },
    );
    expect(solved / runs).toBeGreaterThan(0.95);
    expect([...kinds].sort()).toEqual(['all', 'except', 'none', 'only', 'periodic']);
  });

  it('the cheap bound is sound for polynomials with floors in H and W (grid of 16 × 16 sizes, with divisibility and a lower bound on H)', () => {
    const decided = new Set<string>();
    fc.assert(
      fc.property(polyTree, fc.constantFrom(1, 1, 2, 4), fc.constantFrom(1, 1, 3), fc.constantFrom(1, 1, 5), (t, mh, mw, lh) => {
        const f = new Map([...(mh > 1 ? [['H', mh] as const] : []), ...(mw > 1 ? [['W', mw] as const] : []), ...(lh > 1 ? [[lowerBoundKey('H'), lh] as const] : [])]);
        const s = signOf(build(t, f), f);
        decided.add(s);
        if (s === 'unknown') return;
        const h0 = leastSize(f, 'H');
        for (let h = h0; h < h0 + 16 * mh; h += mh)
          for (let w = mw; w <= 16 * mw; w += mw) {
            const v = value(t, h, w);
            const ok = s === 'positive' ? v > 0 : s === 'negative' ? v < 0 : s === 'zero' ? v === 0 : s === 'nonnegative' ? v >= 0 : v <= 0;
            expect(ok, `${s} at H = ${h}, W = ${w}: ${v}`).toBe(true);
          }
      }),
      { seed: 7, numRuns: 1000 },
    );
    expect([...decided].sort()).toEqual(['negative', 'nonnegative', 'nonpositive', 'positive', 'unknown', 'zero']);
  });

  it('the cases of the brief', () => {
    // The cheap bound now sees H - 1 ≥ 0 (zero at H = 1), in several symbols too, and uses H % m == 0.
    expect(signOf(sub(H, 1))).toBe('nonnegative');
    expect(signOf(sub(1, H))).toBe('nonpositive');
    expect(signOf(sub(H, 2))).toBe('unknown');
    expect(signOf(sub(H, 2), new Map([['H', 2]]))).toBe('nonnegative');
    expect(signOf(add(floorDiv(add(H, W), 2), -1))).toBe('nonnegative');
    expect(signOf(sub(floorDiv(H, 32), 1))).toBe('unknown');
    // What it leaves open, one symbol decides: floor(H/32) ≥ 1 holds from H = 32 on; always under H % 32 == 0.
    const d = sub(floorDiv(H, 32), 1);
    expect(possibleSigns(d, new Map())).toEqual({ neg: true, zero: true, pos: true });
    expect(relationCondition(floorDiv(H, 32), '>=', 1, new Map())).toBe('it holds only for H ≥ 32');
    expect(decideRelation(floorDiv(H, 32, new Map([['H', 32]])), '>=', 1, new Map([['H', 32]]))).toBe(true);
    // H - floor(H/2) is positive (mixed coefficients: beyond the cheap bound).
    expect(signOf(sub(H, floorDiv(H, 2)))).toBe('unknown');
    expect(decideRelation(H, '>', floorDiv(H, 2), new Map())).toBe(true);
    // Periodic: 2*floor(H/2) < H exactly for odd H.
    expect(relationCondition(add(floorDiv(H, 2), floorDiv(H, 2)), '<', H, new Map())).toBe('it holds only for H % 2 in {1}');
    expect(relationCondition(H, '<', 5, new Map())).toBe('it holds only for H ≤ 4');
    expect(relationCondition(H, '!=', 7, new Map())).toBe('it fails only for H = 7');
    // Several symbols stay undecided unless the cheap bound shows them.
    expect(decideRelation(H, '>', W, new Map())).toBeUndefined();
    expect(relationCondition(H, '>', W, new Map())).toBeUndefined();
  });

  it('a sign change far past any window is found (no search bound)', () => {
    const late: Dim = sub(floorDiv(floorDiv(H, 97), 89), 1000);
    expect(signsOf(late, 'H', new Map())).toEqual({ neg: true, zero: true, pos: true });
    expect(relationCondition(floorDiv(floorDiv(H, 97), 89), '>=', 1000, new Map())).toBe(`it holds only for H ≥ ${97 * 89 * 1000}`);
  });
});

describe('in models', () => {
  const model = (body: string, where = '') => checkText(`model M(x: [N, 8, H, W])${where} {\n${body}\n  return x\n}`);
  const messages = (r: ReturnType<typeof checkText>) => r.diagnostics.map((d) => [d.code, d.message]);

  it('assertions with <, <=, >, >= are decided where one symbol allows, else W0106 says where they hold', () => {
    expect(model('  assert H - 1 >= 0\n  assert H >= 1\n  assert H > H // 2\n  assert 2 * (H // 2) <= H').diagnostics).toEqual([]);
    expect(messages(model('  assert H < 1'))).toEqual([['E0500', 'assertion failed (H < 1: H < 1 is false)']]);
    expect(messages(model('  assert H // 2 > H'))).toEqual([['E0500', 'assertion failed (H // 2 > H: floor(H/2) > H is false)']]);
    expect(messages(model('  assert H // 32 >= 1'))).toEqual([['W0106', 'cannot decide floor(H/32) >= 1 for every value of the symbolic dimensions (it holds only for H ≥ 32)']]);
    expect(model('  assert H // 32 >= 1', ' where H % 32 == 0').diagnostics).toEqual([]);
    // Several symbols: still a warning, without a place.
    expect(messages(model('  assert H > W'))).toEqual([['W0106', 'cannot decide H > W for every value of the symbolic dimensions']]);
  });

  it('`where H >= k` (or `H > k`) bounds a symbol from below: floors, max() and assertions are decided past it; a size below it is E0403', () => {
    expect(model('  assert H // 32 >= 1\n  assert max(1, H // 32) == H // 32\n  assert W // 8 >= 4', ' where H >= 32, W > 31').diagnostics).toEqual([]);
    // With a divisibility too: the sizes start at the first multiple past the bound (48 here).
    expect(model('  assert H >= 48\n  assert H // 48 >= 1', ' where H % 16 == 0, H >= 40').diagnostics).toEqual([]);
    expect(messages(model('  assert H // 64 >= 1', ' where H >= 32'))).toEqual([['W0106', 'cannot decide floor(H/64) >= 1 for every value of the symbolic dimensions (it holds only for H ≥ 64)']]);
    expect(messages(model('  assert H < 32', ' where H >= 32'))).toEqual([['E0500', 'assertion failed (H < 32: H < 32 is false)']]);
    // A pooled size that is positive only past the bound.
    const pooled = (where: string) => checkText(`model M(x: [N, 8, H, W])${where} {\n  y = x -> max_pool2d(32)\n  assert y.shape[2] >= 1\n  return y\n}`);
    expect(pooled(' where H >= 32, W >= 32').diagnostics).toEqual([]);
    expect(messages(pooled(' where W >= 32'))).toEqual([
      ['W0106', 'cannot decide floor(H/32) >= 1 for every value of the symbolic dimensions (it holds only for H ≥ 32)'],
      ['W0108', 'H must be at least 32: y makes floor(H/32) (axis 2), less than 1 below that'],
    ]);
    const given = checkText('model M(x: [N, 8, H, W]) where H >= 32 {\n  return x\n}', { inputShapes: new Map([['H', 16]]) });
    expect(messages(given)).toEqual([['E0403', 'H = 16 (from --input-shape) violates `where H >= 32`']]);
    expect(messages(model('', ' where H == 16, H > 16'))).toEqual([['E0403', '`where H == 16` violates `where H > 16`']]);
    expect(messages(model('', ' where H <= 16'))).toEqual([['E0300', 'a `where` constraint must look like `H % 32 == 0`, `H >= 32` or `H == 224`']]);
  });

  it('an `if` on an order of sizes picks its branch; an undecidable one stays an error', () => {
    const branch = (cond: string, where = '') => {
      const r = checkText(`model M(x: [N, 8, H, W])${where} {\n  if ${cond} {\n    y = x -> conv2d(4, 1)\n  } else {\n    y = x -> conv2d(2, 1)\n  }\n  return y\n}`);
      if (r.diagnostics.length) return codes(r);
      const g = r.models[0]!.graph;
      return g.tensors[g.outputs[0]!.tensor]!.type.shape[1];
    };
    expect(branch('H >= 1')).toBe(4);
    expect(branch('H - 1 < 0')).toBe(2);
    expect(branch('(H + 1) // 2 >= H // 2')).toBe(4);
    expect(branch('H // 4 >= 1', ' where H % 4 == 0')).toBe(4);
    expect(branch('H // 4 >= 1')).toEqual(['W0106', 'E0300']);
    expect(branch('H >= W')).toEqual(['W0106', 'E0300']);
  });

  it('min, max and abs order symbolic sizes, and say where they cannot', () => {
    expect(model('  assert min(H, 1) == 1\n  assert max(H, 1) == H\n  assert max(1, (H + 31) // 32) == ceil(H / 32)\n  assert abs(1 - H) == H - 1').diagnostics).toEqual([]);
    expect(model('  assert max(1, H // 32) == H / 32', ' where H % 32 == 0').diagnostics).toEqual([]);
    // max(1, H // 32) is 1 below 32 and H // 32 above: no single size expression, so an error that says so.
    expect(messages(model('  c = max(1, H // 32)'))).toEqual([
      ['E0300', 'max() cannot order 1 and floor(H/32) for every value of the symbolic dimensions (floor(H/32) >= 1: it holds only for H ≥ 32); give concrete sizes (`--input-shape`) or a `where` constraint'],
    ]);
    expect(messages(model('  c = max(H, W)'))).toEqual([['E0300', 'max() cannot order H and W for every value of the symbolic dimensions; give concrete sizes (`--input-shape`) or a `where` constraint']]);
    expect(codes(model('  c = abs(H - 2)'))).toEqual(['E0300']);
  });
});
