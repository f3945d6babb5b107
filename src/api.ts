/**
 * The public, plain-data API used by the CLI and the language server alike (and by browsers: no Node
 * imports here). Every function returns results with diagnostics and never throws on bad input.
 */
import { checkConstants } from './semantics/consts.js';
import { type CheckOptions, type CheckedModel, analyze } from './checker/analyze.js';
import { type Summary, summarize as buildSummary } from './checker/summary.js';
import { dedupe } from './diagnostics/make.js';
import type { Diagnostic, WithDiagnostics } from './diagnostics/types.js';
import type { Module } from './syntax/ast.js';
import { parseByDecls } from './syntax/chunks.js';
import { sourceFile } from './syntax/source.js';
import { elaborate, modelsOf } from './semantics/elaborate.js';
import { type ModuleHost, type ParseFn, type Program, loadProgram } from './semantics/modules.js';
import type { Dim } from './symbolic/dim.js';

/** Parses one file's text into an AST (no imports, no checking). */
export function parseModule(text: string, path = '<input>'): WithDiagnostics<Module> {
  return parseByDecls(sourceFile(path, text));
}

export interface CheckRequest extends CheckOptions {
  readonly path: string;
  readonly text: string;
  readonly host: ModuleHost;
  /** Which model; default: every model in the file. */
  readonly model?: string;
  /** Concrete values for symbolic input dims (`N=1, H=224`). */
  readonly inputShapes?: ReadonlyMap<string, Dim>;
  /** Parser override (the language server's incremental, caching one); default: parse each file fully. */
  readonly parse?: ParseFn;
}

export interface CheckResult {
  readonly program: Program;
  readonly models: readonly CheckedModel[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Parses, resolves imports, elaborates and checks the models of a file. */
export function check(req: CheckRequest): CheckResult {
  const program = loadProgram(req.path, req.text, req.host, req.parse);
  const diagnostics: Diagnostic[] = [...program.diagnostics];
  const models: CheckedModel[] = [];
  // A second model of one name is an error (E0205), not a second model: elaborate() would find the first again.
  const names = req.model ? [req.model] : [...new Set(modelsOf(program.root).map((m) => m.name.text))];
  for (const name of names) {
    const el = elaborate(program, name, req.inputShapes);
    if ('error' in el) {
      diagnostics.push(...el.error);
      continue;
    }
    diagnostics.push(...el.diagnostics);
    const { result, diagnostics: ds } = analyze(el, req);
    // A tensor looks unused when the layer that would have used it failed: don't pile on.
    const failed = el.diagnostics.some((d) => d.severity === 'error') || program.diagnostics.some((d) => d.severity === 'error');
    diagnostics.push(...(failed ? ds.filter((d) => d.code !== 'W0104') : ds));
    models.push(result);
  }
  // Constants no model uses are checked too (those models use were, at the same places).
  diagnostics.push(...checkConstants(program));
  // A library file (blocks only) is still checked for syntax and names; elaborate its blocks lazily.
  return { program, models, diagnostics: dedupe(diagnostics) };
}


/** Summary (the stable JSON form) of a checked model. */
export function summarize(model: CheckedModel, opts: { depth?: number } = {}): Summary {
  return buildSummary(model, opts);
}
