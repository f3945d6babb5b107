/**
 * ONNX export: a checked model becomes a ModelProto (default domain, explicit attributes computed by the
 * checker). Every op lowers itself (its `onnx` function); this file names values, builds initializers,
 * `value_info` with dslc's shapes, node names from source paths and doc strings with source locations.
 */
import onnxProto from 'onnx-proto';
import type { CheckedModel } from '../../checker/analyze.js';
import { batchSymbols } from '../../checker/memory.js';
import { diag } from '../../diagnostics/make.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import type { OnnxAttr, OnnxLowerContext, OnnxUnpack } from '../../ops/onnx-types.js';
import type { DType, TensorType } from '../../ops/types.js';
import type { IrNode } from '../../semantics/ir.js';
import { type Dim, dimToJson, substitute } from '../../symbolic/dim.js';
import { type InitScheme, initParam, initParts, paramKey } from '../weights.js';
import { type Chunks, type ExternalDataSpec, type Parts, type RawTensor, encodeModel, join, rawBytes } from './encode.js';
import { type Emitted, FUNCTION_DOMAIN, groupIntoFunctions } from './functions.js';
import { foldBatchNorm } from './fold-bn.js';

const { onnx } = onnxProto;

/** Values a part of a streamed parameter (4M: 16 MiB of float32; even, as the random draws come in pairs). */
const PART_VALUES = 1 << 22;

export interface OnnxExportOptions {
  /** Default-domain opset (13–21); default 17 (IR version 8, which onnx 1.12 validates). */
  readonly opset?: number;
  /** Fix the batch axis (symbolic batch dims become this number); default: keep them as dim_param. */
  readonly batch?: number;
  readonly init?: InitScheme;
  readonly seed?: number;
  /** Trained weights by parameter key (`<layer path>.<param>`), in dslc's layouts; missing keys are initialised. */
  readonly weights?: ReadonlyMap<string, Float32Array>;
  readonly producerVersion?: string;
  /** Put tensors in a side file (`location`, relative to the model file), per the ONNX external-data spec. */
  readonly externalData?: ExternalDataSpec;
  /** Most weight bytes kept inline without `externalData` (default INLINE_WEIGHT_LIMIT, under protobuf's 2 GiB). */
  readonly inlineLimit?: number;
  /** Blocks become ONNX model-local functions (one per distinct block body), called where the block was. */
  readonly functions?: boolean;
  /** Fold BatchNorm (running statistics) into the conv/transposed conv/dense layer before it (see fold-bn.ts). */
  readonly foldBatchNorm?: boolean;
}

/** An exported model: the `.onnx` bytes and, with external data, the side file's bytes (both as chunks). */
export interface OnnxArtifact {
  readonly model: Chunks;
  readonly data?: Chunks;
  /** Bytes of all weights (float32), whether inline or external. */
  readonly weightBytes: number;
}

/** Above this, weights cannot be inline: protobuf messages are limited to 2 GiB (leave room for the graph). */
export const INLINE_WEIGHT_LIMIT = 2 ** 31 - 2 ** 26;

export const ONNX_DTYPE: Readonly<Record<DType, number>> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11, bfloat16: 16 };
const IR_VERSION: Record<number, number> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };

/** Builds the ONNX model in memory; `result` is undefined when an op cannot be exported (diagnostics say why). */
export function exportOnnx(m: CheckedModel, opts: OnnxExportOptions = {}): { result: Uint8Array | undefined; diagnostics: Diagnostic[] } {
  const { result, diagnostics } = lowerOnnx(m, opts);
  if (result?.data) throw new Error('exportOnnx returns one buffer; use lowerOnnx for external data');
  return { result: result && join(result.model), diagnostics };
}

/** What one initializer of dslc's ONNX export holds (see onnxInitializerLayout). */
export type OnnxInitializer =
  /** A parameter in dslc's layout, named by its key (`<layer path>.<param>`). */
  | { readonly kind: 'param'; readonly owner: IrNode; readonly key: string }
  /** Parameters of `owner` in an ONNX layout (LSTM's W/R/B, a transposed dense weight, ...); `unpack` undoes it. */
  | { readonly kind: 'packed'; readonly owner: IrNode; readonly dims: readonly number[]; readonly unpack: OnnxUnpack }
  /** A constant of the graph (shapes, axes, pads, epsilons): no weight. */
  | { readonly kind: 'constant' };

/**
 * The initializers `--emit onnx` writes for this model at this opset (default 17), by name, without computing any
 * weights: the ops' own lowerings run with a recording context, so names and packings are exactly the export's.
 * BatchNorm folding (`foldBatchNorm`) is not applied: its initializers are not the model's parameters.
 */
export function onnxInitializerLayout(m: CheckedModel, opts: Pick<OnnxExportOptions, 'opset'> = {}): Map<string, OnnxInitializer> {
  const layout = new Map<string, OnnxInitializer>();
  lowerGraph(m, opts, layout);
  return layout;
}

/**
 * Builds the ONNX model as chunks whose weights are made (or, for `weights`, viewed) when each chunk is
 * written, with an optional external-data side file: writing it holds about one layer's weights at a time.
 * The chunks read `opts.weights` then: leave that map unchanged until they are written.
 */
export function lowerOnnx(m: CheckedModel, opts: OnnxExportOptions = {}): { result: OnnxArtifact | undefined; diagnostics: Diagnostic[] } {
  return lowerGraph(m, opts);
}

/** lowerOnnx; with `layout`, only records the initializers in it (no weights made, no model built). */
function lowerGraph(m: CheckedModel, opts: OnnxExportOptions, layout?: Map<string, OnnxInitializer>): { result: OnnxArtifact | undefined; diagnostics: Diagnostic[] } {
  const initDoc = opts.weights ? 'weights' : `${opts.init ?? 'he'} seed=${opts.seed ?? 0}`;
  let foldedBn: number | undefined;
  let folded: ReadonlyMap<string, () => Float32Array> | undefined;
  if (opts.foldBatchNorm && !layout) {
    // The folded layers get their values from the original graph (trained or seeded), the rest as usual.
    const [orig, scheme, seed] = [m.graph, opts.init ?? 'he', opts.seed ?? 0];
    const f = foldBatchNorm(m, (owner, p) => opts.weights?.get(paramKey(owner, p)) ?? initParam(orig, owner, p, scheme, seed));
    m = f.model;
    foldedBn = f.folded.length;
    folded = f.weights;
  }
  const g = m.graph;
  const opset = opts.opset ?? 17;
  const diagnostics: Diagnostic[] = [];
  const batchEnv = new Map<string, Dim>();
  if (opts.batch !== undefined) for (const s of batchSymbols(g)) batchEnv.set(s, opts.batch);
  const fix = (t: TensorType): TensorType => (batchEnv.size ? { ...t, shape: t.shape.map((d) => substitute(d, batchEnv)) } : t);

  // Value names: ports keep their names; intermediates are named after the layer that makes them.
  // Values (tensors and initializers) and nodes are separate namespaces in ONNX.
  const namer = () => {
    const used = new Set<string>();
    return (base: string) => {
      let n = base.replace(/[^\w.:#/-]/g, '_') || 'v';
      for (let k = 2; used.has(n); k++) n = `${base}_${k}`;
      used.add(n);
      return n;
    };
  };
  const unique = namer();
  const uniqueNode = namer();
  const names = new Map<number, string>();
  for (const p of g.inputs) names.set(p.tensor, unique(p.name));
  // An output that is also an input, or a tensor returned twice, still gets its own name (through an Identity).
  const outputNames = g.outputs.map((p) => (names.has(p.tensor) ? undefined : (names.set(p.tensor, unique(p.name)), names.get(p.tensor)!)));
  for (const n of g.nodes) n.outputs.forEach((o, i) => names.has(o) || names.set(o, unique(n.outputs.length > 1 ? `${n.path}:${i}` : n.path)));
  const nameOf = (t: number) => names.get(t)!;

  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const raw: RawTensor[] = [];
  const emitted: Emitted[] = [];
  const paramName = new Map<string, string>();
  const scheme = opts.init ?? 'he';
  const seed = opts.seed ?? 0;
  // Values are made when their initializer is written (encode.ts: lazy chunks), so that only the layer being
  // written is in memory, not every weight plus its repacked copy (a transposed dense weight). Each parameter
  // has its own random stream, so the order does not matter, and an export that fails (E0600) makes none.
  // One layer's parameters are kept while its initializers are written (MHA's q/k/v all read in_proj_weight);
  // another layer's drops them (a layer sharing them later makes them again: the same values).
  let cachedFor: IrNode | undefined;
  const cache = new Map<string, Float32Array>();
  const valuesOf = (owner: IrNode, p: IrNode['params'][number]): Float32Array => {
    if (owner !== cachedFor) (cache.clear(), (cachedFor = owner));
    const key = paramKey(owner, p);
    let v = cache.get(key);
    if (!v) cache.set(key, (v = folded?.get(key)?.() ?? opts.weights?.get(key) ?? initParam(g, owner, p, scheme, seed)));
    return v;
  };

  /** A fresh random (or constant) parameter of more than PART_VALUES values, in parts; undefined for the rest. */
  const streamed = (owner: IrNode, p: IrNode['params'][number]): Parts | undefined => {
    const key = paramKey(owner, p);
    if (p.shape.reduce((a, b) => a * b, 1) <= PART_VALUES || folded?.has(key) || opts.weights?.has(key)) return undefined;
    return { partValues: PART_VALUES, parts: () => initParts(g, owner, p, scheme, seed, PART_VALUES) };
  };

  // Known before lowering anything: then the lowerings only report (no weights are made for a file never written).
  // Recording the layout runs the lowerings the same way.
  let failed = layout !== undefined || g.nodes.some((n) => !n.op.onnx);
  const missing = new Set<string>();
  for (const n of g.nodes) {
    const owner = n.sharedWith !== undefined ? g.nodes[n.sharedWith]! : n;
    const lower = n.op.onnx;
    const where = `${n.span.file.slice(n.span.file.lastIndexOf('/') + 1)}:${n.span.line}:${n.span.col}`;
    if (!lower) {
      // Once per op: the first use, with a count, rather than one error per layer.
      if (!missing.has(n.op.name)) diagnostics.push(diag('E0600', `${n.path}: ${n.op.name} has no ONNX lowering yet (${g.nodes.filter((x) => x.op === n.op).length} layer(s) of this model use it)`, n.span, { hint: 'this op cannot be exported to ONNX in this version of dslc' }));
      missing.add(n.op.name);
      failed = true;
      continue;
    }
    // Weights are written as float32, and ONNX ops take one float type: a float16/bfloat16/float64 input
    // meeting them would make a model no runtime loads.
    const narrow = n.params.length ? n.inputs.map((t) => g.tensors[t]!.type.dtype).find((d) => d === 'float16' || d === 'bfloat16' || d === 'float64') : undefined;
    if (narrow) {
      diagnostics.push(diag('E0600', `${n.path}: its input is ${narrow}, but dslc's ONNX export writes weights as float32 (an ONNX ${n.op.name} takes one float type)`, n.span, { hint: 'declare the model inputs float32 (convert the exported model to float16 afterwards if needed)' }));
      failed = true;
      continue;
    }
    let k = 0;
    const ctx: OnnxLowerContext = {
      opset,
      attrs: n.attrs,
      inputs: n.inputs.map(nameOf),
      outputs: n.outputs.map(nameOf),
      inputTypes: n.inputs.map((t) => fix(g.tensors[t]!.type)),
      outputTypes: n.outputs.map((t) => fix(g.tensors[t]!.type)),
      param(name) {
        const p = owner.params.find((x) => x.name === name);
        if (!p) throw new Error(`${n.op.name}: no parameter ${name}`);
        // Initializers are made on first use: a parameter only needed in another layout (derived) is not stored twice.
        const key = paramKey(owner, p);
        let init = paramName.get(key);
        if (!init) {
          init = unique(key);
          paramName.set(key, init);
          layout?.set(init, { kind: 'param', owner, key });
          // (After a failure: diagnostics only.) A large parameter made fresh is written in parts as it is made.
          if (!failed) raw.push({ name: init, dims: p.shape, data: streamed(owner, p) ?? (() => valuesOf(owner, p)) });
        }
        return init;
      },
      derived(hint, dims, compute, unpack) {
        if (failed) {
          const name = unique(`${owner.path}.${hint}`);
          layout?.set(name, { kind: 'packed', owner, dims, unpack });
          return name;
        }
        const values = () =>
          compute((pn) => {
            const p = owner.params.find((x) => x.name === pn);
            if (!p) throw new Error(`${n.op.name}: no parameter ${pn}`);
            return valuesOf(owner, p);
          });
        const name = unique(`${owner.path}.${hint}`);
        raw.push({ name, dims, data: values });
        return name;
      },
      int64s(hint, values, dims) {
        const name = unique(`${n.path}.${hint}`);
        layout?.set(name, { kind: 'constant' });
        initializers.push({ name, dims: [...(dims ?? [values.length])], dataType: 7, int64Data: [...values] });
        return name;
      },
      floats(hint, values, dims) {
        const name = unique(`${n.path}.${hint}`);
        layout?.set(name, { kind: 'constant' });
        raw.push({ name, dims: dims ?? [values.length], data: Float32Array.from(values) });
        return name;
      },
      temp: (hint) => unique(`${n.path}/${hint}`),
      emit(opType, inputs, outputs, attrs = {}) {
        emitted.push({ origin: n, proto: {
          name: uniqueNode(`${n.path}${k++ ? `/${opType}` : ''}`),
          opType,
          input: [...inputs],
          output: [...outputs],
          attribute: Object.entries(attrs).map(([a, v]) => attribute(a, v)),
          docString: `${where} (${n.op.name})`,
        } });
      },
      unsupported(reason, since) {
        diagnostics.push(diag('E0600', `${n.path}: ${n.op.name} cannot be exported at opset ${opset}: ${reason}`, n.span, since ? { hint: `available from opset ${since}: pass --opset ${since}` } : {}));
        failed = true;
      },
    };
    lower(ctx);
  }
  if (failed) return { result: undefined, diagnostics };
  const loc = (sp: { file: string; line: number; col: number }) => `${sp.file.slice(sp.file.lastIndexOf('/') + 1)}:${sp.line}:${sp.col}`;
  const grouped = opts.functions ? groupIntoFunctions(emitted, new Set(g.outputs.map((p) => nameOf(p.tensor))), opset, (f) => loc(f.span), uniqueNode) : undefined;
  const nodes = grouped?.nodes ?? emitted.map((e) => e.proto);
  g.outputs.forEach((p, i) => {
    if (outputNames[i] !== undefined) return;
    outputNames[i] = unique(p.name);
    nodes.push({ name: uniqueNode(p.name), opType: 'Identity', input: [nameOf(p.tensor)], output: [outputNames[i]!], docString: `${p.span.file.slice(p.span.file.lastIndexOf('/') + 1)}:${p.span.line}:${p.span.col} (output ${p.name})` });
  });

  const valueInfo = (t: number, name = nameOf(t)): onnxProto.onnx.IValueInfoProto => {
    const type = fix(g.tensors[t]!.type);
    return { name, type: { tensorType: { elemType: ONNX_DTYPE[type.dtype], shape: { dim: type.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: String(dimToJson(d)) })) } } } };
  };
  const ports = new Set([...g.inputs, ...g.outputs].map((p) => p.tensor));
  // With functions, values made inside a function body are not values of the graph.
  const visible = grouped ? new Set(nodes.flatMap((x) => x.output ?? [])) : undefined;
  const total = (d: Dim) => String(dimToJson(d));
  const model: onnxProto.onnx.IModelProto = {
    // Model-local functions need IR version 8.
    irVersion: Math.max(IR_VERSION[opset] ?? 8, grouped?.functions.length ? 8 : 0),
    opsetImport: [{ domain: '', version: opset }, ...(grouped?.functions.length ? [{ domain: FUNCTION_DOMAIN, version: 1 }] : [])],
    producerName: 'dslc',
    producerVersion: opts.producerVersion ?? '',
    docString: g.doc ?? '',
    graph: {
      name: g.name,
      node: nodes,
      initializer: initializers,
      input: g.inputs.map((p) => valueInfo(p.tensor)),
      output: g.outputs.map((p, i) => valueInfo(p.tensor, outputNames[i])),
      valueInfo: g.tensors.filter((t) => !ports.has(t.id) && names.has(t.id) && (!visible || visible.has(nameOf(t.id)))).map((t) => valueInfo(t.id)),
    },
    ...(grouped?.functions.length ? { functions: grouped.functions } : {}),
    metadataProps: [
      { key: 'dslc.version', value: opts.producerVersion ?? '' },
      { key: 'dslc.params', value: String(m.totals.params) },
      { key: 'dslc.trainable_params', value: String(m.totals.trainableParams) },
      { key: 'dslc.macs', value: total(m.totals.macs) },
      { key: 'dslc.init', value: initDoc },
      ...(foldedBn !== undefined ? [{ key: 'dslc.folded_batchnorm', value: String(foldedBn) }] : []),
    ],
  };
  const weightBytes = raw.reduce((a, t) => a + rawBytes(t), 0);
  if (!opts.externalData && weightBytes > (opts.inlineLimit ?? INLINE_WEIGHT_LIMIT)) {
    diagnostics.push(diag('E0600', `${g.name}: ${(weightBytes / 2 ** 30).toFixed(2)} GiB of weights do not fit in one ONNX file (protobuf messages are limited to 2 GiB)`, g.span, { hint: 'export with external data (the CLI does this automatically, or pass --external-data)' }));
    return { result: undefined, diagnostics };
  }
  const enc = encodeModel(model, raw, opts.externalData);
  return { result: { ...enc, weightBytes }, diagnostics };
}

function attribute(name: string, v: OnnxAttr): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: [...(v as number[])] };
  if ('f' in (v as object)) return { name, type: T.FLOAT, f: (v as { f: number }).f };
  if ('ss' in (v as object)) return { name, type: T.STRINGS, strings: (v as { ss: string[] }).ss.map((x) => new TextEncoder().encode(x)) };
  return { name, type: T.FLOATS, floats: [...(v as { fs: number[] }).fs] };
}

export type { IrNode };
