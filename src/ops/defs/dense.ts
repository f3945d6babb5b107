/** `dense`: PyTorch `nn.Linear` over the last axis. */
import { mul } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { prod } from '../shared/window.js';
import { transpose2d } from '../shared/onnx-helpers.js';
import { linear, reshape } from '../shared/tfjs.js';

export const op: OpDef = {
  name: 'dense',
  aliases: ['linear', 'fc'],
  category: 'dense',
  doc: 'Fully connected layer `y = x W^T + b` over the last axis (PyTorch `nn.Linear`, Keras `Dense`). Input `[..., in_features]`, output `[..., out_features]`; in_features is inferred from the input.',
  costDoc: 'MACs = in_features × out_features × (number of rows: product of the leading axes). FLOPs = 2 × MACs.',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'out_features', type: 'int', min: 1, doc: 'Number of output features.', aliases: ['units', 'out'] },
    { name: 'bias', type: 'bool', default: true, doc: 'Learn an additive bias.' },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length < 2) return ctx.fail('E0400', `${ctx.label} expects an input of rank ≥ 2 ([N, features]), got rank ${x.shape.length}`, { hint: 'flatten the input first: -> flatten -> dense(...)' });
    const inF = ctx.concrete(x.shape[x.shape.length - 1]!, 'input features');
    if (inF === undefined) return { failed: true };
    const out = ctx.attrs.out_features as number;
    const rows = prod(x.shape.slice(0, -1));
    const params = [{ name: 'weight', shape: [out, inF] }];
    if (ctx.attrs.bias) params.push({ name: 'bias', shape: [out] });
    return {
      outputs: [{ shape: [...x.shape.slice(0, -1), out], dtype: x.dtype }],
      params,
      macs: mul(rows, inF * out),
      rf: { kind: 'none' },
    };
  },
  onnx(ctx) {
    const x = ctx.inputTypes[0]!;
    const out = ctx.attrs.out_features as number;
    const inF = x.shape[x.shape.length - 1] as number;
    if (x.shape.length === 2) {
      // Gemm computes x·Wᵀ + b directly in PyTorch's [out, in] layout.
      ctx.emit('Gemm', [ctx.inputs[0]!, ctx.param('weight'), ...(ctx.attrs.bias ? [ctx.param('bias')] : [])], ctx.outputs, { transB: 1 });
      return;
    }
    // Above rank 2: MatMul with the transposed weight (made once, at export), then Add.
    const wt = ctx.derived('weight_t', [inF, out], (p) => transpose2d(p('weight'), out, inF), (t, put) => put('weight', transpose2d(t, inF, out)));
    if (!ctx.attrs.bias) return ctx.emit('MatMul', [ctx.inputs[0]!, wt], ctx.outputs);
    const mm = ctx.temp('matmul');
    ctx.emit('MatMul', [ctx.inputs[0]!, wt], [mm]);
    ctx.emit('Add', [mm, ctx.param('bias')], ctx.outputs);
  },
  // Weight [out, in]: output feature = first axis; features are the last axis of the output.
  absorbsAffine: { outputAxis: -1, weight: 'weight', bias: 'bias', biasAttr: 'bias', channelOf: (_a, shape) => (i) => Math.floor(i / shape[1]!) },
  tfjs(ctx) {
    // MatMul with Wᵀ (made once) + BiasAdd on [rows, in]; the fusion pass makes it one _FusedMatMul.
    const x = ctx.inputTypes[0]!.shape;
    const out = ctx.attrs.out_features as number;
    const inF = x[x.length - 1]!;
    const flat = x.length === 2 ? ctx.input(0, 'nchw') : reshape(ctx, ctx.input(0, 'nchw'), [-1, inF]);
    const y = linear(ctx, flat, ctx.param('weight'), out, inF, ctx.attrs.bias ? ctx.param('bias') : undefined, 'weight');
    ctx.output(0, x.length === 2 ? y : reshape(ctx, y, ctx.outputTypes[0]!.shape), 'nchw');
  },
  examples: [
    { inputs: [[1, 400]], call: 'dense(120)', output: [1, 120], params: 48120, macs: 48000 },
    { inputs: [['N', 10, 64]], call: 'dense(32, bias=false)', output: ['N', 10, 32], params: 2048 },
  ],
};
