/**
 * Random size expressions for property tests of symbolic comparisons: a tree evaluated directly on
 * integers (the oracle) and built as a Dim (the subject). `W` and products appear only in {@link polyTree}.
 */
import fc from 'fast-check';
import { type Dim, add, ceilDiv, floorDiv, mul, sub, sym } from '../../src/symbolic/dim.js';

export type Tree =
  | { k: 'H' | 'W' }
  | { k: 'c'; v: number }
  | { k: '+' | '-'; a: Tree; b: Tree }
  | { k: '*'; c: number; a: Tree }
  | { k: 'x'; a: Tree; b: Tree }
  | { k: 'floor' | 'ceil'; a: Tree; d: number };

const floorInt = (n: number, d: number) => Math.floor(n / d);

/** The tree's value at H = h (and W = w). */
export function value(t: Tree, h: number, w = 1): number {
  switch (t.k) {
    case 'H': return h;
    case 'W': return w;
    case 'c': return t.v;
    case '+': return value(t.a, h, w) + value(t.b, h, w);
    case '-': return value(t.a, h, w) - value(t.b, h, w);
    case '*': return t.c * value(t.a, h, w);
    case 'x': return value(t.a, h, w) * value(t.b, h, w);
    case 'floor': return floorInt(value(t.a, h, w), t.d);
    case 'ceil': return -floorInt(-value(t.a, h, w), t.d);
  }
}

/** The tree as a Dim, simplified under the facts. */
export function build(t: Tree, facts: ReadonlyMap<string, number>): Dim {
  switch (t.k) {
    case 'H':
    case 'W': return sym(t.k);
    case 'c': return t.v;
    case '+': return add(build(t.a, facts), build(t.b, facts));
    case '-': return sub(build(t.a, facts), build(t.b, facts));
    case '*': return mul(t.c, build(t.a, facts));
    case 'x': return mul(build(t.a, facts), build(t.b, facts));
    case 'floor': return floorDiv(build(t.a, facts), t.d, facts);
    case 'ceil': return ceilDiv(build(t.a, facts), t.d, facts);
  }
}

function trees(leaves: fc.Arbitrary<Tree>, products: boolean): fc.Arbitrary<Tree> {
  return fc.letrec<{ t: Tree }>((tie) => ({
    t: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaves,
      fc.integer({ min: -12, max: 12 }).map((v): Tree => ({ k: 'c', v })),
      fc.record({ k: fc.constantFrom<'+' | '-'>('+', '-'), a: tie('t'), b: tie('t') }),
      fc.record({ k: fc.constant<'*'>('*'), c: fc.integer({ min: -4, max: 4 }), a: tie('t') }),
      fc.record({ k: fc.constantFrom<'floor' | 'ceil'>('floor', 'ceil'), a: tie('t'), d: fc.integer({ min: 1, max: 9 }) }),
      ...(products ? [fc.record({ k: fc.constant<'x'>('x'), a: tie('t'), b: tie('t') })] : []),
    ),
  })).t;
}

/** Degree-1 quasi-polynomials in H: +, -, products by constants, floor and ceil by constants. */
export const oneSymbolTree: fc.Arbitrary<Tree> = trees(fc.constant<Tree>({ k: 'H' }), false);
/** Polynomials with floors in H and W. */
export const polyTree: fc.Arbitrary<Tree> = trees(fc.constantFrom<Tree>({ k: 'H' }, { k: 'W' }), true);

/** A tree plus a slope-0 (periodic) part: differences of such pairs are periodic, which random pairs rarely are. */
export const periodicPair: fc.Arbitrary<[Tree, Tree]> = fc
  .record({ t: oneSymbolTree, x: oneSymbolTree, d: fc.integer({ min: 2, max: 6 }), c: fc.integer({ min: -3, max: 3 }), u: fc.integer({ min: -3, max: 1 }) })
  .map(({ t, x, d, c, u }): [Tree, Tree] => {
    const mod: Tree = { k: '-', a: x, b: { k: '*', c: d, a: { k: 'floor', a: x, d } } };
    return [t, { k: '+', a: t, b: { k: '+', a: { k: '*', c, a: mod }, b: { k: 'c', v: u } } }];
  });

/** The sizes 1..limit that `where H % m == 0` allows. */
export const sizes = (m: number, limit: number): number[] => Array.from({ length: Math.floor(limit / m) }, (_, i) => (i + 1) * m);
