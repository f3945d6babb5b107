import { mul } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { elementwise, scalar } from '../shared/tfjs.js';
import { activation } from '../shared/activations.js';
import { onnxBinary, onnxScalar } from '../shared/axes.js';
import { prod } from '../shared/window.js';

/**
 * Above this threshold `log1p(exp(t))` and `t` are the same float32 (they differ by < exp(−t) ≈ 2e−9 at 20, far below
 * the spacing of floats near 20), so PyTorch's linear branch needs no node of its own.
 */
const INVISIBLE = 20;

const base = activation({
  name: 'softplus',
  doc:
    'Smooth ReLU `log(1 + exp(β·x)) / β`, and `x` itself where `β·x > threshold` (PyTorch `nn.Softplus`; ONNX `Softplus` has β = 1 ' +
    'and no threshold: dslc adds the scaling, and the linear branch where it is visible in float32, i.e. threshold < 20).',
  flopsPerElement: 4,
  breakdown: '',
  attrs: [
    { name: 'beta', type: 'float', default: 1, doc: 'Sharpness β (not 0); larger is closer to ReLU.' },
    { name: 'threshold', type: 'float', default: 20, doc: 'Above β·x > threshold the output is x (PyTorch default 20).' },
  ],
  onnx(ctx) {
    const [beta, threshold] = [ctx.attrs.beta as number, ctx.attrs.threshold as number];
    const x = ctx.inputs[0]!;
    const bx = beta === 1 ? x : onnxBinary(ctx, 'Mul', x, onnxScalar(ctx, 'beta', beta));
    const linear = threshold < INVISIBLE;
    const sp = beta === 1 && !linear ? ctx.outputs[0]! : ctx.temp('softplus');
    ctx.emit('Softplus', [bx], [sp]);
    const y = beta === 1 ? sp : onnxBinary(ctx, 'Div', sp, onnxScalar(ctx, 'beta', beta), linear ? ctx.temp('scaled') : ctx.outputs[0]!);
    if (linear) ctx.emit('Where', [onnxBinary(ctx, 'Greater', bx, onnxScalar(ctx, 'threshold', threshold)), x, y], ctx.outputs);
  },
  tfjs(ctx) {
    const [beta, threshold] = [ctx.attrs.beta as number, ctx.attrs.threshold as number];
    elementwise(ctx, (x) => {
      const bx = beta === 1 ? x : ctx.node('Mul', [x, scalar(ctx, 'beta', beta)]);
      let y = ctx.node('Softplus', [bx]);
      if (beta !== 1) y = ctx.node('RealDiv', [y, scalar(ctx, 'beta', beta)]);
      return threshold < INVISIBLE ? ctx.node('SelectV2', [ctx.node('Greater', [bx, scalar(ctx, 'threshold', threshold)]), x, y]) : y;
    });
  },
  examples: [
    { inputs: [[2, 64]], call: 'softplus', output: [2, 64], params: 0, macs: 0 },
    { inputs: [['N', 16, 8, 8]], call: 'softplus(beta=2, threshold=10)', output: ['N', 16, 8, 8], params: 0, macs: 0 },
  ],
});

export const op: OpDef = {
  ...base,
  costDoc: 'No MACs. FLOPs = 4 per element: exp, add 1, log, threshold compare; + 2 with β ≠ 1 (scale by β, divide by β) (exp and log count 1 FLOP each).',
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const beta = ctx.attrs.beta as number;
    if (beta === 0) return ctx.fail('E0301', `${ctx.label}: beta must not be 0 (softplus divides by it)`, { attr: 'beta', hint: 'beta=1 is the plain softplus' });
    return { outputs: [x], macs: 0, flops: mul(prod(x.shape), beta === 1 ? 4 : 6), rf: { kind: 'identity' } };
  },
};
