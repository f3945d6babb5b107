/** `prelu`: PyTorch `nn.PReLU` (learned negative slope). */
import { compareDims, formatDim, mul } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { prod } from '../shared/window.js';

export const op: OpDef = {
  name: 'prelu',
  category: 'activation',
  doc:
    'Parametric ReLU `max(x, 0) + a · min(x, 0)` with a learned slope `a` (PyTorch `nn.PReLU`): one slope shared by all channels ' +
    '(`num_parameters=1`, default) or one per channel (`num_parameters=C`, axis 1 of the input). Parameter `weight` `[num_parameters]`.',
  costDoc: 'No MACs. FLOPs = 2 per element: a compare and a multiply.',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'num_parameters', type: 'int', default: 1, min: 1, doc: 'Number of learned slopes: 1, or the channel count C (axis 1).', aliases: ['channels'] },
    { name: 'init', type: 'float', default: 0.25, doc: 'Initial value of the slopes.' },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const np = ctx.concrete(ctx.attrs.num_parameters as number, 'num_parameters');
    if (np === undefined) return { failed: true };
    if (np !== 1) {
      if (x.shape.length < 2) return ctx.fail('E0400', `${ctx.label}: num_parameters=${np} needs a channel axis (axis 1), but the input has rank ${x.shape.length}`, { attr: 'num_parameters' });
      const c = x.shape[1]!;
      const cmp = compareDims(c, np);
      if (cmp === 'different')
        return ctx.fail('E0402', `${ctx.label}: num_parameters=${np} must be 1 or the number of channels (axis 1), which is ${formatDim(c)}`, { attr: 'num_parameters', hint: `use prelu(${formatDim(c)}) or prelu()` });
      if (cmp === 'unknown' && !ctx.unify(c, np, 'num_parameters vs input channels (axis 1)')) return { failed: true };
    }
    return { outputs: [x], params: [{ name: 'weight', shape: [np], init: { constant: 0.25 } }], macs: 0, flops: mul(prod(x.shape), 2), rf: { kind: 'identity' } };
  },
  onnx(ctx) {
    const np = ctx.attrs.num_parameters as number;
    const r = ctx.inputTypes[0]!.shape.length;
    // ONNX broadcasts the slope from the right: per-channel slopes need shape [C, 1, …] (one 1 per axis after the channels).
    const slope = np === 1 || r <= 2 ? ctx.param('weight') : ctx.derived('slope', [np, ...Array<number>(r - 2).fill(1)], (p) => p('weight'), (t, put) => put('weight', t));
    ctx.emit('PRelu', [ctx.inputs[0]!, slope], ctx.outputs);
  },
  tfjs(ctx) {
    // Per-channel slopes on the last axis, channels-last: tfjs-backend-wasm's Prelu does not broadcast (it reads
    // alpha[i mod len] for element i), which is right exactly for [C] slopes on channels-last data (and for one slope).
    const np = ctx.attrs.num_parameters as number;
    const layout = np === 1 ? ctx.layout(0) : 'nhwc';
    const alpha = ctx.constant('slope', ctx.param('weight'), [np]);
    ctx.output(0, ctx.node('Prelu', [ctx.input(0, layout), alpha]), layout);
  },
  examples: [
    { inputs: [[1, 64, 56, 56]], call: 'prelu', output: [1, 64, 56, 56], params: 1, macs: 0 },
    { inputs: [[1, 64, 56, 56]], call: 'prelu(64)', output: [1, 64, 56, 56], params: 64 },
  ],
};
