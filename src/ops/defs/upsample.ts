/** `upsample`: PyTorch `nn.Upsample` (`F.interpolate`) by a scale factor or to a size. */
import { type Dim, floorDiv, formatDim, isSymbolic, mul } from '../../symbolic/dim.js';
import type { OnnxAttr } from '../onnx-types.js';
import type { OpDef, RfTransfer } from '../types.js';
import { AXIS_NAMES, expand, prod } from '../shared/window.js';
import { resize } from '../shared/tfjs-resize.js';

/** Interpolation taps per output element (FLOPs estimate) and the input rank each mode needs. */
const MODES: Record<string, { taps: number; rank?: number }> = {
  nearest: { taps: 0 },
  'nearest-exact': { taps: 0 },
  linear: { taps: 2, rank: 3 },
  bilinear: { taps: 4, rank: 4 },
  bicubic: { taps: 16, rank: 4 },
  trilinear: { taps: 8, rank: 5 },
};

/** `f` as a reduced fraction n/d with d a power of ten ≤ 1e9, for exact symbolic floors; undefined if none. */
function fraction(f: number): [number, number] | undefined {
  for (let d = 1; d <= 1e9; d *= 10) {
    const n = Math.round(f * d);
    if (Math.abs(f * d - n) < 1e-9 * Math.max(1, f * d)) {
      let [a, b] = [n, d];
      while (b) [a, b] = [b, a % b];
      return [n / a, d / a];
    }
  }
  return undefined;
}

/**
 * ONNX Resize attributes reproducing PyTorch's interpolation: nearest is `floor(dst × in/out)` (asymmetric,
 * floor); nearest-exact `floor((dst + 0.5) × in/out)` (half_pixel, round_prefer_ceil); the linear modes and
 * bicubic use half-pixel centres (PyTorch's formula, without pytorch_half_pixel's special case for an output of
 * size 1) or align_corners; bicubic with PyTorch's A = -0.75.
 */
function resizeAttrs(mode: string, alignCorners: boolean): Record<string, OnnxAttr> {
  if (mode === 'nearest') return { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
  if (mode === 'nearest-exact') return { mode: 'nearest', coordinate_transformation_mode: 'half_pixel', nearest_mode: 'round_prefer_ceil' };
  const ctm = alignCorners ? 'align_corners' : 'half_pixel';
  if (mode === 'bicubic') return { mode: 'cubic', coordinate_transformation_mode: ctm, cubic_coeff_a: { f: -0.75 }, exclude_outside: 0 };
  return { mode: 'linear', coordinate_transformation_mode: ctm };
}

export const op: OpDef = {
  name: 'upsample',
  aliases: ['resize'],
  category: 'resize',
  doc: 'Upsamples (or resizes) the spatial axes of an N×C×L, N×C×H×W or N×C×D×H×W input (PyTorch `nn.Upsample` / `F.interpolate`). Give exactly one of `size` (output spatial size) and `scale_factor` (output = `floor(in × scale)`, PyTorch). Positional order is PyTorch\'s: `upsample(2)` means size=2, so write `upsample(scale_factor=2)` for doubling. `linear` needs a 3-D input, `bilinear`/`bicubic` 4-D, `trilinear` 5-D; `align_corners` may only be set for those interpolating modes (PyTorch rules). Receptive field: a scale by the per-axis factor (the jump divides by it; the factor is out/in when `size` is given with concrete input sizes, and may be fractional); `size` with a symbolic input is treated as global (a conservative over-estimate).',
  costDoc: 'No MACs (0): interpolation weights are not learned and reference counters (ptflops, fvcore, torchvision totals) leave resizing out of MACs. FLOPs = output elements × taps (one weighted accumulate per tap, an estimate): nearest 0, linear 2, bilinear 4, trilinear 8, bicubic 16. No parameters.',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'size', type: 'ints', default: null, min: 1, doc: 'Output spatial size: an int or a tuple per spatial axis. Exclusive with scale_factor.', aliases: ['output_size'] },
    { name: 'scale_factor', type: 'float', default: null, doc: 'Multiplier for every spatial size (> 0); output = floor(in × scale). Exclusive with size.', aliases: ['scale', 'factor'] },
    { name: 'mode', type: 'enum', default: 'nearest', choices: Object.keys(MODES), doc: "Interpolation: 'nearest' (default), 'nearest-exact', 'linear' (3-D input), 'bilinear' or 'bicubic' (4-D), 'trilinear' (5-D)." },
    { name: 'align_corners', type: 'bool', default: null, doc: 'Align the corner pixels of input and output (interpolating modes only). No effect on shapes or counts.' },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const mode = ctx.attrs.mode as string;
    const m = MODES[mode]!;
    if (x.shape.length < 3 || x.shape.length > 5) return ctx.fail('E0400', `${ctx.label} expects a rank-3, -4 or -5 input (N×C×spatial), got rank ${x.shape.length}`);
    if (m.rank !== undefined && x.shape.length !== m.rank)
      return ctx.fail('E0400', `${ctx.label}: mode '${mode}' needs a rank-${m.rank} input, got rank ${x.shape.length}`, { hint: `use ${x.shape.length === 3 ? "'linear'" : x.shape.length === 4 ? "'bilinear' or 'bicubic'" : "'trilinear'"} or 'nearest' for this input` });
    const hasSize = ctx.attrs.size !== null;
    const hasScale = ctx.attrs.scale_factor !== null;
    if (hasSize === hasScale)
      return ctx.fail('E0301', `${ctx.label}: give exactly one of size and scale_factor${hasSize ? ', not both' : ''}`, { attr: hasSize ? 'scale_factor' : undefined, hint: 'e.g. upsample(scale_factor=2) or upsample(size=(32, 32))' });
    if (ctx.attrs.align_corners !== null && m.taps === 0)
      return ctx.fail('E0301', `${ctx.label}: align_corners can only be set with the interpolating modes (linear, bilinear, bicubic, trilinear), not '${mode}'`, { attr: 'align_corners' });
    const spatial = x.shape.slice(2);
    const rank = spatial.length;
    const names = AXIS_NAMES[rank]!;
    let out: Dim[];
    let rf: RfTransfer;
    if (hasSize) {
      const size = expand(ctx, 'size', ctx.attrs.size!, rank);
      if (!size) return { failed: true };
      out = size;
      rf = spatial.every((d) => !isSymbolic(d)) ? { kind: 'scale', factors: size.map((o, i) => o / (spatial[i] as number)) } : { kind: 'global' };
    } else {
      // A tuple of factors is accepted when the binder supplies one (PyTorch allows it).
      const f = expand(ctx, 'scale_factor', ctx.attrs.scale_factor!, rank);
      if (!f) return { failed: true };
      out = [];
      for (let i = 0; i < rank; i++) {
        const fi = f[i]!;
        const W = spatial[i]!;
        if (!(fi > 0)) return ctx.fail('E0301', `${ctx.label}: scale_factor must be > 0, got ${fi}`, { attr: 'scale_factor' });
        let o: Dim;
        if (!isSymbolic(W)) o = Math.floor(W * fi);
        else if (Number.isInteger(fi)) o = mul(W, fi);
        else {
          const fr = fraction(fi);
          if (!fr) return ctx.fail('E0301', `${ctx.label}: scale_factor ${fi} has no exact decimal form for the symbolic size ${formatDim(W)}`, { attr: 'scale_factor', hint: 'use a concrete input size or a decimal factor' });
          o = floorDiv(mul(W, fr[0]), fr[1], ctx.facts);
        }
        if (!isSymbolic(o) && o <= 0)
          return ctx.fail('E0401', `${ctx.label}: ${names[i]}_out = floor(${formatDim(W)} × ${fi}) = ${o}`, { attr: 'scale_factor', hint: 'use a larger scale_factor or give size' });
        out.push(o);
      }
      rf = { kind: 'scale', factors: f };
    }
    const shape = [x.shape[0]!, x.shape[1]!, ...out];
    return { outputs: [{ shape, dtype: x.dtype }], macs: 0, flops: mul(prod(shape), m.taps), rf };
  },
  onnx(ctx) {
    const x = ctx.inputTypes[0]!;
    const out = ctx.outputTypes[0]!.shape;
    const rank = x.shape.length - 2;
    const attrs = resizeAttrs(ctx.attrs.mode as string, ctx.attrs.align_corners === true);
    if (ctx.attrs.scale_factor !== null) {
      // Scales: ONNX maps coordinates with the given factor, as PyTorch does with scale_factor. Runtimes and
      // shape inference size the output as floor(in × scale) in float32: it must give dslc's (exact) size.
      const v = ctx.attrs.scale_factor;
      const f = (Array.isArray(v) ? (v.length === 1 ? Array(rank).fill(v[0]) : v) : Array(rank).fill(v)) as number[];
      for (let i = 0; i < rank; i++) {
        const W = x.shape[i + 2]!;
        const f32 = Math.fround(f[i]!);
        if (isSymbolic(W) ? f32 !== f[i] : Math.floor(Math.fround(f32 * W)) !== out[i + 2])
          return ctx.unsupported(
            `scale_factor ${f[i]} is not exact in float32, where ONNX Resize computes the output size floor(in × scale) (${isSymbolic(W) ? `for the symbolic size ${formatDim(W)} it may differ from PyTorch's` : `${Math.floor(Math.fround(f32 * W))}, not ${out[i + 2]}`}); give size= instead`,
          );
      }
      return ctx.emit('Resize', [ctx.inputs[0]!, '', ctx.floats('scales', [1, 1, ...f])], ctx.outputs, attrs);
    }
    // Sizes: ONNX then maps with out/in, as PyTorch does with size. Before opset 18 sizes cover every axis.
    const spatial = out.slice(2) as number[];
    const [n, c] = x.shape;
    if (!isSymbolic(n!) && !isSymbolic(c!)) return ctx.emit('Resize', [ctx.inputs[0]!, '', '', ctx.int64s('sizes', [n, c, ...spatial])], ctx.outputs, attrs);
    if (ctx.opset >= 18) return ctx.emit('Resize', [ctx.inputs[0]!, '', '', ctx.int64s('sizes', spatial)], ctx.outputs, { ...attrs, axes: spatial.map((_, i) => i + 2) });
    // Symbolic batch or channels before opset 18. Concrete input sizes: scales out/in, which is what runtimes
    // compute from sizes, when float32 floor(in × scale) gives back out (shape inference then keeps the sizes).
    const inSp = x.shape.slice(2);
    if (!inSp.some(isSymbolic)) {
      const f = spatial.map((o, i) => Math.fround(o / (inSp[i] as number)));
      if (f.every((fi, i) => Math.floor(Math.fround(fi * (inSp[i] as number))) === spatial[i]))
        return ctx.emit('Resize', [ctx.inputs[0]!, '', ctx.floats('scales', [1, 1, ...f])], ctx.outputs, attrs);
    }
    // Otherwise sizes = Shape(x)[0:2] ++ spatial, at run time.
    const shape = ctx.temp('shape');
    const nc = ctx.temp('batch_channels');
    const sizes = ctx.temp('sizes');
    ctx.emit('Shape', [ctx.inputs[0]!], [shape]);
    ctx.emit('Slice', [shape, ctx.int64s('starts', [0]), ctx.int64s('ends', [2])], [nc]);
    ctx.emit('Concat', [nc, ctx.int64s('spatial', spatial)], [sizes], { axis: 0 });
    ctx.emit('Resize', [ctx.inputs[0]!, '', '', sizes], ctx.outputs, attrs);
  },
  tfjs: resize,
  examples: [
    { inputs: [[1, 64, 'H', 'W']], call: 'upsample(scale_factor=2)', output: [1, 64, '2*H', '2*W'], params: 0, macs: 0 },
    { inputs: [[1, 3, 10, 10]], call: 'upsample(size=(20, 30), mode="bilinear", align_corners=false)', output: [1, 3, 20, 30], params: 0, macs: 0 },
    { inputs: [[1, 8, 5, 5]], call: "upsample(scale_factor=1.5, mode='bicubic')", output: [1, 8, 7, 7], params: 0, macs: 0 },
  ],
};
