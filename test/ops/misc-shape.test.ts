import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sym } from '../../src/symbolic/dim.js';
import { runOp } from '../helpers/op-harness.js';

const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);
const product = (s: number[]) => s.reduce((a, b) => a * b, 1);
const shapeArb = (min: number, max: number) => fc.array(fc.integer({ min: 1, max: 6 }), { minLength: min, maxLength: max });

describe('reshape', () => {
  it('infers one -1 from the element count', () => {
    expect(runOp('reshape', [[2, 64, 7, 7]], [[2, -1]]).shapes).toEqual([[2, 3136]]);
    expect(runOp('view', [[2, 3136]], [[-1, 64, 7, 7]]).shapes).toEqual([[2, 64, 7, 7]]);
    expect(runOp('reshape', [[2, 64, 7, 7]], [[2, 64, 49]]).result!.rf.kind).toBe('none');
  });
  it('works with symbolic sizes', () => {
    const N = sym('N');
    expect(runOp('reshape', [['N', 'C', 'H', 'W']], [[N, -1]]).shapes).toEqual([['N', 'C*H*W']]);
    expect(runOp('reshape', [['N', 64, 'H', 'W']], [[N, 8, 8, -1]]).shapes).toEqual([['N', 8, 8, 'H*W']]);
    expect(runOp('reshape', [['N', 'C', 'H', 'W']], [[N, sym('C'), sym('H'), sym('W')]]).diagnostics).toEqual([]);
  });
  it('reports a size mismatch with both element counts (E0404)', () => {
    const r = runOp('reshape', [[2, 3, 4]], [[5, 5]]);
    expect(codes(r)).toEqual(['E0404']);
    expect(r.diagnostics[0]!.message).toContain('24 elements');
    expect(r.diagnostics[0]!.message).toContain('25 elements');
    const d = runOp('reshape', [[2, 3, 4]], [[5, -1]]);
    expect(codes(d)).toEqual(['E0404']);
    expect(d.diagnostics[0]!.message).toMatch(/24 is not divisible by 5/);
  });
  it('reports a -1 it cannot prove exact for symbolic sizes', () => {
    const r = runOp('reshape', [['N', 'C']], [[sym('N'), 7, -1]]);
    expect(codes(r)).toEqual(['E0404']);
    expect(r.diagnostics[0]!.message).toContain('cannot show');
    expect(runOp('reshape', [['N', 'C']], [[sym('N'), 5, 8]]).diagnostics.map((x) => x.code)).toEqual(['W0105']);
  });
  it('rejects two -1, 0 (ONNX copy) and negative sizes', () => {
    expect(codes(runOp('reshape', [[4, 4]], [[-1, -1]]))).toEqual(['E0301']);
    const z = runOp('reshape', [[4, 4]], [[0, 4]]);
    expect(codes(z)).toEqual(['E0301']);
    expect(z.diagnostics[0]!.hint).toContain('ONNX');
    expect(codes(runOp('reshape', [[4, 4]], [[-2, -8]]))).toEqual(['E0301']);
    expect(codes(runOp('reshape', [[4, 4]], [4]))).toEqual(['E0300']);
  });
  it('preserves the element count and rejects every other count (property)', () => {
    fc.assert(
      fc.property(shapeArb(1, 4), shapeArb(1, 4), fc.nat(), fc.boolean(), (input, target, pos, useFree) => {
        const n = product(input);
        const t = [...target];
        if (useFree) t[pos % t.length] = -1;
        const rest = product(t.filter((d) => d !== -1));
        const ok = useFree ? n % rest === 0 : n === rest;
        const r = runOp('reshape', [input], [t]);
        if (!ok) {
          expect(codes(r)).toEqual(['E0404']);
          return;
        }
        expect(r.diagnostics).toEqual([]);
        const out = r.shapes![0] as number[];
        expect(product(out)).toBe(n);
        expect(out.length).toBe(t.length);
        t.forEach((d, i) => d !== -1 && expect(out[i]).toBe(d));
      }),
      { numRuns: 500 },
    );
  });
});

describe('permute and transpose', () => {
  it('reorders axes', () => {
    expect(runOp('permute', [[1, 3, 224, 224]], [[0, 2, 3, 1]]).shapes).toEqual([[1, 224, 224, 3]]);
    expect(runOp('permute', [['N', 'C', 'L']], [[0, -1, 1]]).shapes).toEqual([['N', 'L', 'C']]);
    expect(runOp('permute', [[1, 2, 3]], [[0, 1, 2]]).result!.rf.kind).toBe('identity');
    expect(runOp('transpose', [[8, 100, 64]], [1, 2]).shapes).toEqual([[8, 64, 100]]);
    expect(runOp('transpose', [['N', 'T', 'E']], [-1, 0]).shapes).toEqual([['E', 'T', 'N']]);
  });
  it('rejects a wrong length, repeats and out-of-range axes', () => {
    expect(codes(runOp('permute', [[1, 2, 3]], [[0, 1]]))).toEqual(['E0400']);
    expect(codes(runOp('permute', [[1, 2, 3]], [[0, 1, 1]]))).toEqual(['E0301']);
    expect(codes(runOp('permute', [[1, 2, 3]], [[0, 1, 3]]))).toEqual(['E0303']);
    expect(codes(runOp('permute', [[1, 2, 3]], [[0, 1, sym('K')]]))).toEqual(['E0300']);
    expect(codes(runOp('transpose', [[1, 2, 3]], [0, 3]))).toEqual(['E0303']);
    expect(codes(runOp('transpose', [[1, 2, 3]], [0]))).toEqual(['E0203']);
  });
  it('permute maps output axis i to input axis dims[i] (property)', () => {
    fc.assert(
      fc.property(shapeArb(1, 5).chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s.map((_, i) => i), { minLength: s.length, maxLength: s.length }))), ([s, perm]) => {
        const r = runOp('permute', [s], [perm]);
        expect(r.shapes![0]).toEqual(perm.map((p) => s[p]));
        // Applying the inverse permutation gives the input back.
        const inv = perm.map((_, i) => perm.indexOf(i));
        expect(runOp('permute', [r.shapes![0] as number[]], [inv]).shapes![0]).toEqual(s);
      }),
    );
  });
});

describe('concat', () => {
  it('sums the channel axis by default and merges the RF', () => {
    const r = runOp('concat', [[1, 64, 28, 28], [1, 128, 28, 28], [1, 32, 28, 28]]);
    expect(r.shapes).toEqual([[1, 224, 28, 28]]);
    expect(r.result!.rf.kind).toBe('merge');
    expect(runOp('cat', [['N', 'C', 'H', 'W'], ['N', 'C', 'H', 'W']]).shapes).toEqual([['N', '2*C', 'H', 'W']]);
    expect(runOp('concatenate', [[2, 3], [2, 5]], [], { dim: -1 }).shapes).toEqual([[2, 8]]);
  });
  it('reports mismatched other axes with the shapes (E0402)', () => {
    const r = runOp('concat', [[1, 64, 28, 28], [1, 64, 14, 14]]);
    expect(codes(r)).toEqual(['E0402']);
    expect(r.diagnostics[0]!.message).toContain('[1, 64, 14, 14]');
    expect(r.diagnostics[0]!.hint).toMatch(/spatial/);
  });
  it('rejects different ranks, dtypes and bad axes', () => {
    expect(codes(runOp('concat', [[1, 4, 2], [1, 4]]))).toEqual(['E0400']);
    expect(codes(runOp('concat', [[1, 4], [1, 4]], [], { axis: 2 }))).toEqual(['E0303']);
    expect(codes(runOp('concat', [[1, 4], [1, 4]], [], { axis: sym('A') }))).toEqual(['E0300']);
  });
  it('output axis = sum of inputs; any other mismatch fails (property)', () => {
    fc.assert(
      fc.property(shapeArb(1, 4), fc.nat(), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 4 }), fc.option(fc.nat()), (base, ax, sizes, breakAt) => {
        const axis = ax % base.length;
        const inputs = sizes.map((s) => base.map((d, i) => (i === axis ? s : d)));
        let broken = false;
        if (breakAt !== null && base.length > 1) {
          const other = (axis + 1 + (breakAt % (base.length - 1))) % base.length;
          inputs[inputs.length - 1]![other] = base[other]! + 1;
          broken = true;
        }
        const r = runOp('concat', inputs, [axis - (breakAt !== null && breakAt % 2 ? base.length : 0)]);
        if (broken) {
          expect(codes(r)).toEqual(['E0402']);
          return;
        }
        expect(r.shapes![0]).toEqual(base.map((d, i) => (i === axis ? sizes.reduce((a, b) => a + b, 0) : d)));
      }),
      { numRuns: 300 },
    );
  });
});
