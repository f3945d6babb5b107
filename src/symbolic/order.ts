/**
 * Ordering symbolic sizes (`<`, `<=`, `>`, `>=`, and `min`/`max`): the cheap bound of {@link signOf} first
 * (shape rules and the language server call this per keystroke), then, for what it leaves open, the exact
 * one-symbol decision (one-symbol-order.ts, cached). Several symbols stay as the cheap bound leaves them.
 */
import { type Dim, type DimFacts, signOf, sub, symbolsOf } from './dim.js';
import { type Rel, type Signs, decide, describeHolds, holdsWhere, signsOf } from './one-symbol-order.js';

export type { Rel, Signs };

const ALL: Signs = { neg: true, zero: true, pos: true };

/**
 * The signs a dim may take over the valid sizes: exactly the signs it takes when it is shown by the cheap
 * bound or is in one symbol of the solved form; otherwise a superset (every sign the bound leaves possible).
 */
export function possibleSigns(d: Dim, facts: DimFacts): Signs {
  const cheap = signOf(d, facts);
  if (cheap === 'positive') return { neg: false, zero: false, pos: true };
  if (cheap === 'negative') return { neg: true, zero: false, pos: false };
  if (cheap === 'zero') return { neg: false, zero: true, pos: false };
  const syms = symbolsOf(d);
  const exact = syms.size === 1 ? signsOf(d, [...syms][0]!, facts) : undefined;
  if (exact) return exact;
  if (cheap === 'nonnegative') return { neg: false, zero: true, pos: true };
  if (cheap === 'nonpositive') return { neg: true, zero: true, pos: false };
  return ALL;
}

/** `a rel b` for every valid size: true, false, or undefined when neither can be shown (or it varies). */
export function decideRelation(a: Dim, rel: Rel, b: Dim, facts: DimFacts): boolean | undefined {
  return decide(possibleSigns(sub(a, b), facts), rel);
}

/**
 * For a relation that holds for some sizes only, in one symbol: where (`it holds only for H ≥ 3`,
 * `it holds only for H % 2 in {0}`). Undefined for several symbols or a form that is not solved.
 */
export function relationCondition(a: Dim, rel: Rel, b: Dim, facts: DimFacts): string | undefined {
  const d = sub(a, b);
  const syms = symbolsOf(d);
  if (syms.size !== 1) return undefined;
  const w = holdsWhere(d, [...syms][0]!, facts, rel);
  return w && describeHolds(w);
}
