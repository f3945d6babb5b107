/** zero_pad1d/2d/3d and upsample. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluate, formatDim } from '../../src/symbolic/dim.js';
import { checkText } from '../helpers/compile.js';
import { runOp } from '../helpers/op-harness.js';

const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);
const sp = (r: ReturnType<typeof runOp>) => r.shapes?.[0]?.slice(2);

describe('zero_pad', () => {
  it('pads every side with an int', () => {
    const r = runOp('zero_pad2d', [[1, 3, 224, 224]], [3]);
    expect(r.shapes).toEqual([[1, 3, 230, 230]]);
    expect([r.params, r.macs, r.result!.flops]).toEqual([0, 0, 0]);
  });
  it('reads a full tuple in PyTorch order: last axis first, (left, right, top, bottom[, front, back])', () => {
    expect(sp(runOp('zero_pad2d', [[1, 3, 10, 20]], [[1, 2, 3, 4]]))).toEqual([17, 23]);
    expect(sp(runOp('zero_pad1d', [[1, 3, 10]], [[1, 2]]))).toEqual([13]);
    expect(sp(runOp('zero_pad3d', [[1, 3, 10, 20, 30]], [[1, 2, 3, 4, 5, 6]]))).toEqual([21, 27, 33]);
  });
  it('reads one value per axis as symmetric padding (Keras), in NCHW axis order', () => {
    expect(sp(runOp('zeropad2d', [[1, 3, 10, 20]], [[1, 2]]))).toEqual([12, 24]);
    expect(sp(runOp('zero_padding3d', [[1, 3, 10, 20, 30]], [[1, 2, 3]]))).toEqual([12, 24, 36]);
  });
  it('keeps symbolic sizes and reports the begin padding to the RF', () => {
    const r = runOp('zero_pad2d', [['N', 8, 'H', 'W']], [[0, 1, 2, 3]]);
    expect(r.shapes).toEqual([['N', 8, 'H + 5', 'W + 1']]);
    expect(r.result!.rf).toEqual({ kind: 'window', axes: [{ kernel: 1, stride: 1, dilation: 1, padBegin: 2 }, { kernel: 1, stride: 1, dilation: 1, padBegin: 0 }] });
  });
  it('rejects tuples of the wrong length, negative pads and wrong ranks', () => {
    expect(codes(runOp('zero_pad2d', [[1, 3, 10, 10]], [[1, 2, 3]]))).toEqual(['E0301']);
    expect(codes(runOp('zero_pad1d', [[1, 3, 10]], [[1, 2, 3, 4]]))).toEqual(['E0301']);
    expect(codes(runOp('zero_pad2d', [[1, 3, 10, 10]], [-1]))).toEqual(['E0301']);
    expect(codes(runOp('zero_pad2d', [[3, 10, 10]], [1]))).toEqual(['E0400']);
    expect(codes(runOp('zero_pad2d', [[1, 3, 10, 10]], ['same']))).toEqual(['E0300']);
  });
  it('adds exactly the sum of the pads on each axis (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), ([l, r, t, b], h, w) => {
        // Brute force: build the padded grid row by row and measure it.
        const rows = Array.from({ length: t + h + b }, () => Array(l + w + r).fill(0));
        expect(sp(runOp('zero_pad2d', [[1, 1, h, w]], [[l!, r!, t!, b!]]))).toEqual([rows.length, rows[0]!.length]);
      }),
    );
  });
});

describe('upsample', () => {
  it('scales by an integer factor, symbolic sizes included', () => {
    const r = runOp('upsample', [['N', 64, 'H', 'W']], [], { scale_factor: 2 });
    expect(r.shapes).toEqual([['N', 64, '2*H', '2*W']]);
    expect(r.result!.rf).toEqual({ kind: 'scale', factors: [2, 2] });
    expect([r.params, r.macs, r.result!.flops]).toEqual([0, 0, 0]);
  });
  it('floors fractional factors as PyTorch: floor(in × scale)', () => {
    expect(sp(runOp('upsample', [[1, 1, 5, 7]], [], { scale_factor: 1.5 }))).toEqual([7, 10]);
    expect(sp(runOp('upsample', [[1, 1, 5, 7]], [], { scale_factor: 0.5 }))).toEqual([2, 3]);
    expect(sp(runOp('upsample', [[1, 1, 'H', 'W']], [], { scale_factor: 1.5 }))).toEqual(['H + floor(H/2)', 'W + floor(W/2)']);
  });
  it('resizes to a size (PyTorch positional order: size first), with the alias resize', () => {
    expect(sp(runOp('upsample', [[1, 3, 10, 10]], [[20, 30]], { mode: 'bilinear', align_corners: false }))).toEqual([20, 30]);
    const r = runOp('resize', [[1, 3, 10, 10]], [8]);
    expect(sp(r)).toEqual([8, 8]);
    expect(r.result!.rf).toEqual({ kind: 'scale', factors: [0.8, 0.8] });
    expect(runOp('upsample', [[1, 3, 'H', 'W']], [8]).result!.rf).toEqual({ kind: 'global' });
  });
  it('counts interpolation taps as FLOPs: nearest 0, linear 2, bilinear 4, bicubic 16, trilinear 8', () => {
    const flops = (shape: number[], mode: string) => runOp('upsample', [shape], [], { scale_factor: 2, mode }).result!.flops;
    expect(flops([1, 3, 4, 4], 'nearest')).toBe(0);
    expect(flops([1, 3, 4], 'linear')).toBe(3 * 8 * 2);
    expect(flops([1, 3, 4, 4], 'bilinear')).toBe(3 * 64 * 4);
    expect(flops([1, 3, 4, 4], 'bicubic')).toBe(3 * 64 * 16);
    expect(flops([1, 3, 2, 2, 2], 'trilinear')).toBe(3 * 64 * 8);
  });
  it('needs exactly one of size and scale_factor', () => {
    expect(codes(runOp('upsample', [[1, 3, 4, 4]]))).toEqual(['E0301']);
    expect(codes(runOp('upsample', [[1, 3, 4, 4]], [8], { scale_factor: 2 }))).toEqual(['E0301']);
  });
  it('enforces the PyTorch mode rules (rank per mode; align_corners only when interpolating)', () => {
    expect(codes(runOp('upsample', [[1, 3, 4]], [], { scale_factor: 2, mode: 'bilinear' }))).toEqual(['E0400']);
    expect(codes(runOp('upsample', [[1, 3, 4, 4]], [], { scale_factor: 2, mode: 'trilinear' }))).toEqual(['E0400']);
    expect(codes(runOp('upsample', [[1, 3, 4, 4]], [], { scale_factor: 2, align_corners: true }))).toEqual(['E0301']);
    expect(codes(runOp('upsample', [[1, 3, 4, 4]], [], { scale_factor: 2, mode: 'area' }))).toEqual(['E0301']);
    expect(codes(runOp('upsample', [[1, 3]], [], { scale_factor: 2 }))).toEqual(['E0400']);
  });
  it('rejects non-positive factors and empty outputs', () => {
    expect(codes(runOp('upsample', [[1, 3, 4, 4]], [], { scale_factor: 0 }))).toEqual(['E0301']);
    expect(codes(runOp('upsample', [[1, 3, 4, 4]], [], { scale_factor: -2 }))).toEqual(['E0301']);
    const r = runOp('upsample', [[1, 3, 5, 5]], [], { scale_factor: 0.1 });
    expect(codes(r)).toEqual(['E0401']);
    expect(r.diagnostics[0]!.message).toContain('floor(5 × 0.1) = 0');
    expect(codes(runOp('upsample', [[1, 3, 4, 4]], [[2, 2, 2]]))).toEqual(['E0301']);
  });
  it('the symbolic formula agrees with floor(in × scale) (property)', () => {
    const factors = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 0.125, 4.375];
    fc.assert(
      fc.property(fc.constantFrom(...factors), fc.integer({ min: 1, max: 500 }), (f, w) => {
        const sym = runOp('upsample', [[1, 1, 'L']], [], { scale_factor: f, mode: 'linear' });
        const got = evaluate(sym.result!.outputs[0]!.shape[2]!, new Map([['L', w]]));
        const expected = Math.floor(w * f);
        const conc = runOp('upsample', [[1, 1, w]], [], { scale_factor: f, mode: 'linear' });
        if (expected <= 0) return void expect(codes(conc)).toEqual(['E0401']);
        expect(got).toBe(expected);
        expect(sp(conc)).toEqual([expected]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('pixel_shuffle and pixel_unshuffle', () => {
  it('move r² channels into r×r blocks and back, with symbolic spatial sizes', () => {
    expect(runOp('pixel_shuffle', [[1, 256, 32, 32]], [2]).shapes).toEqual([[1, 64, 64, 64]]);
    expect(runOp('pixelshuffle', [['N', 27, 'H', 'W']], [], { r: 3 }).shapes).toEqual([['N', 3, '3*H', '3*W']]);
    expect(runOp('pixel_unshuffle', [[1, 3, 64, 48]], [], { downscale_factor: 4 }).shapes).toEqual([[1, 48, 16, 12]]);
    for (const name of ['pixel_shuffle', 'pixel_unshuffle']) expect(runOp(name, [[1, 16, 8, 8]], [2])).toMatchObject({ params: 0, macs: 0, result: { flops: 0 } });
  });
  it('report indivisible channels or spatial sizes (E0402) and wrong ranks (E0400)', () => {
    const r = runOp('pixel_shuffle', [[1, 10, 8, 8]], [2]);
    expect(codes(r)).toEqual(['E0402']);
    expect(r.diagnostics[0]!.message).toContain('10 channels are not divisible by upscale_factor² = 4');
    expect(codes(runOp('pixel_shuffle', [['N', 'C', 8, 8]], [2]))).toEqual(['E0402']);
    expect(codes(runOp('pixel_unshuffle', [[1, 3, 64, 30]], [4]))).toEqual(['E0402']);
    const h = runOp('pixel_unshuffle', [[1, 3, 'H', 32]], [2]);
    expect(codes(h)).toEqual(['E0402']);
    expect(h.diagnostics[0]!.hint).toContain('where H % 2 == 0');
    const m = checkText('model M(x: [1, 3, H, W]) where H % 2 == 0, W % 4 == 0 {\n  y = x -> pixel_unshuffle(2)\n  return y\n}\n');
    expect(m.diagnostics).toEqual([]);
    expect(m.models[0]!.graph.tensors.at(-1)!.type.shape.map((d) => (typeof d === 'number' ? d : formatDim(d)))).toEqual([1, 12, 'H/2', 'W/2']);
    expect(codes(runOp('pixel_shuffle', [[1, 16, 8]], [2]))).toEqual(['E0400']);
    expect(codes(runOp('pixel_unshuffle', [[1, 16, 8, 8]], [0]))).toEqual(['E0301']);
  });
  it('upsample the receptive-field grid by r, or pool it with an r×r window', () => {
    expect(runOp('pixel_shuffle', [[1, 16, 8, 8]], [2]).result!.rf).toEqual({ kind: 'scale', factors: [2, 2] });
    expect(runOp('pixel_unshuffle', [[1, 4, 8, 8]], [2]).result!.rf).toEqual({ kind: 'window', axes: [{ kernel: 2, stride: 2, dilation: 1, padBegin: 0 }, { kernel: 2, stride: 2, dilation: 1, padBegin: 0 }] });
  });
  it('are inverses on shapes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), (r, c, h, w) => {
        const down = runOp('pixel_unshuffle', [[2, c, h * r, w * r]], [r]);
        expect(down.shapes).toEqual([[2, c * r * r, h, w]]);
        expect(runOp('pixel_shuffle', [down.shapes![0]!], [r]).shapes).toEqual([[2, c, h * r, w * r]]);
      }),
    );
  });
});
