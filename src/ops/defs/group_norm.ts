/** `group_norm`: PyTorch `nn.GroupNorm`. */
import { mul } from '../../symbolic/dim.js';
import type { OpDef, ParamSpec } from '../types.js';
import { prod } from '../shared/window.js';
import { onnxReshape } from '../shared/axes.js';
import { onnxChannelAffine, tfjsNormalize } from '../shared/norm.js';
import { channelShape, reshape } from '../shared/tfjs.js';

/** Divisors of `c` for the E0407 hint (at most a handful). */
function divisors(c: number): string {
  const d: number[] = [];
  for (let k = 1; k <= c && d.length < 64; k++) if (c % k === 0) d.push(k);
  return (d.length > 8 ? [...d.slice(0, 5), '…', ...d.slice(-2)] : d).join(', ');
}

export const op: OpDef = {
  name: 'group_norm',
  aliases: ['groupnorm'],
  category: 'norm',
  doc:
    'Group normalisation (PyTorch `nn.GroupNorm`): the C channels of an `[N, C, *]` input (rank ≥ 2) are split into `num_groups` groups of ' +
    'consecutive channels, and each sample is normalised by the mean and (biased) variance of its group over the group\'s channels and every ' +
    'spatial position; then, with `affine`, scaled and shifted per channel. The same at training and inference (no running statistics). ' +
    '`num_groups=1` normalises all of C×H×W (as layernorm over those axes, but with per-channel affine); `num_groups=C` is instance norm. ' +
    'C must be a concrete size divisible by `num_groups`. RF: every output sees its whole spatial extent (`mix`, the grid stays).',
  costDoc:
    'No MACs. FLOPs = 5 per element (mean: 1 add; variance: subtract, square, add; normalise: 1 multiply by the per-group 1/σ), ' +
    '+ 2 per element with `affine` (scale and shift), as layernorm. Per-group square roots are not counted.',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'num_groups', type: 'int', min: 1, doc: 'Number of channel groups; must divide the channels C.', aliases: ['groups', 'g'] },
    { name: 'num_channels', type: 'int', default: null, min: 1, doc: 'Channels C; inferred from axis 1 of the input, checked when given.', aliases: ['channels'] },
    { name: 'eps', type: 'float', default: 1e-5, min: 0, doc: 'Added to the variance for numerical stability.', aliases: ['epsilon'] },
    { name: 'affine', type: 'bool', default: true, doc: 'Learn a per-channel scale `weight` and shift `bias` (`[C]` each).' },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const r = x.shape.length;
    if (r < 2) return ctx.fail('E0400', `${ctx.label} expects an input of rank ≥ 2 ([N, C, ...]), got rank ${r}`);
    const nc = ctx.attrs.num_channels;
    if (nc !== null && nc !== undefined && !ctx.unify(x.shape[1]!, nc as number, 'num_channels vs input channels (axis 1)')) return { failed: true };
    const c = ctx.concrete(x.shape[1]!, 'channels (axis 1)');
    if (c === undefined) return { failed: true };
    const g = ctx.attrs.num_groups as number;
    if (c % g !== 0) return ctx.fail('E0407', `${ctx.label}: num_groups=${g} does not divide the ${c} channels`, { attr: 'num_groups', hint: `num_groups must divide ${c}: ${divisors(c)}` });
    const affine = ctx.attrs.affine as boolean;
    const params: ParamSpec[] = affine ? [{ name: 'weight', shape: [c], init: 'ones' }, { name: 'bias', shape: [c] }] : [];
    return {
      outputs: [x],
      params,
      macs: 0,
      flops: mul(prod(x.shape), affine ? 7 : 5),
      rf: r <= 2 ? { kind: 'identity' } : { kind: 'mix', axes: x.shape.slice(2).map(() => true) },
    };
  },
  onnx(ctx) {
    // As torch.onnx: [N, G, C/G · spatial] through InstanceNormalization (scale 1, shift 0 per group), back to the input's
    // shape, then the per-channel affine part. GroupNormalization (opset 18) had per-group scale and was redefined in 21.
    const x = ctx.inputTypes[0]!;
    const [r, c, g] = [x.shape.length, x.shape[1] as number, ctx.attrs.num_groups as number];
    const grouped = onnxReshape(ctx, ctx.inputs[0]!, [0, g, -1]);
    const normed = ctx.temp('normed');
    ctx.emit('InstanceNormalization', [grouped, ctx.floats('ones', Array<number>(g).fill(1)), ctx.floats('zeros', Array<number>(g).fill(0))], [normed], { epsilon: { f: ctx.attrs.eps as number } });
    const affine = ctx.attrs.affine as boolean;
    const back = affine ? ctx.temp('ungrouped') : ctx.outputs[0]!;
    if (x.shape.every((d) => typeof d === 'number')) onnxReshape(ctx, normed, x.shape as number[], back);
    else {
      // Symbolic sizes: the input's own shape, read at run time.
      const shape = ctx.temp('shape');
      ctx.emit('Shape', [ctx.inputs[0]!], [shape]);
      ctx.emit('Reshape', [normed, shape], [back]);
    }
    if (affine) onnxChannelAffine(ctx, back, r, c, ctx.outputs[0]!);
  },
  tfjs(ctx) {
    // In dslc's order: [N, G, C/G · spatial], statistics over the last axis, back, then the per-channel affine part.
    const shape = ctx.inputTypes[0]!.shape;
    const [r, c, g] = [shape.length, shape[1]!, ctx.attrs.num_groups as number];
    const grouped = reshape(ctx, ctx.input(0, 'nchw'), [shape[0]!, g, (prod(shape.slice(1)) as number) / g]);
    let y = reshape(ctx, tfjsNormalize(ctx, grouped, [2], ctx.attrs.eps as number), shape);
    if (ctx.attrs.affine) {
      const cs = channelShape(c, r, 'nchw');
      y = ctx.node('AddV2', [ctx.node('Mul', [y, ctx.constant('weight', ctx.param('weight'), cs)]), ctx.constant('bias', ctx.param('bias'), cs)]);
    }
    ctx.output(0, y, 'nchw');
  },
  examples: [
    { inputs: [[1, 64, 56, 56]], call: 'group_norm(32)', output: [1, 64, 56, 56], params: 128, macs: 0 },
    { inputs: [['N', 256, 'H', 'W']], call: 'group_norm(32, 256, eps=1e-6)', output: ['N', 256, 'H', 'W'], params: 512 },
    { inputs: [[2, 12, 10]], call: 'group_norm(3, affine=false)', output: [2, 12, 10], params: 0 },
  ],
};
