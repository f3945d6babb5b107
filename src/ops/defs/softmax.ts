import { axisSoftmax } from '../shared/tfjs.js';
import { axisActivation } from '../shared/activations.js';

export const op = axisActivation({
  name: 'softmax',
  doc:
    'Softmax along `axis`: `exp(x_i) / Σ_j exp(x_j)` (PyTorch `nn.Softmax`). Note that PyTorch\'s `nn.CrossEntropyLoss` already contains a ' +
    '(log-)softmax: a softmax in front of it is a bug.',
  flopsPerElement: 5,
  breakdown: 'running max, subtract the max, exp, sum, divide',
  // Opset ≥ 13 (all dslc exports): normalises along this one axis, like PyTorch.
  onnx: (ctx) => ctx.emit('Softmax', ctx.inputs, ctx.outputs, { axis: ctx.attrs.axis as number }),
  attrs: [{ name: 'axis', type: 'int', default: -1, doc: 'Axis to normalise over (negative counts from the end).', aliases: ['dim'] }],
  tfjs: (ctx) => axisSoftmax(ctx, 'Softmax'),
  examples: [
    { inputs: [[1, 1000]], call: 'softmax(axis=1)', output: [1, 1000], params: 0, macs: 0 },
    { inputs: [['N', 8, 'T', 'T']], call: 'softmax(dim=-1)', output: ['N', 8, 'T', 'T'] },
  ],
});
