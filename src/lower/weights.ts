/**
 * Weights of a fresh model, shared by every lowering so that the same `--seed` gives the same numbers in
 * ONNX and TensorFlow.js. He/Kaiming normal (std sqrt(2/fan_in)) for layers feeding a ReLU-family
 * activation (and by default), Xavier/Glorot normal (std sqrt(1/fan_in)) before tanh/sigmoid; biases and
 * running means 0, norm scales and running variances 1 (each op declares which is which).
 */
import type { IrNode, IrParam, Graph } from '../semantics/ir.js';

export type InitScheme = 'he' | 'xavier' | 'zeros';

/** A parameter's stable key: `<layer path>.<param name>` of the layer that owns the weights. */
export const paramKey = (node: IrNode, p: IrParam) => `${node.path}.${p.name}`;

/** mulberry32: a small, fast, well-distributed 32-bit PRNG (deterministic across platforms). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string, to give every parameter its own stream from one seed. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const XAVIER_BEFORE = new Set(['tanh', 'sigmoid', 'hard_sigmoid', 'softmax', 'log_softmax']);

/**
 * The first node (in graph order) reading each tensor, per graph: looking it up by a scan for every parameter made
 * the initialisation quadratic (20k conv layers: 10 s to export 400k parameters).
 */
const firstReaders = new WeakMap<Graph, Map<number, IrNode>>();

/** Which random scheme a layer gets under `he` (the default): Xavier when a tanh/sigmoid follows it. */
function schemeFor(g: Graph, node: IrNode, scheme: InitScheme): InitScheme {
  if (scheme !== 'he') return scheme;
  let readers = firstReaders.get(g);
  if (!readers) {
    readers = new Map();
    for (const n of g.nodes) for (const t of n.inputs) if (!readers.has(t)) readers.set(t, n);
    firstReaders.set(g, readers);
  }
  const next = readers.get(node.outputs[0]!);
  return next && XAVIER_BEFORE.has(next.op.name) ? 'xavier' : 'he';
}

/** Initial values of one parameter. Each parameter draws from its own stream, so adding a layer does not shift others. */
export function initParam(g: Graph, node: IrNode, p: IrParam, scheme: InitScheme, seed: number): Float32Array {
  const out = initValues(g, node, p, scheme, seed);
  // Rows a fresh model keeps at zero (an embedding's padding_idx).
  if (p.zeroRows?.length) {
    const row = p.shape.slice(1).reduce((a, b) => a * b, 1);
    for (const r of p.zeroRows) out.fill(0, r * row, (r + 1) * row);
  }
  return out;
}

function initValues(g: Graph, node: IrNode, p: IrParam, scheme: InitScheme, seed: number): Float32Array {
  const n = p.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const kind = p.init ?? (p.name.includes('weight') ? 'random' : 'zeros');
  if (typeof kind === 'object') return out.fill(kind.constant);
  if (kind === 'ones') return out.fill(1);
  if (kind === 'zeros' || scheme === 'zeros') return out;
  const fanIn = p.fanIn ?? Math.max(1, p.shape.slice(1).reduce((a, b) => a * b, 1));
  const std = schemeFor(g, node, scheme) === 'xavier' ? Math.sqrt(1 / fanIn) : Math.sqrt(2 / fanIn);
  // mulberry32 (as `rng`) inlined with its state in a local: the closure call per draw cost ~40 % of the loop
  // (ViT-B/16's 86.6M weights). Same draws, same arithmetic, so the same values bit for bit.
  let a = hash(`${seed}:${paramKey(node, p)}`);
  for (let i = 0; i < n; ) {
    // Marsaglia's polar method: two normals per accepted pair, no trigonometry (≈1.6× faster than Box–Muller;
    // initialising VGG-16's 138M weights dominated its export time).
    let u: number, v: number, s: number;
    do {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      u = 2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 1;
      a = (a + 0x6d2b79f5) >>> 0;
      t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      v = 2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s) * std;
    out[i++] = u * m;
    if (i < n) out[i++] = v * m;
  }
  return out;
}
