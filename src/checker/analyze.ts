/** The checker: per-layer and total parameters, MACs, FLOPs, memory and receptive fields, plus rules. */
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Elaboration } from '../semantics/elaborate.js';
import type { Graph, IrNode } from '../semantics/ir.js';
import { DTYPE_BYTES } from '../ops/types.js';
import { type Dim, add, evaluate, formatDim, substitute } from '../symbolic/dim.js';
import { activationSizes, batchSymbols, peakActivationBytes, tensorBytes } from './memory.js';
import { type Rf, receptiveFields } from './rf.js';
import { RULES } from './rules/index.js';
import { formatCount } from './summary.js';

export interface LayerReport {
  readonly node: IrNode;
  readonly path: string;
  readonly op: string;
  readonly outputShapes: readonly (readonly Dim[])[];
  /** Parameters owned by this layer; 0 on later applications of shared weights. */
  readonly params: number;
  readonly trainableParams: number;
  readonly macs: Dim;
  readonly flops: Dim;
  readonly outputBytes: Dim;
  readonly rf: Rf;
  /** Path of the layer whose weights this one re-uses. */
  readonly sharedWith?: string;
}

export interface Totals {
  readonly params: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  readonly macs: Dim;
  readonly flops: Dim;
  readonly weightBytes: number;
  /** Peak live activations at batch 1; undefined when non-batch dims are symbolic. */
  readonly peakActivationBytes: number | undefined;
  /** Extra peak bytes per additional sample in the batch. */
  readonly peakActivationBytesPerSample: number | undefined;
}

export interface CheckedModel {
  readonly graph: Graph;
  readonly layers: readonly LayerReport[];
  readonly totals: Totals;
  /** Receptive field of every tensor, by tensor id. */
  readonly rf: readonly Rf[];
}

export interface CheckOptions {
  readonly maxParams?: number;
  readonly maxMacs?: number;
}

const times = (a: number, b: number) => a * b;
const count = (shape: readonly number[]) => shape.reduce(times, 1);

/**
 * Analyses an elaborated model, evaluates its deferred assertions and rules; never throws. `previous`: the
 * analysis of the elaboration a resumed one continued (see `Elaboration.reused`): the layer reports and
 * receptive fields of the nodes both share are taken from it.
 */
export function analyze(el: Elaboration, opts: CheckOptions = {}, previous?: CheckedModel): { result: CheckedModel; diagnostics: Diagnostic[] } {
  const g = el.graph;
  const diagnostics: Diagnostic[] = [];
  const r = el.reused;
  const shared = r && previous && r.nodes <= previous.layers.length && r.tensors <= previous.rf.length && (r.nodes === 0 || previous.graph.nodes[r.nodes - 1] === g.nodes[r.nodes - 1]) ? r : undefined;
  // After an early cutoff: the reused statements' layers are moved copies of the previous graph's.
  const sx = shared && r!.suffix && previous!.graph.nodes === r!.suffix.oldNodes.deref() ? r!.suffix : undefined;
  const { rf, diagnostics: rfDiags } = receptiveFields(g, shared && { rf: previous!.rf, nodes: shared.nodes, tensors: shared.tensors, ...(sx ? { suffix: sx } : {}) });
  diagnostics.push(...rfDiags);
  let params = 0;
  let trainable = 0;
  let weightBytes = 0;
  let macs: Dim = 0;
  let flops: Dim = 0;
  // Costs are per sample: a symbolic batch axis counts as 1 (as torchinfo and Keras report them).
  const perSample = new Map<string, number>([...batchSymbols(g)].map((b) => [b, 1]));
  const ps = (d: Dim): Dim => (typeof d === 'number' || !perSample.size ? d : (evaluate(d, perSample) ?? substitute(d, perSample, g.facts)));
  const before = shared && running.get(previous!);
  // Tensor bytes at batch 1 (per sample) and 2 (for the per-sample peak), computed once for every tensor.
  const sizes = activationSizes(g, [1, 2], before ? { sizes: before.sizes, tensors: shared!.tensors, ...(sx ? { suffix: sx } : {}) } : undefined);
  const size1 = sizes[0]!;
  // Numeric where every size is known per sample (the common case), symbolic otherwise.
  const outputBytes = (n: IrNode): Dim => {
    let sum = 0;
    for (let j = 0; j < n.outputs.length; j++) sum += size1[n.outputs[j]!]!;
    return Number.isNaN(sum) ? ps(n.outputs.reduce<Dim>((a, o) => add(a, tensorBytes(g, o)), 0)) : sum;
  };
  const nodeCount = g.nodes.length;
  const layers: LayerReport[] = new Array(nodeCount);
  const run: Running = { params: new Float64Array(nodeCount), trainable: new Float64Array(nodeCount), weightBytes: new Float64Array(nodeCount), macs: new Float64Array(nodeCount), flops: new Float64Array(nodeCount), sizes };
  // A resumed check starts after the layers it shares with the previous one, from its running totals there
  // (the same sums in the same order: the same numbers).
  let first = 0;
  const k = shared ? shared.nodes - 1 : -1;
  if (before && k >= 0 && !Number.isNaN(before.macs[k]!) && !Number.isNaN(before.flops[k]!)) {
    params = before.params[k]!;
    trainable = before.trainable[k]!;
    weightBytes = before.weightBytes[k]!;
    macs = before.macs[k]!;
    flops = before.flops[k]!;
    first = k + 1;
    for (const key of ['params', 'trainable', 'weightBytes', 'macs', 'flops'] as const) run[key].set(before[key].subarray(0, first));
    for (let i = 0; i < first; i++) layers[i] = previous!.layers[i]!;
  }
  for (let i = first; i < nodeCount; i++) {
    const n = g.nodes[i]!;
    const own = n.sharedWith === undefined;
    // One pass over the weights (this loop runs for every layer of the model).
    let p = 0;
    let tp = 0;
    if (own)
      for (let j = 0; j < n.params.length; j++) {
        const x = n.params[j]!;
        const c = count(x.shape);
        p += c;
        if (x.trainable) tp += c;
        weightBytes += c * DTYPE_BYTES[x.dtype ?? 'float32'];
      }
    params += p;
    trainable += tp;
    const old = shared && i < shared.nodes ? previous!.layers[i]! : sx && i >= sx.nodes[0] && i < sx.nodes[1] ? moved(previous!.layers[i - sx.nodeShift]!, n) : undefined;
    const m = old ? old.macs : ps(n.macs);
    const f = old ? old.flops : ps(n.flops);
    macs = typeof macs === 'number' && typeof m === 'number' ? macs + m : add(macs, m);
    flops = typeof flops === 'number' && typeof f === 'number' ? flops + f : add(flops, f);
    run.params[i] = params;
    run.trainable[i] = trainable;
    run.weightBytes[i] = weightBytes;
    run.macs[i] = typeof macs === 'number' ? macs : NaN;
    run.flops[i] = typeof flops === 'number' ? flops : NaN;
    if (old) {
      layers[i] = old;
      continue;
    }
    const outputShapes = n.outputs.length === 1 ? [g.tensors[n.outputs[0]!]!.type.shape] : n.outputs.map((o) => g.tensors[o]!.type.shape);
    const layer: LayerReport = { node: n, path: n.path, op: n.op.name, outputShapes, params: p, trainableParams: tp, macs: m, flops: f, outputBytes: outputBytes(n), rf: rf[n.outputs[0]!] };
    layers[i] = own ? layer : { ...layer, sharedWith: g.nodes[n.sharedWith!]!.path };
  }
  if (!Number.isSafeInteger(params)) diagnostics.push(diag('E0406', `${g.name} has about ${params.toExponential(3)} parameters, beyond 2^53: counts would be inexact`, g.span));
  // (Indexed, not destructured: the array's elements kind varies with the values, and the optimized
  // destructuring deoptimized on the first keystrokes after each change of kind.)
  const peaks = peakActivationBytes(g, sizes);
  const peak1 = peaks[0];
  const peak2 = peaks[1];
  diagnostics.push(...precisionLoss(g, layers, macs, flops, peak1));
  const totals: Totals = {
    params,
    trainableParams: trainable,
    nonTrainableParams: params - trainable,
    macs,
    flops,
    weightBytes,
    peakActivationBytes: peak1,
    peakActivationBytesPerSample: peak1 !== undefined && peak2 !== undefined ? peak2 - peak1 : undefined,
  };
  for (const rule of RULES) rule(g, (d) => diagnostics.push(d));
  const totalsByName: Record<string, Dim | undefined> = {
    params, trainable_params: trainable, non_trainable_params: params - trainable, macs, flops, weight_bytes: weightBytes, peak_activation_bytes: peak1,
  };
  diagnostics.push(
    ...el.runDeferred({
      total: (name) => totalsByName[name],
      rf: (t) => rf[t]?.map((a) => ({ size: a.size, jump: a.jump, start: a.start ?? NaN })),
    }),
  );
  if (opts.maxParams !== undefined && params > opts.maxParams)
    diagnostics.push(diag('E0501', `${g.name} has ${formatCount(params)} parameters, over the budget of ${formatCount(opts.maxParams)} (--max-params)`, g.span));
  if (opts.maxMacs !== undefined) {
    // A budget CI cannot evaluate must not pass silently.
    if (typeof macs !== 'number') diagnostics.push(diag('E0501', `${g.name}: MACs are symbolic (${formatDim(macs)}), so the --max-macs budget cannot be checked`, g.span, { hint: 'give concrete sizes with --input-shape, e.g. --input-shape H=224,W=224' }));
    else if (macs > opts.maxMacs) diagnostics.push(diag('E0501', `${g.name} needs ${formatCount(macs)} MACs, over the budget of ${formatCount(opts.maxMacs)} (--max-macs)`, g.span));
  }
  const result: CheckedModel = { graph: g, layers, totals, rf };
  running.set(result, run);
  return { result, diagnostics };
}

/** A layer report of the previous analysis for the copy `n` of its node (an early cutoff's). */
const moved = (l: LayerReport, n: IrNode): LayerReport => {
  // (A literal of the loop's shape below: a spread copy costs several times more.)
  const { path, op, outputShapes, params, trainableParams, macs, flops, outputBytes, rf, sharedWith } = l;
  const r: LayerReport = { node: n, path, op, outputShapes, params, trainableParams, macs, flops, outputBytes, rf };
  return sharedWith === undefined ? r : { ...r, sharedWith };
};

/**
 * The analysis `m` for its graph's copy `g` (the same layers, spans moved: see src/semantics/rebase.ts), so
 * that a check resumed from that copy reuses it as it would `m`.
 */
export function rebasedModel(m: CheckedModel, g: Graph): CheckedModel {
  const out: CheckedModel = { graph: g, layers: m.layers.map((l, i) => moved(l, g.nodes[i]!)), totals: m.totals, rf: m.rf };
  const run = running.get(m);
  if (run) running.set(out, run);
  return out;
}

/** Running totals after each layer and the tensor sizes of an analysis, for a resumed one to start from. */
interface Running {
  readonly params: Float64Array;
  readonly trainable: Float64Array;
  readonly weightBytes: Float64Array;
  /** NaN from where the total is symbolic. */
  readonly macs: Float64Array;
  readonly flops: Float64Array;
  readonly sizes: readonly Float64Array[];
}
const running = new WeakMap<CheckedModel, Running>();

/** Beyond 2^53 a double no longer holds every integer: a count there would be printed wrong. */
const inexact = (d: Dim | undefined): d is number => typeof d === 'number' && !Number.isSafeInteger(d);

/** E0406 for the first layer whose MACs, FLOPs or output size lose integer precision, else for the totals. */
function precisionLoss(g: Graph, layers: readonly LayerReport[], macs: Dim, flops: Dim, peak: number | undefined): Diagnostic[] {
  const hint = 'the sizes are far beyond any real network: check the input shape and layer sizes';
  for (const l of layers) {
    const what = inexact(l.macs) ? ['MACs', l.macs] : inexact(l.flops) ? ['FLOPs', l.flops] : inexact(l.outputBytes) ? ['output bytes', l.outputBytes] : undefined;
    if (what) return [diag('E0406', `${l.path}: about ${(what[1] as number).toExponential(3)} ${what[0]}, beyond 2^53: counts would be inexact`, l.node.span, { hint })];
  }
  const total = inexact(macs) ? ['MACs', macs] : inexact(flops) ? ['FLOPs', flops] : inexact(peak) ? ['bytes of peak activation memory', peak] : undefined;
  return total ? [diag('E0406', `${g.name} needs about ${(total[1] as number).toExponential(3)} ${total[0]}, beyond 2^53: counts would be inexact`, g.span, { hint })] : [];
}
