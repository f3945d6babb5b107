/** Exact rational numbers on JS numbers (safe-integer range); enough for dimension arithmetic. */
export interface Rat {
  readonly n: number;
  readonly d: number;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

/** Builds a normalised rational (denominator positive, reduced). */
export function rat(n: number, d = 1): Rat {
  if (d < 0) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return { n: n / g, d: d / g };
}

export const ZERO: Rat = { n: 0, d: 1 };
export const ONE: Rat = { n: 1, d: 1 };

// Integers (d = 1) are the common case and need no gcd.
export const radd = (a: Rat, b: Rat): Rat => (a.d === 1 && b.d === 1 ? { n: a.n + b.n, d: 1 } : rat(a.n * b.d + b.n * a.d, a.d * b.d));
export const rmul = (a: Rat, b: Rat): Rat => (a.d === 1 && b.d === 1 ? { n: a.n * b.n, d: 1 } : rat(a.n * b.n, a.d * b.d));
export const rneg = (a: Rat): Rat => ({ n: -a.n, d: a.d });
export const risZero = (a: Rat): boolean => a.n === 0;
export const risInt = (a: Rat): boolean => a.d === 1;
export { gcd };
