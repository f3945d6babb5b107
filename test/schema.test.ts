/**
 * schema/summary.schema.json and schema/diagnostics.schema.json describe what `dslc summary --format json`
 * and `dslc check --format json` really print: real outputs (the CLI's `main`, in-process) of models that
 * exercise every optional field must validate, and mangled ones must not.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../src/cli/main.js';
import { CODES } from '../src/diagnostics/codes.js';
import { DTYPE_BYTES } from '../src/ops/types.js';

const ROOT = resolve(import.meta.dirname, '..');
const summarySchema = JSON.parse(readFileSync(join(ROOT, 'schema/summary.schema.json'), 'utf8'));
const diagnosticsSchema = JSON.parse(readFileSync(join(ROOT, 'schema/diagnostics.schema.json'), 'utf8'));

const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
const validSummary = ajv.compile(summarySchema);
const validDiagnostics = ajv.compile(diagnosticsSchema);

/** Asserts validity, showing ajv's errors on failure. */
function expectValid(validate: typeof validSummary, data: unknown, what: string) {
  const ok = validate(data);
  expect(ok ? [] : validate.errors!.map((e) => `${what}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)).toEqual([]);
}

/** Runs the CLI in-process; returns the exit code and stdout. */
function dslc(argv: string[]): { code: number; out: string } {
  let out = '';
  const code = main(argv, { out: (s) => (out += s), err: () => {}, isTTY: false, env: {} });
  // The commands this test runs (check, summary) finish synchronously.
  if (typeof code !== 'number') throw new Error(`dslc ${argv.join(' ')} returned a promise`);
  return { code, out };
}

let dir = '';
const MODELS: Record<string, string> = {
  // conv/pool (rf with start), dense (no rf), BatchNorm (non-trainable params)
  'cnn.nn': `model Cnn(x: [N, 3, 32, 32]) -> (y: [N, 10]) {
  y = x -> conv2d(8, 3, padding=1, bias=false) -> batchnorm -> relu -> max_pool2d(2) -> global_avg_pool -> flatten -> dense(10)
  return y
}
`,
  // symbolic spatial sizes (dim-expression strings, null memory), blocks (for --depth), upsampling (fractional jump)
  'blocks.nn': `block unit(x: Tensor, c: int) -> Tensor {
  return x -> conv2d(c, 3, stride=2, padding=1) -> relu
}
model Blocks(x: [N, 3, H, W]) -> (y: [N, 4, H, W]) where H % 4 == 0, W % 4 == 0 {
  y = x -> unit(8) -> upsample(scale_factor=4) -> unit(16) -> conv2d(4, 1)
  return y
}
`,
  // 'same' padding with a stride on a symbolic size: the rf start is unknown
  'same.nn': `model Same(x: [N, 3, H, W]) -> (y: [N, 4, H, W]) {
  y = x -> conv2d(4, 3, stride=2, padding='same') -> upsample(scale_factor=2)
  return y
}
`,
  // warnings only
  'warn.nn': `model Warn(x: [N, 4], z: [N, 4]) -> (y: [N, 2]) {
  y = x -> dense(2)
  return y
}
`,
  // one block instance applied twice (sharedWith), two inputs
  'shared.nn': `block tower(x: Tensor) -> Tensor {
  return x -> conv2d(4, 3) -> relu -> global_avg_pool -> flatten
}
model Shared(a: [N, 1, 16, 16], b: [N, 1, 16, 16]) -> (y: [N, 1]) {
  t = tower(name="tower")
  y = (a -> t, b -> t) -> concat(axis=1) -> dense(1)
  return y
}
`,
  // integer inputs, recurrent layer
  'text.nn': `model Text(tokens: int64[N, 20]) -> (y: [N, 2]) {
  y = tokens -> embedding(100, 8) -> lstm(16, return_sequences=false) -> dense(2)
  return y
}
`,
  // counts beyond 2^53 − 1 (E0406): approximate numbers, listed under `inexact`
  'huge.nn': `model Huge(x: [1, 3, 100000000, 100000000]) {
  return x -> conv2d(4096, 3)
}
`,
  // errors of several kinds, with notes (E0205) and a failing assertion that still yields a summary
  'bad.nn': `block b(x: Tensor) -> Tensor {
  return x -> relu
}
block b(x: Tensor) -> Tensor {
  return x -> relu
}
model Bad(x: [N, 3, 8, 8], unused: [N, 2]) -> (y: [N, 4]) {
  y = x -> conv2d(4, 9) -> flatten -> dense(4, foo=1)
  return y
}
model Asserting(x: [N, 4]) -> (y: [N, 2]) {
  y = x -> dense(2)
  assert params < 5
  return y
}
`,
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dslc-schema-'));
  for (const [f, text] of Object.entries(MODELS)) writeFileSync(join(dir, f), text);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const summaryOf = (file: string, ...flags: string[]) => {
  const r = dslc(['summary', join(dir, file), '--format', 'json', ...flags]);
  expect(r.out, `summary of ${file} ${flags.join(' ')} printed nothing`).not.toBe('');
  return JSON.parse(r.out);
};

describe('summary.schema.json', () => {
  const cases: [string, string[]][] = [
    ['cnn.nn', []],
    ['cnn.nn', ['--input-shape', 'N=2']],
    ['blocks.nn', []],
    ['blocks.nn', ['--depth', '1']],
    ['blocks.nn', ['--input-shape', 'N=1,H=64,W=64']],
    ['same.nn', []],
    ['shared.nn', []],
    ['shared.nn', ['--depth', '1']],
    ['text.nn', []],
    ['bad.nn', ['--model', 'Asserting']],
    ['huge.nn', []],
  ];
  test.each(cases)('accepts the summary of %s %j', (file, flags) => {
    expectValid(validSummary, summaryOf(file, ...flags), `${file} ${flags.join(' ')}`);
  });

  test('the models above exercise every optional field and both forms of a quantity', () => {
    const all = cases.map(([f, flags]) => summaryOf(f, ...flags));
    const layers = all.flatMap((s) => s.layers);
    expect(layers.some((l) => l.rf?.start)).toBe(true);
    expect(layers.some((l) => l.rf && !l.rf.start)).toBe(true); // start depends on a symbolic size
    expect(layers.some((l) => !l.rf)).toBe(true);
    expect(layers.some((l) => l.rf?.jump.some((j: number) => !Number.isInteger(j)))).toBe(true);
    expect(layers.some((l) => l.sharedWith)).toBe(true);
    expect(layers.some((l) => l.layers)).toBe(true);
    expect(layers.some((l) => l.outputShape.some((d: unknown) => typeof d === 'string'))).toBe(true);
    expect(all.some((s) => typeof s.totals.macs === 'string')).toBe(true);
    expect(all.some((s) => s.totals.peakActivationBytes === null)).toBe(true);
    expect(all.some((s) => s.inputs.some((p: { dtype: string }) => p.dtype === 'int64'))).toBe(true);
    expect(all.some((s) => s.totals.nonTrainableParams > 0)).toBe(true);
    expect(layers.some((l) => l.inexact)).toBe(true);
    expect(all.some((s) => s.totals.inexact)).toBe(true);
  });

  test('accepts the summary of every example model', () => {
    const dirEx = join(ROOT, 'examples');
    const files = existsSync(dirEx) ? readdirSync(dirEx).filter((f) => f.endsWith('.nn')) : [];
    for (const f of files) {
      const r = dslc(['summary', join(dirEx, f), '--format', 'json']);
      if (r.out) expectValid(validSummary, JSON.parse(r.out), `examples/${f}`);
    }
  });

  const mangle: [string, (s: any) => void][] = [
    ['a wrong schemaVersion', (s) => (s.schemaVersion = 2)],
    ['a fractional dimension', (s) => (s.layers[0].outputShape[1] = 7.5)],
    ['a numeric string as a dimension', (s) => (s.inputs[0].shape[0] = '1')],
    ['a negative parameter count', (s) => (s.layers[0].params = -1)],
    ['a missing totals field', (s) => delete s.totals.flops],
    ['missing totals', (s) => delete s.totals],
    ['an unknown layer field', (s) => (s.layers[0].colour = 'red')],
    ['an unknown dtype', (s) => (s.inputs[0].dtype = 'float8')],
    ['rf as a number', (s) => (s.layers[0].rf = 3)],
    ['shape as a string', (s) => (s.outputs[0].shape = '[N, 10]')],
    ['MACs as a float', (s) => (s.totals.macs = 1.5)],
    ['an empty inexact list', (s) => (s.totals.inexact = [])],
    ['an unknown inexact field', (s) => (s.layers[0].inexact = ['path'])],
  ];
  test.each(mangle)('rejects a summary with %s', (_what, f) => {
    const s = summaryOf('cnn.nn');
    expectValid(validSummary, s, 'before mangling');
    f(s);
    expect(validSummary(s)).toBe(false);
  });

  test('the fields listed as inexact are count fields of the schema', () => {
    const huge = summaryOf('huge.nn');
    for (const o of [huge.totals, ...huge.layers]) for (const f of o.inexact ?? []) expect(summarySchema.$defs.inexact.items.enum).toContain(f);
  });

  test('its dtype list is the op registry\'s', () => {
    expect([...summarySchema.$defs.dtype.enum].sort()).toEqual(Object.keys(DTYPE_BYTES).sort());
  });
});

describe('diagnostics.schema.json', () => {
  test('accepts check --format json of files with errors, notes and warnings, and of a clean file', () => {
    const bad = dslc(['check', join(dir, 'bad.nn'), join(dir, 'warn.nn'), '--format', 'json']);
    expect(bad.code).toBe(1);
    const out = JSON.parse(bad.out);
    expectValid(validDiagnostics, out, 'bad.nn');
    const ds = out.diagnostics as { code: string; severity: string; notes: { span?: unknown }[] }[];
    expect(ds.some((d) => d.notes.some((n) => n.span))).toBe(true);
    expect(ds.some((d) => d.severity === 'warning')).toBe(true);
    const clean = dslc(['check', join(dir, 'cnn.nn'), '--format', 'json']);
    expect(clean.code).toBe(0);
    expectValid(validDiagnostics, JSON.parse(clean.out), 'cnn.nn');
  });

  test('accepts diagnostics without a span (budgets, unknown model, baseline)', () => {
    writeFileSync(join(dir, 'junk.json'), '{"not": "a summary"}');
    for (const flags of [['--max-params', '10'], ['--model', 'Nope'], ['--baseline', join(dir, 'junk.json')]]) {
      const r = dslc(['check', join(dir, 'cnn.nn'), '--format', 'json', ...flags]);
      expect(r.code).toBe(1);
      expectValid(validDiagnostics, JSON.parse(r.out), flags.join(' '));
    }
  });

  test('accepts the diagnostics of every model in test/bad', () => {
    const bad = join(ROOT, 'test/bad');
    const r = dslc(['check', bad, '--format', 'json']);
    expectValid(validDiagnostics, JSON.parse(r.out), 'test/bad');
  });

  test('every diagnostic code and severity fits the schema', () => {
    const code = new RegExp(diagnosticsSchema.$defs.diagnostic.properties.code.pattern);
    for (const [c, info] of Object.entries(CODES)) {
      expect(c).toMatch(code);
      expect(diagnosticsSchema.$defs.diagnostic.properties.severity.enum).toContain(info.severity);
    }
  });

  const mangle: [string, (d: any) => void][] = [
    ['an unknown severity', (d) => (d.severity = 'fatal')],
    ['a malformed code', (d) => (d.code = 'X12')],
    ['no notes', (d) => delete d.notes],
    ['a span without a file', (d) => delete d.span.file],
    ['a zero line', (d) => (d.span.line = 0)],
  ];
  test.each(mangle)('rejects a diagnostic with %s', (_what, f) => {
    const out = JSON.parse(dslc(['check', join(dir, 'bad.nn'), '--format', 'json']).out);
    const d = out.diagnostics.find((x: { span?: unknown }) => x.span);
    f(d);
    expect(validDiagnostics(out)).toBe(false);
  });
});
