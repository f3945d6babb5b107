/**
 * Receptive fields per spatial axis, forward through the graph (Araujo et al. / Dumoulin & Visin):
 * `jump_out = jump_in*S`, `size_out = size_in + (K_eff-1)*jump_in`,
 * `start_out = start_in + ((K_eff-1)/2 - pad_begin)*jump_in`, starting from size 1, jump 1, start 0.5
 * (the centre of input pixel 0). Merges (add, concat) take the union of their branches.
 */
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Graph } from '../semantics/ir.js';

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
    if ((k < skip || (sx && k >= sx.nodes[0] && k < sx.nodes[1])) && (node.rf.kind !== 'merge' || !misaligned(node.inputs, rf))) continue;
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
      case 'merge': {
        const present = node.inputs.map((i) => rf[i]).filter((x): x is readonly RfAxis[] => x !== undefined);
        if (!present.length) {
          out = undefined;
          break;
        }
        const rank = present[0]!.length;
        if (present.some((p) => p.length !== rank)) {
          out = undefined;
          break;
        }
        // Branches with equal fields (a residual around size-keeping layers, the common case) need no union.
        if (present.every((p) => p === present[0] || p.every((a, i) => a.size === present[0]![i]!.size && a.jump === present[0]![i]!.jump && a.start === present[0]![i]!.start))) {
          out = present[0];
          break;
        }
        out = present[0]!.map((_, i) => {
          const axes = present.map((p) => p[i]!);
          const misaligned = axes.some((a) => a.jump !== axes[0]!.jump || (a.start !== undefined && axes[0]!.start !== undefined && Math.abs(a.start - axes[0]!.start) > 1e-9));
          if (misaligned && i === 0) {
            const jumps = new Set(axes.map((a) => a.jump)).size > 1 ? `strides differ (jumps ${axes.map((a) => a.jump).join(' vs ')})` : '';
            const starts = axes.some((a) => a.start !== axes[0]!.start) ? `the first outputs are centred at different input positions (${axes.map((a) => a.start ?? '?').join(' vs ')} px)` : '';
            const inputs = node.inputs.map((t) => g.tensors[t]!.name ?? 'a branch').join(', ');
            diagnostics.push(diag('W0103', `${node.path}: the merged branches (${inputs}) are misaligned: ${[jumps, starts].filter(Boolean).join('; ')}`, node.span, {
              hint: 'branches of a merge should see the same input positions: match strides and paddings',
            }));
          }
          if (axes.some((a) => a.start === undefined)) return { size: Math.max(...axes.map((a) => a.size)), jump: Math.max(...axes.map((a) => a.jump)), start: undefined };
          const lo = Math.min(...axes.map((a) => a.start! - a.size / 2));
          const hi = Math.max(...axes.map((a) => a.start! + a.size / 2));
          return { size: hi - lo, jump: Math.max(...axes.map((a) => a.jump)), start: (lo + hi) / 2 };
        });
        break;
      }
    }
    for (let j = 0; j < node.outputs.length; j++) {
      const o = node.outputs[j]!;
      const n = spatialRank(g.tensors[o]!.type.shape.length);
      rf[o] = out && out.length === n ? out : undefined;
    }
  }
  return { rf, diagnostics };
}

/**
 * Whether a merge of these inputs warns (W0103 below): its branches have fields of one rank whose first axes
 * differ in jump or start. (Without allocating: the editor asks this of every known merge per keystroke.)
 */
function misaligned(inputs: readonly number[], rf: readonly Rf[]): boolean {
  let first: readonly RfAxis[] | undefined;
  for (let k = 0; k < inputs.length; k++) {
    const r = rf[inputs[k]!];
    if (!r) continue;
    if (!first) first = r;
    else if (r.length !== first.length) return false;
  }
  if (!first?.length) return false;
  const a0 = first[0]!;
  for (let k = 0; k < inputs.length; k++) {
    const a = rf[inputs[k]!]?.[0];
    if (a && (a.jump !== a0.jump || (a.start !== undefined && a0.start !== undefined && Math.abs(a.start - a0.start) > 1e-9))) return true;
  }
  return false;
}
