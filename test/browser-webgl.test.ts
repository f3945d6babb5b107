/**
 * The core and the TensorFlow.js lowering in a real browser: src/index.ts and @tensorflow/tfjs bundled by esbuild for
 * the browser platform (no Node built-ins), served by a local http server started here (nothing from a network),
 * loaded in Debian's headless Chromium through playwright-core. LeNet-5 and a small residual conv net run on the
 * `webgl` backend (WebGL 2 on SwiftShader, Chromium's software GPU) and on `cpu`; the two must agree, and agree with
 * the wasm backend in Node (which test/tfjs-examples.test.ts checks against onnxruntime-node). WebGL not starting is
 * a failure, never a skip.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, memoryHost } from '../src/index.js';
import { lowerToTfjs } from '../src/lower/tfjs/index.js';
import { ROOT } from './helpers/compile.js';
import { tf, wasm } from './helpers/tfjs.js';

/**
 * What headless Chromium needs here: no sandbox (containers), no network services. `--disable-gpu` only turns off the
 * hardware GPU; WebGL 2 then runs on SwiftShader through ANGLE's Vulkan back end (Chromium 156 does this with the
 * flags above alone; `--use-angle=swiftshader --enable-unsafe-swiftshader` ask for it explicitly, since newer
 * Chromium releases no longer fall back to SwiftShader for WebGL unless told to).
 */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

const SMALL = `model SmallRes(x: [N, 3, 16, 16]) -> (y: [N, 5]) {
  h = x -> conv2d(8, 3, padding=1, bias=false) -> batchnorm2d -> relu
  r = h -> conv2d(8, 3, padding=1) -> relu -> conv2d(8, 3, padding=1)
  y = add(h, r) -> relu -> max_pool2d(2) -> conv2d(4, 3, stride=2, padding=1) -> global_avg_pool -> flatten -> dense(5) -> softmax
  return y
}
`;
const MODELS = [
  { name: 'lenet5', text: readFileSync(join(ROOT, 'examples/lenet5.nn'), 'utf8'), input: 'x', shape: [2, 1, 32, 32] },
  { name: 'smallres', text: SMALL, input: 'x', shape: [2, 3, 16, 16] },
];

/** The page's code: check, lower with the given backend, predict on a fixed input, report the backend really used. */
const ENTRY = `
import * as tf from '@tensorflow/tfjs';
import { check, memoryHost, lowerToTfjs } from './src/index.ts';
window.dslcRun = async (backend, text, input, shape) => {
  const r = check({ path: 'm.nn', text, host: memoryHost({}) });
  if (!r.models[0]) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  const low = await lowerToTfjs(r.models[0], { tf, backend, seed: 3 });
  if (!low.result) throw new Error(low.diagnostics.map((d) => d.code + ' ' + d.message).join('; '));
  const n = shape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i * 1.3));
  // Weights are uploaded during the first prediction; the second one must leave no tensor behind.
  await low.result.predict({ [input]: { data: x, shape } });
  const before = tf.memory().numTensors;
  const y = await low.result.predict({ [input]: { data: x, shape } });
  const out = Object.values(y)[0];
  const leaked = tf.memory().numTensors - before;
  low.result.dispose();
  return { backend: tf.getBackend(), webgl: tf.env().getNumber('WEBGL_VERSION'), float32: tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'), data: Array.from(out.data), shape: out.shape, leaked };
};
`;

let server: Server;
let browser: Browser;
let url = '';
let bundle = '';

beforeAll(async () => {
  const out = await build({ stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'js' }, bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', minify: true });
  expect(out.errors).toEqual([]);
  bundle = out.outputFiles[0]!.text;
  const files: Record<string, [string, string]> = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>dslc</title><script type="module" src="/app.js"></script>'],
    '/app.js': ['text/javascript', bundle],
  };
  server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    res.writeHead(f ? 200 : 404, { 'content-type': f?.[0] ?? 'text/plain' }).end(f?.[1] ?? 'not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => server?.close(ok));
});

/** max |a − b| / max(1, max |b|) */
function rel(a: readonly number[], b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 1;
  for (let i = 0; i < b.length; i++) (d = Math.max(d, Math.abs(a[i]! - b[i]!))), (s = Math.max(s, Math.abs(b[i]!)));
  return d / s;
}

describe('TensorFlow.js lowering in headless Chromium', () => {
  it('the bundle is browser-only code (no Node built-ins)', () => {
    expect(bundle).not.toMatch(/require\(["']node:|from ?["']node:/);
  });

  it.each(MODELS)('$name: webgl equals cpu (and Node wasm) within 1e-4', async ({ text, input, shape }) => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    // Nothing but the local server: any other request would be a CDN or network dependency.
    await page.route(/.*/, (route) => (route.request().url().startsWith(url) ? route.continue() : (errors.push(`outside request: ${route.request().url()}`), route.abort())));
    await page.goto(url);
    await page.waitForFunction(() => 'dslcRun' in window);
    type R = { backend: string; webgl: number; float32: boolean; data: number[]; shape: number[]; leaked: number };
    const run = (backend: string) => page.evaluate(([b, t, i, s]) => (window as unknown as { dslcRun(...a: unknown[]): Promise<R> }).dslcRun(b, t, i, s), [backend, text, input, shape] as const);
    const gl = await run('webgl');
    const cpu = await run('cpu');
    await page.close();
    expect(errors).toEqual([]);
    expect({ backend: gl.backend, webgl: gl.webgl, float32: gl.float32, leaked: gl.leaked }).toEqual({ backend: 'webgl', webgl: 2, float32: true, leaked: 0 });
    expect(cpu.backend).toBe('cpu');
    expect(gl.shape).toEqual(cpu.shape);
    expect(gl.data.every(Number.isFinite)).toBe(true);
    expect(rel(gl.data, cpu.data)).toBeLessThanOrEqual(1e-4);

    // The same model, weights and input in Node on wasm.
    await wasm();
    const m = check({ path: 'm.nn', text, host: memoryHost({}) }).models[0]!;
    const net = (await lowerToTfjs(m, { tf, seed: 3 })).result!;
    const n = shape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i * 1.3));
    const node = Object.values(await net.predict({ [input]: { data: x, shape } }))[0]!;
    net.dispose();
    expect(rel(cpu.data, node.data)).toBeLessThanOrEqual(1e-4);
    // Not all equal (a broken graph that outputs a constant would pass the comparisons).
    expect(new Set(cpu.data.map((v) => v.toFixed(5))).size).toBeGreaterThan(3);
  }, 30_000);
});
