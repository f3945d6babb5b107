// ONNX export speed and memory, beside PyTorch's exporter in the same run (whole processes, interleaved):
//   `node bin/dslc.js examples/<m>.nn --emit onnx -o tmp` vs `python3 bench/torch_export.py <m> tmp`.
// Targets: resnet50 export (random init) ≤ 1.5 s whole process; vgg16 peak RSS ≤ 2× its weight bytes.
// Peak RSS of a child comes from GNU time (`/usr/bin/time -f %M`). torch runs are skipped with a note
// when torch/torchvision cannot be imported.
// Usage: node bench/onnx_export.mjs [--runs 5] [--python /usr/bin/python3] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, fmt, machine, median, options, writeSection } from './common.mjs';

const o = options({ runs: 5, warmup: 1, python: existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', json: false, write: false });

/** Wall ms and peak RSS (KB) of one process, through GNU time. */
function measure(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  const rssKB = Number(r.stderr.trim().split('\n').pop());
  return { ms, rssKB, stdout: r.stdout };
}

export function runExport({ runs = o.runs, warmup = o.warmup, python = o.python, models = ['resnet50', 'vgg16'] } = {}) {
  if (!existsSync('/usr/bin/time')) return { skipped: 'GNU time (/usr/bin/time) is not installed' };
  const probe = spawnSync(python, ['-c', 'import torch, torchvision; print(torch.__version__)'], { encoding: 'utf8' });
  const torch = !probe.error && probe.status === 0 ? probe.stdout.trim() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dslc-bench-onnx-'));
  const out = {};
  try {
    for (const m of models) {
      const s = { dslc: [], torch: [] };
      let dslcBytes = 0;
      // vgg16 is slow in both tools: fewer rounds.
      const n = m === 'vgg16' ? Math.min(runs, 3) : runs;
      for (let i = 0; i < warmup + n; i++) {
        const order = i % 2 ? ['torch', 'dslc'] : ['dslc', 'torch'];
        for (const k of order) {
          if (k === 'torch' && !torch) continue;
          const file = join(dir, `${k}-${m}.onnx`);
          const r = k === 'dslc' ? measure(process.execPath, ['bin/dslc.js', `examples/${m}.nn`, '--emit', 'onnx', '-o', file]) : measure(python, ['bench/torch_export.py', m, file]);
          if (k === 'dslc') dslcBytes = statSync(file).size;
          if (i >= warmup) s[k].push(r);
        }
      }
      const med = (k, f) => (s[k].length ? median(s[k].map(f)) : undefined);
      const params = Number(/([\d,]+) parameters/.exec(spawnSync(process.execPath, ['bin/dslc.js', `examples/${m}.nn`, '--emit', 'onnx', '-o', join(dir, 'p.onnx')], { cwd: ROOT, encoding: 'utf8' }).stdout)?.[1].replace(/,/g, ''));
      out[m] = {
        params,
        weightMB: (params * 4) / 2 ** 20,
        fileMB: dslcBytes / 2 ** 20,
        dslcMs: med('dslc', (r) => r.ms),
        dslcRssMB: med('dslc', (r) => r.rssKB / 1024),
        torchMs: med('torch', (r) => r.ms),
        torchRssMB: med('torch', (r) => r.rssKB / 1024),
        runs: n,
      };
      out[m].timeRatio = out[m].torchMs / out[m].dslcMs;
      out[m].rssOverWeights = out[m].dslcRssMB / out[m].weightMB;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    torch: torch ?? `not importable with ${python}`,
    models: out,
    pass: { resnet50Time: out.resnet50?.dslcMs <= 1500, vgg16Rss: out.vgg16?.rssOverWeights <= 2 },
  };
}

export function printExport(r) {
  if (r.skipped) return console.log(`skipped: ${r.skipped}`);
  for (const [m, x] of Object.entries(r.models))
    console.log(`${m}: dslc ${fmt(x.dslcMs)} ms, ${fmt(x.dslcRssMB)} MB RSS (${fmt(x.rssOverWeights, 2)}× weights ${fmt(x.weightMB)} MB); torch.onnx.export ${fmt(x.torchMs)} ms, ${fmt(x.torchRssMB)} MB RSS; torch/dslc time ${fmt(x.timeRatio, 1)}×`);
}

/** The RESULTS.md section. */
export function exportMarkdown(r, m = machine()) {
  if (r.skipped) return `## ONNX export (\`bench/onnx_export.mjs\`)\n\nSkipped: ${r.skipped}.`;
  const ok = (b) => (b ? '**pass**' : '**MISS**');
  const rows = Object.entries(r.models).map(([k, x]) => `| ${k} | ${x.params.toLocaleString('en-US')} | ${fmt(x.weightMB)} | ${fmt(x.dslcMs)} | ${fmt(x.dslcRssMB)} (${fmt(x.rssOverWeights, 2)}×) | ${fmt(x.torchMs)} | ${fmt(x.torchRssMB)} | ${fmt(x.timeRatio, 1)}× |`);
  return `## ONNX export (\`bench/onnx_export.mjs\`)

Recorded ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores (shared VM). Whole processes, interleaved, medians of ${r.models.resnet50?.runs ?? '–'} runs (vgg16: ${r.models.vgg16?.runs ?? '–'}), random init:
\`node bin/dslc.js examples/<m>.nn --emit onnx\` vs \`python3 bench/torch_export.py <m>\` (torch ${r.torch}: import torch, build torchvision's model, \`torch.onnx.export\` at opset 17 with BatchNorm kept). Peak RSS from GNU time.

| model | params | weights MB | dslc ms | dslc peak RSS MB (× weights) | torch ms | torch peak RSS MB | torch/dslc time |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

| target | result |
|---|---|
| resnet50 export ≤ 1.5 s (whole process) | ${ok(r.pass.resnet50Time)} |
| vgg16 peak RSS ≤ 2× weight bytes | ${ok(r.pass.vgg16Rss)} |

Why memory stays near 1× the weights: the ONNX file is encoded as a list of chunks whose tensor data are views
of the weight arrays (\`src/lower/onnx/encode.ts\`), written in order to a temporary file and renamed; nothing
assembles the whole file in memory. Initialising the weights (seeded normal, polar method) is most of the time.`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runExport();
  if (o.json) console.log(JSON.stringify({ machine: machine(), ...r }, null, 2));
  else printExport(r);
  if (o.write) writeSection('onnx-export', exportMarkdown(r));
}
