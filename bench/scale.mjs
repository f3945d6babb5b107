// Scaling of `check` with model size: generated models of ~1k / 10k / 100k layers, each size in its own
// child process (so peak RSS is that model's), timed in-process on the built compiler (dist/).
// Usage: node bench/scale.mjs [--sizes 1000,10000,100000] [--variants chain,loop,blocks,named] [--timeout 180] [--json]
//        node bench/scale.mjs --child VARIANT SIZE      (internal: one measurement, JSON on stdout)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, fmt, machine, options } from './common.mjs';

/**
 * Model generators. Each returns { text, layers } where layers is the number of graph nodes expected.
 * - chain:  an unrolled source file, 10 conv→batchnorm→relu triples per statement (≈17 bytes/layer, so
 *           100k layers stay under the 2 MB file limit).
 * - loop:   `for i in 0..n { h = h -> conv2d -> batchnorm -> relu }`.
 * - blocks: a user block (conv→bn→relu) called in a loop; layer names are generated (`unit_17`).
 * - named:  std.resnet's basic_stage (7 layers per basic block), whose blocks carry an explicit
 *           `name="block"` label, as the standard library's stages do.
 */
export const VARIANTS = {
  chain(n) {
    const triples = Math.ceil(n / 3);
    const step = '->conv2d(8,3,padding=1,bias=false)->batchnorm->relu';
    const lines = [];
    for (let i = 0; i < triples; i += 10) lines.push(`  h = h${step.repeat(Math.min(10, triples - i))}`);
    return { text: `model Chain(x: [1, 8, 4, 4]) {\n  h = x\n${lines.join('\n')}\n  return h\n}\n`, layers: triples * 3 };
  },
  loop(n) {
    const t = Math.ceil(n / 3);
    return { text: `model Loop(x: [1, 8, 4, 4]) {\n  h = x\n  for i in 0..${t} {\n    h = h -> conv2d(8, 3, padding=1, bias=false) -> batchnorm -> relu\n  }\n  return h\n}\n`, layers: t * 3 };
  },
  blocks(n) {
    const t = Math.ceil(n / 3);
    return {
      text: `block unit(x: Tensor, c: int) -> Tensor {\n  return x -> conv2d(c, 3, padding=1, bias=false) -> batchnorm -> relu\n}\n\nmodel Blocks(x: [1, 8, 4, 4]) {\n  h = x\n  for i in 0..${t} {\n    h = h -> unit(8)\n  }\n  return h\n}\n`,
      layers: t * 3,
    };
  },
  named(n) {
    const b = Math.ceil(n / 7);
    return { text: `from std.resnet import basic_stage\n\nmodel Named(x: [1, 8, 4, 4]) {\n  return x -> basic_stage(8, ${b}, name="stage")\n}\n`, layers: b * 7 };
  },
};

async function child(variant, size) {
  const { check } = await import(join(ROOT, 'dist/api.js'));
  const { memoryHost } = await import(join(ROOT, 'dist/semantics/modules.js'));
  const { parseModule } = await import(join(ROOT, 'dist/api.js'));
  const { loadProgram } = await import(join(ROOT, 'dist/semantics/modules.js'));
  const { elaborate } = await import(join(ROOT, 'dist/semantics/elaborate.js'));
  const { analyze } = await import(join(ROOT, 'dist/checker/analyze.js'));
  const { text, layers } = VARIANTS[variant](size);
  const files = { 'stdlib/resnet.nn': readFileSync(join(ROOT, 'stdlib/resnet.nn'), 'utf8'), 'main.nn': text };
  const host = memoryHost(files);
  // Warm the compiler on a small model of the same kind (JIT, Chevrotain's parser construction), so the
  // measurement is the per-layer cost rather than one-off start-up.
  const small = VARIANTS[variant](30).text;
  check({ path: 'small.nn', text: small, host: memoryHost({ ...files, 'small.nn': small }) });
  const rss0 = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const r = check({ path: 'main.nn', text, host });
  const ms = performance.now() - t0;
  const maxRssKB = process.resourceUsage().maxRSS;
  const nodes = r.models[0]?.graph.nodes.length ?? 0;
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
  // Stage breakdown on a second run (after the RSS reading): parse, load+parse imports, elaborate, analyze.
  const stage = {};
  let t = performance.now();
  parseModule(text, 'main.nn');
  stage.parse = performance.now() - t;
  t = performance.now();
  const program = loadProgram('main.nn', text, host);
  stage.load = performance.now() - t;
  t = performance.now();
  const el = elaborate(program);
  stage.elaborate = performance.now() - t;
  t = performance.now();
  if (!('error' in el)) analyze(el, {});
  stage.analyze = performance.now() - t;
  process.stdout.write(JSON.stringify({ variant, size, layers, nodes, bytes: text.length, ms, maxRssKB, baseRssKB: rss0, errors: errors.slice(0, 3), diagnostics: r.diagnostics.length, stage }));
}

export function runScale({ sizes = [1000, 10000, 100000], variants = Object.keys(VARIANTS), timeoutS = 180, print = false } = {}) {
  const rows = [];
  for (const variant of variants) {
    for (const size of sizes) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(ROOT, 'bench/scale.mjs'), '--child', variant, String(size)], { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 16 << 20 });
      const wall = performance.now() - t0;
      if (r.status === 0) {
        const row = JSON.parse(r.stdout);
        row.usPerLayer = (row.ms * 1000) / row.nodes;
        rows.push(row);
      } else rows.push({ variant, size, layers: VARIANTS[variant](size).layers, failed: r.error?.code === 'ETIMEDOUT' || r.signal ? `timed out after ${Math.round(wall / 1000)} s` : `exit ${r.status}: ${(r.stderr || '').split('\n').slice(0, 3).join(' ')}` });
      if (print) printRow(rows.at(-1));
    }
  }
  return rows;
}

export function printHeader() {
  console.log(`${'variant'.padEnd(8)} ${'layers'.padStart(7)} ${'check ms'.padStart(9)} ${'µs/layer'.padStart(9)} ${'max RSS MB'.padStart(10)}   stages (ms): parse / load / elaborate / analyze`);
}
export function printRow(r) {
  if (r.failed) return console.log(`${r.variant.padEnd(8)} ${String(r.layers).padStart(7)}   ${r.failed}`);
  const s = r.stage;
  console.log(`${r.variant.padEnd(8)} ${String(r.nodes).padStart(7)} ${fmt(r.ms).padStart(9)} ${fmt(r.usPerLayer, 1).padStart(9)} ${fmt(r.maxRssKB / 1024).padStart(10)}   ${fmt(s.parse)} / ${fmt(s.load)} / ${fmt(s.elaborate)} / ${fmt(s.analyze)}${r.errors.length ? `  ERRORS: ${r.errors.join('; ')}` : ''}`);
}

const o = options({ sizes: '1000,10000,100000', variants: Object.keys(VARIANTS).join(','), timeout: 180, json: false, child: false });
if (import.meta.url === `file://${process.argv[1]}`) {
  if (o.child) {
    const i = process.argv.indexOf('--child');
    await child(process.argv[i + 1], Number(process.argv[i + 2]));
  } else {
    if (!o.json) printHeader();
    const rows = runScale({ sizes: o.sizes.split(',').map(Number), variants: o.variants.split(','), timeoutS: o.timeout, print: !o.json });
    if (o.json) console.log(JSON.stringify({ machine: machine(), rows }, null, 2));
  }
}
