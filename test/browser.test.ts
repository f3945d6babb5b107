/** The core (everything but src/cli) must run in a browser: no Node built-ins, bundles for the web. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/compile.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('browser-safe core', () => {
  it('imports no Node built-ins outside src/cli', () => {
    const offenders = files(join(ROOT, 'src'))
      .filter((f) => !relative(ROOT, f).startsWith('src/cli/'))
      .filter((f) => /from ['"](node:|fs|path|url|os|child_process)['"/]/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('bundles dist/index.js for the browser platform and checks a model there', async () => {
    const out = await build({ entryPoints: [join(ROOT, 'dist/index.js')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    expect(out.errors).toEqual([]);
    const code = out.outputFiles[0]!.text;
    expect(code).not.toMatch(/require\(["']node:/);
    // Run the browser bundle (ESM, no Node APIs used) on an in-memory module.
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as typeof import('../src/index.js');
    const r = mod.check({ path: 'm.nn', text: 'model M(x: [1, 3, 32, 32]) { return x -> conv2d(8, 3) -> flatten -> dense(10) }', host: mod.memoryHost({}) });
    expect(r.diagnostics).toEqual([]);
    expect(r.models[0]!.totals.params).toBe(8 * 27 + 8 + 8 * 30 * 30 * 10 + 10);
  });
});
