/**
 * `dslc fmt [--check] <files or dirs...>`: formats `.nn` files in place (atomically, only files that
 * change) or, with `--check`, lists the files that are not formatted. Exit codes: 0 nothing to do or all
 * written, 1 unformatted files (`--check`) or syntax errors (those files are left untouched), 2 usage or
 * I/O errors.
 */
import { readdirSync, realpathSync, statSync, chmodSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import { formatText } from '../syntax/printer.js';
import { UsageError } from './args.js';
import { writeAtomic } from './emit.js';
import { ioReason, shownPath } from './paths.js';
import { readStdin, readText } from './host.js';
import { renderHuman } from './render-human.js';

export interface FmtIo {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

export const FMT_HELP = `Usage: dslc fmt [--check] <files or dirs...>
       dslc fmt [--check] -
  Rewrites .nn files in the house style (docs/language.md, "Formatting"); directories are searched for .nn files.
  With -, formats standard input to standard output (nothing is written there if it has syntax errors).
  --check   write nothing; list the files that are not formatted and exit 1 if there are any`;


/** The `.nn` files named or found under the directories named (sorted, each once); unreadable → I/O error. */
function collect(paths: readonly string[], problems: string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (p: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      if (top) problems.push(`cannot read ${shownPath(p)}: ${ioReason(e)}`);
      return;
    }
    if (st.isDirectory()) {
      let entries: string[];
      let real: string;
      try {
        real = realpathSync(p);
        entries = readdirSync(p).sort();
      } catch (e) {
        problems.push(`cannot read ${shownPath(p)}: ${ioReason(e)}`);
        return;
      }
      if (seen.has(real)) return;
      seen.add(real);
      for (const e of entries) if (e !== 'node_modules' && !e.startsWith('.')) walk(resolve(p, e), false);
    } else if (top || (p.endsWith('.nn') && st.isFile())) out.push(resolve(p));
  };
  for (const p of paths) walk(p, true);
  return [...new Set(out)];
}

/** Runs `dslc fmt` with the arguments after `fmt`; returns the exit code. */
export function runFmt(argv: readonly string[], io: FmtIo): number {
  let check = false;
  const paths: string[] = [];
  for (const a of argv) {
    if (a === '--check') check = true;
    else if (a === '--help' || a === '-h') {
      io.out(`${FMT_HELP}\n`);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      io.err(`dslc: unknown option '${a}' for fmt\n${FMT_HELP}\n`);
      return 2;
    } else paths.push(a);
  }
  if (!paths.length) {
    io.err(`dslc: fmt needs files or directories\n${FMT_HELP}\n`);
    return 2;
  }
  if (paths.includes('-')) {
    if (paths.length > 1) {
      io.err(`dslc: fmt - reads standard input alone; name no files with it\n${FMT_HELP}\n`);
      return 2;
    }
    return fmtStdin(check, io);
  }
  const problems: string[] = [];
  const files = collect(paths, problems);
  const color = io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
  let syntaxErrors = 0;
  let unformatted = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readText(file);
    } catch (e) {
      problems.push(`cannot read ${shownPath(file)}: ${ioReason(e)}`);
      continue;
    }
    const r = formatText(text, file);
    if (r.result === undefined) {
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      if (!errors.length) problems.push(`cannot format ${shownPath(file)}: the formatter could not keep its meaning (a formatter bug; the file is left as it is)`);
      else {
        syntaxErrors++;
        report(errors, file, text, color, io);
      }
      continue;
    }
    if (r.result === text) continue;
    unformatted++;
    if (check) {
      io.out(`${shownPath(file)}\n`);
      continue;
    }
    try {
      // Write where a symbolic link points, keeping the link and the file's permissions.
      const target = realpathSync(file);
      const mode = statSync(target).mode & 0o7777;
      writeAtomic(target, new TextEncoder().encode(r.result));
      chmodSync(target, mode);
      io.out(`formatted ${shownPath(file)}\n`);
    } catch (e) {
      problems.push(e instanceof UsageError ? e.message : `cannot write ${shownPath(file)}: ${ioReason(e)}`);
    }
  }
  for (const p of problems) io.err(`dslc: ${p}\n`);
  if (syntaxErrors) io.err(`${syntaxErrors} file${syntaxErrors === 1 ? '' : 's'} not formatted: syntax errors\n`);
  if (check && unformatted) io.err(`${unformatted} file${unformatted === 1 ? '' : 's'} not formatted (run dslc fmt)\n`);
  if (problems.length) return 2;
  return syntaxErrors || (check && unformatted) ? 1 : 0;
}

/** `dslc fmt -`: standard input formatted to standard output (all or nothing), or checked. */
function fmtStdin(check: boolean, io: FmtIo): number {
  const name = '<stdin>';
  let text: string;
  try {
    text = readStdin();
  } catch (e) {
    io.err(`dslc: cannot read standard input: ${ioReason(e)}\n`);
    return 2;
  }
  const r = formatText(text, name);
  if (r.result === undefined) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (!errors.length) {
      io.err('dslc: cannot format standard input: the formatter could not keep its meaning (a formatter bug)\n');
      return 2;
    }
    report(errors, name, text, io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb', io);
    io.err('standard input not formatted: syntax errors\n');
    return 1;
  }
  if (check) {
    if (r.result === text) return 0;
    io.out(`${name}\n`);
    return 1;
  }
  io.out(r.result);
  return 0;
}

function report(ds: readonly Diagnostic[], file: string, text: string, color: boolean, io: FmtIo): void {
  for (const d of ds) io.err(`${renderHuman(d, (p) => (p === file ? text : undefined), { color }, shownPath)}\n\n`);
}
