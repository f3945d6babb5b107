/**
 * Shared definition of the recurrent layers (LSTM, GRU, simple RNN), PyTorch `nn.LSTM` / `nn.GRU` / `nn.RNN`
 * conventions: two bias vectors per layer and direction (as PyTorch and ONNX; Keras keeps one).
 */
import { type Dim, mul } from '../../symbolic/dim.js';
import type { OnnxAttr, OnnxLowerContext, OnnxPut } from '../onnx-types.js';
import type { AttrDef, OpDef, OpExample, ParamSpec } from '../types.js';
import { onnxReshape, onnxSqueeze, onnxTranspose } from './axes.js';
import { recurrent } from './tfjs-seq.js';

export interface RecurrentSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Gate blocks per cell: LSTM 4, GRU 3, RNN 1. */
  readonly gates: number;
  readonly doc: string;
  /** Attributes between `num_layers` and `bias` (RNN's `nonlinearity`), in PyTorch positional order. */
  readonly extraAttrs?: readonly AttrDef[];
  readonly examples: readonly OpExample[];
  /** The ONNX op (LSTM, GRU, RNN). */
  readonly onnxOp: string;
  /** ONNX gate block k is PyTorch gate block `onnxGateOrder[k]` (LSTM: i,o,f,c ← i,f,g,o; GRU: z,r,h ← r,z,n). */
  readonly onnxGateOrder: readonly number[];
  /** Extra ONNX attributes (GRU's linear_before_reset, RNN's activations) from the resolved dslc attributes and direction count. */
  readonly onnxAttrs?: (attrs: Readonly<Record<string, unknown>>, dirs: number) => Record<string, OnnxAttr>;
  /** Why these attributes cannot be exported, if they cannot. */
  readonly onnxUnsupported?: (attrs: Readonly<Record<string, unknown>>) => string | undefined;
}

/**
 * Rows of a PyTorch `[gates·H, cols]` matrix (or `[gates·H]` vector, cols = 1) with the gate blocks in ONNX order;
 * `back`: the inverse, an ONNX-ordered matrix back in PyTorch order.
 */
function gateBlocks(a: Float32Array, h: number, cols: number, order: readonly number[], back = false): Float32Array {
  const out = new Float32Array(a.length);
  const block = h * cols;
  order.forEach((src, k) => {
    const [from, to] = back ? [k, src] : [src, k];
    out.set(a.subarray(from * block, (from + 1) * block), to * block);
  });
  return out;
}

/**
 * ONNX LSTM/GRU/RNN, one node per layer (ONNX stacks no layers), all directions in one node. Always the time-major layout
 * (layout=0): ONNX Runtime rejects layout=1 ("Batchwise recurrent operations (layout == 1) are not supported"), so a batch-first
 * input is transposed once before the first layer and the sequence output once after the last.
 */
function lowerRecurrent(spec: RecurrentSpec, ctx: OnnxLowerContext): void {
  const why = spec.onnxUnsupported?.(ctx.attrs);
  if (why) return ctx.unsupported(why);
  const g = spec.gates;
  const h = ctx.attrs.hidden_size as number;
  const layers = ctx.attrs.num_layers as number;
  const dirs = ctx.attrs.bidirectional ? 2 : 1;
  const batchFirst = ctx.attrs.batch_first as boolean;
  const sequences = ctx.attrs.return_sequences as boolean;
  const out = ctx.outputs[0]!;
  const f = ctx.inputTypes[0]!.shape[2] as number;
  const sfx = (l: number, d: number) => `_l${l}${d === 1 ? '_reverse' : ''}`;
  // W [dirs, g·H, in], R [dirs, g·H, H], B [dirs, 2·g·H] = [Wb, Rb] per direction, gates in ONNX order. `piece` makes
  // one direction's slice, `unpiece` puts such a slice back into the parameters (for --weights of this export).
  const stack = (
    hint: string,
    l: number,
    dims: number[],
    piece: (p: (name: string) => Float32Array, d: number) => Float32Array,
    unpiece: (slice: Float32Array, put: OnnxPut, d: number) => void,
  ) => {
    const per = dims.reduce((a, b) => a * b, 1);
    return ctx.derived(
      `${hint}_l${l}`,
      [dirs, ...dims],
      (p) => {
        const all = new Float32Array(per * dirs);
        for (let d = 0; d < dirs; d++) all.set(piece(p, d), d * per);
        return all;
      },
      (all, put) => {
        for (let d = 0; d < dirs; d++) unpiece(all.subarray(d * per, (d + 1) * per), put, d);
      },
    );
  };
  const attrs: Record<string, OnnxAttr> = { hidden_size: h, direction: dirs === 2 ? 'bidirectional' : 'forward', ...spec.onnxAttrs?.(ctx.attrs, dirs) };
  let cur = batchFirst ? onnxTranspose(ctx, ctx.inputs[0]!, [1, 0, 2], ctx.temp('time_major')) : ctx.inputs[0]!; // [T, N, F]
  for (let l = 0; l < layers; l++) {
    const inF = l === 0 ? f : h * dirs;
    const order = spec.onnxGateOrder;
    const w = stack('W', l, [g * h, inF], (p, d) => gateBlocks(p(`weight_ih${sfx(l, d)}`), h, inF, order), (s, put, d) => put(`weight_ih${sfx(l, d)}`, gateBlocks(s, h, inF, order, true)));
    const r = stack('R', l, [g * h, h], (p, d) => gateBlocks(p(`weight_hh${sfx(l, d)}`), h, h, order), (s, put, d) => put(`weight_hh${sfx(l, d)}`, gateBlocks(s, h, h, order, true)));
    const b = ctx.attrs.bias
      ? [stack(
          'B',
          l,
          [2 * g * h],
          (p, d) => {
            const both = new Float32Array(2 * g * h);
            both.set(gateBlocks(p(`bias_ih${sfx(l, d)}`), h, 1, order));
            both.set(gateBlocks(p(`bias_hh${sfx(l, d)}`), h, 1, order), g * h);
            return both;
          },
          (s, put, d) => {
            put(`bias_ih${sfx(l, d)}`, gateBlocks(s.subarray(0, g * h), h, 1, order, true));
            put(`bias_hh${sfx(l, d)}`, gateBlocks(s.subarray(g * h), h, 1, order, true));
          },
        )]
      : [];
    const last = l === layers - 1;
    if (last && !sequences) {
      // Only Y_h [dirs, N, H]: forward state after the last step, backward state after the first → [N, dirs·H].
      const yh = ctx.temp(`Y_h_l${l}`);
      ctx.emit(spec.onnxOp, [cur, w, r, ...b], ['', yh], attrs);
      if (dirs === 1) onnxSqueeze(ctx, yh, [0], out);
      else onnxReshape(ctx, onnxTranspose(ctx, yh, [1, 0, 2]), [0, -1], out);
      return;
    }
    const y = ctx.temp(`Y_l${l}`);
    ctx.emit(spec.onnxOp, [cur, w, r, ...b], [y], attrs);
    // Y [T, dirs, N, H] → [T, N, dirs·H] (forward features, then backward), the next layer's input.
    const target = last && !batchFirst ? out : ctx.temp(`seq_l${l}`);
    cur = dirs === 1 ? onnxSqueeze(ctx, y, [1], target) : onnxReshape(ctx, onnxTranspose(ctx, y, [0, 2, 1, 3]), [0, 0, -1], target);
  }
  if (batchFirst) onnxTranspose(ctx, cur, [1, 0, 2], out);
}

/** Stacked recurrent layers accepted (PyTorch models use a handful). */
const MAX_LAYERS = 1000;

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
    batchAxis: (a) => (a.batch_first ? 0 : 1),
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
      // Each stacked layer owns its weights: a typo such as num_layers=4253864 must not exhaust memory.
      if (layers > MAX_LAYERS) return ctx.fail('E0301', `${ctx.label}: num_layers must be at most ${MAX_LAYERS}, got ${layers}`, { attr: 'num_layers' });
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
    onnx: (ctx) => lowerRecurrent(spec, ctx),
    tfjs: (ctx) => recurrent(ctx, g === 4 ? 'lstm' : g === 3 ? 'gru' : 'rnn'),
    examples: spec.examples,
  };
}
