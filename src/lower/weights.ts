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
  return initParts(g, node, p, scheme, seed, Infinity).next().value as Float32Array;
}

/**
 * The values of {@link initParam} in consecutive parts of `partValues` (the last shorter), made as they are
 * taken: a writer holds one part of a large parameter at a time (a 10M-row embedding, VGG's 392 MiB fc6),
 * not all of it. The same draws in the same order, so the same values bit for bit. `partValues` is even
 * (the draws come in pairs) or Infinity (one part).
 */
export function* initParts(g: Graph, node: IrNode, p: IrParam, scheme: InitScheme, seed: number, partValues: number): Generator<Float32Array, void> {
  if (partValues !== Infinity && (partValues % 2 !== 0 || partValues <= 0)) throw new Error(`initParts: ${partValues} values a part (an even count)`);
  const n = p.shape.reduce((a, b) => a * b, 1);
  const kind = p.init ?? (p.name.includes('weight') ? 'random' : 'zeros');
  const random = typeof kind !== 'object' && kind !== 'ones' && kind !== 'zeros' && scheme !== 'zeros';
  const fanIn = p.fanIn ?? Math.max(1, p.shape.slice(1).reduce((a, b) => a * b, 1));
  const std = random && schemeFor(g, node, scheme) === 'xavier' ? Math.sqrt(1 / fanIn) : Math.sqrt(2 / fanIn);
  // Rows a fresh model keeps at zero (an embedding's padding_idx), as value ranges.
  const row = p.shape.slice(1).reduce((a, b) => a * b, 1);
  const zero = (p.zeroRows ?? []).map((r) => [r * row, (r + 1) * row] as const);
  // mulberry32 (as `rng`) inlined with its state in a local: the closure call per draw cost ~40 % of the loop
  // (ViT-B/16's 86.6M weights). Same draws, same arithmetic, so the same values bit for bit.
  let a = random ? hash(`${seed}:${paramKey(node, p)}`) : 0;
  for (let from = 0; from < n || (n === 0 && from === 0); from += partValues) {
    const out = new Float32Array(Math.min(partValues, n - from));
    const len = out.length;
    if (typeof kind === 'object') out.fill(kind.constant);
    else if (kind === 'ones') out.fill(1);
    else if (random)
      for (let i = 0; i < len; ) {
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
        if (i < len) out[i++] = v * m;
      }
    for (const [z0, z1] of zero) if (z1 > from && z0 < from + len) out.fill(0, Math.max(0, z0 - from), Math.min(len, z1 - from));
    yield out;
    if (n === 0) return;
  }
}
