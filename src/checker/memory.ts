/**
 * Memory: weight bytes, and the peak of live activation bytes at inference when nodes run in source
 * order and every tensor is freed after its last use (model inputs and outputs live throughout).
 */
import { DTYPE_BYTES } from '../ops/types.js';
import type { Graph } from '../semantics/ir.js';
import { type Dim, evaluate, isSymbolic, mul } from '../symbolic/dim.js';

export const tensorBytes = (g: Graph, id: number): Dim => {
  const t = g.tensors[id]!.type;
  return t.shape.reduce<Dim>((a, d) => mul(a, d), DTYPE_BYTES[t.dtype]);
};

/** Symbols that are batch axes (the first axis of a model input). */
export function batchSymbols(g: Graph): Set<string> {
  const out = new Set<string>();
  for (const p of g.inputs) {
    const d = g.tensors[p.tensor]!.type.shape[0];
    if (d !== undefined && isSymbolic(d) && d.terms.length === 1 && d.terms[0]!.factors.length === 1 && d.terms[0]!.factors[0]!.atom.kind === 'sym')
      out.add(d.terms[0]!.factors[0]!.atom.name);
  }
  return out;
}

/** Peak live activation bytes with batch symbols set to `batch`; undefined if other symbols remain. */
export function peakActivationBytes(g: Graph, batch: number): number | undefined {
  const env = new Map<string, number>([...batchSymbols(g)].map((s) => [s, batch]));
  const size = new Map<number, number>();
  for (const t of g.tensors) {
    let b = DTYPE_BYTES[t.type.dtype];
    for (const d of t.type.shape) {
      const v = typeof d === 'number' ? d : evaluate(d, env);
      if (v === undefined) return undefined;
      b *= v;
    }
    size.set(t.id, b);
  }
  const lastUse = new Map<number, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((t) => lastUse.set(t, i)));
  const pinned = new Set([...g.inputs, ...g.outputs].map((p) => p.tensor));
  let cur = 0;
  for (const p of g.inputs) cur += size.get(p.tensor)!;
  let peak = cur;
  g.nodes.forEach((n, i) => {
    for (const o of n.outputs) cur += size.get(o)!;
    peak = Math.max(peak, cur);
    for (const t of new Set([...n.inputs, ...n.outputs])) if (!pinned.has(t) && (lastUse.get(t) ?? -1) <= i) cur -= size.get(t)!;
  });
  return peak;
}
