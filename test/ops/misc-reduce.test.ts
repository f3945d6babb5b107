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

describe('slice', () => {
  const sp = (r: ReturnType<typeof runOp>) => r.shapes![0];
  it('keeps Python semantics on concrete axes: negative indices, clamping, steps', () => {
    expect(sp(runOp('slice', [[1, 3, 8, 8]], [2, 1, 5]))).toEqual([1, 3, 4, 8]);
    expect(sp(runOp('slice', [[10]], [0, -3]))).toEqual([3]);
    expect(sp(runOp('slice', [[10]], [0, 2, 100]))).toEqual([8]);
    expect(sp(runOp('slice', [[10]], [0, -100, 4]))).toEqual([4]);
    expect(sp(runOp('slice', [[10]], [0, 1, -1, 3]))).toEqual([3]);
    expect(sp(runOp('slice', [[2, 16, 10]], [-1], { step: 2 }))).toEqual([2, 16, 5]);
    expect(runOp('slice', [[2, 16, 10]], [1, 0, 4])).toMatchObject({ params: 0, macs: 0, result: { flops: 0 } });
  });
  it('gives exact symbolic sizes where the indices allow it', () => {
    expect(sp(runOp('slice', [['N', 'T', 64]], [1, 1, -1]))).toEqual(['N', 'T - 2', 64]);
    expect(sp(runOp('slice', [['N', 'T']], [1, 2]))).toEqual(['N', 'T - 2']);
    expect(sp(runOp('slice', [['N', 'T']], [1, 1, 5]))).toEqual(['N', 4]);
    expect(sp(runOp('slice', [['N', 'T']], [1, -3]))).toEqual(['N', 3]);
    expect(sp(runOp('slice', [['N', 'T']], [1, -5, -1, 2]))).toEqual(['N', 2]);
    expect(sp(runOp('slice', [['N', 'C', 'L']], [2, 0, null, 2]))).toEqual(['N', 'C', 'floor((L + 1)/2)']);
    const r = runOp('slice', [['N', 'T']], [1, -3, 5]);
    expect(codes(r)).toEqual(['E0301']);
    expect(r.diagnostics[0]!.hint).toMatch(/same end/);
  });
  it('reports an empty slice (E0401), a bad axis (E0303), step 0 and symbolic indices', () => {
    const r = runOp('slice', [[1, 3, 8]], [2, 5, 2]);
    expect(codes(r)).toEqual(['E0401']);
    expect(r.diagnostics[0]!.message).toContain('slice [5:2] of axis 2 (size 8) is empty');
    expect(codes(runOp('slice', [[1, 3, 8]], [2, 8]))).toEqual(['E0401']);
    expect(codes(runOp('slice', [['N', 'T']], [1, 3, 3]))).toEqual(['E0401']);
    expect(codes(runOp('slice', [[1, 3, 8]], [3, 1]))).toEqual(['E0303']);
    expect(codes(runOp('slice', [[1, 3, 8]], [2, 0, 4, 0]))).toEqual(['E0301']);
    expect(codes(runOp('slice', [[1, 3, 8]]))).toEqual(['E0203']);
  });
  it('moves the receptive field as a 1-wide window with stride step, offset by start', () => {
    expect(runOp('slice', [[1, 3, 8, 8]], [3, 2, 8, 2]).result!.rf).toEqual({ kind: 'window', axes: [{ kernel: 1, stride: 1, dilation: 1, padBegin: 0 }, { kernel: 1, stride: 2, dilation: 1, padBegin: -2 }] });
    expect(runOp('slice', [[1, 3, 'H', 8]], [2, -2]).result!.rf).toMatchObject({ kind: 'window', axes: [{ padBegin: undefined }, {}] });
    expect(runOp('slice', [[1, 8, 4, 4]], [1, 0, 4]).result!.rf).toEqual({ kind: 'identity' });
  });
});
