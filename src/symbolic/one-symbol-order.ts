/**
 * Exact order of a one-symbol size D against 0, for the degree-1 quasi-polynomials of one-symbol.ts, over
 * the allowed sizes H ≥ 1 (multiples of m under `where H % m == 0`, from the least a `where H >= k` allows).
 *
 * With slope a and period T (a multiple of m), each allowed residue class `h + k*T` (h its first allowed
 * size: m, 2m, …, T, each raised by whole periods past a lower bound; k ≥ 0) sees D linear in k:
 * `D(h + k*T) = D(h) + k*a*T`. So the sign along a class changes at most once, where k crosses `-D(h)/(a*T)`, and the T/m values on one period decide every sign exactly: no search
 * bound and no floats (the crossing is computed in BigInt). With a = 0, D is periodic and one period is
 * everything. With a ≠ 0, a relation holds either for finitely many sizes or for all but finitely many.
 */
import type { Dim, DimFacts, Expr } from './dim.js';
import { leastSize } from './facts.js';
import { MAX_PERIOD, classStart, lcm, memoOneSymbol, shape, valueAt } from './one-symbol.js';

/** A relation of D to 0. */
export type Rel = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** Which signs D takes over the allowed sizes. */
export interface Signs {
  readonly neg: boolean;
  readonly zero: boolean;
  readonly pos: boolean;
}

/** A finite set of allowed sizes: `start + i*stride` for `i < count`, per run (runs are disjoint). */
export interface Sizes {
  readonly symbol: string;
  /** What every allowed size is a multiple of. */
  readonly unit: number;
  /** The smallest allowed size (`unit`, or past a `where H >= k`). */
  readonly least: number;
  readonly stride: number;
  readonly runs: readonly { readonly start: bigint; readonly count: bigint }[];
}

/** Where `D rel 0` holds among the allowed sizes. */
export type Holds =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  /** Exactly on these sizes (a ≠ 0). */
  | { readonly kind: 'only'; readonly sizes: Sizes }
  /** Everywhere but these sizes (a ≠ 0). */
  | { readonly kind: 'except'; readonly sizes: Sizes }
  /** The allowed sizes H with `H % period` among `residues` (a = 0). */
  | { readonly kind: 'periodic'; readonly symbol: string; readonly period: number; readonly residues: readonly number[] };

/** One residue class: the sign of D at `h + k*T` is the sign of `p + k*u`. */
interface Line {
  readonly h: number;
  readonly p: bigint;
  readonly u: bigint;
}

const sgn = (x: bigint): -1 | 0 | 1 => (x > 0n ? 1 : x < 0n ? -1 : 0);

function lines(d: Expr, name: string, m: number, least: number): { period: number; lines: Line[] } | undefined {
  const s = shape(d, name);
  if (!s) return undefined;
  const period = lcm(s.period, m);
  if (period > MAX_PERIOD) return undefined;
  // With D(h) = n/q and a*T = g/w: D(h + k*T) has the sign of n*w + k*g*q (q, w > 0).
  const g = BigInt(s.slope.n) * BigInt(period);
  const w = BigInt(s.slope.d);
  const out: Line[] = [];
  for (let r = m; r <= period; r += m) {
    const h = classStart(r, period, least);
    const v = valueAt(d, name, h);
    if (v === undefined) return undefined;
    out.push({ h, p: BigInt(v.n) * w, u: g * BigInt(v.d) });
  }
  return { period, lines: out };
}

const signsCached = memoOneSymbol((d, name, m, least) => solveSigns(d, name, m, least));

/**
 * The signs D takes among the sizes of its one symbol, or undefined when D is not a degree-1
 * quasi-polynomial in that symbol (products of symbols, a period too long).
 */
export function signsOf(d: Dim, symbol: string, facts: DimFacts): Signs | undefined {
  if (typeof d === 'number') return { neg: d < 0, zero: d === 0, pos: d > 0 };
  return signsCached(d, symbol, facts);
}

function solveSigns(d: Expr, name: string, m: number, least: number): Signs | undefined {
  const ls = lines(d, name, m, least);
  if (!ls) return undefined;
  let neg = false;
  let zero = false;
  let pos = false;
  for (const { p, u } of ls.lines) {
    const at0 = sgn(p);
    if (at0 < 0) neg = true;
    else if (at0 > 0) pos = true;
    else zero = true;
    if (u === 0n) continue;
    // Along the class the sign ends as u's; it crosses 0 at k = -p/u, a size when that is a whole k ≥ 0.
    if (u > 0n) pos = true;
    else neg = true;
    if (at0 === -sgn(u) && p % u === 0n) zero = true;
  }
  return { neg, zero, pos };
}

const accepts = (rel: Rel, s: -1 | 0 | 1): boolean =>
  rel === '<' ? s < 0 : rel === '<=' ? s <= 0 : rel === '>' ? s > 0 : rel === '>=' ? s >= 0 : rel === '==' ? s === 0 : s !== 0;

/** Whether a sign set decides `D rel 0`: true or false for every size, else undefined. */
export function decide(s: Signs, rel: Rel): boolean | undefined {
  const held = [s.neg && accepts(rel, -1), s.zero && accepts(rel, 0), s.pos && accepts(rel, 1)];
  const failed = [s.neg && !accepts(rel, -1), s.zero && !accepts(rel, 0), s.pos && !accepts(rel, 1)];
  return !failed.some(Boolean) ? true : !held.some(Boolean) ? false : undefined;
}

/** Where `D rel 0` holds among the sizes of its one symbol (undefined as for {@link signsOf}). */
export function holdsWhere(d: Dim, symbol: string, facts: DimFacts, rel: Rel): Holds | undefined {
  if (typeof d === 'number') return accepts(rel, Math.sign(d) as -1 | 0 | 1) ? { kind: 'all' } : { kind: 'none' };
  const m = facts.get(symbol) ?? 1;
  const least = leastSize(facts, symbol);
  const ls = lines(d, symbol, m, least);
  if (!ls) return undefined;
  const T = ls.period;
  if (ls.lines.every((l) => l.u === 0n)) {
    const residues = ls.lines.filter((l) => accepts(rel, sgn(l.p))).map((l) => l.h % T);
    return residues.length === ls.lines.length ? { kind: 'all' } : residues.length === 0 ? { kind: 'none' } : { kind: 'periodic', symbol, period: T, residues };
  }
  // Every class ends with the slope's sign; the sizes where the relation differs from that end lie before
  // the crossing k = n/e (n = -σ*p, e = |u|): the opposite sign for k < n/e, zero at k = n/e when whole.
  const end = sgn(ls.lines[0]!.u);
  const atEnd = accepts(rel, end);
  const opposite = accepts(rel, -end as -1 | 1) !== atEnd;
  const zero = accepts(rel, 0) !== atEnd;
  const runs: { start: bigint; count: bigint }[] = [];
  for (const l of ls.lines) {
    const n = end > 0 ? -l.p : l.p;
    const e = l.u < 0n ? -l.u : l.u;
    const before = n > 0n ? (n + e - 1n) / e : 0n;
    const crosses = n >= 0n && n % e === 0n;
    let first = 0n;
    let count = 0n;
    if (opposite) count = before;
    if (zero && crosses) {
      if (opposite) count += 1n;
      else [first, count] = [n / e, 1n];
    }
    if (count > 0n) runs.push({ start: BigInt(l.h) + first * BigInt(T), count });
  }
  if (runs.length === 0) return atEnd ? { kind: 'all' } : { kind: 'none' };
  const sizes: Sizes = { symbol, unit: m, least, stride: T, runs };
  return atEnd ? { kind: 'except', sizes } : { kind: 'only', sizes };
}

/** Whether size h is in the set. */
export function inSizes(s: Sizes, h: number): boolean {
  const x = BigInt(h);
  return s.runs.some((r) => x >= r.start && (x - r.start) % BigInt(s.stride) === 0n && (x - r.start) / BigInt(s.stride) < r.count);
}

/** Whether `D rel 0` holds at the allowed size h, by a {@link Holds}. */
export function holdsAt(w: Holds, h: number): boolean {
  switch (w.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'only':
      return inSizes(w.sizes, h);
    case 'except':
      return !inSizes(w.sizes, h);
    case 'periodic':
      return w.residues.includes(h % w.period);
  }
}

const LISTED = 6;

/** Bounds and count of a set of sizes, and whether it is every allowed size from its least to its greatest. */
function extent(s: Sizes): { lo: bigint; hi: bigint; total: bigint; contiguous: boolean } {
  const stride = BigInt(s.stride);
  let lo = s.runs[0]!.start;
  let hi = lo;
  let total = 0n;
  for (const r of s.runs) {
    const last = r.start + (r.count - 1n) * stride;
    if (r.start < lo) lo = r.start;
    if (last > hi) hi = last;
    total += r.count;
  }
  return { lo, hi, total, contiguous: (hi - lo) / BigInt(s.unit) + 1n === total };
}

/**
 * The size from which a relation holds at every larger allowed size when it fails exactly below it (7 for
 * `H - 6 >= 1`), else undefined.
 */
export function leastFrom(w: Holds | undefined): number | undefined {
  if (w?.kind !== 'except') return undefined;
  const { lo, hi, contiguous } = extent(w.sizes);
  return contiguous && lo === BigInt(w.sizes.least) ? Number(hi + BigInt(w.sizes.unit)) : undefined;
}

/** `H = 1, 2`, `H ≤ 31`, `64 ≤ H ≤ 96`, `H = 1, 3, 5, 7, 9, 11, …`. */
function sizesText(s: Sizes): string {
  const { lo, hi, total, contiguous } = extent(s);
  if (contiguous && total >= 3n) return lo === BigInt(s.least) ? `${s.symbol} ≤ ${hi}` : `${lo} ≤ ${s.symbol} ≤ ${hi}`;
  const firsts: bigint[] = [];
  for (const r of s.runs) for (let i = 0n; i < r.count && i < BigInt(LISTED); i++) firsts.push(r.start + i * BigInt(s.stride));
  firsts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `${s.symbol} = ${firsts.slice(0, LISTED).join(', ')}${total > BigInt(LISTED) ? ', …' : ''}`;
}

/** Words for where a relation holds, when it holds for some sizes only: `it holds only for H ≥ 32`. */
export function describeHolds(w: Holds): string | undefined {
  switch (w.kind) {
    case 'all':
    case 'none':
      return undefined;
    case 'only':
      return `it holds only for ${sizesText(w.sizes)}`;
    case 'except': {
      const { lo, hi, contiguous } = extent(w.sizes);
      const unit = BigInt(w.sizes.unit);
      if (contiguous && lo === BigInt(w.sizes.least)) return `it holds only for ${w.sizes.symbol} ≥ ${hi + unit}`;
      return `it fails only for ${sizesText(w.sizes)}`;
    }
    case 'periodic': {
      const rs = [...w.residues].sort((x, y) => x - y);
      return `it holds only for ${w.symbol} % ${w.period} in {${rs.length > LISTED ? `${rs.slice(0, LISTED).join(', ')}, …` : rs.join(', ')}}`;
    }
  }
}
