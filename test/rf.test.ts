/**
 * Receptive fields against a brute-force dependency trace: for random chains of 1-D convolutions and
 * pools, follow which input positions (in the infinite padded line) output units 0 and 1 depend on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkText, errors } from './helpers/compile.js';

interface Layer {
  op: 'conv1d' | 'max_pool1d' | 'avg_pool1d' | 'conv_transpose1d';
  k: number;
  s: number;
  p: number;
  d: number;
}

const layer: fc.Arbitrary<Layer> = fc.oneof(
  fc.record({ op: fc.constant('conv1d' as const), k: fc.integer({ min: 1, max: 7 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 3 }), d: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constantFrom('max_pool1d' as const, 'avg_pool1d' as const), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), p: fc.constant(0), d: fc.constant(1) }),
);

/** Input positions that output unit `o` of the chain depends on (positions may fall in the padding). */
function trace(chain: Layer[], o: number): Set<number> {
  let cur = new Set([o]);
  for (let l = chain.length - 1; l >= 0; l--) {
    const { k, s, p, d } = chain[l]!;
    const next = new Set<number>();
    for (const u of cur) for (let t = 0; t < k; t++) next.add(u * s - p + t * d);
    cur = next;
  }
  return cur;
}

const call = (l: Layer) => (l.op === 'conv1d' ? `conv1d(2, ${l.k}, stride=${l.s}, padding=${l.p}, dilation=${l.d})` : `${l.op}(${l.k}, stride=${l.s})`);

describe('receptive field', () => {
  it('equals a brute-force dependency trace (size, jump, start) for random conv/pool chains', () => {
    fc.assert(
      fc.property(fc.array(layer, { minLength: 1, maxLength: 6 }), (chain) => {
        const src = `model R(x: [1, 2, 4096]) {\n  y = x -> ${chain.map(call).join(' -> ')}\n  return y\n}\n`;
        const r = checkText(src);
        if (errors(r).length) return; // too small an input for this chain: not what is tested here
        const rf = r.models[0]!.layers.at(-1)!.rf![0]!;
        const u0 = [...trace(chain, 0)];
        const u1 = [...trace(chain, 1)];
        const lo = Math.min(...u0);
        const hi = Math.max(...u0);
        expect(rf.size).toBe(hi - lo + 1);
        expect(rf.jump).toBe(Math.min(...u1) - lo);
        // Centre of unit 0's field, with input pixel i centred at i + 0.5.
        expect(rf.start).toBeCloseTo((lo + hi) / 2 + 0.5, 9);
      }),
      { numRuns: 300 },
    );
  });

  it('takes the union of branches at a merge', () => {
    const r = checkText(`model U(x: [1, 4, 64, 64]) {
  a = x -> conv2d(4, 3, padding=1)
  b = x -> conv2d(4, 7, padding=3)
  return add(a, b)
}`);
    expect(errors(r)).toEqual([]);
    const rf = r.models[0]!.layers.at(-1)!.rf!;
    expect(rf.map((a) => [a.size, a.jump, a.start])).toEqual([[7, 1, 0.5], [7, 1, 0.5]]);
  });

  it('divides the jump through upsampling and transposed convolution', () => {
    const r = checkText(`model T(x: [1, 4, 64, 64]) {
  d = x -> conv2d(4, 3, stride=2, padding=1) -> conv2d(4, 3, stride=2, padding=1)
  u = d -> upsample(scale_factor=2)
  t = d -> conv_transpose2d(4, 2, stride=2)
  return u, t
}`);
    expect(errors(r)).toEqual([]);
    const m = r.models[0]!;
    const rfOf = (name: string) => m.rf[m.graph.tensors.find((t) => t.name === name)!.id]![0]!;
    expect(rfOf('d').jump).toBe(4);
    expect(rfOf('u').jump).toBe(2);
    expect(rfOf('t').jump).toBe(2);
  });

  it('keeps the grid through a softmax or layernorm over a spatial axis, whose outputs each see that whole axis', () => {
    const r = checkText(`model M(x: [1, 4, 16, 16]) {
  s = x -> softmax(axis=-1)
  a = s -> conv2d(4, 3, padding=1)
  b = a -> conv2d(4, 3, stride=2, padding=1)
  n = x -> layernorm((16, 16)) -> conv2d(4, 3, padding=1)
  return b, n
}`);
    expect(errors(r)).toEqual([]);
    const m = r.models[0]!;
    const rfOf = (name: string) => m.rf[m.graph.tensors.find((t) => t.name === name)!.id]!.map((a) => [a.size, a.jump]);
    // W: 1 + (16 - 1)·1 = 16, then + (3 - 1)·1 per 3×3 conv; H untouched by the softmax.
    expect(rfOf('s')).toEqual([[1, 1], [16, 1]]);
    expect(rfOf('a')).toEqual([[3, 1], [18, 1]]);
    expect(rfOf('b')).toEqual([[5, 2], [20, 2]]);
    expect(rfOf('n')).toEqual([[18, 1], [18, 1]]);
  });

  it('moves the field through slice (strided 1-wide window), pixel (un)shuffle, group_norm and reductions', () => {
    const r = checkText(`model S(x: [1, 4, 16, 16]) {
  s = x -> slice(3, 2, none, 2)
  u = x -> pixel_unshuffle(2)
  p = u -> conv2d(16, 1) -> pixel_shuffle(2)
  g = x -> group_norm(2)
  m = x -> reduce_mean(3, keepdims=true)
  return s, p, g, m
}`);
    expect(r.diagnostics.map((d) => d.code)).toEqual([]);
    const m = r.models[0]!;
    const rfOf = (name: string) => m.rf[m.graph.tensors.find((t) => t.name === name)!.id]!.map((a) => [a.size, a.jump, a.start]);
    // Columns 2, 4, …: the first kept column is pixel 2, centred at 2.5.
    expect(rfOf('s')).toEqual([[1, 1, 0.5], [1, 2, 2.5]]);
    expect(rfOf('u')).toEqual([[2, 2, 1], [2, 2, 1]]);
    // Shuffling back by 2 divides the jump, as upsampling does.
    expect(rfOf('p')).toEqual([[2, 1, 0.5], [2, 1, 0.5]]);
    expect(rfOf('g')).toEqual([[16, 1, 0.5], [16, 1, 0.5]]);
    expect(rfOf('m')).toEqual([[1, 1, 0.5], [16, 1, 0.5]]);
  });

  it('a broadcast operand (squeeze-and-excitation gate) widens the field but leaves the grid: no W0103, jump kept', () => {
    const r = checkText(`model SE(x: [1, 32, 16, 16]) {
  se = x -> global_avg_pool -> conv2d(8, 1) -> relu -> conv2d(32, 1) -> sigmoid
  g = mul(x, se)
  y = g -> conv2d(32, 3, padding=1)
  assert jump(y) == 1
  return y
}`);
    expect(r.diagnostics.map((d) => d.code)).toEqual([]);
    const m = r.models[0]!;
    const rfOf = (name: string) => m.rf[m.graph.tensors.find((t) => t.name === name)!.id]!.map((a) => [a.size, a.jump, a.start]);
    expect(rfOf('g')).toEqual([[16, 1, 0.5], [16, 1, 0.5]]);
    expect(rfOf('y')).toEqual([[18, 1, 0.5], [18, 1, 0.5]]);
  });

  it('no W0103 where the merge has one position (squeeze-and-excitation on a 1×1 map: EfficientNet on 32×32 input)', () => {
    const r = checkText(`model SE1(x: [1, 8, 32, 32]) {
  h = x -> conv2d(32, 3, stride=32, padding=1)
  se = h -> global_avg_pool -> conv2d(8, 1) -> relu -> conv2d(32, 1) -> sigmoid
  return mul(h, se)
}`);
    expect(r.diagnostics.map((d) => d.code)).toEqual([]);
  });

  it('checker warnings from inside a block (W0103, W0101) name the call that led there, as elaboration ones do', () => {
    const r = checkText(`block pair(x: Tensor) {
  a = x -> conv2d(4, 2, stride=2)
  b = x -> conv2d(4, 3, stride=2, padding=1) -> batchnorm
  return add(a, b)
}
model W(x: [1, 4, 64, 64]) {
  y = x -> pair(name="p")
  return y
}`);
    const notes = (code: string) => r.diagnostics.find((d) => d.code === code)!.notes.map((n) => [n.message, n.span?.line]);
    expect(notes('W0103')).toEqual([['in p (pair) called here', 7]]);
    expect(notes('W0101')).toEqual([['batchnorm here', 3], ['in p (pair) called here', 7]]);
    expect(r.diagnostics.find((d) => d.code === 'W0103')!.blockPath).toEqual(['p: pair']);
  });

  it('warns (W0103) about branches misaligned along any axis, naming it past the first', () => {
    const r = checkText(`model W(x: [1, 4, 64, 64]) {
  a = x -> conv2d(4, (1, 2), stride=(1, 2))
  b = x -> conv2d(4, (1, 3), stride=(1, 2), padding=(0, 1))
  return add(a, b)
}`);
    const w = r.diagnostics.filter((d) => d.code === 'W0103');
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toMatch(/misaligned along W: the first outputs are centred at different input positions \(1 vs 0\.5 px\)/);
  });
});
