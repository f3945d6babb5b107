/**
 * `dslc model.nn --emit onnx` end to end: each case spawns `node bin/dslc.cjs` (the build in dist/ must exist:
 * `npm test` builds first) in a temporary directory. Exit codes: 0 written, 1 diagnostics (check errors, E0600),
 * 2 usage or I/O errors. Whatever happens: no stack trace, no partial or temporary file, an existing output
 * and the input left intact unless the export succeeds.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type Run, runDslc } from './helpers/cli.js';
import { decodeModel, graphOf, valueDims } from './helpers/onnx.js';


let dir = '';

const dslc = (args: string[], cwd = dir) => runDslc(args, cwd);

const write = (rel: string, text: string | Uint8Array) => {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};
const at = (rel: string) => join(dir, rel);
/** Temporary files of an atomic write (`.<name>.<pid>.tmp`) anywhere in a directory. */
const leftovers = (d: string) => readdirSync(d).filter((f) => f.endsWith('.tmp') || /\.\d+\.tmp$/.test(f));
/** A usage or I/O error: exit 2 and exactly one line on stderr, starting with `dslc: ` (then the usage hint, if any). */
function usageError(r: Run, message: RegExp): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^dslc: /);
  expect(lines[0]).toMatch(message);
  expect(lines.slice(1).filter((l) => !/^run 'dslc --help' for usage$/.test(l))).toEqual([]);
}

const SMALL = `model Small(x: [N, 3, 16, 16]) -> (y: [N, 4]) {
  y = x -> conv2d(8, 3, padding=1, name="conv") -> relu(name="act") -> max_pool2d(2, name="pool")
        -> global_avg_pool(name="gap") -> flatten(name="flat") -> dense(4, name="fc")
  return y
}
`;
const SMALL_PARAMS = 8 * 3 * 9 + 8 + 8 * 4 + 4;
const CHECK_ERROR = `model Broken(x: [N, 3, 16, 16]) -> (y: [N, 4]) {
  y = x -> conv2d(8, 3) -> flatten -> dense(4, no_such_attr=1)
  return y
}
`;
/** A lowering that refuses these attributes (E0600 "cannot be exported"): stable whatever ops get lowered. */
const UNSUPPORTED = `model Unsup(x: [N, 2, 6, 6]) {
  y = x -> avg_pool2d(2, divisor_override=3)
  return y
}
`;

const WROTE = /^wrote (.+) \((\w+): ([\d,]+) parameters, (\d+\.\d) [KM]B\)\n$/;

async function runsInOrt(file: string): Promise<number[]> {
  const session = await ort.InferenceSession.create(file);
  const x = new ort.Tensor('float32', Float32Array.from({ length: 2 * 3 * 16 * 16 }, (_, i) => Math.sin(i)), [2, 3, 16, 16]);
  const out = await session.run({ x });
  await session.release();
  return [...out.y!.dims];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dslc-onnx-cli-'));
  write('small.nn', SMALL);
  write('broken.nn', CHECK_ERROR);
  write('unsup.nn', UNSUPPORTED);
  expect(existsSync(join(ROOT, 'dist/dslc.cjs')) || existsSync(join(ROOT, 'dist/cli/main.js')), 'run `npm run build` first').toBe(true);
});
afterAll(() => {
  for (const d of [dir, at('ro')]) if (existsSync(d)) chmodSync(d, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

describe('dslc --emit onnx', () => {
  it('--external-data puts the weights in <out>.data (ONNX external data); the model loads in onnxruntime and onnx', async () => {
    // conv 16×3×3×3 (1.7 KB) goes to the side file; the small tensors (< 1 KB, as onnx's default threshold) stay inline.
    write('wide.nn', SMALL.replace('conv2d(8,', 'conv2d(16,').replace('model Small', 'model Wide'));
    const r = await dslc(['wide.nn', '--emit', 'onnx', '-o', 'ext.onnx', '--external-data', '--seed', '7']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^wrote .*ext\.onnx \(Wide: [\d,]+ parameters, \d+\.\d [KM]B \+ \d+\.\d [KM]B of weights in ext\.onnx\.data\)\n$/);
    const p = decodeModel(readFileSync(at('ext.onnx')));
    const big = graphOf(p).initializer.filter((t) => Number(t.dataLocation) === 1);
    expect(big.map((t) => t.name)).toEqual(['conv.weight']);
    for (const t of big) expect(Object.fromEntries(t.externalData.map((e) => [e.key, e.value])).location).toBe('ext.onnx.data');
    expect(await runsInOrt(at('ext.onnx'))).toEqual([2, 4]);
    // Same numbers as the inline export with the same seed.
    expect((await dslc(['wide.nn', '--emit', 'onnx', '-o', 'inl.onnx', '--seed', '7'])).code).toBe(0);
    const x = new ort.Tensor('float32', Float32Array.from({ length: 2 * 3 * 16 * 16 }, (_, i) => Math.cos(i)), [2, 3, 16, 16]);
    const outs = [];
    for (const f of ['ext.onnx', 'inl.onnx']) {
      const s = await ort.InferenceSession.create(at(f));
      outs.push(Array.from((await s.run({ x })).y!.data as Float32Array));
      await s.release();
    }
    expect(outs[0]).toEqual(outs[1]);
    const py = spawnSync('/usr/bin/python3', ['-c', 'import onnx,sys; onnx.checker.check_model(sys.argv[1], full_check=True); print(len(onnx.load(sys.argv[1]).graph.initializer))', at('ext.onnx')], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(py.stdout.trim()).toBe(String(graphOf(p).initializer.length));
    expect(leftovers(dir)).toEqual([]);
  });

  it('a file with several models needs --model (exit 2, the models listed); --model picks one', async () => {
    write('two.nn', `${SMALL}\n${SMALL.replace('model Small', 'model Other')}`);
    usageError(await dslc(['two.nn', '--emit', 'onnx', '-o', 'two.onnx']), /two\.nn defines 2 models \(Small, Other\): choose one with --model NAME/);
    expect(existsSync(at('two.onnx'))).toBe(false);
    const r = await dslc(['two.nn', '--emit', 'onnx', '-o', 'two.onnx', '--model', 'Other']);
    expect(r.code).toBe(0);
    expect(graphOf(decodeModel(readFileSync(at('two.onnx')))).name).toBe('Other');
  });

  it('dslc m.nn --emit onnx -o out.onnx writes a loadable file and prints a one-line summary', async () => {
    const r = await dslc(['small.nn', '--emit', 'onnx', '-o', 'out.onnx']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const m = WROTE.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(resolve(dir, m![1]!)).toBe(at('out.onnx'));
    expect([m![2], m![3]!.replace(/,/g, '')]).toEqual(['Small', String(SMALL_PARAMS)]);
    expect(await runsInOrt(at('out.onnx'))).toEqual([2, 4]);
    expect(leftovers(dir)).toEqual([]);
  });

  it('dslc compile m.nn --emit onnx does the same (and the same bytes)', async () => {
    const r = await dslc(['compile', 'small.nn', '--emit', 'onnx', '-o', 'out2.onnx']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(WROTE);
    expect(await runsInOrt(at('out2.onnx'))).toEqual([2, 4]);
    if (!existsSync(at('out.onnx'))) await dslc(['small.nn', '--emit', 'onnx', '-o', 'out.onnx']);
    expect(readFileSync(at('out2.onnx')).equals(readFileSync(at('out.onnx')))).toBe(true);
  });

  it('writes next to the input by default (the input with .onnx), from any working directory', async () => {
    write('sub/model.nn', SMALL);
    const r = await dslc(['sub/model.nn', '--emit', 'onnx']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(at('sub/model.onnx'))).toBe(true);
    expect(resolve(dir, WROTE.exec(r.stdout)![1]!)).toBe(at('sub/model.onnx'));
    const r2 = await dslc(['compile', join(dir, 'sub/model.nn'), '--emit', 'onnx', '--seed', '3'], ROOT);
    expect(r2.code).toBe(0);
    expect(readdirSync(at('sub')).sort()).toEqual(['model.nn', 'model.onnx']);
    expect(await runsInOrt(at('sub/model.onnx'))).toEqual([2, 4]);
  });

  it('passes --opset, --batch, --init and --seed through', async () => {
    const r = await dslc(['small.nn', '--emit', 'onnx', '-o', 'opts.onnx', '--opset', '13', '--batch', '2', '--init', 'zeros', '--seed', '5']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const p = decodeModel(readFileSync(at('opts.onnx')));
    expect(p.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    expect(Number(p.irVersion)).toBe(7);
    expect(valueDims(graphOf(p).input[0]!)).toEqual([2, 3, 16, 16]);
    expect(p.metadataProps.find((m) => m.key === 'dslc.init')!.value).toBe('zeros seed=5');
    expect(await runsInOrt(at('opts.onnx'))).toEqual([2, 4]);
    const r21 = await dslc(['small.nn', '--emit', 'onnx', '-o', 'o21.onnx', '--opset', '21']);
    expect(r21.code).toBe(0);
    expect(Number(decodeModel(readFileSync(at('o21.onnx'))).irVersion)).toBe(10);
    expect(await runsInOrt(at('o21.onnx'))).toEqual([2, 4]);
  });

  it('a model with check errors: exit 1, the diagnostics, and no file (an existing one stays)', async () => {
    const r = await dslc(['broken.nn', '--emit', 'onnx', '-o', 'broken.onnx']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error/);
    expect(existsSync(at('broken.onnx'))).toBe(false);
    write('keep1.onnx', 'previous contents');
    const r2 = await dslc(['broken.nn', '--emit', 'onnx', '-o', 'keep1.onnx']);
    expect(r2.code).toBe(1);
    expect(readFileSync(at('keep1.onnx'), 'utf8')).toBe('previous contents');
    // The default output path is not created either.
    expect((await dslc(['broken.nn', '--emit', 'onnx'])).code).toBe(1);
    expect(existsSync(at('broken.onnx'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });

  it('an export that fails (E0600): exit 1 and an existing output file stays intact', async () => {
    write('keep2.onnx', 'previous contents');
    const r = await dslc(['unsup.nn', '--emit', 'onnx', '-o', 'keep2.onnx']);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/E0600/);
    expect(r.stderr).toMatch(/divisor_override/);
    expect(readFileSync(at('keep2.onnx'), 'utf8')).toBe('previous contents');
    expect(leftovers(dir)).toEqual([]);
  });

  it('a missing directory: exit 2, one line, nothing created', async () => {
    const r = await dslc(['small.nn', '--emit', 'onnx', '-o', 'no/such/dir/out.onnx']);
    usageError(r, /cannot write .*out\.onnx: the directory does not exist/);
    expect(existsSync(at('no'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });

  it('an unwritable directory: exit 2, one line, no partial or temporary file', async () => {
    // Root ignores permission bits; /sys refuses new files even to root.
    const cases: [string, string][] = [['/sys', '/sys/out.onnx']];
    if (process.getuid?.() !== 0) {
      mkdirSync(at('ro'));
      chmodSync(at('ro'), 0o555);
      cases.push([at('ro'), at('ro/out.onnx')]);
    }
    for (const [d, out] of cases) {
      const before = readdirSync(d).sort();
      const r = await dslc(['small.nn', '--emit', 'onnx', '-o', out]);
      usageError(r, /cannot write .*out\.onnx: (permission denied|read-only file system)/);
      expect(readdirSync(d).sort()).toEqual(before);
    }
  });

  it('an output that is a directory: exit 2, one line, no temporary file left', async () => {
    mkdirSync(at('adir'));
    writeFileSync(at('adir/inside'), 'x');
    const r = await dslc(['small.nn', '--emit', 'onnx', '-o', 'adir']);
    usageError(r, /cannot write .*adir/);
    expect(statSync(at('adir')).isDirectory()).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('-o equal to the input: exit 2 and the input untouched', async () => {
    const before = readFileSync(at('small.nn'), 'utf8');
    for (const o of ['small.nn', './small.nn', at('small.nn'), `../${dir.split('/').pop()}/small.nn`]) {
      const r = await dslc(['small.nn', '--emit', 'onnx', '-o', o]);
      usageError(r, /overwrite the input/);
      expect(readFileSync(at('small.nn'), 'utf8')).toBe(before);
    }
    const r = await dslc(['compile', './small.nn', '--emit', 'onnx', '--output', 'small.nn']);
    usageError(r, /overwrite the input/);
    expect(readFileSync(at('small.nn'), 'utf8')).toBe(before);
    // Through symbolic links: a directory link to the input's directory, and an input read through a link.
    symlinkSync('.', at('self'));
    symlinkSync('small.nn', at('link.nn'));
    for (const args of [['small.nn', '-o', 'self/small.nn'], ['link.nn', '-o', 'small.nn'], ['self/link.nn', '-o', 'small.nn']]) {
      usageError(await dslc([args[0]!, '--emit', 'onnx', ...args.slice(1)]), /overwrite the input/);
      expect(readFileSync(at('small.nn'), 'utf8'), args.join(' ')).toBe(before);
    }
    // A link named by -o is replaced, not followed: the file it pointed to is left alone.
    symlinkSync('small.nn', at('points-to-input.onnx'));
    expect((await dslc(['small.nn', '--emit', 'onnx', '-o', 'points-to-input.onnx'])).code).toBe(0);
    expect(readFileSync(at('small.nn'), 'utf8')).toBe(before);
    expect(lstatSync(at('points-to-input.onnx')).isFile()).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('-o naming any other file the compile reads (an imported module, the weights, their name map, the side file): exit 2, nothing written', async () => {
    write('guard/blocks.nn', 'block unit(x) {\n  return x -> relu\n}\n');
    write('guard/imp.nn', `from "./blocks.nn" import unit\n${SMALL.replace('y = x ->', 'y = x -> unit ->')}`);
    const g = (f: string) => at(`guard/${f}`);
    expect((await dslc(['guard/imp.nn', '--emit', 'onnx', '-o', 'guard/w.onnx'])).code).toBe(0);
    write('guard/rules.json', '[]');
    const snapshot = () => Object.fromEntries(readdirSync(g('')).sort().map((f) => [f, readFileSync(g(f)).toString('base64')]));
    const before = snapshot();
    const cases: [string[], RegExp][] = [
      [['-o', 'guard/blocks.nn'], /blocks\.nn/],
      [['--weights', 'guard/w.onnx', '-o', 'guard/w.onnx'], /w\.onnx/],
      [['--emit', 'json', '--weights', 'guard/w.onnx', '-o', 'guard/w.onnx'], /w\.onnx/],
      [['--weights', 'guard/w.onnx', '--weights-map', 'guard/rules.json', '-o', 'guard/rules.json'], /rules\.json/],
    ];
    for (const [extra, where] of cases) {
      const r = await dslc(['guard/imp.nn', ...(extra.includes('--emit') ? [] : ['--emit', 'onnx']), ...extra]);
      usageError(r, /would overwrite an input of this compile/);
      expect(r.stderr, extra.join(' ')).toMatch(where);
      expect(snapshot(), extra.join(' ')).toEqual(before);
    }
    // The weights side file: `-o x` writes x.data too, which must not be an input either.
    write('guard/m.data', 'not weights');
    const side = await dslc(['guard/imp.nn', '--emit', 'onnx', '--external-data', '-o', 'guard/m', '--weights', 'guard/m.data']);
    usageError(side, /writing guard\/m\.data would overwrite an input/);
    expect(readFileSync(g('m.data'), 'utf8')).toBe('not weights');
    // --emit tfjs replaces its whole directory: one holding an input is refused.
    expect((await dslc(['guard/imp.nn', '--emit', 'tfjs', '-o', 'guard/web'])).code).toBe(0);
    write('guard/web/inner.nn', readFileSync(g('imp.nn'), 'utf8').replace('./blocks.nn', '../blocks.nn'));
    usageError(await dslc(['guard/web/inner.nn', '--emit', 'tfjs', '-o', 'guard/web']), /guard\/web holds guard\/web\/inner\.nn, which this compile reads/);
    expect(existsSync(g('web/inner.nn'))).toBe(true);
    expect(leftovers(g(''))).toEqual([]);
  });

  it('a float16 input meeting float32 weights is E0600 (no model written that runtimes refuse); without weights float16 exports', async () => {
    write('half.nn', 'model H(x: float16[1, 3, 8, 8]) {\n  return x -> conv2d(4, 3) -> relu\n}\n');
    const r = await dslc(['half.nn', '--emit', 'onnx', '-o', 'half.onnx']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E0600\]: conv2d_1: its input is float16, but dslc's ONNX export writes weights as float32/);
    expect(existsSync(at('half.onnx'))).toBe(false);
    write('half-act.nn', 'model A(x: float16[1, 3, 8, 8]) {\n  return x -> relu\n}\n');
    expect((await dslc(['half-act.nn', '--emit', 'onnx', '-o', 'half-act.onnx'])).code).toBe(0);
  });

  it('--external-data on a model whose tensors all stay inline (under 1 KB) writes no empty side file, and says so', async () => {
    const r = await dslc(['small.nn', '--emit', 'onnx', '-o', 'tiny.onnx', '--external-data']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no tiny\.onnx\.data: every tensor is under 1 KB and stays inline/);
    expect(existsSync(at('tiny.onnx.data'))).toBe(false);
    expect(await runsInOrt(at('tiny.onnx'))).toEqual([2, 4]);
  });

  it('a directory that exists but takes no new files (/proc): says so, not that it does not exist', async () => {
    usageError(await dslc(['small.nn', '--emit', 'onnx', '-o', '/proc/out.onnx']), /cannot write \/proc\/out\.onnx: no file can be created in that directory/);
  });

  it('an output path through a file, or empty: exit 2 with words, not errno codes or temporary names', async () => {
    const r = await dslc(['small.nn', '--emit', 'onnx', '-o', 'small.nn/out.onnx']);
    usageError(r, /cannot write .*small\.nn\/out\.onnx: a part of the path is not a directory$/);
    expect(r.stderr).not.toMatch(/ENOTDIR|\.tmp/);
    usageError(await dslc(['small.nn', '--emit', 'onnx', '-o', '']), /-o needs a file name/);
    expect(leftovers(dir)).toEqual([]);
    expect(leftovers(dirname(dir)).filter((f) => f.includes(dir.split('/').pop()!))).toEqual([]);
  });

  it('invalid options: exit 2 with a clear message, nothing written', async () => {
    const bad: [string[], RegExp][] = [
      [['--opset', '12'], /--opset must be an integer from 13 to 21/],
      [['--opset', '22'], /--opset/],
      [['--opset', 'x'], /--opset/],
      [['--init', 'foo'], /--init must be he, xavier or zeros, got 'foo'/],
      [['--seed', '-1'], /--seed/],
      [['--seed', '1.5'], /--seed/],
      [['--seed', '4294967296'], /--seed/],
      [['--batch', '0'], /--batch/],
      [['--emit', 'foo'], /--emit must be onnx, json, dot or tfjs, got 'foo'/],
      [['--emit'], /--emit needs a value/],
      [['-o'], /-o needs a value/],
    ];
    for (const [args, msg] of bad) {
      const r = await dslc(['small.nn', '--emit', 'onnx', '-o', 'never.onnx', ...args]);
      usageError(r, msg);
      expect(existsSync(at('never.onnx')), args.join(' ')).toBe(false);
    }
    // Options of compile on another command.
    usageError(await dslc(['check', 'small.nn', '--opset', '17']), /belong to compile/);
    // A missing input.
    usageError(await dslc(['missing.nn', '--emit', 'onnx']), /cannot read missing\.nn/);
  });
});
