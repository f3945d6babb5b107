/**
 * ONNX export memory: lowering makes no weights; each initializer's values are made when its chunk is written
 * (src/lower/onnx/encode.ts), one layer at a time and once each, so that writing a model holds about one
 * layer's weights rather than all of them plus their repacked copies (a transposed dense weight).
 */
import { describe, expect, it } from 'vitest';
import type { CheckedModel } from '../src/checker/analyze.js';
import { encodeModel, join, pieces } from '../src/lower/onnx/encode.js';
import { exportOnnx, lowerOnnx } from '../src/lower/onnx/export.js';
import { unpackOnnxWeights } from '../src/lower/onnx/unpack.js';
import { readOnnxWeights } from '../src/lower/weights-file.js';
import { readBytes } from '../src/cli/read-bytes.js';
import { writeAtomic } from '../src/cli/emit.js';
import { existsSync, readdirSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { initParam, initParts, paramKey } from '../src/lower/weights.js';
import { checkText } from './helpers/compile.js';
import { decodeModel, graphOf, tempDir } from './helpers/onnx.js';

/** A weights map that logs every key read. */
class Logged extends Map<string, Float32Array> {
  readonly log: string[] = [];
  override get(key: string): Float32Array | undefined {
    this.log.push(key);
    return super.get(key);
  }
}

/** Every parameter of `m` under its key, seeded as a fresh export would make it. */
function allWeights(m: CheckedModel): Logged {
  const w = new Logged();
  for (const n of m.graph.nodes) if (n.sharedWith === undefined) for (const p of n.params) w.set(paramKey(n, p), initParam(m.graph, n, p, 'he', 0));
  return w;
}

describe('ONNX export memory', () => {
  // Transposed (derived) dense weights, attention's q/k/v made from one packed in_proj_weight, plain params.
  const src = `model M(x: [N, 10, 64]) -> (y: [N, 10, 32]) {
  y = x -> dense(64, name="a") -> multihead_attention(64, 4, name="att") -> relu -> dense(32, name="b")
  return y
}`;

  it('lowering reads no weights; writing reads each once, one layer per chunk, in file order', () => {
    const m = checkText(src).models[0]!;
    const weights = allWeights(m);
    const keys = [...weights.keys()].sort();
    const { result, diagnostics } = lowerOnnx(m, { weights });
    expect(diagnostics).toEqual([]);
    expect(weights.log).toEqual([]);
    const layersPerChunk: string[][] = [];
    let seen = 0;
    for (const _ of pieces(result!.model)) {
      const read = weights.log.slice(seen);
      seen = weights.log.length;
      if (read.length) layersPerChunk.push([...new Set(read.map((k) => k.split('.')[0]!))]);
    }
    // (attention's q, k and v projections all read in_proj_weight: the layer's values are kept while it is written)
    expect([...weights.log].sort()).toEqual(keys);
    expect(layersPerChunk.every((l) => l.length === 1)).toBe(true);
    expect(layersPerChunk.map((l) => l[0]).filter((l, i, a) => l !== a[i - 1])).toEqual(['a', 'att', 'b']);
  });

  it('lazy chunks are deterministic (writing twice gives the same bytes) and hold the seeded values, transposed', () => {
    const m = checkText(src).models[0]!;
    const r = lowerOnnx(m, { seed: 3 }).result!;
    const a = join(r.model);
    expect(join(r.model)).toEqual(a);
    const inits = graphOf(decodeModel(a)).initializer;
    const aw = inits.find((t) => t.name === 'a.weight_t')!;
    const w = initParam(m.graph, m.graph.nodes[0]!, m.graph.nodes[0]!.params.find((p) => p.name === 'weight')!, 'he', 3);
    // a.weight is [64 out, 64 in]; its initializer is the transpose, [in, out].
    const t = new Float32Array(aw.rawData.buffer.slice(aw.rawData.byteOffset, aw.rawData.byteOffset + aw.rawData.byteLength));
    expect(t[1 * 64 + 2]).toBe(w[2 * 64 + 1]);
    expect(t.length).toBe(w.length);
  });

  it('a seeded export holds no weights until written (ArrayBuffers grow by far less than the weights)', () => {
    // 4 × 1024² float32 = 16 MiB of weights, each also transposed for MatMul.
    const m = checkText(`model Big(x: [N, 8, 1024]) -> (y: [N, 8, 1024]) {\n  y = x -> dense(1024) -> dense(1024) -> dense(1024) -> dense(1024)\n  return y\n}`).models[0]!;
    const before = process.memoryUsage().arrayBuffers;
    const r = lowerOnnx(m, { seed: 1 }).result!;
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(r.weightBytes).toBeGreaterThan(16 * 2 ** 20);
    expect(grown).toBeLessThan(r.weightBytes / 8);
  });

  it('--fold-bn: a folded layer is computed when written, not when lowered', () => {
    const m = checkText(`model C(x: [N, 3, 8, 8]) -> (y: [N, 4, 8, 8]) {\n  y = x -> conv2d(4, 3, padding=1, name="c") -> batchnorm2d(name="bn")\n  return y\n}`).models[0]!;
    const weights = allWeights(m);
    const { result } = lowerOnnx(m, { weights, foldBatchNorm: true });
    // (the BatchNorm's statistics are read to decide the fold: a few numbers per channel)
    expect(weights.log.filter((k) => k.startsWith('c.'))).toEqual([]);
    join(result!.model);
    expect(weights.log.filter((k) => k.startsWith('c.')).sort()).toEqual(['c.bias', 'c.weight'].filter((k) => weights.has(k)));
  });

  it('a lazy tensor that makes the wrong number of values is an error naming it, never a file with wrong framing', () => {
    const out = encodeModel({ graph: { name: 'g' } }, [{ name: 'w', dims: [2, 3], data: () => new Float32Array(5) }]);
    expect(out.model.byteLength).toBeGreaterThan(24);
    expect(() => join(out.model)).toThrow('w: 5 values for dims [2, 3]');
    expect(() => encodeModel({ graph: { name: 'g' } }, [{ name: 'v', dims: [4], data: new Float32Array(3) }])).toThrow('v: 3 values for dims [4]');
  });

  it('--weights: unpacking replaces each packing in the map it reads (the file\'s tensors are not all kept twice)', () => {
    const m = checkText(src).models[0]!;
    const read = readOnnxWeights(exportOnnx(m, { seed: 2 }).result!);
    if (typeof read === 'string') throw new Error(read);
    expect(read.has('a.weight_t')).toBe(true);
    const u = unpackOnnxWeights(m, 'a.onnx', read, 17);
    expect(u.diagnostics).toEqual([]);
    expect(u.tensors).toBe(read);
    expect([...read.keys()].filter((k) => /_t$|\.[qkv]_proj_bias$/.test(k))).toEqual([]);
    expect(read.get('a.weight')?.dims).toEqual([64, 64]);
  });

  it('--weights: a regular file is read into one buffer (no pieces joined: twice the file for a moment)', () => {
    const t = tempDir('dslc-read-');
    try {
      const size = 40 * 2 ** 20; // (over the 16 MiB pieces a stream is read in)
      const path = t.write('w.bin', new Uint8Array(size).fill(7, size - 5));
      const before = process.memoryUsage().arrayBuffers;
      const bytes = readBytes(path);
      const grown = process.memoryUsage().arrayBuffers - before;
      expect(bytes.byteLength).toBe(size);
      expect(bytes[size - 1]).toBe(7);
      expect(grown).toBeLessThan(1.5 * size);
    } finally {
      t.cleanup();
    }
  });

  it('a lazy chunk that fails while written is rethrown as it is (a bug, not "cannot write"), leaving no file', () => {
    const t = tempDir('dslc-write-');
    try {
      const out = encodeModel({ graph: { name: 'g' } }, [{ name: 'w', dims: [3], data: () => new Float32Array(2) }]);
      const path = joinPath(t.dir, 'm.onnx');
      expect(() => writeAtomic(path, out.model)).toThrow('w: 2 values for dims [3]');
      expect(existsSync(path)).toBe(false);
      expect(readdirSync(t.dir)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('a large fresh parameter is made in parts as it is written: the same values bit for bit, whatever the part size', () => {
    // An odd count (the draws come in pairs), a padding row across a part boundary, constants, zeros.
    const m = checkText('model M(ids: int64[N, 2], x: [N, 3]) {\n  e = ids -> embedding(1001, 3, padding_idx=500) -> flatten\n  d = x -> dense(7, name="d") -> layernorm\n  return e, d\n}').models[0]!;
    for (const n of m.graph.nodes)
      for (const p of n.params)
        for (const part of [2, 4, 6, 1000, 3002])
          for (const scheme of ['he', 'xavier', 'zeros'] as const) {
            const whole = initParam(m.graph, n, p, scheme, 3);
            const parts = [...initParts(m.graph, n, p, scheme, 3, part)];
            const joined = new Float32Array(whole.length);
            let at = 0;
            for (const x of parts) joined.set(x, (at += x.length) - x.length);
            expect({ key: paramKey(n, p), part, scheme, at, same: Buffer.from(joined.buffer).equals(Buffer.from(whole.buffer)) }).toEqual({ key: paramKey(n, p), part, scheme, at: whole.length, same: true });
            expect(parts.slice(0, -1).every((x) => x.length === part)).toBe(true);
          }
    expect(() => [...initParts(m.graph, m.graph.nodes[0]!, m.graph.nodes[0]!.params[0]!, 'he', 0, 3)]).toThrow('an even count');
  });

  it('VGG\'s fc6 (102M values) is written one 16 MiB part at a time: no chunk of the file holds it whole', () => {
    // 6M values (24 MB): over one part (4M values); the file is the same as with the values made whole.
    const m = checkText('model M(x: [N, 6000]) {\n  return x -> dense(1000, bias=false)\n}').models[0]!;
    const sizes = [...pieces(lowerOnnx(m, {}).result!.model)].map((p) => p.byteLength);
    expect(Math.max(...sizes)).toBe(16 * 2 ** 20);
    expect(sizes.filter((x) => x > 2 ** 20)).toEqual([16 * 2 ** 20, 24e6 - 16 * 2 ** 20]);
    const w = graphOf(decodeModel(exportOnnx(m, {}).result!)).initializer!;
    const whole = initParam(m.graph, m.graph.nodes[0]!, m.graph.nodes[0]!.params[0]!, 'he', 0);
    expect(w.length).toBe(1);
    expect(Buffer.from(w[0]!.rawData!).equals(Buffer.from(whole.buffer))).toBe(true);
  });
});
