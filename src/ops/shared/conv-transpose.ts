/** Shared definition of conv_transpose1d/2d/3d (PyTorch `nn.ConvTransposeNd` attributes and defaults). */
import { type Dim, add, formatDim, isSymbolic, mul, sub } from '../../symbolic/dim.js';
import { groupsHint } from './groups.js';
import type { OpDef, OpExample, WindowAxis } from '../types.js';
import { AXIS_NAMES, effKernel, expand, prod } from './window.js';
import { ints } from './onnx-helpers.js';
import { convTranspose } from './tfjs-window.js';

const RANK_SHAPE: Record<number, string> = { 1: 'N×C×L', 2: 'N×C×H×W', 3: 'N×C×D×H×W' };

const EXAMPLES: Record<1 | 2 | 3, OpExample[]> = {
  1: [{ inputs: [[1, 1, 2]], call: 'conv_transpose1d(1, 4, stride=3)', output: [1, 1, 7], params: 5, macs: 8 }],
  2: [
    { inputs: [[1, 16, 7, 7]], call: 'conv_transpose2d(8, 4, stride=2, padding=1)', output: [1, 8, 14, 14], params: 2056, macs: 100352 },
    { inputs: [['N', 64, 'H', 'W']], call: 'conv_transpose2d(32, 3, stride=2, padding=1, output_padding=1, bias=false)', output: ['N', 32, '2*H', '2*W'], params: 18432 },
  ],
  3: [{ inputs: [[1, 4, 4, 4, 4]], call: 'conv_transpose3d(2, 2, stride=2)', output: [1, 2, 8, 8, 8], params: 66, macs: 4096 }],
};

/** Builds the transposed convolution of a given spatial rank. */
export function makeConvTranspose(rank: 1 | 2 | 3): OpDef {
  const name = `conv_transpose${rank}d`;
  return {
    name,
    aliases: [`conv${rank}d_transpose`, `deconv${rank}d`],
    category: 'conv',
    doc: `${rank}-D transposed convolution ("deconvolution", the gradient of conv${rank}d) over an ${RANK_SHAPE[rank]} input (PyTorch \`nn.ConvTranspose${rank}d\`). Output size per axis: \`(in - 1)*stride - 2*padding + dilation*(kernel - 1) + output_padding + 1\` (input 2, kernel 4, stride 3 → 7). \`output_padding\` adds rows at the end to pick one of the \`stride\` input sizes a strided conv maps to the same output; as in PyTorch it must be smaller than the stride or the dilation (ONNX export: an \`output_padding\` not below the stride, which ONNX Runtime refuses, is written as a smaller end pad, and where \`padding\` is smaller than it, a zero \`Pad\` with the bias added after it). Weight shape \`[C_in, C_out/groups, *kernel]\`.`,
    costDoc: 'MACs = input elements × (C_out/groups) × ∏kernel: every input pixel scatters one kernel per output channel of its group (the PyTorch/ptflops convention; the same number as the conv it is the gradient of). Bias adds not counted. FLOPs = 2 × MACs.',
    inputs: [{ name: 'x' }],
    attrs: [
      { name: 'out_channels', type: 'int', min: 1, doc: 'Number of output channels.', aliases: ['filters', 'channels'] },
      { name: 'kernel_size', type: 'ints', min: 1, doc: 'Kernel size: an int or a tuple per spatial axis.', aliases: ['k', 'kernel'] },
      { name: 'stride', type: 'ints', default: 1, min: 1, doc: 'Upsampling stride per spatial axis.', aliases: ['s', 'strides'] },
      { name: 'padding', type: 'ints', default: 0, min: 0, doc: 'Rows cropped from both ends of each axis of the full output (PyTorch: the conv this is the gradient of pads by `padding`). An int or a tuple; no string modes.', aliases: ['pad', 'p'] },
      { name: 'output_padding', type: 'ints', default: 0, min: 0, doc: 'Extra rows added at the end of each axis; must be smaller than the stride or the dilation.', aliases: ['out_pad'] },
      { name: 'groups', type: 'int', default: 1, min: 1, doc: 'Blocked connections: C_in and C_out must both be divisible by it.', aliases: ['g'] },
      { name: 'bias', type: 'bool', default: true, doc: 'Learn an additive bias per output channel.', aliases: ['use_bias'] },
      { name: 'dilation', type: 'ints', default: 1, min: 1, doc: 'Spacing between kernel taps.', aliases: ['d', 'dilation_rate'] },
    ],
    infer(ctx) {
      const x = ctx.inputs[0]!;
      if (x.shape.length !== rank + 2) return ctx.fail('E0400', `${ctx.label} expects a rank-${rank + 2} input (${RANK_SHAPE[rank]}), got rank ${x.shape.length}`);
      const cout = ctx.attrs.out_channels as number;
      const groups = ctx.attrs.groups as number;
      const cin = ctx.concrete(x.shape[1]!, 'input channels');
      if (cin === undefined) return { failed: true };
      if (cin % groups !== 0 || cout % groups !== 0)
        return ctx.fail('E0407', `${ctx.label}: groups=${groups} must divide input channels ${cin} and output channels ${cout}`, { attr: 'groups', hint: groupsHint(cin, cout) });
      const k = expand(ctx, 'kernel_size', ctx.attrs.kernel_size!, rank);
      const s = expand(ctx, 'stride', ctx.attrs.stride!, rank);
      const p = expand(ctx, 'padding', ctx.attrs.padding!, rank);
      const op = expand(ctx, 'output_padding', ctx.attrs.output_padding!, rank);
      const d = expand(ctx, 'dilation', ctx.attrs.dilation!, rank);
      if (!k || !s || !p || !op || !d) return { failed: true };
      const names = AXIS_NAMES[rank]!;
      const spatial = x.shape.slice(2);
      const out: Dim[] = [];
      for (let i = 0; i < rank; i++) {
        if (op[i]! >= s[i]! && op[i]! >= d[i]!)
          return ctx.fail('E0301', `${ctx.label}: output_padding ${op[i]} on ${names[i]} must be smaller than the stride (${s[i]}) or the dilation (${d[i]})`, {
            attr: 'output_padding',
            hint: 'output_padding only chooses among the stride-many input sizes a strided conv maps to one size (PyTorch rule)',
          });
        const W = spatial[i]!;
        const o = add(mul(sub(W, 1), s[i]!), d[i]! * (k[i]! - 1) - 2 * p[i]! + op[i]! + 1);
        if (!isSymbolic(o) && o <= 0) {
          const shown = `${names[i]}_out = (${formatDim(W)} - 1)*${s[i]} - 2*${p[i]} + ${effKernel(k[i]!, d[i]!) - 1} + ${op[i]} + 1 = ${o}`;
          return ctx.fail('E0401', `${ctx.label}: ${shown}: padding ${p[i]} crops away the whole output`, {
            attr: 'padding',
            hint: 'use less padding, a larger kernel or a larger input',
            notes: [{ message: 'formula: out = (in - 1)*stride - 2*padding + dilation*(kernel - 1) + output_padding + 1' }],
          });
        }
        out.push(o);
      }
      const outShape = [x.shape[0]!, cout, ...out];
      const kprod = k.reduce((a, b) => a * b, 1);
      const params = [{ name: 'weight', shape: [cin, cout / groups, ...k] }];
      if (ctx.attrs.bias) params.push({ name: 'bias', shape: [cout] });
      const axes: WindowAxis[] = k.map((ki, i) => ({ kernel: ki, stride: s[i]!, dilation: d[i]!, padBegin: p[i]! }));
      return {
        outputs: [{ shape: outShape, dtype: x.dtype }],
        params,
        macs: mul(prod(x.shape), (cout / groups) * kprod),
        rf: { kind: 'transpose', axes },
      };
    },
    // Weight [C_in, C_out/groups, ...kernel]: element [i, j, ...] feeds output channel group(i)·C_out/groups + j.
    absorbsAffine: {
      outputAxis: 1, weight: 'weight', bias: 'bias', biasAttr: 'bias',
      channelOf(attrs, shape) {
        const inner = shape.slice(2).reduce((x, y) => x * y, 1);
        const [perGroupOut, perGroupIn] = [shape[1]!, shape[0]! / (attrs.groups as number)];
        return (i) => Math.floor(Math.floor(i / (perGroupOut * inner)) / perGroupIn) * perGroupOut + (Math.floor(i / inner) % perGroupOut);
      },
    },
    onnx(ctx) {
      // ONNX ConvTranspose has PyTorch's rule (out = (in-1)*s - pad_begin - pad_end + d*(k-1) + output_padding + 1)
      // and weight layout [C_in, C_out/groups, *k]; every attribute is written out (no auto_pad, no output_shape).
      const a = ctx.attrs;
      const [p, s, op] = [ints(a.padding!, rank), ints(a.stride!, rank), ints(a.output_padding!, rank)];
      // ONNX Runtime refuses output_padding ≥ stride, which PyTorch allows when it is below the dilation. On such an
      // axis output_padding only moves the end of the output: row i is row i + padding of the full (uncropped)
      // transposed conv either way. So it becomes a smaller end pad (padding - output_padding) and, where that would be
      // negative, rows past the full output, which no input reaches: zeros from a Pad, then the bias (PyTorch gives
      // them just the bias).
      const moved = op.map((o, i) => o >= s[i]!);
      const padEnd = p.map((pi, i) => (moved[i] ? Math.max(pi - op[i]!, 0) : pi));
      const zeros = op.map((o, i) => (moved[i] ? Math.max(o - p[i]!, 0) : 0));
      const attrs = {
        kernel_shape: ints(a.kernel_size!, rank),
        strides: s,
        dilations: ints(a.dilation!, rank),
        pads: [...p, ...padEnd],
        output_padding: op.map((o, i) => (moved[i] ? 0 : o)),
        group: a.groups as number,
      };
      if (zeros.every((z) => z === 0)) return ctx.emit('ConvTranspose', [ctx.inputs[0]!, ctx.param('weight'), ...(a.bias ? [ctx.param('bias')] : [])], ctx.outputs, attrs);
      const conv = ctx.temp('conv');
      ctx.emit('ConvTranspose', [ctx.inputs[0]!, ctx.param('weight')], [conv], attrs);
      const padded = a.bias ? ctx.temp('output_padding') : ctx.outputs[0]!;
      ctx.emit('Pad', [conv, ctx.int64s('pads', [0, 0, ...p.map(() => 0), 0, 0, ...zeros])], [padded]);
      if (!a.bias) return;
      const cout = a.out_channels as number;
      const perChannel = ctx.derived('bias_c11', [cout, ...p.map(() => 1)], (w) => w('bias'), (t, put) => put('bias', t));
      ctx.emit('Add', [padded, perChannel], ctx.outputs);
    },
    tfjs(ctx) {
      const bias = ctx.attrs.bias ? ctx.param('bias') : undefined;
      ctx.output(0, convTranspose(ctx, ctx.input(0, 'nhwc'), ctx.inputTypes[0]!.shape, ctx.attrs, ctx.param('weight'), bias), 'nhwc');
    },
    examples: EXAMPLES[rank],
  };
}
