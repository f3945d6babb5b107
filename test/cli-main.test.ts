/**
 * The CLI in-process (no spawn, so cheap): argument parsing and usage errors, and colour decisions that
 * need a terminal (`main` takes isTTY and the environment as arguments). test/cli.test.ts runs the real
 * binary end to end.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseArgs, parseCount, UsageError } from '../src/cli/args.js';
import { main } from '../src/cli/main.js';
import { VERSION } from '../src/cli/version.js';

let dir = '';
const at = (rel: string) => join(dir, rel);

function run(argv: string[], opts: { isTTY?: boolean; env?: Record<string, string | undefined> } = {}) {
  let out = '';
  let err = '';
  const code = main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: opts.isTTY ?? false, env: opts.env ?? {} });
  return { code, out, err };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dslc-main-'));
  writeFileSync(at('good.nn'), 'model Tiny(x: [N, 4]) -> (y: [N, 2]) {\n  y = x -> dense(2)\n  return y\n}\n');
  writeFileSync(at('bad.nn'), 'model Bad(x: [N, 4]) -> (y: [N, 2]) {\n  y = x -> dense(2, foo=1)\n  return y\n}\n');
  mkdirSync(at('empty'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('usage errors: exit 2, one line on stderr, nothing on stdout', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['no file for check', () => ['check'], /check needs a file/],
    ['no file for summary', () => ['summary'], /summary needs a file/],
    ['an unknown command (with help)', () => ['frobnicate'], /unknown command 'frobnicate'[\s\S]*Usage:/],
    ['an unknown short flag', () => ['check', '-x', at('good.nn')], /unknown option '-x'/],
    ['--format without a value', () => ['check', at('good.nn'), '--format'], /--format needs a value/],
    ['--format followed by a flag', () => ['check', at('good.nn'), '--format', '--model', 'X'], /--format needs a value/],
    ['a summary format for check', () => ['check', at('good.nn'), '--format=table'], /--format must be one of human, json, sarif, github for check, got 'table'/],
    ['a check format for summary', () => ['summary', at('good.nn'), '-f', 'sarif'], /--format must be one of table, json, markdown for summary/],
    ['--depth on check', () => ['check', at('good.nn'), '--depth', '1'], /--depth belongs to summary/],
    ['a negative --depth', () => ['summary', at('good.nn'), '--depth', '-1'], /--depth (expects a non-negative integer|needs a value)/],
    ['a fractional --depth', () => ['summary', at('good.nn'), '--depth', '1.5'], /--depth expects a non-negative integer/],
    ['--max-params on summary', () => ['summary', at('good.nn'), '--max-params', '1M'], /belong to check/],
    ['a malformed --max-params', () => ['check', at('good.nn'), '--max-params', 'lots'], /--max-params expects a number like 12M/],
    ['a malformed --max-macs', () => ['check', at('good.nn'), '--max-macs', '2X'], /--max-macs expects a number/],
    ['a negative --tolerance', () => ['check', at('good.nn'), '--tolerance', '-1'], /--tolerance (expects a fraction|needs a value)/],
    ['a non-numeric --tolerance', () => ['check', at('good.nn'), '--tolerance', 'some'], /--tolerance expects a fraction/],
    ['an ambiguous --tolerance (2% or 200%?)', () => ['check', at('good.nn'), '--tolerance', '2'], /--tolerance expects a fraction like 0\.02 or a percentage like 2%, got '2'/],
    ['a zero --input-shape', () => ['check', at('good.nn'), '--input-shape', 'N=0'], /--input-shape expects SYMBOL=SIZE pairs/],
    ['a malformed --input-shape', () => ['check', at('good.nn'), '--input-shape', 'N:1'], /--input-shape expects SYMBOL=SIZE pairs/],
    ['a symbol given two sizes', () => ['check', at('good.nn'), '--input-shape', 'H=64,H=32'], /--input-shape gives H twice \(64 and 32\)/],
    ['a missing file', () => ['check', at('missing.nn')], /cannot read .*missing\.nn: no such file or directory/],
    ['a path through a file', () => ['check', at('good.nn/inner.nn')], /cannot read .*good\.nn\/inner\.nn: a part of the path is not a directory/],
    ['a directory without .nn files', () => ['check', at('empty')], /no \.nn files found/],
    ['summary of a directory', () => ['summary', at('empty')], /is a directory/],
    ['summary of two files', () => ['summary', at('good.nn'), at('bad.nn')], /summary takes exactly one file/],
    ['a missing baseline', () => ['check', at('good.nn'), '--baseline', at('nope.json')], /cannot read .*nope\.json: no such file or directory/],
  ];
  test.each(cases)('%s', (_what, argv, message) => {
    const r = run(argv());
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^dslc: /);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/internal error/);
  });
});

describe('argument parsing', () => {
  test('counts accept suffixes and separators', () => {
    expect(parseCount('--max-params', '12M')).toBe(12_000_000);
    expect(parseCount('--max-params', '1.5G')).toBe(1_500_000_000);
    expect(parseCount('--max-params', '11_689_512')).toBe(11_689_512);
    expect(parseCount('--max-params', '11,689,512')).toBe(11_689_512);
    expect(parseCount('--max-macs', '2K')).toBe(2000);
    expect(() => parseCount('--max-params', '-5')).toThrow(UsageError);
  });

  test('--flag=value, -f, repeated --input-shape, tolerance as fraction or percent', () => {
    const p = parseArgs(['check', 'a.nn', 'b.nn', '--format=json', '--input-shape', 'N=1,H=64', '--input-shape=W=32', '--tolerance', '5%', '--model', 'M']);
    expect(p).toMatchObject({ command: 'check', positional: ['a.nn', 'b.nn'], format: 'json', tolerance: 0.05, model: 'M' });
    expect([...p.inputShapes!]).toEqual([['N', 1], ['H', 64], ['W', 32]]);
    expect(parseArgs(['summary', 'a.nn', '-f', 'markdown', '--depth', '2'])).toMatchObject({ format: 'markdown', depth: 2 });
    expect(parseArgs(['check', 'a.nn', '--tolerance', '0.02']).tolerance).toBe(0.02);
    expect(parseArgs(['check', 'a.nn', '--tolerance', '150%']).tolerance).toBe(1.5);
    expect(parseArgs(['check', 'a.nn', '--tolerance', '0']).tolerance).toBe(0);
  });

  test('help and version', () => {
    expect(parseArgs(['--help']).command).toBe('help');
    expect(parseArgs(['summary', '-h']).command).toBe('help');
    expect(parseArgs(['-V']).command).toBe('version');
    expect(run(['--version'])).toEqual({ code: 0, out: `dslc ${VERSION}\n`, err: '' });
    const h = run(['--help']);
    expect(h).toMatchObject({ code: 0, err: '' });
    expect(h.out).toMatch(/Exit codes: 0 clean, 1 errors found, 2 usage or I\/O error/);
  });

  test('bare dslc is a usage error: exit 2, the help on stderr, nothing on stdout', () => {
    expect(() => parseArgs([])).toThrow(UsageError);
    const bare = run([]);
    expect(bare).toMatchObject({ code: 2, out: '' });
    expect(bare.err).toMatch(/^dslc: no command given\n[\s\S]*Usage:[\s\S]*Exit codes: 0 clean, 1 errors found, 2 usage or I\/O error/);
  });
});

describe('check and summary details', () => {
  test('a baseline with no summary of the checked model is E0502, not a silent pass', () => {
    writeFileSync(at('other.json'), JSON.stringify({ schemaVersion: 1, model: 'Else', totals: { params: 1, macs: 1 } }));
    writeFileSync(at('empty.json'), '[]');
    for (const b of ['other.json', 'empty.json']) {
      const r = run(['check', at('good.nn'), '--baseline', at(b), '--format', 'json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out).diagnostics).toEqual([expect.objectContaining({ code: 'E0502', message: expect.stringMatching(/has no summary of Tiny/) })]);
    }
  });

  test('the table labels peak memory "batch 1" only when the batch is symbolic', () => {
    const sym = run(['summary', at('good.nn')]);
    expect(sym.out).toMatch(/^Peak activations \(batch 1\)\s+24 B$/m);
    expect(sym.out).toMatch(/^ {2}per extra sample\s+\+24 B$/m);
    const eight = run(['summary', at('good.nn'), '--input-shape', 'N=8']);
    expect(eight.out).toMatch(/^Peak activations\s+192 B$/m);
    expect(eight.out).not.toContain('per extra sample');
  });

  test('counts beyond 2^53 − 1 (E0406) are shown as approximations, never with made-up digits', () => {
    // Exactly 4096 · 99999998² · 27 = 1,105,919,955,763,200,442,368 MACs; a double prints …200,400,000.
    writeFileSync(at('huge.nn'), 'model M(x: [1, 3, 100000000, 100000000]) {\n  return x -> conv2d(4096, 3)\n}\n');
    const table = run(['summary', at('huge.nn')]);
    expect(table.code).toBe(1);
    expect(table.err).toContain('E0406');
    expect(table.out).toMatch(/^conv2d_1 .* 114,688 {2}≈1\.106e\+21 {2}3\/1$/m);
    expect(table.out).toMatch(/^MACs\s+≈1\.106e\+21$/m);
    expect(table.out).toMatch(/^FLOPs\s+≈2\.212e\+21$/m);
    expect(table.out).toMatch(/^Peak activations\s+≈1\.640e\+20 B$/m);
    const md = run(['summary', at('huge.nn'), '--format', 'markdown']);
    expect(md.out).toContain('| MACs | ≈1.106e+21 |');
    for (const out of [table.out, md.out]) expect(out).not.toMatch(/\d{1,3}(,\d{3}){6}/); // no 19+-digit count
    const json = JSON.parse(run(['summary', at('huge.nn'), '--format', 'json']).out);
    expect(json.layers[0]).toMatchObject({ params: 114688, inexact: ['macs', 'flops', 'outputBytes'] });
    expect(json.totals.inexact).toEqual(['macs', 'flops', 'peakActivationBytes']);
    expect(json.totals.macs).toBeCloseTo(1.1059199557632e21, -8);
    // Exact counts carry no mark.
    expect(JSON.parse(run(['summary', at('good.nn'), '--format', 'json']).out).totals).not.toHaveProperty('inexact');
    const budget = run(['check', at('huge.nn'), '--max-macs', '1G']);
    expect(budget.out + budget.err).toMatch(/M needs ≈1\.106e\+21 MACs, over the budget of 1,000,000,000/);
  });

  test('JSON diagnostics give note spans relative paths too', () => {
    writeFileSync(at('dup.nn'), 'block b(x: Tensor) -> Tensor {\n  return x\n}\nblock b(x: Tensor) -> Tensor {\n  return x\n}\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = run(['check', 'dup.nn', '--format', 'json']);
      const d = JSON.parse(r.out).diagnostics[0];
      expect(d).toMatchObject({ code: 'E0205', span: { file: 'dup.nn' }, notes: [{ span: { file: 'dup.nn' } }] });
    } finally {
      process.chdir(cwd);
    }
  });

  test('SARIF URIs: relative under the working directory, file:// URLs elsewhere, percent-encoded', () => {
    mkdirSync(at('with space'), { recursive: true });
    writeFileSync(at('with space/bad #1.nn'), 'model Bad(x: [N, 4]) -> (y: [N, 2]) {\n  y = x -> dense(2, foo=1)\n  return y\n}\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const rel = JSON.parse(run(['check', 'with space/bad #1.nn', '--format', 'sarif']).out);
      expect(rel.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('with%20space/bad%20%231.nn');
      process.chdir(at('empty'));
      const abs = JSON.parse(run(['check', at('with space/bad #1.nn'), '--format', 'sarif']).out);
      expect(abs.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/^file:\/\/\/.*\/with%20space\/bad%20%231\.nn$/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('model selection', () => {
  test('summary of a file with several models shows the first declared one, with only its diagnostics, and says so', () => {
    // A is broken (declared [N, 2], computes [N, 3]); B is fine.
    writeFileSync(at('ab.nn'), 'model A(x: [N, 4]) -> (y: [N, 2]) {\n  return x -> dense(3)\n}\nmodel B(x: [N, 4]) -> (y: [N, 2]) {\n  return x -> dense(2)\n}\n');
    const first = run(['summary', at('ab.nn')]);
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/^Model: A\n/);
    expect(first.err).toMatch(/note: .*ab\.nn defines 2 models \(A, B\); showing A \(choose one with --model\)/);
    expect(first.err).toContain('error[E0405]');
    const b = run(['summary', at('ab.nn'), '--model', 'B']);
    expect(b).toMatchObject({ code: 0, err: '' });
    expect(b.out).toMatch(/^Model: B\n/);
    const single = run(['summary', at('good.nn')]);
    expect(single.err).toBe('');
  });

  test('check --model over several files: files without the model are skipped; none having it is E0210', () => {
    const some = run(['check', at('good.nn'), at('bad.nn'), '--model', 'Tiny', '--format', 'json']);
    expect(some).toMatchObject({ code: 0, out: '{\n  "diagnostics": []\n}\n' });
    const none = run(['check', at('good.nn'), at('bad.nn'), '--model', 'Nope', '--format', 'json']);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.out).diagnostics).toEqual([expect.objectContaining({ code: 'E0210', message: "no model 'Nope' in any of the 2 files checked" })]);
    const one = run(['check', at('good.nn'), '--model', 'Nope', '--format', 'json']);
    expect(JSON.parse(one.out).diagnostics).toEqual([expect.objectContaining({ code: 'E0210' })]);
  });
});

describe('colour', () => {
  test('on a TTY diagnostics are coloured', () => {
    const r = run(['check', at('bad.nn')], { isTTY: true, env: { TERM: 'xterm-256color' } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('\x1b[1;31merror[E0202]\x1b[0m');
  });

  test.each([
    ['NO_COLOR', { NO_COLOR: '1', TERM: 'xterm' }],
    ['TERM=dumb', { TERM: 'dumb' }],
  ])('%s turns colour off on a TTY', (_what, env) => {
    const r = run(['check', at('bad.nn')], { isTTY: true, env });
    expect(r.code).toBe(1);
    expect(r.err).toContain('error[E0202]');
    expect(r.err).not.toMatch(/\x1b\[/);
  });

  test('not a TTY: no colour', () => {
    const r = run(['check', at('bad.nn')], { isTTY: false, env: { TERM: 'xterm' } });
    expect(r.err).toContain('error[E0202]');
    expect(r.err).not.toMatch(/\x1b\[/);
  });
});
