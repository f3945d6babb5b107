/** The reductions (reduce_mean/sum/max) and slice: shape rules, errors, cost and receptive-field transfer. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runOp } from '../helpers/op-harness.js';

const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);

describe('reduce_mean, reduce_sum, reduce_max', () => {
  it('drop the reduced axes, or keep them as 1, with symbolic sizes', () => {
    expect(runOp('reduce_mean', [[1, 512, 7, 7]], [[2, 3]]).shapes).toEqual([[1, 512]]);
    expect(runOp('mean', [['N', 'T', 768]], [1], { keepdim: true }).shapes).toEqual([['N', 1, 768]]);
    expect(runOp('reduce_sum', [['N', 'T', 64]], [-1]).shapes).toEqual([['N', 'T']]);
    expect(runOp('amax', [[1, 64, 'H', 'W']], [], { dim: [-1, -2], keepdims: true }).shapes).toEqual([[1, 64, 1, 1]]);
    expect(runOp('reduce_max', [[2, 3, 4]], [], { axis: 0 }).shapes).toEqual([[3, 4]]);
  });
  it('count one FLOP per input element, no MACs or parameters', () => {
    for (const name of ['reduce_mean', 'reduce_sum', 'reduce_max']) expect(runOp(name, [[2, 3, 4]], [1])).toMatchObject({ params: 0, macs: 0, result: { flops: 24 } });
  });
  it('transfer the receptive field: global over every spatial axis, mix over some, identity over channels', () => {
    expect(runOp('reduce_mean', [[1, 8, 6, 6]], [[2, 3]], { keepdims: true }).result!.rf).toEqual({ kind: 'global' });
    expect(runOp('reduce_mean', [[1, 8, 6, 6]], [3], { keepdims: true }).result!.rf).toEqual({ kind: 'mix', axes: [false, true] });
    expect(runOp('reduce_sum', [[1, 8, 6, 6]], [1], { keepdims: true }).result!.rf).toEqual({ kind: 'identity' });
    expect(runOp('reduce_sum', [[1, 8, 6, 6]], [1]).result!.rf).toEqual({ kind: 'none' });
  });
  it('report bad axes, repeated axes, a scalar result and the mean of integers', () => {
    const r = runOp('reduce_mean', [[2, 3]], [2]);
    expect(codes(r)).toEqual(['E0303']);
    expect(r.diagnostics[0]!.message).toContain('valid: -2..1');
    expect(codes(runOp('reduce_sum', [[2, 3, 4]], [[1, -2]]))).toEqual(['E0301']);
    expect(codes(runOp('reduce_max', [[2, 3]], [[0, 1]]))).toEqual(['E0400']);
    expect(runOp('reduce_max', [[2, 3]], [[0, 1]], { keepdims: true }).shapes).toEqual([[1, 1]]);
    expect(codes(runOp('reduce_mean', [[2, 3]]))).toEqual(['E0203']);
    expect(codes(runOp('reduce_mean', [[2, 3]], [1], {}, 'int64'))).toEqual(['E0408']);
    expect(runOp('reduce_sum', [[2, 3]], [1], {}, 'int64').diagnostics).toEqual([]);
  });
  it('keep every axis not reduced, in order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 5 }), fc.nat(), fc.boolean(), (shape, pick, keep) => {
        const axes = shape.map((_, i) => i).filter((i) => (pick >> i) & 1);
        if (!axes.length || (!keep && axes.length === shape.length)) return;
        const r = runOp('reduce_sum', [shape], [axes.map((a) => a - (pick % 2 ? shape.length : 0))], { keepdims: keep });
        expect(r.shapes![0]).toEqual(keep ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i)));
      }),
    );
  });
});
