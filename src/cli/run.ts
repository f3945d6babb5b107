/**
 * `dslc run model.nn`: checks the model, lowers it to TensorFlow.js (src/lower/tfjs) and runs it on `.npy` inputs or
 * seeded random ones, NCHW in and out as the model declares. Prints each output's shape and a preview, writes `.npy`
 * files atomically, and with `--bench N` times N predictions after a warm-up. Kept out of the CLI bundle (main.ts
 * imports it at run time) because it loads TensorFlow.js.
 *
 * Exit codes: 0 ran; 1 the model has errors or cannot be lowered (diagnostics); 2 usage or I/O errors, which include
 * an input file whose shape or dtype does not fit the model (the message names the expected shape).
 */
import { realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, relative, resolve } from 'node:path';
import { check } from '../api.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { hasErrors } from '../diagnostics/types.js';
import { batchAxisOf, batchSymbols } from '../checker/memory.js';
import type { Graph } from '../semantics/ir.js';
import { NpyError, readNpy, writeNpy, type NpyArray } from '../lower/npy.js';
import { lowerToTfjs, TfjsInputError, type TfjsNet, type TfjsTensorData } from '../lower/tfjs/index.js';
import { loadWeightsArg } from './weights-names.js';
import { UsageError, type Parsed } from './args.js';
import { writeAtomic } from './emit.js';
import { nodeHost, readText } from './host.js';
import { ioReason } from './paths.js';
import { readBytes } from './read-bytes.js';
import { renderHuman } from './render-human.js';

type Tf = typeof import('@tensorflow/tfjs');

export interface RunIo {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

/** Warm-up predictions before `--bench` timing (first runs compile kernels and allocate). */
const WARMUP = 5;

/**
 * The `--random` inputs: uniform in [-1, 1) (integers in [0, 10) for int32 inputs) from a mulberry32 stream seeded
 * with `seed + k` for the k-th input, so that other tools can reproduce them.
 */
export function randomInput(dtype: string, shape: readonly number[], seed: number, high = 10): TfjsTensorData {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const n = shape.reduce((x, d) => x * d, 1);
  // (a plain loop: TypedArray.from with a map function is several times slower)
  if (dtype === 'int32') {
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.floor(next() * high);
    return { data, shape: [...shape] };
  }
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = next() * 2 - 1;
  return { data, shape: [...shape] };
}

/**
 * The tables an input's ids index (layers whose input declares `rows`, an embedding's), with their row counts:
 * directly or through layers that only rearrange values (`carriesValues`: `ids -> reshape(…) -> embedding(…)`).
 */
function tablesOf(g: Graph, tensor: number): { path: string; op: string; rows: number }[] {
  const reached = new Set([tensor]);
  const tables: { path: string; op: string; rows: number }[] = [];
  // Nodes are in topological order: one pass follows every path.
  for (const n of g.nodes) {
    let carried = false;
    n.inputs.forEach((t, i) => {
      if (!reached.has(t)) return;
      // (A variadic input is the last one declared and takes the rest.)
      const d = n.op.inputs[Math.min(i, n.op.inputs.length - 1)];
      if (d?.rows) tables.push({ path: n.path, op: n.op.name, rows: d.rows(n.attrs) });
      if (d?.carriesValues) carried = true;
    });
    if (carried) for (const o of n.outputs) reached.add(o);
  }
  return tables;
}

/** The most values a `--random` input may have (1 GiB of float32): beyond it a typo in --input-shape would exhaust memory. */
export const MAX_RANDOM_VALUES = 2 ** 28;

/** Loads TensorFlow.js (and the wasm backend when asked) from node_modules, CommonJS builds: one tfjs-core instance. */
function loadTf(backend: 'wasm' | 'cpu'): Tf {
  const req = createRequire(import.meta.url);
  const tf = req('@tensorflow/tfjs') as Tf;
  // Production mode: no debug checks, and no "install tfjs-node" banner on stderr (the cpu backend's first use).
  tf.enableProdMode();
  // In Node the wasm backend reads its .wasm files from its own dist/ directory with fs (no fetch, no setWasmPaths).
  if (backend === 'wasm' && !tf.findBackendFactory('wasm')) req('@tensorflow/tfjs-backend-wasm');
  return tf;
}

/** `name=path` or a bare path (the model's only port); a path that itself contains `=` can be written `./a=b.npy`. */
function pairs(flag: string, given: readonly string[], ports: readonly { name: string }[]): Map<string, string> {
  const out = new Map<string, string>();
  const names = ports.map((p) => p.name);
  for (const g of given) {
    const m = /^([A-Za-z_]\w*)=(.+)$/.exec(g);
    const name = m && names.includes(m[1]!) ? m[1]! : undefined;
    if (m && !name) throw new UsageError(`${flag} ${g}: the model has no ${flag === '--input' ? 'input' : 'output'} '${m[1]}' (it has ${names.join(', ')})`);
    if (name === undefined && given.length === 1 && names.length === 1) out.set(names[0]!, g);
    else if (name === undefined) throw new UsageError(`${flag} ${g}: the model has ${names.length} ${flag === '--input' ? 'inputs' : 'outputs'} (${names.join(', ')}); write ${flag} NAME=file.npy for each`);
    else if (out.has(name)) throw new UsageError(`${flag} names '${name}' twice`);
    else out.set(name, m![2]!);
  }
  return out;
}

const shapeText = (s: readonly (number | string)[]) => `[${s.join(', ')}]`;

/** An `.npy` array as a tfjs input of `dtype`: float64 narrows to float32, integer files to int32 (range-checked). */
function toInput(name: string, file: string, a: NpyArray, port: TfjsNet['inputs'][number]): TfjsTensorData {
  // (int32 is only how integer inputs are fed: the model may declare int64.)
  const want = `${shapeText(port.shape)} (${port.dtype === 'int32' ? 'integers' : port.dtype})`;
  const shape = [...a.shape];
  if (port.dtype === 'float32') {
    if (a.data instanceof Float32Array) return { data: a.data, shape };
    if (a.data instanceof Float64Array) return { data: Float32Array.from(a.data), shape };
  } else if (a.dtype !== 'float32' && a.dtype !== 'float64') {
    // A plain loop into the typed array: a JS array of every value fails past 2^27 values (a 128 MB uint8 file).
    const src = a.data as ArrayLike<number | bigint>;
    const data = new Int32Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = Number(src[i]!);
      if (v < -(2 ** 31) || v >= 2 ** 31) throw new UsageError(`input '${name}' (${file}): value ${src[i]} does not fit int32`);
      data[i] = v;
    }
    return { data, shape };
  }
  throw new UsageError(`input '${name}' (${file}): expected shape ${want}, got ${a.dtype} data of shape ${shapeText(shape)}`);
}

/** An input file's bytes (bounded: src/cli/read-bytes.ts); I/O problems are usage errors. */
function readFile(path: string, what: string): Uint8Array {
  try {
    return readBytes(resolve(path));
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${ioReason(e)}`);
  }
}

/** `first, …, last` values of an output and its range: enough to eyeball. */
function preview(t: TfjsTensorData): string {
  // (read in place: a copy as a JS array of a large output would take gigabytes, or exceed the array length limit)
  const d = t.data;
  const f = (v: number) => (t.data instanceof Int32Array ? String(v) : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4));
  const head = d.length <= 8 ? Array.from(d, f).join(', ') : `${Array.from(d.subarray(0, 6), f).join(', ')}, …, ${f(d[d.length - 1]!)}`;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of d) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  return `[${head}]${d.length ? `  min ${f(lo)} max ${f(hi)}` : ''}`;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Runs `dslc run`; returns the exit code. */
export async function runModel(args: Parsed, io: RunIo): Promise<number> {
  let net: TfjsNet | undefined;
  try {
    return await run(args, io, (n) => (net = n));
  } catch (e) {
    if (e instanceof UsageError || e instanceof TfjsInputError) {
      io.err(`dslc: ${e.message}\n`);
      return 2;
    }
    if (args.debug) throw e;
    io.err(`dslc: internal error: ${(e as Error).message}\nrun again with --debug for details, and please report it\n`);
    return 2;
  } finally {
    net?.dispose();
  }
}

async function run(args: Parsed, io: RunIo, keep: (n: TfjsNet) => void): Promise<number> {
  if (args.positional.length !== 1) throw new UsageError('run takes exactly one .nn file');
  if (args.inputs && args.random) throw new UsageError('--input and --random exclude each other');
  const file = resolve(args.positional[0]!);
  let text: string;
  try {
    // (as check reads sources: at most what the parser takes)
    text = readText(file);
  } catch (e) {
    throw new UsageError(`cannot read model ${args.positional[0]}: ${ioReason(e)}`);
  }
  const r = check({ path: file, text, host: nodeHost(), ...(args.model ? { model: args.model } : {}), ...(args.inputShapes ? { inputShapes: args.inputShapes } : {}) });
  const report = (ds: readonly Diagnostic[]) => {
    const color = io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
    const rel = (p: string) => relative(process.cwd(), p) || p;
    for (const d of ds) io.err(`${renderHuman(d, (p) => (p === file ? text : nodeHost().read(p)), { color }, rel)}\n\n`);
  };
  if (hasErrors(r.diagnostics) || !r.models[0]) {
    report(r.diagnostics);
    return 1;
  }
  if (!args.model && r.models.length > 1) throw new UsageError(`${basename(file)} defines ${r.models.length} models (${r.models.map((x) => x.graph.name).join(', ')}): choose one with --model NAME`);
  const m = r.models[0];
  if (r.diagnostics.length) report(r.diagnostics);

  let weights: Map<string, Float32Array> | undefined;
  const sideFiles: string[] = [];
  if (args.weights) {
    const w = loadWeightsArg(m, args.weights, args.weightsMap);
    if (!w.weights) {
      report(w.diagnostics);
      return 1;
    }
    if (w.diagnostics.length) report(w.diagnostics);
    weights = w.weights;
    sideFiles.push(...w.sideFiles);
  }

  // Ports and files are checked before TensorFlow.js is loaded: a typo costs nothing.
  const g = m.graph;
  const inPorts = g.inputs.map((p) => ({ name: p.name }));
  const outPorts = g.outputs.map((p) => ({ name: p.name }));
  const inFiles = pairs('--input', args.inputs ?? [], inPorts);
  const outFiles = pairs('--output', args.outputs ?? [], outPorts);
  if (!args.random && inFiles.size < inPorts.length) {
    const missing = inPorts.filter((p) => !inFiles.has(p.name)).map((p) => p.name);
    throw new UsageError(`no data for input${missing.length > 1 ? 's' : ''} ${missing.map((s) => `'${s}'`).join(', ')}: give --input ${inPorts.length > 1 ? 'NAME=' : ''}file.npy or --random`);
  }
  // An output never replaces the model or an input (through symbolic links too).
  const real = (p: string) => {
    try {
      return realpathSync(resolve(p));
    } catch {
      return resolve(p);
    }
  };
  const taken = new Set([real(file), ...[...inFiles.values()].map(real), ...(args.weights ? [real(args.weights)] : []), ...sideFiles.map(real)]);
  for (const f of outFiles.values()) if (taken.has(real(f))) throw new UsageError(`--output ${f} would overwrite an input of this run; choose another file`);
  if (new Set([...outFiles.values()].map(real)).size < outFiles.size) throw new UsageError('--output names the same file twice');
  const arrays = new Map<string, NpyArray>();
  for (const [name, f] of inFiles) {
    try {
      arrays.set(name, readNpy(readFile(f, 'input')));
    } catch (e) {
      if (e instanceof NpyError) throw new UsageError(`input '${name}' (${f}): ${e.message}`);
      throw e;
    }
  }
  // Each input's batch axis: where its batch symbol sits (axis 1 for a time-major recurrent model's [T, N, F]).
  const batchSyms = batchSymbols(g);
  const axisOf = new Map(g.inputs.map((p, i) => [p.name, batchAxisOf(g, i, batchSyms)] as const));
  const fileBatch = (name: string, a: NpyArray) => {
    const ax = axisOf.get(name);
    return ax === undefined ? undefined : a.shape[ax];
  };
  const firstBatch = [...arrays].map(([name, a]) => fileBatch(name, a)).find((b) => b !== undefined);
  const batch = args.batch ?? (firstBatch && firstBatch > 0 ? firstBatch : 1);
  // A --batch the input files contradict is refused, as a conflicting --input-shape is.
  if (args.batch !== undefined)
    for (const [name, a] of arrays) {
      const b = fileBatch(name, a);
      if (b !== undefined && b !== args.batch) throw new UsageError(`--batch ${args.batch} contradicts input '${name}' (${inFiles.get(name)}), whose batch axis (${axisOf.get(name)}) is ${b}; leave --batch out to use the files' batch`);
    }
  // Output files are checked before the run: a typo in a path should not cost the whole run first.
  for (const f of outFiles.values()) {
    const dir = dirname(resolve(f));
    let ok = false;
    try {
      ok = statSync(dir).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`cannot write ${f}: the directory ${dir} does not exist`);
    try {
      if (statSync(resolve(f)).isDirectory()) throw new UsageError(`cannot write ${f}: it is a directory`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
    }
  }

  const backend = args.backend ?? 'wasm';
  const tf = loadTf(backend);
  const lowered = await lowerToTfjs(m, { tf, backend, batch, ...(weights ? { weights } : {}), ...(args.init ? { init: args.init } : {}), ...(args.seed !== undefined ? { seed: args.seed } : {}) });
  if (!lowered.result) {
    report(lowered.diagnostics);
    return 1;
  }
  const net = lowered.result;
  keep(net);

  // Concrete input shapes: from the files, or (--random) the declared shape with N = --batch and --input-shape sizes.
  const inputs: Record<string, TfjsTensorData> = {};
  net.inputs.forEach((p, k) => {
    const a = arrays.get(p.name);
    if (a) {
      inputs[p.name] = toInput(p.name, inFiles.get(p.name)!, a, p);
      return;
    }
    const decl = g.tensors[g.inputs[k]!.tensor]!.type.shape;
    const shape = decl.map((d, i) => {
      if (typeof d === 'number') return d;
      const s = String(p.shape[i]);
      const given = args.inputShapes?.get(s);
      if (typeof given === 'number') return given;
      if (batchSyms.has(s)) return batch;
      throw new UsageError(`input '${p.name}' has shape ${shapeText(p.shape)}: give --input-shape ${s}=SIZE for --random`);
    });
    const n = shape.reduce((x, d) => x * d, 1);
    if (n > MAX_RANDOM_VALUES) throw new UsageError(`input '${p.name}' would have shape ${shapeText(shape)}, ${n.toExponential(2)} values: --random makes at most ${MAX_RANDOM_VALUES} (2^28); give a smaller --batch or --input-shape`);
    // Integers stay inside the smallest table the input indexes (a class token's table has one row).
    inputs[p.name] = randomInput(p.dtype, shape, (args.seed ?? 0) + k, Math.min(10, ...tablesOf(g, g.inputs[k]!.tensor).map((t) => t.rows)));
  });
  // An id outside a table is named with its input and layer before TensorFlow.js's gather meets it.
  net.inputs.forEach((p, k) => {
    const ids = inputs[p.name]!.data;
    if (!(ids instanceof Int32Array)) return;
    for (const t of tablesOf(g, g.inputs[k]!.tensor)) {
      const bad = ids.find((v) => v < 0 || v >= t.rows);
      if (bad !== undefined)
        throw new UsageError(`input '${p.name}'${arrays.has(p.name) ? ` (${inFiles.get(p.name)})` : ''} holds ${bad}, outside the table of ${t.op} '${t.path}' (rows 0..${t.rows - 1})`);
    }
  });

  let outs: Awaited<ReturnType<typeof net.predict>>;
  try {
    outs = await net.predict(inputs);
  } catch (e) {
    // An input file that does not fit the model: the message names the file, as the dtype check's does.
    const f = e instanceof TfjsInputError && e.input !== undefined ? inFiles.get(e.input) : undefined;
    if (f !== undefined) throw new UsageError((e as TfjsInputError).message.replace(`input '${(e as TfjsInputError).input}'`, (s) => `${s} (${f})`));
    // An index outside an embedding's table (TensorFlow.js checks it in its gather): bad input, not a bug.
    const m = /GatherV2: the index value (-?\d+) is not in \[0, (\d+)\]/.exec((e as Error)?.message ?? '');
    if (m) throw new UsageError(`an index input holds ${m[1]}, outside the embedding table's rows 0..${m[2]}`);
    throw e;
  }
  const where = `${g.name} on ${backend} (TensorFlow.js ${tf.version_core})`;
  const feeds = Object.entries(inputs).map(([n, t]) => `${n} ${shapeText(t.shape)}${arrays.has(n) ? ` from ${inFiles.get(n)}` : ' random'}`);
  io.out(`${where}; ${feeds.join(', ')}\n`);
  for (const p of net.outputs) {
    const t = outs[p.name]!;
    io.out(`${p.name}: ${shapeText(t.shape)} ${t.data instanceof Int32Array ? 'int32' : 'float32'}  ${preview(t)}\n`);
  }
  for (const [name, f] of outFiles) {
    const t = outs[name]!;
    writeAtomic(resolve(f), writeNpy(t.data, t.shape));
    io.out(`wrote ${f} (${name} ${shapeText(t.shape)})\n`);
  }

  if (args.bench) {
    for (let i = 0; i < WARMUP; i++) await net.predict(inputs);
    const times: number[] = [];
    for (let i = 0; i < args.bench; i++) {
      const t0 = performance.now();
      await net.predict(inputs);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const med = quantile(times, 0.5);
    const n = net.inputs.map((p) => (axisOf.get(p.name) === undefined ? undefined : inputs[p.name]?.shape[axisOf.get(p.name)!])).find((b) => b !== undefined) ?? 1;
    io.out(`bench: ${args.bench} runs after ${WARMUP} warm-up, batch ${n}: median ${med.toFixed(2)} ms, p95 ${quantile(times, 0.95).toFixed(2)} ms, ${((n * 1000) / med).toFixed(1)} samples/s\n`);
  }
  return 0;
}
