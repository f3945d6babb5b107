/**
 * Exact solution of `D(H) == 0` over the sizes H ≥ 1 (the multiples a `where H % m == 0` allows, from the
 * least a `where H >= k` allows) for a
 * dim D in one symbol built from `+`, `-`, products by constants and floors of such sums divided by
 * constants: a quasi-polynomial of degree 1. Such a D has a slope `a` and a period `T` with
 * `D(H + T) = D(H) + a*T` for every H, so the values on one period decide everything:
 *
 * - a = 0: D is periodic, and it is zero exactly where it is zero on one period;
 * - a ≠ 0: on each residue class `H0 + k*T` D is linear in k, so it has at most one zero there,
 *   `k = -D(H0) / (a*T)`, which counts when it is a whole k ≥ 0. The zeros are finitely many.
 *
 * This lets `floor(H/2) == H` be refuted (no size satisfies it) where a sign argument cannot.
 */
import type { Dim, DimFacts, Expr } from './dim.js';
import { leastSize } from './facts.js';
import { type Rat, ONE, ZERO, gcd, rat, radd, rmul } from './rational.js';

/** The zeros of D among the allowed sizes. */
export type Zeros =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  /** Finitely many sizes (a ≠ 0), ascending. */
  | { readonly kind: 'finite'; readonly symbol: string; readonly values: readonly number[] }
  /** The allowed sizes H with `H % period` among `residues` (a = 0). */
  | { readonly kind: 'periodic'; readonly symbol: string; readonly period: number; readonly residues: readonly number[] };

/** Periods above this are not enumerated (the answer is then unknown): a check stays a few ms at worst. */
export const MAX_PERIOD = 20_000;

export const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

type Term = Expr['terms'][number];
type Atom = Term['factors'][number]['atom'];

/** Slope and period of a degree-1 quasi-polynomial in `name`, or undefined for anything else. */
export function shape(e: Dim, name: string): { slope: Rat; period: number } | undefined {
  if (typeof e === 'number') return { slope: ZERO, period: 1 };
  let slope = ZERO;
  let period = 1;
  for (const t of e.terms) {
    if (t.key === '') continue;
    if (t.factors.length !== 1 || t.factors[0]!.exp !== 1) return undefined;
    const a = t.factors[0]!.atom;
    let s: Rat;
    if (a.kind === 'sym') {
      if (a.name !== name) return undefined;
      s = ONE;
    } else {
      const inner = shape(a.num, name);
      if (!inner) return undefined;
      // floor(q(H)/den) shifts by a whole number over a period T when q's shift slope*T is a multiple of den.
      s = rmul(inner.slope, rat(1, a.den));
      const step = inner.slope.n === 0 ? 1 : (inner.slope.d * a.den) / gcd(inner.slope.n, inner.slope.d * a.den);
      period = lcm(period, lcm(inner.period, step));
    }
    slope = radd(slope, rmul(t.c, s));
    if (period > MAX_PERIOD || !Number.isSafeInteger(slope.n) || !Number.isSafeInteger(slope.d)) return undefined;
  }
  return { slope, period };
}

/** floor(n/d) for integers, exactly (a float quotient can round up across an integer). */
function floorInt(n: number, d: number): number {
  let q = Math.floor(n / d);
  while (q * d > n) q--;
  while ((q + 1) * d <= n) q++;
  return q;
}

/** The exact value of a dim at H = h, or undefined past the safe-integer range. */
export function valueAt(e: Dim, name: string, h: number): Rat | undefined {
  if (typeof e === 'number') return rat(e);
  let acc = ZERO;
  for (const t of e.terms) {
    let v = t.c;
    for (const f of t.factors) {
      const base = atomAt(f.atom, name, h);
      if (base === undefined) return undefined;
      v = rmul(v, rat(base));
    }
    acc = radd(acc, v);
    if (!Number.isSafeInteger(acc.n) || !Number.isSafeInteger(acc.d)) return undefined;
  }
  return acc;
}

function atomAt(a: Atom, name: string, h: number): number | undefined {
  if (a.kind === 'sym') return h;
  const q = valueAt(a.num, name, h);
  return q === undefined ? undefined : floorInt(q.n, q.d * a.den);
}

/**
 * The first size of the residue class of `h` (modulo `period`) that is at least `least`: the sizes a
 * `where H >= k` allows start there in that class.
 */
export const classStart = (h: number, period: number, least: number): number => (h >= least ? h : h + period * Math.ceil((least - h) / period));

/**
 * `solve(d, symbol, m, least)` cached by the expression's key, the symbol, its divisibility `m` and its
 * smallest size `least` (the same checks repeat, in loops and across keystrokes); a bounded cache, cleared
 * when full.
 */
export function memoOneSymbol<T>(solve: (d: Expr, symbol: string, m: number, least: number) => T | undefined): (d: Expr, symbol: string, facts: DimFacts) => T | undefined {
  const cache = new Map<string, T | null>();
  return (d, symbol, facts) => {
    const m = facts.get(symbol) ?? 1;
    const least = leastSize(facts, symbol);
    const key = `${d.key}|${symbol}%${m}>=${least}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const r = solve(d, symbol, m, least);
    if (cache.size > 2000) cache.clear();
    cache.set(key, r ?? null);
    return r;
  };
}

const zerosCached = memoOneSymbol((d, name, m, least) => solve(d, name, m, least));

/**
 * Where `d == 0` holds among the sizes of its one symbol, or undefined when d is not a degree-1
 * quasi-polynomial in exactly one symbol (several symbols, products of symbols, a period too long).
 */
export function zerosOf(d: Dim, symbol: string, facts: DimFacts): Zeros | undefined {
  if (typeof d === 'number') return d === 0 ? { kind: 'all' } : { kind: 'none' };
  return zerosCached(d, symbol, facts);
}

function solve(d: Expr, name: string, m: number, least: number): Zeros | undefined {
  const s = shape(d, name);
  if (!s) return undefined;
  const period = lcm(s.period, m);
  if (period > MAX_PERIOD) return undefined;
  // a*T, the change of D over one period.
  const step = rmul(s.slope, rat(period));
  const zeros: number[] = [];
  let allowed = 0;
  for (let r = m; r <= period; r += m) {
    allowed++;
    const h = classStart(r, period, least);
    const v = valueAt(d, name, h);
    if (v === undefined) return undefined;
    if (step.n === 0) {
      if (v.n === 0) zeros.push(h);
      continue;
    }
    // D(h + k*T) = v + k*a*T = 0.
    const k = rmul(v, rat(-step.d, step.n));
    if (k.d === 1 && k.n >= 0) {
      const at = h + k.n * period;
      if (Number.isSafeInteger(at)) zeros.push(at);
    }
  }
  if (zeros.length === 0) return { kind: 'none' };
  if (step.n === 0) return zeros.length === allowed ? { kind: 'all' } : { kind: 'periodic', symbol: name, period, residues: zeros.map((h) => h % period) };
  return { kind: 'finite', symbol: name, values: zeros.sort((x, y) => x - y) };
}

/** Words for where an equality holds (for a warning that assumes it): `only for H = 1, 2`. */
export function describeZeros(z: Zeros): string | undefined {
  const list = (xs: readonly number[]) => (xs.length > 6 ? `${xs.slice(0, 6).join(', ')}, …` : xs.join(', '));
  if (z.kind === 'finite') return `it holds only for ${z.symbol} = ${list(z.values)}`;
  if (z.kind === 'periodic') return `it holds only for ${z.symbol} % ${z.period} in {${list([...z.residues].sort((x, y) => x - y))}}`;
  return undefined;
}
