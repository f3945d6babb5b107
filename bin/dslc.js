#!/usr/bin/env node
// Loads the bundled CLI with its V8 code cache (fast start-up); falls back to the unbundled build.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
let main;
const bundle = join(dist, 'dslc.cjs');
if (existsSync(bundle)) {
  const cache = join(dist, 'dslc.cache');
  const source = readFileSync(bundle, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    ...(existsSync(cache) ? { cachedData: readFileSync(cache) } : {}),
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, dist);
  main = mod.exports.main;
} else {
  ({ main } = await import('../dist/cli/main.js'));
}

process.exitCode = main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
  env: process.env,
});
