/**
 * Robustness of the spawned server: random edit sequences, malformed JSON-RPC, unknown methods, closed
 * documents, a 5 MB file, and memory across 10,000 edits. Bounded runtime (a few seconds each).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import { nodeHost } from '../src/cli/host.js';
import type { Diagnostic } from '../src/diagnostics/types.js';
import { LanguageService } from '../src/service/index.js';
// @ts-expect-error: plain ESM helper shared with bench/lsp.mjs
import { ROOT, posAt, startClient, uriOf } from './helpers/lsp-client.mjs';

type Client = Awaited<ReturnType<typeof startClient>>;
const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nn')).sort();
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
/** Random edit sessions (FUZZ_RUNS=N for more; FUZZ_SEED for others). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const SNIPPETS = ['(', ')', '->', ' conv2d(', 'relu()', '\n', '{', '}', '#', '"', ',', '=', 'x', '1', ' model M(', 'block b(x: Tensor) {', '[N, 3', '\u00e9', '\ud83d\ude00', ''];

describe('dslc lsp robustness', () => {
  let c: Client;
  beforeAll(async () => {
    c = await startClient();
  });
  afterAll(async () => {
    const r = await c?.stop();
    expect(r?.code).toBe(0);
  });

  it('random edit sequences never crash it, and its diagnostics match a fresh check of the final text', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...examples),
        fc.array(fc.record({ a: fc.nat(), len: fc.nat({ max: 12 }), text: fc.constantFrom(...SNIPPETS) }), { minLength: 1, maxLength: 12 }),
        async (f, edits) => {
          const path = join(ROOT, 'examples', f);
          const uri = uriOf(path);
          let text = read(`examples/${f}`);
          const opened = c.nextDiagnostics(uri);
          await c.open(uri, text);
          await opened;
          let v = 1;
          for (const e of edits) {
            const start = e.a % (text.length + 1);
            let end = Math.min(text.length, start + e.len);
            // Never split a surrogate pair: editors send whole characters.
            const low = (i: number) => i > 0 && i < text.length && /[\udc00-\udfff]/.test(text[i]!);
            if (low(start) || low(end)) continue;
            v = c.change(uri, [{ range: { start: posAt(text, start), end: posAt(text, end) }, text: e.text }]);
            text = text.slice(0, start) + e.text + text.slice(end);
            void end;
            end = 0;
          }
          const p = await c.nextDiagnostics(uri, 15000, v);
          // Oracle: a fresh service on the final text (the server's state after many edits must equal it).
          // Without syntax errors that is exactly the CLI's check; with them, recovery is per declaration.
          const svc = new LanguageService({ host: nodeHost() });
          svc.set(path, text);
          const fresh = svc.diagnostics(path).get(path)!;
          const got = p.diagnostics.map((d: { code: string; range: { start: unknown } }) => [d.code, d.range.start]);
          const at = (ds: readonly Diagnostic[]) => ds.filter((d) => !d.span || d.span.file === path).map((d) => [d.code, d.span ? { line: d.span.line - 1, character: d.span.col - 1 } : { line: 0, character: 0 }]);
          expect(got).toEqual(at(fresh));
          const cli = check({ path, text, host: nodeHost() }).diagnostics;
          if (!cli.some((d) => d.code.startsWith('E01'))) expect(got).toEqual(at(cli));
          const h = await c.request('textDocument/hover', { textDocument: { uri }, position: posAt(text, (edits[0]!.a * 7) % (text.length + 1)) });
          expect(h === null || typeof h.contents.value === 'string').toBe(true);
          await c.request('textDocument/completion', { textDocument: { uri }, position: posAt(text, (edits[0]!.a * 13) % (text.length + 1)) });
          // The other requests on the broken text: answers, not crashes; ranges that hold their position.
          const pos = posAt(text, (edits[0]!.a * 11) % (text.length + 1));
          const [sel] = await c.request('textDocument/selectionRange', { textDocument: { uri }, positions: [pos] });
          expect(sel.range.start.line <= pos.line && sel.range.end.line >= pos.line).toBe(true);
          const whole = { start: { line: 0, character: 0 }, end: posAt(text, text.length) };
          expect(Array.isArray(await c.request('textDocument/rangeFormatting', { textDocument: { uri }, range: { start: pos, end: pos }, options: { tabSize: 2, insertSpaces: true } }))).toBe(true);
          expect(Array.isArray(await c.request('textDocument/codeAction', { textDocument: { uri }, range: whole, context: { diagnostics: [], only: ['source.organizeImports', 'quickfix'] } }))).toBe(true);
          expect(Array.isArray(await c.request('workspace/symbol', { query: 'a' }))).toBe(true);
          await c.request('dslc/summary', { textDocument: { uri } }).catch((e: { code: number }) => expect(e.code).toBe(-32803));
          await c.close(uri);
          n++;
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261123) },
    );
    expect(n).toBe(RUNS);
    expect(c.child.exitCode).toBe(null);
  });

  it('answers malformed JSON-RPC, unknown methods and bad params with errors, and keeps going', async () => {
    const body = '{"jsonrpc":"2.0","id":1000,"method":';
    c.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await expect(c.request('dslc/unknownMethod', {})).rejects.toMatchObject({ code: -32601 });
    await expect(c.request('textDocument/hover', {})).rejects.toMatchObject({ code: expect.any(Number) });
    await c.conn.sendNotification('dslc/unknownNotification', { x: 1 });
    const stats = await c.request('dslc/stats');
    expect(stats.checks).toBeGreaterThan(0);
  });

  it('requests for documents that are not open get InvalidParams', async () => {
    const uri = uriOf(join(ROOT, 'examples/vgg16.nn'));
    for (const [m, extra] of [
      ['textDocument/hover', { position: { line: 0, character: 0 } }],
      ['textDocument/completion', { position: { line: 0, character: 0 } }],
      ['textDocument/definition', { position: { line: 0, character: 0 } }],
      ['textDocument/formatting', { options: { tabSize: 2, insertSpaces: true } }],
      ['textDocument/rangeFormatting', { range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, options: { tabSize: 2, insertSpaces: true } }],
      ['textDocument/documentSymbol', {}],
    ] as const)
      await expect(c.request(m, { textDocument: { uri }, ...extra })).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('not open') });
  });

  it('requests without a document or a valid position get InvalidParams; a refused rename gets RequestFailed', async () => {
    const uri = uriOf(join(ROOT, 'examples/lenet5.nn'));
    const text = read('examples/lenet5.nn');
    await c.openAndCheck(uri, text);
    for (const [m, params] of [
      ['textDocument/hover', { position: { line: 0, character: 0 } }],
      ['textDocument/hover', { textDocument: { uri } }],
      ['textDocument/definition', { textDocument: { uri }, position: { line: 'x' } }],
      ['textDocument/completion', { textDocument: { uri } }],
      ['textDocument/signatureHelp', { textDocument: {} , position: { line: 0, character: 0 } }],
      ['textDocument/references', { textDocument: { uri } }],
      ['textDocument/rename', { textDocument: { uri }, position: { line: 0, character: 0 } }],
      ['textDocument/codeAction', { textDocument: { uri }, context: { diagnostics: [] } }],
      ['textDocument/inlayHint', { textDocument: { uri } }],
      // A fractional line made the completion's backward scans loop for ever (the server never answered again).
      ['textDocument/completion', { textDocument: { uri }, position: { line: 1.5, character: 2 } }],
      ['textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2.5 } }],
    ] as const)
      await expect(c.request(m, params), `${m} ${JSON.stringify(params)}`).rejects.toMatchObject({ code: -32602 });
    const onOp = text.indexOf('conv2d');
    const line = text.slice(0, onOp).split('\n').length - 1;
    const character = onOp - text.lastIndexOf('\n', onOp) - 1;
    await expect(c.request('textDocument/prepareRename', { textDocument: { uri }, position: { line, character } })).rejects.toMatchObject({ code: -32803, message: expect.stringMatching(/layer catalogue/) });
    await expect(c.request('textDocument/rename', { textDocument: { uri }, position: { line, character }, newName: 'x' })).rejects.toMatchObject({ code: -32803 });
    await c.close(uri);
  });

  it('closing an import edited without saving re-publishes its importer; an error inside a stdlib block is published at the call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dslc-close-'));
    try {
      const libText = 'block tower(x: Tensor) -> Tensor {\n  return x -> relu\n}\n';
      writeFileSync(join(dir, 'lib.nn'), libText);
      const mainText = 'from "./lib.nn" import tower\nfrom std.resnet import basic_block\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> tower\n}\nmodel B(x: [N, 64, 32]) {\n  return x -> basic_block(64)\n}\n';
      writeFileSync(join(dir, 'main.nn'), mainText);
      const [main, lib] = [uriOf(join(dir, 'main.nn')), uriOf(join(dir, 'lib.nn'))];
      const codes = (p: { diagnostics: { code: string }[] }) => p.diagnostics.map((d) => d.code).sort();
      let got = c.nextDiagnostics(main);
      await c.open(main, mainText);
      const first = await got;
      expect(codes(first)).toEqual(['E0400']);
      expect(first.diagnostics[0].range.start.line).toBe(6);
      expect(first.diagnostics[0].relatedInformation[0].location.uri).toMatch(/stdlib\/resnet\.nn$/);
      got = c.nextDiagnostics(main);
      await c.open(lib, libText.replace('tower', 'towr'));
      expect(codes(await got)).toEqual(['E0209', 'E0400']);
      got = c.nextDiagnostics(main);
      await c.close(lib);
      expect(codes(await got)).toEqual(['E0400']);
      await c.close(main);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a 5 MB file gets a size diagnostic quickly, and the server keeps answering', async () => {
    const uri = 'untitled:big.nn';
    const big = `# ${'x'.repeat(100)}\n`.repeat(50_000);
    expect(big.length).toBeGreaterThan(5_000_000);
    const t0 = performance.now();
    const got = c.nextDiagnostics(uri, 10000);
    await c.open(uri, big);
    const p = await got;
    expect(p.diagnostics.map((d: { code: string }) => d.code)).toEqual(['E0104']);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 10, character: 3 } })).toBe(null);
    await c.close(uri);
  });

  it('memory stays flat across 10,000 edits', async () => {
    const uri = uriOf(join(ROOT, 'examples/lenet5.nn'));
    let text = read('examples/lenet5.nn');
    await c.openAndCheck(uri, text);
    const at = text.indexOf('dense(120') + 'dense('.length;
    let v = 1;
    let base = 0;
    for (let i = 0; i < 10_000; i++) {
      // Replace the width 120 by another three-digit number: each text is new (no cache can answer it).
      const next = String(100 + (i % 900));
      v = c.change(uri, [{ range: { start: posAt(text, at), end: posAt(text, at + 3) }, text: next }]);
      text = text.slice(0, at) + next + text.slice(at + 3);
      if (i % 100 === 99) await c.nextDiagnostics(uri, 10000, v);
      if (i === 999) base = (await c.request('dslc/stats')).heapUsed;
    }
    const end = await c.request('dslc/stats');
    expect(end.gc).toBe(true);
    expect(end.checks).toBeGreaterThan(100);
    // Measured: growth well under 1 MB; 16 MB leaves room for GC timing, not for a per-edit leak.
    expect(end.heapUsed - base).toBeLessThan(16 * 1024 * 1024);
    await c.close(uri);
  });
});
