/**
 * src/lower/npy.ts against NumPy: files written by NumPy (scripts/fixtures/npy_reference.py, committed with
 * values.json) read back to NumPy's values; files dslc writes load in NumPy (Debian's python3-numpy) to the same
 * values, dtype and shape.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NpyError, readNpy, writeNpy } from '../src/lower/npy.js';

const FIX = resolve(import.meta.dirname, 'fixtures/npy');
const ref = JSON.parse(readFileSync(join(FIX, 'values.json'), 'utf8')) as { arrays: Record<string, { dtype: string; shape: number[]; values: (number | string)[] | null; fortran_order: boolean }> };
const file = (name: string) => new Uint8Array(readFileSync(join(FIX, `${name}.npy`)));
const dir = mkdtempSync(join(tmpdir(), 'dslc-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readNpy on files NumPy wrote', () => {
  const readable = Object.entries(ref.arrays).filter(([, a]) => a.values && !a.fortran_order);
  it.each(readable)('%s', (name, a) => {
    const r = readNpy(file(name));
    expect(r.dtype).toBe(a.dtype);
    expect(r.shape).toEqual(a.shape);
    const got = Array.from(r.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : v));
    if (a.dtype === 'float32') expect(got).toEqual(a.values!.map((v) => Math.fround(v as number)));
    else expect(got).toEqual(a.values);
  });

  it('covers every dtype and format version', () => {
    expect(new Set(readable.map(([, a]) => a.dtype))).toEqual(new Set(['float32', 'float64', 'int32', 'int64', 'uint8', 'bool']));
    expect(new Set(readable.map(([n]) => file(n)[6]))).toEqual(new Set([1, 2, 3]));
  });

  it('rejects Fortran order, unsupported dtypes and damaged files with a reason', () => {
    expect(() => readNpy(file('f4_fortran'))).toThrow(/Fortran \(column-major\) order; save it in C order/);
    expect(() => readNpy(file('c8_complex'))).toThrow(/dtype '<c8' is not supported/);
    expect(() => readNpy(new TextEncoder().encode('hello, world'))).toThrow(/not a \.npy file/);
    const f = file('f4_2x3');
    expect(() => readNpy(f.subarray(0, f.length - 4))).toThrow(/truncated: shape \(2, 3\) of float32 needs 24 bytes, the file has 20/);
    expect(() => readNpy(f.subarray(0, 40))).toThrow(/ends inside the header/);
    const v9 = f.slice();
    v9[6] = 9;
    expect(() => readNpy(v9)).toThrow(/version 9\.0 is not supported/);
    expect(() => readNpy(file('c8_complex'))).toThrow(NpyError);
  });
});

describe('writeNpy read by NumPy', () => {
  it('float32 and int32 arrays, 0-d to 4-d, load in NumPy with the same values', () => {
    const cases: [string, Float32Array | Int32Array, number[]][] = [
      ['a', Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => Math.sin(i) * 1e3), [2, 3, 4, 5]],
      ['b', Float32Array.of(-0, Infinity, -Infinity, 1.5e-42), [4]],
      ['c', Int32Array.of(-2147483648, 0, 2147483647, 5, 6, 7), [3, 2]],
      ['d', Float32Array.of(2.5), []],
      ['e', new Float32Array(0), [0, 7]],
    ];
    for (const [n, data, shape] of cases) writeFileSync(join(dir, `${n}.npy`), writeNpy(data, shape));
    const py = `import json, sys, numpy as np
out = {}
for n in sys.argv[1:]:
    a = np.load(n + '.npy', allow_pickle=False)
    out[n] = {'dtype': str(a.dtype), 'shape': list(a.shape), 'c': bool(a.flags.c_contiguous), 'values': [repr(v) for v in a.reshape(-1).tolist()]}
print(json.dumps(out))`;
    const got = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, ...cases.map((c) => c[0])], { cwd: dir, encoding: 'utf8' }));
    for (const [n, data, shape] of cases) {
      expect(got[n].dtype).toBe(data instanceof Float32Array ? 'float32' : 'int32');
      expect(got[n].shape).toEqual(shape);
      expect(got[n].c).toBe(true);
      const pyRepr = (v: number) => (Number.isInteger(v) && data instanceof Int32Array ? String(v) : Object.is(v, -0) ? '-0.0' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v));
      expect(got[n].values.map(Number)).toEqual(Array.from(data, (v) => Number(pyRepr(v))));
      // And back through our own reader.
      const back = readNpy(new Uint8Array(readFileSync(join(dir, `${n}.npy`))));
      expect(Array.from(back.data as ArrayLike<number>)).toEqual(Array.from(data));
      expect(back.shape).toEqual(shape);
    }
    expect(got.b.values[0]).toBe('-0.0');
  });

  it('headers are padded to 64 bytes like NumPy writes them (byte-identical to np.save)', () => {
    const data = Float32Array.from({ length: 6 }, (_, i) => i / 4);
    writeFileSync(join(dir, 'mine.npy'), writeNpy(data, [2, 3]));
    execFileSync('/usr/bin/python3', ['-c', "import numpy as np; np.save('theirs.npy', (np.arange(6, dtype=np.float32) / 4).reshape(2, 3))"], { cwd: dir });
    expect(readFileSync(join(dir, 'mine.npy')).equals(readFileSync(join(dir, 'theirs.npy')))).toBe(true);
  });

  it('refuses data that does not fill the shape', () => {
    expect(() => writeNpy(new Float32Array(5), [2, 3])).toThrow(/needs 6 values, got 5/);
  });
});
