/** Reading what `where` constraints say about a symbol from {@link DimFacts}. */
import type { DimFacts } from './dim.js';

/** The key of a symbol's lower bound in {@link DimFacts}. */
export const lowerBoundKey = (name: string): string => `>=${name}`;

/**
 * The smallest size a symbol may take: 1, or its `where H >= k` bound, rounded up to a multiple of its
 * `where H % m == 0` (every size the symbol may take is then this one plus a multiple of m).
 */
export function leastSize(facts: DimFacts, name: string): number {
  const m = facts.get(name) ?? 1;
  const low = facts.get(lowerBoundKey(name)) ?? 1;
  return low <= m ? m : m * Math.ceil(low / m);
}
