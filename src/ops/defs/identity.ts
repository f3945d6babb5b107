/** `identity`: PyTorch `nn.Identity`. */
import type { OpDef } from '../types.js';

export const op: OpDef = {
  name: 'identity',
  category: 'shape',
  doc: 'Returns its input unchanged (PyTorch `nn.Identity`): a placeholder, e.g. for an optional branch or a removed classifier head.',
  costDoc: 'No MACs, no FLOPs.',
  inputs: [{ name: 'x', carriesValues: true }],
  attrs: [],
  infer(ctx) {
    return { outputs: [ctx.inputs[0]!], macs: 0, flops: 0, rf: { kind: 'identity' } };
  },
  onnx: (ctx) => ctx.emit('Identity', ctx.inputs, ctx.outputs),
  // Identity at inference: the value passes through in whatever layout it is held.
  tfjs: (ctx) => ctx.output(0, ctx.input(0, ctx.layout(0)), ctx.layout(0)),
  examples: [{ inputs: [[1, 512, 7, 7]], call: 'identity', output: [1, 512, 7, 7], params: 0, macs: 0 }],
};
