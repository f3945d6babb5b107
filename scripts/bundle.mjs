// Bundles the CLI into one CommonJS file and a V8 code cache for it. Loading ~100 ES modules one by one,
// and compiling them cold, cost more start-up time than the whole check of a ResNet-50 (bench/RESULTS.md).
// The cache is made after one real run, so it holds the functions a check compiles; bin/dslc.cjs falls
// back to plain loading whenever V8 rejects it (another Node version).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import vm from 'node:vm';

await build({
  entryPoints: ['dist/cli/main.js'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: 'dist/dslc.cjs',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'error',
});

// The language server is a separate bundle: it starts without the lowerings (onnx, weights) it never uses.
await build({
  entryPoints: ['dist/lsp/main.js'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: 'dist/lsp.cjs',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'error',
});

const file = resolve('dist/dslc.cjs');
const source = readFileSync(file, 'utf8');
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, resolve('dist'));
const quiet = { out() {}, err() {}, isTTY: false, env: {} };
for (const example of ['examples/resnet50.nn', 'examples/googlenet.nn', 'examples/lstm_text.nn']) mod.exports.main(['check', example], quiet);
writeFileSync('dist/dslc.cache.tmp', script.createCachedData());
renameSync('dist/dslc.cache.tmp', 'dist/dslc.cache');

// The same for the language server, warmed on a check, hovers and completions (no connection opened).
const lspFile = resolve('dist/lsp.cjs');
const lspScript = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(lspFile, 'utf8')}\n})`, { filename: lspFile });
const lspMod = { exports: {} };
lspScript.runInThisContext()(lspMod.exports, createRequire(lspFile), lspMod, lspFile, resolve('dist'));
await lspMod.exports.warmUp(['examples/resnet18.nn', 'examples/googlenet.nn'].map((p) => ({ path: resolve(p), text: readFileSync(p, 'utf8') })));
writeFileSync('dist/lsp.cache.tmp', lspScript.createCachedData());
renameSync('dist/lsp.cache.tmp', 'dist/lsp.cache');
