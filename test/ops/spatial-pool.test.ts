/** max/avg pooling (1-3 d), global and adaptive pooling. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createOpContext } from '../../src/ops/context.js';
import { getOp } from '../../src/ops/registry.js';
import { isFailure } from '../../src/ops/types.js';
import { evaluate, sym } from '../../src/symbolic/dim.js';
import { runOp } from '../helpers/op-harness.js';

const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);
const hw = (r: ReturnType<typeof runOp>) => r.shapes?.[0]?.slice(2);

/**
 * Brute-force PyTorch pooling along one axis: windows start at -p, -p+s, ...; floor mode keeps the windows
 * that fit in the padded input; ceil mode keeps a window while the previous one (at start - s) left padded
 * input uncovered, and only if it starts inside the input or the left padding.
 */
function bruteWindows(w: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const ke = d * (k - 1) + 1;
  const last = w + p - 1;
  let n = 0;
  for (let start = -p; ; start += s) {
    const ok = ceil ? start - s + ke - 1 < last && start <= w - 1 : start + ke - 1 <= last;
    if (!ok) return n;
    n++;
  }
}

describe('max_pool / avg_pool', () => {
  it('matches the classic networks (VGG, AlexNet 55→27, ResNet stem, LeNet)', () => {
    expect(hw(runOp('max_pool2d', [[1, 64, 224, 224]], [2, 2]))).toEqual([112, 112]);
    expect(hw(runOp('maxpool2d', [[1, 64, 55, 55]], [3, 2]))).toEqual([27, 27]);
    expect(hw(runOp('max_pool2d', [[1, 64, 112, 112]], [3, 2, 1]))).toEqual([56, 56]);
    expect(hw(runOp('avg_pool2d', [[1, 6, 28, 28]], [2]))).toEqual([14, 14]);
    expect(hw(runOp('avgpool2d', [[1, 16, 10, 10]], [2]))).toEqual([5, 5]);
  });
  it('matches GoogLeNet and SqueezeNet ceil_mode pools', () => {
    for (const [w, o] of [[112, 56], [56, 28], [28, 14], [14, 7], [109, 54], [54, 27], [27, 13]])
      expect(hw(runOp('max_pool2d', [[1, 8, w, w]], [3, 2], { ceil_mode: true }))).toEqual([o, o]);
    expect(hw(runOp('max_pool2d', [[1, 8, 28, 28]], [3, 1, 1], { ceil_mode: true }))).toEqual([28, 28]);
  });
  it('drops a ceil_mode window that would start in the right padding (5, k2 s2 p1 → 3, not 4)', () => {
    expect(hw(runOp('max_pool1d', [[1, 1, 5]], [2, 2, 1], { ceil_mode: true }))).toEqual([3]);
    expect(hw(runOp('max_pool1d', [['N', 1, 'L']], [2, 2, 1], { ceil_mode: true }))).toEqual(['floor(L/2) + 1']);
  });
  it('defaults the stride to the kernel (also for stride=none) and accepts tuples', () => {
    expect(hw(runOp('max_pool2d', [[1, 1, 9, 9]], [3], { stride: null }))).toEqual([3, 3]);
    expect(hw(runOp('max_pool3d', [[1, 1, 4, 8, 8]], [[1, 2, 2]]))).toEqual([4, 4, 4]);
    expect(hw(runOp('avg_pool2d', [[1, 1, 9, 12]], [[3, 4]], { stride: [3, 2] }))).toEqual([3, 5]);
  });
  it("supports Keras 'same' (ceil(in/stride)) and 'valid' padding", () => {
    expect(hw(runOp('avg_pool2d', [[1, 1, 15, 16]], [2], { padding: 'same' }))).toEqual([8, 8]);
    expect(hw(runOp('max_pool2d', [[1, 1, 15, 15]], [3, 1], { padding: 'same' }))).toEqual([15, 15]);
    expect(hw(runOp('max_pool2d', [[1, 1, 'H', 'W']], [2], { padding: 'same' }))).toEqual(['floor((H + 1)/2)', 'floor((W + 1)/2)']);
    expect(hw(runOp('max_pool2d', [[1, 1, 15, 15]], [2], { padding: 'valid', ceil_mode: true }))).toEqual([8, 8]);
    expect(codes(runOp('max_pool2d', [[1, 1, 15, 15]], [2], { padding: 'full' }))).toEqual(['E0301']);
  });
  it('enforces the PyTorch padding rule: at most half the effective kernel', () => {
    expect(codes(runOp('max_pool2d', [[1, 1, 9, 9]], [3], { padding: 2 }))).toEqual(['E0301']);
    expect(hw(runOp('max_pool2d', [[1, 1, 9, 9]], [3], { padding: 2, dilation: 2 }))).toEqual([3, 3]);
    expect(hw(runOp('avg_pool2d', [[1, 1, 9, 9]], [2], { padding: 1 }))).toEqual([5, 5]);
    expect(codes(runOp('avg_pool2d', [[1, 1, 9, 9]], [2], { padding: [1, 2] }))).toEqual(['E0301']);
  });
  it('reports wrong rank, a window larger than the input, bad tuples and unknown attributes', () => {
    expect(codes(runOp('max_pool2d', [[1, 9, 9]], [2]))).toEqual(['E0400']);
    expect(codes(runOp('max_pool1d', [[1, 1, 9, 9]], [2]))).toEqual(['E0400']);
    const r = runOp('max_pool2d', [[1, 1, 2, 2]], [3]);
    expect(codes(r)).toEqual(['E0401']);
    expect(r.diagnostics[0]!.message).toContain('window 3');
    expect(codes(runOp('max_pool2d', [[1, 1, 8, 8]], [[2, 2, 2]]))).toEqual(['E0301']);
    expect(codes(runOp('max_pool2d', [[1, 1, 8, 8]], [0]))).toEqual(['E0301']);
    expect(codes(runOp('avg_pool2d', [[1, 1, 8, 8]], [2], { dilation: 2 }))).toEqual(['E0202']);
  });
  it('warns when floor mode drops input, not in ceil mode', () => {
    expect(codes(runOp('max_pool2d', [[1, 1, 7, 7]], [2]))).toEqual(['W0100']);
    const c = runOp('max_pool2d', [[1, 1, 7, 7]], [2], { ceil_mode: true });
    expect(hw(c)).toEqual([4, 4]);
    expect(codes(c)).toEqual([]);
  });
  it('has no params or MACs; FLOPs = output elements × ∏kernel; keeps channels and dtype', () => {
    const r = runOp('max_pool2d', [[2, 64, 224, 224]], [2], {}, 'float16');
    expect(r.shapes).toEqual([[2, 64, 112, 112]]);
    expect(r.params).toBe(0);
    expect(r.macs).toBe(0);
    expect(r.result!.flops).toBe(2 * 64 * 112 * 112 * 4);
    expect(r.result!.outputs[0]!.dtype).toBe('float16');
    expect(runOp('avg_pool3d', [[1, 2, 4, 4, 4]], [2]).result!.flops).toBe(2 * 8 * 8);
  });
  it('returns int64 indices as a second output with return_indices', () => {
    const r = runOp('max_pool2d', [[1, 3, 8, 8]], [2], { return_indices: true });
    expect(r.result!.outputs.map((o) => o.dtype)).toEqual(['float32', 'int64']);
    expect(r.shapes).toEqual([[1, 3, 4, 4], [1, 3, 4, 4]]);
  });
  it('describes the receptive-field window', () => {
    expect(runOp('max_pool2d', [[1, 1, 9, 9]], [3, 2, 1], { dilation: [1, 2] }).result!.rf).toEqual({
      kind: 'window',
      axes: [{ kernel: 3, stride: 2, dilation: 1, padBegin: 1 }, { kernel: 3, stride: 2, dilation: 2, padBegin: 1 }],
    });
  });

  const arb = fc.record({ w: fc.integer({ min: 1, max: 30 }), k: fc.integer({ min: 1, max: 6 }), s: fc.integer({ min: 1, max: 6 }), p: fc.integer({ min: 0, max: 3 }), d: fc.integer({ min: 1, max: 3 }), ceil: fc.boolean() });
  it('matches brute-force window enumeration, concrete and symbolic (property)', () => {
    fc.assert(
      fc.property(arb, ({ w, k, s, p, d, ceil }) => {
        const attrs = { stride: s, padding: p, dilation: d, ceil_mode: ceil };
        const r = runOp('max_pool1d', [[1, 1, w]], [k], attrs);
        if (p > Math.floor((d * (k - 1) + 1) / 2)) return void expect(codes(r)).toEqual(['E0301']);
        const n = bruteWindows(w, k, s, p, d, ceil);
        if (n <= 0) return void expect(codes(r)).toContain('E0401');
        expect(hw(r)).toEqual([n]);
        // The symbolic formula evaluated at L = w must agree too.
        const sr = runOp('max_pool1d', [[1, 1, 'L']], [k], attrs);
        expect(evaluate(sr.result!.outputs[0]!.shape[2]!, new Map([['L', w]]))).toBe(n);
      }),
      { numRuns: 1000 },
    );
  });
  it('avg_pool matches brute force with dilation 1 (property)', () => {
    fc.assert(
      fc.property(arb, ({ w, k, s, p, ceil }) => {
        const r = runOp('avg_pool1d', [[1, 1, w]], [k, s, p], { ceil_mode: ceil });
        const n = bruteWindows(w, k, s, p, 1, ceil);
        if (p > Math.floor(k / 2)) expect(codes(r)).toEqual(['E0301']);
        else if (n <= 0) expect(codes(r)).toContain('E0401');
        else expect(hw(r)).toEqual([n]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('global pooling', () => {
  it('reduces every spatial axis to 1 (keepdims) and counts input elements as FLOPs', () => {
    const r = runOp('global_avg_pool', [[1, 512, 7, 7]]);
    expect(r.shapes).toEqual([[1, 512, 1, 1]]);
    expect(r.macs).toBe(0);
    expect(r.result!.flops).toBe(512 * 49);
    expect(r.result!.rf).toEqual({ kind: 'global' });
    expect(runOp('gap', [['N', 8, 'L']]).shapes).toEqual([['N', 8, 1]]);
    expect(runOp('global_max_pool', [[2, 8, 3, 4, 5]]).shapes).toEqual([[2, 8, 1, 1, 1]]);
    expect(runOp('global_maxpool', [[2, 8, 3, 4]], [], { keepdims: false }).shapes).toEqual([[2, 8]]);
  });
  it('needs a spatial axis (rank ≥ 3)', () => {
    expect(codes(runOp('global_avg_pool', [[1, 512]]))).toEqual(['E0400']);
  });
});

/** PyTorch adaptive window i: [floor(i*in/out), ceil((i+1)*in/out)). */
const adaptiveWindow = (i: number, w: number, o: number): [number, number] => [Math.floor((i * w) / o), Math.ceil(((i + 1) * w) / o)];

describe('adaptive pooling', () => {
  it('gives the requested size (VGG 7×7, ResNet 1×1, tuples, symbolic inputs)', () => {
    expect(runOp('adaptive_avg_pool2d', [[1, 512, 7, 7]], [7]).shapes).toEqual([[1, 512, 7, 7]]);
    expect(runOp('adaptive_avg_pool2d', [[1, 512, 7, 7]], [1]).shapes).toEqual([[1, 512, 1, 1]]);
    expect(runOp('adaptive_max_pool2d', [[1, 8, 'H', 'W']], [[2, 3]]).shapes).toEqual([[1, 8, 2, 3]]);
    expect(runOp('adaptive_avg_pool1d', [[1, 8, 100]], [10]).shapes).toEqual([[1, 8, 10]]);
    expect(runOp('adaptive_max_pool3d', [[1, 8, 4, 9, 9]], [[1, 3, 3]]).shapes).toEqual([[1, 8, 1, 3, 3]]);
  });
  it('uses a window RF when every size divides, else global', () => {
    expect(runOp('adaptive_avg_pool2d', [[1, 8, 14, 7]], [7]).result!.rf).toEqual({ kind: 'window', axes: [{ kernel: 2, stride: 2, dilation: 1, padBegin: 0 }, { kernel: 1, stride: 1, dilation: 1, padBegin: 0 }] });
    expect(runOp('adaptive_avg_pool2d', [[1, 8, 13, 14]], [7]).result!.rf).toEqual({ kind: 'global' });
    expect(runOp('adaptive_avg_pool2d', [[1, 8, 'H', 14]], [7]).result!.rf).toEqual({ kind: 'global' });
    expect(runOp('adaptive_avg_pool2d', [[1, 8, 7, 7]], [14]).result!.rf).toEqual({ kind: 'global' });
  });
  it('divisible windows are exactly the PyTorch adaptive windows (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), (o, f) => {
        const w = o * f;
        const rf = runOp('adaptive_max_pool1d', [[1, 1, w]], [o]).result!.rf;
        if (rf.kind !== 'window') throw new Error('expected a window');
        const a = rf.axes[0]!;
        for (let i = 0; i < o; i++) expect(adaptiveWindow(i, w, o)).toEqual([i * a.stride, i * a.stride + a.kernel]);
      }),
    );
  });
  it('counts input elements as FLOPs, no MACs or params', () => {
    const r = runOp('adaptive_avg_pool2d', [[2, 3, 10, 10]], [[3, 3]]);
    expect(r.result!.flops).toBe(600);
    expect(r.macs).toBe(0);
    expect(r.params).toBe(0);
  });
  it('keeps an axis for a none entry of output_size', () => {
    const op = getOp('adaptive_avg_pool2d')!;
    const diags: string[] = [];
    const ctx = createOpContext('pool', [{ shape: [1, 4, sym('H'), 10], dtype: 'float32' }], { output_size: [null, 5] }, new Set(['output_size']), new Map(), { report: (c) => diags.push(c) });
    const r = op.infer(ctx);
    if (isFailure(r)) throw new Error(diags.join());
    expect(r.outputs[0]!.shape.slice(2)).toEqual([sym('H'), 5]);
  });
  it('reports wrong rank, wrong tuple length and non-positive sizes', () => {
    expect(codes(runOp('adaptive_avg_pool2d', [[1, 8, 7]], [1]))).toEqual(['E0400']);
    expect(codes(runOp('adaptive_avg_pool2d', [[1, 8, 7, 7]], [[1, 2, 3]]))).toEqual(['E0301']);
    expect(codes(runOp('adaptive_avg_pool2d', [[1, 8, 7, 7]], [0]))).toEqual(['E0301']);
    expect(codes(runOp('adaptive_avg_pool2d', [[1, 8, 7, 7]]))).toEqual(['E0203']);
  });
});
