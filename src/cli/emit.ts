/** `dslc model.nn --emit onnx [-o out.onnx]`: check, lower, and write atomically. */
import { closeSync, existsSync, fsyncSync, openSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { check } from '../api.js';
import { hasErrors } from '../diagnostics/types.js';
import { INLINE_WEIGHT_LIMIT, lowerOnnx } from '../lower/onnx/export.js';
import { type Chunks, pieces } from '../lower/onnx/encode.js';
import { toDot } from '../lower/dot.js';
import { graphJson } from '../lower/graph-json.js';
import { UsageError, type Parsed } from './args.js';
import { nodeHost } from './host.js';
import { VERSION } from './version.js';
import { ioReason, shownPath } from './paths.js';
import { emitTfjs } from './emit-tfjs.js';
import { loadWeightsArg } from './weights-names.js';

export interface EmitIo {
  readSource(path: string): string;
  report(ds: Parameters<typeof hasErrors>[0], sources: Map<string, string>): void;
  out(s: string): void;
}

/**
 * Writes `data` to `path` so that readers see the old file or the new one, never a part: a temporary
 * file in the same directory (same file system), flushed, then renamed over the target.
 */
export function writeAtomic(path: string, data: Uint8Array | Chunks): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    // Chunks are written in order, each made (a layer's weights) only when reached: nothing large is
    // copied, and only the tensor being written need be in memory.
    for (const b of data instanceof Uint8Array ? [data] : pieces(data)) for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    const code = (e as NodeJS.ErrnoException).code;
    // A chunk that failed to make its bytes (a lazy tensor) is a bug, not an I/O problem: not a usage error.
    if (!code) throw e;
    // (never the raw message: it names the temporary file)
    // (ENOENT also where the directory exists but takes no new files, as /proc)
    const why = code === 'ENOENT' ? (existsSync(dirname(path)) ? 'no file can be created in that directory' : 'the directory does not exist') : code === 'EISDIR' ? 'it is a directory' : ioReason(e);
    throw new UsageError(`cannot write ${path}: ${why}`);
  }
}

/** Where a path leads: its directory's real path (symbolic links followed) and its own name; itself when that fails. */
function real(path: string, followLast: boolean): string {
  try {
    return followLast ? realpathSync(path) : join(realpathSync(dirname(path)), basename(path));
  } catch {
    return path;
  }
}

/**
 * Would writing `output` (a rename over its last component) replace `input`? Also through symbolic links:
 * `-o link/model.nn` with `link -> .`, or an input read through a link to the file `-o` names.
 */
function sameFile(output: string, input: string): boolean {
  return output === input || real(output, false) === real(input, true) || real(output, false) === real(input, false);
}

/** Whether `input` lies inside the directory `dir` (which an --emit tfjs replaces as a whole). */
function inside(input: string, dir: string): boolean {
  const d = real(dir, true);
  return [real(input, true), real(input, false), input].some((p) => {
    const r = relative(d, p);
    return r !== '' && !r.startsWith('..') && !isAbsolute(r);
  });
}

/**
 * Refuses an output that would replace a file this compile reads (the model, every module it imports,
 * the weights and their name map), before anything is written.
 */
function guardInputs(outputs: readonly string[], tfjsDir: string | undefined, inputs: readonly string[]): void {
  for (const i of inputs) {
    for (const o of outputs) if (sameFile(o, i)) throw new UsageError(`writing ${shownPath(o)} would overwrite an input of this compile (${shownPath(i)}: the model, a module it imports, the weights or their name map); choose another -o`);
    if (tfjsDir && inside(i, tfjsDir)) throw new UsageError(`${shownPath(tfjsDir)} holds ${shownPath(i)}, which this compile reads, and --emit tfjs replaces the whole directory; choose another -o`);
  }
}


export function runCompile(args: Parsed, io: EmitIo): number {
  if (args.positional.length !== 1) throw new UsageError('compile takes exactly one .nn file');
  const input = resolve(args.positional[0]!);
  const ext = args.emit === 'onnx' ? '.onnx' : args.emit === 'dot' ? '.dot' : args.emit === 'tfjs' ? '-tfjs' : '.graph.json';
  if (args.output === '') throw new UsageError('-o needs a file name');
  const output = resolve(args.output ?? input.replace(/\.nn$/, '') + ext);
  if (sameFile(output, input)) throw new UsageError('the output would overwrite the input; choose another -o');
  const text = io.readSource(input);
  const r = check({ path: input, text, host: nodeHost(), ...(args.model ? { model: args.model } : {}), ...(args.inputShapes ? { inputShapes: args.inputShapes } : {}) });
  const sources = new Map([[input, text]]);
  if (hasErrors(r.diagnostics) || !r.models[0]) {
    io.report([...r.diagnostics], sources);
    return 1;
  }
  if (!args.model && r.models.length > 1)
    throw new UsageError(`${basename(input)} defines ${r.models.length} models (${r.models.map((x) => x.graph.name).join(', ')}): choose one with --model NAME`);
  const m = r.models[0];
  const read = [...r.program.modules.keys(), ...(args.weights ? [resolve(args.weights)] : []), ...(args.weightsMap && args.weightsMap !== 'auto' ? [resolve(args.weightsMap)] : [])];
  const dataPath = join(dirname(output), `${basename(output)}.data`);
  const outputs = args.emit === 'onnx' ? [output, dataPath] : args.emit === 'tfjs' ? [] : [output];
  guardInputs(outputs, args.emit === 'tfjs' ? output : undefined, read);
  if (args.emit === 'json' || args.emit === 'dot') {
    const text = args.emit === 'dot' ? toDot(m) : `${JSON.stringify(graphJson(m, (p) => relative(process.cwd(), p) || p), null, 1)}\n`;
    writeAtomic(output, new TextEncoder().encode(text));
    if (r.diagnostics.length) io.report([...r.diagnostics], sources);
    io.out(`wrote ${shownPath(output)} (${m.graph.name}: ${m.graph.nodes.length} layers)\n`);
    return 0;
  }
  let weights: Map<string, Float32Array> | undefined;
  if (args.weights) {
    const w = loadWeightsArg(m, args.weights, args.weightsMap);
    // (the external data files of ONNX weights are known only once the file is read)
    guardInputs(outputs, args.emit === 'tfjs' ? output : undefined, w.sideFiles);
    if (w.table !== undefined && args.verbose) io.out(w.table);
    if (!w.weights) {
      io.report([...r.diagnostics, ...w.diagnostics], sources);
      return 1;
    }
    if (w.diagnostics.length) io.report(w.diagnostics, sources);
    weights = w.weights;
  }
  if (args.emit === 'tfjs')
    return emitTfjs(m, output, { sizes: new Map([...(args.inputShapes ?? [])].filter((e): e is [string, number] => typeof e[1] === 'number')), ...(weights ? { weights } : {}), ...(args.batch ? { batch: args.batch } : {}), ...(args.init ? { init: args.init } : {}), ...(args.seed !== undefined ? { seed: args.seed } : {}) }, VERSION, r.diagnostics, sources, io);
  // Weights go to a side file when asked, or when they cannot fit in one protobuf (2 GB): decided before
  // encoding, from the parameter count (float32), so that a huge model is never assembled inline.
  const dataFile = `${basename(output)}.data`;
  const external = args.externalData || m.totals.params * 4 > INLINE_WEIGHT_LIMIT;
  const ex = lowerOnnx(m, { producerVersion: VERSION, ...(weights ? { weights } : {}), ...(args.opset ? { opset: args.opset } : {}), ...(args.batch ? { batch: args.batch } : {}), ...(args.init ? { init: args.init } : {}), ...(args.seed !== undefined ? { seed: args.seed } : {}), ...(external ? { externalData: { location: dataFile } } : {}), ...(args.functions ? { functions: true } : {}), ...(args.foldBn ? { foldBatchNorm: true } : {}) });
  if (!ex.result) {
    io.report([...r.diagnostics, ...ex.diagnostics], sources);
    return 1;
  }
  // The side file first: a model file never points at data that is not there yet.
  // (Every tensor may be small enough to stay inline: then there is no side file to write.)
  const data = ex.result.data && ex.result.data.byteLength > 0 ? ex.result.data : undefined;
  if (data) writeAtomic(dataPath, data);
  writeAtomic(output, ex.result.model);
  if (r.diagnostics.length) io.report([...r.diagnostics], sources);
  const mb = (n: number) => (n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`);
  const size = data ? `${mb(ex.result.model.byteLength)} + ${mb(data.byteLength)} of weights in ${dataFile}${args.externalData ? '' : ': over the 2 GB protobuf limit'}` : `${mb(ex.result.model.byteLength)}${ex.result.data ? `; no ${dataFile}: every tensor is under 1 KB and stays inline` : ''}`;
  io.out(`wrote ${shownPath(output)} (${m.graph.name}: ${m.totals.params.toLocaleString('en-US')} parameters, ${size})\n`);
  return 0;
}
