/**
 * Receptive fields per spatial axis, forward through the graph (Araujo et al. / Dumoulin & Visin):
 * `jump_out = jump_in*S`, `size_out = size_in + (K_eff-1)*jump_in`,
 * `start_out = start_in + ((K_eff-1)/2 - pad_begin)*jump_in`, starting from size 1, jump 1, start 0.5
 * (the centre of input pixel 0). Merges (add, concat) take the union of their branches.
 */
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Graph, IrNode } from '../semantics/ir.js';
import { withBlockCalls } from '../semantics/state.js';

export interface RfAxis {
  readonly size: number;
  readonly jump: number;
  /** Undefined when padding depends on a symbolic size. */
  readonly start: number | undefined;
}
export type Rf = readonly RfAxis[] | undefined;

const spatialRank = (rank: number) => (rank >= 3 ? rank - 2 : 0);

/** A run of nodes and tensors `[from, to)` known from an earlier analysis, where they were numbered `shift` less. */
export interface KnownRange {
  readonly nodes: readonly [number, number];
  readonly tensors: readonly [number, number];
  readonly nodeShift: number;
  readonly tensorShift: number;
}

/**
 * The receptive field of every tensor (index = tensor id), and W0103 for misaligned merges. `known`: the
 * fields of a prefix of the graph (its first `nodes` nodes and `tensors` tensors) from an earlier analysis
 * of the same nodes: only merges are looked at again there (their warnings name tensors, whose names a
 * later statement may have given). `suffix`: more such nodes and tensors further on, numbered `shift` more
 * than in that analysis (the statements an early cutoff reused).
 */
export function receptiveFields(g: Graph, known?: { readonly rf: readonly Rf[]; readonly nodes: number; readonly tensors: number; readonly suffix?: KnownRange }): { rf: Rf[]; diagnostics: Diagnostic[] } {
  const rf: Rf[] = new Array(g.tensors.length).fill(undefined);
  const diagnostics: Diagnostic[] = [];
  // (Indexed loops over the ports in the whole-graph passes: a for-of there deoptimized the whole pass.)
  for (let i = 0; i < g.inputs.length; i++) {
    const p = g.inputs[i]!;
    const n = spatialRank(g.tensors[p.tensor]!.type.shape.length);
    rf[p.tensor] = n ? Array.from({ length: n }, () => ({ size: 1, jump: 1, start: 0.5 })) : undefined;
  }
  const skip = known ? known.nodes : 0;
  if (known) for (let t = 0; t < known.tensors; t++) rf[t] = known.rf[t];
  const sx = known?.suffix;
  if (sx) for (let t = sx.tensors[0]; t < sx.tensors[1]; t++) rf[t] = known.rf[t - sx.tensorShift];
  for (let k = 0; k < g.nodes.length; k++) {
    const node = g.nodes[k]!;
    // A known merge has its known field too; it is looked at again only for its warning (see above).
    if ((k < skip || (sx && k >= sx.nodes[0] && k < sx.nodes[1])) && (node.rf.kind !== 'merge' || !misaligned(g, node, rf))) continue;
    const first = rf[node.inputs[0]!];
    let out: Rf;
    const t = node.rf;
    switch (t.kind) {
      case 'identity':
        out = first;
        break;
      case 'none':
        out = undefined;
        break;
      case 'window':
        out = first && first.length === t.axes.length
          ? first.map((a, i) => {
              const w = t.axes[i]!;
              const ke = w.dilation * (w.kernel - 1) + 1;
              return { size: a.size + (ke - 1) * a.jump, jump: a.jump * w.stride, start: a.start === undefined || w.padBegin === undefined ? undefined : a.start + ((ke - 1) / 2 - w.padBegin) * a.jump };
            })
          : undefined;
        break;
      case 'transpose':
        out = first && first.length === t.axes.length
          ? first.map((a, i) => {
              const w = t.axes[i]!;
              const ke = w.dilation * (w.kernel - 1) + 1;
              const jump = a.jump / w.stride;
              // Each output gathers from ceil(K_eff/S) consecutive inputs.
              return { size: a.size + (Math.ceil(ke / w.stride) - 1) * a.jump, jump, start: a.start === undefined || w.padBegin === undefined ? undefined : a.start + ((w.padBegin - (ke - 1) / 2) / w.stride) * a.jump };
            })
          : undefined;
        break;
      case 'scale':
        out = first && first.length === t.factors.length
          ? first.map((a, i) => {
              const f = t.factors[i]!;
              return { size: a.size, jump: a.jump / f, start: a.start === undefined ? undefined : a.start + (0.5 / f - 0.5) * a.jump };
            })
          : undefined;
        break;
      case 'global': {
        const inT = g.tensors[node.inputs[0]!]!;
        const model = g.inputs.map((p) => g.tensors[p.tensor]!.type.shape).find((s) => s.length === inT.type.shape.length);
        out = first && model
          ? first.map((a, i) => {
              const extent = model[i + 2];
              return typeof extent === 'number' ? { size: extent, jump: extent, start: extent / 2 } : a;
            })
          : undefined;
        break;
      }
      case 'mix': {
        const shape = g.tensors[node.inputs[0]!]!.type.shape;
        out = first && first.length === t.axes.length
          ? first.map((a, i) => {
              const e = shape[i + 2];
              // Each output sees every position of a mixed axis (the union of their fields); the grid stays.
              return t.axes[i] && typeof e === 'number' ? { size: a.size + (e - 1) * a.jump, jump: a.jump, start: a.start } : a;
            })
          : undefined;
        break;
      }
      case 'merge':
        out = mergeFields(g, node, rf, diagnostics);
        break;
    }
    for (let j = 0; j < node.outputs.length; j++) {
      const o = node.outputs[j]!;
      const n = spatialRank(g.tensors[o]!.type.shape.length);
      rf[o] = out && out.length === n ? out : undefined;
    }
  }
  return { rf, diagnostics };
}

/** Whether the input `t` of a merge is broadcast along spatial axis `i`: extent 1 where the output's is not. */
function spread(g: Graph, t: number, out: number, i: number): boolean {
  return g.tensors[t]!.type.shape[i + 2] === 1 && g.tensors[out]!.type.shape[i + 2] !== 1;
}

/**
 * Whether the merge's output has one position along spatial axis `i`: its inputs' grids cannot be misaligned there
 * (squeeze-and-excitation on a 1×1 map, where the gate is no longer broadcast).
 */
function single(g: Graph, out: number, i: number): boolean {
  return g.tensors[out]!.type.shape[i + 2] === 1;
}

/** Names of the spatial axes by their count, for messages. */
const AXIS_NAMES: Record<number, readonly string[]> = { 2: ['H', 'W'], 3: ['D', 'H', 'W'] };

const sameAxis = (a: RfAxis, b: RfAxis) => a.size === b.size && a.jump === b.jump && a.start === b.start;
const offGrid = (a: RfAxis, b: RfAxis) => a.jump !== b.jump || (a.start !== undefined && b.start !== undefined && Math.abs(a.start - b.start) > 1e-9);

/**
 * The field of a merge's output: per axis, the union of its inputs' fields. The grid (jump, start) and the
 * W0103 check come from the inputs laid out along that axis; one broadcast along it (see `spread`) only
 * widens the field, to its own size at most (it is the same at every position).
 */
function mergeFields(g: Graph, node: IrNode, rf: readonly Rf[], diagnostics: Diagnostic[]): Rf {
  const present: { readonly t: number; readonly f: readonly RfAxis[] }[] = [];
  for (let k = 0; k < node.inputs.length; k++) {
    const t = node.inputs[k]!;
    const f = rf[t];
    if (!f) continue;
    if (present.length && f.length !== present[0]!.f.length) return undefined;
    present.push({ t, f });
  }
  if (!present.length) return undefined;
  const f0 = present[0]!.f;
  // Branches with equal fields (a residual around size-keeping layers, the common case) need no union.
  if (present.every((p) => p.f === f0 || p.f.every((a, i) => sameAxis(a, f0[i]!)))) return f0;
  const outT = node.outputs[0]!;
  let warned = false;
  return f0.map((_, i) => {
    const laid = present.filter((p) => !spread(g, p.t, outT, i));
    const lead = (laid.length ? laid : present).map((p) => p.f[i]!);
    if (!warned && !single(g, outT, i) && lead.some((a) => offGrid(a, lead[0]!))) {
      warned = true;
      const jumps = new Set(lead.map((a) => a.jump)).size > 1 ? `strides differ (jumps ${lead.map((a) => a.jump).join(' vs ')})` : '';
      const starts = lead.some((a) => a.start !== lead[0]!.start) ? `the first outputs are centred at different input positions (${lead.map((a) => a.start ?? '?').join(' vs ')} px)` : '';
      const inputs = node.inputs.map((t) => g.tensors[t]!.name ?? 'a branch').join(', ');
      diagnostics.push(diag('W0103', `${node.path}: the merged branches (${inputs}) are misaligned${i > 0 ? ` along ${AXIS_NAMES[f0.length]?.[i] ?? `spatial axis ${i}`}` : ''}: ${[jumps, starts].filter(Boolean).join('; ')}`, node.span, withBlockCalls(node.blockPath, {
        hint: 'branches of a merge should see the same input positions: match strides and paddings',
      })));
    }
    const widest = laid.length && laid.length < present.length ? Math.max(...present.filter((p) => spread(g, p.t, outT, i)).map((p) => p.f[i]!.size)) : 0;
    const jump = Math.max(...lead.map((a) => a.jump));
    if (lead.some((a) => a.start === undefined)) return { size: Math.max(widest, ...lead.map((a) => a.size)), jump, start: undefined };
    const lo = Math.min(...lead.map((a) => a.start! - a.size / 2));
    const hi = Math.max(...lead.map((a) => a.start! + a.size / 2));
    return { size: Math.max(hi - lo, widest), jump, start: (lo + hi) / 2 };
  });
}

/**
 * Whether a merge warns (W0103, see `mergeFields`): along some axis, the inputs laid out along it differ in
 * jump or start. (Without allocating: the editor asks this of every known merge per keystroke.)
 */
function misaligned(g: Graph, node: IrNode, rf: readonly Rf[]): boolean {
  const inputs = node.inputs;
  let first: readonly RfAxis[] | undefined;
  for (let k = 0; k < inputs.length; k++) {
    const r = rf[inputs[k]!];
    if (!r) continue;
    if (!first) first = r;
    else if (r.length !== first.length) return false;
  }
  if (!first?.length) return false;
  const outT = node.outputs[0]!;
  for (let i = 0; i < first.length; i++) {
    if (single(g, outT, i)) continue;
    let lead: RfAxis | undefined;
    let any = false;
    for (let k = 0; k < inputs.length; k++) if (rf[inputs[k]!] && !spread(g, inputs[k]!, outT, i)) any = true;
    for (let k = 0; k < inputs.length; k++) {
      const t = inputs[k]!;
      const a = rf[t]?.[i];
      if (!a || (any && spread(g, t, outT, i))) continue;
      if (!lead) lead = a;
      else if (offGrid(a, lead)) return true;
    }
  }
  return false;
}
