import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runOp } from '../helpers/op-harness.js';

const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);

/**
 * Brute-force broadcasting: search every candidate output shape (sizes 1..6 per axis) for the smallest one that each input, right-aligned,
 * fits by size-1 stretching (each input axis is 1 or equal to the output's). Undefined when no shape fits.
 */
function bruteBroadcast(shapes: number[][]): number[] | undefined {
  const rank = Math.max(...shapes.map((s) => s.length));
  let best: number[] | undefined;
  const visit = (prefix: number[]) => {
    if (prefix.length === rank) {
      const fits = shapes.every((s) => s.every((d, i) => d === 1 || d === prefix[rank - s.length + i]));
      const sum = (x: number[]) => x.reduce((a, b) => a + b, 0);
      if (fits && (!best || sum(prefix) < sum(best))) best = [...prefix];
      return;
    }
    for (let v = 1; v <= 6; v++) visit([...prefix, v]);
  };
  visit([]);
  return best;
}

const smallShape = (max: number) => fc.array(fc.constantFrom(1, 1, 2, 3), { minLength: 0, maxLength: max });

describe('activations', () => {
  const flops: [string, number][] = [['leaky_relu', 2], ['prelu', 2], ['elu', 4], ['selu', 5], ['gelu', 5], ['sigmoid', 4], ['hard_sigmoid', 4], ['tanh', 1], ['softmax', 5], ['log_softmax', 5], ['silu', 5], ['relu6', 2], ['hard_swish', 5], ['softplus', 4], ['mish', 5], ['hardtanh', 2]];
  it.each(flops)('%s keeps the shape and counts %d FLOPs per element', (name, f) => {
    const r = runOp(name, [['N', 3, 4, 5]]);
    expect(r.shapes).toEqual([['N', 3, 4, 5]]);
    expect(r.macs).toBe(0);
    expect(r.result!.outputs[0]!.dtype).toBe('float32');
    const concrete = runOp(name, [[2, 3, 4, 5]]);
    expect(concrete.result!.flops).toBe(120 * f);
  });
  it('accepts aliases and PyTorch attribute names', () => {
    expect(runOp('swish', [[1, 8]]).diagnostics).toEqual([]);
    expect(runOp('hardswish', [[1, 8]]).diagnostics).toEqual([]);
    expect(runOp('hardsigmoid', [[1, 8]]).diagnostics).toEqual([]);
    expect(runOp('leaky_relu', [[1, 8]], [], { negative_slope: 0.2 }).diagnostics).toEqual([]);
    expect(runOp('elu', [[1, 8]], [], { alpha: 0.5 }).diagnostics).toEqual([]);
    expect(codes(runOp('leaky_relu', [[1, 8]], [], { slop: 0.2 }))).toEqual(['E0202']);
  });
  it('gelu costs more with the tanh approximation and rejects unknown modes', () => {
    expect(runOp('gelu', [[2, 10]], [], { approximate: 'tanh' }).result!.flops).toBe(180);
    expect(codes(runOp('gelu', [[2, 10]], [], { approximate: 'fast' }))).toEqual(['E0301']);
  });
  it('softmax and log_softmax check the axis and mix (grid kept) over the spatial axis they normalise', () => {
    expect(runOp('softmax', [[1, 1000]], [], { dim: 1 }).result!.rf.kind).toBe('identity');
    expect(runOp('softmax', [[1, 8, 10, 10]]).result!.rf).toEqual({ kind: 'mix', axes: [false, true] });
    expect(runOp('log_softmax', [[1, 8, 10, 10]], [], { axis: 2 }).result!.rf).toEqual({ kind: 'mix', axes: [true, false] });
    expect(runOp('softmax', [[1, 8, 10, 10]], [], { axis: 1 }).result!.rf.kind).toBe('identity');
    const r = runOp('softmax', [[1, 1000]], [], { axis: 2 });
    expect(codes(r)).toEqual(['E0303']);
    expect(r.diagnostics[0]!.message).toContain('-2..1');
    expect(codes(runOp('log_softmax', [[4, 10]], [-3]))).toEqual(['E0303']);
  });
  it('prelu learns 1 or C slopes', () => {
    expect(runOp('prelu', [[1, 64, 8, 8]])).toMatchObject({ params: 1, trainable: 1 });
    expect(runOp('prelu', [[1, 64, 8, 8]], [64]).params).toBe(64);
    expect(runOp('prelu', [['N', 64, 'H', 'W']], [64]).diagnostics).toEqual([]);
    const r = runOp('prelu', [[1, 64, 8, 8]], [32]);
    expect(codes(r)).toEqual(['E0402']);
    expect(r.diagnostics[0]!.hint).toContain('prelu(64)');
    expect(codes(runOp('prelu', [[64]], [64]))).toEqual(['E0400']);
  });
});

describe('softplus, hardtanh and clamp', () => {
  it('softplus counts the β scaling and refuses β = 0', () => {
    expect(runOp('softplus', [[2, 10]], [], { beta: 2, threshold: 5 }).result!.flops).toBe(120);
    const r = runOp('softplus', [[2, 10]], [], { beta: 0 });
    expect(codes(r)).toEqual(['E0301']);
    expect(r.diagnostics[0]!.message).toContain('beta must not be 0');
  });
  it('hardtanh and clamp count one compare per bound and check the bounds', () => {
    expect(runOp('hardtanh', [[2, 10]], [-2.5, 2.5]).result!.flops).toBe(40);
    expect(runOp('hard_tanh', [[2, 10]], [], { min: 0, max: 6 }).diagnostics).toEqual([]);
    expect(runOp('clamp', [[2, 10]], [], { min: 0 }).result!.flops).toBe(20);
    expect(runOp('clip', [[2, 10]], [0, 1]).result!.flops).toBe(40);
    expect(runOp('clamp', [['N', 10]], [], { max_val: 1 }).shapes).toEqual([['N', 10]]);
    const none = runOp('clamp', [[2, 10]]);
    expect(codes(none)).toEqual(['E0301']);
    expect(none.diagnostics[0]!.hint).toBe('e.g. clamp(min=0)');
    expect(codes(runOp('hardtanh', [[2, 10]], [1, -1]))).toEqual(['E0301']);
    expect(codes(runOp('clamp', [[2, 10]], [3, 2]))).toEqual(['E0301']);
  });
});

describe('mul', () => {
  it('broadcasts like add and counts one FLOP per output element', () => {
    const r = runOp('multiply', [[1, 64, 56, 56], [1, 64, 1, 1]]);
    expect(r.shapes).toEqual([[1, 64, 56, 56]]);
    expect(r.result!.flops).toBe(64 * 56 * 56);
    expect(r.result!.rf.kind).toBe('merge');
    expect(codes(runOp('mul', [[2, 3], [4, 3]]))).toEqual(['E0402']);
  });
  it('agrees with brute-force broadcasting (property)', () => {
    fc.assert(
      fc.property(fc.array(smallShape(4), { minLength: 2, maxLength: 3 }), (shapes) => {
        const want = bruteBroadcast(shapes);
        const r = runOp('mul', shapes);
        if (want === undefined) expect(codes(r)).toEqual(['E0402']);
        else expect(r.shapes![0]).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });
});

describe('sub and div', () => {
  it('broadcast like add, count (inputs − 1) FLOPs per output element and merge receptive fields', () => {
    for (const name of ['sub', 'subtract', 'div', 'divide', 'true_divide']) {
      const r = runOp(name, [['N', 3, 224, 224], [1, 3, 1, 1]]);
      expect(r.shapes).toEqual([['N', 3, 224, 224]]);
      expect([r.params, r.macs, r.result!.rf.kind]).toEqual([0, 0, 'merge']);
      expect(runOp(name, [[2, 3], [2, 3], [3]]).result!.flops).toBe(12);
      expect(codes(runOp(name, [[2, 3], [4, 3]]))).toEqual(['E0402']);
    }
  });
  it('sub takes integers; div refuses them (ONNX Div truncates), and mixed dtypes', () => {
    expect(runOp('sub', [[2, 3], [3]], [], {}, 'int64').diagnostics).toEqual([]);
    const r = runOp('div', [[2, 3], [3]], [], {}, 'int32');
    expect(codes(r)).toEqual(['E0408']);
    expect(r.diagnostics[0]!.message).toMatch(/int32 inputs are not accepted/);
    expect(runOp('div', [[2, 3], [3]], [], {}, 'float16').diagnostics).toEqual([]);
  });
});

describe('matmul', () => {
  it('follows NumPy rules for matrices, vectors and batches', () => {
    expect(runOp('matmul', [[64, 32], [32, 16]])).toMatchObject({ shapes: [[64, 16]], macs: 64 * 32 * 16, params: 0 });
    expect(runOp('matmul', [[32], [32]])).toMatchObject({ shapes: [[]], macs: 32 });
    expect(runOp('matmul', [[32], [5, 32, 16]])).toMatchObject({ shapes: [[5, 16]], macs: 5 * 32 * 16 });
    expect(runOp('matmul', [[5, 10, 32], [32]])).toMatchObject({ shapes: [[5, 10]], macs: 5 * 10 * 32 });
    expect(runOp('matmul', [[2, 1, 10, 64], [4, 64, 10]])).toMatchObject({ shapes: [[2, 4, 10, 10]], macs: 8 * 10 * 64 * 10 });
    expect(runOp('matmul', [['N', 8, 'T', 64], ['N', 8, 64, 'T']]).shapes).toEqual([['N', 8, 'T', 'T']]);
    expect(runOp('matmul', [['N', 8, 'T', 64], ['N', 8, 64, 'T']]).macs).toBe('512*N*T^2');
  });
  it('reports inner and batch mismatches', () => {
    const r = runOp('matmul', [[10, 64], [32, 10]]);
    expect(codes(r)).toEqual(['E0402']);
    expect(r.diagnostics[0]!.message).toContain('64 vs 32');
    const b = runOp('matmul', [[3, 10, 4], [2, 4, 5]]);
    expect(codes(b)).toEqual(['E0402']);
    expect(b.diagnostics[0]!.message).toContain('batch axes');
    expect(codes(runOp('matmul', [[], [3]]))).toEqual(['E0400']);
  });
  it('agrees with a brute-force loop nest (property)', () => {
    fc.assert(
      fc.property(smallShape(2), smallShape(2), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean(), (ba, bb, m, k, n, aVec, bVec) => {
        const a = aVec ? [k] : [...ba, m, k];
        const b = bVec ? [k] : [...bb, k, n];
        const batch = bruteBroadcast([aVec ? [] : ba, bVec ? [] : bb]);
        const r = runOp('matmul', [a, b]);
        if (batch === undefined) {
          expect(codes(r)).toEqual(['E0402']);
          return;
        }
        expect(r.shapes![0]).toEqual([...batch, ...(aVec ? [] : [m]), ...(bVec ? [] : [n])]);
        // Count multiplies: every output element of every batch takes k of them.
        let count = 0;
        const batchCount = batch.reduce((x, y) => x * y, 1);
        for (let e = 0; e < batchCount; e++) for (let i = 0; i < (aVec ? 1 : m); i++) for (let j = 0; j < (bVec ? 1 : n); j++) for (let p = 0; p < k; p++) count++;
        expect(r.macs).toBe(count);
      }),
      { numRuns: 400 },
    );
  });
});

describe('multihead_attention', () => {
  it('has PyTorch parameters 4E² + 4E and self-attention MACs N(4TE² + 2T²E)', () => {
    const r = runOp('multihead_attention', [[2, 10, 64]], [64, 8]);
    expect(r.shapes).toEqual([[2, 10, 64]]);
    expect(r.params).toBe(4 * 64 * 64 + 4 * 64);
    expect(r.result!.params!.map((p) => p.name)).toEqual(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
    expect(r.macs).toBe(2 * (4 * 10 * 64 * 64 + 2 * 10 * 10 * 64));
    expect(r.result!.flops).toBe(2 * (r.macs as number) + 5 * 2 * 8 * 10 * 10);
    expect(runOp('mha', [[1, 10, 64]], [64, 8], { bias: false }).params).toBe(4 * 64 * 64);
    expect(runOp('mha', [['N', 'T', 64]], [64, 8]).macs).toBe('16384*N*T + 128*N*T^2');
  });
  it('does cross-attention with a key/value input and kdim/vdim', () => {
    const r = runOp('mha', [[2, 10, 64], [2, 20, 64]], [64, 4]);
    expect(r.shapes).toEqual([[2, 10, 64]]);
    expect(r.macs).toBe(2 * (2 * 10 * 64 * 64 + 2 * 20 * 64 * 64 + 2 * 10 * 20 * 64));
    const kv = runOp('mha', [[2, 10, 64], [2, 20, 32], [2, 20, 16]], [64, 4], { kdim: 32, vdim: 16 });
    expect(kv.params).toBe(64 * 64 + 64 * 32 + 64 * 16 + 3 * 64 + 64 * 64 + 64);
    expect(kv.macs).toBe(2 * (2 * 10 * 64 * 64 + 20 * 64 * 48 + 2 * 10 * 20 * 64));
  });
  it('takes [T, N, E] with batch_first=false', () => {
    const r = runOp('mha', [[10, 2, 64]], [64, 8], { batch_first: false });
    expect(r.shapes).toEqual([[10, 2, 64]]);
    expect(r.macs).toBe(2 * (4 * 10 * 64 * 64 + 2 * 10 * 10 * 64));
  });
  it('reports E mismatch, indivisible heads, bad ranks and key mismatches', () => {
    const e = runOp('mha', [[1, 10, 32]], [64, 8]);
    expect(codes(e)).toEqual(['E0402']);
    expect(e.diagnostics[0]!.message).toContain('embed_dim is 64');
    const h = runOp('mha', [[1, 10, 60]], [60, 8]);
    expect(codes(h)).toEqual(['E0301']);
    expect(h.diagnostics[0]!.hint).toContain('num_heads=12');
    expect(codes(runOp('mha', [[10, 64]], [64, 8]))).toEqual(['E0400']);
    expect(codes(runOp('mha', [[1, 10, 64], [1, 20, 32]], [64, 8]))).toEqual(['E0402']);
    expect(codes(runOp('mha', [[1, 10, 64], [2, 20, 64]], [64, 8]))).toEqual(['E0402']);
    expect(codes(runOp('mha', [[1, 10, 64], [1, 20, 64], [1, 15, 64]], [64, 8]))).toEqual(['E0402']);
    expect(codes(runOp('mha', [[1, 10, 64]], [64, 8], { kdim: 32 }))).toEqual(['E0402']);
  });
});
