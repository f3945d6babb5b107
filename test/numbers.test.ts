/**
 * Ints and floats as in Python: a float, even a whole one, is refused where an int is expected (block
 * parameters typed `int`, int attributes of ops, shapes, repeat counts); exponent literals are floats;
 * floats print as Python prints them. See docs/language.md, "Numbers".
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { floatText } from '../src/semantics/values.js';
import { ROOT, checkText, codes, errors } from './helpers/compile.js';

const inModel = (body: string, input = '[1, 3, 8, 8]') => checkText(`model M(x: ${input}) {\n${body}\n  return x\n}`);
/** `[code, quoted source, message]` of each error. */
const quoted = (text: string) => errors(checkText(text)).map((d) => [d.code, text.slice(d.span!.start, d.span!.end), d.message]);

describe('a float is not an int', () => {
  it('a whole float for an int block parameter is E0300 with the // hint; an int or a whole symbolic size fits', () => {
    const block = 'block f(x, c: int) {\n  return x -> conv2d(c, 1)\n}\n';
    const text = `${block}model M(x: [N, 3, H, 8]) where H % 4 == 0 {\n  a = x -> f(8.0)\n  b = x -> f(8 / 2)\n  c = x -> f(c=2.0)\n  d = x -> f(8 // 2)\n  e = x -> f(int(8 / 2))\n  return a, b, c, d, e\n}`;
    const r = checkText(text);
    expect(quoted(text)).toEqual([
      ['E0300', '8.0', 'block f: parameter c must be int, got float 8.0'],
      ['E0300', '8 / 2', 'block f: parameter c must be int, got float 4.0'],
      ['E0300', 'c=2.0', 'block f: parameter c must be int, got float 2.0'],
    ]);
    expect(errors(r).every((d) => d.hint?.includes('use `//` for integer division') && d.hint.includes('int(x)'))).toBe(true);
    // A size that is a fraction for some sizes (H / 8 under H % 4 == 0) is not an int either; H / 4 is.
    const sym = `block g(x, c: int) {\n  return x\n}\nmodel M(x: [N, 3, H, 8]) where H % 4 == 0 {\n  a = x -> g(H / 4)\n  b = x -> g(H / 8)\n  return a, b\n}`;
    expect(quoted(sym)).toEqual([['E0300', 'H / 8', 'block g: parameter c must be int, got a fraction of a size H/8']]);
  });

  it('a float for an int attribute of an op is E0300 at the argument, also inside a tuple; float attributes take ints', () => {
    const text = 'model M(x: [1, 3, 8, 8]) {\n  a = x -> conv2d(8 / 2, 1)\n  b = x -> conv2d(4, (3.0, 3))\n  c = x -> conv2d(4, 3, stride=2.0)\n  d = x -> conv2d(4.5, 3)\n  e = x -> conv2d(8 // 2, 1) -> dropout(1)\n  return a, b, c, d, e\n}';
    expect(quoted(text)).toEqual([
      ['E0300', '8 / 2', 'conv2d: out_channels must be an int, got the float 4.0'],
      ['E0300', '(3.0, 3)', 'conv2d: kernel_size must be an int or a tuple of ints, got [3.0, 3], which holds the float 3.0'],
      ['E0300', 'stride=2.0', 'conv2d: stride must be an int or a tuple of ints, got the float 2.0'],
      ['E0300', '4.5', 'conv2d: out_channels must be an int, got the float 4.5'],
    ]);
    expect(errors(checkText(text)).every((d) => d.hint?.includes('//'))).toBe(true);
  });

  it('shapes, repeat counts, ranges and symbolic arithmetic refuse floats; comparisons accept them as Python does', () => {
    expect(errors(checkText('model M(x: [1, 3.0, 8]) {\n  return x\n}')).map((d) => d.message)).toEqual(['a dimension must be a positive int or a symbol, got 3.0']);
    expect(errors(inModel('  repeat 2.0 { }')).map((d) => [d.message, d.hint])).toEqual([['repeat needs a non-negative int, got 2.0', expect.stringContaining('//')]]);
    expect(codes(inModel('  r = 0..4.0'))).toEqual(['E0300']);
    expect(codes(inModel('  y = x.shape[2] * 2.0', '[1, 3, H, 8]'))).toEqual(['E0300']);
    expect(errors(inModel('  assert 2 == 2.0 and x.shape[2] == 8.0 and 8 / 2 == 4 and 7 // 2.0 == 3'))).toEqual([]);
    expect(errors(inModel('  assert x.shape[2] * 2 == 16.0', '[1, 3, H, 8]'))).toEqual([]);
    expect(codes(inModel('  assert x.shape[2] == 8.0', '[1, 3, H, 8]'))).toEqual(['W0106']);
  });

  it('builtins: floor, ceil and int give ints; abs, min and max keep the kind of their value', () => {
    const strOf = (e: string) => {
      const r = inModel(`  assert str(${e}) == "?"`);
      const m = errors(r).find((d) => d.code === 'E0500')?.message ?? '';
      return /: "(.*)" == "\?" is false/.exec(m)?.[1];
    };
    expect(strOf('floor(2.5)')).toBe('2');
    expect(strOf('ceil(2.5)')).toBe('3');
    expect(strOf('int(8 / 2)')).toBe('4');
    expect(strOf('abs(-2.5)')).toBe('2.5');
    expect(strOf('abs(-2.0)')).toBe('2.0');
    expect(strOf('abs(-2)')).toBe('2');
    expect(strOf('min(2.0, 3)')).toBe('2.0');
    expect(strOf('max(2.0, 3)')).toBe('3');
    expect(strOf('max([1, 4.0, 4])')).toBe('4.0');
    expect(strOf('float(2)')).toBe('2.0');
  });

  it('min and max of symbolic sizes pick the provably smaller or larger one (max(H, H + 1) was H)', () => {
    const r = inModel('  assert max(H, H + 1) == H + 1\n  assert min(H + 1, H) == H\n  assert max(H, 2 * H + 1) == 2 * H + 1', '[1, 3, H, 8]');
    expect(r.diagnostics).toEqual([]);
    expect(codes(inModel('  y = max(H, 4)', '[1, 3, H, 8]'))).toEqual(['E0300']);
  });
});

describe('str() and messages write floats as Python does', () => {
  it('floatText is Python repr', () => {
    const cases: [number, string][] = [[2, '2.0'], [0.5, '0.5'], [-2.5, '-2.5'], [1e16, '1e+16'], [1e15, '1000000000000000.0'], [1.5e-5, '1.5e-05'], [0.0001, '0.0001'], [0.1 + 0.2, '0.30000000000000004'], [1e21, '1e+21'], [1e308, '1e+308'], [1.2345678901234568e17, '1.2345678901234568e+17'], [0, '0.0'], [-0, '-0.0'], [Infinity, 'inf'], [-Infinity, '-inf']];
    for (const [x, s] of cases) expect(floatText(x), String(x)).toBe(s);
  });

  it('str(2.0) is "2.0", str(2) is "2", str(8 / 2) is "4.0"; names built from them differ', () => {
    const r = inModel('  assert str(2.0) == "2.0" and str(2) == "2" and str(8 / 2) == "4.0" and str(1e3) == "1000.0" and str(0.5) == "0.5" and str(1e16) == "1e+16"');
    expect(r.diagnostics).toEqual([]);
    const failed = inModel('  assert str(2.0) == "2"');
    expect(errors(failed).map((d) => d.message)).toEqual(['assertion failed (str(2.0) == "2": "2.0" == "2" is false)']);
  });
});

describe('exponent literals are floats', () => {
  it('1e3 is the float 1000.0: fine where a float goes, refused where an int goes', () => {
    expect(errors(inModel('  assert 1e3 == 1000 and 2.5e2 == 250 and params < 1e21 and 1e308 > 1e307'))).toEqual([]);
    expect(quoted('model M(x: [1, 8]) {\n  return x -> dense(1e3)\n}')).toEqual([['E0300', '1e3', 'dense: out_features must be an int, got the float 1000.0']]);
    // K/M/G/T keep making ints, also from a fraction (1.5K is 1500); with an exponent the number is a float.
    expect(errors(inModel('  y = x -> flatten -> dense(1.5K)'))).toEqual([]);
    expect(codes(inModel('  y = x -> flatten -> dense(1e3K)'))).toEqual(['E0300']);
  });

  it('1e21 and 1e308 are floats, not too-large ints; a float past the double range is E0102', () => {
    expect(errors(inModel('  a = 1e21\n  b = 1e308\n  assert a < b'))).toEqual([]);
    const inf = errors(inModel('  a = 1e999'));
    expect(inf.map((d) => [d.code, d.message])).toEqual([['E0102', 'number 1e999 is too large (a float is at most about 1.8e308)']]);
    // Integers keep the exact-range check.
    expect(codes(inModel('  a = 9007199254740992'))).toEqual(['E0102']);
  });

  it('huge floats never pass as ints: sizes, attributes, counts, indices and int() are refused', () => {
    for (const [body, input, code] of [
      ['  y = x -> conv2d(1e308, 3)', '[1, 3, 8, 8]', 'E0300'],
      ['  y = x -> flatten -> dense(1e21)', '[1, 3, 8, 8]', 'E0300'],
      ['  y = x -> conv2d(4, 3, padding=(1e308, 1))', '[1, 3, 8, 8]', 'E0300'],
      ['  repeat 1e21 { }', '[1, 3, 8, 8]', 'E0300'],
      ['  r = 0..1e21', '[1, 3, 8, 8]', 'E0300'],
      ['  r = [1] * 1e21', '[1, 3, 8, 8]', 'E0300'],
      ['  r = x.shape[1e21]', '[1, 3, 8, 8]', 'E0300'],
      ['  r = int(1e21)', '[1, 3, 8, 8]', 'E0406'],
      ['  r = floor(1e300)', '[1, 3, 8, 8]', 'E0406'],
      ['', '[1, 3, 1e308, 8]', 'E0300'],
      ['', '[1, 3, 1e21, 8]', 'E0300'],
    ] as const)
      expect(codes(inModel(body, input)), `${body} ${input}`).toEqual([code]);
  });
});

describe('integer arithmetic is exact; only a final value beyond 2^53 − 1 is refused', () => {
  it('2 ** 53 - 1 and other intermediates beyond the range are exact', () => {
    const r = inModel([
      '  assert 2 ** 53 - 1 == 9007199254740991',
      '  assert 2 ** 60 // 2 ** 10 == 2 ** 50',
      '  assert -(2 ** 60) + 2 ** 60 + 7 == 7',
      '  assert (2 ** 64 + 5) % 7 == 0 and (2 ** 64 + 5) // 2 ** 62 == 4',
      '  assert 10 ** 20 // 10 ** 10 * 3 == 30000000000',
      '  assert 1 ** 1000000000000 + 0 ** 5 + (-1) ** 3 == 0 and 0 ** 0 == 1',
      '  assert 2 ** 60 * 0.5 == 576460752303423488.0 and str(2 ** 60 / 2 ** 59) == "2.0"',
      '  y = x -> conv2d(2 ** 70 // 2 ** 66, 1)',
    ].join('\n'));
    expect(errors(r)).toEqual([]);
  });

  it('a final int beyond 2^53 − 1 is E0406 at its expression; comparisons and calls take final values', () => {
    const text = 'model M(x: [1, 8]) {\n  a = 2 ** 60\n  b = 2 ** 53 + 1 != 2 ** 53\n  c = 2 ** 100000 // 2 ** 99990\n  d = x.shape[1] * 2 ** 60\n  e = max(2 ** 60 - 1, 1)\n  return x\n}';
    expect(quoted(text).map(([c, q]) => [c, q])).toEqual([
      ['E0406', '2 ** 60'],
      ['E0406', '2 ** 53 + 1'],
      ['E0406', '2 ** 53'],
      ['E0406', '2 ** 100000'],
      ['E0406', '2 ** 99990'],
      ['E0406', 'x.shape[1] * 2 ** 60'],
      ['E0406', '2 ** 60 - 1'],
    ]);
    expect(quoted(text)[3]![2]).toBe('integer result of more than 4096 bits is beyond 2^53 − 1, where integers are no longer exact');
    // Beyond the range and mixed with a symbolic size: no exact form.
    expect(codes(inModel('  y = x.shape[2] * 2 ** 60 // 2 ** 60', '[1, 3, H, 8]'))).toEqual(['E0406']);
  });

  it('agrees with exact (BigInt) arithmetic on random integer expressions', () => {
    type T = { v: bigint; s: string } | 'zero';
    const lit = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 40n }), fc.bigInt({ min: 0n, max: 20n })).map((v): T => ({ v, s: String(v) }));
    const pow = fc.tuple(fc.integer({ min: 2, max: 10 }), fc.integer({ min: 0, max: 70 })).map(([b, e]): T => ({ v: BigInt(b) ** BigInt(e), s: `${b} ** ${e}` }));
    const floorDiv = (x: bigint, y: bigint) => (x % y !== 0n && (x < 0n) !== (y < 0n) ? x / y - 1n : x / y);
    const combine = (a: T, b: T, op: string): T => {
      if (a === 'zero' || b === 'zero') return 'zero';
      if ((op === '//' || op === '%') && b.v === 0n) return 'zero';
      const v = op === '+' ? a.v + b.v : op === '-' ? a.v - b.v : op === '*' ? a.v * b.v : op === '//' ? floorDiv(a.v, b.v) : ((a.v % b.v) + b.v) % b.v;
      return { v, s: `(${a.s}) ${op} (${b.s})` };
    };
    const tree: fc.Arbitrary<T> = fc.letrec<{ t: T }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small', maxDepth: 4 },
        lit,
        pow,
        fc.tuple(tie('t'), tie('t'), fc.constantFrom('+', '-', '*', '//', '%')).map(([a, b, op]) => combine(a, b, op)),
        tie('t').map((a): T => (a === 'zero' ? a : { v: -a.v, s: `-(${a.s})` })),
        // Back into the range from beyond it: the case that exactness is for.
        fc.tuple(tie('t'), fc.bigInt({ min: 1n, max: 1000n })).map(([a, m]) => combine(a, { v: m, s: String(m) }, '%')),
        fc.tuple(tie('t'), pow).map(([a, p]) => combine(a, p, '//')),
      ),
    })).t;
    const MAX = 2n ** 53n - 1n;
    fc.assert(
      fc.property(tree, (t) => {
        if (t === 'zero') return;
        const r = inModel(`  y = ${t.s}\n  assert y == ${t.v >= -MAX && t.v <= MAX ? String(t.v) : '0'}`);
        if (t.v >= -MAX && t.v <= MAX) expect(r.diagnostics, t.s).toEqual([]);
        else expect(codes(r), t.s).toEqual(['E0406']);
      }),
      { seed: 53, numRuns: 300 },
    );
  });
});

describe('CLI', () => {
  it('dslc check shows the float-for-int error with its hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dslc-numbers-'));
    try {
      const file = join(dir, 'm.nn');
      writeFileSync(file, 'model M(x: [1, 3, 8, 8]) {\n  return x -> conv2d(8 / 2, 3)\n}\n');
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/dslc.cjs'), 'check', 'm.nn'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(r.status).toBe(1);
      expect(r.stdout + r.stderr).toContain('error[E0300]: conv2d: out_channels must be an int, got the float 4.0');
      expect(r.stdout + r.stderr).toContain('help: `/` is true division and gives a float (8 / 2 is 4.0): use `//` for integer division');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('builtins on numbers given a tensor', () => {
  it('sum, prod, max and min say what to write for tensors (sum is not an alias of add: the builtin wins)', () => {
    const text = 'model M(x: [1, 4], y: [1, 4]) {\n  a = x -> sum(y)\n  b = prod([x, y])\n  c = max(x)\n  d = min(x, y)\n  return add(a, b, c, d)\n}\n';
    const got = errors(checkText(text)).map((d) => [d.code, d.message.replace(/ \(.*\)$/, ''), /tensors: (.*)\)$/.exec(d.message)?.[1]]);
    expect(got).toEqual([
      ['E0300', 'sum() needs numbers, got tensor', 'add(a, b) elementwise, reduce_sum(axes=[…]) over axes'],
      ['E0300', 'prod() needs numbers, got tensor', 'mul(a, b) elementwise'],
      ['E0300', 'max() needs numbers, got a tensor', 'reduce_max(axes=[…]), alias amax'],
      ['E0300', 'min() needs numbers, got a tensor', 'no reduce_min layer yet'],
    ]);
  });
});
