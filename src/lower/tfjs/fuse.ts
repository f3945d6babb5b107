/**
 * Inference-time rewriting of the GraphDef, on TensorFlow node types only (no dslc op names): a convolution or
 * matrix product followed by per-channel constant adds and multiplies (its bias, a BatchNorm's folded scale and
 * shift) takes them into its filter and one bias, and a following activation that tfjs fuses (Relu, Relu6, Elu,
 * Sigmoid, LeakyRelu) joins it: `_FusedConv2D`, `FusedDepthwiseConv2dNative`, `_FusedMatMul` (tf.fused.*).
 */
import type { ConstValue, GraphBuilder, GraphNode } from './graph.js';

const FUSED: Record<string, string> = { Conv2D: '_FusedConv2D', DepthwiseConv2dNative: 'FusedDepthwiseConv2dNative', MatMul: '_FusedMatMul' };
const ACTIVATIONS = new Set(['Relu', 'Relu6', 'Elu', 'Sigmoid', 'LeakyRelu']);
const base = (input: string) => input.replace(/:\d+$/, '');

/** Rewrites `b` in place; `keep` are node names that must stay (graph outputs). */
export function fuse(b: GraphBuilder, keep: ReadonlySet<string>): void {
  const byName = new Map(b.nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, GraphNode[]>();
  for (const n of b.nodes)
    for (const i of n.input) {
      const list = consumers.get(base(i));
      if (list) list.push(n);
      else consumers.set(base(i), [n]);
    }
  const only = (n: GraphNode): GraphNode | undefined => {
    const c = consumers.get(n.name) ?? [];
    return c.length === 1 && !keep.has(n.name) && !c[0]!.input.some((i) => i !== n.name && base(i) === n.name) ? c[0] : undefined;
  };
  const constOf = (name: string): ConstValue | undefined => (byName.get(name)?.op === 'Const' ? b.consts.get(name) : undefined);
  const removed = new Set<GraphNode>();
  // A filter may be scaled in place when nothing else can see its data: the lowering made it (no caller's weights in
  // its buffer), no other constant shares that buffer, and this convolution is its only consumer.
  // (Constants made on demand have no data yet, and their own when made.)
  const buffers = new Map<ArrayBufferLike, number>();
  for (const c of b.consts.values()) if (!c.scaleLast) buffers.set(c.data.buffer, (buffers.get(c.data.buffer) ?? 0) + 1);
  const privateConst = (name: string, user: GraphNode, c: ConstValue) => c.owned === true && (c.scaleLast !== undefined || buffers.get(c.data.buffer) === 1) && consumers.get(name)?.length === 1 && consumers.get(name)![0] === user;

  for (const n of [...b.nodes]) {
    if (!(n.op in FUSED) && n.op !== 'Conv3D') continue;
    const filter = constOf(n.input[1]!);
    if (!filter || filter.dtype !== 'float32') continue;
    if (n.op === 'MatMul' && (n.attr.transpose_b as { b?: boolean } | undefined)?.b) continue;
    const channels = filter.shape.length === 4 && n.op === 'DepthwiseConv2dNative' ? filter.shape[2]! * filter.shape[3]! : filter.shape[filter.shape.length - 1]!;
    const scale = new Float32Array(channels).fill(1);
    const bias = new Float32Array(channels);
    let scaled = false;
    const chain: GraphNode[] = [];
    let cur: GraphNode = n;
    for (;;) {
      const next = only(cur);
      if (!next || !['BiasAdd', 'AddV2', 'Mul'].includes(next.op)) break;
      const other = next.input.find((i) => i !== cur.name);
      const c = other !== undefined && next.input.length === 2 ? constOf(other) : undefined;
      if (!c || c.dtype !== 'float32' || c.shape.length !== 1 || c.shape[0] !== channels || (next.op === 'BiasAdd' && next.input[0] !== cur.name)) break;
      if (next.op === 'Mul') {
        for (let k = 0; k < channels; k++) (scale[k]! *= c.data[k]!), (bias[k]! *= c.data[k]!);
        scaled = true;
      } else for (let k = 0; k < channels; k++) bias[k]! += c.data[k]!;
      chain.push(next);
      cur = next;
    }
    let act: GraphNode | undefined;
    if (n.op !== 'Conv3D') {
      const next = only(cur);
      if (next && ACTIVATIONS.has(next.op)) act = next;
    }
    if (!chain.length && !act) continue;
    let filterName = n.input[1]!;
    if (scaled) {
      // The scale goes into the filter as it is made (one pass with its transpose), else into the data in place.
      if (privateConst(filterName, n, filter)) {
        if (!filter.scaleLast?.(scale)) scaleChannels(filter.data as Float32Array, scale);
      } else filterName = b.constant(`${n.name}/folded_filter`, scaleChannels((filter.data as Float32Array).slice(), scale), filter.shape, true);
    }
    const last = act ?? cur;
    const biasName = b.constant(`${n.name}/folded_bias`, bias, [channels]);
    for (const r of [n, ...chain, ...(act ? [act] : [])]) if (r !== last) removed.add(r);
    if (n.op === 'Conv3D') {
      // No fused 3-D convolution in tfjs: the folded filter, then one BiasAdd under the chain's last name.
      const conv = b.unique(`${n.name}/folded`);
      b.nodes.push({ name: conv, op: 'Conv3D', input: [n.input[0]!, filterName], attr: n.attr });
      Object.assign(last, { op: 'BiasAdd', input: [conv, biasName], attr: {} });
      continue;
    }
    const attr: Record<string, unknown> = { ...n.attr, num_args: { i: '1' }, fused_ops: { list: { s: [btoa('BiasAdd'), ...(act ? [btoa(act.op)] : [])] } } };
    if (act?.op === 'LeakyRelu') attr.leakyrelu_alpha = act.attr.alpha ?? { f: 0.2 };
    Object.assign(last, { op: FUSED[n.op]!, input: [n.input[0]!, filterName, biasName], attr });
  }
  // GraphModel orders nodes by their edges, so new nodes may stay at the end; drop the dead ones.
  let nodes = b.nodes.filter((n) => !removed.has(n));
  for (;;) {
    const used = new Set(nodes.flatMap((n) => n.input.map(base)));
    const next = nodes.filter((n) => n.op !== 'Const' || used.has(n.name));
    if (next.length === nodes.length) break;
    nodes = next;
  }
  b.nodes.splice(0, b.nodes.length, ...nodes);
}

/** Multiplies the last (channel) axis of `w` by `scale`, in place; returns `w`. */
function scaleChannels(w: Float32Array, scale: Float32Array): Float32Array {
  const c = scale.length;
  for (let at = 0; at < w.length; at += c) for (let k = 0; k < c; k++) w[at + k]! *= scale[k]!;
  return w;
}
