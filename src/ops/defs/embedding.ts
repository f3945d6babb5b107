/** `embedding`: PyTorch `nn.Embedding`. */
import type { OpDef } from '../types.js';

export const op: OpDef = {
  name: 'embedding',
  category: 'embedding',
  doc:
    'Lookup table (PyTorch `nn.Embedding`, Keras `Embedding`): integer indices of any shape `[...]` (dtype int64 or int32) give float32 ' +
    'vectors `[..., embedding_dim]`. One weight `[num_embeddings, embedding_dim]`. Indices are not range-checked (they are data).',
  costDoc: 'No MACs, no FLOPs: a gather (memory traffic only).',
  inputs: [{ name: 'indices', integer: true, rows: (a) => a.num_embeddings as number }],
  attrs: [
    { name: 'num_embeddings', type: 'int', min: 1, doc: 'Vocabulary size: number of rows of the table.', aliases: ['input_dim', 'vocab_size'] },
    { name: 'embedding_dim', type: 'int', min: 1, doc: 'Size of each embedding vector.', aliases: ['output_dim', 'dim'] },
    { name: 'padding_idx', type: 'int', default: null, doc: 'Row whose vector is kept at zero and gets no gradient (negative counts from the end); none by default.' },
  ],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    if (x.dtype !== 'int64' && x.dtype !== 'int32')
      return ctx.fail('E0408', `${ctx.label} takes integer indices (int64 or int32), got ${x.dtype}`, { hint: 'declare the model input as int64 (token ids), e.g. `x: int64[N, T]`' });
    const num = ctx.concrete(ctx.attrs.num_embeddings as number, 'num_embeddings');
    const dim = ctx.concrete(ctx.attrs.embedding_dim as number, 'embedding_dim');
    if (num === undefined || dim === undefined) return { failed: true };
    const pad = ctx.attrs.padding_idx;
    if (pad !== null && pad !== undefined) {
      if (typeof pad !== 'number') return ctx.fail('E0300', `${ctx.label}: padding_idx must be a concrete int`, { attr: 'padding_idx' });
      if (pad < -num || pad >= num) return ctx.fail('E0301', `${ctx.label}: padding_idx=${pad} must be within [-${num}, ${num - 1}] (num_embeddings = ${num})`, { attr: 'padding_idx' });
    }
    return {
      outputs: [{ shape: [...x.shape, dim], dtype: 'float32' }],
      // A fresh table keeps the padding row at zero (PyTorch zeroes it at construction).
      params: [{ name: 'weight', shape: [num, dim], ...(typeof pad === 'number' ? { zeroRows: [pad < 0 ? pad + num : pad] } : {}) }],
      macs: 0,
      flops: 0,
      rf: { kind: 'none' },
    };
  },
  // Gather takes int32 and int64 indices alike; padding_idx matters for initialisation (its row is zero) and training.
  onnx: (ctx) => ctx.emit('Gather', [ctx.param('weight'), ctx.inputs[0]!], ctx.outputs, { axis: 0 }),
  // tfjs indices are int32 (int64 inputs are fed as int32): GatherV2 of the table's rows.
  tfjs(ctx) {
    const [num, dim] = [ctx.attrs.num_embeddings as number, ctx.attrs.embedding_dim as number];
    const table = ctx.constant('weight', ctx.param('weight'), [num, dim]);
    ctx.output(0, ctx.node('GatherV2', [table, ctx.input(0, 'nchw'), ctx.constant('axis', Int32Array.of(0), [])]), 'nchw');
  },
  examples: [
    { inputs: [[1, 100]], call: 'embedding(10000, 128)', output: [1, 100, 128], params: 1280000, macs: 0, dtype: 'int64' },
    { inputs: [['N', 'T']], call: 'embedding(30522, 768, padding_idx=0)', output: ['N', 'T', 768], params: 23440896, dtype: 'int32' },
  ],
};
