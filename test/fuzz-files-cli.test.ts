/**
 * The worst inputs test/fuzz-files.test.ts found, end to end (spawns the built `bin/dslc.cjs`): each is one line
 * naming the file and what is wrong, exit 2 for usage and I/O (1 for a baseline that is not a summary: a
 * diagnostic), never a stack trace or "internal error" (runDslc checks both). Also dslc's own `--external-data`
 * export as `--weights`, whose side file an output must not replace.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runDslc } from './helpers/cli.js';
import { writeNpy } from '../src/lower/npy.js';
import { readBytes, readRange } from '../src/cli/read-bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'dslc-fuzz-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dslc = (...args: string[]) => runDslc(args, dir);
const at = (f: string) => join(dir, f);

// (fc.weight is 300×4 float32, over the 1 KB that --external-data keeps inline)
writeFileSync(at('m.nn'), 'model M(x: [N, 4]) -> (y: [N, 300]) {\n  y = x -> dense(300, name="fc")\n  return y\n}\n');

/** A usage error: exit 2 and a single line on stderr matching `re`. */
function oneLine(r: { code: number | null; stderr: string }, re: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(re)]);
}

function safetensors(header: string): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

describe('hostile input files, end to end', () => {
  it('an .npy whose shape has a size beyond 2^53 (and a 0, so no data betrays it)', async () => {
    const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (0, 99999999999999999999), }\n`;
    const bytes = new Uint8Array(10 + dict.length);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, dict.length, 0]);
    bytes.set(new TextEncoder().encode(dict), 10);
    writeFileSync(at('huge.npy'), bytes);
    oneLine(await dslc('run', 'm.nn', '--input', 'huge.npy'), /^dslc: input 'x' \(huge\.npy\): the header's shape .* has a size beyond 2\^53/);
  });

  it('a .safetensors header whose tensor entry is null', async () => {
    writeFileSync(at('null.safetensors'), safetensors('{"fc.weight": null}'));
    oneLine(await dslc('run', 'm.nn', '--random', '--weights', 'null.safetensors'), /^dslc: --weights null\.safetensors: tensor "fc\.weight": expected \{"dtype", "shape", "data_offsets"\}$/);
    oneLine(await dslc('m.nn', '--emit', 'onnx', '--weights', 'null.safetensors', '-o', 'out.onnx'), /^dslc: --weights null\.safetensors: tensor "fc\.weight"/);
    expect(existsSync(at('out.onnx'))).toBe(false);
  });

  it('a --baseline whose totals are null', async () => {
    writeFileSync(at('base.json'), JSON.stringify([{ model: 'M', totals: null }]));
    const r = await dslc('check', 'm.nn', '--baseline', 'base.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E0502\]: baseline base\.json is not a dslc summary/);
  });

  it('--random with an --input-shape far beyond memory', async () => {
    oneLine(await dslc('run', 'm.nn', '--random', '--input-shape', 'N=3000000000'), /^dslc: input 'x' would have shape \[3000000000, 4\], 1\.20e\+10 values: --random makes at most 268435456/);
  });
});

describe('--weights-map rules whose regular expression backtracks without end', () => {
  it('stop after the time limit with one line naming the problem, exit 2', async () => {
    // (31 letters: about 2^31 steps, minutes without the limit, yet finite should the limit ever be lost)
    const name = `${'a'.repeat(31)}!`;
    const h = JSON.stringify({ [name]: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
    const st = safetensors(h);
    writeFileSync(at('redos.safetensors'), Buffer.concat([st, new Uint8Array(4)]));
    writeFileSync(at('redos.json'), JSON.stringify([{ from: '^(a+)+$', to: 'x' }]));
    const t0 = performance.now();
    oneLine(await dslc('m.nn', '--emit', 'onnx', '--weights', 'redos.safetensors', '--weights-map', 'redos.json', '-o', 'redos.onnx'), /^dslc: --weights-map redos\.json: the rules ran for over 2 s on the file's 1 names; a regular expression that backtracks without end, such as \(a\+\)\+ or \(\\w\+\\\.\?\)\*, must be rewritten$/);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(existsSync(at('redos.onnx'))).toBe(false);
  });
});

describe('endless or huge inputs are read only up to a bound', () => {
  it('/dev/zero as --input, --weights (its name ends in .onnx) and --weights-map: one line, quickly', async () => {
    if (!existsSync('/dev/zero')) return;
    symlinkSync('/dev/zero', at('zero.npy'));
    symlinkSync('/dev/zero', at('zero.onnx'));
    writeFileSync(at('small.safetensors'), safetensors('{}'));
    const t0 = performance.now();
    oneLine(await dslc('run', 'm.nn', '--input', 'zero.npy'), /^dslc: cannot read input zero\.npy: it is not a regular file and gave more than 256 MiB; save the data to a file$/);
    oneLine(await dslc('run', 'm.nn', '--random', '--weights', 'zero.onnx'), /^dslc: cannot read zero\.onnx: it is not a regular file and gave more than 256 MiB/);
    oneLine(await dslc('m.nn', '--emit', 'onnx', '--weights', 'small.safetensors', '--weights-map', '/dev/zero', '-o', 'z-out.onnx'), /^dslc: cannot read --weights-map \/dev\/zero: it is not a regular file and gave more than 16 MiB/);
    const model = await dslc('run', '/dev/zero', '--random');
    expect(model.code).toBe(1);
    expect(model.stderr).toMatch(/^error\[E0104\]: file is too large/);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });

  it('readBytes: a regular file whole, a stream up to its bound, each bound an error in words; readRange: only the range', () => {
    writeFileSync(at('ten.bin'), new Uint8Array(10).fill(7));
    expect(readBytes(at('ten.bin'))).toEqual(new Uint8Array(10).fill(7));
    expect(readBytes(at('ten.bin'), 10)).toHaveLength(10);
    expect(() => readBytes(at('ten.bin'), 9)).toThrow(expect.objectContaining({ code: 'EDSLC', message: 'it has 10 bytes, more than the 9 bytes read' }));
    expect(() => readBytes(dir)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(readRange(at('ten.bin'), 2, 3)).toEqual(new Uint8Array(3).fill(7));
    expect(readRange(at('ten.bin'), 4, undefined)).toHaveLength(6);
    expect(readRange(at('ten.bin'), 8, 3)).toEqual({ size: 10 });
    expect(readRange(at('ten.bin'), 11, undefined)).toEqual({ size: 10 });
    if (existsSync('/dev/zero')) expect(() => readRange('/dev/zero', 0, 4)).toThrow(expect.objectContaining({ message: 'it is not a regular file' }));
    if (existsSync('/dev/zero')) expect(() => readBytes('/dev/zero', 10, 2 ** 20)).toThrow(expect.objectContaining({ code: 'EDSLC', message: expect.stringMatching(/not a regular file and gave more than 1 MiB/) }));
  });

  it('a pipe with a whole .npy still reads (process substitution)', () => {
    if (!existsSync('/bin/bash')) return;
    writeFileSync(at('x.npy'), writeNpy(Float32Array.from([1, -2, 3, -4]), [1, 4]));
    const out = execFileSync('/bin/bash', ['-c', `"${process.execPath}" "${BIN}" run m.nn --seed 1 --input <(cat x.npy)`], { cwd: dir, encoding: 'utf8' });
    expect(out).toMatch(/^M on wasm .*; x \[1, 4\] from \/dev\/fd\/\d+\ny: \[1, 300\] float32/);
  });
});

describe("dslc's own --external-data export as --weights", () => {
  it('loads it, and refuses a side file that is missing or outside the directory', async () => {
    expect((await dslc('m.nn', '--emit', 'onnx', '--external-data', '--seed', '3', '-o', 'ext.onnx')).code).toBe(0);
    expect(existsSync(at('ext.onnx.data'))).toBe(true);
    const plain = await dslc('m.nn', '--emit', 'onnx', '--seed', '3', '-o', 'plain.onnx');
    expect(plain.code).toBe(0);
    const fromExt = await dslc('run', 'm.nn', '--random', '--weights', 'ext.onnx');
    const fromPlain = await dslc('run', 'm.nn', '--random', '--weights', 'plain.onnx');
    expect(fromExt.code).toBe(0);
    expect(fromExt.stdout).toBe(fromPlain.stdout);

    const data = readFileSync(at('ext.onnx.data'));
    rmSync(at('ext.onnx.data'));
    oneLine(await dslc('run', 'm.nn', '--random', '--weights', 'ext.onnx'), /^dslc: --weights ext\.onnx: initializer 'fc\.weight': cannot read its external data file ext\.onnx\.data: no such file or directory$/);
    writeFileSync(at('ext.onnx.data'), data.subarray(0, 100));
    oneLine(await dslc('run', 'm.nn', '--random', '--weights', 'ext.onnx'), /^dslc: --weights ext\.onnx: initializer 'fc\.weight': its external data \(ext\.onnx\.data, offset 0, length 4800\) lies outside that file \(100 bytes\)$/);
    writeFileSync(at('ext.onnx.data'), data);
    // the location is a string in the model: one that climbs out of the directory is not followed
    // (replaced by names of the same length, so that the protobuf stays well-formed)
    const relocate = (to: string) => Buffer.from(readFileSync(at('ext.onnx')).toString('latin1').replaceAll('ext.onnx.data', to), 'latin1');
    writeFileSync(at('climb.onnx'), relocate('../e.onnx.dat'));
    oneLine(await dslc('run', 'm.nn', '--random', '--weights', 'climb.onnx'), /^dslc: --weights climb\.onnx: initializer 'fc\.weight': its external data file '\.\.\/e\.onnx\.dat' is not inside the model's directory$/);
    writeFileSync(at('abs.onnx'), relocate('/etc/passwd00'));
    oneLine(await dslc('m.nn', '--emit', 'onnx', '--weights', 'abs.onnx', '-o', 'abs-out.onnx'), /its external data file '\/etc\/passwd00' is not inside the model's directory$/);
  });

  it('never writes over the side file it read the weights from', async () => {
    // a model whose weights live in `b.onnx.data`: compiling to b.onnx with --external-data would replace them
    expect((await dslc('m.nn', '--emit', 'onnx', '--external-data', '-o', 'b.onnx')).code).toBe(0);
    renameSync(at('b.onnx'), at('a.onnx'));
    const before = readFileSync(at('b.onnx.data'));
    oneLine(await dslc('m.nn', '--emit', 'onnx', '--external-data', '--weights', 'a.onnx', '-o', 'b.onnx'), /^dslc: writing b\.onnx\.data would overwrite an input of this compile/);
    oneLine(await dslc('run', 'm.nn', '--random', '--weights', 'a.onnx', '--output', 'b.onnx.data'), /^dslc: --output b\.onnx\.data would overwrite an input of this run/);
    expect(readFileSync(at('b.onnx.data')).equals(before)).toBe(true);
    expect(existsSync(at('b.onnx'))).toBe(false);
  });
});
