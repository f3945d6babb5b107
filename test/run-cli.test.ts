/**
 * `dslc run` end to end (spawns the built `bin/dslc.cjs`; `npm test` builds first): outputs equal onnxruntime-node on
 * dslc's ONNX export of the same model with the same seed or weights and the same input; `.npy` files in from NumPy
 * and out to NumPy; a wrong input shape or dtype is one line naming the expected shape (exit 2); model errors exit 1.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runDslc } from './helpers/cli.js';
import { randomInput } from '../src/cli/run.js';
import { readNpy, writeNpy } from '../src/lower/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'dslc-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dslc = (args: string[]) => runDslc(args, dir);

const at = (f: string) => join(dir, f);
const npy = (f: string) => readNpy(new Uint8Array(readFileSync(at(f))));

/** ONNX Runtime on a model file with these float inputs; every output by name. */
async function ort1(model: string, feeds: Record<string, { data: Float32Array; shape: number[] }>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const s = await ort.InferenceSession.create(at(model));
  try {
    const r = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)])));
    return Object.fromEntries(Object.entries(r).map(([k, t]) => [k, { data: t.data as Float32Array, dims: [...t.dims] }]));
  } finally {
    await s.release();
  }
}

/** max |a − b| / max(1, max |b|) */
function rel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 1;
  for (let i = 0; i < b.length; i++) (d = Math.max(d, Math.abs(a[i]! - b[i]!))), (s = Math.max(s, Math.abs(b[i]!)));
  return d / s;
}

const LENET = join(ROOT, 'examples/lenet5.nn');

describe('dslc run against onnxruntime-node', () => {
  it('lenet5 --random --seed 1 equals ORT on the --seed 1 ONNX export with the same input', async () => {
    const r = await dslc(['run', LENET, '--random', '--seed', '1', '--output', 'y.npy']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^LeNet5 on wasm \(TensorFlow\.js [\d.]+\); x \[1, 1, 32, 32\] random\nlogits: \[1, 10\] float32 {2}\[.*\] {2}min -?[\d.]+ max -?[\d.]+\nwrote y\.npy \(logits \[1, 10\]\)\n$/);
    expect((await dslc([LENET, '--emit', 'onnx', '--seed', '1', '-o', 'lenet.onnx'])).code).toBe(0);
    const x = randomInput('float32', [1, 1, 32, 32], 1);
    const want = await ort1('lenet.onnx', { x: x as { data: Float32Array; shape: number[] } });
    const y = npy('y.npy');
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([1, 10]);
    expect(rel(y.data as Float32Array, want.logits!.data)).toBeLessThanOrEqual(1e-4);
    // Not trivially equal: another seed gives other numbers.
    await dslc(['run', LENET, '--random', '--seed', '2', '--output', 'y2.npy']);
    expect(rel(npy('y2.npy').data as Float32Array, want.logits!.data)).toBeGreaterThan(1e-3);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a NumPy-written float64 batch of 3, on wasm and on cpu, equals ORT; the output loads in NumPy', async () => {
    execFileSync('/usr/bin/python3', ['-c', "import numpy as np; np.save('x3.npy', np.random.default_rng(5).standard_normal((3, 1, 32, 32)))"], { cwd: dir });
    expect((await dslc([LENET, '--emit', 'onnx', '--seed', '4', '-o', 'lenet4.onnx'])).code).toBe(0);
    const x = npy('x3.npy');
    expect(x.dtype).toBe('float64');
    const want = await ort1('lenet4.onnx', { x: { data: Float32Array.from(x.data as Float64Array), shape: [3, 1, 32, 32] } });
    for (const backend of ['wasm', 'cpu']) {
      const r = await dslc(['run', LENET, '--input', 'x3.npy', '--seed', '4', '--backend', backend, '-o', `y3-${backend}.npy`]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.stdout).toContain(`LeNet5 on ${backend} `);
      expect(r.stdout).toContain('x [3, 1, 32, 32] from x3.npy');
      expect(r.stdout).toContain('logits: [3, 10] float32');
      expect(rel(npy(`y3-${backend}.npy`).data as Float32Array, want.logits!.data)).toBeLessThanOrEqual(1e-4);
    }
    const py = execFileSync('/usr/bin/python3', ['-c', "import numpy as np; a = np.load('y3-wasm.npy'); print(a.dtype, a.shape, float(np.abs(a - np.load('y3-cpu.npy')).max()) < 1e-4)"], { cwd: dir, encoding: 'utf8' });
    expect(py.trim()).toBe('float32 (3, 10) True');
  });

  it('--weights FILE (an ONNX export) gives the numbers of that export', async () => {
    expect((await dslc([LENET, '--emit', 'onnx', '--seed', '9', '--init', 'xavier', '-o', 'w.onnx'])).code).toBe(0);
    const x = randomInput('float32', [2, 1, 32, 32], 11);
    writeFileSync(at('x2.npy'), writeNpy(x.data as Float32Array, x.shape));
    const r = await dslc(['run', LENET, '--weights', 'w.onnx', '--input', 'x=x2.npy', '--output', 'logits=yw.npy']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const want = await ort1('w.onnx', { x: x as { data: Float32Array; shape: number[] } });
    expect(rel(npy('yw.npy').data as Float32Array, want.logits!.data)).toBeLessThanOrEqual(1e-4);
    const bad = await dslc(['run', LENET, '--weights', 'x2.npy', '--random']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('dslc: --weights x2.npy: expected a .onnx or .safetensors file\n');
  });

  it('several inputs and outputs by name', async () => {
    writeFileSync(at('two.nn'), `model Two(a: [N, 4], b: [N, 4]) -> (s: [N, 3], t: [N, 4]) {
  s = add(a, b) -> dense(3)
  t = mul(a, b)
  return s, t
}
`);
    const a = randomInput('float32', [2, 4], 1);
    const b = randomInput('float32', [2, 4], 2);
    writeFileSync(at('a.npy'), writeNpy(a.data as Float32Array, a.shape));
    writeFileSync(at('b.npy'), writeNpy(b.data as Float32Array, b.shape));
    const r = await dslc(['run', 'two.nn', '--input', 'a=a.npy', '--input', 'b=b.npy', '--output', 't=t.npy', '--output', 's=s.npy']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(Array.from(npy('t.npy').data as Float32Array)).toEqual(Array.from(a.data, (v, i) => Math.fround(v * b.data[i]!)));
    expect(npy('s.npy').shape).toEqual([2, 3]);
    const amb = await dslc(['run', 'two.nn', '--input', 'a.npy', '--input', 'b=b.npy']);
    expect(amb.code).toBe(2);
    expect(amb.stderr).toBe('dslc: --input a.npy: the model has 2 inputs (a, b); write --input NAME=file.npy for each\n');
    const missing = await dslc(['run', 'two.nn', '--input', 'a=a.npy']);
    expect(missing.stderr).toBe("dslc: no data for input 'b': give --input NAME=file.npy or --random\n");
    const unknownOut = await dslc(['run', 'two.nn', '--random', '--output', 'u=u.npy']);
    expect(unknownOut.stderr).toBe("dslc: --output u=u.npy: the model has no output 'u' (it has s, t)\n");
  });
});

describe('dslc run: integer and symbolic inputs, --model', () => {
  it('int64 token ids from NumPy feed an embedding (as int32) and match ORT; ids beyond int32 are refused', async () => {
    writeFileSync(at('tok.nn'), `model Other(x: [N, 2]) -> (y: [N, 2]) {
  return x -> relu
}
model Tok(t: int64[N, 6]) -> (y: [N, 4]) {
  return t -> embedding(50, 8) -> flatten -> dense(4)
}
`);
    execFileSync('/usr/bin/python3', ['-c', "import numpy as np; np.save('t.npy', np.array([[1, 2, 3, 49, 0, 7], [5, 5, 9, 10, 11, 12]], dtype=np.int64)); np.save('big.npy', np.array([[2**40, 0, 0, 0, 0, 0]]))"], { cwd: dir });
    const amb = await dslc(['run', 'tok.nn', '--input', 't.npy']);
    expect(amb.code).toBe(2);
    expect(amb.stderr).toBe('dslc: tok.nn defines 2 models (Other, Tok): choose one with --model NAME\n');
    const r = await dslc(['run', 'tok.nn', '--model', 'Tok', '--input', 't.npy', '--seed', '2', '-o', 'ty.npy']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect((await dslc(['tok.nn', '--emit', 'onnx', '--model', 'Tok', '--seed', '2', '-o', 'tok.onnx'])).code).toBe(0);
    const s = await ort.InferenceSession.create(at('tok.onnx'));
    const ids = BigInt64Array.from([1, 2, 3, 49, 0, 7, 5, 5, 9, 10, 11, 12].map(BigInt));
    const want = (await s.run({ t: new ort.Tensor('int64', ids, [2, 6]) })).y!.data as Float32Array;
    await s.release();
    expect(rel(npy('ty.npy').data as Float32Array, want)).toBeLessThanOrEqual(1e-4);
    const big = await dslc(['run', 'tok.nn', '--model', 'Tok', '--input', 'big.npy']);
    expect({ code: big.code, stderr: big.stderr }).toEqual({ code: 2, stderr: "dslc: input 't' (big.npy): value 1099511627776 does not fit int32\n" });
  });

  it('--random binds other symbols from --input-shape, and asks for them otherwise', async () => {
    writeFileSync(at('seq.nn'), 'model Seq(x: [N, T, 4]) -> (y: [N, T, 3]) {\n  return x -> dense(3)\n}\n');
    const r = await dslc(['run', 'seq.nn', '--random', '--input-shape', 'T=5', '--batch', '2']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('x [2, 5, 4] random');
    expect(r.stdout).toContain('y: [2, 5, 3] float32');
    const no = await dslc(['run', 'seq.nn', '--random']);
    expect({ code: no.code, stderr: no.stderr }).toEqual({ code: 2, stderr: "dslc: input 'x' has shape [N, T, 4]: give --input-shape T=SIZE for --random\n" });
  });
});

describe('dslc run: input errors, exit codes', () => {
  it('a wrong shape, a wrong dtype, Fortran order: one line naming the file and the expected shape, exit 2', async () => {
    writeFileSync(at('bad-shape.npy'), writeNpy(new Float32Array(28 * 28), [1, 1, 28, 28]));
    writeFileSync(at('bad-rank.npy'), writeNpy(new Float32Array(32 * 32), [1, 32, 32]));
    writeFileSync(at('ints.npy'), writeNpy(new Int32Array(32 * 32), [1, 1, 32, 32]));
    execFileSync('/usr/bin/python3', ['-c', "import numpy as np; np.save('f.npy', np.asfortranarray(np.ones((1, 1, 32, 32), dtype=np.float32)[:, :, :, ::1].transpose(0, 1, 3, 2).copy(order='F')))"], { cwd: dir });
    const cases: [string, string][] = [
      ['bad-shape.npy', "dslc: input 'x' (bad-shape.npy): expected shape [N, 1, 32, 32] (float32), got [1, 1, 28, 28]\n"],
      ['bad-rank.npy', "dslc: input 'x' (bad-rank.npy): expected shape [N, 1, 32, 32] (float32), got [1, 32, 32]\n"],
      ['ints.npy', "dslc: input 'x' (ints.npy): expected shape [N, 1, 32, 32] (float32), got int32 data of shape [1, 1, 32, 32]\n"],
      ['f.npy', "dslc: input 'x' (f.npy): the array is in Fortran (column-major) order; save it in C order (np.save(f, np.ascontiguousarray(a)))\n"],
      ['nope.npy', 'dslc: cannot read input nope.npy: no such file or directory\n'],
    ];
    for (const [f, msg] of cases) {
      const r = await dslc(['run', LENET, '--input', f]);
      expect({ f, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ f, code: 2, stderr: msg, stdout: '' });
    }
  });

  it('model errors exit 1 with diagnostics; usage errors exit 2', async () => {
    writeFileSync(at('broken.nn'), 'model B(x: [1, 8]) { return x -> conv2d(3, 3) }\n');
    writeFileSync(at('ok.nn'), 'model Ok(x: [1, 8]) { return x -> relu }\n');
    writeFileSync(at('same.npy'), writeNpy(new Float32Array(8), [1, 8]));
    const r = await dslc(['run', 'broken.nn', '--random']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E\d{4}\]/);
    for (const [args, msg] of [
      [['run', LENET], "no data for input 'x': give --input file.npy or --random"],
      [['run', LENET, '--random', '--input', 'x.npy'], '--input and --random exclude each other'],
      [['run', LENET, '--random', '--backend', 'webgl'], "--backend must be wasm or cpu, got 'webgl'"],
      [['run', LENET, '--random', '--bench', '0'], '--bench expects a positive number of runs'],
      [['check', LENET, '--random'], '--input, --random, --backend and --bench belong to run'],
      [['run', LENET, '--random', '-o', 'nodir/y.npy'], 'cannot write'],
      [['run', 'ok.nn', '--random', '-o', './ok.nn'], '--output ./ok.nn would overwrite an input of this run'],
      [['run', 'ok.nn', '--input', 'same.npy', '-o', 'same.npy'], '--output same.npy would overwrite an input of this run'],
    ] as [string[], string][]) {
      const e = await dslc(args);
      expect({ args, code: e.code }).toEqual({ args, code: 2 });
      expect(e.stderr).toContain(msg);
    }
    expect(readFileSync(at('ok.nn'), 'utf8')).toBe('model Ok(x: [1, 8]) { return x -> relu }\n');
    expect(npy('same.npy').shape).toEqual([1, 8]);
  });

  it('checked before running: a --batch the input files contradict, an output directory that does not exist; an index outside an embedding is an input error', async () => {
    writeFileSync(at('emb.nn'), 'model E(x: int64[N, 10]) {\n  return x -> embedding(10, 4, padding_idx=3)\n}\n');
    writeFileSync(at('idx.npy'), writeNpy(Int32Array.from({ length: 10 }, (_, i) => i), [1, 10]));
    writeFileSync(at('bad-idx.npy'), writeNpy(Int32Array.from({ length: 10 }, (_, i) => (i === 0 ? 10 : 0)), [1, 10]));
    for (const [args, msg] of [
      [['run', 'emb.nn', '--input', 'idx.npy', '--batch', '2'], "--batch 2 contradicts input 'x' (idx.npy), whose batch axis (0) is 1"],
      [['run', 'emb.nn', '--input', 'idx.npy', '-o', 'nodir/y.npy'], 'cannot write nodir/y.npy: the directory'],
      [['run', 'emb.nn', '--input', 'bad-idx.npy'], "input 'x' (bad-idx.npy) holds 10, outside the table of embedding 'embedding_1' (rows 0..9)"],
    ] as [string[], string][]) {
      const e = await dslc(args);
      expect({ args, code: e.code, internal: /internal error/.test(e.stderr) }).toEqual({ args, code: 2, internal: false });
      expect(e.stderr).toContain(msg);
    }
    // A fresh table keeps its padding row at zero, as PyTorch's.
    const r = await dslc(['run', 'emb.nn', '--input', 'idx.npy', '--init', 'he', '--seed', '1', '-o', 'emb.npy']);
    expect(r.code).toBe(0);
    const y = npy('emb.npy');
    expect([...(y.data as Float32Array).slice(3 * 4, 4 * 4)]).toEqual([0, 0, 0, 0]);
    expect([...(y.data as Float32Array).slice(2 * 4, 3 * 4)].some((v) => v !== 0)).toBe(true);
  });

  it('a time-major model (batch_first=false) takes its batch from axis 1: --batch binds N, not T', async () => {
    writeFileSync(at('tm.nn'), 'model S(x: [T, N, 4]) {\n  return x -> gru(3, batch_first=false)\n}\n');
    writeFileSync(at('tm.npy'), writeNpy(Float32Array.from({ length: 5 * 2 * 4 }, (_, i) => Math.sin(i)), [5, 2, 4]));
    const ok = await dslc(['run', 'tm.nn', '--input', 'tm.npy', '--batch', '2', '-o', 'tm-out.npy']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(npy('tm-out.npy').shape).toEqual([5, 2, 3]);
    const bad = await dslc(['run', 'tm.nn', '--input', 'tm.npy', '--batch', '5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--batch 5 contradicts input 'x' (tm.npy), whose batch axis (1) is 2");
    const rnd = await dslc(['run', 'tm.nn', '--random', '--batch', '3', '--input-shape', 'T=7']);
    expect(rnd.code, rnd.stderr).toBe(0);
    expect(rnd.stdout).toMatch(/; x \[7, 3, 4\] random\n.*: \[7, 3, 3\] float32/);
  });

  it('--random draws integer ids inside the smallest table the input indexes (a one-row class-token table)', async () => {
    writeFileSync(at('cls.nn'), 'model C(c: int64[N, 1], t: int64[N, 4]) {\n  a = c -> embedding(1, 3, name="cls")\n  b = t -> embedding(6, 3)\n  return concat(a, b)\n}\n');
    const r = await dslc(['run', 'cls.nn', '--random', '--batch', '3']);
    expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
    expect(Math.max(...randomInput('int32', [64], 5, 1).data)).toBe(0);
    const six = [...randomInput('int32', [200], 5, 6).data];
    expect([Math.min(...six), Math.max(...six)]).toEqual([0, 5]);
  });

  it('ids that reach a table through layers that only rearrange them (reshape, slice, concat) stay inside it, and an id outside it is named', async () => {
    // Seeds 0..2 drew an id of 5..7 for this model when only direct inputs of an embedding counted.
    writeFileSync(at('moved.nn'), 'model M(ids: int64[N, 4, 4]) {\n  a = ids -> reshape([N, 16]) -> slice(1, 0, 12)\n  return concat(a, a, axis=1) -> embedding(5, 8)\n}\n');
    for (const seed of ['0', '1', '2']) {
      const r = await dslc(['run', 'moved.nn', '--random', '--seed', seed, '--batch', '2']);
      expect({ seed, code: r.code, err: r.stderr }).toEqual({ seed, code: 0, err: '' });
    }
    writeFileSync(at('moved-bad.npy'), writeNpy(Int32Array.from({ length: 16 }, (_, i) => (i === 7 ? 5 : 1)), [1, 4, 4]));
    const e = await dslc(['run', 'moved.nn', '--input', 'moved-bad.npy']);
    expect({ code: e.code, err: e.stderr }).toEqual({ code: 2, err: "dslc: input 'ids' (moved-bad.npy) holds 5, outside the table of embedding 'embedding_1' (rows 0..4)\n" });
  });

  it('an Inf input pixel stays in the outputs whose windows hold it (interpolation and adaptive pooling), as in PyTorch and onnxruntime', async () => {
    const x = Float32Array.from({ length: 16 }, (_, i) => i);
    x[0] = Infinity;
    writeFileSync(at('inf.npy'), writeNpy(x, [1, 1, 4, 4]));
    for (const [body, nonFinite] of [["upsample(scale_factor=2, mode='bilinear')", 9], ['adaptive_avg_pool2d(2)', 1], ['adaptive_avg_pool2d(3)', 1]] as const) {
      writeFileSync(at('inf.nn'), `model A(x: [1, 1, 4, 4]) {\n  y = x -> ${body}\n  return y\n}\n`);
      const r = await dslc(['run', 'inf.nn', '--input', 'inf.npy', '-o', 'inf-out.npy']);
      expect(r.code, r.stderr).toBe(0);
      const y = npy('inf-out.npy').data as Float32Array;
      expect([body, [...y].filter((v) => !Number.isFinite(v)).length, [...y].filter((v) => Number.isNaN(v)).length]).toEqual([body, nonFinite, 0]);
    }
  });

  it('--bench N reports median, p95 and throughput', async () => {
    const r = await dslc(['run', LENET, '--random', '--batch', '2', '--bench', '5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('x [2, 1, 32, 32] random');
    expect(r.stdout).toMatch(/\nbench: 5 runs after 5 warm-up, batch 2: median \d+\.\d\d ms, p95 \d+\.\d\d ms, \d+\.\d samples\/s\n$/);
  });
});
