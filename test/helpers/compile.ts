/** Helpers to run the compiler on in-memory sources or on repository files. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { check, type CheckResult } from '../../src/api.js';
import { memoryHost } from '../../src/semantics/modules.js';
import { nodeHost } from '../../src/cli/host.js';

export const ROOT = resolve(import.meta.dirname, '../..');

const stdlibFiles = (): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const f of readdirSync(join(ROOT, 'stdlib'))) if (f.endsWith('.nn')) out[`stdlib/${f}`] = readFileSync(join(ROOT, 'stdlib', f), 'utf8');
  return out;
};

/** Checks an in-memory source (with the real stdlib importable). */
export function checkText(text: string, opts: { model?: string; maxParams?: number; inputShapes?: ReadonlyMap<string, number> } = {}): CheckResult {
  return check({ path: 'main.nn', text, host: memoryHost({ ...stdlibFiles(), 'main.nn': text }), ...opts });
}

/** Checks a file of the repository through the file-system host. */
export function checkFile(rel: string): CheckResult {
  const path = join(ROOT, rel);
  return check({ path, text: readFileSync(path, 'utf8'), host: nodeHost() });
}

export const codes = (r: CheckResult) => r.diagnostics.map((d) => d.code);
export const errors = (r: CheckResult) => r.diagnostics.filter((d) => d.severity === 'error');
