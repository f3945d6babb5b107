import { axisSoftmax } from '../shared/tfjs.js';
import { axisActivation } from '../shared/activations.js';

export const op = axisActivation({
  name: 'log_softmax',
  aliases: ['logsoftmax'],
  doc: 'Log of the softmax along `axis`: `x_i - max - log Σ_j exp(x_j - max)` (PyTorch `nn.LogSoftmax`; pair with `nn.NLLLoss`).',
  flopsPerElement: 5,
  breakdown: 'running max, subtract the max, exp, sum, subtract the log-sum (the per-row log is not counted)',
  onnx: (ctx) => ctx.emit('LogSoftmax', ctx.inputs, ctx.outputs, { axis: ctx.attrs.axis as number }),
  attrs: [{ name: 'axis', type: 'int', default: -1, doc: 'Axis to normalise over (negative counts from the end).', aliases: ['dim'] }],
  tfjs: (ctx) => axisSoftmax(ctx, 'LogSoftmax'),
  examples: [{ inputs: [[4, 10]], call: 'log_softmax(1)', output: [4, 10], params: 0, macs: 0 }],
});
