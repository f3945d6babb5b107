/**
 * The cheap sign test behind {@link signOf} (dim.ts): a structural bound, no search, for every number of
 * symbols. It is sound, not complete; one-symbol-order.ts decides what it leaves `unknown` exactly.
 *
 * A dim whose non-constant terms all have positive coefficients over nondecreasing atoms (symbols, and
 * floors of such sums) is nondecreasing in every symbol, so its minimum over the valid sizes is its value
 * at the smallest size of each symbol: 1, or m under `where H % m == 0`. That value decides it: > 0 means
 * positive everywhere, == 0 non-negative everywhere (`H - 1`). Negative coefficients throughout mirror it.
 */
import type { DimFacts, Expr } from './dim.js';
import { leastSize } from './facts.js';
import { type Rat, ZERO, rat, radd, rmul } from './rational.js';

/**
 * What holds for every valid assignment of the symbols (sizes ≥ 1, with their `where` divisibility):
 * `positive` (> 0), `negative` (< 0), `zero` (== 0), `nonnegative` (≥ 0, and not shown to be > 0),
 * `nonpositive` (≤ 0, and not shown to be < 0), or `unknown` (none of these shown; it may still hold).
 */
export type Sign = 'positive' | 'negative' | 'zero' | 'nonnegative' | 'nonpositive' | 'unknown';

type Term = Expr['terms'][number];
type Atom = Term['factors'][number]['atom'];

const safe = (r: Rat): Rat | undefined => (Number.isSafeInteger(r.n) && Number.isSafeInteger(r.d) ? r : undefined);

/** floor(n/d) for integers, exactly (a float quotient can round up across an integer). */
function floorInt(n: number, d: number): number {
  let q = Math.floor(n / d);
  while (q * d > n) q--;
  while ((q + 1) * d <= n) q++;
  return q;
}

/**
 * The value of `dir * e` at the smallest sizes when `dir * e` is nondecreasing in every symbol (`dir`
 * applies to the top-level coefficients only: a floor inside must be nondecreasing itself), else undefined.
 */
function minimum(e: Expr, dir: 1 | -1, facts: DimFacts): Rat | undefined {
  let acc = ZERO;
  for (const t of e.terms) {
    const c = dir === 1 ? t.c : { n: -t.c.n, d: t.c.d };
    let v: Rat | undefined = c;
    if (t.key !== '') {
      if (c.n < 0) return undefined;
      // A product of nondecreasing atoms is nondecreasing when none is negative; one atom may be.
      const single = t.factors.length === 1 && t.factors[0]!.exp === 1;
      for (const f of t.factors) {
        const low = atomMinimum(f.atom, facts);
        if (low === undefined || (!single && low.n < 0)) return undefined;
        for (let i = 0; i < f.exp && v; i++) v = safe(rmul(v, low));
      }
    }
    const next: Rat | undefined = v && safe(radd(acc, v));
    if (!next) return undefined;
    acc = next;
  }
  return acc;
}

function atomMinimum(a: Atom, facts: DimFacts): Rat | undefined {
  if (a.kind === 'sym') return { n: leastSize(facts, a.name), d: 1 };
  const q = minimum(a.num, 1, facts);
  return q && Number.isSafeInteger(q.d * a.den) ? rat(floorInt(q.n, q.d * a.den)) : undefined;
}

/** The sign of a symbolic dim that {@link Sign} states, by the monotonicity bound above. */
export function cheapSign(e: Expr, facts: DimFacts): Sign {
  // Mixed signs among the variable terms are the common case when comparing sizes: no bound, no allocation.
  let dir: 1 | -1 | 0 = 0;
  for (const t of e.terms) {
    if (t.key === '') continue;
    const s = t.c.n > 0 ? 1 : -1;
    if (dir !== 0 && s !== dir) return 'unknown';
    dir = s;
  }
  const low = minimum(e, dir === 0 ? 1 : dir, facts);
  if (!low) return 'unknown';
  if (low.n > 0) return dir < 0 ? 'negative' : 'positive';
  if (low.n === 0) return dir < 0 ? 'nonpositive' : 'nonnegative';
  return 'unknown';
}
