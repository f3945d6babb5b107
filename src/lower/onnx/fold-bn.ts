/**
 * `--fold-bn`: folds every per-channel affine op at inference (BatchNorm with running statistics, which
 * declares itself through `OpDef.channelAffine`) into the layer right before it when that layer can absorb
 * one (`OpDef.absorbsAffine`: convolutions, transposed convolutions, dense), as PyTorch's default inference
 * export does. With `scale = gamma / sqrt(var + eps)` and `shift = beta - mean · scale`:
 * `W'[c] = W[c] · scale[c]` and `b'[c] = b[c] · scale[c] + shift[c]` (a layer without a bias gains one),
 * i.e. `b' = (b - mean) · gamma / sqrt(var + eps) + beta`.
 *
 * Folded only where nothing else can see the intermediate value: the layer's one output feeds only the
 * BatchNorm and is not a model output, the channel axes agree, and neither layer shares its weights with
 * another application (a shared conv applied before two different BatchNorms cannot take both).
 */
import type { CheckedModel } from '../../checker/analyze.js';
import type { IrNode, IrParam, IrTensor } from '../../semantics/ir.js';
import { paramKey } from '../weights.js';

export interface FoldResult {
  /** The model with each folded pair replaced by the (re-weighted) layer; totals and reports unchanged. */
  readonly model: CheckedModel;
  /**
   * Values of the folded layers' parameters, by parameter key of the new graph: each a function that computes
   * them (from `values`) when called, so that an export makes one layer's at a time, when it writes that layer.
   */
  readonly weights: Map<string, () => Float32Array>;
  /** Paths of the folded pairs: `[layer, batchnorm]`. */
  readonly folded: readonly (readonly [string, string])[];
}

/**
 * Folds what can be folded; `values` gives a parameter's values in the original graph (trained weights
 * or the seeded initial ones), so that the folded model computes exactly what the unfolded one does.
 */
export function foldBatchNorm(m: CheckedModel, values: (owner: IrNode, p: IrParam) => Float32Array): FoldResult {
  const g = m.graph;
  const uses = new Map<number, number>();
  for (const n of g.nodes) for (const t of n.inputs) uses.set(t, (uses.get(t) ?? 0) + 1);
  for (const p of g.outputs) uses.set(p.tensor, (uses.get(p.tensor) ?? 0) + 1);
  const perInstance = new Map<number, number>();
  for (const n of g.nodes) perInstance.set(n.instance, (perInstance.get(n.instance) ?? 0) + 1);
  const alone = (n: IrNode) => perInstance.get(n.instance) === 1 && n.sharedWith === undefined;

  const replaced = new Map<number, IrNode>(); // layer id → folded layer
  const dropped = new Set<number>(); // BatchNorm ids
  const weights = new Map<string, () => Float32Array>();
  const folded: [string, string][] = [];
  for (const bn of g.nodes) {
    if (!bn.op.channelAffine || bn.inputs.length !== 1 || bn.outputs.length !== 1 || !alone(bn)) continue;
    const t = g.tensors[bn.inputs[0]!]!;
    const layer = t.producer !== undefined ? g.nodes[t.producer] : undefined;
    const ab = layer?.op.absorbsAffine;
    if (!layer || !ab || layer.outputs.length !== 1 || uses.get(t.id) !== 1 || !alone(layer) || replaced.has(layer.id)) continue;
    const rank = t.type.shape.length;
    const param = (name: string) => bn.params.find((p) => p.name === name);
    const affine = bn.op.channelAffine(bn.attrs, (name) => values(bn, param(name)!), t.type);
    const weight = layer.params.find((p) => p.name === ab.weight);
    if (!affine || !weight || (weight.dtype ?? 'float32') !== 'float32') continue;
    const norm = (a: number) => (a < 0 ? a + rank : a);
    const c = t.type.shape[norm(ab.outputAxis)];
    if (norm(affine.axis) !== norm(ab.outputAxis) || typeof c !== 'number' || affine.scale.length !== c) continue;

    const channel = ab.channelOf(layer.attrs, weight.shape);
    const w2 = () => {
      const w = values(layer, weight);
      const out = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) out[i] = w[i]! * affine.scale[channel(i)]!;
      return out;
    };
    const bias = layer.params.find((p) => p.name === ab.bias);
    const b2 = () => Float32Array.from(bias ? values(layer, bias) : new Float32Array(c), (bk, k) => bk * affine.scale[k]! + affine.shift[k]!);
    const biasParam: IrParam = bias ?? { name: ab.bias, shape: [c], trainable: weight.trainable };
    const node: IrNode = { ...layer, outputs: bn.outputs, attrs: { ...layer.attrs, [ab.biasAttr]: true }, params: bias ? layer.params : [...layer.params, biasParam] };
    replaced.set(layer.id, node);
    dropped.add(bn.id);
    weights.set(paramKey(node, weight), w2);
    weights.set(paramKey(node, biasParam), b2);
    folded.push([layer.path, bn.path]);
  }
  if (!folded.length) return { model: m, weights, folded };

  // Renumber: node ids are indices into `nodes` (sharedWith and tensor producers refer to them).
  const kept = g.nodes.filter((n) => !dropped.has(n.id));
  const newId = new Map(kept.map((n, i) => [n.id, i]));
  const nodes = kept.map((n, i): IrNode => {
    const base = replaced.get(n.id) ?? n;
    return { ...base, id: i, ...(n.sharedWith !== undefined ? { sharedWith: newId.get(n.sharedWith)! } : {}) };
  });
  const producer = new Map<number, number>();
  nodes.forEach((n) => n.outputs.forEach((o) => producer.set(o, n.id)));
  const tensors = g.tensors.map((t): IrTensor => {
    const p = producer.get(t.id);
    if (p === t.producer) return t;
    const { producer: _old, ...rest } = t;
    return p === undefined ? rest : { ...rest, producer: p };
  });
  return { model: { ...m, graph: { ...g, nodes, tensors } }, weights, folded };
}
