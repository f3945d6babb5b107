/**
 * `dslc fmt [--check]` end to end: each case spawns `node bin/dslc.cjs` (the build in dist/ must exist:
 * `npm test` builds first) in a temporary directory. Exit codes: 0 formatted (or nothing to do), 1
 * unformatted files under --check or syntax errors, 2 usage or I/O errors. Files are written atomically,
 * only when they change; a file with syntax errors is never touched.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, STACK, runDslc } from './helpers/cli.js';

const base = mkdtempSync(join(tmpdir(), 'dslc-fmt-'));
let dir = '';
let n = 0;

const dslc = (args: string[]) => runDslc(args, dir);

const at = (rel: string) => join(dir, rel);
const write = (rel: string, text: string) => {
  mkdirSync(dirname(at(rel)), { recursive: true });
  writeFileSync(at(rel), text);
  return at(rel);
};
const read = (rel: string) => readFileSync(at(rel), 'utf8');
/** Temporary files a failed or finished write could leave behind. */
const leftovers = (d: string): string[] => readdirSync(d, { recursive: true }).map(String).filter((f) => f.includes('.tmp'));

const UGLY = 'model M( x:[N,3,8,8] ){\ny=x->relu;return y}\n';
const PRETTY = 'model M(x: [N, 3, 8, 8]) {\n  y = x -> relu\n  return y\n}\n';
const BROKEN = 'model M(x: [N]) {\n  y = x ->\n  return y\n}\n';

beforeEach(() => {
  dir = join(base, String(n++));
  mkdirSync(dir);
});
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('dslc fmt', () => {
  it('rewrites unformatted files in place and leaves formatted ones untouched', async () => {
    write('a.nn', UGLY);
    write('b.nn', PRETTY);
    const before = statSync(at('b.nn'));
    const r = await dslc(['fmt', 'a.nn', 'b.nn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('formatted a.nn\n');
    expect(read('a.nn')).toBe(PRETTY);
    // Not rewritten at all: same inode, same modification time.
    const after = statSync(at('b.nn'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(leftovers(dir)).toEqual([]);
  });

  it('--check lists unformatted files, exits 1 and writes nothing; 0 when all are formatted', async () => {
    write('a.nn', UGLY);
    write('sub/b.nn', PRETTY);
    write('sub/deeper/c.nn', UGLY);
    write('sub/notes.txt', 'not a model');
    write('.hidden/d.nn', UGLY);
    const r = await dslc(['fmt', '--check', '.']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('a.nn\nsub/deeper/c.nn\n');
    expect(r.stderr).toMatch(/2 files not formatted/);
    expect(read('a.nn')).toBe(UGLY);
    expect(read('sub/deeper/c.nn')).toBe(UGLY);
    const ok = await dslc(['fmt', '--check', 'sub/b.nn']);
    expect([ok.code, ok.stdout, ok.stderr]).toEqual([0, '', '']);
  });

  it('formats a directory tree; the result passes --check and formatting again changes nothing', async () => {
    for (const f of readdirSync(join(ROOT, 'examples'))) write(`ex/${f}`, readFileSync(join(ROOT, 'examples', f), 'utf8'));
    const r = await dslc(['fmt', 'ex']);
    expect(r.code).toBe(0);
    const first = readdirSync(at('ex')).map((f) => read(`ex/${f}`));
    const again = await dslc(['fmt', '--check', 'ex']);
    expect([again.code, again.stdout]).toEqual([0, '']);
    expect(readdirSync(at('ex')).map((f) => read(`ex/${f}`))).toEqual(first);
    // The formatted examples still check clean.
    const check = await dslc(['check', 'ex']);
    expect(check.code, check.stderr).toBe(0);
  });

  it('a file with syntax errors: diagnostics, exit 1, the file untouched, the others formatted', async () => {
    write('bad.nn', BROKEN);
    write('good.nn', UGLY);
    const r = await dslc(['fmt', 'bad.nn', 'good.nn']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E0101\]/);
    // On the unfinished line, where the step is missing (not at the `return` below it).
    expect(r.stderr).toMatch(/--> bad\.nn:2:9/);
    expect(r.stderr).toContain("expected an expression after '->' (found 'return' on the next line)");
    expect(r.stderr).toMatch(/1 file not formatted: syntax errors/);
    expect(read('bad.nn')).toBe(BROKEN);
    expect(read('good.nn')).toBe(PRETTY);
    const c = await dslc(['fmt', '--check', 'bad.nn']);
    expect(c.code).toBe(1);
    expect(read('bad.nn')).toBe(BROKEN);
  });

  it('writes through a symbolic link, keeping the link and the permissions', async () => {
    write('real/a.nn', UGLY);
    chmodSync(at('real/a.nn'), 0o640);
    symlinkSync('real/a.nn', at('link.nn'));
    const r = await dslc(['fmt', 'link.nn']);
    expect(r.code).toBe(0);
    expect(lstatSync(at('link.nn')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at('link.nn'))).toBe('real/a.nn');
    expect(read('real/a.nn')).toBe(PRETTY);
    expect(statSync(at('real/a.nn')).mode & 0o777).toBe(0o640);
  });

  it('I/O errors exit 2 with one line each, no stack trace; readable files are still formatted', async () => {
    write('a.nn', UGLY);
    write('plain.nn', PRETTY);
    const r = await dslc(['fmt', 'missing.nn', 'plain.nn/inside.nn', 'a.nn']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dslc: cannot read missing\.nn: no such file or directory$/m);
    expect(r.stderr).toMatch(/^dslc: cannot read plain\.nn\/inside\.nn: a part of the path is not a directory$/m);
    expect(read('a.nn')).toBe(PRETTY);
  });

  it('an unwritable file: exit 2, the file and its directory unchanged', async () => {
    // Root ignores permission bits, so then the unwritable place is a file under /sys seen through a link.
    if (process.getuid?.() !== 0) {
      write('ro/a.nn', UGLY);
      chmodSync(at('ro'), 0o555);
      const r = await dslc(['fmt', 'ro/a.nn']);
      chmodSync(at('ro'), 0o755);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot write .*a\.nn: permission denied/);
      expect(readdirSync(at('ro'))).toEqual(['a.nn']);
      expect(read('ro/a.nn')).toBe(UGLY);
    }
    const r = await dslc(['fmt', '/sys/no-such-dir/x.nn']);
    expect(r.code).toBe(2);
  });

  it('usage errors exit 2', async () => {
    expect((await dslc(['fmt'])).code).toBe(2);
    const r = await dslc(['fmt', '--wat', 'a.nn']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--wat'/);
    const h = await dslc(['fmt', '--help']);
    expect([h.code, h.stdout]).toEqual([0, expect.stringMatching(/^Usage: dslc fmt/)]);
  });
});

describe('dslc fmt - (standard input to standard output)', () => {
  const BIN = join(ROOT, 'bin/dslc.cjs');
  const stdin = (args: string[], input: string) => {
    const r = spawnSync(process.execPath, [BIN, 'fmt', ...args], { cwd: dir, input, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(STACK);
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('writes the formatted text, and nothing to any file', () => {
    expect(stdin(['-'], UGLY)).toEqual({ code: 0, stdout: PRETTY, stderr: '' });
    expect(stdin(['-'], PRETTY)).toEqual({ code: 0, stdout: PRETTY, stderr: '' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--check: exit 1 and <stdin> when it is not formatted, 0 and nothing when it is', () => {
    expect(stdin(['--check', '-'], UGLY)).toMatchObject({ code: 1, stdout: '<stdin>\n' });
    expect(stdin(['--check', '-'], PRETTY)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it("syntax errors: reported as <stdin>'s, nothing on standard output, exit 1 (as gofmt: a caller checks the status before using the output)", () => {
    const r = stdin(['-'], BROKEN);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error\[E0101\][^\n]*\n\s+--> <stdin>:2:/);
  });

  it('- with files is a usage error', () => {
    write('a.nn', UGLY);
    const r = stdin(['-', 'a.nn'], UGLY);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/reads standard input alone/);
    expect(read('a.nn')).toBe(UGLY);
  });
});

describe("the repository's own models", () => {
  it('examples/ and stdlib/ are formatted (dslc fmt --check passes on them)', async () => {
    const r = await runDslc(['fmt', '--check', 'examples', 'stdlib'], ROOT);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});
