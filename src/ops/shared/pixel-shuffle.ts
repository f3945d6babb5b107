/** Shared definition of `pixel_shuffle` / `pixel_unshuffle` (PyTorch `nn.PixelShuffle` / `nn.PixelUnshuffle`, ONNX DepthToSpace CRD). */
import { type Dim, exactDiv, formatDim, mul } from '../../symbolic/dim.js';
import type { OpDef, OpExample } from '../types.js';
import { reshape, transpose } from './tfjs.js';

const EXAMPLES: Record<'shuffle' | 'unshuffle', OpExample[]> = {
  shuffle: [
    { inputs: [[1, 256, 32, 32]], call: 'pixel_shuffle(2)', output: [1, 64, 64, 64], params: 0, macs: 0 },
    { inputs: [['N', 27, 'H', 'W']], call: 'pixel_shuffle(3)', output: ['N', 3, '3*H', '3*W'], params: 0, macs: 0 },
  ],
  unshuffle: [
    { inputs: [[1, 3, 64, 64]], call: 'pixel_unshuffle(2)', output: [1, 12, 32, 32], params: 0, macs: 0 },
    { inputs: [[1, 16, 24, 18]], call: 'pixel_unshuffle(3)', output: [1, 144, 8, 6], params: 0, macs: 0 },
  ],
};

/** Builds `pixel_shuffle` (depth to space) or, `inverse`, `pixel_unshuffle` (space to depth). */
export function makePixelShuffle(inverse: boolean): OpDef {
  const [name, factor] = inverse ? ['pixel_unshuffle', 'downscale_factor'] : ['pixel_shuffle', 'upscale_factor'];
  return {
    name,
    aliases: [name.replace('_', '')],
    category: 'resize',
    doc: inverse
      ? 'Rearranges each r×r block of the spatial axes into channels: `[N, C, H·r, W·r]` → `[N, C·r², H, W]` (PyTorch `nn.PixelUnshuffle`; ' +
        'output channel `c·r² + i·r + j` holds pixel (i, j) of each block of channel c). H and W must be divisible by r (a symbolic one by a model constraint such as `where H % 2 == 0`). RF: an r×r window with stride r.'
      : 'Rearranges channels into r×r spatial blocks: `[N, C·r², H, W]` → `[N, C, H·r, W·r]` (PyTorch `nn.PixelShuffle`, ONNX `DepthToSpace` ' +
        'mode CRD; sub-pixel convolution for super-resolution). The channels must be divisible by r². RF: upsampling by r (the jump divides by r).',
    costDoc: 'No MACs, no FLOPs (a copy). No parameters.',
    inputs: [{ name: 'x' }],
    attrs: [{ name: factor, type: 'int', min: 1, doc: `The factor r by which the spatial axes ${inverse ? 'shrink' : 'grow'}.`, aliases: ['r', 'factor'] }],
    infer(ctx) {
      const x = ctx.inputs[0]!;
      if (x.shape.length !== 4) return ctx.fail('E0400', `${ctx.label} expects a rank-4 input (N×C×H×W), got rank ${x.shape.length}`);
      const r = ctx.attrs[factor] as number;
      const [n, c, h, w] = x.shape as [Dim, Dim, Dim, Dim];
      if (!inverse) {
        const oc = exactDiv(c, r * r, ctx.facts);
        if (oc === undefined) return ctx.fail('E0402', `${ctx.label}: the ${formatDim(c)} channels are not divisible by ${factor}² = ${r * r}`, { hint: `the layer before should give C·${r * r} channels` });
        return { outputs: [{ shape: [n, oc, mul(h, r), mul(w, r)], dtype: x.dtype }], macs: 0, flops: 0, rf: { kind: 'scale', factors: [r, r] } };
      }
      const [oh, ow] = [exactDiv(h, r, ctx.facts), exactDiv(w, r, ctx.facts)];
      if (oh === undefined || ow === undefined) {
        const bad = oh === undefined ? h : w;
        const hint = typeof bad === 'number' ? 'pad or crop the input to a multiple of the factor' : `state it on the model: \`where ${formatDim(bad)} % ${r} == 0\``;
        return ctx.fail('E0402', `${ctx.label}: spatial size ${formatDim(bad)} is not divisible by ${factor} = ${r}`, { hint });
      }
      return {
        outputs: [{ shape: [n, mul(c, r * r), oh, ow], dtype: x.dtype }],
        macs: 0,
        flops: 0,
        rf: { kind: 'window', axes: [0, 1].map(() => ({ kernel: r, stride: r, dilation: 1, padBegin: 0 })) },
      };
    },
    onnx(ctx) {
      const r = ctx.attrs[factor] as number;
      if (!inverse) return ctx.emit('DepthToSpace', ctx.inputs, ctx.outputs, { blocksize: r, mode: 'CRD' });
      // SpaceToDepth puts pixel (i, j) of channel c at (i·r + j)·C + c; PyTorch at c·r² + i·r + j: a channel Gather reorders.
      const c = ctx.inputTypes[0]!.shape[1]!;
      if (typeof c !== 'number') return ctx.unsupported(`the channel order needs a concrete channel count, not ${formatDim(c)}`);
      const s2d = ctx.temp('space_to_depth');
      ctx.emit('SpaceToDepth', ctx.inputs, [s2d], { blocksize: r });
      const order = Array.from({ length: c * r * r }, (_, k) => (k % (r * r)) * c + Math.floor(k / (r * r)));
      ctx.emit('Gather', [s2d, ctx.int64s('channel_order', order)], ctx.outputs, { axis: 1 });
    },
    tfjs(ctx) {
      // In dslc's order with concrete sizes: split channels and pixels into [N, C, r, r, H, W] (or back), transpose, merge.
      const r = ctx.attrs[factor] as number;
      const [n, c, h, w] = ctx.inputTypes[0]!.shape as [number, number, number, number];
      const x = ctx.input(0, 'nchw');
      const y = inverse
        ? reshape(ctx, transpose(ctx, reshape(ctx, x, [n, c, h / r, r, w / r, r]), [0, 1, 3, 5, 2, 4]), [n, c * r * r, h / r, w / r])
        : reshape(ctx, transpose(ctx, reshape(ctx, x, [n, c / (r * r), r, r, h, w]), [0, 1, 4, 2, 5, 3]), [n, c / (r * r), h * r, w * r]);
      ctx.output(0, y, 'nchw');
    },
    examples: EXAMPLES[inverse ? 'unshuffle' : 'shuffle'],
  };
}
