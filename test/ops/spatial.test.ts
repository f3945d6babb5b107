/** Depthwise, separable and transposed convolutions. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runOp } from '../helpers/op-harness.js';

const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);
const paramShapes = (r: ReturnType<typeof runOp>) => Object.fromEntries((r.result?.params ?? []).map((p) => [p.name, p.shape]));

interface Layer { path: string; type: string; outputShape: number[]; params: number; macs: number }
const mobilenet = JSON.parse(readFileSync(new URL('../fixtures/torch/mobilenet_v1.json', import.meta.url), 'utf8')) as { layers: Layer[] };

describe('depthwise_conv2d', () => {
  it('matches every MobileNet v1 depthwise layer of the PyTorch fixture', () => {
    const layers = mobilenet.layers;
    let seen = 0;
    layers.forEach((l, i) => {
      if (!l.path.endsWith('dw.0')) return;
      const input = layers[i - 1]!.outputShape;
      const stride = input[2]! / l.outputShape[2]!;
      const r = runOp('depthwise_conv2d', [input], [3], { stride, padding: 1, bias: false });
      expect(r.shapes, l.path).toEqual([l.outputShape]);
      expect(r.params, l.path).toBe(l.params);
      expect(r.macs, l.path).toBe(l.macs);
      // separable = this depthwise + the pointwise layer that follows it in the fixture
      const pw = layers[i + 3]!;
      expect(pw.path).toBe(l.path.replace('dw.0', 'pw.0'));
      const s = runOp('separable_conv2d', [input], [pw.outputShape[1]!, 3], { stride, padding: 1, bias: false });
      expect(s.shapes, l.path).toEqual([pw.outputShape]);
      expect(s.params, l.path).toBe(l.params + pw.params);
      expect(s.macs, l.path).toBe(l.macs + pw.macs);
      seen++;
    });
    expect(seen).toBe(13);
  });
  it('multiplies channels by depth_multiplier (weight [C*m, 1, k, k])', () => {
    const r = runOp('depthwise_conv2d', [[1, 8, 16, 16]], [3], { stride: 2, padding: 1, depth_multiplier: 2 });
    expect(r.shapes).toEqual([[1, 16, 8, 8]]);
    expect(paramShapes(r)).toEqual({ weight: [16, 1, 3, 3], bias: [16] });
    expect(r.macs).toBe(16 * 8 * 8 * 9);
  });
  it('is conv2d with groups = C_in (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 6, max: 20 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.boolean(), (c, m, w, k, s, p, bias) => {
        const a = runOp('depthwise_conv2d', [[2, c, w, w + 1]], [k], { stride: s, padding: p, depth_multiplier: m, bias });
        const b = runOp('conv2d', [[2, c, w, w + 1]], [c * m, k], { stride: s, padding: p, groups: c, bias });
        expect(a.shapes).toEqual(b.shapes);
        expect(a.params).toBe(b.params);
        expect(a.macs).toBe(b.macs);
        expect(a.params).toBe(c * m * k * k + (bias ? c * m : 0));
      }),
      { numRuns: 200 },
    );
  });
  it('reports wrong rank, a kernel larger than the input and symbolic channels', () => {
    expect(codes(runOp('depthwise_conv2d', [[1, 8, 16]], [3]))).toEqual(['E0400']);
    expect(codes(runOp('depthwise_conv2d', [[1, 8, 2, 2]], [3]))).toEqual(['E0401']);
    expect(codes(runOp('depthwise_conv2d', [[1, 'C', 8, 8]], [3]))).toEqual(['E0409']);
    expect(codes(runOp('depthwise_conv2d', [[1, 8, 8, 8]], [3], { depth_multiplier: 0 }))).toEqual(['E0301']);
  });
});

describe('separable_conv2d', () => {
  it('counts Keras SeparableConv2D parameters (bias on the pointwise conv only)', () => {
    const r = runOp('separable_conv2d', [[1, 32, 16, 16]], [64, 3], { padding: 'same' });
    expect(r.shapes).toEqual([[1, 64, 16, 16]]);
    expect(r.params).toBe(3 * 3 * 32 + 32 * 64 + 64);
    expect(paramShapes(r)).toEqual({ depthwise_weight: [32, 1, 3, 3], pointwise_weight: [64, 32, 1, 1], bias: [64] });
    expect(r.macs).toBe(16 * 16 * 32 * 9 + 16 * 16 * 32 * 64);
  });
  it('matches Xception block2_sepconv1 (64→128, 147×147, no bias: 8768 params)', () => {
    const r = runOp('separable_conv2d', [[1, 64, 147, 147]], [128, 3], { padding: 'same', bias: false });
    expect(r.params).toBe(8768);
    expect(r.macs).toBe(147 * 147 * 8768);
  });
  it('uses depth_multiplier channels between the two convs', () => {
    const r = runOp('separable_conv2d', [[1, 3, 31, 31]], [8, 3], { stride: 2, depth_multiplier: 2, bias: false });
    expect(r.shapes).toEqual([[1, 8, 15, 15]]);
    expect(paramShapes(r)).toEqual({ depthwise_weight: [6, 1, 3, 3], pointwise_weight: [8, 6, 1, 1] });
    expect(r.result!.rf).toEqual({ kind: 'window', axes: [0, 1].map(() => ({ kernel: 3, stride: 2, dilation: 1, padBegin: 0 })) });
  });
  it('reports errors from either part', () => {
    expect(codes(runOp('separable_conv2d', [[1, 8, 16]], [8, 3]))).toEqual(['E0400']);
    expect(codes(runOp('separable_conv2d', [[1, 8, 2, 2]], [8, 5]))).toEqual(['E0401']);
    expect(codes(runOp('separable_conv2d', [[1, 8, 8, 8]], [3]))).toEqual(['E0203']);
  });
});

describe('conv_transpose', () => {
  it('computes (W-1)*S - 2P + D*(K-1) + output_padding + 1: input 2, kernel 4, stride 3 → 7', () => {
    const r = runOp('conv_transpose1d', [[1, 1, 2]], [1, 4], { stride: 3 });
    expect(r.shapes).toEqual([[1, 1, 7]]);
    expect(r.params).toBe(5);
    expect(r.macs).toBe(8);
  });
  it('matches the DCGAN generator (100→512 4×4 from 1×1, then 512→256 4/2/1)', () => {
    const a = runOp('conv_transpose2d', [[1, 100, 1, 1]], [512, 4, 1, 0], { bias: false });
    expect(a.shapes).toEqual([[1, 512, 4, 4]]);
    expect(a.params).toBe(100 * 512 * 16);
    expect(a.macs).toBe(100 * 512 * 16);
    const b = runOp('deconv2d', [[1, 512, 4, 4]], [256, 4, 2, 1], { bias: false });
    expect(b.shapes).toEqual([[1, 256, 8, 8]]);
    expect(b.macs).toBe(512 * 16 * 256 * 16);
  });
  it('matches the U-Net up-convolution (1024→512, 2×2 stride 2) with weight [C_in, C_out, k, k]', () => {
    const r = runOp('conv2d_transpose', [[1, 1024, 28, 28]], [512, 2], { stride: 2 });
    expect(r.shapes).toEqual([[1, 512, 56, 56]]);
    expect(paramShapes(r)).toEqual({ weight: [1024, 512, 2, 2], bias: [512] });
    expect(r.params).toBe(2097664);
    expect(r.result!.rf).toEqual({ kind: 'transpose', axes: [0, 1].map(() => ({ kernel: 2, stride: 2, dilation: 1, padBegin: 0 })) });
  });
  it('uses weight [C_in, C_out/groups, *k] and MACs = input elements × C_out/groups × ∏k', () => {
    const g = runOp('conv_transpose3d', [[2, 8, 3, 4, 5]], [6, [1, 2, 3]], { groups: 2 });
    expect(g.shapes).toEqual([[2, 6, 3, 5, 7]]);
    expect(paramShapes(g)).toEqual({ weight: [8, 3, 1, 2, 3], bias: [6] });
    expect(g.macs).toBe(2 * 8 * 3 * 4 * 5 * 3 * 6);
    expect(codes(runOp('conv_transpose2d', [[1, 8, 4, 4]], [6, 3], { groups: 4 }))).toEqual(['E0407']);
  });
  it('keeps symbolic sizes closed-form (k4 s2 p1 doubles; k3 s2 p1 op1 doubles)', () => {
    expect(runOp('conv_transpose2d', [['N', 4, 'H', 'W']], [2, 4, 2, 1]).shapes).toEqual([['N', 2, '2*H', '2*W']]);
    expect(runOp('conv_transpose2d', [['N', 4, 'H', 'W']], [2, 3, 2, 1, 1]).shapes).toEqual([['N', 2, '2*H', '2*W']]);
    expect(runOp('conv_transpose1d', [['N', 4, 'L']], [2, 3]).shapes).toEqual([['N', 2, 'L + 2']]);
  });
  it('enforces the PyTorch output_padding rule (smaller than stride or dilation)', () => {
    expect(codes(runOp('conv_transpose2d', [[1, 4, 5, 5]], [4, 3], { stride: 2, output_padding: 2 }))).toEqual(['E0301']);
    expect(codes(runOp('conv_transpose2d', [[1, 4, 5, 5]], [4, 3], { output_padding: 1 }))).toEqual(['E0301']);
    const ok = runOp('conv_transpose1d', [[1, 4, 5]], [4, 3], { output_padding: 1, dilation: 2 });
    expect(ok.shapes).toEqual([[1, 4, 4 + 4 + 1 + 1]]);
    expect(codes(runOp('conv_transpose2d', [[1, 4, 5, 5]], [4, 3], { stride: 2, output_padding: [1, 2] }))).toEqual(['E0301']);
  });
  it('reports wrong rank, padding that crops everything, and bad tuples', () => {
    expect(codes(runOp('conv_transpose2d', [[4, 5, 5]], [4, 3]))).toEqual(['E0400']);
    const r = runOp('conv_transpose1d', [[1, 4, 1]], [4, 1], { padding: 1 });
    expect(codes(r)).toEqual(['E0401']);
    expect(r.diagnostics[0]!.message).toContain('= -1');
    expect(codes(runOp('conv_transpose2d', [[1, 4, 5, 5]], [4, [3, 3, 3]]))).toEqual(['E0301']);
    expect(codes(runOp('conv_transpose2d', [[1, 4, 5, 5]], [4, 3], { padding: -1 }))).toEqual(['E0301']);
  });

  const arb = fc.record({ w: fc.integer({ min: 1, max: 12 }), k: fc.integer({ min: 1, max: 6 }), s: fc.integer({ min: 1, max: 4 }), p: fc.integer({ min: 0, max: 4 }), d: fc.integer({ min: 1, max: 3 }), op: fc.integer({ min: 0, max: 3 }) });
  it('matches a brute-force scatter (property)', () => {
    fc.assert(
      fc.property(arb, ({ w, k, s, p, d, op }) => {
        if (op >= s && op >= d) return;
        // Scatter every input position i through every tap j onto the full (uncropped) output, add the
        // output_padding rows at the end, then crop `p` from both ends.
        const touched = new Set<number>();
        let taps = 0;
        for (let i = 0; i < w; i++) for (let j = 0; j < k; j++, taps++) touched.add(i * s + j * d);
        const full = Math.max(...touched) + 1 + op;
        const expected = full - 2 * p;
        const r = runOp('conv_transpose1d', [[1, 3, w]], [2, k], { stride: s, padding: p, dilation: d, output_padding: op });
        if (expected <= 0) return void expect(codes(r)).toContain('E0401');
        expect(r.shapes).toEqual([[1, 2, expected]]);
        // ptflops convention: every tap of every input pixel counts, cropped or not.
        expect(r.macs).toBe(3 * 2 * taps);
      }),
      { numRuns: 500 },
    );
  });
  it('inverts the conv it is the gradient of: conv1d maps every output_padding choice back to W (property)', () => {
    fc.assert(
      fc.property(arb, ({ w, k, s, p, d }) => {
        const sizes: number[] = [];
        for (let op = 0; op < s; op++) {
          const t = runOp('conv_transpose1d', [[1, 1, w]], [1, k], { stride: s, padding: p, dilation: d, output_padding: op });
          if (!t.shapes) return;
          const back = runOp('conv1d', [[1, 1, t.shapes[0]![2] as number]], [1, k], { stride: s, padding: p, dilation: d });
          expect(back.shapes?.[0]?.[2]).toBe(w);
          sizes.push(t.shapes[0]![2] as number);
        }
        // The stride-many choices are consecutive sizes.
        sizes.forEach((x, i) => expect(x).toBe(sizes[0]! + i));
      }),
      { numRuns: 500 },
    );
  });
});
