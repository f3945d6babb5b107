/** `batchnorm`: PyTorch `nn.BatchNorm1d/2d/3d` at inference. */
import { mul } from '../../symbolic/dim.js';
import type { OpDef, ParamSpec } from '../types.js';
import { prod } from '../shared/window.js';
import { onnxChannelAffine, onnxNormalize, onnxRunningNorm, runningAffine, tfjsNormalize, tfjsRunningNorm } from '../shared/norm.js';

export const op: OpDef = {
  cancelsPrecedingBias: true,
  name: 'batchnorm',
  aliases: ['batchnorm1d', 'batchnorm2d', 'batchnorm3d', 'batch_norm'],
  category: 'norm',
  doc:
    'Batch normalisation over axis 1 (channels) of an input of rank ≥ 2: `y = (x - running_mean) / sqrt(running_var + eps) * weight + bias` ' +
    '(PyTorch `nn.BatchNorm1d` / `nn.BatchNorm2d` / `nn.BatchNorm3d`, one op for all three: `[N, C]`, `[N, C, L]`, `[N, C, H, W]`, `[N, C, D, H, W]`). ' +
    'Parameters: `weight` and `bias` `[C]` (trainable, when `affine`), `running_mean` and `running_var` `[C]` (non-trainable buffers, when ' +
    '`track_running_stats`; Keras counts them as non-trainable parameters, PyTorch as buffers). Keras momentum is `1 - momentum`.',
  costDoc:
    'No MACs (peers such as thop/ptflops count conv and dense only). FLOPs = 2 per element: at inference the statistics fold into one ' +
    'scale and one shift per channel (a multiply and an add).',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'num_features', type: 'int', default: null, min: 1, doc: 'Number of channels C; inferred from axis 1 of the input, checked when given.', aliases: ['channels'] },
    { name: 'eps', type: 'float', default: 1e-5, min: 0, doc: 'Added to the variance for numerical stability (PyTorch 1e-5; some torchvision models use 1e-3).', aliases: ['epsilon'] },
    { name: 'momentum', type: 'float', default: 0.1, min: 0, doc: 'Running-statistics update factor during training (PyTorch convention; Keras momentum = 1 - this).' },
    { name: 'affine', type: 'bool', default: true, doc: 'Learn the per-channel scale `weight` (gamma) and shift `bias` (beta).' },
    { name: 'track_running_stats', type: 'bool', default: true, doc: 'Keep `running_mean` / `running_var` buffers (non-trainable).' },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length < 2) return ctx.fail('E0400', `${ctx.label} expects an input of rank ≥ 2 ([N, C, ...]), got rank ${x.shape.length}`);
    const momentum = ctx.attrs.momentum as number;
    if (momentum > 1) return ctx.fail('E0301', `${ctx.label}: momentum must be in [0, 1], got ${momentum}`, { attr: 'momentum' });
    const nf = ctx.attrs.num_features;
    if (nf !== null && nf !== undefined && !ctx.unify(x.shape[1]!, nf as number, `num_features vs input channels (axis 1)`)) return { failed: true };
    const c = ctx.concrete(x.shape[1]!, 'channels (axis 1)');
    if (c === undefined) return { failed: true };
    const params: ParamSpec[] = [];
    if (ctx.attrs.affine) params.push({ name: 'weight', shape: [c], init: 'ones' }, { name: 'bias', shape: [c] });
    if (ctx.attrs.track_running_stats) params.push({ name: 'running_mean', shape: [c], trainable: false }, { name: 'running_var', shape: [c], trainable: false, init: 'ones' });
    return { outputs: [x], params, macs: 0, flops: mul(prod(x.shape), 2), rf: { kind: 'identity' } };
  },
  channelAffine(attrs, param, input) {
    // Only with running statistics: otherwise each batch normalises with its own statistics (not affine).
    if (!attrs.track_running_stats) return undefined;
    return { axis: 1, ...runningAffine(attrs, param, input.shape[1] as number) };
  },
  onnx(ctx) {
    if (ctx.attrs.track_running_stats) return onnxRunningNorm(ctx);
    // Without running statistics PyTorch normalises with the batch's own mean and (biased) variance, also in eval mode:
    // over every axis but the channels, then the affine part broadcast as [C, 1, …].
    const x = ctx.inputTypes[0]!;
    const r = x.shape.length;
    const normed = onnxNormalize(ctx, ctx.inputs[0]!, [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2)], ctx.attrs.eps as number);
    if (!ctx.attrs.affine) return ctx.emit('Identity', [normed], ctx.outputs);
    onnxChannelAffine(ctx, normed, r, x.shape[1] as number, ctx.outputs[0]!);
  },
  tfjs(ctx) {
    // Channels-last, so per-channel constants are [C] on the last axis; with running statistics one Mul and one
    // AddV2, which the fusion pass folds into a preceding convolution or dense layer.
    if (ctx.attrs.track_running_stats) return tfjsRunningNorm(ctx);
    const x = ctx.inputTypes[0]!;
    const [r, c] = [x.shape.length, x.shape[1]!];
    const w = ctx.attrs.affine ? ctx.param('weight') : new Float32Array(c).fill(1);
    const b = ctx.attrs.affine ? ctx.param('bias') : new Float32Array(c);
    // Batch statistics (biased variance) over every axis but the channels, as PyTorch in eval mode without running stats.
    const normed = tfjsNormalize(ctx, ctx.input(0, 'nhwc'), Array.from({ length: r - 1 }, (_, i) => i), ctx.attrs.eps as number);
    ctx.output(0, ctx.node('AddV2', [ctx.node('Mul', [normed, ctx.constant('weight', w, [c])]), ctx.constant('bias', b, [c])]), 'nhwc');
  },
  examples: [
    { inputs: [[1, 64, 112, 112]], call: 'batchnorm2d', output: [1, 64, 112, 112], params: 256, macs: 0 },
    { inputs: [['N', 128]], call: 'batchnorm1d(128, eps=1e-3)', output: ['N', 128], params: 512 },
    { inputs: [[2, 16, 4, 8, 8]], call: 'batchnorm3d(affine=false)', output: [2, 16, 4, 8, 8], params: 32 },
  ],
};
