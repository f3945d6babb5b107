/**
 * A foreign LSP client: Debian's Neovim, headless, with its built-in LSP client (test/helpers/nvim-lsp.lua)
 * starts `dslc lsp --stdio` (the build in dist/: `npm test` builds first), opens an example with a typo,
 * and reports what its own diagnostic store received and the semantic tokens it gets (its only colours
 * for `.nn` files); then it edits the line (Neovim sends the incremental change) and reports again.
 * `.ci/run` installs the `neovim` package.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = process.env.DSLC_BIN ? resolve(process.env.DSLC_BIN) : join(ROOT, 'bin/dslc.cjs');
const LUA = join(ROOT, 'test/helpers/nvim-lsp.lua');
const dir = mkdtempSync(join(tmpdir(), 'dslc-nvim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface NvimDiagnostic {
  lnum: number;
  col: number;
  end_lnum: number;
  end_col: number;
  severity: number;
  message: string;
  code?: string | number;
  source?: string;
}
interface NvimResult {
  client: boolean;
  error?: string;
  steps: { name: string; ok: boolean; diagnostics: NvimDiagnostic[] }[];
  legend?: { tokenTypes: string[]; tokenModifiers: string[] };
  tokens?: number[];
}

/** Runs Neovim on `file` in `dir`; resolves with what the Lua script wrote (or fails after 60 s). */
function nvim(file: string, fix?: [number, string], tokens = false): Promise<NvimResult> {
  const out = join(dir, `${file}.json`);
  return new Promise((done, fail) => {
    const env = { ...process.env, NN_CMD: JSON.stringify([process.execPath, BIN, 'lsp', '--stdio']), NN_OUT: out, NN_FIX: fix ? JSON.stringify(fix) : '', NN_TOKENS: tokens ? '1' : '', XDG_STATE_HOME: dir, XDG_CACHE_HOME: dir };
    const child = spawn('nvim', ['--headless', '--clean', '-u', LUA, file], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!existsSync(out)) return fail(new Error(`nvim exited ${code} without a result: ${stderr}`));
      done(JSON.parse(readFileSync(out, 'utf8')) as NvimResult);
    });
  });
}

describe('Neovim (built-in LSP client) and dslc lsp --stdio', () => {
  it('receives the diagnostics of an example with an error, at its place, and their removal after the fix', async () => {
    const lines = readFileSync(join(ROOT, 'examples/lenet5.nn'), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('conv2d(16, 5'));
    const good = lines[at]!;
    lines[at] = good.replace('conv2d(16', 'conv2dd(16');
    writeFileSync(join(dir, 'lenet5.nn'), lines.join('\n'));
    const r = await nvim('lenet5.nn', [at, good], true);
    expect(r.error).toBeUndefined();
    expect(r.client).toBe(true);
    // Neovim colours from semantic tokens alone: the keywords, numbers, strings and comments are among them.
    const kinds = new Map<string, string>();
    for (let i = 0, line = 0, col = 0; i < (r.tokens ?? []).length; i += 5) {
      const [dl, dc, len, type] = r.tokens!.slice(i, i + 4) as [number, number, number, number];
      col = dl ? dc : col + dc;
      line += dl;
      kinds.set(`${line}:${lines[line]!.slice(col, col + len)}`, r.legend!.tokenTypes[type]!);
    }
    const model = lines.findIndex((l) => l.startsWith('model '));
    expect(kinds.get(`${model}:model`)).toBe('keyword');
    expect(kinds.get(`0:${lines[0]}`)).toBe('comment');
    expect(kinds.get(`${at}:16`)).toBe('number');
    expect(kinds.get(`${at}:"conv2"`)).toBe('string');
    const pool = lines.findIndex((l, i) => i >= at && l.includes('avg_pool2d'));
    expect(kinds.get(`${pool}:avg_pool2d`)).toBe('function');
    const [open, fixed] = r.steps;
    expect(open!.ok, JSON.stringify(r)).toBe(true);
    const errors = open!.diagnostics.filter((d) => d.severity === 1);
    // The same errors as `dslc check` (the typo, and the assertions on the totals it changes), at the same places.
    const cli = JSON.parse(spawnSync(process.execPath, [BIN, 'check', '--format', 'json', 'lenet5.nn'], { cwd: dir, encoding: 'utf8' }).stdout) as {
      diagnostics: { code: string; severity: string; span: { line: number; col: number; endLine: number; endCol: number } }[];
    };
    const place = (code: unknown, l: number, c: number, el: number, ec: number) => `${String(code)} ${l}:${c}-${el}:${ec}`;
    expect(errors.map((d) => place(d.code, d.lnum, d.col, d.end_lnum, d.end_col)).sort()).toEqual(
      cli.diagnostics.filter((d) => d.severity === 'error').map((d) => place(d.code, d.span.line - 1, d.span.col - 1, d.span.endLine - 1, d.span.endCol - 1)).sort(),
    );
    expect(errors.map((d) => String(d.code)).sort()).toEqual(['E0201', 'E0500', 'E0500', 'E0500']);
    const e = errors.find((d) => d.code === 'E0201')!;
    expect(e.message).toMatch(/conv2dd/);
    // Neovim's positions are 0-based; the span is the misspelt name.
    expect([e.lnum, e.col, e.end_lnum, e.end_col]).toEqual([at, good.indexOf('conv2d(16'), at, good.indexOf('conv2d(16') + 'conv2dd'.length]);
    expect(fixed!.ok, JSON.stringify(r)).toBe(true);
    expect(fixed!.diagnostics.filter((d) => d.severity === 1)).toEqual([]);
  });

  it('gets diagnostics for the rest of a file with a half-typed line', async () => {
    const lines = readFileSync(join(ROOT, 'examples/lenet5.nn'), 'utf8').split('\n');
    const ret = lines.findIndex((l) => l.trim() === 'return logits');
    lines.splice(ret, 0, '  z = h -> dense(');
    writeFileSync(join(dir, 'half.nn'), lines.join('\n'));
    const r = await nvim('half.nn');
    expect(r.steps[0]!.ok, JSON.stringify(r)).toBe(true);
    const errors = r.steps[0]!.diagnostics.filter((d) => d.severity === 1);
    expect(errors.some((d) => String(d.code) === 'E0101')).toBe(true);
    // Reported on or after the half-typed line, never before it.
    for (const d of errors) expect(d.lnum).toBeGreaterThanOrEqual(ret);
  });
});
