/**
 * End-to-end tests of the `dslc` command line: every case spawns `node bin/dslc.cjs` as a real process on
 * small models written to a temporary directory (the build in dist/ must exist: `npm test` builds first).
 * Set DSLC_BIN to test another build of the CLI.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = process.env.DSLC_BIN ? resolve(process.env.DSLC_BIN) : join(ROOT, 'bin/dslc.cjs');
const STACK = /at .*\.js:\d+/;
const ANSI = /\x1b\[/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir = '';
let symlinks = false;

/** Runs the CLI in the temporary directory (so reported paths are relative to it). */
function dslc(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const { NO_COLOR: _n, FORCE_COLOR: _f, ...base } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const memo = new Map<string, Promise<Run>>();
/** The same run shared by several tests (each spawn costs ~0.2 s). */
const once = (args: string[]) => {
  const k = JSON.stringify(args);
  if (!memo.has(k)) memo.set(k, dslc(args));
  return memo.get(k)!;
};

/** Every run: no stack trace and no "internal error" whatever the input. */
function sane(r: Run): Run {
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stdout).not.toMatch(STACK);
  expect(r.stderr).not.toMatch(/internal error/);
  return r;
}

const write = (rel: string, text: string | Uint8Array) => {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
};

interface JsonDiag {
  code: string;
  severity: string;
  message: string;
  span?: { file: string; line: number; col: number; endLine: number; endCol: number };
  notes: { message: string; span?: { file: string; line: number; col: number } }[];
}
const diagnostics = (r: Run): JsonDiag[] => (JSON.parse(r.stdout) as { diagnostics: JsonDiag[] }).diagnostics;
const codesOf = (r: Run) => diagnostics(r).map((d) => d.code);

const GOOD = `model Tiny(x: [N, 3, 32, 32]) -> (y: [N, 10]) {
  y = x -> conv2d(8, 3, padding=1) -> relu -> global_avg_pool -> flatten -> dense(10)
  return y
}
`;
// 8 more conv output channels: 314 → 352 params (+12.1%).
const GROWN = GOOD.replace('conv2d(8, 3', 'conv2d(9, 3');
const BAD = `model Bad(x: [N, 3, 32, 32]) -> (y: [N, 10]) {
  y = x -> conv2d(8, 3) -> flatten -> dense(10, foo=1)
  return y
}
`;
const WARN = `model Warn(x: [N, 4], z: [N, 4]) -> (y: [N, 2]) {
  y = x -> dense(2)
  return y
}
`;
const DUP = `block b(x: Tensor) -> Tensor {
  return x -> relu
}
block b(x: Tensor) -> Tensor {
  return x -> relu
}
model M(x: [N, 4]) -> (y: [N, 4]) {
  return x -> b
}
`;
// A block called twice (for --depth), a symbolic input (for --input-shape) and a second model (for --model).
const BLOCKS = `block unit(x: Tensor, c: int) -> Tensor {
  return x -> conv2d(c, 3, padding=1, bias=false) -> batchnorm -> relu
}

model Two(x: [N, 3, H, W]) -> (y: [N, 10]) {
  y = x -> unit(8) -> unit(16) -> global_avg_pool -> flatten -> dense(10)
  return y
}

model Other(x: [N, 4]) -> (y: [N, 2]) {
  y = x -> dense(2)
  return y
}
`;
const ASSERTS = `model Small(x: [N, 4]) -> (y: [N, 2]) {
  y = x -> dense(2)
  assert params < 5
  return y
}
`;

beforeAll(() => {
  if (!process.env.DSLC_BIN) {
    const main = join(ROOT, 'dist/cli/main.js');
    const bundle = join(ROOT, 'dist/dslc.cjs');
    if (!existsSync(main)) throw new Error('dist/ is missing: build first (npm run build), or run npm test');
    // bin/dslc.cjs prefers the bundle: one older than the tsc output would test stale code.
    if (existsSync(bundle) && statSync(bundle).mtimeMs < statSync(main).mtimeMs) throw new Error('dist/dslc.cjs is older than dist/cli/main.js: rebuild with npm run build');
  }
  dir = mkdtempSync(join(tmpdir(), 'dslc-cli-'));
  write('good.nn', GOOD);
  write('grown.nn', GROWN);
  write('bad.nn', BAD);
  write('warn.nn', WARN);
  write('dup.nn', DUP);
  write('blocks.nn', BLOCKS);
  write('asserts.nn', ASSERTS);
  // A tree for recursive checking: only tree/a/b/deep.nn has a problem; dot-directories, node_modules
  // and files not ending in .nn are skipped.
  write('tree/clean.nn', GOOD);
  write('tree/a/b/deep.nn', BAD);
  write('tree/notes.txt', 'not a model (');
  write('tree/.hidden/bad.nn', BAD);
  write('tree/node_modules/pkg/bad.nn', BAD);
  write('nomodels/readme.txt', 'nothing here');
  // Hostile inputs: none may produce a stack trace.
  write('hostile/binary.nn', Uint8Array.from({ length: 256 }, (_, i) => (i * 7 + 128) % 256));
  write('hostile/nul.nn', 'model M(x: [N, 4]) -> (y: [N, 4]) {\0\0 return x }\n');
  write('hostile/empty.nn', '');
  write('hostile/deep.nn', `model M(x: [N, 4]) -> (y: [N, 4]) { return ${'('.repeat(3000)}x${')'.repeat(3000)} }\n`);
  write('hostile/unterminated.nn', 'model M(x: [N, 4]) -> (y: [N, 4]) {\n  return x -> dense(4, name="oops)\n}\n');
  write('hostile/crlf-bom-tabs.nn', '\ufeffmodel M(x: [N, 4]) -> (y: [N, 4]) {\r\n\treturn x -> dense(4) -> nonexistent\r\n}\r\n');
  write('hostile/huge-number.nn', 'model M(x: [N, 4]) -> (y: [N, 99999999999999999999999]) {\n  return x -> dense(99999999999999999999999)\n}\n');
  write('hostile/garbage.nn', '}}} model ((( -> -> ] "\n@@@ ~~~ \u202e\u0000 block\n');
  try {
    symlinkSync('loop-b.nn', join(dir, 'loop-a.nn'));
    symlinkSync('loop-a.nn', join(dir, 'loop-b.nn'));
    symlinks = true;
  } catch {
    /* no symlinks on this system: the ELOOP case below is skipped */
  }
});

afterAll(() => {
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe.concurrent('exit codes', () => {
  test('0 for a clean file, with nothing printed', async () => {
    const r = sane(await dslc(['check', 'good.nn']));
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('0 when there are only warnings; the warning is still shown', async () => {
    const r = sane(await dslc(['check', 'warn.nn']));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning[W0104]');
    expect(r.stderr).toContain('0 errors, 1 warning');
  });

  test('1 when there are errors', async () => {
    const r = sane(await dslc(['check', 'good.nn', 'bad.nn']));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E0202]');
  });

  const usage: [string, string[], RegExp][] = [
    ['an unknown flag', ['check', '--frobnicate', 'good.nn'], /unknown option '--frobnicate'/],
    ['a bad --format value', ['check', 'good.nn', '--format', 'xml'], /--format must be one of human, json, sarif, github/],
    ['a missing file', ['check', 'missing.nn'], /cannot read missing\.nn: no such file or directory/],
    ['a directory with no .nn files', ['check', 'nomodels'], /no \.nn files found/],
    ['summary of a directory', ['summary', 'tree'], /cannot read tree: is a directory/],
    ['summary of two files', ['summary', 'good.nn', 'blocks.nn'], /summary takes exactly one file/],
    ['a missing baseline', ['check', 'good.nn', '--baseline', 'nope.json'], /cannot read nope\.json: no such file or directory/],
  ];
  test.each(usage)('2 for %s', async (_what, args, message) => {
    const r = sane(await dslc(args));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^dslc: /);
    expect(r.stderr).toMatch(message);
  });

  test('2 for an unreadable path (a symlink loop)', async () => {
    expect(symlinks, 'symlinks could not be created').toBe(true);
    const r = sane(await dslc(['check', 'loop-a.nn']));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dslc: cannot read loop-a\.nn: /);
  });

});

describe.concurrent('check', () => {
  test('walks directories recursively, skipping dot-directories, node_modules and other files', async () => {
    const r = sane(await dslc(['check', 'tree', '--format', 'json']));
    expect(r.code).toBe(1);
    const files = new Set(diagnostics(r).map((d) => d.span?.file));
    expect([...files]).toEqual(['tree/a/b/deep.nn']);
  });

  test('--format json: code, severity, message and a span with relative file, line and column', async () => {
    const r = sane(await dslc(['check', 'bad.nn', 'dup.nn', '--format', 'json']));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const ds = diagnostics(r);
    const e0202 = ds.find((d) => d.code === 'E0202')!;
    expect(e0202).toMatchObject({ severity: 'error', message: expect.stringContaining("'foo'") });
    expect(e0202.span).toMatchObject({ file: 'bad.nn', line: 2, col: 49, endLine: 2, endCol: 54 });
    const e0205 = ds.find((d) => d.code === 'E0205')!;
    expect(e0205.span).toMatchObject({ file: 'dup.nn', line: 4, col: 7 });
    // Secondary locations are relative too.
    expect(e0205.notes[0]?.span).toMatchObject({ file: 'dup.nn', line: 1, col: 7 });
    for (const d of ds) expect(Object.keys(d)).toEqual(expect.arrayContaining(['code', 'severity', 'message', 'notes']));
  });

  test('--format json prints an empty list for a clean file', async () => {
    const r = sane(await dslc(['check', 'good.nn', '--format', 'json']));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ diagnostics: [] });
  });

  test('--format sarif: a SARIF 2.1.0 log with rules, results, levels, regions and relative URIs', async () => {
    const r = sane(await dslc(['check', 'bad.nn', 'dup.nn', 'warn.nn', '--format', 'sarif']));
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('dslc');
    const ruleIds: string[] = run.tool.driver.rules.map((x: { id: string }) => x.id);
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
    expect(ruleIds).toEqual(expect.arrayContaining(['E0202', 'E0205', 'W0104']));
    for (const rule of run.tool.driver.rules) expect(rule.shortDescription.text).toBeTruthy();
    expect(run.results.length).toBeGreaterThanOrEqual(3);
    for (const res of run.results) {
      expect(ruleIds).toContain(res.ruleId);
      if (res.ruleIndex !== undefined) expect(ruleIds[res.ruleIndex]).toBe(res.ruleId);
      expect(['error', 'warning', 'note']).toContain(res.level);
      expect(res.message.text).toBeTruthy();
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).toMatch(/^[\w.-]+\.nn$/); // relative: no scheme, no leading slash
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region.startColumn).toBeGreaterThanOrEqual(1);
    }
    const e0202 = run.results.find((x: { ruleId: string }) => x.ruleId === 'E0202');
    expect(e0202.level).toBe('error');
    expect(e0202.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: 'bad.nn' }, region: { startLine: 2, startColumn: 49, endColumn: 54 } });
    expect(run.results.find((x: { ruleId: string }) => x.ruleId === 'W0104').level).toBe('warning');
    const related = run.results.find((x: { ruleId: string }) => x.ruleId === 'E0205').relatedLocations;
    expect(related[0].physicalLocation.artifactLocation.uri).toBe('dup.nn');
  });

  test('--format github: workflow commands with file, line and col', async () => {
    const r = sane(await dslc(['check', 'bad.nn', 'warn.nn', '--format', 'github']));
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[EW]\d{4} [^:]+::\S/);
    expect(lines).toContainEqual(expect.stringMatching(/^::error file=bad\.nn,line=2,col=49,.*::dense has no argument 'foo'/));
    expect(lines).toContainEqual(expect.stringMatching(/^::warning file=warn\.nn,line=1,col=23,/));
    // Multi-line messages stay on one line (%0A).
    expect(lines.every((l) => !l.includes('\r'))).toBe(true);
  });

  test('human format: message, location, the source line and a caret under the span; no colour when not a TTY', async () => {
    const r = sane(await dslc(['check', 'bad.nn']));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(ANSI);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe("error[E0202]: dense has no argument 'foo'");
    expect(lines[1]).toBe('  --> bad.nn:2:49');
    const src = lines.findIndex((l) => l.startsWith('2 |'));
    expect(lines[src]).toBe('2 |   y = x -> conv2d(8, 3) -> flatten -> dense(10, foo=1)');
    const caret = lines[src + 1]!;
    expect(caret.indexOf('^')).toBe(lines[src]!.indexOf('foo=1'));
    expect(caret.trim()).toMatch(/^\|\s+\^{5}$/);
    expect(r.stderr).toMatch(/1 error, \d+ warnings?\n$/);
  });

  test('human format: no colour with NO_COLOR (TTY cases: below and test/cli-main.test.ts)', async () => {
    const r = sane(await dslc(['check', 'bad.nn'], { NO_COLOR: '1' }));
    expect(r.stderr).not.toMatch(ANSI);
    expect(r.stderr).toContain('error[E0202]');
  });

  // A real terminal through util-linux `script`, where available: colour on a TTY, none with NO_COLOR.
  const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;
  test('human format on a TTY: coloured, unless NO_COLOR is set (util-linux script)', () => {
    expect(hasScript, 'util-linux `script` is needed (Debian bsdutils)').toBe(true);
    const tty = (env: Record<string, string>) => {
      const { NO_COLOR: _n, ...base } = process.env;
      const cmd = `'${process.execPath}' '${BIN}' check bad.nn`;
      return spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: dir, env: { ...base, TERM: 'xterm', ...env }, encoding: 'utf8' }).stdout;
    };
    const coloured = tty({});
    expect(coloured).toMatch(/\x1b\[1;31merror\[E0202\]/);
    const plain = tty({ NO_COLOR: '1' });
    expect(plain).toContain('error[E0202]');
    expect(plain).not.toMatch(ANSI);
  });

  test('hostile inputs (binary, NUL, empty, deep nesting, unterminated string, CRLF/BOM, huge numbers, garbage): diagnostics, never a stack trace', async () => {
    const r = sane(await dslc(['check', 'hostile']));
    expect(r.code).toBe(1);
    for (const f of ['binary', 'nul', 'deep', 'unterminated', 'crlf-bom-tabs', 'huge-number', 'garbage']) expect(r.stderr).toContain(`hostile/${f}.nn:`);
    expect(r.stderr).toContain('error[E0105]');
    expect(r.stderr).toContain('error[E0104]');
    expect(r.stderr).toContain('error[E0103]');
    const s = sane(await dslc(['summary', 'hostile/binary.nn', '--format', 'json']));
    expect(s.code).toBe(1);
    expect(s.stdout).toBe('');
  });

  test('source lines under a diagnostic: a long one is shown as a window around the caret, control characters as marks', async () => {
    const r = sane(await dslc(['check', 'hostile/deep.nn', 'hostile/nul.nn']));
    const lines = r.stderr.split('\n');
    const i = lines.findIndex((l) => l.includes('hostile/deep.nn:'));
    // The line and its caret line: at most ~120 characters of source, elided on both sides, the caret under the column.
    const [src, caret] = [lines[i + 2]!, lines[i + 3]!];
    expect(src.length).toBeLessThan(140);
    expect(src).toMatch(/^1 \| …\(+…$/);
    const col = Number(/deep\.nn:1:(\d+)/.exec(lines[i]!)![1]);
    const shownFrom = col - 1 - 40;
    expect(caret.indexOf('^') - '1 | …'.length).toBe(col - 1 - shownFrom);
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  test('/dev/zero (or any endless or huge input) is read only up to what the size limit needs: E0104, quickly', async () => {
    if (!existsSync('/dev/zero')) return;
    const t = Date.now();
    const r = sane(await dslc(['check', '/dev/zero']));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E0104]');
    expect(r.stderr).toMatch(/file is too large/);
    expect(Date.now() - t).toBeLessThan(20_000);
  });

  test('--max-params and --max-macs report E0501 when the model is over budget', async () => {
    const [over, within] = await Promise.all([
      dslc(['check', 'good.nn', '--max-params', '300', '--max-macs', '0.2M', '--format', 'json']),
      dslc(['check', 'good.nn', '--max-params', '1K', '--max-macs', '1G']),
    ]);
    expect(sane(over).code).toBe(1);
    expect(codesOf(over)).toEqual(['E0501', 'E0501']);
    const msgs = diagnostics(over).map((d) => d.message);
    expect(msgs).toContainEqual(expect.stringMatching(/314 parameters.*300.*--max-params/));
    expect(msgs).toContainEqual(expect.stringMatching(/221,264 MACs.*200,000.*--max-macs/));
    expect(sane(within)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('--baseline: E0502 when params grow beyond --tolerance, success within it', async () => {
    const base = sane(await dslc(['summary', 'good.nn', '--format', 'json']));
    expect(base.code).toBe(0);
    write('baseline.json', base.stdout);
    write('junk.json', '{"hello": "world"}');
    const [grown, tolerated, junk] = await Promise.all([
      dslc(['check', 'grown.nn', '--baseline', 'baseline.json', '--tolerance', '5%', '--format', 'json']),
      dslc(['check', 'grown.nn', '--baseline', 'baseline.json', '--tolerance', '0.15']),
      dslc(['check', 'good.nn', '--baseline', 'junk.json', '--format', 'json']),
    ]);
    expect(sane(grown).code).toBe(1);
    const msgs = diagnostics(grown).filter((d) => d.code === 'E0502').map((d) => d.message);
    expect(msgs).toContainEqual(expect.stringMatching(/Tiny: parameters grew from 314 to 352 \(\+12\.10%, tolerance 5\.00%\)/));
    expect(sane(tolerated)).toEqual({ code: 0, stdout: '', stderr: '' }); // +12.1% params, +12.5% MACs, +10.5% memory: all within 15%
    expect(sane(junk).code).toBe(1);
    expect(diagnostics(junk)[0]).toMatchObject({ code: 'E0502', message: expect.stringContaining('not a dslc summary') });
  });

  test('--model naming no model of the file is E0210', async () => {
    const unknown = await dslc(['check', 'blocks.nn', '--model', 'Nope', '--format', 'json']);
    expect(sane(unknown).code).toBe(1);
    expect(codesOf(unknown)).toEqual(['E0210']);
    expect(diagnostics(unknown)[0]!.message).toContain('Nope');
  });
});

describe.concurrent('summary', () => {
  test('--format json; --input-shape makes symbolic shapes and totals concrete', async () => {
    const [sym, conc] = await Promise.all([
      once(['summary', 'blocks.nn', '--format', 'json']),
      dslc(['summary', 'blocks.nn', '--format', 'json', '--input-shape', 'N=1,H=64,W=64']),
    ]);
    const a = JSON.parse(sane(sym).stdout);
    expect(sym.code).toBe(0);
    expect(a).toMatchObject({ schemaVersion: 1, model: 'Two', inputs: [{ name: 'x', shape: ['N', 3, 'H', 'W'], dtype: 'float32' }] });
    expect(typeof a.totals.macs).toBe('string');
    expect(a.totals.peakActivationBytes).toBeNull();
    const b = JSON.parse(sane(conc).stdout);
    expect(b.inputs[0].shape).toEqual([1, 3, 64, 64]);
    for (const l of b.layers) for (const d of l.outputShape) expect(typeof d).toBe('number');
    expect(b.layers[0].outputShape).toEqual([1, 8, 64, 64]);
    expect(b.totals.macs).toBe((3 * 8 + 8 * 16) * 9 * 64 * 64 + 16 * 10); // two 3×3 convs at 64×64, then dense
    expect(typeof b.totals.peakActivationBytes).toBe('number');
    expect(b.totals.params).toBe(a.totals.params);
  });

  test('--format table (default) and markdown', async () => {
    const [table, md] = await Promise.all([dslc(['summary', 'blocks.nn']), dslc(['summary', 'blocks.nn', '--format', 'markdown'])]);
    expect(sane(table).code).toBe(0);
    expect(table.stdout).toMatch(/^Model: Two\n/);
    expect(table.stdout).toMatch(/Layer\s+Op\s+Output shape\s+Params\s+MACs/);
    expect(table.stdout).toMatch(/unit_1\.conv2d_1\s+conv2d\s+\[N, 8, H, W\]\s+216/);
    expect(table.stdout).toMatch(/Total params\s+1,634/);
    expect(table.stdout).not.toMatch(ANSI);
    expect(sane(md).code).toBe(0);
    expect(md.stdout).toMatch(/^### Two\n/);
    expect(md.stdout).toContain('| Layer | Op | Output shape | Params | MACs |');
    expect(md.stdout).toMatch(/\| `unit_1\.conv2d_1` \| conv2d \| `\[N, 8, H, W\]` \| 216 \|/);
    expect(md.stdout).toContain('| Total params | 1,634 |');
  });

  test('--depth 1 collapses each block call into one row with the same totals', async () => {
    const [flat, deep] = await Promise.all([once(['summary', 'blocks.nn', '--format', 'json']), dslc(['summary', 'blocks.nn', '--format', 'json', '--depth', '1'])]);
    const a = JSON.parse(sane(flat).stdout);
    const b = JSON.parse(sane(deep).stdout);
    expect(a.layers).toHaveLength(9);
    expect(b.layers.map((l: { path: string; op: string; layers?: number }) => [l.path, l.op, l.layers])).toEqual([
      ['unit_1', 'unit', 3],
      ['unit_2', 'unit', 3],
      ['global_avg_pool_1', 'global_avg_pool', undefined],
      ['flatten_1', 'flatten', undefined],
      ['dense_1', 'dense', undefined],
    ]);
    const sum = (ls: { params: number }[]) => ls.reduce((s, l) => s + l.params, 0);
    expect(b.layers[0].params).toBe(sum(a.layers.filter((l: { path: string }) => l.path.startsWith('unit_1.'))));
    expect(sum(b.layers)).toBe(sum(a.layers));
    expect(b.totals).toEqual(a.totals);
  });

  test('--model picks the model (default: the first); an unknown one is E0210', async () => {
    const [other, unknown] = await Promise.all([dslc(['summary', 'blocks.nn', '--model', 'Other', '--format', 'json']), dslc(['summary', 'blocks.nn', '--model', 'Nope'])]);
    expect(JSON.parse(sane(other).stdout)).toMatchObject({ model: 'Other', totals: { params: 10 } });
    expect(sane(unknown).code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('error[E0210]');
    expect(unknown.stderr).toContain("'Nope'");
  });

  test('a failing assertion still prints the table, then the error; exit 1', async () => {
    const r = sane(await dslc(['summary', 'asserts.nn']));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Model: Small\n/);
    expect(r.stderr).toContain('error[E0500]');
  });
});

describe.concurrent('other commands', () => {
  test('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = sane(await dslc(['--version']));
    expect(r).toEqual({ code: 0, stdout: `dslc ${version}\n`, stderr: '' });
  });

  test('ops lists the catalogue, conv2d included', async () => {
    const r = sane(await dslc(['ops']));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^conv2d\s+conv\s+\S/m);
    expect(r.stdout).toMatch(/^dense\s+dense\s+\S/m);
  });

  test('--help after a command prints usage with exit 0', async () => {
    const r = sane(await dslc(['check', '--help']));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage:');
    expect(r.stdout).toContain('dslc check');
  });
});
