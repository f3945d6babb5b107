// Start-up cost of the CLI: whole-process `node bin/dslc.cjs check examples/resnet50.nn` against a bare
// `node -e 1`, interleaved in the same run (so machine noise hits both alike). Also `dslc --version`
// (loads the compiler, checks nothing) to split the overhead into module loading and checking.
// `--stages` adds a cold-process breakdown (unbundled dist/ modules, timed from process start).
// Usage: node bench/startup.mjs [--runs 15] [--file examples/resnet50.nn] [--stages] [--json] [--write]
// (--write: with the stages, replace the start-up section and summary row of bench/RESULTS.md)
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, fmt, machine, median, options, quantile, timeProcess, writeSection } from './common.mjs';

const o = options({ runs: 15, warmup: 2, file: 'examples/resnet50.nn', json: false, stages: false, 'stages-child': false, write: false });

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

const ok = (b) => (b ? '**pass**' : '**MISS**');

/** The RESULTS.md summary row of the start-up target. */
export function startupSummaryRow(st) {
  return `| start-up: \`dslc check examples/resnet50.nn\` ≤ 100 ms above bare \`node -e 1\` | ${fmt(st.overheadMs)} ms above (${fmt(st.stats.check.median)} vs ${fmt(st.stats.node.median)} ms) | ${ok(st.pass)} |`;
}

/** The RESULTS.md start-up section; `stagesRuns`: the runs per stage median; `recorded`: a line saying when, if written alone. */
export function startupMarkdown(st, stages, stagesRuns, recorded = '') {
  return `## Start-up (\`bench/startup.mjs\`)

${recorded}${st.runs} interleaved runs of each command (after ${2} warm-up rounds), wall time of the whole process including spawn.

| command | median ms | p25 | p75 | min |
|---|---|---|---|---|
${Object.entries({ 'node -e 1': st.stats.node, 'node bin/dslc.cjs --version': st.stats.version, 'node bin/dslc.cjs check examples/resnet50.nn': st.stats.check }).map(([k, v]) => `| \`${k}\` | ${fmt(v.median, 1)} | ${fmt(v.p25, 1)} | ${fmt(v.p75, 1)} | ${fmt(v.min, 1)} |`).join('\n')}

Overhead above node: **${fmt(st.overheadMs, 1)} ms** = loading the compiler (\`--version\` − node) ${fmt(st.loadMs, 1)} ms + parsing, checking and printing ResNet-50 (check − \`--version\`) ${fmt(st.checkWorkMs, 1)} ms.

Where a cold check's time goes (\`node bench/startup.mjs --stages\`: one fresh process per run, median of
${stagesRuns}, the *unbundled* ES modules of \`dist/\` timed with \`performance.now()\` from process start; the
CLI itself loads the esbuild bundle with a V8 code cache, which is what "loading the compiler" above measures):

| stage | ms |
|---|---|
${Object.entries({ nodeBoot: 'node bootstrap until the first line of the script', importModules: 'import the ~100 ES modules of dist/ (chevrotain included)', parserInit: "Chevrotain parser construction (grammar self-analysis), once per process", parseRoot: 'parse resnet50.nn (cold)', loadProgram: 'parse it again + std.resnet, resolve imports', elaborate: 'elaborate (cold JIT)', analyze: 'analyze: totals, RF, memory, rules', render: 'render diagnostics', total: 'total, from process start' }).map(([k, what]) => `| ${what} | ${fmt(stages[k], 1)} |`).join('\n')}`;
}

if (import.meta.url === `file://${process.argv[1]}` && o['stages-child']) await stagesChild(o.file);
else if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runStartup();
  if (o.stages || o.write) r.stages = runStages({ file: o.file });
  if (o.json) console.log(JSON.stringify({ machine: machine(), ...r }, null, 2));
  else {
    console.log(`start-up: ${r.file}, ${r.runs} interleaved runs each, loader: ${r.loader}`);
    for (const [k, v] of Object.entries(r.stats)) console.log(`  ${k.padEnd(8)} median ${fmt(v.median, 1).padStart(7)} ms  (p25 ${fmt(v.p25, 1)}, p75 ${fmt(v.p75, 1)}, min ${fmt(v.min, 1)})`);
    console.log(`  dslc check − node: ${fmt(r.overheadMs, 1)} ms (target ≤ ${r.targetMs}) ${r.pass ? 'PASS' : 'MISS'}`);
    console.log(`    of which loading the compiler (--version − node): ${fmt(r.loadMs, 1)} ms; checking (check − --version): ${fmt(r.checkWorkMs, 1)} ms`);
    if (r.stages) console.log(`  cold stages (median, unbundled ESM, ms): ${Object.entries(r.stages).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ')}`);
  }
  if (o.write) {
    if (o.file !== 'examples/resnet50.nn') throw new Error('--write records examples/resnet50.nn only');
    const m = machine();
    const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
    writeSection('startup', startupMarkdown(r, r.stages, 7, `Recorded ${date} UTC on ${m.cpu}, ${m.cores} cores, Node ${m.node} (\`node bench/startup.mjs --write\`; the rest of this file may be older). `));
    const file = join(ROOT, 'bench/RESULTS.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^\| start-up: .*$/m, startupSummaryRow(r)));
    console.log('wrote bench/RESULTS.md');
  }
}
