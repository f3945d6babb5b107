/** `--weights-map FILE|auto` for compile: reads the rules file and renames the --weights tensors (src/lower/weights-map.ts). */
import { readFileSync } from 'node:fs';
import type { CheckedModel } from '../checker/analyze.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { WeightTensor } from '../lower/weights-file.js';
import { formatMapping, matchByStructure, parseRenameRules, renameTensors } from '../lower/weights-map.js';
import { UsageError } from './args.js';

/** The tensors under the model's parameter keys, the diagnostics of the structural match, and the table for --verbose. */
export function mapWeightNames(map: string, m: CheckedModel, weightsFile: string, tensors: ReadonlyMap<string, WeightTensor>): { tensors: Map<string, WeightTensor>; diagnostics: Diagnostic[]; table: string } {
  if (map === 'auto') {
    const r = matchByStructure(m, weightsFile, tensors);
    return { tensors: r.tensors, diagnostics: r.diagnostics, table: formatMapping(r.table) };
  }
  let text: string;
  try {
    text = readFileSync(map, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --weights-map ${map}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const rules = parseRenameRules(text);
  if (typeof rules === 'string') throw new UsageError(`--weights-map ${map}: ${rules}`);
  const r = renameTensors(tensors, rules);
  if (typeof r === 'string') throw new UsageError(`--weights-map ${map}: ${r}`);
  return { tensors: r.tensors, diagnostics: [], table: formatMapping(r.table) };
}
