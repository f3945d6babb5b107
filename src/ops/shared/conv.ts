/** Shared definition of conv1d/2d/3d (PyTorch `nn.ConvNd` attributes and defaults). */
import { mul } from '../../symbolic/dim.js';
import { groupsHint } from './groups.js';
import type { OpDef } from '../types.js';
import { expand, prod, resolvePadding, windowAxes, windowOutputs } from './window.js';
import { ints, padAttrs } from './onnx-helpers.js';
import { lowerConv } from './tfjs-window.js';

const RANK_SHAPE: Record<number, string> = { 1: 'N×C×L', 2: 'N×C×H×W', 3: 'N×C×D×H×W' };

/** Builds the convolution op of a given spatial rank. */
export function makeConv(rank: 1 | 2 | 3): OpDef {
  const name = `conv${rank}d`;
  return {
    name,
    aliases: rank === 2 ? ['conv'] : [],
    category: 'conv',
    doc: `${rank}-D convolution over an ${RANK_SHAPE[rank]} input (PyTorch \`nn.Conv${rank}d\`). Input channels are inferred from the input. Output size per axis: \`floor((in + pad_begin + pad_end - dilation*(kernel-1) - 1)/stride) + 1\`; \`same\` is TF/ONNX SAME_UPPER (\`ceil(in/stride)\`, extra pad at the end), \`full\` pads \`dilation*(kernel-1)\` on both sides.`,
    costDoc: 'MACs = output elements × (C_in/groups) × ∏kernel (bias adds not counted). FLOPs = 2 × MACs.',
    inputs: [{ name: 'x' }],
    attrs: [
      { name: 'out_channels', type: 'int', min: 1, doc: 'Number of output channels (filters).', aliases: ['filters', 'channels'] },
      { name: 'kernel_size', type: 'ints', min: 1, doc: 'Kernel size: an int or a tuple per spatial axis.', aliases: ['k', 'kernel'] },
      { name: 'stride', type: 'ints', default: 1, min: 1, doc: 'Stride per spatial axis.', aliases: ['s'] },
      { name: 'padding', type: 'padding', default: 0, min: 0, doc: "Padding per side: int, tuple, 'valid', 'same' (SAME_UPPER) or 'full'.", aliases: ['pad', 'p'] },
      { name: 'dilation', type: 'ints', default: 1, min: 1, doc: 'Spacing between kernel taps.', aliases: ['d'] },
      { name: 'groups', type: 'int', default: 1, min: 1, doc: 'Blocked connections: C_in and C_out must both be divisible by it; groups = C_in is depthwise.', aliases: ['g'] },
      { name: 'bias', type: 'bool', default: true, doc: 'Learn an additive bias per output channel.' },
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
      const d = expand(ctx, 'dilation', ctx.attrs.dilation!, rank);
      if (!k || !s || !d) return { failed: true };
      const spatial = x.shape.slice(2);
      const pad = resolvePadding(ctx.attrs.padding!, spatial, k, s, d, ctx);
      if (!pad) return { failed: true };
      if (pad.mode === 'same' && pad.begin.some((b, i) => b !== pad.end[i]))
        ctx.warn('W0102', `${ctx.label}: 'same' padding here is asymmetric (begin ${pad.begin.join(',')}, end ${pad.end.join(',')}); some ONNX importers reject asymmetric pads`, { attr: 'padding', hint: 'use an odd kernel with stride 1, or explicit padding' });
      const w = { kernel: k, stride: s, dilation: d, pad, ceilMode: false };
      const outSpatial = windowOutputs(ctx, spatial, w, 'conv');
      if (!outSpatial) return { failed: true };
      const outShape = [x.shape[0]!, cout, ...outSpatial];
      const kprod = k.reduce((a, b) => a * b, 1);
      const params = [{ name: 'weight', shape: [cout, cin / groups, ...k] }];
      if (ctx.attrs.bias) params.push({ name: 'bias', shape: [cout] });
      return {
        outputs: [{ shape: outShape, dtype: x.dtype }],
        params,
        macs: mul(prod(outShape), (cin / groups) * kprod),
        rf: { kind: 'window', axes: windowAxes(w) },
      };
    },
    onnx(ctx) {
      const a = ctx.attrs;
      const k = ints(a.kernel_size!, rank);
      const s = ints(a.stride!, rank);
      const d = ints(a.dilation!, rank);
      const inputs = [ctx.inputs[0]!, ctx.param('weight'), ...(a.bias ? [ctx.param('bias')] : [])];
      ctx.emit('Conv', inputs, ctx.outputs, { kernel_shape: k, strides: s, dilations: d, group: a.groups as number, ...padAttrs(a.padding!, ctx.inputTypes[0]!.shape.slice(2), k, s, d) });
    },
    tfjs: (ctx) => ctx.output(0, lowerConv(ctx, rank), 'nhwc'),
    // Weight [C_out, C_in/groups, ...kernel]: output channel = first axis.
    absorbsAffine: { outputAxis: 1, weight: 'weight', bias: 'bias', biasAttr: 'bias', channelOf: (_a, shape) => { const inner = shape.slice(1).reduce((x, y) => x * y, 1); return (i) => Math.floor(i / inner); } },
    examples:
      rank === 2
        ? [
            { inputs: [[1, 3, 224, 224]], call: 'conv2d(64, 7, stride=2, padding=3, bias=false)', output: [1, 64, 112, 112], params: 9408, macs: 118013952 },
            { inputs: [[1, 3, 32, 32]], call: 'conv2d(16, 5)', output: [1, 16, 28, 28], params: 1216, macs: 940800 },
            { inputs: [[1, 32, 10, 10]], call: "conv2d(32, 3, padding='same', groups=32)", output: [1, 32, 10, 10], params: 320, macs: 28800 },
            { inputs: [['N', 3, 'H', 'W']], call: 'conv2d(8, 3, stride=2, padding=1)', output: ['N', 8, 'floor((H + 1)/2)', 'floor((W + 1)/2)'] },
          ]
        : rank === 1
          ? [{ inputs: [[2, 4, 100]], call: 'conv1d(8, 5, dilation=2)', output: [2, 8, 92], params: 168, macs: 2 * 8 * 92 * 4 * 5 }]
          : [{ inputs: [[1, 3, 16, 32, 32]], call: 'conv3d(8, 3, padding=1)', output: [1, 8, 16, 32, 32], params: 656, macs: 8 * 16 * 32 * 32 * 3 * 27 }],
  };
}
