// Whole-process comparison with a PyTorch workflow: bench/torch_summary.py (import torch, build
// torchvision's ResNet-50, one forward pass with shape/parameter hooks) against
// `node bin/dslc.cjs check examples/resnet50.nn`, interleaved in the same run. Skips (with a note) when
// torch or torchvision cannot be imported.
// Usage: node bench/compare_torch.mjs [--runs 5] [--python /usr/bin/python3] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ROOT, fmt, machine, median, options, timeProcess } from './common.mjs';

const o = options({ runs: 5, warmup: 1, python: existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', json: false });

export function runCompare({ runs = o.runs, warmup = o.warmup, python = o.python } = {}) {
  const probe = spawnSync(python, ['-c', 'import torch, torchvision; print(torch.__version__, torchvision.__version__)'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : (probe.stderr || '').trim().split('\n').pop();
    return { skipped: `torch/torchvision not importable with ${python} (${why})` };
  }
  const [torchVersion, visionVersion] = probe.stdout.trim().split(/\s+/);
  const t = { torch: [], dslc: [] };
  let torchOut = '';
  for (let i = 0; i < warmup + runs; i++) {
    const order = i % 2 ? ['torch', 'dslc'] : ['dslc', 'torch'];
    for (const k of order) {
      const r = k === 'torch' ? timeProcess(python, ['bench/torch_summary.py']) : timeProcess(process.execPath, ['bin/dslc.cjs', 'check', 'examples/resnet50.nn']);
      if (k === 'torch') {
        if (r.status !== 0) throw new Error(`torch_summary.py failed: ${r.stderr}`);
        torchOut = r.stdout;
      } else if (r.status !== 0) throw new Error(`dslc check failed (exit ${r.status}): ${r.stderr}`);
      if (i >= warmup) t[k].push(r.ms);
    }
  }
  const stages = Object.fromEntries([...torchOut.matchAll(/(\w+)_s=([\d.]+)/g)].map((m) => [m[1], Number(m[2]) * 1000]));
  const torchMs = median(t.torch);
  const dslcMs = median(t.dslc);
  return { runs, python, torchVersion, visionVersion, torchMs, dslcMs, ratio: torchMs / dslcMs, torchStagesMs: stages, torchSummary: torchOut.split('\n')[0], target: 15, pass: torchMs / dslcMs >= 15, samples: t };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runCompare();
  if (o.json) console.log(JSON.stringify({ machine: machine(), ...r }, null, 2));
  else if (r.skipped) console.log(`compare_torch: skipped: ${r.skipped}`);
  else {
    console.log(`torch ${r.torchVersion} / torchvision ${r.visionVersion}, ${r.runs} interleaved runs each`);
    console.log(`  torch summary (whole process): median ${fmt(r.torchMs)} ms  [import ${fmt(r.torchStagesMs.import)}, build ${fmt(r.torchStagesMs.build)}, forward+hooks ${fmt(r.torchStagesMs.forward)}]`);
    console.log(`  dslc check    (whole process): median ${fmt(r.dslcMs)} ms`);
    console.log(`  dslc is ${fmt(r.ratio, 1)}× faster (target ≥ ${r.target}×) ${r.pass ? 'PASS' : 'MISS'}`);
  }
}
