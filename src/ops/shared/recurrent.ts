/**
 * Shared definition of the recurrent layers (LSTM, GRU, simple RNN), PyTorch `nn.LSTM` / `nn.GRU` / `nn.RNN`
 * conventions: two bias vectors per layer and direction (as PyTorch and ONNX; Keras keeps one).
 */
import { type Dim, mul } from '../../symbolic/dim.js';
import type { AttrDef, OpDef, OpExample, ParamSpec } from '../types.js';

export interface RecurrentSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Gate blocks per cell: LSTM 4, GRU 3, RNN 1. */
  readonly gates: number;
  readonly doc: string;
  /** Attributes between `num_layers` and `bias` (RNN's `nonlinearity`), in PyTorch positional order. */
  readonly extraAttrs?: readonly AttrDef[];
  readonly examples: readonly OpExample[];
}

/** Builds a recurrent op. */
export function makeRecurrent(spec: RecurrentSpec): OpDef {
  const g = spec.gates;
  const attrs: AttrDef[] = [
    { name: 'hidden_size', type: 'int', min: 1, doc: 'Features of the hidden state H (the input size is inferred from the input).', aliases: ['units', 'hidden'] },
    { name: 'num_layers', type: 'int', default: 1, min: 1, doc: 'Number of stacked layers; layer k > 0 takes the previous layer\'s outputs (H·directions features).' },
    ...(spec.extraAttrs ?? []),
    { name: 'bias', type: 'bool', default: true, doc: 'Learn the input-hidden and hidden-hidden bias vectors (`bias_ih`, `bias_hh`).' },
    { name: 'batch_first', type: 'bool', default: true, doc: 'Input `[N, T, F]` (true, dslc default) or `[T, N, F]` (false, PyTorch default). Sequence outputs keep the same layout.' },
    { name: 'dropout', type: 'float', default: 0.0, min: 0, doc: 'Dropout between stacked layers during training; identity at inference.' },
    { name: 'bidirectional', type: 'bool', default: false, doc: 'Also run the sequence backwards and concatenate both directions\' features (output H·2).' },
    { name: 'return_sequences', type: 'bool', default: true, doc: 'Return every time step (`[N, T, H·dirs]`, PyTorch\'s `output`), or only the final hidden state of the last layer (`[N, H·dirs]`; bidirectional: forward state after the last step concatenated with the backward state after the first step, i.e. `cat(h_n[-2], h_n[-1])`, not `output[:, -1]`).' },
    { name: 'input_size', type: 'int', default: null, min: 1, doc: 'Expected input features F; inferred from the last input axis, checked when given.' },
  ];
  return {
    name: spec.name,
    aliases: spec.aliases ?? [],
    category: 'recurrent',
    doc:
      `${spec.doc} Input \`[N, T, F]\` (batch first, i.e. PyTorch \`batch_first=True\`; set \`batch_first=false\` for \`[T, N, F]\`). ` +
      `Output \`[N, T, H·dirs]\` with \`return_sequences\` (default), else \`[N, H·dirs]\`. ` +
      `Parameters per layer and direction (PyTorch/ONNX, two biases): \`${g}·(H·(in + H) + 2H)\`, in = F for layer 0 and H·dirs above. ` +
      'Unbatched (rank-2) input and LSTM `proj_size` are not supported.',
    costDoc:
      `MACs = N × T × Σ over layers and directions of ${g}·H·(in + H) (the input and recurrent matrix products per step, as thop and the ` +
      'reference fixtures count). FLOPs = 2 × MACs; bias adds, gate nonlinearities and elementwise state updates are not counted.',
    inputs: [{ name: 'x' }],
    attrs,
    infer(ctx) {
      const x = ctx.inputs[0]!;
      if (x.shape.length !== 3)
        return ctx.fail('E0400', `${ctx.label} expects a sequence of rank 3 (${ctx.attrs.batch_first ? '[N, T, F]' : '[T, N, F]'}), got rank ${x.shape.length}`, {
          hint: x.shape.length === 4 ? 'flatten the spatial axes into a sequence first, e.g. -> reshape([N, C, -1]) -> permute([0, 2, 1])' : undefined,
        });
      const batchFirst = ctx.attrs.batch_first as boolean;
      const [n, t] = batchFirst ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[0]!];
      const givenIn = ctx.attrs.input_size;
      if (givenIn !== null && givenIn !== undefined && !ctx.unify(x.shape[2]!, givenIn as Dim, 'input_size vs input features')) return { failed: true };
      const f = ctx.concrete(x.shape[2]!, 'input features');
      const h = ctx.concrete(ctx.attrs.hidden_size as Dim, 'hidden_size');
      const layers = ctx.concrete(ctx.attrs.num_layers as Dim, 'num_layers');
      if (f === undefined || h === undefined || layers === undefined) return { failed: true };
      const dropout = ctx.attrs.dropout as number;
      if (dropout > 1) return ctx.fail('E0301', `${ctx.label}: dropout must be in [0, 1], got ${dropout}`, { attr: 'dropout' });
      const dirs = ctx.attrs.bidirectional ? 2 : 1;
      const bias = ctx.attrs.bias as boolean;
      const params: ParamSpec[] = [];
      let perStep = 0;
      for (let l = 0; l < layers; l++) {
        const inF = l === 0 ? f : h * dirs;
        for (let d = 0; d < dirs; d++) {
          const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
          params.push({ name: `weight_ih${sfx}`, shape: [g * h, inF] }, { name: `weight_hh${sfx}`, shape: [g * h, h] });
          if (bias) params.push({ name: `bias_ih${sfx}`, shape: [g * h] }, { name: `bias_hh${sfx}`, shape: [g * h] });
          perStep += g * h * (inF + h);
        }
      }
      const out = h * dirs;
      const shape: Dim[] = ctx.attrs.return_sequences ? (batchFirst ? [n, t, out] : [t, n, out]) : [n, out];
      return { outputs: [{ shape, dtype: x.dtype }], params, macs: mul(mul(n, t), perStep), rf: { kind: 'none' } };
    },
    examples: spec.examples,
  };
}
