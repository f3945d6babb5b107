// TensorFlow.js lowering speed (issue 4), all in one process and one run:
//  - ResNet-18 and MobileNetV2 at batch 1 and 8 on the wasm backend: dslc's lowering (`lowerToTfjs`, a fused
//    GraphModel) vs the same architecture written by hand with `tf.layers` (NHWC, idiomatic Keras-style layers:
//    conv → batchNormalization → activation, nothing folded), runs interleaved; ratio dslc / hand (target ≤ 1.0).
//  - The same models in onnxruntime-node on dslc's ONNX export (1 thread, like tfjs-wasm in Node, and all cores):
//    tfjs / ORT ratios, and the share of the machine's peak FLOP/s each reaches: 2 × MACs (from the checker) × batch
//    ÷ median time, over the peak measured by bench/peak_flops.c (chains of FMAs, built with gcc), beside onnxruntime's
//    MatMul throughput (a tuned GEMM) and the nominal peak (base GHz × FMA lanes per core).
//  - ResNet-50 model load: weights in (an ONNX file dslc exported, read, matched, lowered, uploaded) to first
//    prediction out, in a fresh process (TensorFlow.js already imported; its import is reported apart). Target ≤ 2 s.
//  - ViT-B/16 (86.6M seeded weights, 12 attention layers) from check to second prediction, in a fresh process, by
//    phase, and the whole `dslc run examples/vit_b_16.nn --random` (`--vit`: this part alone, printed, not written).
// Every prediction includes what a caller pays: the input tensor made from a Float32Array and the output read back.
// Usage: node bench/tfjs.mjs [--runs 7] [--warmup 3] [--write] [--vit [--vit-runs 3]]   (--write: the tfjs section of bench/RESULTS.md)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, fmt, machine, median, options, quantile, writeSection } from './common.mjs';

const o = options({ runs: 15, warmup: 3, write: false, json: false, load: '', vit: false, 'vit-child': false, 'vit-runs': 3 });
const req = createRequire(join(ROOT, 'package.json'));
const imp = (p) => import(join(ROOT, 'dist', p));

async function loadTf() {
  const tf = req('@tensorflow/tfjs');
  tf.enableProdMode();
  req('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  return tf;
}

async function checkExample(name) {
  const { check } = await imp('api.js');
  const { nodeHost } = await imp('cli/host.js');
  const path = join(ROOT, 'examples', `${name}.nn`);
  const r = check({ path, text: readFileSync(path, 'utf8'), host: nodeHost() });
  if (!r.models[0]) throw new Error(`${name}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.models[0];
}

// ---- hand-written tf.layers models (NHWC) ----
function resnet18Layers(tf) {
  const L = tf.layers;
  const convBn = (x, f, k, s) => L.batchNormalization({ axis: -1 }).apply(L.conv2d({ filters: f, kernelSize: k, strides: s, padding: 'same', useBias: false }).apply(x));
  const relu = (x) => L.activation({ activation: 'relu' }).apply(x);
  const input = tf.input({ shape: [224, 224, 3] });
  let x = relu(convBn(input, 64, 7, 2));
  x = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x);
  let cin = 64;
  for (const [c, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]]) {
    for (let b = 0; b < 2; b++) {
      const s = b === 0 ? stride : 1;
      const y = convBn(relu(convBn(x, c, 3, s)), c, 3, 1);
      const short = s !== 1 || cin !== c ? convBn(x, c, 1, s) : x;
      x = relu(L.add().apply([y, short]));
      cin = c;
    }
  }
  x = L.globalAveragePooling2d({}).apply(x);
  return tf.model({ inputs: input, outputs: L.dense({ units: 1000 }).apply(x) });
}

function mobilenetV2Layers(tf) {
  const L = tf.layers;
  const bn = (x) => L.batchNormalization({ axis: -1 }).apply(x);
  const relu6 = (x) => L.reLU({ maxValue: 6 }).apply(x);
  const conv = (x, f, k, s) => L.conv2d({ filters: f, kernelSize: k, strides: s, padding: 'same', useBias: false }).apply(x);
  const input = tf.input({ shape: [224, 224, 3] });
  let x = relu6(bn(conv(input, 32, 3, 2)));
  let cin = 32;
  for (const [t, c, n, s0] of [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]) {
    for (let i = 0; i < n; i++) {
      const s = i === 0 ? s0 : 1;
      let y = t === 1 ? x : relu6(bn(conv(x, cin * t, 1, 1)));
      y = relu6(bn(L.depthwiseConv2d({ kernelSize: 3, strides: s, padding: 'same', useBias: false }).apply(y)));
      y = bn(conv(y, c, 1, 1));
      x = s === 1 && cin === c ? L.add().apply([x, y]) : y;
      cin = c;
    }
  }
  x = relu6(bn(conv(x, 1280, 1, 1)));
  x = L.dropout({ rate: 0.2 }).apply(L.globalAveragePooling2d({}).apply(x));
  return tf.model({ inputs: input, outputs: L.dense({ units: 1000 }).apply(x) });
}

const HAND = { resnet18: resnet18Layers, mobilenet_v2: mobilenetV2Layers };

function stats(times) {
  return { median: median(times), p95: quantile(times, 0.95), min: Math.min(...times) };
}

/**
 * Peak float32 FLOP/s as measured: onnxruntime's MatMul (MLAS, a hand-tuned GEMM) on 2048×2048, best of 5, 1 thread
 * and all threads. (Debian's NumPy links the reference BLAS, ~6 GFLOP/s here: no measure of a peak.)
 */
export async function measuredPeak(ort) {
  const { default: onnxProto } = await import(req.resolve('onnx-proto'));
  const { onnx } = onnxProto;
  const n = 2048;
  const vi = (name) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: n }, { dimValue: n }] } } } });
  const bytes = onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'gemm', node: [{ opType: 'MatMul', input: ['A', 'B'], output: ['C'] }], input: [vi('A'), vi('B')], output: [vi('C')] } }).finish();
  const a = new ort.Tensor('float32', Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)), [n, n]);
  const run = async (threads) => {
    const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
    let best = Infinity;
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      await s.run({ A: a, B: a });
      if (i > 0) best = Math.min(best, (performance.now() - t0) / 1000);
    }
    await s.release();
    return (2 * n ** 3) / best;
  };
  return { one: await run(1), all: await run(cpus().length) };
}

/** Peak float32 FLOP/s of the cores themselves: bench/peak_flops.c (independent 256-bit FMA chains), 1 and all threads. */
function fmaPeak(dir) {
  const exe = join(dir, 'peak_flops');
  const cc = spawnSync('gcc', ['-O3', '-mavx2', '-mfma', '-pthread', join(ROOT, 'bench/peak_flops.c'), '-o', exe], { encoding: 'utf8' });
  if (cc.status !== 0) return { one: NaN, all: NaN, note: `gcc failed: ${cc.error?.message ?? cc.stderr.trim().split('\n')[0]}` };
  const run = (t) => Number(execFileSync(exe, [String(t)], { encoding: 'utf8' }).trim());
  return { one: run(1), all: run(cpus().length) };
}

/** Nominal peak: cores × clock × FP32 FLOPs per cycle (2 FMA pipes × 8 lanes × 2 with AVX2+FMA, as on Zen 2/3). */
function nominalPeak() {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(info)?.[1] ?? NaN);
  const avx2 = / avx2 /.test(info) && / fma /.test(info);
  const avx512 = / avx512f /.test(info);
  // AMD Zen 4 runs AVX-512 on its two 256-bit FMA pipes: still 32 FP32 FLOP/cycle; Intel server cores have 64.
  const perCycle = avx512 && !/AuthenticAMD/.test(info) ? 64 : avx2 || avx512 ? 32 : 8;
  return { perCore: mhz * 1e6 * perCycle, cores: cpus().length, mhz, isa: avx512 ? 'AVX-512' : avx2 ? 'AVX2+FMA' : 'SSE' };
}

async function benchModels(tf, ort) {
  const { lowerToTfjs } = await imp('lower/tfjs/index.js');
  const { exportOnnx } = await imp('lower/onnx/export.js');
  const rows = [];
  for (const name of ['resnet18', 'mobilenet_v2']) {
    const m = await checkExample(name);
    const macs = m.totals.macs;
    const onnx = exportOnnx(m, { seed: 1 }).result;
    const sessions = {
      ort1: await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' }),
      ortAll: await ort.InferenceSession.create(onnx, { intraOpNumThreads: cpus().length, interOpNumThreads: 1, graphOptimizationLevel: 'all' }),
    };
    const hand = HAND[name](tf);
    for (const batch of [1, 8]) {
      const net = (await lowerToTfjs(m, { tf, backend: 'wasm', seed: 1, batch })).result;
      const n = batch * 3 * 224 * 224;
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.01));
      const engines = {
        dslc: async () => {
          await net.predict({ x: { data: x, shape: [batch, 3, 224, 224] } });
        },
        hand: async () => {
          const t = tf.tensor(x, [batch, 224, 224, 3]);
          const y = hand.predict(t);
          await y.data();
          t.dispose();
          y.dispose();
        },
        ort1: async () => {
          await sessions.ort1.run({ x: new ort.Tensor('float32', x, [batch, 3, 224, 224]) });
        },
        ortAll: async () => {
          await sessions.ortAll.run({ x: new ort.Tensor('float32', x, [batch, 3, 224, 224]) });
        },
      };
      const times = Object.fromEntries(Object.keys(engines).map((k) => [k, []]));
      const runs = batch === 8 ? Math.max(3, Math.ceil(o.runs / 2)) : o.runs;
      for (let i = 0; i < o.warmup + runs; i++) {
        // Interleaved, the order rotating, so that a noisy neighbour hits every engine alike.
        const keys = Object.keys(engines);
        const order = keys.map((_, j) => keys[(i + j) % keys.length]);
        for (const k of order) {
          const t0 = performance.now();
          await engines[k]();
          if (i >= o.warmup) times[k].push(performance.now() - t0);
        }
      }
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await engines.dslc();
      const leaked = tf.memory().numTensors - before;
      net.dispose();
      const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
      // dslc / tf.layers per round (the two ran back to back), then the median: steadier than a ratio of medians when
      // the load of a shared machine drifts during the run.
      const paired = median(times.dslc.map((t, i) => t / times.hand[i]));
      const row = { model: name, batch, macs, runs, ...s, paired, leaked };
      rows.push(row);
      console.log(`${name} b${batch}: dslc ${fmt(s.dslc.median, 1)} ms, tf.layers ${fmt(s.hand.median, 1)} ms (ratio ${fmt(paired, 2)}), ORT 1 thread ${fmt(s.ort1.median, 1)} ms, ORT ${cpus().length} threads ${fmt(s.ortAll.median, 1)} ms`);
    }
    hand.dispose();
    for (const ses of Object.values(sessions)) await ses.release();
  }
  return rows;
}

/** In a child process (fresh heap, tfjs imported first and timed apart): ResNet-50 from an ONNX weights file to its first prediction. */
async function loadChild(file) {
  const t0 = performance.now();
  const tf = await loadTf();
  const tTf = performance.now() - t0;
  const { readOnnxWeights, matchWeights } = await imp('lower/weights-file.js');
  const { lowerToTfjs } = await imp('lower/tfjs/index.js');
  const m = await checkExample('resnet50');
  const t1 = performance.now();
  // The Buffer itself, as `dslc run --weights` passes it (a Uint8Array): no copy of the file.
  const tensors = readOnnxWeights(readFileSync(file));
  const { weights } = matchWeights(m, file, tensors);
  const t2 = performance.now();
  const net = (await lowerToTfjs(m, { tf, backend: 'wasm', weights })).result;
  const t3 = performance.now();
  const x = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.01));
  await net.predict({ x: { data: x, shape: [1, 3, 224, 224] } });
  const t4 = performance.now();
  await net.predict({ x: { data: x, shape: [1, 3, 224, 224] } });
  const t5 = performance.now();
  console.log(JSON.stringify({ importTf: tTf, readWeights: t2 - t1, lower: t3 - t2, firstPredict: t4 - t3, total: t4 - t1, secondPredict: t5 - t4 }));
}

async function benchLoad(runs = 7) {
  const { exportOnnx } = await imp('lower/onnx/export.js');
  const dir = mkdtempSync(join(tmpdir(), 'dslc-bench-tfjs-'));
  try {
    const file = join(dir, 'resnet50.onnx');
    writeFileSync(file, exportOnnx(await checkExample('resnet50'), { seed: 1 }).result);
    const all = [];
    const load0 = loadavg()[0];
    for (let i = 0; i < runs; i++) all.push(JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench/tfjs.mjs'), '--load', file], { encoding: 'utf8' }).trim().split('\n').pop()));
    // The whole command, as a user runs it: node start, check, tfjs import, weights, lowering, one prediction.
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, [join(ROOT, 'bin/dslc.cjs'), 'run', join(ROOT, 'examples/resnet50.nn'), '--weights', file, '--random'], { encoding: 'utf8' });
      all[i].cli = performance.now() - t0;
    }
    const med = Object.fromEntries(Object.keys(all[0]).map((k) => [k, median(all.map((a) => a[k]))]));
    // The spread and the machine's load beside the median: other jobs share these cores.
    const totals = all.map((a) => a.total);
    Object.assign(med, { min: Math.min(...totals), max: Math.max(...totals), loadavg: [load0, loadavg()[0]] });
    console.log(`resnet50 load: ${fmt(med.total)} ms (read+match ${fmt(med.readWeights)}, lower+upload ${fmt(med.lower)}, first predict ${fmt(med.firstPredict)}; second predict ${fmt(med.secondPredict)}; import tfjs ${fmt(med.importTf)} apart); whole \`dslc run\` ${fmt(med.cli)} ms`);
    return { ...med, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** In a child process: ViT-B/16 with seeded weights (as `dslc run --random`), phase by phase. */
async function vitChild() {
  const t0 = performance.now();
  const tf = await loadTf();
  const t1 = performance.now();
  const m = await checkExample('vit_b_16');
  const t2 = performance.now();
  const { lowerToTfjs } = await imp('lower/tfjs/index.js');
  const net = (await lowerToTfjs(m, { tf, backend: 'wasm', seed: 0 })).result;
  const t3 = performance.now();
  const x = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.01));
  await net.predict({ x: { data: x, shape: [1, 3, 224, 224] } });
  const t4 = performance.now();
  await net.predict({ x: { data: x, shape: [1, 3, 224, 224] } });
  const t5 = performance.now();
  net.dispose();
  // The seeded initialisation alone (part of `lower`): every parameter of the model, as the lowering draws them.
  const { initParam } = await imp('lower/weights.js');
  const t6 = performance.now();
  for (const n of m.graph.nodes) if (n.sharedWith === undefined) for (const p of n.params) initParam(m.graph, n, p, 'he', 0);
  const init = performance.now() - t6;
  console.log(JSON.stringify({ importTf: t1 - t0, check: t2 - t1, lower: t3 - t2, init, firstPredict: t4 - t3, secondPredict: t5 - t4, total: t4 - t1 }));
}

/** ViT-B/16: `runs` fresh processes by phase, then `runs` whole `dslc run` commands; medians. */
async function benchVit(runs = o['vit-runs']) {
  const all = [];
  for (let i = 0; i < runs; i++) all.push(JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench/tfjs.mjs'), '--vit-child'], { encoding: 'utf8' }).trim().split('\n').pop()));
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [join(ROOT, 'bin/dslc.cjs'), 'run', join(ROOT, 'examples/vit_b_16.nn'), '--random'], { encoding: 'utf8' });
    all[i].cli = performance.now() - t0;
  }
  const med = Object.fromEntries(Object.keys(all[0]).map((k) => [k, median(all.map((a) => a[k]))]));
  console.log(`vit_b_16: check ${fmt(med.check)} ms, lower ${fmt(med.lower)} (seeded init alone ${fmt(med.init)}), first predict ${fmt(med.firstPredict)}, second ${fmt(med.secondPredict)}; whole \`dslc run --random\` ${fmt(med.cli)} ms`);
  return { ...med, runs, loadavg: loadavg()[0] };
}

export function tfjsMarkdown(r, m) {
  const peak = r.peak;
  const share = (ms, b, macs, p) => (100 * (2 * macs * b)) / (ms / 1000) / p;
  const rows = r.models
    .map(
      (x) =>
        `| ${x.model} | ${x.batch} | ${fmt(x.dslc.median, 1)} (p95 ${fmt(x.dslc.p95, 1)}) | ${fmt(x.hand.median, 1)} (p95 ${fmt(x.hand.p95, 1)}) | **${fmt(x.paired, 2)}** | ${fmt(x.ort1.median, 1)} | ${fmt(x.ortAll.median, 1)} | ${fmt(x.dslc.median / x.ort1.median, 2)} / ${fmt(x.dslc.median / x.ortAll.median, 2)} | ${fmt(share(x.dslc.median, x.batch, x.macs, peak.one), 1)}% | ${fmt(share(x.ort1.median, x.batch, x.macs, peak.one), 1)}% / ${fmt(share(x.ortAll.median, x.batch, x.macs, peak.all), 1)}% | ${x.leaked} |`,
    )
    .join('\n');
  const worst = Math.max(...r.models.map((x) => x.paired));
  return `## TensorFlow.js lowering (\`bench/tfjs.mjs\`)

Recorded ${r.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}, TensorFlow.js ${r.tfVersion} (wasm backend, SIMD, ${r.wasmThreads}), onnxruntime-node ${r.ortVersion}. Rerun: \`npm run build && node bench/tfjs.mjs --write\` (or \`node bench/run.mjs\`).

Median ms per prediction (${r.models.find((x) => x.batch === 1)?.runs} runs at batch 1, ${r.models.find((x) => x.batch === 8)?.runs ?? '–'} at batch 8, after ${o.warmup} warm-up; all engines interleaved in one process, the order rotating each round). dslc / tf.layers is the median over rounds of the ratio of the two back-to-back runs. dslc = \`lowerToTfjs\` (NCHW in/out, NHWC inside, BatchNorm folded, fused conv+bias+activation); tf.layers = the same architecture written by hand (NHWC, unfused conv → batchNormalization → activation, as a Keras user writes it). ORT = onnxruntime-node on dslc's ONNX export, graph optimisations on, 1 thread / ${m.cores} threads. Share of peak = 2 × MACs (checker) × batch ÷ time ÷ peak; tfjs-wasm in Node is single-threaded, so its share is of the 1-thread peak.

| model | batch | dslc ms | tf.layers ms | dslc / tf.layers (≤ 1.0) | ORT 1 thr ms | ORT ${m.cores} thr ms | dslc / ORT (1 / ${m.cores} thr) | dslc % of 1-core peak | ORT % of peak (1 / ${m.cores} thr) | tensors leaked (3 predictions) |
|---|---|---|---|---|---|---|---|---|---|---|
${rows}

Target dslc / tf.layers ≤ 1.0: ${worst <= 1 ? '**pass**' : '**MISS**'} (worst ${fmt(worst, 2)}).

Peak FLOP/s (float32), measured: **${fmt(peak.one / 1e9, 1)} GFLOP/s on 1 thread, ${fmt(peak.all / 1e9, 1)} on ${m.cores}** — ${Number.isFinite(peak.fma.one) ? '`bench/peak_flops.c` (gcc -O3 -mavx2 -mfma: 12 independent chains of 256-bit FMAs per thread, best of 3 before and 3 after the models), the rate the FMA units reach at the clock the VM actually runs' : `onnxruntime's MatMul (${peak.fma.note})`}. For scale: onnxruntime's own MatMul (MLAS GEMM, 2048×2048, best of 5) reaches ${fmt(peak.gemm.one / 1e9, 1)} / ${fmt(peak.gemm.all / 1e9, 1)} GFLOP/s; the nominal figure from \`/proc/cpuinfo\` (${fmt(peak.nominal.mhz, 0)} MHz base × ${fmt(peak.nominal.perCore / peak.nominal.mhz / 1e6)} FLOP/cycle, ${peak.nominal.isa}: 2 FMA pipes × 8 lanes × 2 on AMD) is ${fmt(peak.nominal.perCore / 1e9, 1)} GFLOP/s per core, below the measured one because the cores boost above the base clock; Debian's NumPy links the reference BLAS (~6 GFLOP/s here), no measure of a peak. The machine is shared with other jobs: ${m.cores}-thread figures are the noisiest.

ResNet-50 model load, weights in to first prediction out (fresh process, median of ${r.load.runs}): **${fmt(r.load.total)} ms** (target ≤ 2000: ${r.load.total <= 2000 ? '**pass**' : '**MISS**'}; range ${fmt(r.load.min)}–${fmt(r.load.max)} ms, 1-minute load average ${fmt(r.load.loadavg[0], 1)} → ${fmt(r.load.loadavg[1], 1)} on ${m.cores} cores) = read + match the ONNX weights file ${fmt(r.load.readWeights)} ms + lower, build the GraphModel and upload the weights ${fmt(r.load.lower)} ms + first prediction ${fmt(r.load.firstPredict)} ms (a second prediction: ${fmt(r.load.secondPredict)} ms). Importing TensorFlow.js and starting the wasm backend, before that: ${fmt(r.load.importTf)} ms. The whole command \`dslc run examples/resnet50.nn --weights resnet50.onnx --random\` (node start, check, import, load, one prediction, exit): ${fmt(r.load.cli)} ms.${r.vit ? `

ViT-B/16 with seeded weights (86.6M parameters, 17.6 GMACs; fresh process, median of ${r.vit.runs}): check ${fmt(r.vit.check)} ms, lower ${fmt(r.vit.lower)} ms (initialise the weights, build the graph, upload; the seeded initialisation alone takes ${fmt(r.vit.init)} ms), first prediction ${fmt(r.vit.firstPredict)} ms (a second: ${fmt(r.vit.secondPredict)} ms); the whole \`dslc run examples/vit_b_16.nn --random\`: **${fmt(r.vit.cli)} ms**.` : ''}`;
}

export async function runTfjs() {
  const tf = await loadTf();
  const ort = req('onnxruntime-node');
  const started = new Date().toISOString();
  // The peak is measured before and after the models (best of both): a busy neighbour can only lower it.
  const dir = mkdtempSync(join(tmpdir(), 'dslc-bench-peak-'));
  const fma0 = fmaPeak(dir);
  const models = await benchModels(tf, ort);
  const load = await benchLoad();
  const vit = await benchVit();
  const gemm = await measuredPeak(ort);
  const fma1 = fmaPeak(dir);
  rmSync(dir, { recursive: true, force: true });
  const fma = { ...fma1, one: Math.max(fma0.one, fma1.one), all: Math.max(fma0.all, fma1.all) };
  // The FMA loop is the peak; where it cannot be built, the GEMM figure stands in (a lower bound).
  const peak = { one: Number.isFinite(fma.one) ? fma.one : gemm.one, all: Number.isFinite(fma.all) ? fma.all : gemm.all, fma, gemm, nominal: nominalPeak() };
  console.log(`peak: FMA loop ${fmt(fma.one / 1e9, 1)} GFLOP/s (1 thread), ${fmt(fma.all / 1e9, 1)} (${cpus().length} threads); ORT MatMul ${fmt(gemm.one / 1e9, 1)} / ${fmt(gemm.all / 1e9, 1)}`);
  const wasmThreads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'multi-threaded' : 'single-threaded';
  return { date: started, tfVersion: tf.version_core, ortVersion: req('onnxruntime-node/package.json').version, wasmThreads, models, load, vit, peak };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (o.load) await loadChild(o.load);
  else if (o['vit-child']) await vitChild();
  else if (o.vit) await benchVit();
  else {
    const r = await runTfjs();
    const m = machine();
    if (o.json) console.log(JSON.stringify(r, null, 2));
    if (o.write) {
      writeSection('tfjs', tfjsMarkdown(r, m));
      console.log('wrote the tfjs section of bench/RESULTS.md');
    } else console.log(`\n${tfjsMarkdown(r, m)}`);
  }
}
