/** `instance_norm`: PyTorch `nn.InstanceNorm1d/2d/3d`. */
import { isSymbolic, mul } from '../../symbolic/dim.js';
import type { OpDef, ParamSpec } from '../types.js';
import { prod } from '../shared/window.js';
import { onnxNormalize, onnxRunningNorm, runningAffine, tfjsNormalize, tfjsRunningNorm } from '../shared/norm.js';

export const op: OpDef = {
  cancelsPrecedingBias: true,
  name: 'instance_norm',
  aliases: ['instancenorm', 'instance_norm1d', 'instance_norm2d', 'instance_norm3d', 'instancenorm1d', 'instancenorm2d', 'instancenorm3d'],
  category: 'norm',
  doc:
    'Instance normalisation (PyTorch `nn.InstanceNorm1d` / `2d` / `3d`, one op for all three): each channel of each sample of an `[N, C, *spatial]` ' +
    'input (rank ≥ 3) is normalised by its own mean and (biased) variance over the spatial axes, then, with `affine`, scaled and shifted per ' +
    'channel. PyTorch\'s defaults are kept: `affine=false`, `track_running_stats=false`. With `track_running_stats=true` dslc models inference ' +
    '(eval mode): the running statistics are used, as batchnorm does, and they are non-trainable parameters. PyTorch\'s unbatched `[C, L]` ' +
    'form is not accepted (give the batch axis). RF: without running statistics every output sees its whole spatial extent (`mix`).',
  costDoc:
    'No MACs. Instance statistics: FLOPs = 5 per element (mean: 1 add; variance: subtract, square, add; normalise: 1 multiply by 1/σ), ' +
    '+ 2 per element with `affine`, as layernorm (per-instance square roots not counted). With running statistics: 2 per element ' +
    '(folded into one scale and shift per channel, as batchnorm).',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'num_features', type: 'int', default: null, min: 1, doc: 'Number of channels C; inferred from axis 1 of the input, checked when given.', aliases: ['channels'] },
    { name: 'eps', type: 'float', default: 1e-5, min: 0, doc: 'Added to the variance for numerical stability.', aliases: ['epsilon'] },
    { name: 'momentum', type: 'float', default: 0.1, min: 0, doc: 'Running-statistics update factor during training (only with `track_running_stats`).' },
    { name: 'affine', type: 'bool', default: false, doc: 'Learn a per-channel scale `weight` and shift `bias` (PyTorch default: false).' },
    { name: 'track_running_stats', type: 'bool', default: false, doc: 'Keep `running_mean` / `running_var` buffers and use them at inference (PyTorch default: false).' },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const r = x.shape.length;
    if (r < 3) return ctx.fail('E0400', `${ctx.label} expects an input of rank ≥ 3 ([N, C, spatial...]), got rank ${r}`, { hint: 'instance norm normalises over the spatial axes; for [N, C] use batchnorm or layernorm' });
    const momentum = ctx.attrs.momentum as number;
    if (momentum > 1) return ctx.fail('E0301', `${ctx.label}: momentum must be in [0, 1], got ${momentum}`, { attr: 'momentum' });
    const nf = ctx.attrs.num_features;
    if (nf !== null && nf !== undefined && !ctx.unify(x.shape[1]!, nf as number, 'num_features vs input channels (axis 1)')) return { failed: true };
    const [affine, running] = [ctx.attrs.affine as boolean, ctx.attrs.track_running_stats as boolean];
    const params: ParamSpec[] = [];
    if (affine || running) {
      const c = ctx.concrete(x.shape[1]!, 'channels (axis 1)');
      if (c === undefined) return { failed: true };
      if (affine) params.push({ name: 'weight', shape: [c], init: 'ones' }, { name: 'bias', shape: [c] });
      if (running) params.push({ name: 'running_mean', shape: [c], trainable: false }, { name: 'running_var', shape: [c], trainable: false, init: 'ones' });
    }
    if (running) return { outputs: [x], params, macs: 0, flops: mul(prod(x.shape), 2), rf: { kind: 'identity' } };
    return { outputs: [x], params, macs: 0, flops: mul(prod(x.shape), affine ? 7 : 5), rf: { kind: 'mix', axes: x.shape.slice(2).map(() => true) } };
  },
  channelAffine(attrs, param, input) {
    // Only with running statistics: otherwise each instance normalises with its own statistics (not affine).
    if (!attrs.track_running_stats) return undefined;
    return { axis: 1, ...runningAffine(attrs, param, input.shape[1] as number) };
  },
  onnx(ctx) {
    if (ctx.attrs.track_running_stats) return onnxRunningNorm(ctx);
    const x = ctx.inputTypes[0]!;
    const [r, c] = [x.shape.length, x.shape[1]!];
    const eps = ctx.attrs.eps as number;
    if (isSymbolic(c)) {
      // No affine part here (weights need concrete channels), and InstanceNormalization's scale and shift do: spelt out.
      const normed = onnxNormalize(ctx, ctx.inputs[0]!, Array.from({ length: r - 2 }, (_, i) => i + 2), eps);
      return ctx.emit('Identity', [normed], ctx.outputs);
    }
    const scale = ctx.attrs.affine ? ctx.param('weight') : ctx.floats('ones', Array<number>(c).fill(1));
    const shift = ctx.attrs.affine ? ctx.param('bias') : ctx.floats('zeros', Array<number>(c).fill(0));
    ctx.emit('InstanceNormalization', [ctx.inputs[0]!, scale, shift], ctx.outputs, { epsilon: { f: eps } });
  },
  tfjs(ctx) {
    if (ctx.attrs.track_running_stats) return tfjsRunningNorm(ctx);
    // Channels-last: statistics over the spatial axes 1..r−2, per-channel constants [C] on the last axis.
    const x = ctx.inputTypes[0]!;
    const [r, c] = [x.shape.length, x.shape[1]!];
    let y = tfjsNormalize(ctx, ctx.input(0, 'nhwc'), Array.from({ length: r - 2 }, (_, i) => i + 1), ctx.attrs.eps as number);
    if (ctx.attrs.affine) y = ctx.node('AddV2', [ctx.node('Mul', [y, ctx.constant('weight', ctx.param('weight'), [c])]), ctx.constant('bias', ctx.param('bias'), [c])]);
    ctx.output(0, y, 'nhwc');
  },
  examples: [
    { inputs: [[1, 64, 128, 128]], call: 'instance_norm2d', output: [1, 64, 128, 128], params: 0, macs: 0 },
    { inputs: [['N', 32, 'L']], call: 'instance_norm1d(32, affine=true)', output: ['N', 32, 'L'], params: 64 },
    { inputs: [[2, 16, 4, 8, 8]], call: 'instance_norm3d(affine=true, track_running_stats=true)', output: [2, 16, 4, 8, 8], params: 64 },
  ],
};
