import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Dim, add, ceilDiv, compareDims, evaluate, exactDiv, floorDiv, formatDim, mod, mul, neg, sub, sym } from '../src/symbolic/dim.js';

const H = sym('H');
const W = sym('W');

describe('symbolic dims', () => {
  it('keeps conv output sizes closed-form and canonical', () => {
    const out = add(floorDiv(sub(add(H, 2), 3), 2), 1);
    expect(formatDim(out)).toBe('floor((H + 1)/2)');
    // Two strided convs compose into one floor.
    const twice = add(floorDiv(sub(add(out, 2), 3), 2), 1);
    expect(formatDim(twice)).toBe('floor((H + 3)/4)');
  });
  it('gives ceil, negated floors and the floors users write one canonical form', () => {
    expect(formatDim(ceilDiv(H, 2))).toBe('floor((H + 1)/2)');
    expect(compareDims(ceilDiv(H, 2), neg(floorDiv(neg(H), 2)))).toBe('equal');
    expect(compareDims(ceilDiv(sub(H, 1), 2), floorDiv(H, 2))).toBe('equal');
  });
  it('uses divisibility facts', () => {
    const facts = new Map([['H', 32]]);
    expect(formatDim(add(floorDiv(sub(H, 1), 2, facts), 1))).toBe('H/2');
    expect(mod(H, 16, facts)).toBe(0);
  });
  it('flattens to products', () => {
    expect(formatDim(mul(mul(64, H), W))).toBe('64*H*W');
    expect(formatDim(exactDiv(mul(mul(64, H), W), mul(H, W))!)).toBe('64');
    expect(exactDiv(add(H, 1), 2)).toBeUndefined();
  });
  it('compares', () => {
    expect(compareDims(add(H, 1), add(1, H))).toBe('equal');
    expect(compareDims(add(H, 1), H)).toBe('different');
    expect(compareDims(H, W)).toBe('unknown');
  });

  // Random expressions: symbolic evaluation then substitution must equal direct numeric evaluation.
  type Node = { op: 'H' | 'W' | 'c'; v?: number } | { op: 'add' | 'sub' | 'mul'; a: Node; b: Node } | { op: 'floor' | 'ceil'; a: Node; d: number };
  const node: fc.Arbitrary<Node> = fc.letrec<{ n: Node }>((tie) => ({
    n: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant({ op: 'H' as const }),
      fc.constant({ op: 'W' as const }),
      fc.integer({ min: -5, max: 9 }).map((v) => ({ op: 'c' as const, v })),
      fc.record({ op: fc.constantFrom('add' as const, 'sub' as const), a: tie('n'), b: tie('n') }),
      fc.record({ op: fc.constant('mul' as const), a: tie('n'), b: fc.integer({ min: -3, max: 4 }).map((v) => ({ op: 'c' as const, v })) }),
      fc.record({ op: fc.constantFrom('floor' as const, 'ceil' as const), a: tie('n'), d: fc.integer({ min: 1, max: 6 }) }),
    ),
  })).n;
  const sym_ = (n: Node): Dim => {
    switch (n.op) {
      case 'H': return H;
      case 'W': return W;
      case 'c': return n.v!;
      case 'add': return add(sym_(n.a), sym_(n.b));
      case 'sub': return sub(sym_(n.a), sym_(n.b));
      case 'mul': return mul(sym_(n.a), sym_(n.b));
      case 'floor': return floorDiv(sym_(n.a), n.d);
      case 'ceil': return ceilDiv(sym_(n.a), n.d);
    }
  };
  const num_ = (n: Node, h: number, w: number): number => {
    switch (n.op) {
      case 'H': return h;
      case 'W': return w;
      case 'c': return n.v!;
      case 'add': return num_(n.a, h, w) + num_(n.b, h, w);
      case 'sub': return num_(n.a, h, w) - num_(n.b, h, w);
      case 'mul': return num_(n.a, h, w) * num_(n.b, h, w);
      case 'floor': return Math.floor(num_(n.a, h, w) / n.d);
      case 'ceil': return Math.ceil(num_(n.a, h, w) / n.d);
    }
  };
  it('simplification preserves values (property)', () => {
    fc.assert(
      fc.property(node, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), (n, h, w) => {
        const env = new Map([['H', h], ['W', w]]);
        expect(evaluate(sym_(n), env)! + 0).toBe(num_(n, h, w) + 0);
      }),
      { numRuns: 2000 },
    );
  });
  it('canonical forms: sums commute, cancel to 0, and a remembered product equals repeated addition (property)', () => {
    const key = (d: Dim) => (typeof d === 'number' ? `n${d + 0}` : d.key); // (+0: -0 is 0)
    fc.assert(
      fc.property(node, node, fc.integer({ min: -4, max: 6 }), (x, y, k) => {
        const a = sym_(x);
        const b = sym_(y);
        expect(key(add(a, b))).toBe(key(add(b, a)));
        expect(key(sub(add(a, b), b))).toBe(key(a));
        expect(key(sub(a, a))).toBe('n0');
        // mul by an integer goes through the per-expression product cache: twice, and against k-fold sums.
        let sum: Dim = 0;
        for (let i = 0; i < Math.abs(k); i++) sum = add(sum, a);
        if (k < 0) sum = neg(sum);
        expect(key(mul(a, k))).toBe(key(sum));
        expect(key(mul(a, k))).toBe(key(mul(k, a)));
      }),
      { numRuns: 1000 },
    );
  });
  it('facts only simplify values that satisfy them (property)', () => {
    fc.assert(
      fc.property(node, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 300 }), (n, k, w) => {
        const facts = new Map([['H', 8]]);
        const h = 8 * k;
        const withFacts = (m: Node): Dim => (m.op === 'floor' ? floorDiv(withFacts(m.a), m.d, facts) : m.op === 'ceil' ? ceilDiv(withFacts(m.a), m.d, facts) : m.op === 'add' ? add(withFacts(m.a), withFacts(m.b)) : m.op === 'sub' ? sub(withFacts(m.a), withFacts(m.b)) : m.op === 'mul' ? mul(withFacts(m.a), withFacts(m.b)) : sym_(m));
        expect(evaluate(withFacts(n), new Map([["H", h], ["W", w]]))! + 0).toBe(num_(n, h, w) + 0);
      }),
      { numRuns: 1000 },
    );
  });
});
