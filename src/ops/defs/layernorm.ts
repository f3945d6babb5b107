/** `layernorm`: PyTorch `nn.LayerNorm`. */
import { type Dim, compareDims, formatDim, mul } from '../../symbolic/dim.js';
import type { OpDef, ParamSpec } from '../types.js';
import { prod } from '../shared/window.js';
import { onnxScalar } from '../shared/axes.js';
import { int32, scalar } from '../shared/tfjs.js';

export const op: OpDef = {
  name: 'layernorm',
  aliases: ['layer_norm'],
  category: 'norm',
  doc:
    'Layer normalisation over the trailing axes given by `normalized_shape` (PyTorch `nn.LayerNorm`): each sample is normalised by the mean and ' +
    'variance of those axes, then scaled and shifted elementwise. Without `normalized_shape` the last axis is normalised (the transformer ' +
    'case, `[N, T, E]`). The trailing axes of the input must equal `normalized_shape`. RF: identity for rank ≤ 2; for rank ≥ 3 the normalised ' +
    'axes include a spatial axis (axes 2.. of NCHW), so every output sees that whole axis (`global`).',
  costDoc:
    'No MACs. FLOPs = 5 per element (mean: 1 add; variance: subtract, square, add; normalise: 1 multiply by the per-row 1/σ), ' +
    '+ 2 per element with `elementwise_affine` (scale and shift). Per-row square roots are not counted.',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'normalized_shape', type: 'ints', default: null, min: 1, doc: 'Sizes of the trailing axes to normalise over (int or tuple); default: the last axis of the input.', aliases: ['shape'] },
    { name: 'eps', type: 'float', default: 1e-5, min: 0, doc: 'Added to the variance for numerical stability.', aliases: ['epsilon'] },
    { name: 'elementwise_affine', type: 'bool', default: true, doc: 'Learn a per-element `weight` (and `bias`) of shape `normalized_shape`.', aliases: ['affine'] },
    { name: 'bias', type: 'bool', default: true, doc: 'With `elementwise_affine`, also learn the additive `bias` (PyTorch ≥ 2.1).' },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const r = x.shape.length;
    if (r < 1) return ctx.fail('E0400', `${ctx.label} expects an input of rank ≥ 1, got a scalar`);
    const ns = ctx.attrs.normalized_shape;
    let dims: Dim[];
    if (ns === null || ns === undefined) dims = [x.shape[r - 1]!];
    else {
      const want = (Array.isArray(ns) ? ns : [ns]) as number[];
      if (want.length > r) return ctx.fail('E0400', `${ctx.label}: normalized_shape has ${want.length} axes but the input has rank ${r}`, { attr: 'normalized_shape' });
      // Channels first ([N, C, H, W], [N, C, L]) normalised as if last: say where the size is.
      const last = x.shape[r - 1]!;
      if (want.length === 1 && r >= 3 && compareDims(last, want[0]!) === 'different' && compareDims(x.shape[1]!, want[0]!) === 'equal')
        return ctx.fail('E0402', `${ctx.label}: normalized_shape[0] vs input axis ${r - 1}: ${formatDim(last)} ≠ ${want[0]}`, {
          hint: `layernorm normalises the trailing axes and ${want[0]} is axis 1 here: move it last first (${r === 3 ? 'transpose(1, 2)' : `permute([0, ${Array.from({ length: r - 2 }, (_, i) => i + 2).join(', ')}, 1])`})`,
        });
      for (let i = 0; i < want.length; i++) {
        const ax = r - want.length + i;
        if (!ctx.unify(x.shape[ax]!, want[i]!, `normalized_shape[${i}] vs input axis ${ax}`)) return { failed: true };
      }
      dims = x.shape.slice(r - want.length);
    }
    const affine = ctx.attrs.elementwise_affine as boolean;
    const params: ParamSpec[] = [];
    if (affine) {
      const shape: number[] = [];
      for (const d of dims) {
        const c = ctx.concrete(d, 'normalized axis');
        if (c === undefined) return { failed: true };
        shape.push(c);
      }
      params.push({ name: 'weight', shape, init: 'ones' });
      if (ctx.attrs.bias) params.push({ name: 'bias', shape: [...shape] });
    }
    return { outputs: [x], params, macs: 0, flops: mul(prod(x.shape), affine ? 7 : 5), rf: r <= 2 ? { kind: 'identity' } : { kind: 'mix', axes: x.shape.slice(2).map((_, i) => i + 2 >= r - dims.length) } };
  },
  onnx(ctx) {
    if (ctx.opset < 17) return ctx.unsupported('LayerNormalization needs opset 17', 17);
    const x = ctx.inputTypes[0]!;
    const ns = ctx.attrs.normalized_shape;
    const k = ns === null || ns === undefined ? 1 : Array.isArray(ns) ? ns.length : 1;
    const dims = x.shape.slice(x.shape.length - k);
    let scale: string;
    if (ctx.attrs.elementwise_affine) scale = ctx.param('weight');
    else if (dims.every((d) => typeof d === 'number')) scale = ctx.floats('ones', Array<number>(prod(dims) as number).fill(1), dims as number[]);
    else {
      // Symbolic normalised sizes: ones of the input's trailing shape, made at run time.
      const trailing = ctx.temp('normalized_shape');
      ctx.emit('Shape', ctx.inputs, [trailing], { start: -k });
      scale = ctx.temp('ones');
      ctx.emit('Expand', [onnxScalar(ctx, 'one', 1), trailing], [scale]);
    }
    const bias = ctx.attrs.elementwise_affine && ctx.attrs.bias ? [ctx.param('bias')] : [];
    ctx.emit('LayerNormalization', [ctx.inputs[0]!, scale, ...bias], ctx.outputs, { axis: -k, epsilon: { f: ctx.attrs.eps as number } });
  },
  tfjs(ctx) {
    // Over the trailing axes in dslc's order: (x − mean) · rsqrt(var + eps), then the elementwise affine part.
    const x = ctx.inputTypes[0]!.shape;
    const ns = ctx.attrs.normalized_shape;
    const k = ns === null || ns === undefined ? 1 : Array.isArray(ns) ? ns.length : 1;
    const v = ctx.input(0, 'nchw');
    const axes = int32(ctx, 'axes', Array.from({ length: k }, (_, i) => x.length - k + i));
    const centred = ctx.node('Sub', [v, ctx.node('Mean', [v, axes], { keep_dims: true })]);
    const variance = ctx.node('Mean', [ctx.node('Square', [centred]), axes], { keep_dims: true });
    let y = ctx.node('Mul', [centred, ctx.node('Rsqrt', [ctx.node('AddV2', [variance, scalar(ctx, 'eps', ctx.attrs.eps as number)])])]);
    const dims = x.slice(x.length - k);
    if (ctx.attrs.elementwise_affine) {
      y = ctx.node('Mul', [y, ctx.constant('weight', ctx.param('weight'), dims)]);
      if (ctx.attrs.bias) y = ctx.node('AddV2', [y, ctx.constant('bias', ctx.param('bias'), dims)]);
    }
    ctx.output(0, y, 'nchw');
  },
  examples: [
    { inputs: [[2, 10, 512]], call: 'layernorm', output: [2, 10, 512], params: 1024, macs: 0 },
    { inputs: [['N', 'T', 768]], call: 'layernorm(768, eps=1e-12)', output: ['N', 'T', 768], params: 1536 },
    { inputs: [[1, 3, 4, 4]], call: 'layernorm((4, 4), elementwise_affine=false)', output: [1, 3, 4, 4], params: 0 },
  ],
};
