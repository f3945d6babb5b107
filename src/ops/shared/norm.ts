/**
 * Pieces shared by the per-channel normalisations (batchnorm, instance_norm, group_norm): the running-statistics affine
 * map, and the ONNX and TF.js forms of "normalise by the mean and biased variance over some axes".
 */
import type { OnnxLowerContext } from '../onnx-types.js';
import type { TfjsLowerContext } from '../tfjs-types.js';
import type { AttrValue } from '../types.js';
import { onnxBinary, onnxReduceMean, onnxScalar } from './axes.js';
import { int32, scalar } from './tfjs.js';

/**
 * With running statistics a norm is `x · scale[c] + shift[c]` at inference: scale = gamma / sqrt(var + eps),
 * shift = beta − mean · scale, in float64 and rounded once (gamma 1 and beta 0 without `affine`).
 */
export function runningAffine(attrs: Readonly<Record<string, AttrValue>>, param: (name: string) => Float32Array, c: number): { scale: Float32Array; shift: Float32Array } {
  const eps = attrs.eps as number;
  const [mean, vr] = [param('running_mean'), param('running_var')];
  const w = attrs.affine ? param('weight') : new Float32Array(c).fill(1);
  const b = attrs.affine ? param('bias') : new Float32Array(c);
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const s = w[k]! / Math.sqrt(vr[k]! + eps);
    scale[k] = s;
    shift[k] = b[k]! - mean[k]! * s;
  }
  return { scale, shift };
}

/** ONNX BatchNormalization with the layer's running statistics (attributes eps, momentum, affine as batchnorm's). */
export function onnxRunningNorm(ctx: OnnxLowerContext): void {
  const c = ctx.inputTypes[0]!.shape[1] as number;
  const affine = ctx.attrs.affine as boolean;
  // Without affine: scale 1 and shift 0 as constants (BatchNormalization needs all five inputs).
  const scale = affine ? ctx.param('weight') : ctx.floats('ones', Array<number>(c).fill(1));
  const shift = affine ? ctx.param('bias') : ctx.floats('zeros', Array<number>(c).fill(0));
  // ONNX updates running = running · momentum + batch · (1 − momentum): PyTorch's momentum is 1 − that (unused at inference).
  ctx.emit('BatchNormalization', [ctx.inputs[0]!, scale, shift, ctx.param('running_mean'), ctx.param('running_var')], ctx.outputs, {
    epsilon: { f: ctx.attrs.eps as number },
    momentum: { f: 1 - (ctx.attrs.momentum as number) },
  });
}

/** `(x − mean) / sqrt(var + eps)` over `axes` (biased variance, as PyTorch), from ReduceMean, Sub, Mul, Sqrt and Div. */
export function onnxNormalize(ctx: OnnxLowerContext, x: string, axes: readonly number[], eps: number): string {
  const centred = onnxBinary(ctx, 'Sub', x, onnxReduceMean(ctx, x, axes));
  const variance = onnxReduceMean(ctx, onnxBinary(ctx, 'Mul', centred, centred), axes, ctx.temp('var'));
  const std = ctx.temp('std');
  ctx.emit('Sqrt', [onnxBinary(ctx, 'Add', variance, onnxScalar(ctx, 'eps', eps))], [std]);
  return onnxBinary(ctx, 'Div', centred, std);
}

/** `y · weight[c] + bias[c]` on axis 1 of a rank-`r` value (the parameters as `[C, 1, …]` initializers), into `out`. */
export function onnxChannelAffine(ctx: OnnxLowerContext, y: string, r: number, c: number, out: string): void {
  const perChannel = (name: string) => (r === 2 ? ctx.param(name) : ctx.derived(`${name}_c11`, [c, ...Array<number>(r - 2).fill(1)], (p) => p(name), (t, put) => put(name, t)));
  onnxBinary(ctx, 'Add', onnxBinary(ctx, 'Mul', y, perChannel('weight')), perChannel('bias'), out);
}

/** `(v − mean) · rsqrt(var + eps)` over the physical `axes` of a TF.js value (biased variance). */
export function tfjsNormalize(ctx: TfjsLowerContext, v: string, axes: readonly number[], eps: number): string {
  const ax = int32(ctx, 'axes', axes);
  const centred = ctx.node('Sub', [v, ctx.node('Mean', [v, ax], { keep_dims: true })]);
  const variance = ctx.node('Mean', [ctx.node('Square', [centred]), ax], { keep_dims: true });
  return ctx.node('Mul', [centred, ctx.node('Rsqrt', [ctx.node('AddV2', [variance, scalar(ctx, 'eps', eps)])])]);
}

/** TF.js of a norm with running statistics: one Mul and one AddV2 on the channels-last value (the fusion pass folds them). */
export function tfjsRunningNorm(ctx: TfjsLowerContext): void {
  const c = ctx.inputTypes[0]!.shape[1]!;
  const { scale, shift } = runningAffine(ctx.attrs, (n) => ctx.param(n), c);
  ctx.output(0, ctx.node('AddV2', [ctx.node('Mul', [ctx.input(0, 'nhwc'), ctx.constant('scale', scale, [c])]), ctx.constant('shift', shift, [c])]), 'nhwc');
}
