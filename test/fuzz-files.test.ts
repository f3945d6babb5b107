/**
 * Robustness of the readers of user-supplied files other than `.nn` sources: `.npy` (`dslc run --input`),
 * `--weights` `.safetensors` and `.onnx` (with dslc's packed layouts and external data), `--weights-map` rules,
 * `--baseline` summaries and `--input-shape` strings. Each property mutates valid files (truncation, flipped
 * bytes, huge or negative sizes, wrong dtypes, odd JSON) and asserts that the reader returns a value or its own
 * error (NpyError, an error string, a diagnostic, a UsageError) — never another exception — within a time bound,
 * without allocating what a header merely claims. Fixed seeds; FUZZ_RUNS=N multiplies the runs, FUZZ_SEED=S
 * explores new cases (as in test/fuzz.test.ts). Regressions for the bugs found follow each property.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { NpyError, readNpy, writeNpy } from '../src/lower/npy.js';
import { exportOnnx, lowerOnnx } from '../src/lower/onnx/export.js';
import { type Chunks, join as joinChunks } from '../src/lower/onnx/encode.js';
import { unpackOnnxWeights } from '../src/lower/onnx/unpack.js';
import { externalDataIn, matchWeights, readOnnxWeights, readSafetensors, type WeightTensor } from '../src/lower/weights-file.js';
import { matchByStructure, parseRenameRules, renameTensors } from '../src/lower/weights-map.js';
import { compareBaseline } from '../src/cli/baseline.js';
import { parseArgs, UsageError } from '../src/cli/args.js';
import { summarize } from '../src/api.js';
import { checkText } from './helpers/compile.js';

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const SEED = Number(process.env.FUZZ_SEED ?? 0);
const runs = (n: number) => ({ numRuns: Math.max(1, Math.round(n * SCALE)) });
/** A reader call must finish in this time whatever its input (generous: the machine is shared). */
const BOUND_MS = 500;

/** Runs `f` and returns its result or the exception, failing when it takes longer than BOUND_MS. */
function timed<T>(f: () => T): T | unknown {
  const t0 = performance.now();
  let r: T | unknown;
  try {
    r = f();
  } catch (e) {
    r = e;
  }
  expect(performance.now() - t0).toBeLessThan(BOUND_MS);
  return r;
}

/** Messages are one readable line, however long the names and shapes in the file. */
const MAX_MESSAGE = 600;
function shortMessages(ds: readonly { message: string }[]): void {
  for (const d of ds) expect(d.message.length, d.message.slice(0, 200)).toBeLessThan(MAX_MESSAGE);
}

// ---------------------------------------------------------------------------------------------------
// Byte mutations: the edits a damaged download or a hand-edited header makes.

type Edit = { at: number; kind: 'set'; v: number } | { at: number; kind: 'cut' } | { at: number; kind: 'int'; width: 2 | 4 | 8; v: bigint } | { at: number; kind: 'insert'; bytes: number[] };
const SPECIAL = [0n, 1n, 0x7fn, 0xffn, 0x7fffn, 0xffffn, 0x7fffffffn, 0xffffffffn, 2n ** 53n, 2n ** 60n, 2n ** 63n - 1n, 2n ** 64n - 1n];
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.constant('set' as const), v: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.constant('cut' as const) }),
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.constant('int' as const), width: fc.constantFrom(2 as const, 4 as const, 8 as const), v: fc.constantFrom(...SPECIAL) }),
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.constant('insert' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 16 }) }),
);
/** Header bytes are where most of the meaning is: half the edits land in the first `head` bytes. */
function mutate(base: Uint8Array, edits: readonly Edit[], head: number): Uint8Array {
  let b = new Uint8Array(base);
  edits.forEach((e, i) => {
    const span = i % 2 === 0 ? Math.min(head, b.length) : b.length;
    const at = Math.min(Math.floor(e.at * span), Math.max(0, b.length - 1));
    if (e.kind === 'set' && b.length) b[at] = e.v;
    else if (e.kind === 'cut') b = b.slice(0, at);
    else if (e.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...e.bytes, ...b.subarray(at)]);
    else if (e.kind === 'int') for (let k = 0; k < e.width && at + k < b.length; k++) b[at + k] = Number((e.v >> BigInt(8 * k)) & 0xffn);
  });
  return b;
}
const edits = fc.array(editArb, { minLength: 1, maxLength: 4 });

// ---------------------------------------------------------------------------------------------------
// .npy

const NPY_DIR = join(import.meta.dirname, 'fixtures/npy');
const NPYS = readdirSync(NPY_DIR).filter((f) => f.endsWith('.npy')).map((f) => new Uint8Array(readFileSync(join(NPY_DIR, f))));

/** A `.npy` with this header text and `data` bytes after it (version 1, 2 or 3 as asked). */
function npy(dict: string, data = new Uint8Array(0), version = 1): Uint8Array {
  const h = new TextEncoder().encode(`${dict}\n`);
  const pre = version === 1 ? 10 : 12;
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  out.set(h, pre);
  out.set(data, pre + h.length);
  return out;
}

const dimText = fc.oneof(fc.nat({ max: 9 }).map(String), fc.constantFrom('0', '3L', '-1', '1.5', '1e3', 'nan', '9'.repeat(30), String(2 ** 53 + 2), String(2 ** 32)), fc.string({ maxLength: 4 }));
const npyHeader = fc
  .record({
    descr: fc.constantFrom('<f4', '>f4', '|u1', '|b1', '<i8', '<f8', '<i4', '<c8', 'O', '<f4<f4', ''),
    fortran: fc.constantFrom('False', 'True', 'false', '0'),
    shape: fc.array(dimText, { maxLength: 5 }),
    quote: fc.constantFrom("'", '"'),
    dup: fc.boolean(),
  })
  .map(({ descr, fortran, shape, quote: q, dup }) => `{${q}descr${q}: ${q}${descr}${q}, ${q}fortran_order${q}: ${fortran}, ${q}shape${q}: (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), ${dup ? `${q}shape${q}: (2, 2), ` : ''}}`);

describe('.npy reader', () => {
  const ok = (r: unknown) => r instanceof NpyError || (typeof r === 'object' && r !== null && 'shape' in r);

  it('mutated NumPy files: a value or an NpyError', () => {
    fc.assert(fc.property(fc.nat(NPYS.length - 1), edits, (i, e) => ok(timed(() => readNpy(mutate(NPYS[i]!, e, 128))))), { seed: 1 + SEED, ...runs(400) });
  });

  it('generated headers: a value or an NpyError, never more data than the file holds', () => {
    fc.assert(
      fc.property(npyHeader, fc.nat(64), fc.constantFrom(1, 2, 3), (dict, n, version) => {
        const r = timed(() => readNpy(npy(dict, new Uint8Array(n), version)));
        if (!ok(r)) return false;
        if (r instanceof NpyError) return true;
        // (every size exact, and the data within the file)
        const a = r as { shape: number[]; data: { length: number } };
        return a.shape.every(Number.isSafeInteger) && a.data.length <= n && a.data.length === a.shape.reduce((x, d) => x * d, 1);
      }),
      { seed: 2 + SEED, ...runs(400) },
    );
  });

  it('refuses sizes beyond 2^53, even where a 0 elsewhere leaves no data to check them against', () => {
    const big = (shape: string) => () => readNpy(npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (${shape}), }`));
    expect(big('0, 99999999999999999999')).toThrow(/size beyond 2\^53/);
    expect(big(`0, ${'9'.repeat(400)}`)).toThrow(/size beyond 2\^53/);
    expect(big('1152921504606846976,')).toThrow(/size beyond 2\^53/);
  });

  it("refuses headers over NumPy's 10000 bytes, quickly (the header's regular expressions are quadratic on some text)", () => {
    const r = timed(() => readNpy(npy(`{'descr': '<f4', 'fortran_order': False, ${"'shape': (".repeat(20000)}`, new Uint8Array(0), 2)));
    expect(r).toBeInstanceOf(NpyError);
    expect((r as Error).message).toBe('the header is 200042 bytes; at most 10000 are read, as NumPy does by default');
  });

  it('refuses more dimensions than NumPy allows, with a short message', () => {
    const r = timed(() => readNpy(npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (${'1,'.repeat(4000)}), }`, new Uint8Array(4))));
    expect(r).toBeInstanceOf(NpyError);
    expect((r as Error).message).toMatch(/4000 dimensions \(NumPy allows at most 64\)/);
    expect((r as Error).message.length).toBeLessThan(200);
    // dslc's own files still read back
    expect(readNpy(writeNpy(new Float32Array(6), [1, 2, 3])).shape).toEqual([1, 2, 3]);
  });
});

// ---------------------------------------------------------------------------------------------------
// .safetensors

function safetensors(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
const VALID_ST = safetensors(JSON.stringify({ __metadata__: { format: 'pt' }, 'fc.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] }, 'fc.bias': { dtype: 'F16', shape: [2], data_offsets: [24, 28] } }), new Uint8Array(28));

const oddNumber = fc.constantFrom(-1, 0, 1, 1.5, 2 ** 31, 2 ** 53, 2 ** 60, 1e308, -0);
const oddValue: fc.Arbitrary<unknown> = fc.oneof(oddNumber, fc.constantFrom(null, '4', true, [], {}), fc.jsonValue({ maxDepth: 2 }));
const stEntry = fc.record(
  {
    dtype: fc.oneof(fc.constantFrom('F32', 'F16', 'F64', 'BF16', 'I64', 'U8', 'BOOL', 'Q4', ''), oddValue),
    shape: fc.oneof(fc.array(fc.oneof(fc.nat(6), oddNumber), { maxLength: 4 }), fc.constant(Array(5000).fill(1)), oddValue),
    data_offsets: fc.oneof(fc.tuple(fc.nat(64), fc.nat(64)), fc.array(oddNumber, { maxLength: 3 }), oddValue),
  },
  { requiredKeys: [] },
);
const stHeader = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('fc.weight', '__metadata__', '__proto__', 'constructor', `${'x'.repeat(5000)}.weight`, `fc.${'w'.repeat(5000)}`), fc.string({ maxLength: 6 })), fc.oneof({ weight: 4, arbitrary: stEntry }, oddValue), { maxKeys: 4 }).map((d) => JSON.stringify(d)) },
  { weight: 1, arbitrary: oddValue.map((v) => JSON.stringify(v) ?? '') },
  // duplicate keys (JSON.parse keeps the last), deep nesting, text that is not JSON
  { weight: 1, arbitrary: fc.constantFrom('{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "a": null}', `${'['.repeat(5000)}${']'.repeat(5000)}`, `{"a": ${'{"b": '.repeat(3000)}1${'}'.repeat(3000)}}`, '{"a": NaN}', '{"a": Infinity}', '\u0000') },
);

describe('.safetensors reader', () => {
  const ok = (r: unknown) => typeof r === 'string' || r instanceof Map;

  it('mutated files: tensors or an error string', () => {
    fc.assert(fc.property(edits, (e) => ok(timed(() => readSafetensors(mutate(VALID_ST, e, 200))))), { seed: 3 + SEED, ...runs(400) });
  });

  it('generated headers: tensors or an error string; every tensor read has exact sizes and its data', () => {
    fc.assert(
      fc.property(stHeader, fc.nat(64), (h, n) => {
        const r = timed(() => readSafetensors(safetensors(h, new Uint8Array(n))));
        if (!ok(r)) return false;
        if (typeof r === 'string') return r.length < MAX_MESSAGE;
        // the tensors then go through the matching of the weights, which must not throw either
        const tensors = r as Map<string, WeightTensor>;
        shortMessages(matchWeights(NET, 'w.safetensors', tensors).diagnostics);
        shortMessages(matchByStructure(NET, 'w.safetensors', tensors).diagnostics);
        return [...tensors.values()].every((t) => t.dims.every(Number.isSafeInteger) && (!t.data || t.data.length === t.dims.reduce((a, d) => a * d, 1)));
      }),
      { seed: 4 + SEED, ...runs(400) },
    );
  });

  it('reports a malformed header as an error string, not a TypeError', () => {
    expect(readSafetensors(safetensors('{"a": null}'))).toMatch(/tensor "a": expected \{"dtype", "shape", "data_offsets"\}/);
    expect(readSafetensors(safetensors('{"a": {"dtype": "F32", "shape": [1]}}'))).toMatch(/"data_offsets" is not a pair of byte offsets/);
    expect(readSafetensors(safetensors('{"a": {"dtype": "F32", "shape": "abc", "data_offsets": [0, 0]}}'))).toMatch(/"shape" is not a list of sizes/);
    expect(readSafetensors(safetensors('null'))).toMatch(/not a JSON object of tensors/);
    expect(readSafetensors(safetensors('[1, 2]'))).toMatch(/not a JSON object of tensors/);
    expect(readSafetensors(safetensors('{"a": {"dtype": "F32", "shape": [-1, -1], "data_offsets": [0, 4]}}', new Uint8Array(4)))).toMatch(/"shape" is not a list of sizes: \[-1,-1\]/);
    expect(readSafetensors(safetensors('{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0.5, 4.5]}}', new Uint8Array(8)))).toMatch(/not a pair of byte offsets/);
  });

  it("refuses a header over the format's 100 MB without parsing it", () => {
    const big = new Uint8Array(100_000_009);
    new DataView(big.buffer).setBigUint64(0, 100_000_001n, true);
    big.fill(0x20, 8); // (spaces, then {}: valid JSON, so that only the limit refuses it)
    big.set([0x7b, 0x7d], big.length - 2);
    expect(timed(() => readSafetensors(big))).toBe('the header is 100000001 bytes; the format allows at most 100000000');
  });

  it('names a data size that does not match the shape, instead of calling the float32 tensor "not float"', () => {
    expect(readSafetensors(safetensors('{"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}}', new Uint8Array(20)))).toBe('tensor "a": shape [2, 3] of F32 needs 24 bytes, data_offsets give 20');
    expect(readSafetensors(safetensors(`{"a": {"dtype": "F32", "shape": [${2 ** 40}, ${2 ** 40}], "data_offsets": [0, 0]}}`))).toMatch(/needs 4\.8\d*e\+24 bytes/);
  });
});

// ---------------------------------------------------------------------------------------------------
// .onnx (dslc's own export: packed LSTM/GRU/dense layouts, external data)

const SRC = `model Net(x: [N, 5, 4]) -> (y: [N, 2]) {
  y = x -> lstm(16, name="lstm") -> gru(2, return_sequences=false, name="gru") -> dense(2, name="fc")
  return y
}`;
const NET = checkText(SRC).models[0]!;
const ONNX = exportOnnx(NET, { seed: 1 }).result!;
const join_ = (c: Chunks | undefined): Uint8Array => (c ? joinChunks(c) : new Uint8Array(0));
/** The same export with its weights in `w.onnx.data` (the LSTM's matrices are over the 1 KB kept inline). */
const EXT = ((a) => ({ model: join_(a.model), data: join_(a.data) }))(lowerOnnx(NET, { seed: 1, externalData: { location: 'w.onnx.data' } }).result!);
const T = onnxProto.onnx.TensorProto;

/** Reads, unpacks and matches as `--weights` does; every step must return, whatever the file. */
function loadOnnx(bytes: Uint8Array, side?: Uint8Array): unknown {
  return timed(() => {
    const info: { opset?: number } = {};
    const r = readOnnxWeights(bytes, info, externalDataIn(new Map(side ? [['w.onnx.data', side]] : [])));
    if (typeof r === 'string') return (expect(r.length).toBeLessThan(MAX_MESSAGE), r);
    const u = unpackOnnxWeights(NET, 'w.onnx', r, info.opset);
    const m = matchWeights(NET, 'w.onnx', u.tensors);
    shortMessages([...u.diagnostics, ...m.diagnostics]);
    return m;
  });
}
const onnxOk = (r: unknown) => typeof r === 'string' || (typeof r === 'object' && r !== null && 'weights' in r);

type TensorEdit = { i: number; dims?: number[]; dataType?: number; cut?: number; external?: [string, string][]; name?: string };
const tensorEdit: fc.Arbitrary<TensorEdit> = fc.record(
  {
    i: fc.nat(20),
    dims: fc.oneof(fc.array(fc.oneof(fc.nat(8), fc.constantFrom(-1, 2 ** 31, 2 ** 53, 2 ** 62)), { maxLength: 4 }), fc.constant(Array<number>(5000).fill(1))),
    name: fc.constantFrom('fc.weight', 'lstm.W_l0', `${'n'.repeat(5000)}.weight`, ''),
    dataType: fc.oneof(fc.constantFrom(1, 10, 11, 16), fc.nat(25)),
    cut: fc.nat(64),
    external: fc.array(fc.tuple(fc.constantFrom('location', 'offset', 'length', 'checksum'), fc.oneof(fc.constantFrom('w.onnx.data', '../w.onnx.data', '/etc/passwd', 'missing', '0', '-4', '4', '1e3', '99999999999999999999', ''), fc.string({ maxLength: 4 }))), { maxLength: 4 }),
  },
  { requiredKeys: ['i'] },
);
function editOnnx(base: Uint8Array, es: readonly TensorEdit[]): Uint8Array {
  const m = onnxProto.onnx.ModelProto.decode(base);
  const inits = m.graph!.initializer!;
  for (const e of es) {
    const t = inits[e.i % inits.length]!;
    if (e.dims) t.dims = e.dims;
    if (e.name !== undefined) t.name = e.name;
    if (e.dataType !== undefined) t.dataType = e.dataType;
    if (e.cut !== undefined && t.rawData?.length) t.rawData = t.rawData.subarray(0, Math.min(e.cut, t.rawData.length));
    if (e.external) (t.dataLocation = T.DataLocation.EXTERNAL), (t.externalData = e.external.map(([key, value]) => ({ key, value })));
  }
  return onnxProto.onnx.ModelProto.encode(m).finish();
}

describe('.onnx weights reader', () => {
  it('mutated bytes of dslc exports: weights, diagnostics or an error string', () => {
    fc.assert(fc.property(fc.boolean(), edits, (ext, e) => onnxOk(loadOnnx(mutate(ext ? EXT.model : ONNX, e, 400), EXT.data))), { seed: 5 + SEED, ...runs(300) });
  });

  it('edited initializers (dims, dtypes, truncated or external data): weights, diagnostics or an error string', () => {
    fc.assert(fc.property(fc.boolean(), fc.array(tensorEdit, { minLength: 1, maxLength: 3 }), (ext, es) => onnxOk(loadOnnx(editOnnx(ext ? EXT.model : ONNX, es), EXT.data))), { seed: 6 + SEED, ...runs(300) });
  });

  it("reads dslc's own --external-data export", () => {
    const r = loadOnnx(EXT.model, EXT.data) as ReturnType<typeof matchWeights>;
    const inline = loadOnnx(ONNX) as ReturnType<typeof matchWeights>;
    expect(r.diagnostics).toEqual([]);
    expect(r.weights.size).toBeGreaterThan(0);
    expect([...r.weights]).toEqual([...inline.weights]);
    expect(readOnnxWeights(EXT.model)).toMatch(/its data is in an external file \(w\.onnx\.data\), which is not read here/);
  });

  it('refuses dims that are not sizes, raw data of a partial value, and external data outside its file', () => {
    expect(readOnnxWeights(editOnnx(ONNX, [{ i: 0, dims: [-1, 4] }]))).toMatch(/dims \[-1, 4\] are not sizes/);
    expect(readOnnxWeights(editOnnx(ONNX, [{ i: 0, dims: [2 ** 62] }]))).toMatch(/are not sizes/);
    const t0 = onnxProto.onnx.ModelProto.decode(ONNX).graph!.initializer!.findIndex((t) => t.dataType === 1 && (t.rawData?.length ?? 0) > 4);
    expect(readOnnxWeights(editOnnx(ONNX, [{ i: t0, cut: 7 }]))).toMatch(/7 bytes of raw data are not a whole number of float32 values/);
    const ext = (kv: [string, string][]) => loadOnnx(editOnnx(ONNX, [{ i: t0, external: kv }]), new Uint8Array(16));
    expect(ext([['location', 'w.onnx.data'], ['offset', '8'], ['length', '16']])).toMatch(/lies outside that file \(16 bytes\)/);
    expect(ext([['location', 'w.onnx.data'], ['offset', '17']])).toMatch(/\(w\.onnx\.data, offset 17, length the rest\) lies outside that file \(16 bytes\)/);
    expect(ext([['location', 'w.onnx.data'], ['offset', '-4']])).toMatch(/its external data's offset '-4' is not a byte count/);
    expect(ext([['location', 'w.onnx.data'], ['length', '1e3']])).toMatch(/its external data's length '1e3' is not a byte count/);
    expect(ext([['location', 'other.data']])).toMatch(/its external data file other\.data was not given/);
    expect(ext([['offset', '0']])).toMatch(/no location is given/);
  });

  it('reads float16 initializers (raw and int32_data), which the messages call a weight dtype', () => {
    const m = onnxProto.onnx.ModelProto.decode(ONNX);
    const t = m.graph!.initializer!.find((x) => x.name === 'fc.bias')!;
    t.dataType = 10;
    t.rawData = new Uint8Array([0x00, 0x3c, 0x00, 0xc0]); // 1, -2
    expect((readOnnxWeights(onnxProto.onnx.ModelProto.encode(m).finish()) as Map<string, WeightTensor>).get('fc.bias')?.data).toEqual(Float32Array.from([1, -2]));
    t.rawData = new Uint8Array(0);
    t.int32Data = [0x3c00, 0xc000];
    expect((readOnnxWeights(onnxProto.onnx.ModelProto.encode(m).finish()) as Map<string, WeightTensor>).get('fc.bias')?.data).toEqual(Float32Array.from([1, -2]));
  });
});

// ---------------------------------------------------------------------------------------------------
// --weights-map rules, --baseline, --input-shape

describe('--weights-map rules', () => {
  const tensors = readOnnxWeights(ONNX) as Map<string, WeightTensor>;
  it('any JSON: rules or an error string; renaming with them returns', () => {
    const rule = fc.oneof(fc.tuple(fc.constantFrom('^fc', '(', '\\', '.*', '[a-', '(?<n>l)', '$'), fc.string({ maxLength: 4 })), fc.record({ from: oddValue, to: oddValue }, { requiredKeys: [] }), oddValue);
    fc.assert(
      fc.property(fc.oneof(fc.array(rule, { maxLength: 4 }).map((r) => JSON.stringify(r)), fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), fc.string()), (text) => {
        const rules = timed(() => parseRenameRules(text));
        if (typeof rules === 'string') return true;
        if (!Array.isArray(rules)) return false;
        const r = timed(() => renameTensors(tensors, rules));
        return typeof r === 'string' || (typeof r === 'object' && r !== null && 'tensors' in r);
      }),
      { seed: 7 + SEED, ...runs(300) },
    );
  });
});

describe('--baseline summaries', () => {
  const good = summarize(NET);
  const mutateSummary = fc.record({ path: fc.constantFrom('model', 'totals', 'totals.params', 'totals.macs', 'totals.peakActivationBytes', 'models'), value: fc.oneof(fc.constantFrom(null, -1, 'N*2', {}, 'M'.repeat(5000), Array.from({ length: 1000 }, (_, i) => ({ model: `m${i}`, totals: {} }))), oddValue) });
  it('any JSON: diagnostics, never an exception', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? '') }, { weight: 3, arbitrary: mutateSummary.map(({ path, value }) => {
        const s = JSON.parse(JSON.stringify(good)) as Record<string, Record<string, unknown>>;
        const [a, b] = path.split('.') as [string, string | undefined];
        if (b) s[a]![b] = value;
        else (s as Record<string, unknown>)[a] = value;
        return JSON.stringify(s);
      }) }), (text) => {
        const r = timed(() => compareBaseline('b.json', text, [good], 0.02));
        if (!Array.isArray(r)) return false;
        shortMessages(r as { message: string }[]);
        return true;
      }),
      { seed: 8 + SEED, ...runs(400) },
    );
  });

  it('refuses totals that are null or negative as not a summary', () => {
    const with_ = (totals: unknown) => compareBaseline('b.json', JSON.stringify([{ model: 'Net', totals }]), [good], 0);
    expect(with_(null).map((d) => d.message)).toEqual([expect.stringMatching(/baseline b\.json is not a dslc summary/)]);
    expect(with_({ macs: -5 }).map((d) => d.message)).toEqual([expect.stringMatching(/is not a dslc summary/)]);
    expect(with_({ params: { n: 1 } }).map((d) => d.message)).toEqual([expect.stringMatching(/is not a dslc summary/)]);
    // symbolic counts (strings) and unknown peaks (null) are what summaries write
    expect(with_({ ...good.totals, macs: 'N*10', peakActivationBytes: null })).toEqual([]);
  });
});

describe('--input-shape', () => {
  it('any text: a map of sizes or a UsageError', () => {
    const text = fc.oneof(fc.string(), fc.array(fc.tuple(fc.constantFrom('N', 'H', 'n', '1', ''), fc.constantFrom('=', '==', ':'), fc.oneof(fc.nat().map(String), fc.constantFrom('0', '-1', '1.5', '9'.repeat(40), '1e3', ''))), { maxLength: 3 }).map((ps) => ps.map((p) => p.join('')).join(',')));
    fc.assert(
      fc.property(text, (s) => {
        const r = timed(() => parseArgs(['check', 'a.nn', '--input-shape', s]));
        return r instanceof UsageError || [...((r as { inputShapes?: Map<string, number> }).inputShapes ?? new Map<string, number>()).values()].every((v) => Number.isSafeInteger(v) && v >= 1);
      }),
      { seed: 9 + SEED, ...runs(300) },
    );
  });

  it('--batch, --bench, --depth: integers a double holds exactly (1e20 would be written to ONNX as a wrapped int64)', () => {
    expect(() => parseArgs(['compile', 'a.nn', '--emit', 'onnx', '--batch', '1e20'])).toThrow('--batch must be a positive integer below 2^53');
    expect(() => parseArgs(['compile', 'a.nn', '--emit', 'onnx', '--batch', '9007199254740993'])).toThrow(UsageError);
    expect(() => parseArgs(['run', 'a.nn', '--random', '--bench', '1e300'])).toThrow(UsageError);
    expect(() => parseArgs(['summary', 'a.nn', '--depth', '1e300'])).toThrow(UsageError);
    expect(parseArgs(['compile', 'a.nn', '--emit', 'onnx', '--batch', '1e3']).batch).toBe(1000);
  });

  it('refuses a size beyond 2^53 (it would be checked as another number)', () => {
    expect(() => parseArgs(['check', 'a.nn', '--input-shape', 'N=9007199254740993'])).toThrow('--input-shape N=9007199254740993: sizes must be below 2^53');
    expect(parseArgs(['check', 'a.nn', '--input-shape', 'N=9007199254740991']).inputShapes?.get('N')).toBe(2 ** 53 - 1);
  });
});
