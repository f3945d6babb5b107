// Shared helpers of the benchmarks (plain Node, no dependencies).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
};

/** Wall time of one whole process, in ms (spawn included: the same overhead for every command compared). */
export function timeProcess(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  return { ms, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function machine() {
  const c = cpus();
  return {
    cpu: `${c[0]?.model ?? 'unknown'}`.trim(),
    cores: c.length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

export const fmt = (x, d = 0) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(d));

/** `--name value` and `--flag` command-line options. */
export function options(defaults) {
  const out = { ...defaults };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (!a[i].startsWith('--')) continue;
    const k = a[i].slice(2);
    if (typeof defaults[k] === 'boolean') out[k] = true;
    else out[k] = typeof defaults[k] === 'number' ? Number(a[++i]) : a[++i];
  }
  return out;
}

/**
 * Copies bench/NOTES.md into the Analysis of bench/RESULTS.md (between `## Analysis` and the next delimited
 * section), as run.mjs writes it: a benchmark rerun alone and a note written since leave it current.
 */
export function syncAnalysis(file = join(ROOT, 'bench/RESULTS.md')) {
  const notes = join(ROOT, 'bench/NOTES.md');
  if (!existsSync(file) || !existsSync(notes)) return;
  const old = readFileSync(file, 'utf8');
  const head = '\n## Analysis\n';
  const a = old.indexOf(head);
  if (a < 0) return;
  const next = old.indexOf('\n<!-- section:', a);
  const b = next < 0 ? old.length : next;
  const text = `${old.slice(0, a + head.length)}\n${readFileSync(notes, 'utf8').trim()}\n${old.slice(b)}`;
  if (text !== old) writeFileSync(file, text);
}

/**
 * Replaces (or appends) the section `name` of bench/RESULTS.md, delimited by HTML comments, so that each
 * benchmark can be rerun alone (`node bench/<x>.mjs --write`) without redoing the others.
 */
export function writeSection(name, markdown, file = join(ROOT, 'bench/RESULTS.md')) {
  const begin = `<!-- section:${name} -->`;
  const end = `<!-- /section:${name} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const a = old.indexOf(begin);
  const b = old.indexOf(end);
  const text = a >= 0 && b > a ? old.slice(0, a) + block + old.slice(b + end.length) : `${old.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
  syncAnalysis(file);
}
