/** `separable_conv2d`: depthwise then pointwise 1×1 convolution (Keras `SeparableConv2D`). */
import { add } from '../../symbolic/dim.js';
import type { OpDef, ParamSpec } from '../types.js';
import { isFailure } from '../types.js';
import { derive, deriveOnnx } from '../shared/derive.js';
import { op as conv2d } from './conv2d.js';
import { lowerConv } from '../shared/tfjs-window.js';

export const op: OpDef = {
  name: 'separable_conv2d',
  aliases: ['sepconv2d'],
  category: 'conv',
  doc: 'Depthwise-separable 2-D convolution (Keras `SeparableConv2D`): a depthwise conv (groups = C_in, `depth_multiplier` filters per channel, no bias) followed by a pointwise 1×1 conv to `out_channels` with the bias. In PyTorch: `nn.Conv2d(C, C*m, k, groups=C, bias=False)` then `nn.Conv2d(C*m, out_channels, 1)`. Spatial sizes follow conv2d.',
  costDoc: 'MACs = depthwise part (N·H_out·W_out·C_in·m·∏kernel) + pointwise part (N·H_out·W_out·C_in·m·out_channels), with m = depth_multiplier; bias adds not counted. FLOPs = 2 × MACs. Params = depthwise C_in·m·∏kernel + pointwise C_in·m·out_channels + out_channels bias.',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'out_channels', type: 'int', min: 1, doc: 'Output channels of the pointwise conv.', aliases: ['filters', 'channels'] },
    { name: 'kernel_size', type: 'ints', min: 1, doc: 'Depthwise kernel size: an int or an (h, w) tuple.', aliases: ['k', 'kernel'] },
    { name: 'stride', type: 'ints', default: 1, min: 1, doc: 'Stride of the depthwise conv.', aliases: ['s', 'strides'] },
    { name: 'padding', type: 'padding', default: 0, min: 0, doc: "Padding of the depthwise conv: int, tuple, 'valid', 'same' (SAME_UPPER) or 'full'.", aliases: ['pad', 'p'] },
    { name: 'dilation', type: 'ints', default: 1, min: 1, doc: 'Dilation of the depthwise conv.', aliases: ['d', 'dilation_rate'] },
    { name: 'bias', type: 'bool', default: true, doc: 'Learn an additive bias per output channel (on the pointwise conv only, as Keras).', aliases: ['use_bias'] },
    { name: 'depth_multiplier', type: 'int', default: 1, min: 1, doc: 'Depthwise filters per input channel (Keras `depth_multiplier`).', aliases: ['multiplier'] },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length !== 4) return ctx.fail('E0400', `${ctx.label} expects a rank-4 input (N×C×H×W), got rank ${x.shape.length}`);
    const cin = ctx.concrete(x.shape[1]!, 'input channels');
    if (cin === undefined) return { failed: true };
    const mid = cin * (ctx.attrs.depth_multiplier as number);
    const dw = conv2d.infer(derive(ctx, { attrs: { out_channels: mid, groups: cin, bias: false } }));
    if (isFailure(dw)) return dw;
    const pointwise = { out_channels: ctx.attrs.out_channels!, kernel_size: 1, stride: 1, padding: 0, dilation: 1, groups: 1 };
    const pw = conv2d.infer(derive(ctx, { inputs: dw.outputs, attrs: pointwise }));
    if (isFailure(pw)) return pw;
    const rename = (ps: readonly ParamSpec[] | undefined, prefix: string) => (ps ?? []).map((p) => (p.name === 'weight' ? { ...p, name: `${prefix}_weight` } : p));
    return {
      outputs: pw.outputs,
      params: [...rename(dw.params, 'depthwise'), ...rename(pw.params, 'pointwise')],
      macs: add(dw.macs, pw.macs),
      rf: dw.rf,
    };
  },
  onnx(ctx) {
    // Depthwise Conv (group = C_in, no bias) into a temporary, then the pointwise 1×1 Conv with the bias.
    const x = ctx.inputTypes[0]!;
    const y = ctx.outputTypes[0]!;
    const cin = x.shape[1] as number;
    const mid = cin * (ctx.attrs.depth_multiplier as number);
    const t = ctx.temp('depthwise');
    const midType = { ...y, shape: [y.shape[0]!, mid, ...y.shape.slice(2)] };
    conv2d.onnx!(deriveOnnx(ctx, { attrs: { out_channels: mid, groups: cin, bias: false }, outputs: [t], outputTypes: [midType], params: { weight: 'depthwise_weight' } }));
    const pointwise = { kernel_size: 1, stride: 1, padding: 0, dilation: 1, groups: 1 };
    conv2d.onnx!(deriveOnnx(ctx, { attrs: pointwise, inputs: [t], inputTypes: [midType], params: { weight: 'pointwise_weight' } }));
  },
  tfjs(ctx) {
    // Depthwise (no bias) then the pointwise 1×1 conv with the bias, both channels-last.
    const x = ctx.inputTypes[0]!;
    const y = ctx.outputTypes[0]!;
    const cin = x.shape[1]!;
    const mid = cin * (ctx.attrs.depth_multiplier as number);
    const dw = lowerConv(ctx, 2, { cout: mid, groups: cin, weight: 'depthwise_weight', bias: false });
    const midShape = [y.shape[0]!, mid, ...y.shape.slice(2)];
    const pw = lowerConv(ctx, 2, { x: dw, shape: midShape, weight: 'pointwise_weight', groups: 1, k: [1, 1], s: [1, 1], d: [1, 1], padding: 0 });
    ctx.output(0, pw, 'nhwc');
  },
  examples: [
    { inputs: [[1, 32, 16, 16]], call: "separable_conv2d(64, 3, padding='same')", output: [1, 64, 16, 16], params: 2400, macs: 598016 },
    { inputs: [[1, 3, 31, 31]], call: 'separable_conv2d(8, 3, stride=2, depth_multiplier=2, bias=false)', output: [1, 8, 15, 15], params: 102, macs: 22950 },
  ],
};
