/**
 * Memory: weight bytes, and the peak of live activation bytes at inference when nodes run in source
 * order and every tensor is freed after its last use (model inputs and outputs live throughout).
 */
import { DTYPE_BYTES } from '../ops/types.js';
import type { Graph } from '../semantics/ir.js';
import type { KnownRange } from './rf.js';
import { type Dim, type Expr, evaluate, mul, symbolName } from '../symbolic/dim.js';

export const tensorBytes = (g: Graph, id: number): Dim => {
  const t = g.tensors[id]!.type;
  return t.shape.reduce<Dim>((a, d) => mul(a, d), DTYPE_BYTES[t.dtype]);
};

/**
 * The model's batch symbols: the first axis of each input, as PyTorch, Keras and ONNX lay data out, except
 * where a layer says its batch sits elsewhere (`OpDef.batchAxis`: a time-major recurrent layer reads
 * `[T, N, F]`, so `N` is the batch and `T` is not). Costs are per sample over these symbols, `--batch` binds
 * them, and `dslc run` reads a file's batch from their axis.
 */
export function batchSymbols(g: Graph): Set<string> {
  const notBatch = new Set<string>();
  const moved = new Set<string>();
  for (const n of g.nodes) {
    const axis = n.op.batchAxis?.(n.attrs) ?? 0;
    if (axis === 0 || n.inputs[0] === undefined) continue;
    const shape = g.tensors[n.inputs[0]]!.type.shape;
    const b = shape[axis] !== undefined ? symbolName(shape[axis]) : undefined;
    const first = shape[0] !== undefined ? symbolName(shape[0]) : undefined;
    if (b !== undefined) moved.add(b);
    if (first !== undefined && first !== b) notBatch.add(first);
  }
  const out = new Set<string>();
  for (const p of g.inputs)
    g.tensors[p.tensor]!.type.shape.forEach((d, i) => {
      const s = symbolName(d);
      if (s !== undefined && ((i === 0 && !notBatch.has(s)) || moved.has(s))) out.add(s);
    });
  return out;
}

/** The axis of input `index` holding a batch symbol (the first such axis), or undefined when none does. */
export function batchAxisOf(g: Graph, index: number, batch: ReadonlySet<string> = batchSymbols(g)): number | undefined {
  const shape = g.tensors[g.inputs[index]!.tensor]!.type.shape;
  const i = shape.findIndex((d) => {
    const s = symbolName(d);
    return s !== undefined && batch.has(s);
  });
  return i < 0 ? undefined : i;
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
