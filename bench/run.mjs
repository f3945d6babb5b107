// Runs every benchmark and rewrites bench/RESULTS.md. Needs a build (`npm run build`).
// Usage: node bench/run.mjs [--quick]   (--quick: fewer runs, sizes 1k/10k only; results not written)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, fmt, machine, options } from './common.mjs';
import { runStages, runStartup, startupMarkdown, startupSummaryRow } from './startup.mjs';
import { VARIANTS, printHeader, printRow, runScale } from './scale.mjs';
import { runCompare } from './compare_torch.mjs';
import { exportMarkdown, printExport, runExport } from './onnx_export.mjs';
import { writeSection } from './common.mjs';
import { runTfjs, tfjsMarkdown } from './tfjs.mjs';
import { lspMarkdown, runLsp } from './lsp.mjs';

const o = options({ quick: false, out: join(ROOT, 'bench/RESULTS.md') });
if (!existsSync(join(ROOT, 'dist/api.js'))) {
  console.error('bench: build first (npm run build)');
  process.exit(2);
}
const m = machine();
const started = new Date();
console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}, node ${m.node}`);

console.log('\n== start-up');
const st = runStartup({ runs: o.quick ? 7 : 15, warmup: 2, file: 'examples/resnet50.nn' });
console.log(`dslc check − node: ${fmt(st.overheadMs, 1)} ms (loading ${fmt(st.loadMs, 1)}, checking ${fmt(st.checkWorkMs, 1)}) ${st.pass ? 'PASS' : 'MISS'}`);
const stages = runStages({ runs: o.quick ? 3 : 7, file: 'examples/resnet50.nn' });
console.log(`cold stages (unbundled ESM): ${Object.entries(stages).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ')}`);

console.log('\n== scale');
printHeader();
const sizes = o.quick ? [1000, 10000] : [1000, 10000, 100000];
const rows = [];
for (const v of Object.keys(VARIANTS)) for (const s of sizes) {
  const [r] = runScale({ sizes: [s], variants: [v], timeoutS: 240, print: false });
  printRow(r);
  rows.push(r);
}

console.log('\n== torch comparison');
const cmp = runCompare({ runs: o.quick ? 3 : 7, warmup: 1 });
console.log(cmp.skipped ? `skipped: ${cmp.skipped}` : `torch ${fmt(cmp.torchMs)} ms vs dslc ${fmt(cmp.dslcMs)} ms: ${fmt(cmp.ratio, 1)}× ${cmp.pass ? 'PASS' : 'MISS'}`);

console.log('\n== ONNX export');
const exp = runExport({ runs: o.quick ? 2 : 5, warmup: 1 });
printExport(exp);

console.log('\n== TensorFlow.js lowering');
const tfr = await runTfjs();

console.log('\n== language server');
const lsp = await runLsp({ quick: o.quick });
const lspMd = lspMarkdown(lsp, m, started.toISOString().slice(0, 16).replace('T', ' ') + ' UTC');
console.log(lspMd);

const at10k = rows.filter((r) => !r.failed && r.size === 10000);
const scaleTime = at10k.every((r) => r.ms <= 1000);
const scaleMem = at10k.every((r) => r.maxRssKB / 1024 <= 200);
const ok = (b) => (b ? '**pass**' : '**MISS**');
const byVariant = Object.keys(VARIANTS).map((v) => rows.filter((r) => r.variant === v));

const md = `# Benchmarks

Recorded by \`node bench/run.mjs\` (rewrites this file) on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC.

- Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB RAM, ${m.os} (a shared, noisy VM: medians, interleaved runs)
- Node ${m.node}; compiler loaded by \`bin/dslc.cjs\` as: ${st.loader}

## Summary

| target | measured | result |
|---|---|---|
${startupSummaryRow(st)}
| 10k layers: check ≤ 1 s | ${at10k.map((r) => `${r.variant} ${fmt(r.ms)} ms`).join(', ')} | ${ok(scaleTime)} |
| 10k layers: peak RSS ≤ 200 MB | ${at10k.map((r) => `${r.variant} ${fmt(r.maxRssKB / 1024)} MB`).join(', ')} | ${ok(scaleMem)} |
| dslc ≥ 15× faster than a torch hook summary of ResNet-50 (whole processes) | ${cmp.skipped ? 'skipped' : `${fmt(cmp.ratio, 1)}× (${fmt(cmp.torchMs)} vs ${fmt(cmp.dslcMs)} ms)`} | ${cmp.skipped ? '–' : ok(cmp.pass)} |

<!-- section:startup -->
${startupMarkdown(st, stages, o.quick ? 3 : 7)}
<!-- /section:startup -->

## Scale (\`bench/scale.mjs\`)

One child process per row; \`check()\` timed in-process after a warm-up on a 30-layer model of the same
kind; peak RSS is \`process.resourceUsage().maxRSS\` of that child. Stages are a second, separate run:
parse of the root file alone, \`loadProgram\` (parse + imports), \`elaborate\`, \`analyze\`.

- **chain**: unrolled source, 10 conv→batchnorm→relu per statement (8 channels, 4×4).
- **loop**: the same triple in \`for i in 0..n\`.
- **blocks**: a user block (conv→bn→relu) applied in a loop, generated layer names.
- **named**: \`std.resnet.basic_stage(8, n/7)\`: basic blocks with the explicit \`name="block"\` label that every stdlib stage uses.

| variant | layers | source bytes | check ms | µs / layer | × µs/layer vs 1k | peak RSS MB | parse | load | elaborate | analyze |
|---|---|---|---|---|---|---|---|---|---|---|
${byVariant.flatMap((rs) => rs.map((r) => (r.failed ? `| ${r.variant} | ${r.layers} | | ${r.failed} | | | | | | | |` : `| ${r.variant} | ${r.nodes} | ${r.bytes} | ${fmt(r.ms)} | ${fmt(r.usPerLayer, 1)} | ${fmt(r.usPerLayer / (rs[0].usPerLayer ?? NaN), 2)} | ${fmt(r.maxRssKB / 1024)} | ${fmt(r.stage.parse)} | ${fmt(r.stage.load)} | ${fmt(r.stage.elaborate)} | ${fmt(r.stage.analyze)} |`))).join('\n')}

## Against PyTorch (\`bench/torch_summary.py\`, \`bench/compare_torch.mjs\`)

${cmp.skipped ? `Skipped: ${cmp.skipped}.` : `torch ${cmp.torchVersion}, torchvision ${cmp.visionVersion}; ${cmp.runs} interleaved runs of each whole process.

| process | median ms |
|---|---|
| \`python3 bench/torch_summary.py\` (import torch ${fmt(cmp.torchStagesMs.import)} ms, build resnet50 ${fmt(cmp.torchStagesMs.build)} ms, forward with hooks ${fmt(cmp.torchStagesMs.forward)} ms; last run) | ${fmt(cmp.torchMs)} |
| \`node bin/dslc.cjs check examples/resnet50.nn\` | ${fmt(cmp.dslcMs)} |

Ratio: **${fmt(cmp.ratio, 1)}×** (torch: ${cmp.torchSummary}).`}

${lspMd}
## Analysis

${existsSync(join(ROOT, "bench/NOTES.md")) ? readFileSync(join(ROOT, "bench/NOTES.md"), "utf8").trim() : "(no bench/NOTES.md)"}
`;
const json = { machine: m, date: started.toISOString(), startup: { ...st, stages }, scale: rows, torch: cmp, onnxExport: exp, tfjs: tfr, lsp };
if (o.quick) console.log('\n(--quick: RESULTS.md not written)');
else {
  writeFileSync(o.out, md);
  writeSection('onnx-export', exportMarkdown(exp, m), o.out);
  writeSection('tfjs', tfjsMarkdown(tfr, m), o.out);
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nwrote ${o.out} and bench/results.json`);
}
