/** `position_embedding`: a learned position embedding added to a token sequence (ViT, BERT-style absolute positions). */
import { formatDim, mul } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { fmtShape } from '../shared/axes.js';
import { prod } from '../shared/window.js';

export const op: OpDef = {
  name: 'position_embedding',
  aliases: ['pos_embedding'],
  category: 'embedding',
  doc:
    'Adds a learned tensor `[1, T, D]` to a sequence `[N, T, D]`, one vector per position, as PyTorch `x + pos_embedding` (absolute learned position ' +
    'embeddings: torchvision `VisionTransformer`\'s `encoder.pos_embedding`, BERT\'s position table when every position is used). T and D must be ' +
    "concrete: they are the parameter's shape. Parameter `pos_embedding` `[1, T, D]`, the name torchvision uses, so `--weights-map " +
    'auto` maps a ViT state_dict. For positions given as data (ids), use `embedding` instead.',
  costDoc: 'No MACs. FLOPs = 1 per element (the add). T·D parameters.',
  inputs: [{ name: 'x' }],
  attrs: [
    { name: 'seq_length', type: 'int', default: null, min: 1, doc: 'Number of positions T, checked against axis 1 of the input; default: that axis.', aliases: ['num_positions'] },
    { name: 'embed_dim', type: 'int', default: null, min: 1, doc: 'Vector size D, checked against axis 2 of the input; default: that axis.', aliases: ['hidden_dim', 'dim'] },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length !== 3) return ctx.fail('E0400', `${ctx.label} expects a token sequence [N, T, D], got rank ${x.shape.length} ${fmtShape(x.shape)}`);
    const shape: number[] = [1];
    for (const [ax, attr, what] of [[1, 'seq_length', 'the sequence length'], [2, 'embed_dim', 'the vector size']] as const) {
      const want = ctx.attrs[attr];
      if (want !== null && want !== undefined && !ctx.unify(x.shape[ax]!, want as number, `${attr} vs input axis ${ax}`)) return { failed: true };
      const c = typeof want === 'number' ? want : ctx.concrete(x.shape[ax]!, `${what} (axis ${ax}, ${formatDim(x.shape[ax]!)})`);
      if (c === undefined) return { failed: true };
      shape.push(c);
    }
    // Random init with fan-in D (std √(2/D)), the scale of one token vector; torchvision draws N(0, 0.02²).
    return { outputs: [x], params: [{ name: 'pos_embedding', shape, init: 'random', fanIn: shape[2]! }], macs: 0, flops: mul(prod(x.shape), 1), rf: { kind: 'identity' } };
  },
  // [1, T, D] broadcasts over the batch in both runtimes.
  onnx: (ctx) => ctx.emit('Add', [ctx.inputs[0]!, ctx.param('pos_embedding')], ctx.outputs),
  tfjs(ctx) {
    const [, t, d] = ctx.inputTypes[0]!.shape as [number, number, number];
    ctx.output(0, ctx.node('AddV2', [ctx.input(0, 'nchw'), ctx.constant('pos_embedding', ctx.param('pos_embedding'), [1, t, d])]), 'nchw');
  },
  examples: [
    { inputs: [['N', 197, 768]], call: 'position_embedding', output: ['N', 197, 768], params: 151296, macs: 0 },
    { inputs: [[2, 10, 64]], call: 'pos_embedding(10, 64)', output: [2, 10, 64], params: 640 },
  ],
};
