/**
 * Helpers for ONNX export tests: export a checked model in memory, decode it, write temporary files, validate
 * many files with the Python `onnx` package in one process (test/helpers/onnx_check.py: it is slow to start),
 * and run files in ONNX Runtime on random input.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import type { CheckedModel } from '../../src/checker/analyze.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { exportOnnx, type OnnxExportOptions } from '../../src/lower/onnx/export.js';
import type { DType } from '../../src/ops/types.js';
import { evaluate, formatDim, isSymbolic, symbolsOf, type Dim } from '../../src/symbolic/dim.js';
import { ROOT } from './compile.js';

export const { onnx } = onnxProto;
export type ModelProto = onnxProto.onnx.ModelProto;

/** The Debian python with `onnx` 1.12 (not the pyenv python3 on PATH). */
export const PYTHON = '/usr/bin/python3';
export const CHECKER = join(ROOT, 'test/helpers/onnx_check.py');

export type PyDim = number | string | null;
export interface PyCheck {
  file: string;
  ok: boolean;
  error: string | null;
  irVersion: number | null;
  opset: number | null;
  /** Shapes as written in the file (value_info and outputs). */
  declared: Record<string, PyDim[] | null>;
  /** Shapes inferred by onnx (strict mode) from the file with its value_info and output shapes removed. */
  shapes: Record<string, PyDim[] | null>;
}
export interface PyCheckRun {
  /** The newest default-domain opset this onnx knows (files above it cannot be checked). */
  maxOpset: number;
  files: Map<string, PyCheck>;
}

/** Exports; `bytes` is undefined when the export failed (then `diagnostics` says why). */
export function exportModel(m: CheckedModel, opts: OnnxExportOptions = {}): { bytes: Uint8Array | undefined; diagnostics: Diagnostic[] } {
  const { result, diagnostics } = exportOnnx(m, opts);
  return { bytes: result, diagnostics };
}

export const decodeModel = (bytes: Uint8Array): ModelProto => onnx.ModelProto.decode(bytes);

type P = typeof onnxProto.onnx;
/** A decoded graph: its repeated fields are always arrays of decoded messages. */
export interface DecodedGraph {
  name: string;
  node: InstanceType<P['NodeProto']>[];
  initializer: InstanceType<P['TensorProto']>[];
  input: InstanceType<P['ValueInfoProto']>[];
  output: InstanceType<P['ValueInfoProto']>[];
  valueInfo: InstanceType<P['ValueInfoProto']>[];
}
export const graphOf = (p: ModelProto): DecodedGraph => p.graph as unknown as DecodedGraph;
/** The dims of a value: numbers, or dim_param strings. */
export const valueDims = (vi: InstanceType<P['ValueInfoProto']>): (number | string)[] => (vi.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));

/** A temporary directory and a writer of files into it; `cleanup` removes everything. */
export function tempDir(prefix = 'dslc-onnx-'): { dir: string; write(name: string, bytes: Uint8Array): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, bytes) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs onnx.checker (full) and strict shape inference on every file, in one Python process. */
export function pyCheck(files: readonly string[]): PyCheckRun {
  if (!files.length) return { maxOpset: 0, files: new Map() };
  const out = JSON.parse(execFileSync(PYTHON, [CHECKER, ...files], { encoding: 'utf8', maxBuffer: 1 << 28 })) as { max_opset: number; files: Record<string, PyCheck> };
  return { maxOpset: out.max_opset, files: new Map(Object.entries(out.files)) };
}

/** dslc's declared dims in the JSON form the checker prints (symbolic dims as their dim_param string). */
export const pyDims = (shape: readonly Dim[]): PyDim[] => shape.map((d) => (typeof d === 'number' ? d : formatDim(d)));

/**
 * Differences between the shapes onnx infers and the ones the file declares (dslc's), as readable lines;
 * empty when every declared value is inferred with exactly the declared dims.
 */
export function shapeMismatches(r: PyCheck): string[] {
  const bad: string[] = [];
  for (const [name, dims] of Object.entries(r.declared)) {
    const inferred = r.shapes[name];
    const same = dims !== null && inferred !== undefined && inferred !== null && inferred.length === dims.length && dims.every((d, i) => d === inferred[i]);
    if (!same) bad.push(`${name}: inferred ${JSON.stringify(inferred ?? 'nothing')}, declared ${JSON.stringify(dims)}`);
  }
  return bad;
}

/** A small deterministic PRNG for inputs: the one the weight initialiser uses. */
export { rng } from '../../src/lower/weights.js';
import { rng } from '../../src/lower/weights.js';

const ORT_TYPE: Partial<Record<DType, ort.Tensor.Type>> = { float32: 'float32', float64: 'float64', int64: 'int64', int32: 'int32', int8: 'int8', uint8: 'uint8', bool: 'bool', float16: 'float16' };

/** A random tensor: floats in [-1, 1), integers in [0, 10) (valid indices for any embedding), booleans. */
export function randomTensor(dtype: DType, dims: readonly number[], seed = 1): ort.Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const r = rng(seed);
  const type = ORT_TYPE[dtype];
  if (!type) throw new Error(`no ONNX Runtime tensor type for ${dtype}`);
  switch (type) {
    case 'float32':
      return new ort.Tensor(type, Float32Array.from({ length: n }, () => r() * 2 - 1), dims);
    case 'float64':
      return new ort.Tensor(type, Float64Array.from({ length: n }, () => r() * 2 - 1), dims);
    case 'int64':
      return new ort.Tensor(type, BigInt64Array.from({ length: n }, () => BigInt(Math.floor(r() * 10))), dims);
    case 'int32':
      return new ort.Tensor(type, Int32Array.from({ length: n }, () => Math.floor(r() * 10)), dims);
    case 'int8':
      return new ort.Tensor(type, Int8Array.from({ length: n }, () => Math.floor(r() * 10)), dims);
    case 'uint8':
      return new ort.Tensor(type, Uint8Array.from({ length: n }, () => Math.floor(r() * 10)), dims);
    case 'bool':
      return new ort.Tensor(type, Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)), dims);
    default:
      throw new Error(`randomTensor: ${dtype} not supported here`);
  }
}

export interface OrtOutput {
  dims: number[];
  type: string;
  data: ArrayLike<number | bigint>;
}

/**
 * Loads a model (bytes or a file path) in ONNX Runtime and runs it on random inputs of the given concrete
 * shapes; returns every graph output by name.
 */
export async function runOrt(model: Uint8Array | string, inputs: readonly { name: string; dtype: DType; dims: readonly number[] }[], seed = 1): Promise<Record<string, OrtOutput>> {
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    inputs.forEach((i, k) => (feeds[i.name] = randomTensor(i.dtype, i.dims, seed + k)));
    const res = await session.run(feeds);
    const out: Record<string, OrtOutput> = {};
    for (const [name, t] of Object.entries(res)) out[name] = { dims: [...t.dims], type: t.type, data: t.data as ArrayLike<number | bigint> };
    return out;
  } finally {
    await session.release();
  }
}

/** The concrete input shapes and expected output shapes of a model under `env` (symbol → size). */
export function concreteShapes(m: CheckedModel, env: ReadonlyMap<string, number>) {
  const ev = (shape: readonly Dim[]) =>
    shape.map((d) => {
      const v = evaluate(d, env);
      if (v === undefined) throw new Error(`cannot evaluate ${formatDim(d)} with ${JSON.stringify([...env])}`);
      return v;
    });
  const g = m.graph;
  return {
    inputs: g.inputs.map((p) => ({ name: p.name, dtype: g.tensors[p.tensor]!.type.dtype, dims: ev(g.tensors[p.tensor]!.type.shape) })),
    outputs: g.outputs.map((p) => ({ name: p.name, dtype: g.tensors[p.tensor]!.type.dtype, dims: ev(g.tensors[p.tensor]!.type.shape) })),
  };
}

/** Symbols of the inputs' batch axes (dim 0) and of every other axis. */
export function inputSymbols(m: CheckedModel): { batch: Set<string>; other: Set<string> } {
  const batch = new Set<string>();
  const other = new Set<string>();
  for (const p of m.graph.inputs)
    m.graph.tensors[p.tensor]!.type.shape.forEach((d, i) => {
      if (isSymbolic(d)) symbolsOf(d, i === 0 ? batch : other);
    });
  for (const s of batch) other.delete(s);
  return { batch, other };
}
