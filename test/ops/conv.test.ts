import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runOp } from '../helpers/op-harness.js';

describe('conv2d', () => {
  it('computes the ResNet stem', () => {
    const r = runOp('conv2d', [[1, 3, 224, 224]], [64, 7], { stride: 2, padding: 3, bias: false });
    expect(r.shapes).toEqual([[1, 64, 112, 112]]);
    expect(r.params).toBe(9408);
    expect(r.macs).toBe(118013952);
  });
  it('explains a kernel larger than the input', () => {
    const r = runOp('conv2d', [[1, 8, 2, 2]], [8, 3]);
    expect(r.diagnostics[0]!.code).toBe('E0401');
    expect(r.diagnostics[0]!.message).toContain('floor((2 + 0 - 3)/1) + 1 = 0');
  });
  it('keeps symbolic sizes closed-form', () => {
    const r = runOp('conv2d', [['N', 3, 'H', 'W']], [8, 3], { stride: 2, padding: 1 });
    expect(r.shapes).toEqual([['N', 8, 'floor((H + 1)/2)', 'floor((W + 1)/2)']]);
  });
  it('warns when valid padding drops columns (13, k6, s5)', () => {
    const r = runOp('conv2d', [[1, 1, 13, 13]], [1, 6], { stride: 5 });
    expect(r.shapes).toEqual([[1, 1, 2, 2]]);
    expect(r.diagnostics.map((d) => d.code)).toContain('W0100');
  });
  it('matches a brute-force window count (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 }), (w, k, s, p, d) => {
        const r = runOp('conv1d', [[1, 1, w]], [1, k], { stride: s, padding: p, dilation: d });
        // Brute force: count window starts whose taps all fall inside the padded input.
        let count = 0;
        for (let start = 0; start + d * (k - 1) < w + 2 * p; start += s) count++;
        if (count === 0) expect(r.diagnostics.some((x) => x.code === 'E0401')).toBe(true);
        else expect(r.shapes![0]![2]).toBe(count);
      }),
      { numRuns: 500 },
    );
  });
});
