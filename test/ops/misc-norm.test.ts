import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDim, mul, sym } from '../../src/symbolic/dim.js';
import { runOp } from '../helpers/op-harness.js';
import { checkText } from '../helpers/compile.js';

const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);

describe('batchnorm', () => {
  it('splits 2C trainable from 2C running statistics', () => {
    const r = runOp('batchnorm2d', [[1, 64, 56, 56]]);
    expect(r.shapes).toEqual([[1, 64, 56, 56]]);
    expect(r.params).toBe(256);
    expect(r.trainable).toBe(128);
    expect(r.result!.params!.filter((p) => p.trainable === false).map((p) => p.name)).toEqual(['running_mean', 'running_var']);
    expect(r.macs).toBe(0);
    expect(r.result!.flops).toBe(2 * 64 * 56 * 56);
    expect(r.result!.rf).toEqual({ kind: 'identity' });
  });
  it('drops weight/bias without affine and buffers without running stats', () => {
    expect(runOp('batchnorm', [[2, 16, 8]], [], { affine: false })).toMatchObject({ params: 32, trainable: 0 });
    expect(runOp('batch_norm', [[2, 16]], [], { track_running_stats: false })).toMatchObject({ params: 32, trainable: 32 });
    expect(runOp('batchnorm3d', [[2, 16, 4, 4, 4]], [], { affine: false, track_running_stats: false })).toMatchObject({ params: 0, trainable: 0 });
  });
  it('checks num_features against the channels', () => {
    expect(runOp('batchnorm2d', [[1, 64, 8, 8]], [64]).diagnostics).toEqual([]);
    const r = runOp('batchnorm2d', [[1, 64, 8, 8]], [32]);
    expect(codes(r)).toEqual(['E0402']);
    expect(r.diagnostics[0]!.message).toContain('64');
  });
  it('rejects rank 1, symbolic channels and bad momentum', () => {
    expect(codes(runOp('batchnorm1d', [[64]]))).toEqual(['E0400']);
    expect(codes(runOp('batchnorm2d', [['N', 'C', 8, 8]]))).toEqual(['E0409']);
    expect(codes(runOp('batchnorm2d', [[1, 8, 4, 4]], [], { momentum: 1.5 }))).toEqual(['E0301']);
    expect(codes(runOp('batchnorm2d', [[1, 8, 4, 4]], [], { eps: -1 }))).toEqual(['E0301']);
  });
  it('keeps symbolic batch and spatial sizes', () => {
    const r = runOp('batchnorm2d', [['N', 32, 'H', 'W']]);
    expect(r.shapes).toEqual([['N', 32, 'H', 'W']]);
    expect(r.trainable).toBe(64);
  });
  it('counts parameters 4C for any rank and C (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 0, max: 3 }), (c, extra) => {
        const r = runOp('batchnorm', [[2, c, ...Array(extra).fill(3)]]);
        expect([r.params, r.trainable]).toEqual([4 * c, 2 * c]);
      }),
    );
  });
});

describe('layernorm', () => {
  it('normalises the last axis by default', () => {
    const r = runOp('layernorm', [[2, 10, 512]]);
    expect(r.shapes).toEqual([[2, 10, 512]]);
    expect(r.params).toBe(1024);
    expect(r.result!.flops).toBe(2 * 10 * 512 * 7);
  });
  it('accepts a tuple normalized_shape matching the trailing axes', () => {
    const r = runOp('layer_norm', [[1, 3, 4, 5]], [[4, 5]]);
    expect(r.params).toBe(40);
    expect(r.result!.params!.map((p) => p.shape)).toEqual([[4, 5], [4, 5]]);
    expect(runOp('layernorm', [[1, 3, 4, 5]], [[4, 5]], { bias: false }).params).toBe(20);
    expect(runOp('layernorm', [[1, 3, 4, 5]], [[4, 5]], { elementwise_affine: false })).toMatchObject({ params: 0 });
  });
  it('reports mismatched or too long normalized_shape', () => {
    const r = runOp('layernorm', [[2, 10, 512]], [256]);
    expect(codes(r)).toEqual(['E0402']);
    expect(r.diagnostics[0]!.message).toMatch(/512.*256|256.*512/);
    expect(codes(runOp('layernorm', [[10, 512]], [[3, 10, 512]]))).toEqual(['E0400']);
  });
  it('needs a concrete normalised axis for its weights', () => {
    expect(codes(runOp('layernorm', [['N', 'T', 'E']]))).toEqual(['E0409']);
    expect(runOp('layernorm', [['N', 'T', 'E']], [], { elementwise_affine: false }).shapes).toEqual([['N', 'T', 'E']]);
  });
  it('is identity for rank 2 and mixes (grid kept) the spatial axes it normalises', () => {
    expect(runOp('layernorm', [[4, 64]]).result!.rf.kind).toBe('identity');
    expect(runOp('layernorm', [[4, 10, 64]]).result!.rf).toEqual({ kind: 'mix', axes: [true] });
    expect(runOp('layernorm', [[1, 8, 6, 5]], [], { normalized_shape: [5] }).result!.rf).toEqual({ kind: 'mix', axes: [false, true] });
    expect(runOp('layernorm', [[1, 8, 6, 5]], [], { normalized_shape: [8, 6, 5] }).result!.rf).toEqual({ kind: 'mix', axes: [true, true] });
  });
});

describe('group_norm', () => {
  it('keeps the shape, owns 2C affine parameters and mixes the spatial axes', () => {
    const r = runOp('group_norm', [[1, 64, 56, 56]], [32]);
    expect(r.shapes).toEqual([[1, 64, 56, 56]]);
    expect([r.params, r.trainable, r.macs]).toEqual([128, 128, 0]);
    expect(r.result!.flops).toBe(64 * 56 * 56 * 7);
    expect(r.result!.rf).toEqual({ kind: 'mix', axes: [true, true] });
    expect(runOp('groupnorm', [[2, 12, 10]], [3], { affine: false })).toMatchObject({ params: 0 });
    expect(runOp('group_norm', [[2, 12, 10]], [3], { affine: false }).result!.flops).toBe(2 * 12 * 10 * 5);
    expect(runOp('group_norm', [[4, 8]], [2]).result!.rf.kind).toBe('identity');
  });
  it('checks num_channels and that num_groups divides the channels (E0407, with the divisors)', () => {
    expect(runOp('group_norm', [['N', 256, 'H', 'W']], [32, 256]).diagnostics).toEqual([]);
    expect(codes(runOp('group_norm', [[1, 64, 8, 8]], [32, 32]))).toEqual(['E0402']);
    const r = runOp('group_norm', [[1, 24, 8, 8]], [5]);
    expect(codes(r)).toEqual(['E0407']);
    expect(r.diagnostics[0]!.message).toContain('num_groups=5 does not divide the 24 channels');
    expect(r.diagnostics[0]!.hint).toBe('num_groups must divide 24: 1, 2, 3, 4, 6, 8, 12, 24');
  });
  it('needs num_groups, rank ≥ 2 and concrete channels', () => {
    expect(codes(runOp('group_norm', [[1, 8, 4]]))).toEqual(['E0203']);
    expect(codes(runOp('group_norm', [[1, 8, 4]], [0]))).toEqual(['E0301']);
    expect(codes(runOp('group_norm', [[8]], [2]))).toEqual(['E0400']);
    expect(codes(runOp('group_norm', [['N', 'C', 4]], [2]))).toEqual(['E0409']);
  });
});

describe('instance_norm', () => {
  it("has PyTorch's defaults: no affine, no running statistics, spatial axes mixed", () => {
    const r = runOp('instance_norm2d', [[1, 64, 32, 32]]);
    expect([r.params, r.macs, r.result!.flops]).toEqual([0, 0, 64 * 32 * 32 * 5]);
    expect(r.result!.rf).toEqual({ kind: 'mix', axes: [true, true] });
    expect(runOp('instance_norm', [['N', 'C', 'L']]).shapes).toEqual([['N', 'C', 'L']]);
  });
  it('owns weight and bias with affine, and running statistics (non-trainable, folded: identity RF) when tracked', () => {
    expect(runOp('instance_norm1d', [['N', 32, 'L']], [32], { affine: true })).toMatchObject({ params: 64, trainable: 64 });
    const r = runOp('instancenorm3d', [[2, 16, 4, 8, 8]], [], { affine: true, track_running_stats: true });
    expect([r.params, r.trainable]).toEqual([64, 32]);
    expect(r.result!.flops).toBe(2 * 16 * 4 * 8 * 8 * 2);
    expect(r.result!.rf.kind).toBe('identity');
  });
  it('rejects rank < 3, wrong num_features, symbolic channels with weights and bad momentum', () => {
    const r = runOp('instance_norm', [[4, 8]]);
    expect(codes(r)).toEqual(['E0400']);
    expect(r.diagnostics[0]!.hint).toMatch(/batchnorm or layernorm/);
    expect(codes(runOp('instance_norm', [[1, 8, 4]], [16]))).toEqual(['E0402']);
    expect(codes(runOp('instance_norm', [['N', 'C', 4]], [], { affine: true }))).toEqual(['E0409']);
    expect(codes(runOp('instance_norm', [[1, 8, 4]], [], { momentum: 2 }))).toEqual(['E0301']);
  });
  it('cancels a bias right before it (W0101), as batchnorm; group_norm does not (its mean is per group)', () => {
    const warn = (norm: string) => checkText(`model M(x: [1, 3, 8, 8]) {\n  y = x -> conv2d(8, 3) -> ${norm}\n  return y\n}`).diagnostics.map((d) => d.code);
    expect(warn('instance_norm')).toEqual(['W0101']);
    expect(warn('group_norm(2)')).toEqual([]);
  });
});

describe('local_response_norm', () => {
  it('keeps the AlexNet shape and counts (2·size + 4) FLOPs per element', () => {
    const r = runOp('lrn', [[1, 96, 55, 55]], [5], { alpha: 1e-4, beta: 0.75, k: 2 });
    expect(r.shapes).toEqual([[1, 96, 55, 55]]);
    expect([r.params, r.macs]).toEqual([0, 0]);
    expect(r.result!.flops).toBe(96 * 55 * 55 * 14);
  });
  it('requires size and rank ≥ 3', () => {
    expect(codes(runOp('local_response_norm', [[1, 96, 55, 55]]))).toEqual(['E0203']);
    expect(codes(runOp('lrn', [[1, 96]], [5]))).toEqual(['E0400']);
    expect(codes(runOp('lrn', [[1, 96, 5, 5]], [0]))).toEqual(['E0301']);
  });
});

describe('dropout and identity', () => {
  it('are the identity at inference', () => {
    for (const name of ['dropout', 'dropout2d', 'identity']) {
      const r = runOp(name, [['N', 64, 'H', 'W']]);
      expect(r.shapes).toEqual([['N', 64, 'H', 'W']]);
      expect([r.params, r.macs, r.result!.flops]).toEqual([0, 0, 0]);
      expect(r.result!.rf.kind).toBe('identity');
    }
  });
  it('checks p is a probability', () => {
    expect(runOp('dropout', [[1, 10]], [0.3]).diagnostics).toEqual([]);
    expect(runOp('dropout', [[1, 10]], [], { rate: 1 }).diagnostics).toEqual([]);
    expect(codes(runOp('dropout', [[1, 10]], [1.5]))).toEqual(['E0301']);
    expect(codes(runOp('dropout', [[1, 10]], [-0.1]))).toEqual(['E0301']);
    expect(codes(runOp('identity', [[1, 10]], [1]))).toEqual(['E0203']);
  });
});

describe('embedding', () => {
  it('appends the embedding axis and owns vocab × dim weights', () => {
    const r = runOp('embedding', [[1, 100]], [10000, 128], {}, 'int64');
    expect(r.shapes).toEqual([[1, 100, 128]]);
    expect(r.result!.outputs[0]!.dtype).toBe('float32');
    expect([r.params, r.macs]).toEqual([1280000, 0]);
    expect(r.result!.rf.kind).toBe('none');
  });
  it('keeps symbolic index shapes and accepts int32 and Keras names', () => {
    const r = runOp('embedding', [['N', 'T']], [], { input_dim: 50, output_dim: 8 }, 'int32');
    expect(r.shapes).toEqual([['N', 'T', 8]]);
    expect(r.params).toBe(400);
  });
  it('rejects float indices with E0408', () => {
    const r = runOp('embedding', [[1, 100]], [10000, 128]);
    expect(codes(r)).toEqual(['E0408']);
    expect(r.diagnostics[0]!.message).toContain('float32');
  });
  it('checks padding_idx against the vocabulary', () => {
    expect(runOp('embedding', [[1, 5]], [10, 4], { padding_idx: -10 }, 'int64').diagnostics).toEqual([]);
    expect(codes(runOp('embedding', [[1, 5]], [10, 4], { padding_idx: 10 }, 'int64'))).toEqual(['E0301']);
    expect(codes(runOp('embedding', [[1, 5]], [10, 4], { padding_idx: -11 }, 'int64'))).toEqual(['E0301']);
  });
  it('needs a concrete vocabulary', () => {
    expect(codes(runOp('embedding', [[1, 5]], [sym('V'), 4], {}, 'int64'))).toEqual(['E0409']);
    expect(codes(runOp('embedding', [[1, 5]], [10], {}, 'int64'))).toEqual(['E0203']);
  });
});

describe("class_token and position_embedding (ViT's learned tokens)", () => {
  it('class_token prepends one [1, 1, D] token: T + 1 positions, D parameters, no cost', () => {
    const r = runOp('class_token', [['N', 196, 768]]);
    expect(r.shapes).toEqual([['N', 197, 768]]);
    expect([r.params, r.trainable, r.macs, r.result!.flops]).toEqual([768, 768, 0, 0]);
    expect(r.result!.params!.map((p) => [p.name, p.shape, p.init])).toEqual([['class_token', [1, 1, 768], 'zeros']]);
    expect(runOp('cls_token', [[2, 'T', 8]], [8]).shapes).toEqual([[2, 'T + 1', 8]]);
  });
  it('position_embedding adds a [1, T, D] tensor: T·D parameters, one FLOP per element', () => {
    const r = runOp('position_embedding', [['N', 197, 768]]);
    expect(r.shapes).toEqual([['N', 197, 768]]);
    expect([r.params, r.macs, formatDim(r.result!.flops!)]).toEqual([197 * 768, 0, formatDim(mul(sym('N'), 197 * 768))]);
    expect(r.result!.params!.map((p) => [p.name, p.shape])).toEqual([['pos_embedding', [1, 197, 768]]]);
    expect(runOp('pos_embedding', [[2, 10, 64]], [10, 64]).result!.flops).toBe(2 * 10 * 64);
    // A given size fixes a symbolic axis.
    expect(runOp('position_embedding', [['N', 'T', 16]], [12]).params).toBe(12 * 16);
  });
  it('want a [N, T, D] sequence with concrete sizes, and given sizes equal to the input', () => {
    const r = runOp('class_token', [[1, 768, 14, 14]]);
    expect(codes(r)).toEqual(['E0400']);
    expect(r.diagnostics[0]!.hint).toMatch(/flatten\(start_dim=2\) -> transpose\(1, 2\)/);
    expect(codes(runOp('position_embedding', [[1, 768]]))).toEqual(['E0400']);
    expect(codes(runOp('class_token', [['N', 'T', 'D']]))).toEqual(['E0409']);
    expect(codes(runOp('position_embedding', [['N', 'T', 768]]))).toEqual(['E0409']);
    expect(codes(runOp('class_token', [[1, 5, 768]], [512]))).toEqual(['E0402']);
    expect(codes(runOp('position_embedding', [[1, 196, 768]], [197]))).toEqual(['E0402']);
    expect(codes(runOp('position_embedding', [[1, 197, 768]], [], { embed_dim: 512 }))).toEqual(['E0402']);
  });
});
