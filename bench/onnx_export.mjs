// ONNX export speed and memory, beside PyTorch's exporter in the same run (whole processes, interleaved):
//   `node bin/dslc.cjs examples/<m>.nn --emit onnx -o tmp` vs `python3 bench/torch_export.py <m> tmp`
//   (vit_b_16: its weights are nearly all matrices the export transposes).
// Targets: resnet50 export (random init) ≤ 1.5 s whole process; vgg16 peak RSS ≤ 2× its weight bytes; every
// model's peak RSS ≤ its weight bytes + 100 MB (the README's claim).
// Peak RSS of a child comes from GNU time (`/usr/bin/time -f %M`). torch runs are skipped with a note
// when torch/torchvision cannot be imported. `--against DIR` runs another dslc checkout (built) as a peer in
// the same rounds, e.g. the commit before a change: its `bin/dslc.cjs` on the same model files.
// Usage: node bench/onnx_export.mjs [--runs 5] [--python /usr/bin/python3] [--against DIR] [--json] [--write]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, fmt, machine, median, options, writeSection } from './common.mjs';

const o = options({ runs: 5, warmup: 1, python: existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', against: '', json: false, write: false });

/** Wall ms and peak RSS (KB) of one process, through GNU time. */
function measure(cmd, args, cwd = ROOT) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  const rssKB = Number(r.stderr.trim().split('\n').pop());
  return { ms, rssKB, stdout: r.stdout };
}

/** The model file of `m` (absolute: a peer checkout runs it too). */
const source = (m) => join(ROOT, `examples/${m}.nn`);

export function runExport({ runs = o.runs, warmup = o.warmup, python = o.python, against = o.against, models = ['resnet50', 'vgg16', 'vit_b_16'] } = {}) {
  if (!existsSync('/usr/bin/time')) return { skipped: 'GNU time (/usr/bin/time) is not installed' };
  const probe = spawnSync(python, ['-c', 'import torch, torchvision; print(torch.__version__)'], { encoding: 'utf8' });
  const torch = !probe.error && probe.status === 0 ? probe.stdout.trim() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dslc-bench-onnx-'));
  const out = {};
  try {
    for (const m of models) {
      const s = { dslc: [], torch: [], against: [] };
      let dslcBytes = 0;
      // vgg16 and vit_b_16 are slow in both tools: fewer rounds.
      const n = m === 'resnet50' ? runs : Math.min(runs, 3);
      const dslc = ['bin/dslc.cjs', source(m), '--emit', 'onnx', '-o'];
      for (let i = 0; i < warmup + n; i++) {
        const order = i % 2 ? ['torch', 'against', 'dslc'] : ['dslc', 'against', 'torch'];
        for (const k of order) {
          if ((k === 'torch' && !torch) || (k === 'against' && !against)) continue;
          const file = join(dir, `${k}-${m}.onnx`);
          const r = k === 'dslc' ? measure(process.execPath, [...dslc, file]) : k === 'against' ? measure(process.execPath, [...dslc, file], against) : measure(python, ['bench/torch_export.py', m, file]);
          if (k === 'dslc') dslcBytes = statSync(file).size;
          if (i >= warmup) s[k].push(r);
        }
      }
      const med = (k, f) => (s[k].length ? median(s[k].map(f)) : undefined);
      const params = Number(/([\d,]+) parameters/.exec(spawnSync(process.execPath, [...dslc, join(dir, 'p.onnx')], { cwd: ROOT, encoding: 'utf8' }).stdout)?.[1].replace(/,/g, ''));
      out[m] = {
        params,
        weightMB: (params * 4) / 2 ** 20,
        fileMB: dslcBytes / 2 ** 20,
        dslcMs: med('dslc', (r) => r.ms),
        dslcRssMB: med('dslc', (r) => r.rssKB / 1024),
        torchMs: med('torch', (r) => r.ms),
        torchRssMB: med('torch', (r) => r.rssKB / 1024),
        againstMs: med('against', (r) => r.ms),
        againstRssMB: med('against', (r) => r.rssKB / 1024),
        runs: n,
      };
      out[m].timeRatio = out[m].torchMs / out[m].dslcMs;
      out[m].rssOverWeights = out[m].dslcRssMB / out[m].weightMB;
      out[m].againstTimeRatio = out[m].againstMs / out[m].dslcMs;
      out[m].againstRssRatio = out[m].againstRssMB / out[m].dslcRssMB;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const againstRev = against ? spawnSync('git', ['log', '-1', '--format=%h (%cs)'], { cwd: against, encoding: 'utf8' }).stdout.trim() || against : undefined;
  return {
    torch: torch ?? `not importable with ${python}`,
    ...(againstRev ? { against: againstRev } : {}),
    models: out,
    pass: { resnet50Time: out.resnet50?.dslcMs <= 1500, vgg16Rss: out.vgg16?.rssOverWeights <= 2, rssNearWeights: Object.values(out).every((x) => x.dslcRssMB <= x.weightMB + 100) },
  };
}

export function printExport(r) {
  if (r.skipped) return console.log(`skipped: ${r.skipped}`);
  for (const [m, x] of Object.entries(r.models))
    console.log(`${m}: dslc ${fmt(x.dslcMs)} ms, ${fmt(x.dslcRssMB)} MB RSS (${fmt(x.rssOverWeights, 2)}× weights ${fmt(x.weightMB)} MB); torch.onnx.export ${fmt(x.torchMs)} ms, ${fmt(x.torchRssMB)} MB RSS; torch/dslc time ${fmt(x.timeRatio, 1)}×${r.against ? `; against ${fmt(x.againstMs)} ms, ${fmt(x.againstRssMB)} MB RSS (${fmt(x.againstRssRatio, 2)}× dslc's)` : ''}`);
}

/** The RESULTS.md section. */
export function exportMarkdown(r, m = machine()) {
  if (r.skipped) return `## ONNX export (\`bench/onnx_export.mjs\`)\n\nSkipped: ${r.skipped}.`;
  const ok = (b) => (b ? '**pass**' : '**MISS**');
  const rows = Object.entries(r.models).map(([k, x]) => `| ${k} | ${x.params.toLocaleString('en-US')} | ${fmt(x.weightMB)} | ${fmt(x.dslcMs)} | ${fmt(x.dslcRssMB)} (${fmt(x.rssOverWeights, 2)}×) | ${fmt(x.torchMs)} | ${fmt(x.torchRssMB)} | ${fmt(x.timeRatio, 1)}× |`);
  const peer = r.against
    ? `\n\nPeer in the same rounds (\`--against\`): ${r.against.replace(/\|/g, '/')}, the same commands from its checkout.\n\n| model | peer ms | peer peak RSS MB | peer/dslc time | peer/dslc peak RSS |\n|---|---|---|---|---|\n${Object.entries(r.models)
        .map(([k, x]) => `| ${k} | ${fmt(x.againstMs)} | ${fmt(x.againstRssMB)} | ${fmt(x.againstTimeRatio, 2)}× | ${fmt(x.againstRssRatio, 2)}× |`)
        .join('\n')}`
    : '';
  return `## ONNX export (\`bench/onnx_export.mjs\`)

Recorded ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores (shared VM). Whole processes, interleaved, medians of ${r.models.resnet50?.runs ?? '–'} runs (vgg16, vit_b_16: ${r.models.vgg16?.runs ?? '–'}), random init:
\`node bin/dslc.cjs examples/<m>.nn --emit onnx\` vs \`python3 bench/torch_export.py <m>\` (torch ${r.torch}: import torch, build torchvision's model, \`torch.onnx.export\` at opset 17 with BatchNorm kept). Peak RSS from GNU time; weights MB = params × 4 bytes.

| model | params | weights MB | dslc ms | dslc peak RSS MB (× weights) | torch ms | torch peak RSS MB | torch/dslc time |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}${peer}

| target | result |
|---|---|
| resnet50 export ≤ 1.5 s (whole process) | ${ok(r.pass.resnet50Time)} |
| vgg16 peak RSS ≤ 2× weight bytes | ${ok(r.pass.vgg16Rss)} |
| every model: peak RSS ≤ weight bytes + 100 MB | ${ok(r.pass.rssNearWeights)} |

Why memory stays near the weights or below: the ONNX file is encoded as a list of chunks, and each initializer's
chunk makes its values (seeded; repacked where ONNX's layout differs from dslc's, as a dense weight transposed for
MatMul) only when it is written (\`src/lower/onnx/encode.ts\`, \`export.ts\`), in order, to a temporary file that is
then renamed: about one layer's weights are in memory at a time, so the peak is Node (~60 MB) plus the largest
layer (vgg16: fc6's 392 MiB) plus garbage not yet collected. Initialising the weights (seeded normal, polar
method) is most of the time.`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runExport();
  if (o.json) console.log(JSON.stringify({ machine: machine(), ...r }, null, 2));
  else printExport(r);
  if (o.write) writeSection('onnx-export', exportMarkdown(r));
}
