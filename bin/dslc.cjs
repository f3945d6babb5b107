#!/usr/bin/env node
// Loads the bundled CLI with its V8 code cache (fast start-up), or the unbundled build when the bundle is
// missing or older than it (after a bare `tsc`). CommonJS, because Node starts a CommonJS entry sooner than an
// ES module one (`dslc --version` ~8 ms sooner here, bench/NOTES.md).
'use strict';
const { readFileSync, statSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const dist = join(__dirname, '..', 'dist');
const bundle = join(dist, 'dslc.cjs');
const unbundled = join(dist, 'cli', 'main.js');
const mtime = (p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? -1;

/**
 * Neither the bundle nor the unbundled build of a command is here: one line that says why (not built yet,
 * or a copy that carries only the language server, as the VS Code extension's does), not a loader's trace.
 */
function requireBuilt(bundleFile, unbundledFile) {
  if (mtime(bundleFile) >= 0 || mtime(unbundledFile) >= 0) return;
  const lspOnly = bundleFile !== join(dist, 'lsp.cjs') && mtime(join(dist, 'lsp.cjs')) >= 0;
  process.stderr.write(lspOnly ? `dslc: this copy of dslc carries only the language server (\`dslc lsp\`): ${bundleFile} is missing\n` : `dslc: dslc is not built (${bundleFile} is missing): run \`npm run build\`\n`);
  process.exit(2);
}

/** Runs a CommonJS bundle with its V8 code cache when the cache is at least as new. */
function loadBundle(file, cache) {
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, {
    filename: file,
    ...(mtime(cache) >= mtime(file) ? { cachedData: readFileSync(cache) } : {}),
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dist);
  return mod.exports;
}

/** Starts the language server; it runs until `exit`. */
function startLsp({ runLsp }) {
  const code = runLsp(process.argv.slice(3), (s) => process.stderr.write(s));
  if (code !== undefined) process.exit(code);
}

/** Runs a CLI command. */
function runCli({ main }) {
  // `dslc ops | head -1`: a closed pipe ends the output quietly.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  const code = main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    // `dslc run` loads dist/cli/run.js (and TensorFlow.js) at run time; code in a vm.Script cannot import() itself.
    import: (spec) => import(spec),
  });
  // `dslc run` answers with a promise (it loads TensorFlow.js); everything else synchronously.
  if (typeof code === 'number') process.exitCode = code;
  else code.then((c) => (process.exitCode = c));
}

// `dslc lsp --stdio`: the language server has its own bundle (no lowerings to load).
if (process.argv[2] === 'lsp') {
  const lspBundle = join(dist, 'lsp.cjs');
  const lspUnbundled = join(dist, 'lsp', 'main.js');
  requireBuilt(lspBundle, lspUnbundled);
  if (mtime(lspBundle) >= mtime(lspUnbundled)) startLsp(loadBundle(lspBundle, join(dist, 'lsp.cache')));
  else import('../dist/lsp/main.js').then(startLsp);
} else {
  requireBuilt(bundle, unbundled);
  if (mtime(bundle) >= mtime(unbundled)) runCli(loadBundle(bundle, join(dist, 'dslc.cache')));
  else import('../dist/cli/main.js').then(runCli);
}
