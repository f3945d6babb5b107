// Start-up cost of the CLI: whole-process `node bin/dslc.cjs check examples/resnet50.nn` against a bare
// `node -e 1`, interleaved in the same run (so machine noise hits both alike). Also `dslc --version`
// (loads the compiler, checks nothing) to split the overhead into module loading and checking.
// `--stages` adds a cold-process breakdown (unbundled dist/ modules, timed from process start).
// Usage: node bench/startup.mjs [--runs 15] [--file examples/resnet50.nn] [--stages] [--json]
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, fmt, machine, median, options, quantile, timeProcess } from './common.mjs';

const o = options({ runs: 15, warmup: 2, file: 'examples/resnet50.nn', json: false, stages: false, 'stages-child': false });

/**
 * One cold process: where the time of a first check goes. Uses the unbundled ES modules of dist/ (the
 * CLI's bundle exports only main()), so module loading here is an upper bound of the bundled CLI's.
 */
async function stagesChild(file) {
  const T = {};
  let t = performance.now(); // ms since the process started
  T.nodeBoot = t;
  const url = (p) => pathToFileURL(join(ROOT, p)).href;
  const [{ parseSource }, { sourceFile }, { getParser }, { loadProgram }, { elaborate, modelsOf }, { analyze }, { nodeHost, decodeText }, { renderHuman }] = await Promise.all([
    import(url('dist/syntax/parse.js')), import(url('dist/syntax/source.js')), import(url('dist/syntax/parser.js')), import(url('dist/semantics/modules.js')),
    import(url('dist/semantics/elaborate.js')), import(url('dist/checker/analyze.js')), import(url('dist/cli/host.js')), import(url('dist/cli/render-human.js')),
  ]);
  await import(url('dist/cli/main.js'));
  T.importModules = performance.now() - t;
  t = performance.now();
  getParser();
  T.parserInit = performance.now() - t; // Chevrotain's grammar self-analysis, once per process
  const path = join(ROOT, file);
  const text = decodeText(readFileSync(path));
  t = performance.now();
  parseSource(sourceFile(path, text));
  T.parseRoot = performance.now() - t;
  t = performance.now();
  const program = loadProgram(path, text, nodeHost());
  T.loadProgram = performance.now() - t; // root again + every imported module
  t = performance.now();
  const els = modelsOf(program.root).map((m) => elaborate(program, m.name.text));
  T.elaborate = performance.now() - t;
  t = performance.now();
  const ds = [];
  for (const el of els) if (!('error' in el)) ds.push(...el.diagnostics, ...analyze(el, {}).diagnostics);
  T.analyze = performance.now() - t;
  t = performance.now();
  const host = nodeHost();
  for (const d of ds) renderHuman(d, (p) => host.read(p), { color: false });
  T.render = performance.now() - t;
  T.total = performance.now();
  process.stdout.write(JSON.stringify(T));
}

export function runStages({ runs = 7, file = o.file } = {}) {
  const samples = [];
  for (let i = 0; i < runs + 1; i++) {
    const r = timeProcess(process.execPath, [join(ROOT, 'bench/startup.mjs'), '--stages-child', '--file', file]);
    if (r.status !== 0) throw new Error(`stages child failed: ${r.stderr}`);
    if (i > 0) samples.push(JSON.parse(r.stdout));
  }
  return Object.fromEntries(Object.keys(samples[0]).map((k) => [k, median(samples.map((s) => s[k]))]));
}
const node = process.execPath;
const cmds = {
  node: [node, ['-e', '1']],
  version: [node, ['bin/dslc.cjs', '--version']],
  check: [node, ['bin/dslc.cjs', 'check', o.file]],
};

/** Which build bin/dslc.cjs will load (it prefers the bundle with its V8 code cache when up to date). */
function loader() {
  const m = (p) => (existsSync(join(ROOT, p)) ? statSync(join(ROOT, p)).mtimeMs : -1);
  if (m('dist/dslc.cjs') >= 0 && m('dist/dslc.cjs') >= m('dist/cli/main.js')) return m('dist/dslc.cache') >= m('dist/dslc.cjs') ? 'bundle + code cache' : 'bundle (no code cache)';
  return 'unbundled dist/ (ESM)';
}

export function runStartup({ runs = o.runs, warmup = o.warmup, file = o.file } = {}) {
  cmds.check[1][2] = file;
  const t = { node: [], version: [], check: [] };
  let exit;
  for (let i = 0; i < warmup + runs; i++) {
    // Rotate the order every round so no command always runs right after another.
    const order = Object.keys(cmds);
    for (let k = 0; k < i % order.length; k++) order.push(order.shift());
    for (const k of order) {
      const r = timeProcess(...cmds[k]);
      if (k === 'check') exit = r.status;
      if (r.status !== 0 && r.status !== 1) throw new Error(`${k} failed (exit ${r.status}): ${r.stderr}`);
      if (i >= warmup) t[k].push(r.ms);
    }
  }
  const s = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { median: median(v), p25: quantile(v, 0.25), p75: quantile(v, 0.75), min: Math.min(...v) }]));
  const overhead = s.check.median - s.node.median;
  return {
    file, runs, loader: loader(), checkExit: exit, stats: s,
    overheadMs: overhead,
    loadMs: s.version.median - s.node.median,
    checkWorkMs: s.check.median - s.version.median,
    targetMs: 100,
    pass: overhead <= 100,
  };
}

if (import.meta.url === `file://${process.argv[1]}` && o['stages-child']) await stagesChild(o.file);
else if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runStartup();
  if (o.stages) r.stages = runStages({ file: o.file });
  if (o.json) console.log(JSON.stringify({ machine: machine(), ...r }, null, 2));
  else {
    console.log(`start-up: ${r.file}, ${r.runs} interleaved runs each, loader: ${r.loader}`);
    for (const [k, v] of Object.entries(r.stats)) console.log(`  ${k.padEnd(8)} median ${fmt(v.median, 1).padStart(7)} ms  (p25 ${fmt(v.p25, 1)}, p75 ${fmt(v.p75, 1)}, min ${fmt(v.min, 1)})`);
    console.log(`  dslc check − node: ${fmt(r.overheadMs, 1)} ms (target ≤ ${r.targetMs}) ${r.pass ? 'PASS' : 'MISS'}`);
    console.log(`    of which loading the compiler (--version − node): ${fmt(r.loadMs, 1)} ms; checking (check − --version): ${fmt(r.checkWorkMs, 1)} ms`);
    if (r.stages) console.log(`  cold stages (median, unbundled ESM, ms): ${Object.entries(r.stages).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ')}`);
  }
}
