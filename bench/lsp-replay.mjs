// The language-server benchmark's keystroke phases (bench/lsp.mjs) replayed in one process through the
// LanguageService, without a server or a client: per-keystroke check times, for profiling and tracing
// (`node --cpu-prof` or `--trace-deopt-verbose` work here as they cannot in a server that speaks LSP on
// stdout). Usage: npm run build && node --expose-gc bench/lsp-replay.mjs [--lines 2000] [--variant single] [--warm small|big]
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, options } from './common.mjs';
import { generateModel } from './lsp-gen.mjs';

const o = options({ lines: 2000, variant: 'single', warm: 'auto' });
const { LanguageService } = await import(join(ROOT, 'dist/service/service.js'));
const { nodeHost } = await import(join(ROOT, 'dist/cli/host.js'));
const { BIG_MODEL_LAYERS, warmUpSteps } = await import(join(ROOT, 'dist/service/warmup.js'));

const file = join(tmpdir(), `dslc-replay-${o.variant}-${o.lines}.nn`);
let text = generateModel(Number(o.lines), o.variant);
writeFileSync(file, text);
const host = nodeHost();
const svc = new LanguageService({ host, now: () => performance.now() });
let version = 0;
const gc = globalThis.gc ?? (() => {});
/** One keystroke: the check (as the server's publish), then the server's idle work (settle, minor GC). */
const check = () => {
  svc.set(file, text, ++version);
  const t = performance.now();
  svc.analyze(file);
  svc.diagnostics(file);
  const ms = performance.now() - t;
  for (const _ of svc.settle(file) ?? []);
  gc({ type: 'minor' });
  return ms;
};
const edit = (at, del, ins) => {
  text = text.slice(0, at) + ins + text.slice(at + del);
  return check();
};
const first = check();
// The server's warm-up, the bigger one after a big model (as src/lsp/server.ts; `--warm small|big` forces one).
const big = o.warm === 'auto' ? svc.last(file).result.models.some((m) => m.graph.nodes.length >= BIG_MODEL_LAYERS) : o.warm === 'big';
for (const step of warmUpSteps(host, join(tmpdir(), 'dslc-replay-warm-up.nn'), big).steps) step();
// The same places as bench/lsp.mjs: the end of a conv line `frac` into the file.
const lineEnd = (frac) => text.indexOf('\n', text.indexOf('conv2d(16', text.indexOf('\n', Math.floor(text.length * frac))));
const KEYS = 30;
const comment = (frac) => {
  let at = lineEnd(frac);
  return Array.from({ length: KEYS }, (_, k) => {
    const ins = k === 0 ? ' # n' : String.fromCharCode(97 + (k % 26));
    const ms = edit(at, 0, ins);
    at += ins.length;
    return ms;
  });
};
const show = (xs) => xs.map((x) => x.toFixed(0)).join(' ');
console.log(`first check ${first.toFixed(0)} ms`);
console.log(`comment   ${show(comment(0.6))}`);
console.log(`early     ${show(comment(0.1))}`);
const line = '  q = h5 -> conv2d(16, 3, padding=1)';
let at = lineEnd(0.6) + 1;
edit(at, 0, '\n');
const statement = [];
for (let k = 0; k < line.length && k < KEYS; k++) statement.push(edit(at++, 0, line[k]));
console.log(`statement ${show(statement)}`);
