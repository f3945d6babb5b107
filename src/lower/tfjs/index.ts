/**
 * The TensorFlow.js lowering's entry: a checked model becomes a running `TfjsNet`. The graph is built by
 * `buildTfjsGraph` (GraphDef nodes + weights, the same artefact `--emit tfjs` writes) and loaded as a `tf.GraphModel`
 * (what `tf.loadGraphModel(tf.io.fromMemory(…))` makes, with the weights handed over as tensors); `predict` takes and returns NCHW data (the model's declared layout)
 * while the graph runs channels-last inside. No Node-only imports: tfjs is passed in or imported lazily.
 */
import type { CheckedModel } from '../../checker/analyze.js';
import { diag } from '../../diagnostics/make.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import type { Dim } from '../../symbolic/dim.js';
import { evaluate, formatDim, isSymbolic } from '../../symbolic/dim.js';
import type { ConstValue } from './graph.js';
import { type TfjsGraph, buildTfjsGraph, inputSymbols, tfDType } from './lower.js';

type Tf = typeof import('@tensorflow/tfjs');
type GraphModel = Awaited<ReturnType<Tf['loadGraphModel']>>;

export interface TfjsOptions {
  /** Trained weights by dslc parameter key (`<layer path>.<param>`, see src/lower/weights.ts paramKey); missing ones are initialised. */
  weights?: ReadonlyMap<string, Float32Array>;
  /** Initialisation of missing weights: same meaning and same values as the ONNX export (src/lower/weights.ts initParam). */
  init?: 'he' | 'xavier' | 'zeros';
  seed?: number;
  /** Backend to select before loading (default: the tf instance's current backend). */
  backend?: 'wasm' | 'cpu' | 'webgl';
  /** The tfjs module to use (default: dynamic `import('@tensorflow/tfjs')`; pass it when bundling for a browser). */
  tf?: Tf;
  /** Value for the batch symbol when shapes are symbolic (default 1); `predict` rebuilds for another batch. */
  batch?: number;
  /** Skip the fusion pass (conv/dense + bias + BatchNorm + activation); for comparisons. */
  noFuse?: boolean;
}

export interface TfjsTensorData {
  data: Float32Array | Int32Array;
  shape: number[];
}

export interface TfjsNet {
  /** Declared ports: shapes as dslc declares them (symbolic sizes as names), tfjs dtypes (`int32` for integer inputs). */
  readonly inputs: readonly { name: string; shape: readonly (number | string)[]; dtype: string }[];
  readonly outputs: readonly { name: string; shape: readonly (number | string)[]; dtype: string }[];
  /**
   * NCHW (the model's declared layout) in and out. Symbolic sizes are bound from the inputs (a new binding builds and
   * loads the graph for it once). Throws a {@link TfjsInputError} naming the expected shape on a missing input, a
   * wrong shape, dtype or data length.
   */
  predict(inputs: Readonly<Record<string, TfjsTensorData>>): Promise<Record<string, TfjsTensorData>>;
  /** Frees the weights of every loaded graph. */
  dispose(): void;
}

/** A `predict` input that does not fit the model: the message names the input and the expected shape and dtype. */
export class TfjsInputError extends Error {
  override readonly name = 'TfjsInputError';
  /** @param input the input port the message is about, where there is one */
  constructor(message: string, readonly input?: string) {
    super(message);
  }
}

const SPEC = { tfjs: '@tensorflow/tfjs', wasm: '@tensorflow/tfjs-backend-wasm' };
/** A non-literal specifier: bundlers leave the import to run time (browsers pass `tf`). */
const load = (spec: string): Promise<unknown> => import(/* @vite-ignore */ spec);

/** What `predict` needs of a lowered graph once it is loaded: its feeds and fetches. */
type Ports = Pick<TfjsGraph, 'inputs' | 'outputs'>;
const ports = (g: TfjsGraph): Ports => ({ inputs: g.inputs, outputs: g.outputs });

/**
 * The lowered weights by name. (A function of its own: a closure over `a` in `loadGraph` would share its scope with
 * the model's weight decoder, which would keep every weight alive.)
 */
const weightsByName = (a: TfjsGraph['artifacts']): Map<string, ConstValue> => new Map(a.weightSpecs.map((s, i) => [s.name, a.weightValues[i]!]));

/**
 * Loads the lowered graph into tfjs. The weights go straight from the lowering's typed arrays into tensors (through
 * the `io` that `GraphModel` takes, whose `decodeWeights` would otherwise slice a copy of each out of one
 * concatenated buffer first). On wasm, which copies a tensor's data into its own memory when the tensor is made,
 * the transposed filters are made one after the other in one reused buffer, so they never take memory of their own.
 * The caller's own arrays (weights used as they are) are copied, so that a backend which keeps the array it is
 * given (cpu, webgl) never shares it.
 */
async function loadGraph(tf: Tf, g: TfjsGraph): Promise<GraphModel> {
  const a = g.artifacts;
  const values = weightsByName(a);
  const reuse = tf.getBackend() === 'wasm';
  const decodeWeights = (_data: unknown, specs: readonly { name: string }[]) => {
    const out: Record<string, import('@tensorflow/tfjs').Tensor> = {};
    const count = (c: ConstValue) => c.shape.reduce((x, y) => x * y, 1);
    let scratch: Float32Array | undefined;
    for (const s of specs) {
      const c = values.get(s.name)!;
      let data: Float32Array | Int32Array;
      if (reuse && c.makeInto) {
        scratch ??= new Float32Array(Math.max(...[...values.values()].map((v) => (v.makeInto ? count(v) : 0))));
        data = c.makeInto(scratch.subarray(0, count(c)));
      } else data = c.owned ? c.data : c.data.slice();
      out[s.name] = tf.tensor(data, [...c.shape], c.dtype);
    }
    return out;
  };
  const artifacts = { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy };
  const model = new tf.GraphModel(tf.io.fromMemory(artifacts), {}, { ...tf.io, decodeWeights } as Tf['io']);
  model.loadSync(artifacts);
  // The model keeps the io object, hence this closure and its scope: emptied, the weights' JS arrays (as large
  // as the parameters: ~350 MB for ViT-B/16) are not kept alive beside the backend's copies.
  values.clear();
  return model;
}

/**
 * Lowers a checked model to a runnable TensorFlow.js net. Diagnostics: E0602 (an op or attribute without a tfjs
 * form, with the layer's location), E0603 (a size that cannot be specialised); then `result` is undefined.
 */
export async function lowerToTfjs(m: CheckedModel, opts: TfjsOptions = {}): Promise<{ result?: TfjsNet; diagnostics: Diagnostic[] }> {
  const tf = opts.tf ?? ((await load(SPEC.tfjs)) as Tf);
  if (opts.backend && tf.getBackend() !== opts.backend) {
    if (opts.backend === 'wasm' && !tf.findBackendFactory('wasm')) await load(SPEC.wasm);
    if (!(await tf.setBackend(opts.backend))) return { diagnostics: [diag('E0602', `TensorFlow.js backend '${opts.backend}' could not be started`, undefined)] };
  }
  await tf.ready();
  const g = m.graph;
  const { batch, other } = inputSymbols(m);
  const graphOpts = { weights: opts.weights, init: opts.init, seed: opts.seed, noFuse: opts.noFuse, backend: tf.getBackend() };
  // (The graphs' ports, not the graphs: those hold the weights' arrays, which the backend has copied.)
  const cache = new Map<string, Promise<{ graph: Ports; model: GraphModel }>>();
  const keyOf = (env: ReadonlyMap<string, number>) => [...env].sort().map(([k, v]) => `${k}=${v}`).join(',');
  const build = (env: ReadonlyMap<string, number>, b: number) => {
    const key = keyOf(new Map([...env, ...[...batch].map((s) => [s, b] as const)]));
    let p = cache.get(key);
    if (!p) {
      const r = buildTfjsGraph(m, { ...graphOpts, batch: b, sizes: env });
      if (!r.result) throw new Error(r.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
      const graph = r.result;
      p = loadGraph(tf, graph).then((model) => ({ graph: ports(graph), model }));
      cache.set(key, p);
    }
    return p;
  };

  // Build now when only the batch is symbolic (errors become diagnostics); otherwise on the first predict.
  let diagnostics: Diagnostic[] = [];
  if (!other.size) {
    const r = buildTfjsGraph(m, { ...graphOpts, batch: opts.batch });
    diagnostics = r.diagnostics;
    if (!r.result) return { diagnostics };
    const graph = r.result;
    cache.set(keyOf(new Map([...batch].map((s) => [s, opts.batch ?? 1]))), loadGraph(tf, graph).then((model) => ({ graph: ports(graph), model })));
  } else {
    const noForm = g.nodes.find((n) => !n.op.tfjs);
    if (noForm) return { diagnostics: [diag('E0602', `${noForm.path}: ${noForm.op.name} has no TensorFlow.js lowering yet`, noForm.span)] };
  }

  const port = (t: number, name: string) => ({ name, shape: g.tensors[t]!.type.shape.map((d) => (typeof d === 'number' ? d : formatDim(d))), dtype: tfDType(g.tensors[t]!.type.dtype) });
  const inputs = g.inputs.map((p) => port(p.tensor, p.name));
  const outputs = g.outputs.map((p) => port(p.tensor, p.name));
  let disposed = false;

  const net: TfjsNet = {
    inputs,
    outputs,
    async predict(given) {
      if (disposed) throw new Error('predict after dispose()');
      const env = new Map<string, number>();
      g.inputs.forEach((p, i) => bindShape(p.name, g.tensors[p.tensor]!.type.shape, inputs[i]!.dtype, given[p.name], env));
      const b = [...batch].map((s) => env.get(s)).find((v) => v !== undefined) ?? opts.batch ?? 1;
      for (const s of batch) env.delete(s);
      const { graph, model } = await build(env, b);
      const feeds: Record<string, import('@tensorflow/tfjs').Tensor> = {};
      try {
        graph.inputs.forEach((p) => (feeds[p.node] = tf.tensor(given[p.name]!.data, [...p.shape], p.dtype)));
        const outs = model.execute(feeds, graph.outputs.map((o) => o.node));
        const list = Array.isArray(outs) ? outs : [outs];
        try {
          const result: Record<string, TfjsTensorData> = {};
          for (let i = 0; i < list.length; i++) {
            const o = graph.outputs[i]!;
            result[o.name] = { data: (await list[i]!.data()) as Float32Array | Int32Array, shape: [...list[i]!.shape] };
          }
          return result;
        } finally {
          for (const t of list) t.dispose();
        }
      } finally {
        for (const t of Object.values(feeds)) t.dispose();
      }
    },
    dispose() {
      disposed = true;
      for (const p of cache.values()) void p.then((x) => x.model.dispose(), () => undefined);
      cache.clear();
    },
  };
  return { result: net, diagnostics };
}

/** Checks one input against its declared shape and dtype, binding the bare symbols it meets (`N`, `T`). */
function bindShape(name: string, declared: readonly Dim[], dtype: string, t: TfjsTensorData | undefined, env: Map<string, number>): void {
  const want = `[${declared.map(formatDim).join(', ')}] (${dtype})`;
  if (!t) throw new TfjsInputError(`missing input '${name}': expected shape ${want}`, name);
  const shape = t.shape;
  if (!Array.isArray(shape) || shape.length !== declared.length || shape.some((d) => !Number.isInteger(d) || d < 1))
    throw new TfjsInputError(`input '${name}': expected shape ${want}, got ${Array.isArray(shape) ? `[${shape.join(', ')}]` : String(shape)}`, name);
  const isInt = t.data instanceof Int32Array;
  if ((dtype === 'int32') !== isInt) throw new TfjsInputError(`input '${name}': expected ${dtype} data (${dtype === 'int32' ? 'Int32Array' : 'Float32Array'}) for shape ${want}`, name);
  // Bare symbols first, then every size (expressions such as 2*H) must evaluate to what was given.
  declared.forEach((d, i) => {
    if (!isSymbolic(d)) return;
    const s = formatDim(d);
    if (/^[A-Za-z_]\w*$/.test(s)) {
      const had = env.get(s);
      if (had !== undefined && had !== shape[i]) throw new TfjsInputError(`input '${name}': axis ${i} is ${s} = ${had} from another axis or input, got ${shape[i]} (expected ${want})`, name);
      env.set(s, shape[i]!);
    }
  });
  declared.forEach((d, i) => {
    const v = evaluate(d, env);
    if (v !== shape[i]) throw new TfjsInputError(`input '${name}': expected shape ${want}, got [${shape.join(', ')}]`, name);
  });
  const n = shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) throw new TfjsInputError(`input '${name}': shape [${shape.join(', ')}] needs ${n} values, got ${t.data.length}`, name);
}

export { buildTfjsGraph, type TfjsGraph, type TfjsGraphOptions, type TfjsPort } from './lower.js';
export type { TfjsArtifacts } from './graph.js';
