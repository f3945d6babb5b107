/**
 * Memory: weight bytes, and the peak of live activation bytes at inference when nodes run in source
 * order and every tensor is freed after its last use (model inputs and outputs live throughout).
 */
import { DTYPE_BYTES } from '../ops/types.js';
import type { Graph } from '../semantics/ir.js';
import { type Dim, type Expr, evaluate, isSymbolic, mul, symbolName } from '../symbolic/dim.js';

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

/** `evaluate`, with a shortcut for a dim that is one symbol (the batch axis of almost every tensor). */
function evaluateSym(d: Expr, env: ReadonlyMap<string, number>): number | undefined {
  const name = symbolName(d);
  return name !== undefined ? env.get(name) : evaluate(d, env);
}

/** Bytes of a tensor with the given symbols set, or undefined when other symbols remain. */
export function tensorBytesAt(g: Graph, id: number, env: ReadonlyMap<string, number>): number | undefined {
  const t = g.tensors[id]!.type;
  let b = DTYPE_BYTES[t.dtype];
  for (const d of t.shape) {
    const v = typeof d === 'number' ? d : evaluateSym(d, env);
    if (v === undefined) return undefined;
    b *= v;
  }
  return b;
}

/**
 * Peak live activation bytes with batch symbols set to each of `batches` (one walk over the graph);
 * undefined where other symbols remain.
 */
export function peakActivationBytes(g: Graph, batches: readonly number[]): (number | undefined)[] {
  const batchSyms = [...batchSymbols(g)];
  const n = g.tensors.length;
  // Typed arrays indexed by tensor id: this walks every tensor and node of the model.
  const sizes = batches.map((batch) => {
    const env = new Map<string, number>(batchSyms.map((s) => [s, batch]));
    const size = new Float64Array(n);
    for (let id = 0; id < n; id++) {
      const b = tensorBytesAt(g, id, env);
      if (b === undefined) return undefined;
      size[id] = b;
    }
    return size;
  });
  const lastUse = new Int32Array(n).fill(-1);
  g.nodes.forEach((node, i) => {
    for (const t of node.inputs) lastUse[t] = i;
  });
  const pinned = new Uint8Array(n);
  for (const p of g.inputs) pinned[p.tensor] = 1;
  for (const p of g.outputs) pinned[p.tensor] = 1;
  return sizes.map((size) => {
    if (!size) return undefined;
    // A tensor is freed once, after the node that uses it last (or at once when nothing uses it).
    const freed = pinned.slice();
    let cur = 0;
    for (const p of g.inputs) cur += size[p.tensor]!;
    let peak = cur;
    for (let i = 0; i < g.nodes.length; i++) {
      const node = g.nodes[i]!;
      for (const o of node.outputs) cur += size[o]!;
      if (cur > peak) peak = cur;
      for (let k = 0; k < node.inputs.length + node.outputs.length; k++) {
        const t = k < node.inputs.length ? node.inputs[k]! : node.outputs[k - node.inputs.length]!;
        if (!freed[t] && lastUse[t]! <= i) {
          freed[t] = 1;
          cur -= size[t]!;
        }
      }
    }
    return peak;
  });
}
