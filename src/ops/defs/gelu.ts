/** `gelu`: PyTorch `nn.GELU`; the FLOP estimate depends on `approximate`. */
import { mul } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { activation } from '../shared/activations.js';
import { onnxBinary, onnxScalar } from '../shared/axes.js';
import { prod } from '../shared/window.js';
import { elementwise, scalar } from '../shared/tfjs.js';

const EXACT = 5;
const TANH = 9;

const base = activation({
  name: 'gelu',
  doc: "Gaussian error linear unit `x · Φ(x)` (PyTorch `nn.GELU`): exact with erf (`approximate='none'`) or the tanh approximation (`'tanh'`, as in BERT/GPT-2).",
  flopsPerElement: EXACT,
  breakdown: '',
  onnx(ctx) {
    const tanh = ctx.attrs.approximate === 'tanh';
    if (ctx.opset >= 20) return ctx.emit('Gelu', ctx.inputs, ctx.outputs, { approximate: tanh ? 'tanh' : 'none' });
    // Before Gelu (opset 20): 0.5 · x · (1 + erf(x / √2)), or 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
    const x = ctx.inputs[0]!;
    let inner: string;
    if (tanh) {
      const x3 = onnxBinary(ctx, 'Mul', onnxBinary(ctx, 'Mul', x, x), x);
      const poly = onnxBinary(ctx, 'Add', x, onnxBinary(ctx, 'Mul', x3, onnxScalar(ctx, 'c', 0.044715)));
      inner = ctx.temp('tanh');
      ctx.emit('Tanh', [onnxBinary(ctx, 'Mul', poly, onnxScalar(ctx, 'sqrt_2_over_pi', Math.sqrt(2 / Math.PI)))], [inner]);
    } else {
      inner = ctx.temp('erf');
      ctx.emit('Erf', [onnxBinary(ctx, 'Div', x, onnxScalar(ctx, 'sqrt2', Math.SQRT2))], [inner]);
    }
    const onePlus = onnxBinary(ctx, 'Add', inner, onnxScalar(ctx, 'one', 1));
    onnxBinary(ctx, 'Mul', onnxBinary(ctx, 'Mul', x, onePlus), onnxScalar(ctx, 'half', 0.5), ctx.outputs[0]!);
  },
  attrs: [{ name: 'approximate', type: 'enum', default: 'none', choices: ['none', 'tanh'], doc: "'none': `0.5·x·(1 + erf(x/√2))`; 'tanh': `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`." }],
  tfjs(ctx) {
    // 0.5 · x · (1 + erf(x / √2)), or the tanh form.
    elementwise(ctx, (x) => {
      let inner: string;
      if (ctx.attrs.approximate === 'tanh') {
        const x3 = ctx.node('Mul', [ctx.node('Square', [x]), x]);
        const poly = ctx.node('AddV2', [x, ctx.node('Mul', [x3, scalar(ctx, 'c', 0.044715)])]);
        inner = ctx.node('Tanh', [ctx.node('Mul', [poly, scalar(ctx, 'sqrt_2_over_pi', Math.sqrt(2 / Math.PI))])]);
      } else inner = ctx.node('Erf', [ctx.node('Mul', [x, scalar(ctx, 'inv_sqrt2', Math.SQRT1_2)])]);
      return ctx.node('Mul', [ctx.node('Mul', [x, ctx.node('AddV2', [inner, scalar(ctx, 'one', 1)])]), scalar(ctx, 'half', 0.5)]);
    });
  },
  examples: [
    { inputs: [[2, 10, 768]], call: 'gelu', output: [2, 10, 768], params: 0, macs: 0 },
    { inputs: [['N', 'T', 768]], call: "gelu(approximate='tanh')", output: ['N', 'T', 768] },
  ],
});

export const op: OpDef = {
  ...base,
  costDoc:
    `No MACs. FLOPs per element: ${EXACT} for 'none' (scale by 1/√2, erf, add 1, multiply by x, multiply by 0.5); ${TANH} for 'tanh' ` +
    '(x³ as 2 multiplies, multiply by 0.044715, add, multiply by √(2/π), tanh, add 1, multiply by x, multiply by 0.5). erf and tanh count 1 FLOP each.',
  infer(ctx) {
    const x = ctx.inputs[0]!;
    return { outputs: [x], macs: 0, flops: mul(prod(x.shape), ctx.attrs.approximate === 'tanh' ? TANH : EXACT), rf: { kind: 'identity' } };
  },
};
