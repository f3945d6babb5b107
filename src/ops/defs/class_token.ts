/** `class_token`: ViT's learned classification token, prepended to the token sequence. */
import { add, formatDim } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { fmtShape } from '../shared/axes.js';

export const op: OpDef = {
  name: 'class_token',
  aliases: ['cls_token'],
  category: 'embedding',
  doc:
    'Prepends one learned token to a sequence `[N, T, D]`, giving `[N, T + 1, D]` (the "[class]" token of BERT and ViT; PyTorch ' +
    '`torch.cat([class_token.expand(N, -1, -1), x], dim=1)` as torchvision `VisionTransformer` does). Parameter `class_token` `[1, 1, D]`, zero at ' +
    "initialisation as in torchvision; the name is torchvision's, so `--weights-map auto` maps a ViT state_dict. Its output at " +
    'position 0 is read back with `slice(1, 0, 1) -> flatten`.',
  costDoc: 'No MACs, no FLOPs (a copy). D parameters.',
  inputs: [{ name: 'x' }],
  attrs: [{ name: 'embed_dim', type: 'int', default: null, min: 1, doc: 'Token size D, checked against the last axis of the input; default: that axis.', aliases: ['hidden_dim', 'dim'] }],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length !== 3)
      return ctx.fail('E0400', `${ctx.label} expects a token sequence [N, T, D], got rank ${x.shape.length} ${fmtShape(x.shape)}`,
        x.shape.length === 4 ? { hint: 'make a [N, D, H, W] map a sequence first: flatten(start_dim=2) -> transpose(1, 2)' } : {});
    const want = ctx.attrs.embed_dim;
    if (want !== null && want !== undefined && !ctx.unify(x.shape[2]!, want as number, 'embed_dim vs input axis 2')) return { failed: true };
    const d = ctx.concrete(x.shape[2]!, `the token size (axis 2, ${formatDim(x.shape[2]!)})`);
    if (d === undefined) return { failed: true };
    return {
      outputs: [{ shape: [x.shape[0]!, add(x.shape[1]!, 1), x.shape[2]!], dtype: x.dtype }],
      params: [{ name: 'class_token', shape: [1, 1, d], init: 'zeros' }],
      macs: 0,
      flops: 0,
      rf: { kind: 'identity' },
    };
  },
  onnx(ctx) {
    // The token broadcast to the batch ([1, 1, D] expanded by [N, 1, 1]), then concatenated before the sequence.
    const n = ctx.inputTypes[0]!.shape[0]!;
    let reps: string;
    if (typeof n === 'number') reps = ctx.int64s('batch', [n, 1, 1]);
    else {
      // Symbolic batch: read it from the input (Shape → Gather), opset 13 alike.
      const shape = ctx.temp('shape');
      ctx.emit('Shape', [ctx.inputs[0]!], [shape]);
      const batch = ctx.temp('batch');
      ctx.emit('Gather', [shape, ctx.int64s('axis0', [0])], [batch], { axis: 0 });
      reps = ctx.temp('reps');
      ctx.emit('Concat', [batch, ctx.int64s('ones', [1, 1])], [reps], { axis: 0 });
    }
    const token = ctx.temp('token');
    ctx.emit('Expand', [ctx.param('class_token'), reps], [token]);
    ctx.emit('Concat', [token, ctx.inputs[0]!], ctx.outputs, { axis: 1 });
  },
  tfjs(ctx) {
    // Sizes are concrete here: the token tiled over the batch, joined before the sequence in dslc's order.
    const [n, , d] = ctx.inputTypes[0]!.shape as [number, number, number];
    const token = ctx.constant('class_token', ctx.param('class_token'), [1, 1, d]);
    const tiled = ctx.node('Tile', [token, ctx.constant('reps', Int32Array.of(n, 1, 1), [3])]);
    ctx.output(0, ctx.node('ConcatV2', [tiled, ctx.input(0, 'nchw'), ctx.constant('axis', Int32Array.of(1), [])], { N: 2 }), 'nchw');
  },
  examples: [
    { inputs: [['N', 196, 768]], call: 'class_token', output: ['N', 197, 768], params: 768, macs: 0 },
    { inputs: [[2, 'T', 64]], call: 'class_token(64)', output: [2, 'T + 1', 64], params: 64 },
  ],
};
