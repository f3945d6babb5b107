/**
 * `--weights FILE [--weights-map FILE|auto]` for compile and run: reads the file (.onnx or .safetensors),
 * renames its tensors when asked (src/lower/weights-map.ts) and matches them to the model's parameters.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import type { CheckedModel } from '../checker/analyze.js';
import { type Diagnostic, hasErrors } from '../diagnostics/types.js';
import { type ExternalDataReader, type WeightTensor, matchWeights, outsideFile, readOnnxWeights, readSafetensors } from '../lower/weights-file.js';
import { short } from '../diagnostics/make.js';
import { formatMapping, matchByStructure, parseRenameRules, renameTensors } from '../lower/weights-map.js';
import { unpackOnnxWeights } from '../lower/onnx/unpack.js';
import { UsageError } from './args.js';
import { ioReason } from './paths.js';
import { readBytes, readRange } from './read-bytes.js';

/**
 * Longest the rename rules may run over a file's names. A rule is a user's regular expression, and one that
 * backtracks catastrophically ((a+)+ on a long name) would otherwise hang dslc.
 */
export const RENAME_TIMEOUT_MS = 2000;

/** The tensors under the model's parameter keys, the diagnostics of the structural match, and the table for --verbose. */
export function mapWeightNames(map: string, m: CheckedModel, weightsFile: string, tensors: ReadonlyMap<string, WeightTensor>): { tensors: Map<string, WeightTensor>; diagnostics: Diagnostic[]; table: string } {
  if (map === 'auto') {
    const r = matchByStructure(m, weightsFile, tensors);
    return { tensors: r.tensors, diagnostics: r.diagnostics, table: formatMapping(r.table) };
  }
  let text: string;
  try {
    // (rules are a few lines: a file of more than 16 MiB is a wrong path)
    text = new TextDecoder().decode(readBytes(map, 2 ** 24, 2 ** 24));
  } catch (e) {
    throw new UsageError(`cannot read --weights-map ${map}: ${ioReason(e)}`);
  }
  const rules = parseRenameRules(text);
  if (typeof rules === 'string') throw new UsageError(`--weights-map ${map}: ${rules}`);
  let r: ReturnType<typeof renameTensors>;
  try {
    // (under a watchdog: V8 interrupts a regular expression's backtracking when the time is up)
    r = runInNewContext('renameTensors(tensors, rules)', { renameTensors, tensors, rules }, { timeout: RENAME_TIMEOUT_MS }) as typeof r;
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
    throw new UsageError(`--weights-map ${map}: the rules ran for over ${RENAME_TIMEOUT_MS / 1000} s on the file's ${tensors.size} names; a regular expression that backtracks without end, such as (a+)+ or (\\w+\\.?)*, must be rewritten`);
  }
  if (typeof r === 'string') throw new UsageError(`--weights-map ${map}: ${r}`);
  return { tensors: r.tensors, diagnostics: [], table: formatMapping(r.table) };
}

/**
 * The weights of `--weights path` under the model's parameter keys (undefined when diagnostics have errors),
 * the diagnostics, with a map the mapping table (for --verbose), and the ONNX external data files read (which an
 * output must not replace). I/O and format problems are usage errors.
 */
export function loadWeightsArg(m: CheckedModel, path: string, map?: string): { weights?: Map<string, Float32Array>; diagnostics: Diagnostic[]; table?: string; sideFiles: string[] } {
  const info: { opset?: number } = {};
  const side = sideFiles(path);
  const read = decodeWeightsFile(path, info, side.read);
  // dslc's own ONNX export keeps some parameters in ONNX layouts (LSTM W/R/B, ...): back to parameter keys first.
  const unpacked = path.endsWith('.onnx') ? unpackOnnxWeights(m, path, read, info.opset) : { tensors: read, diagnostics: [] };
  const tensors = unpacked.tensors;
  const mapped = map !== undefined ? mapWeightNames(map, m, path, tensors) : undefined;
  const table = { ...(mapped ? { table: mapped.table } : {}), sideFiles: [...side.files] };
  // (a failed structural match already names each layer left without weights)
  if (mapped && hasErrors(mapped.diagnostics)) return { diagnostics: [...unpacked.diagnostics, ...mapped.diagnostics], ...table };
  const matched = matchWeights(m, path, mapped?.tensors ?? tensors);
  const diagnostics = [...unpacked.diagnostics, ...(mapped?.diagnostics ?? []), ...matched.diagnostics];
  return hasErrors(diagnostics) ? { diagnostics, ...table } : { weights: matched.weights, diagnostics, ...table };
}

/**
 * The tensors of a weights file. In a function of its own so that the file's bytes are garbage once it returns:
 * the tensors are copies, and unpacking them makes more (ViT-B/16: 330 MB of file, tensors, unpacked tensors).
 */
function decodeWeightsFile(path: string, info: { opset?: number }, external: ExternalDataReader): Map<string, WeightTensor> {
  let bytes: Uint8Array;
  try {
    bytes = readBytes(resolve(path));
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${ioReason(e)}`);
  }
  const read = path.endsWith('.safetensors') ? readSafetensors(bytes) : path.endsWith('.onnx') ? readOnnxWeights(bytes, info, external) : 'expected a .onnx or .safetensors file';
  if (typeof read === 'string') throw new UsageError(`--weights ${path}: ${read}`);
  return read;
}

/**
 * Reads an ONNX model's external data: from files beside the model, as ONNX requires, so a location that is
 * absolute or climbs out with `..` is refused rather than followed. Only the ranges the initializers name are read.
 */
function sideFiles(model: string): { read: ExternalDataReader; files: Set<string> } {
  const files = new Set<string>();
  const read: ExternalDataReader = (location, offset, length) => {
    if (isAbsolute(location) || location.split(/[\\/]/).includes('..') || location.includes('\0'))
      return `its external data file '${short(location)}' is not inside the model's directory`;
    const file = join(dirname(resolve(model)), location);
    try {
      const r = readRange(file, offset, length);
      files.add(file);
      return r instanceof Uint8Array ? r : outsideFile(location, offset, length, r.size)!;
    } catch (e) {
      return `cannot read its external data file ${short(location)}: ${ioReason(e)}`;
    }
  };
  return { read, files };
}
