/**
 * The `dslc` command line: the only place with process I/O. Exit codes: 0 clean, 1 diagnostics with
 * errors, 2 usage or I/O errors.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { check } from '../api.js';
import { summarize, type Summary } from '../checker/summary.js';
import { diag } from '../diagnostics/make.js';
import { modelsOf } from '../semantics/elaborate.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { hasErrors } from '../diagnostics/types.js';
import { allOps } from '../ops/registry.js';
import type { Dim } from '../symbolic/dim.js';
import { compareBaseline } from './baseline.js';
import { runCompile } from './emit.js';
import { runFmt } from './fmt.js';
import { nodeHost, readText } from './host.js';
import { parseArgs, UsageError, type Parsed } from './args.js';
import { ioReason, shownPath } from './paths.js';
import { renderGithub, renderJson, renderSarif } from './render-formats.js';
import { renderHuman } from './render-human.js';
import { renderMarkdown, renderTable } from './render-summary.js';
import { VERSION } from './version.js';

const HELP = `dslc ${VERSION} — a declarative language for neural networks

Usage:
  dslc check <files or dirs...> [--format human|json|sarif|github] [--max-params N] [--max-macs N]
             [--baseline summary.json] [--tolerance 0.02] [--model NAME] [--input-shape N=1,H=224]
  dslc summary <file> [--model NAME] [--format table|json|markdown] [--depth N] [--input-shape N=1,H=224]
  dslc <file> --emit onnx|json|dot|tfjs [-o out] [--model NAME] [--opset 13..21] [--batch N]
             [--init he|xavier|zeros] [--seed S] [--weights trained.onnx|.safetensors]
             [--external-data]  (weights in <out>.data; automatic above 2 GB)
             [--functions]      (blocks as ONNX local functions)
             [--fold-bn]        (BatchNorm folded into the conv/dense before it, for inference)
             [--weights-map rules.json|auto] [--verbose]  (map other names, e.g. PyTorch's, to dslc's)
             (also: dslc compile <file> --emit onnx ...)
  dslc fmt [--check] <files or dirs...>   format .nn files in place (--check: list unformatted ones; - : stdin to stdout)
  dslc run <file> [--model NAME] [--input x.npy | --input name=x.npy ... | --random] [--seed S]
             [--weights FILE | --init he|xavier|zeros] [--backend wasm|cpu] [--batch N]
             [--input-shape T=16] [--output y.npy | --output name=y.npy ...] [--bench N]
                                run the model with TensorFlow.js (NCHW .npy in and out)
  dslc ops                      list the layer catalogue
  dslc lsp --stdio              the language server (for editors)
  dslc --version | --help

Exit codes: 0 clean, 1 errors found, 2 usage or I/O error.`;

interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** Dynamic import for `dslc run` (bin/dslc.cjs passes one: the bundle runs in a vm.Script, which cannot import()). */
  import?: (spec: string) => Promise<unknown>;
}

/** Runs the CLI and returns the exit code (the bin script exits with it); `dslc run` answers asynchronously. */
export function main(argv: string[], io: Io): number | Promise<number> {
  if (argv[0] === 'fmt') return runFmt(argv.slice(1), io);
  let args: Parsed;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`dslc: ${e.message}\n${e.showHelp ? `\n${HELP}\n` : "run 'dslc --help' for usage\n"}`);
      return 2;
    }
    throw e;
  }
  try {
    switch (args.command) {
      case 'help':
        io.out(`${HELP}\n`);
        return 0;
      case 'version':
        io.out(`dslc ${VERSION}\n`);
        return 0;
      case 'ops':
        for (const op of allOps()) io.out(`${op.name.padEnd(22)} ${op.category.padEnd(14)} ${op.doc.split('. ')[0]}\n`);
        return 0;
      case 'check':
        return runCheck(args, io);
      case 'summary':
        return runSummary(args, io);
      case 'run':
        return runRun(args, io);
      case 'compile':
        return runCompile(args, { readSource, out: io.out, report: (ds, sources) => emitDiagnostics([...ds], 'human', io, sources) });
    }
  } catch (e) {
    // Missing files, unreadable paths, bad combinations found after parsing: usage/I-O errors, not bugs.
    if (e instanceof UsageError) {
      io.err(`dslc: ${e.message}\n`);
      return 2;
    }
    if (args.debug) throw e;
    io.err(`dslc: internal error: ${(e as Error).message}\nrun again with --debug for details, and please report it\n`);
    return 2;
  }
}


function collectFiles(paths: string[]): string[] {
  const out: string[] = [];
  const seenDirs = new Set<string>();
  const walk = (p: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      if (top) throw new UsageError(`cannot read ${shownPath(p)}: ${ioReason(e)}`);
      return; // a dangling link or unreadable entry inside a directory: skipped
    }
    if (st.isDirectory()) {
      let real: string;
      let entries: string[];
      try {
        real = realpathSync(p);
        entries = readdirSync(p).sort();
      } catch (e) {
        throw new UsageError(`cannot read ${shownPath(p)}: ${ioReason(e)}`);
      }
      if (seenDirs.has(real)) return; // symlink cycle or the same directory twice
      seenDirs.add(real);
      for (const e of entries) if (e !== 'node_modules' && !e.startsWith('.')) walk(resolve(p, e), false);
    } else if (top || (p.endsWith('.nn') && st.isFile())) out.push(resolve(p)); // never open FIFOs found by a walk
  };
  for (const p of paths) walk(p, true);
  return [...new Set(out)];
}

function readSource(path: string): string {
  try {
    return readText(path);
  } catch (e) {
    throw new UsageError(`cannot read ${shownPath(path)}: ${ioReason(e)}`);
  }
}

/** A diagnostic with every span's file relative to the working directory (main span, notes, fixes). */
function relDiagnostic(d: Diagnostic): Diagnostic {
  const sp = <S extends { file: string }>(s: S): S => ({ ...s, file: shownPath(s.file) });
  return {
    ...d,
    ...(d.span ? { span: sp(d.span) } : {}),
    notes: d.notes.map((n) => (n.span ? { ...n, span: sp(n.span) } : n)),
    ...(d.fixes ? { fixes: d.fixes.map((f) => ({ ...f, edits: f.edits.map((ed) => ({ ...ed, span: sp(ed.span) })) })) } : {}),
  };
}

/** SARIF artifact URIs: relative URI references under the working directory, file:// URLs elsewhere. */
function sarifUri(p: string): string {
  const r = shownPath(p);
  return isAbsolute(r) ? pathToFileURL(r).href : r.split(sep).map(encodeURIComponent).join('/');
}

function emitDiagnostics(ds: Diagnostic[], format: string, io: Io, sources: Map<string, string>): void {
  if (format === 'json') io.out(`${renderJson(ds.map(relDiagnostic))}\n`);
  else if (format === 'sarif') io.out(`${renderSarif(ds, VERSION, sarifUri)}\n`);
  else if (format === 'github') {
    if (ds.length) io.out(`${renderGithub(ds, shownPath)}\n`);
  } else {
    const color = io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
    const host = nodeHost();
    const source = (p: string) => sources.get(p) ?? host.read(p);
    for (const d of ds) io.err(`${renderHuman(d, source, { color }, shownPath)}\n\n`);
    const errors = ds.filter((d) => d.severity === 'error').length;
    const warnings = ds.filter((d) => d.severity === 'warning').length;
    if (errors || warnings) io.err(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  }
}

/** `--input-shape h=64` where the model says `H` is a typo, not a silent no-op. */
function checkInputShapeNames(args: Parsed, seen: ReadonlySet<string>): void {
  const unknown = [...(args.inputShapes?.keys() ?? [])].filter((k) => !seen.has(k));
  if (unknown.length) throw new UsageError(`--input-shape: no symbolic dimension named ${unknown.map((u) => `'${u}'`).join(', ')} in the checked models${seen.size ? ` (they have ${[...seen].join(', ')})` : ''}`);
}

function runCheck(args: Parsed, io: Io): number {
  const files = collectFiles(args.positional);
  if (!files.length) throw new UsageError('no .nn files found');
  const all: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const summaries: Summary[] = [];
  const symbolsSeen = new Set<string>();
  const host = nodeHost();
  // With --model and several files, a file without that model is not an error; no file having it is.
  const lenient = Boolean(args.model) && files.length > 1;
  let found = false;
  for (const f of files) {
    const text = readSource(f);
    sources.set(f, text);
    const r = check({ path: f, text, host, ...(args.model ? { model: args.model } : {}), ...opt(args) });
    const missing = args.model !== undefined && r.diagnostics.some((d) => d.code === 'E0210');
    found ||= !missing;
    all.push(...(lenient && missing ? r.diagnostics.filter((d) => d.code !== 'E0210') : r.diagnostics));
    if (args.baseline) for (const m of r.models) summaries.push(summarize(m));
    for (const m of r.models) for (const s of m.graph.symbols.keys()) symbolsSeen.add(s);
  }
  checkInputShapeNames(args, symbolsSeen);
  if (lenient && !found) all.push(diag('E0210', `no model '${args.model}' in any of the ${files.length} files checked`, undefined));
  if (args.baseline) all.push(...compareBaseline(args.baseline, readSource(args.baseline), summaries, args.tolerance ?? 0));
  emitDiagnostics(all, args.format ?? 'human', io, sources);
  return hasErrors(all) ? 1 : 0;
}

function opt(args: Parsed): { maxParams?: number; maxMacs?: number; inputShapes?: Map<string, Dim> } {
  return {
    ...(args.maxParams !== undefined ? { maxParams: args.maxParams } : {}),
    ...(args.maxMacs !== undefined ? { maxMacs: args.maxMacs } : {}),
    ...(args.inputShapes ? { inputShapes: args.inputShapes } : {}),
  };
}

function runSummary(args: Parsed, io: Io): number {
  if (args.positional.length !== 1) throw new UsageError('summary takes exactly one file');
  const f = resolve(args.positional[0]!);
  const text = readSource(f);
  const host = nodeHost();
  let r = check({ path: f, text, host, ...(args.model ? { model: args.model } : {}), ...opt(args) });
  if (!args.model) {
    // Several models and no --model: summarise the first declared one, with its diagnostics only.
    const names = modelsOf(r.program.root).map((m) => m.name.text);
    if (names.length > 1) {
      io.err(`dslc: note: ${shownPath(f)} defines ${names.length} models (${names.join(', ')}); showing ${names[0]} (choose one with --model)\n`);
      r = check({ path: f, text, host, model: names[0]!, ...opt(args) });
    }
  }
  const models = r.models.slice(0, 1);
  if (models[0]) checkInputShapeNames(args, new Set(models[0].graph.symbols.keys()));
  if (!models.length) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    emitDiagnostics(errors.length ? errors : [diag('E0210', `${shownPath(f)} defines no model`, undefined)], 'human', io, new Map([[f, text]]));
    return 1;
  }
  // The table is useful even when an assertion fails: print it, then the diagnostics.
  const s = summarize(models[0]!, args.depth !== undefined ? { depth: args.depth } : {});
  const format = args.format ?? 'table';
  io.out(`${format === 'json' ? JSON.stringify(s, null, 2) : format === 'markdown' ? renderMarkdown(s) : renderTable(s)}\n`);
  if (r.diagnostics.length) emitDiagnostics([...r.diagnostics], 'human', io, new Map([[f, text]]));
  return hasErrors(r.diagnostics) ? 1 : 0;
}

/**
 * `dslc run` loads TensorFlow.js, so it stays out of the CLI bundle (dist/dslc.cjs, which `dslc check` starts from):
 * dist/cli/run.js is imported when the command is run.
 */
async function runRun(args: Parsed, io: Io): Promise<number> {
  // Absolute: the importer passed in by bin/dslc.cjs resolves from bin/. (The bundle has __dirname = dist/.)
  const spec = typeof __dirname === 'string' ? pathToFileURL(resolve(__dirname, 'cli', 'run.js')).href : new URL('./run.js', import.meta.url).href;
  const mod = (await (io.import ?? ((s: string) => import(/* @vite-ignore */ s)))(spec)) as typeof import('./run.js');
  return mod.runModel(args, io);
}
