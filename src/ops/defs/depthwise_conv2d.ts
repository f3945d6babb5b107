/** `depthwise_conv2d`: conv2d with groups = C_in (Keras `DepthwiseConv2D`; PyTorch `nn.Conv2d(C, C*m, k, groups=C)`). */
import type { OpDef } from '../types.js';
import { derive, deriveOnnx } from '../shared/derive.js';
import { op as conv2d } from './conv2d.js';
import { lowerConv } from '../shared/tfjs-window.js';

export const op: OpDef = {
  name: 'depthwise_conv2d',
  aliases: ['dwconv2d', 'depthwise_conv'],
  category: 'conv',
  doc: 'Depthwise 2-D convolution over an N×C×H×W input: each input channel gets its own `depth_multiplier` filters (Keras `DepthwiseConv2D`; the same as PyTorch `nn.Conv2d(C, C*depth_multiplier, kernel_size, groups=C)`). Output channels = C_in × depth_multiplier; spatial sizes follow conv2d (padding may be an int, a tuple, `valid`, `same` or `full`).',
  costDoc: 'MACs = output elements × ∏kernel (conv2d with groups = C_in, so one input channel per filter); bias adds not counted. FLOPs = 2 × MACs.',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'kernel_size', type: 'ints', min: 1, doc: 'Kernel size: an int or an (h, w) tuple.', aliases: ['k', 'kernel'] },
    { name: 'stride', type: 'ints', default: 1, min: 1, doc: 'Stride per spatial axis.', aliases: ['s', 'strides'] },
    { name: 'padding', type: 'padding', default: 0, min: 0, doc: "Padding per side: int, tuple, 'valid', 'same' (SAME_UPPER) or 'full'.", aliases: ['pad', 'p'] },
    { name: 'dilation', type: 'ints', default: 1, min: 1, doc: 'Spacing between kernel taps.', aliases: ['d', 'dilation_rate'] },
    { name: 'depth_multiplier', type: 'int', default: 1, min: 1, doc: 'Filters per input channel: output channels = C_in × depth_multiplier.', aliases: ['multiplier'] },
    { name: 'bias', type: 'bool', default: true, doc: 'Learn an additive bias per output channel.', aliases: ['use_bias'] },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length !== 4) return ctx.fail('E0400', `${ctx.label} expects a rank-4 input (N×C×H×W), got rank ${x.shape.length}`);
    const cin = ctx.concrete(x.shape[1]!, 'input channels');
    if (cin === undefined) return { failed: true };
    return conv2d.infer(derive(ctx, { attrs: { out_channels: cin * (ctx.attrs.depth_multiplier as number), groups: cin } }));
  },
  // Weight [C_in·m, 1, kh, kw], bias [C_in·m]: as conv2d's.
  absorbsAffine: conv2d.absorbsAffine!,
  onnx(ctx) {
    // One Conv with group = C_in; the weight [C_in·m, 1, kh, kw] is already ONNX's layout.
    const cin = ctx.inputTypes[0]!.shape[1] as number;
    conv2d.onnx!(deriveOnnx(ctx, { attrs: { out_channels: cin * (ctx.attrs.depth_multiplier as number), groups: cin } }));
  },
  tfjs(ctx) {
    // DepthwiseConv2dNative (groups = C_in), filter [kh, kw, C_in, multiplier].
    const cin = ctx.inputTypes[0]!.shape[1]!;
    ctx.output(0, lowerConv(ctx, 2, { cout: cin * (ctx.attrs.depth_multiplier as number), groups: cin }), 'nhwc');
  },
  examples: [
    { inputs: [[1, 32, 112, 112]], call: 'depthwise_conv2d(3, padding=1, bias=false)', output: [1, 32, 112, 112], params: 288, macs: 3612672 },
    { inputs: [[1, 8, 16, 16]], call: 'depthwise_conv2d(3, stride=2, padding=1, depth_multiplier=2)', output: [1, 16, 8, 8], params: 160, macs: 9216 },
  ],
};
