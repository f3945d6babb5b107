/** `local_response_norm`: PyTorch `nn.LocalResponseNorm` (AlexNet's LRN). */
import { mul } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { prod } from '../shared/window.js';
import { onnxBinary, onnxReshape, onnxScalar, onnxSqueeze, onnxUnsqueeze } from '../shared/axes.js';
import { nhwcShape, reshape, scalar } from '../shared/tfjs.js';

export const op: OpDef = {
  name: 'local_response_norm',
  aliases: ['lrn'],
  category: 'norm',
  doc:
    'Local response normalisation across channels (PyTorch `nn.LocalResponseNorm`, AlexNet): ' +
    '`y_c = x_c / (k + alpha/size · Σ x_{c\'}²)^beta`, the sum over the `size` neighbouring channels of c (zero-padded). ' +
    'Input `[N, C, ...]` of rank ≥ 3; no parameters; shape unchanged.',
  costDoc:
    'No MACs (peers count conv and dense only). FLOPs = (2·size + 4) per element: `size` squares and `size` adds for the window sum, then ' +
    'scale, add k, power, divide (the power counted as 1 FLOP).',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'size', type: 'int', min: 1, doc: 'Number of neighbouring channels summed over (AlexNet: 5).', aliases: ['depth_radius'] },
    { name: 'alpha', type: 'float', default: 1e-4, doc: 'Multiplicative factor (divided by size, as in PyTorch).' },
    { name: 'beta', type: 'float', default: 0.75, doc: 'Exponent.' },
    { name: 'k', type: 'float', default: 1.0, doc: 'Additive constant (AlexNet: 2).', aliases: ['bias'] },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length < 3) return ctx.fail('E0400', `${ctx.label} expects an input of rank ≥ 3 ([N, C, ...]), got rank ${x.shape.length}`);
    const size = ctx.attrs.size;
    if (typeof size !== 'number') return ctx.fail('E0300', `${ctx.label}: size must be a concrete int`, { attr: 'size' });
    return { outputs: [x], macs: 0, flops: mul(prod(x.shape), 2 * size + 4), rf: { kind: 'identity' } };
  },
  onnx(ctx) {
    const size = ctx.attrs.size as number;
    const [alpha, beta, k] = [ctx.attrs.alpha as number, ctx.attrs.beta as number, ctx.attrs.k as number];
    const x = ctx.inputs[0]!;
    const shape = ctx.inputTypes[0]!.shape;
    const r = shape.length;
    const out = ctx.outputs[0]!;
    /** `y` reshaped to the input's shape (read at run time). */
    const asInput = (y: string, o: string) => {
      const s = ctx.temp('shape');
      ctx.emit('Shape', [x], [s]);
      ctx.emit('Reshape', [y, s], [o]);
      return o;
    };
    if (size % 2 === 1) {
      // Odd sizes: ONNX's window [c − (size−1)/2, c + (size−1)/2] and its alpha/size are PyTorch's. ONNX Runtime runs LRN on
      // rank 4 only, so other ranks are viewed as [N, C, A, B].
      const attrs = { size, alpha: { f: alpha }, beta: { f: beta }, bias: { f: k } };
      if (r === 4) return ctx.emit('LRN', ctx.inputs, ctx.outputs, attrs);
      const y = ctx.temp('lrn');
      if (r === 3) {
        ctx.emit('LRN', [onnxUnsqueeze(ctx, x, [3])], [y], attrs);
        onnxSqueeze(ctx, y, [3], out);
      } else {
        ctx.emit('LRN', [onnxReshape(ctx, x, [0, 0, 0, -1])], [y], attrs);
        asInput(y, out);
      }
      return;
    }
    // Even sizes: PyTorch sums channels [c − size/2, c + size/2 − 1], ONNX [c − size/2 + 1, c + size/2] (and ONNX Runtime rejects
    // even sizes), so decompose as PyTorch does: the mean of x² over the zero-padded window is an AveragePool over the channels of
    // x² seen as [N, 1, C, …] (count_include_pad: divided by size).
    const sq = onnxBinary(ctx, 'Mul', x, x);
    let planes: string;
    let spatial: number;
    if (r <= 4) [planes, spatial] = [onnxUnsqueeze(ctx, sq, [1]), r - 1];
    else {
      const c = shape[1]!;
      if (typeof c !== 'number') return ctx.unsupported(`an even size with a symbolic channel count ${String(c)} on a rank-${r} input`);
      [planes, spatial] = [onnxReshape(ctx, sq, [0, 1, c, -1]), 2];
    }
    const avg = ctx.temp('window_mean');
    const zeros = Array<number>(spatial - 1).fill(0);
    ctx.emit('AveragePool', [planes], [avg], { kernel_shape: [size, ...zeros.map(() => 1)], pads: [size / 2, ...zeros, size / 2 - 1, ...zeros], count_include_pad: 1 });
    const mean = r <= 4 ? onnxSqueeze(ctx, avg, [1]) : asInput(avg, ctx.temp('mean_sq'));
    const base = onnxBinary(ctx, 'Add', onnxBinary(ctx, 'Mul', mean, onnxScalar(ctx, 'alpha', alpha)), onnxScalar(ctx, 'k', k));
    onnxBinary(ctx, 'Div', x, onnxBinary(ctx, 'Pow', base, onnxScalar(ctx, 'beta', beta)), out);
  },
  tfjs(ctx) {
    // Channels-last: the window sum of x² is a product with a band matrix B[c', c] = 1 for c' in
    // [c − ⌊size/2⌋, c + ⌊(size−1)/2⌋] (PyTorch's zero-padded window, odd or even size); tfjs's LRN is symmetric only.
    const size = ctx.attrs.size as number;
    const [alpha, beta, k] = [ctx.attrs.alpha as number, ctx.attrs.beta as number, ctx.attrs.k as number];
    const shape = ctx.inputTypes[0]!.shape;
    const c = shape[1]!;
    const band = new Float32Array(c * c);
    for (let j = 0; j < c; j++) for (let i = Math.max(0, j - Math.floor(size / 2)); i <= Math.min(c - 1, j + Math.floor((size - 1) / 2)); i++) band[i * c + j] = 1;
    const x = ctx.input(0, 'nhwc');
    const sums = reshape(ctx, ctx.node('MatMul', [reshape(ctx, ctx.node('Square', [x]), [-1, c]), ctx.constant('band', band, [c, c])]), nhwcShape(shape));
    const base = ctx.node('AddV2', [ctx.node('Mul', [sums, scalar(ctx, 'alpha_over_size', alpha / size)]), scalar(ctx, 'k', k)]);
    ctx.output(0, ctx.node('Mul', [x, ctx.node('Pow', [base, scalar(ctx, 'minus_beta', -beta)])]), 'nhwc');
  },
  examples: [
    { inputs: [[1, 96, 55, 55]], call: 'lrn(5, alpha=1e-4, beta=0.75, k=2.0)', output: [1, 96, 55, 55], params: 0, macs: 0 },
    { inputs: [['N', 256, 'H', 'W']], call: 'local_response_norm(size=5)', output: ['N', 256, 'H', 'W'] },
  ],
};
