/**
 * Full-size resnet18 and mobilenet_v2 with the weights of torch's BatchNorm-preserving ONNX export
 * (`torch.onnx.export(..., training=TrainingMode.PRESERVE)`, opset 17), without committing that export
 * (~45 MB for resnet18): scripts/fixtures/torch_onnx_full.py sets every weight and running statistic of
 * torchvision's models from a formula (murmur3's finaliser over the tensor and element index, exact in
 * float32) and commits test/fixtures/torch-onnx/<model>.full.json: torch's initializer names, dims and
 * order, the formula's arguments, a checksum of the data torch wrote, the input's formula and torch's
 * (eager) output for it. Here the weights are recomputed bit for bit under torch's names, mapped to
 * dslc's parameter keys by the CLI's own code (`--weights-map auto`, and a rules file), exported from
 * examples/<model>.nn with BatchNorm kept and folded, and run in onnxruntime: torch's output within 1e-4
 * of the output scale. The CLI itself loads torch's weights as an ONNX file for resnet18.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { CheckedModel } from '../src/checker/analyze.js';
import { mapWeightNames } from '../src/cli/weights-names.js';
import type { OnnxExportOptions } from '../src/lower/onnx/export.js';
import { matchWeights, type WeightTensor } from '../src/lower/weights-file.js';
import { ROOT, checkFile, errors } from './helpers/compile.js';
import { decodeModel, exportModel, graphOf, onnx, tempDir } from './helpers/onnx.js';

const FX = join(ROOT, 'test/fixtures/torch-onnx');

/** A row: torch's name, dims, then the generator's offset, scale and zero_sum, and the checksum of torch's data. */
type Row = [name: string, dims: number[], offset: number, scale: number, zeroSum: 0 | 1, checksum: number];
interface Full {
  export: string;
  torch_nodes: Record<string, number>;
  input: { shape: number[]; k: number; offset: number; scale: number; zero_sum: 0 | 1; checksum: number };
  initializers: Row[];
  output: { shape: number[]; data: number[] };
}
const fixture = (name: string) => JSON.parse(readFileSync(join(FX, `${name}.full.json`), 'utf8')) as Full;

/**
 * The fixture's generator (scripts/fixtures/torch_onnx_full.py): u(k, i) = murmur3 fmix32 of
 * (i + 0x9E3779B9·(k+1)) mod 2³², top 23 bits over 2²³; value = offset + scale·u(k, i), or for zero_sum
 * offset + scale·(u(k, i) − u(k, next(i))) with next cycling through the row (one output channel's filter).
 */
function generate(k: number, dims: readonly number[], offset: number, scale: number, zeroSum: 0 | 1): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const base = Math.imul(0x9e3779b9, k + 1);
  const u = (i: number) => {
    let x = (i + base) | 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b);
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35);
    x ^= x >>> 16;
    return (x >>> 9) / 8388608;
  };
  const out = new Float32Array(n); // storing rounds to the nearest float32, as numpy's astype does
  if (!zeroSum) {
    for (let i = 0; i < n; i++) out[i] = offset + scale * u(i);
    return out;
  }
  const f = n / dims[0]!;
  for (let r = 0; r < n; r += f) {
    const first = u(r);
    let a = first;
    for (let j = 0; j < f; j++) {
      const b = j + 1 < f ? u(r + j + 1) : first;
      out[r + j] = offset + scale * (a - b);
      a = b;
    }
  }
  return out;
}

/** Σ bits(value i)·(2i + 1) mod 2³², as the script computes it over torch's data. */
function checksum(a: Float32Array): number {
  const w = new Uint32Array(a.buffer, a.byteOffset, a.length);
  let h = 0;
  for (let i = 0; i < w.length; i++) h = (h + Math.imul(w[i]!, 2 * i + 1)) >>> 0;
  return h;
}

/** torch's initializers, in the file's order and under torch's names, as `--weights` reads them. */
const torchTensors = (f: Full) => new Map<string, WeightTensor>(f.initializers.map(([name, dims, offset, scale, zs], k) => [name, { dims, dtype: 'float32', data: generate(k, dims, offset, scale, zs) }]));
const inputOf = (f: Full) => generate(f.input.k, f.input.shape, f.input.offset, f.input.scale, f.input.zero_sum);

function model(rel: string): CheckedModel {
  const r = checkFile(rel);
  expect(errors(r)).toEqual([]);
  return r.models[0]!;
}

/** The CLI's path from file tensors to the export's weights: --weights-map (auto or rules), then matchWeights. */
function mapped(m: CheckedModel, map: string, tensors: ReadonlyMap<string, WeightTensor>) {
  const r = mapWeightNames(map, m, 'torch.onnx', tensors);
  expect(r.diagnostics).toEqual([]);
  const w = matchWeights(m, 'torch.onnx', r.tensors);
  expect(w.diagnostics).toEqual([]);
  return { weights: w.weights, table: r.table };
}

function exported(m: CheckedModel, opts: OnnxExportOptions): Uint8Array {
  const { bytes, diagnostics } = exportModel(m, opts);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return bytes!;
}

async function run(bytes: Uint8Array, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', x, shape) });
  return out[s.outputNames[0]!]!.data as Float32Array;
}

/** Largest difference over the output's scale (max |torch|, at least 1). */
function relError(got: Float32Array, want: readonly number[]): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return worst / scale;
}

const opCount = (bytes: Uint8Array, op: string) => graphOf(decodeModel(bytes)).node.filter((n) => n.opType === op).length;

describe("resnet18 and mobilenet_v2 with the weights of torch's PRESERVE export (opset 17): torch's output within 1e-4", () => {
  for (const name of ['resnet18', 'mobilenet_v2'] as const)
    it(name, async () => {
      const f = fixture(name);
      expect(f.export).toMatch(/TrainingMode\.PRESERVE, opset_version=17/);
      const tensors = torchTensors(f);
      // Recomputed bit for bit: the checksums are of the data in torch's exported file.
      expect(f.initializers.map(([n], k) => [n, checksum(tensors.get(n)!.data!)] as const)).toEqual(f.initializers.map((r) => [r[0], r[5]] as const));
      const x = inputOf(f);
      expect(checksum(x)).toBe(f.input.checksum);

      const m = model(`examples/${name}.nn`);
      const auto = mapped(m, 'auto', tensors);
      const rules = mapped(m, join(FX, `${name}.map.json`), tensors);
      // The structural match and the hand-written rules agree on every tensor.
      expect(auto.table).toBe(rules.table);
      expect(auto.weights.size).toBe(f.initializers.length);

      const kept = exported(m, { weights: auto.weights });
      // No more nodes than torch's export (here without Identity: no two of its initializers are equal).
      expect(graphOf(decodeModel(kept)).node.length).toBeLessThanOrEqual(Object.values(f.torch_nodes).reduce((a, b) => a + b, 0));
      expect(opCount(kept, 'BatchNormalization')).toBe(f.torch_nodes.BatchNormalization);
      expect(relError(await run(kept, x, f.input.shape), f.output.data)).toBeLessThanOrEqual(1e-4);
      const folded = exported(m, { weights: rules.weights, foldBatchNorm: true });
      expect(opCount(folded, 'BatchNormalization')).toBe(0);
      expect(relError(await run(folded, x, f.input.shape), f.output.data)).toBeLessThanOrEqual(1e-4);
    });

  it('the check is sharp: one weight of the last block off by 1/64, or two same-shaped layers swapped, exceeds 1e-4', async () => {
    const f = fixture('resnet18');
    const m = model('examples/resnet18.nn');
    const x = inputOf(f);
    const err = async (tensors: Map<string, WeightTensor>) => relError(await run(exported(m, { weights: mapped(m, 'auto', tensors).weights }), x, f.input.shape), f.output.data);
    const nudged = torchTensors(f);
    const w = nudged.get('layer4.1.conv2.weight')!.data!;
    w[12345] = w[12345]! + 1 / 64;
    expect(await err(nudged)).toBeGreaterThan(1e-4);
    const swapped = torchTensors(f);
    const [a, b] = [swapped.get('layer1.0.conv1.weight')!, swapped.get('layer1.1.conv1.weight')!];
    swapped.set('layer1.0.conv1.weight', b).set('layer1.1.conv1.weight', a);
    expect(await err(swapped)).toBeGreaterThan(1e-4);
  });

  it("CLI: resnet18 --weights <torch's initializers as ONNX> --weights-map auto --fold-bn: torch's output", async () => {
    const f = fixture('resnet18');
    const t = tempDir();
    try {
      // An ONNX file with torch's initializers (names, order, dims, raw float32 data); --weights reads only those.
      const initializer = [...torchTensors(f)].map(([name, { dims, data }]) => ({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data!.buffer) }));
      const weightsFile = t.write('resnet18.torch-weights.onnx', onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'torch_jit', initializer } }).finish());
      const out = join(t.dir, 'resnet18.onnx');
      execFileSync('node', [join(ROOT, 'bin/dslc.cjs'), join(ROOT, 'examples/resnet18.nn'), '--emit', 'onnx', '--weights', weightsFile, '--weights-map', 'auto', '--fold-bn', '-o', out], { stdio: 'pipe' });
      expect(relError(await run(readFileSync(out), inputOf(f), f.input.shape), f.output.data)).toBeLessThanOrEqual(1e-4);
    } finally {
      t.cleanup();
    }
  });
});
