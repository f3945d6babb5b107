/**
 * `dslc model.nn --emit tfjs -o dir/` end to end (spawns the built `bin/dslc.cjs`): the directory loads with
 * `tf.loadGraphModel` through an IOHandler that reads `model.json` and its shards from disk, and gives the numbers
 * `lowerToTfjs` gives; the write is all or nothing and never replaces a directory dslc did not write.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lowerToTfjs } from '../src/lower/tfjs/index.js';
import { check } from '../src/api.js';
import { nodeHost } from '../src/cli/host.js';
import { checkText } from './helpers/compile.js';
import { tf, wasm } from './helpers/tfjs.js';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'dslc-tfjs-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dslc = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/dslc.cjs'), ...args], { cwd: dir, encoding: 'utf8' });

const MODEL = `model Small(x: [N, 3, 16, 16]) -> (y: [N, 4]) {
  y = x -> conv2d(8, 3, padding=1, bias=false) -> batchnorm2d -> relu -> max_pool2d(2) -> global_avg_pool -> flatten -> dense(4)
  return y
}
`;

/** A tfjs IOHandler over a directory on disk (what `file://` loading does in tfjs-node). */
function dirHandler(d: string): tf.io.IOHandler {
  return {
    async load() {
      const j = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8'));
      const m = j.weightsManifest[0];
      const parts = m.paths.map((p: string) => readFileSync(join(d, p)));
      const all = new Uint8Array(parts.reduce((a: number, p: Buffer) => a + p.length, 0));
      let off = 0;
      for (const p of parts) (all.set(p, off), (off += p.length));
      return { modelTopology: j.modelTopology, weightSpecs: m.weights, weightData: all.buffer, format: j.format, generatedBy: j.generatedBy, convertedBy: j.convertedBy };
    },
  };
}

describe('dslc --emit tfjs', () => {
  it('the CLI bundle does not contain tfjs (dslc check never loads it)', () => {
    expect(readFileSync(join(ROOT, 'dist/dslc.cjs'), 'utf8')).not.toMatch(/@tensorflow/);
  });

  it('writes model.json + shards that tf.loadGraphModel runs with the numbers of lowerToTfjs', async () => {
    writeFileSync(join(dir, 'small.nn'), MODEL);
    const r = dslc(['small.nn', '--emit', 'tfjs', '-o', 'web', '--seed', '3']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^wrote .*web \(Small: [\d,]+ parameters, [\d.]+ MB in 1 shard\(s\)\)\n$/);
    expect(readdirSync(join(dir, 'web')).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    await wasm();
    const model = await tf.loadGraphModel(dirHandler(join(dir, 'web')));
    const x = Float32Array.from({ length: 3 * 256 }, (_, i) => Math.sin(i * 0.37));
    const meta = JSON.parse(readFileSync(join(dir, 'web/model.json'), 'utf8')).userDefinedMetadata.dslc;
    const out = model.execute({ [meta.inputs[0].node]: tf.tensor(x, [1, 3, 16, 16]) }, meta.outputs[0].node) as tf.Tensor;
    const got = Array.from(await out.data());
    out.dispose();
    model.dispose();
    const m = checkText(MODEL).models[0]!;
    const { result: net } = await lowerToTfjs(m, { tf, seed: 3 });
    const want = Array.from((await net!.predict({ x: { data: x, shape: [1, 3, 16, 16] } })).y!.data);
    net!.dispose();
    expect(got.length).toBe(4);
    expect(got).toEqual(want);
    // The batch-norm was folded into the convolution, bias and ReLU fused.
    const ops = JSON.parse(readFileSync(join(dir, 'web/model.json'), 'utf8')).modelTopology.node.map((n: { op: string }) => n.op);
    expect(ops).toContain('_FusedConv2D');
    expect(ops).toContain('_FusedMatMul');
    for (const gone of ['Relu', 'Mul', 'AddV2', 'BiasAdd', 'Conv2D']) expect(ops).not.toContain(gone);
  });

  it('splits weights into 4 MB shards that load back in order (unet, sizes from --input-shape)', async () => {
    const r = dslc([join(ROOT, 'examples/unet.nn'), '--emit', 'tfjs', '-o', 'unet', '--input-shape', 'H=32,W=32', '--seed', '1']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const files = readdirSync(join(dir, 'unet')).sort();
    expect(files).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
    expect(readFileSync(join(dir, 'unet/group1-shard1of2.bin')).length).toBe(4 * 1024 * 1024);
    await wasm();
    const model = await tf.loadGraphModel(dirHandler(join(dir, 'unet')));
    const x = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => Math.cos(i * 0.11));
    const out = model.execute({ image: tf.tensor(x, [1, 3, 32, 32]) }, 'mask') as tf.Tensor;
    const got = Array.from(await out.data());
    out.dispose();
    model.dispose();
    const m = check({ path: join(ROOT, 'examples/unet.nn'), text: readFileSync(join(ROOT, 'examples/unet.nn'), 'utf8'), host: nodeHost() }).models[0]!;
    const { result: net } = await lowerToTfjs(m, { tf, seed: 1 });
    const want = Array.from((await net!.predict({ image: { data: x, shape: [1, 3, 32, 32] } })).mask!.data);
    net!.dispose();
    expect(got.length).toBe(2 * 32 * 32);
    expect(got).toEqual(want);
  });

  it('replaces its own directory, refuses any other, and reports E0602/E0603 without writing', () => {
    expect(dslc(['small.nn', '--emit', 'tfjs', '-o', 'web']).status).toBe(0);
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine/notes.txt'), 'keep');
    const r = dslc(['small.nn', '--emit', 'tfjs', '-o', 'mine']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/refusing to overwrite .*mine: it is not a directory written by dslc/);
    expect(readFileSync(join(dir, 'mine/notes.txt'), 'utf8')).toBe('keep');
    writeFileSync(join(dir, 'seq.nn'), 'model Seq(x: [N, T, 8]) {\n  y = x -> gru(4)\n  return y\n}\n');
    const s = dslc(['seq.nn', '--emit', 'tfjs', '-o', 'seq']);
    expect(s.status).toBe(1);
    expect(s.stderr).toMatch(/E0603/);
    expect(existsSync(join(dir, 'seq'))).toBe(false);
    expect(dslc(['seq.nn', '--emit', 'tfjs', '-o', 'seq', '--input-shape', 'T=5']).status).toBe(0);
    writeFileSync(join(dir, 'idx.nn'), 'model Idx(x: [1, 2, 6, 6]) {\n  y = x -> adaptive_max_pool2d(4, return_indices=true)\n  return y[1]\n}\n');
    const e = dslc(['idx.nn', '--emit', 'tfjs', '-o', 'idx']);
    expect(e.status).toBe(1);
    expect(e.stderr).toMatch(/E0602.*adaptive_max_pool2d has no TensorFlow.js form here: return_indices/);
    expect(e.stderr).toMatch(/idx\.nn:2:/);
    expect(existsSync(join(dir, 'idx'))).toBe(false);
  });
});
