/** `batchnorm`: PyTorch `nn.BatchNorm1d/2d/3d` at inference. */
import { mul } from '../../symbolic/dim.js';
import type { OpDef, ParamSpec } from '../types.js';
import { prod } from '../shared/window.js';
import { onnxBinary, onnxReduceMean, onnxScalar } from '../shared/axes.js';
import { int32, scalar } from '../shared/tfjs.js';

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
    const c = input.shape[1] as number;
    const eps = attrs.eps as number;
    const [mean, vr] = [param('running_mean'), param('running_var')];
    const w = attrs.affine ? param('weight') : new Float32Array(c).fill(1);
    const b = attrs.affine ? param('bias') : new Float32Array(c);
    // In float64, then rounded once: scale = gamma / sqrt(var + eps), shift = beta - mean · scale.
    const scale = new Float32Array(c);
    const shift = new Float32Array(c);
    for (let k = 0; k < c; k++) {
      const s = w[k]! / Math.sqrt(vr[k]! + eps);
      scale[k] = s;
      shift[k] = b[k]! - mean[k]! * s;
    }
    return { axis: 1, scale, shift };
  },
  onnx(ctx) {
    const x = ctx.inputTypes[0]!;
    const c = x.shape[1] as number;
    const eps = ctx.attrs.eps as number;
    const affine = ctx.attrs.affine as boolean;
    if (ctx.attrs.track_running_stats) {
      // Without affine: scale 1 and shift 0 as constants (BatchNormalization needs all five inputs).
      const scale = affine ? ctx.param('weight') : ctx.floats('ones', Array<number>(c).fill(1));
      const shift = affine ? ctx.param('bias') : ctx.floats('zeros', Array<number>(c).fill(0));
      // ONNX updates running = running · momentum + batch · (1 − momentum): PyTorch's momentum is 1 − that (unused at inference).
      ctx.emit('BatchNormalization', [ctx.inputs[0]!, scale, shift, ctx.param('running_mean'), ctx.param('running_var')], ctx.outputs, {
        epsilon: { f: eps },
        momentum: { f: 1 - (ctx.attrs.momentum as number) },
      });
      return;
    }
    // Without running statistics PyTorch normalises with the batch's own mean and (biased) variance, also in eval mode:
    // ReduceMean over every axis but the channels, then the affine part broadcast as [C, 1, …].
    const r = x.shape.length;
    const axes = [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2)];
    const centred = onnxBinary(ctx, 'Sub', ctx.inputs[0]!, onnxReduceMean(ctx, ctx.inputs[0]!, axes));
    const variance = onnxReduceMean(ctx, onnxBinary(ctx, 'Mul', centred, centred), axes, ctx.temp('var'));
    const std = ctx.temp('std');
    ctx.emit('Sqrt', [onnxBinary(ctx, 'Add', variance, onnxScalar(ctx, 'eps', eps))], [std]);
    const normed = onnxBinary(ctx, 'Div', centred, std);
    if (!affine) return ctx.emit('Identity', [normed], ctx.outputs);
    const perChannel = (name: string) => (r === 2 ? ctx.param(name) : ctx.derived(`${name}_c11`, [c, ...Array<number>(r - 2).fill(1)], (p) => p(name), (t, put) => put(name, t)));
    onnxBinary(ctx, 'Add', onnxBinary(ctx, 'Mul', normed, perChannel('weight')), perChannel('bias'), ctx.outputs[0]!);
  },
  tfjs(ctx) {
    // Channels-last, so per-channel constants are [C] on the last axis; with running statistics one Mul and one
    // AddV2, which the fusion pass folds into a preceding convolution or dense layer.
    const x = ctx.inputTypes[0]!;
    const [r, c] = [x.shape.length, x.shape[1]!];
    const eps = ctx.attrs.eps as number;
    const w = ctx.attrs.affine ? ctx.param('weight') : new Float32Array(c).fill(1);
    const b = ctx.attrs.affine ? ctx.param('bias') : new Float32Array(c);
    const v = ctx.input(0, 'nhwc');
    if (ctx.attrs.track_running_stats) {
      const [mean, vr] = [ctx.param('running_mean'), ctx.param('running_var')];
      const scale = Float32Array.from(w, (wk, k) => wk / Math.sqrt(vr[k]! + eps));
      const shift = Float32Array.from(b, (bk, k) => bk - mean[k]! * scale[k]!);
      return ctx.output(0, ctx.node('AddV2', [ctx.node('Mul', [v, ctx.constant('scale', scale, [c])]), ctx.constant('shift', shift, [c])]), 'nhwc');
    }
    // Batch statistics (biased variance) over every axis but the channels, as PyTorch in eval mode without running stats.
    const axes = int32(ctx, 'axes', Array.from({ length: r - 1 }, (_, i) => i));
    const centred = ctx.node('Sub', [v, ctx.node('Mean', [v, axes], { keep_dims: true })]);
    const variance = ctx.node('Mean', [ctx.node('Square', [centred]), axes], { keep_dims: true });
    const normed = ctx.node('Mul', [centred, ctx.node('Rsqrt', [ctx.node('AddV2', [variance, scalar(ctx, 'eps', eps)])])]);
    ctx.output(0, ctx.node('AddV2', [ctx.node('Mul', [normed, ctx.constant('weight', w, [c])]), ctx.constant('bias', b, [c])]), 'nhwc');
  },
  examples: [
    { inputs: [[1, 64, 112, 112]], call: 'batchnorm2d', output: [1, 64, 112, 112], params: 256, macs: 0 },
    { inputs: [['N', 128]], call: 'batchnorm1d(128, eps=1e-3)', output: ['N', 128], params: 512 },
    { inputs: [[2, 16, 4, 8, 8]], call: 'batchnorm3d(affine=false)', output: [2, 16, 4, 8, 8], params: 32 },
  ],
};
