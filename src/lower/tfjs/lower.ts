/**
 * Checked model → TensorFlow GraphDef (tfjs-converter's JSON form) with its weights: every op lowers itself through
 * its `tfjs` function; this file specialises symbolic sizes, tracks each value's layout (dslc's NCHW or channels-last),
 * inserts the boundary transposes, names nodes after source paths and then runs the fusion pass. Synchronous and
 * runtime-free: `lowerToTfjs` loads the result as a `tf.GraphModel`, `--emit tfjs` writes it.
 */
import type { CheckedModel } from '../../checker/analyze.js';
import { batchSymbols } from '../../checker/memory.js';
import { diag } from '../../diagnostics/make.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import type { ConcreteType, TfDType, TfLayout, TfjsLowerContext } from '../../ops/tfjs-types.js';
import type { DType } from '../../ops/types.js';
import type { IrNode } from '../../semantics/ir.js';
import { evaluate, formatDim, isSymbolic, symbolsOf } from '../../symbolic/dim.js';
import { type InitScheme, initParam, paramKey } from '../weights.js';
import { fuse } from './fuse.js';
import { GraphBuilder, type TfjsArtifacts } from './graph.js';

export interface TfjsGraphOptions {
  /** Trained weights by parameter key (`<layer path>.<param>`), dslc layouts; missing ones are initialised. */
  readonly weights?: ReadonlyMap<string, Float32Array>;
  readonly init?: InitScheme;
  readonly seed?: number;
  /** Value of the inputs' batch symbol (default 1). */
  readonly batch?: number;
  /** Values of other input symbols (`T` → 50); a symbol without a value is an error (E0603). */
  readonly sizes?: ReadonlyMap<string, number>;
  /** Skip the fusion pass (tests compare both). */
  readonly noFuse?: boolean;
  /** The backend the graph will run on, when known (see `TfjsLowerContext.backend`); unset: a portable graph. */
  readonly backend?: string;
}

/** A port of the lowered graph: name, concrete NCHW shape and tfjs dtype. */
export interface TfjsPort {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: TfDType;
  /** dslc's declared shape (symbolic sizes as their names or expressions). */
  readonly declared: readonly (number | string)[];
  /** The GraphDef node holding it (the port name unless an input has the same name). */
  readonly node: string;
}

export interface TfjsGraph {
  readonly artifacts: TfjsArtifacts;
  readonly inputs: readonly TfjsPort[];
  readonly outputs: readonly TfjsPort[];
  /** The size of every input symbol used. */
  readonly env: ReadonlyMap<string, number>;
}

/** tfjs has no int64: integer inputs (embedding indices) are int32. */
export const tfDType = (d: DType): TfDType => (d === 'float32' || d === 'float16' || d === 'float64' || d === 'bfloat16' ? 'float32' : 'int32');

/** Perm taking NCHW to channels-last for rank r (and its inverse). */
export const toNhwc = (r: number): number[] => [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
export const toNchw = (r: number): number[] => [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];

/** The symbols of the model's inputs: the batch symbols (src/checker/memory.ts `batchSymbols`) and the others. */
export function inputSymbols(m: CheckedModel): { batch: Set<string>; other: Set<string> } {
  const batch = batchSymbols(m.graph);
  const other = new Set<string>();
  for (const p of m.graph.inputs) m.graph.tensors[p.tensor]!.type.shape.forEach((d) => isSymbolic(d) && symbolsOf(d, other));
  for (const s of batch) other.delete(s);
  return { batch, other };
}

/** Builds the GraphDef; `result` is undefined when an op cannot be lowered or a size is unknown (diagnostics say why). */
export function buildTfjsGraph(m: CheckedModel, opts: TfjsGraphOptions = {}): { result?: TfjsGraph; diagnostics: Diagnostic[] } {
  const g = m.graph;
  const diagnostics: Diagnostic[] = [];
  const env = new Map<string, number>(opts.sizes ?? []);
  const { batch, other } = inputSymbols(m);
  for (const s of batch) if (!env.has(s)) env.set(s, opts.batch ?? 1);
  const missingSyms = [...other].filter((s) => !env.has(s));
  if (missingSyms.length) {
    diagnostics.push(diag('E0603', `${g.name}: the TensorFlow.js lowering needs a value for ${missingSyms.map((s) => `'${s}'`).join(', ')} (every size is specialised; only the batch defaults, to ${opts.batch ?? 1})`, g.span, { hint: `pass --input-shape ${missingSyms.map((s) => `${s}=…`).join(',')}` }));
    return { diagnostics };
  }
  const concrete = (t: number): ConcreteType | undefined => {
    const type = g.tensors[t]!.type;
    const shape = type.shape.map((d) => evaluate(d, env));
    return shape.every((d): d is number => d !== undefined) ? { shape, dtype: type.dtype } : undefined;
  };

  // Which ops have no tfjs form at all: reported once per op, before any weight is made.
  const missing = new Set<string>();
  for (const n of g.nodes)
    if (!n.op.tfjs && !missing.has(n.op.name)) {
      missing.add(n.op.name);
      diagnostics.push(diag('E0602', `${n.path}: ${n.op.name} has no TensorFlow.js lowering yet (${g.nodes.filter((x) => x.op === n.op).length} layer(s) of this model use it)`, n.span, { hint: 'this op cannot be run in TensorFlow.js in this version of dslc' }));
    }
  if (missing.size) return { diagnostics };

  const b = new GraphBuilder();
  const values = new Map<number, { name: string; layout: TfLayout }>();
  const transposed = new Map<string, string>();
  const inputs: TfjsPort[] = [];
  const declared = (t: number) => g.tensors[t]!.type.shape.map((d) => (typeof d === 'number' ? d : formatDim(d)));
  for (const p of g.inputs) {
    const t = concrete(p.tensor)!;
    const dtype = tfDType(t.dtype);
    values.set(p.tensor, { name: b.placeholder(p.name, t.shape, dtype), layout: 'nchw' });
    inputs.push({ name: p.name, shape: t.shape, dtype, declared: declared(p.tensor), node: p.name });
  }
  const scheme = opts.init ?? 'he';
  const seed = opts.seed ?? 0;
  const paramCache = new Map<string, Float32Array>();
  // Buffers holding parameters (the caller's weights among them): constants in them are not the lowering's to rewrite.
  const paramBuffers = new Set<ArrayBufferLike>();
  /** Value of tensor `t` in `layout`, transposing (once) when it is held in the other. */
  const inLayout = (t: number, layout: TfLayout, rank: number): string => {
    const v = values.get(t)!;
    if (v.layout === layout || rank < 3) return v.name;
    const key = `${t}|${layout}`;
    let name = transposed.get(key);
    if (!name) {
      const perm = b.constant(`${v.name}/perm`, Int32Array.from(layout === 'nhwc' ? toNhwc(rank) : toNchw(rank)), [rank]);
      name = b.node('Transpose', [v.name, perm], {}, b.unique(`${v.name}/${layout}`));
      transposed.set(key, name);
    }
    return name;
  };

  let failed = false;
  for (const n of g.nodes) {
    const owner: IrNode = n.sharedWith !== undefined ? g.nodes[n.sharedWith]! : n;
    const inTypes = n.inputs.map(concrete);
    const outTypes = n.outputs.map(concrete);
    if (inTypes.some((t) => !t) || outTypes.some((t) => !t)) {
      diagnostics.push(diag('E0603', `${n.path}: ${n.op.name} has a size that does not evaluate with ${[...env].map(([k, v]) => `${k}=${v}`).join(', ')}`, n.span));
      failed = true;
      continue;
    }
    const where = `${n.path}`;
    const ctx: TfjsLowerContext = {
      attrs: n.attrs,
      backend: opts.backend,
      inputTypes: inTypes as ConcreteType[],
      outputTypes: outTypes as ConcreteType[],
      layout: (i) => (inTypes[i]!.shape.length < 3 ? 'nchw' : values.get(n.inputs[i]!)!.layout),
      input: (i, layout) => inLayout(n.inputs[i]!, layout, inTypes[i]!.shape.length),
      output(i, value, layout) {
        values.set(n.outputs[i]!, { name: value, layout: outTypes[i]!.shape.length < 3 ? 'nchw' : layout });
      },
      param(name) {
        const p = owner.params.find((x) => x.name === name);
        if (!p) throw new Error(`${n.op.name}: no parameter ${name}`);
        const key = paramKey(owner, p);
        let v = paramCache.get(key);
        if (!v) paramCache.set(key, (v = opts.weights?.get(key) ?? initParam(g, owner, p, scheme, seed)));
        paramBuffers.add(v.buffer);
        return v;
      },
      constant(hint, data, shape, dtype) {
        const arr = data instanceof Float32Array || data instanceof Int32Array ? data : dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
        const value = dtype === 'int32' && !(arr instanceof Int32Array) ? Int32Array.from(arr) : arr;
        return b.constant(`${where}/${hint}`, value, shape, !paramBuffers.has(value.buffer));
      },
      lazyConstant: (hint, shape, make) => b.lazyConstant(`${where}/${hint}`, shape, make),
      node: (op, ins, attrs, hint) => b.node(op, ins, attrs, b.unique(`${where}/${hint ?? op}`)),
      unsupported(reason) {
        diagnostics.push(diag('E0602', `${n.path}: ${n.op.name} has no TensorFlow.js form here: ${reason}`, n.span));
        failed = true;
      },
    };
    n.op.tfjs!(ctx);
    if (!failed && n.outputs.some((o) => !values.has(o))) throw new Error(`tfjs lowering of ${n.op.name} did not produce every output`);
  }
  if (failed) return { diagnostics };

  const outputs: TfjsPort[] = [];
  for (const p of g.outputs) {
    const t = concrete(p.tensor)!;
    const v = inLayout(p.tensor, 'nchw', t.shape.length);
    const name = b.unique(p.name);
    b.node('Identity', [v], {}, name);
    outputs.push({ name: p.name, shape: t.shape, dtype: tfDType(t.dtype), declared: declared(p.tensor), node: name });
  }
  if (!opts.noFuse) fuse(b, new Set(outputs.map((o) => o.node)));
  return { result: { artifacts: b.artifacts(inputs.map((i) => i.node), outputs.map((o) => o.node)), inputs, outputs, env }, diagnostics };
}
