/**
 * The example models through both lowerings: TensorFlow.js (wasm backend, fused graph) against onnxruntime-node on
 * dslc's ONNX export, same seed and inputs, max difference ≤ 1e-4 of the output scale. Also: no tensor leaks over
 * 100 predictions, and clear errors for inputs that do not fit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import { nodeHost } from '../src/cli/host.js';
import { lowerToTfjs, TfjsInputError } from '../src/lower/tfjs/index.js';
import { ROOT, errors } from './helpers/compile.js';
import { crossCheck, tf, wasm } from './helpers/tfjs.js';

/**
 * Examples small enough for CI (measured on the shared 2-core machine, both lowerings + ORT: resnet18 2.9 s, googlenet
 * 1.3 s, mobilenet_v1 1.0 s, the others < 1 s). Left out for time only: siamese (10.5 s: a 38M-weight dense layer
 * initialised twice), vgg16 (138M parameters), alexnet and zf5 (60M+), vit_b_16 (11 s, 28 s before attention ran
 * per head on wasm: 86M parameters, 12 attention layers over 197 tokens; test/tfjs-ops.test.ts runs its
 * class_token, position_embedding and slice, test/tfjs-attention.test.ts the per-head form), resnet50, resnext50_32x4d,
 * densenet121 and regnet_y_400mf (their ops are covered by the others). shufflenet_v2 1.5 s.
 */
const EXAMPLES: [string, Record<string, number>][] = [
  ['lenet5.nn', { N: 2 }],
  ['resnet18.nn', { N: 1 }],
  ['mobilenet_v1.nn', { N: 1 }],
  ['mobilenet_v2.nn', { N: 1 }],
  ['squeezenet.nn', { N: 1 }],
  ['googlenet.nn', { N: 1 }],
  ['lstm_text.nn', { N: 2 }],
  ['unet.nn', { N: 1, H: 64, W: 48 }],
  ['yolo_head.nn', { N: 2 }],
  ['efficientnet_b0.nn', { N: 1 }],
  ['m5_audio.nn', { N: 2 }],
  ['gru_tagger.nn', { N: 2, T: 7 }],
  ['shufflenet_v2.nn', { N: 1 }],
];

function load(file: string) {
  const path = join(ROOT, 'examples', file);
  const r = check({ path, text: readFileSync(path, 'utf8'), host: nodeHost() });
  expect(errors(r).map((d) => d.message)).toEqual([]);
  return r.models[0]!;
}

describe('tfjs lowering of the examples vs ONNX Runtime', () => {
  for (const [file, sizes] of EXAMPLES)
    it(file, async () => {
      const got = await crossCheck(load(file), new Map(Object.entries(sizes)), { seed: 5 });
      got.net.dispose();
      expect(got.shapes).toEqual(got.ortShapes);
      expect(got.rel).toBeLessThanOrEqual(1e-4);
    }, 60_000);

  it('shares weights between applications of one instance (a small siamese tower)', async () => {
    const text = `block tower(x: Tensor) -> Tensor {
  return x -> conv2d(4, 3, name="conv") -> batchnorm2d(name="bn") -> relu -> flatten -> dense(5, name="fc") -> sigmoid
}
model S(left: [N, 1, 8, 8], right: [N, 1, 8, 8]) {
  enc = tower(name="tower")
  y = (left -> enc, right -> enc) -> concat(axis=1) -> dense(1, name="head")
  return y
}
`;
    const r = check({ path: 's.nn', text, host: nodeHost() });
    expect(errors(r).map((d) => d.message)).toEqual([]);
    const m = r.models[0]!;
    // Random BatchNorm statistics, so that the folding into each application's convolution is exercised.
    const rnd = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => 0.6 + 0.4 * Math.sin(i * 1.7 + k));
    const weights = new Map(m.graph.nodes.filter((n) => n.op.name === 'batchnorm' && n.sharedWith === undefined).flatMap((n) => n.params.map((p, k) => [`${n.path}.${p.name}`, rnd(p.shape[0]!, k)] as [string, Float32Array])));
    expect(weights.size).toBe(4);
    const got = await crossCheck(m, new Map([['N', 3]]), { seed: 4, weights });
    got.net.dispose();
    expect(got.rel).toBeLessThanOrEqual(1e-4);
  });

  it('binds symbolic sizes from the inputs: a recurrent net over two sequence lengths', async () => {
    const r = check({ path: 'seq.nn', text: 'model Seq(x: [N, T, 8]) {\n  y = x -> gru(4, bidirectional=true)\n  return y\n}\n', host: nodeHost() });
    const m = r.models[0]!;
    for (const T of [3, 7]) {
      const got = await crossCheck(m, new Map([['N', 2], ['T', T]]), { seed: 2 });
      expect(got.shapes).toEqual([[2, T, 8]]);
      expect(got.rel).toBeLessThanOrEqual(1e-4);
      got.net.dispose();
    }
    const { result: net } = await lowerToTfjs(m, { tf });
    for (const T of [4, 6]) expect((await net!.predict({ x: { data: new Float32Array(T * 8), shape: [1, T, 8] } })).y!.shape).toEqual([1, T, 8]);
    net!.dispose();
  });

  it('leaks no tensors over 100 predictions, and frees its weights on dispose', async () => {
    await wasm();
    const before = tf.memory().numTensors;
    const { result: net } = await lowerToTfjs(load('lenet5.nn'), { tf, seed: 1 });
    const x = { data: Float32Array.from({ length: 32 * 32 }, (_, i) => Math.sin(i)), shape: [1, 1, 32, 32] };
    await net!.predict({ x });
    const loaded = tf.memory().numTensors;
    expect(loaded).toBeGreaterThan(before);
    for (let i = 0; i < 100; i++) await net!.predict({ x });
    expect(tf.memory().numTensors).toBe(loaded);
    net!.dispose();
    await new Promise((r) => setTimeout(r, 10));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the expected shape and dtype when an input does not fit', async () => {
    await wasm();
    const { result: net } = await lowerToTfjs(load('lenet5.nn'), { tf });
    const f = (n: number) => new Float32Array(n);
    await expect(net!.predict({})).rejects.toThrow(/missing input 'x': expected shape \[N, 1, 32, 32\] \(float32\)/);
    await expect(net!.predict({ x: { data: f(28 * 28), shape: [1, 1, 28, 28] } })).rejects.toThrow(TfjsInputError);
    await expect(net!.predict({ x: { data: f(28 * 28), shape: [1, 1, 28, 28] } })).rejects.toThrow(/expected shape \[N, 1, 32, 32\] \(float32\), got \[1, 1, 28, 28\]/);
    await expect(net!.predict({ x: { data: new Int32Array(1024), shape: [1, 1, 32, 32] } })).rejects.toThrow(/expected float32 data/);
    await expect(net!.predict({ x: { data: f(10), shape: [1, 1, 32, 32] } })).rejects.toThrow(/needs 1024 values, got 10/);
    // Another batch builds (once) and runs.
    const y = await net!.predict({ x: { data: f(3 * 1024), shape: [3, 1, 32, 32] } });
    expect(y.logits!.shape).toEqual([3, 10]);
    net!.dispose();
  });
});
