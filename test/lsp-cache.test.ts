/**
 * The language server's diagnostics cache (src/lsp/diag-cache.ts): reopening an unchanged file publishes
 * the last session's diagnostics before the check runs; any change to the file, to a file it imports or to
 * the cache entry itself makes it check first, as without a cache. Spawned servers, as in lsp-server.test.ts.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM helper shared with bench/lsp.mjs
import { ROOT, startClient, uriOf } from './helpers/lsp-client.mjs';

type Client = Awaited<ReturnType<typeof startClient>>;
interface Published { version?: number; diagnostics: { code: string; message: string; range: unknown }[] }

/** Opens `path` with `text` in a fresh server on `cacheDir`; returns its first publish and the stats then. */
async function session(cacheDir: string, path: string, text: string, opts: { initializationOptions?: object; after?: (c: Client) => Promise<void> } = {}) {
  const c: Client = await startClient({ env: { DSLC_CACHE_DIR: cacheDir }, initializationOptions: opts.initializationOptions ?? {} });
  const uri = uriOf(path);
  const got = c.nextDiagnostics(uri, 30000);
  await c.open(uri, text);
  const first = (await got) as Published;
  const stats = await c.request('dslc/stats');
  await opts.after?.(c);
  await c.stop(); // shutdown flushes the pending cache write
  return { first, stats: stats as { cacheHits: number; checks: number } };
}

const brokenResnet = () => readFileSync(join(ROOT, 'examples/resnet18.nn'), 'utf8').replace(/conv2d\(64, 7/, 'conv2d(64, 7, stide=2');

describe('dslc lsp: diagnostics kept between sessions', () => {
  it('reopening the same text publishes the same diagnostics from the cache, and the check confirms them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dslc-cache-'));
    const path = join(ROOT, 'examples/resnet18.nn');
    const text = brokenResnet();
    const a = await session(dir, path, text);
    expect(a.stats.cacheHits).toBe(0);
    expect(a.first.diagnostics.map((d) => d.code)).toContain('E0202');
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const b = await session(dir, path, text, {
      after: async (c) => {
        // The check still runs after the cached publish: edits are checked as usual.
        const uri = uriOf(path);
        const v = c.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
        const p = (await c.nextDiagnostics(uri, 30000, v)) as Published;
        expect(p.diagnostics.map((d) => d.code)).toEqual(a.first.diagnostics.map((d) => d.code));
        const s = await c.request('dslc/stats');
        expect(s.checks).toBeGreaterThanOrEqual(2);
      },
    });
    expect(b.stats.cacheHits).toBe(1);
    expect(b.first.version).toBe(1);
    expect(b.first.diagnostics).toEqual(a.first.diagnostics);
  });

  it('a different text, an edited import or a damaged entry is a miss (checked first, fresh diagnostics)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dslc-cache-'));
    const work = mkdtempSync(join(tmpdir(), 'dslc-cache-src-'));
    const lib = join(work, 'lib.nn');
    const main = join(work, 'main.nn');
    writeFileSync(lib, 'block head(x: Tensor, n: int) -> Tensor {\n  return x -> flatten() -> dense(n)\n}\n');
    const text = 'from "./lib.nn" import head\n\nmodel M(x: [N, 3, 8, 8]) -> (y: [N, 10]) {\n  return x -> conv2d(4, 3) -> head(10)\n}\n';
    writeFileSync(main, text);
    const a = await session(dir, main, text);
    expect(a.first.diagnostics).toEqual([]);
    // Same text again: a hit.
    expect((await session(dir, main, text)).stats.cacheHits).toBe(1);
    // The imported file changed on disk (its block lost a parameter): a miss, and the call's error shows.
    writeFileSync(lib, 'block head(x: Tensor) -> Tensor {\n  return x -> flatten() -> dense(10)\n}\n');
    const b = await session(dir, main, text);
    expect(b.stats.cacheHits).toBe(0);
    expect(b.first.diagnostics.map((d) => d.code)).toEqual(['E0203']);
    // The file's own text changed: a miss.
    const c = await session(dir, main, `${text}\n`);
    expect(c.stats.cacheHits).toBe(0);
    // A damaged entry is ignored (and replaced).
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), '{"format": 1, "build": ');
    const d = await session(dir, main, text);
    expect(d.stats.cacheHits).toBe(0);
    expect(d.first.diagnostics.map((x) => x.code)).toEqual(['E0203']);
    expect((await session(dir, main, text)).stats.cacheHits).toBe(1);
  });

  it('diagnosticsCache: false neither reads nor writes the cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dslc-cache-'));
    const path = join(ROOT, 'examples/lenet5.nn');
    const text = readFileSync(path, 'utf8');
    await session(dir, path, text);
    expect(readdirSync(dir)).toHaveLength(1);
    const off = await session(dir, path, text, { initializationOptions: { diagnosticsCache: false } });
    expect(off.stats.cacheHits).toBe(0);
    const other = mkdtempSync(join(tmpdir(), 'dslc-cache-'));
    await session(other, path, text, { initializationOptions: { diagnosticsCache: false } });
    expect(readdirSync(other)).toEqual([]);
  });
});
