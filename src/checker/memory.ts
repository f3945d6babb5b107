/**
 * Memory: weight bytes, and the peak of live activation bytes at inference when nodes run in source
 * order and every tensor is freed after its last use (model inputs and outputs live throughout).
 */
import { DTYPE_BYTES } from '../ops/types.js';
import type { Graph } from '../semantics/ir.js';
import type { KnownRange } from './rf.js';
import { type Dim, type Expr, evaluate, isSymbolic, mul, symbolName } from '../symbolic/dim.js';

export const tensorBytes = (g: Graph, id: number): Dim => {
  const t = g.tensors[id]!.type;
  return t.shape.reduce<Dim>((a, d) => mul(a, d), DTYPE_BYTES[t.dtype]);
};

/** Symbols that are batch axes (the first axis of a model input). */
export function batchSymbols(g: Graph): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < g.inputs.length; i++) {
    const d = g.tensors[g.inputs[i]!.tensor]!.type.shape[0];
    if (d !== undefined && isSymbolic(d) && d.terms.length === 1 && d.terms[0]!.factors.length === 1 && d.terms[0]!.factors[0]!.atom.kind === 'sym')
      out.add(d.terms[0]!.factors[0]!.atom.name);
  }
  return out;
}

/**
 * Bytes of every tensor (index = tensor id) with the batch symbols set to each of `batches`; NaN where other
 * symbols remain. One pass over the tensors: a symbolic dim is evaluated once per distinct dim object (the
 * batch axis is one object passed from layer to layer), not once per tensor.
 */
export function activationSizes(g: Graph, batches: readonly number[], known?: { readonly sizes: readonly Float64Array[]; readonly tensors: number; readonly suffix?: KnownRange }): Float64Array[] {
  const batchSyms = [...batchSymbols(g)];
  const envs = batches.map((b) => new Map<string, number>(batchSyms.map((s) => [s, b])));
  const memo = envs.map(() => new Map<Expr, number>());
  const n = g.tensors.length;
  const out = envs.map(() => new Float64Array(n));
  // `known`: the sizes of the first tensors, from an analysis of the same tensors (a resumed check).
  const from = known && known.sizes.length === batches.length ? Math.min(known.tensors, n) : 0;
  for (let j = 0; j < out.length && from; j++) out[j]!.set(known!.sizes[j]!.subarray(0, from));
  const sx = from ? known!.suffix : undefined;
  const [s0, s1] = sx && sx.tensors[1] <= n ? sx.tensors : [n, n];
  for (let j = 0; j < out.length && s0 < s1; j++) out[j]!.set(known!.sizes[j]!.subarray(s0 - sx!.tensorShift, s1 - sx!.tensorShift), s0);
  for (let id = from; id < n; id++) {
    if (id === s0) id = s1;
    if (id >= n) break;
    const t = g.tensors[id]!.type;
    const base = DTYPE_BYTES[t.dtype];
    for (let j = 0; j < envs.length; j++) {
      let b = base;
      const shape = t.shape;
      for (let k = 0; k < shape.length; k++) {
        const d = shape[k]!;
        if (typeof d === 'number') b *= d;
        else {
          let v = memo[j]!.get(d);
          if (v === undefined) {
            const name = symbolName(d);
            v = (name !== undefined ? envs[j]!.get(name) : evaluate(d, envs[j]!)) ?? NaN;
            memo[j]!.set(d, v);
          }
          b *= v;
        }
      }
      out[j]![id] = b;
    }
  }
  return out;
}

/**
 * Peak live activation bytes for each array of tensor sizes (from {@link activationSizes}); undefined where
 * a size is unknown (NaN).
 */
export function peakActivationBytes(g: Graph, sizes: readonly Float64Array[]): (number | undefined)[] {
  const n = g.tensors.length;
  const nodes = g.nodes;
  const lastUse = new Int32Array(n).fill(-1);
  // (Indexed loops here and below: cold, as in a first check, a for-of allocates an iterator per array.)
  for (let i = 0; i < nodes.length; i++) {
    const ins = nodes[i]!.inputs;
    for (let k = 0; k < ins.length; k++) lastUse[ins[k]!] = i;
  }
  const pinned = new Uint8Array(n);
  for (let i = 0; i < g.inputs.length; i++) pinned[g.inputs[i]!.tensor] = 1;
  for (let i = 0; i < g.outputs.length; i++) pinned[g.outputs[i]!.tensor] = 1;
  return sizes.map((size) => {
    for (let id = 0; id < n; id++) if (Number.isNaN(size[id]!)) return undefined;
    // A tensor is freed once, after the node that uses it last (or at once when nothing uses it).
    const freed = pinned.slice();
    let cur = 0;
    for (let i = 0; i < g.inputs.length; i++) cur += size[g.inputs[i]!.tensor]!;
    let peak = cur;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const ins = node.inputs;
      const outs = node.outputs;
      for (let k = 0; k < outs.length; k++) cur += size[outs[k]!]!;
      if (cur > peak) peak = cur;
      for (let k = 0; k < ins.length; k++) {
        const t = ins[k]!;
        if (!freed[t] && lastUse[t]! <= i) {
          freed[t] = 1;
          cur -= size[t]!;
        }
      }
      for (let k = 0; k < outs.length; k++) {
        const t = outs[k]!;
        if (!freed[t] && lastUse[t]! <= i) {
          freed[t] = 1;
          cur -= size[t]!;
        }
      }
    }
    return peak;
  });
}
