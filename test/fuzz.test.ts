/**
 * Robustness of the public API on hostile and broken input.
 *
 * 1. Mutation fuzzing (fast-check, fixed seeds): thousands of random edits of the example and stdlib
 *    sources (characters, tokens, truncation, lines spliced from other files, numbers replaced by huge,
 *    negative or zero values), either of the checked file or of a stdlib module it imports. For every
 *    input `check()` must not throw, must return within a time bound, and every diagnostic (and note and
 *    fix) must carry a span inside the file it names, with 1-based line/col agreeing with the offsets.
 *    Summaries and the CLI renderers must handle every result.
 * 2. Targeted cases (huge/negative/zero dims, deep nesting, huge files, binary data, runaway loops,
 *    recursion, deep block nesting), each timed against a generous bound.
 * 3. Regressions: one minimal reproduction per bug the fuzzing found, asserting the fixed behaviour.
 * Every crash or unsound diagnostic fails; there is no list of tolerated bugs.
 *
 * The default run is short (~800 fuzz cases, a few seconds) so that it fits in `npm test`. Environment:
 * - FUZZ_RUNS=N multiplies the number of fuzz cases (FUZZ_RUNS=10 for a thorough run, ~30 s);
 * - FUZZ_SEED=S adds S to every seed, to explore new cases;
 * - FUZZ_DUMP=dir writes the mutated file of every distinct problem there (`<seed>-<n>-<file>`);
 * - FUZZ_TRACE=file records each case before it runs (to find the input of a hang);
 * - FUZZ_REPLAY='<case JSON>' runs only that case (instead of the random ones): it writes the case's
 *   mutated file to FUZZ_DUMP (default `fuzz-replay/`) and checks it against every invariant.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, summarize, type CheckResult } from '../src/api.js';
import { memoryHost } from '../src/semantics/modules.js';
import { decodeText } from '../src/cli/host.js';
import { CODES } from '../src/diagnostics/codes.js';
import type { Diagnostic, Span } from '../src/diagnostics/types.js';
import { renderHuman } from '../src/cli/render-human.js';
import { allOps } from '../src/ops/registry.js';
import { renderJson } from '../src/cli/render-formats.js';
import { renderTable } from '../src/cli/render-summary.js';
import { LIMITS as PARSE_LIMITS } from '../src/syntax/parse.js';
import { LIMITS as ELAB_LIMITS } from '../src/semantics/state.js';

const ROOT = join(import.meta.dirname, '..');
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const REPLAY = process.env.FUZZ_REPLAY;
/** Added to every seed: FUZZ_SEED=100 explores new cases (the default 0 keeps the suite deterministic). */
const SEED_OFFSET = Number(process.env.FUZZ_SEED ?? 0);

// ---------------------------------------------------------------------------------------------------
// Corpus: the examples and the standard library, plus small seeds for syntax the examples may not use.

const readDir = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  let names: string[] = [];
  try {
    names = readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.nn')).sort();
  } catch {
    /* missing directory: seeds only */
  }
  for (const f of names) out[`${dir}/${f}`] = readFileSync(join(ROOT, dir, f), 'utf8');
  return out;
};
const STDLIB = readDir('stdlib');
const EXAMPLES = readDir('examples');

const SEEDS: Record<string, string> = {
  'seeds/features.nn': `# Seed: constants, where, frozen, repeat, if/else, tuples, shared instances, assertions.
from std.resnet import basic_block as bb
const C = 16
const WIDTHS = [16, 32]

block unit(x: Tensor, c: int, k: int = 3, act: string = "relu") -> Tensor {
  y = x -> conv2d(c, k, padding=k // 2, bias=false) -> batchnorm
  if act == "relu" {
    y = y -> relu
  } else {
    y = y -> sigmoid
  }
  return y
}

block two(x: Tensor, y: Tensor) -> Tensor {
  return concat(x, y, axis=1)
}

model Features(x: [N, 3, H, W]) -> (out: [N, 10]) where H % 32 == 0, W == 64 {
  h = x -> unit(C) -> max_pool2d(2)
  shared = unit(C, k=1)
  a = h -> shared
  b = h -> shared
  h = two(a, b)
  for w in WIDTHS {
    h = h -> unit(w, name="stage")
  }
  repeat 2 {
    h = h -> unit(32, k=1)
  }
  frozen {
    h = h -> bb(32)
  }
  assert h.shape[1] == 32, "channels"
  assert h.rank == 4
  assert params < 1M
  assert jump(h) >= 2
  out = h -> global_avg_pool -> flatten -> dropout(0.5) -> dense(10)
  return out
}
`,
  'seeds/seq.nn': `# Seed: a sequence model with integer inputs and several outputs.
model Seq(tokens: int64[N, 32]) -> (a: [N, 4], b: [N, 32, 64]) {
  e = tokens -> embedding(1000, 64)
  h = e -> lstm(64, batch_first=true)
  last = h -> flatten -> dense(4)
  return last, h
}
`,
};

/** Every file a mutated program may be built from; seeds import the real stdlib. */
const CORPUS: { path: string; text: string }[] = Object.entries({ ...EXAMPLES, ...STDLIB, ...SEEDS }).map(([path, text]) => ({ path, text }));

// ---------------------------------------------------------------------------------------------------
// Mutations.

const TOKEN_RE = /[A-Za-z_]\w*|\d[\w.]*|->|\.\.|==|!=|<=|>=|\*\*|\/\/|"[^"\n]*"|'[^'\n]*'|#[^\n]*|\s+|[^]/gu;
const tokensOf = (s: string): string[] => s.match(TOKEN_RE) ?? [];
const ALL_TOKENS = [...new Set(CORPUS.flatMap((c) => tokensOf(c.text)).filter((t) => !/^\s+$/.test(t) && t.length < 40))].sort();

/**
 * Replacement numbers: huge, negative, zero, fractional, beyond 2^53, overflowing to Infinity. Loop
 * bounds above the elaboration limit (1M) are included; values between ~1k and 1M are not, since they
 * make valid but slow programs (see the scale benchmark), not robustness problems.
 */
const NUMBERS = ['0', '-1', '-64', '-0', '1', '2', '99999999999', '9007199254740993', '1e308', '1e999', '1e-300', '0.5', '3.7', '12T', '999G', '4294967296', '10000001', '00', '1_0', '0x10', '1e', '5.'];

const SNIPPETS = [
  '{', '}', '(', ')', '[', ']', ',', '->', '=', '"', "'", '#', '\n', '\r\n', '\r', '\t', '..', '.', ':', ';', '**', '//', '%', '==',
  'return', 'model', 'block', 'for', 'in', 'if', 'else', 'repeat', 'assert', 'const', 'from', 'import', 'where', 'frozen', 'not', 'and', 'or', 'none', 'true',
  'Tensor', 'x', 'N', 'params', 'macs', 'rf(x)', 'x.shape[1]', 'x.shape[-9]', '[N, 0]', '0..0', '5..1', '-> relu', '-> flatten -> dense(0)',
  'conv2d(0, 0)', 'conv2d(8, 3, stride=0)', 'dense(-1)', 'reshape(-1, -1)', 'concat(x, x, axis=9)', 'add(x, x, x)', 'name=""', 'name="a b"', 'trainable=1',
  '$', '@', '\\', '`', '\u00e9', '\u03bb', '\u{1F600}', '\ud800', '\udc00', '\u200b', '\ufeff', '\u00a0', '\u2028', '\u0085', '\u0000', '\ufffd', 'x'.repeat(300),
];

type Mutation =
  | { k: 'del'; at: number; len: number }
  | { k: 'ins'; at: number; s: string }
  | { k: 'dup'; at: number; len: number; to: number }
  | { k: 'swap'; a: number; b: number }
  | { k: 'trunc'; at: number }
  | { k: 'splice'; at: number; from: number; line: number; n: number }
  | { k: 'tokdel'; i: number; n: number }
  | { k: 'tokdup'; i: number; n: number }
  | { k: 'tokswap'; i: number; j: number }
  | { k: 'tokrep'; i: number; t: string }
  | { k: 'num'; i: number; v: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('del' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ k: fc.constant('ins' as const), at: fc.nat(), s: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 })) }),
  fc.record({ k: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }), to: fc.nat() }),
  fc.record({ k: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ k: fc.constant('trunc' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), line: fc.nat(), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ k: fc.constant('tokdel' as const), i: fc.nat(), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ k: fc.constant('tokdup' as const), i: fc.nat(), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ k: fc.constant('tokswap' as const), i: fc.nat(), j: fc.nat() }),
  fc.record({ k: fc.constant('tokrep' as const), i: fc.nat(), t: fc.constantFrom(...ALL_TOKENS) }),
  fc.record({ k: fc.constant('num' as const), i: fc.nat(), v: fc.constantFrom(...NUMBERS) }),
);

function mutate(text: string, m: Mutation): string {
  const L = text.length;
  switch (m.k) {
    case 'del': {
      const a = L ? m.at % L : 0;
      return text.slice(0, a) + text.slice(a + m.len);
    }
    case 'ins': {
      const a = m.at % (L + 1);
      return text.slice(0, a) + m.s + text.slice(a);
    }
    case 'dup': {
      if (!L) return text;
      const a = m.at % L;
      const b = m.to % (L + 1);
      return text.slice(0, b) + text.slice(a, a + m.len) + text.slice(b);
    }
    case 'swap': {
      // Code units, not code points: may split surrogate pairs, as a broken editor or transfer would.
      if (L < 2) return text;
      const c = text.split('');
      const a = m.a % L;
      const b = m.b % L;
      [c[a], c[b]] = [c[b]!, c[a]!];
      return c.join('');
    }
    case 'trunc':
      return text.slice(0, m.at % (L + 1));
    case 'splice': {
      const lines = text.split('\n');
      const src = CORPUS[m.from % CORPUS.length]!.text.split('\n');
      const s = m.line % src.length;
      lines.splice(m.at % (lines.length + 1), 0, ...src.slice(s, s + m.n));
      return lines.join('\n');
    }
  }
  const ts = tokensOf(text);
  if (!ts.length) return text;
  const at = (i: number) => i % ts.length;
  switch (m.k) {
    case 'tokdel':
      ts.splice(at(m.i), m.n);
      break;
    case 'tokdup': {
      const i = at(m.i);
      ts.splice(i, 0, ...Array<string>(m.n).fill(ts[i]!));
      break;
    }
    case 'tokswap': {
      const i = at(m.i);
      const j = at(m.j);
      [ts[i], ts[j]] = [ts[j]!, ts[i]!];
      break;
    }
    case 'tokrep':
      ts[at(m.i)] = m.t;
      break;
    case 'num': {
      const nums = ts.flatMap((t, i) => (/^\d/.test(t) ? [i] : []));
      if (nums.length) ts[nums[m.i % nums.length]!] = m.v;
      break;
    }
  }
  return ts.join('');
}

interface Case {
  file: number;
  /** Mutate the checked file itself, or a stdlib module it imports. */
  target: 'root' | 'import';
  muts: Mutation[];
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  file: fc.nat(),
  target: fc.constantFrom<Case['target']>('root', 'root', 'root', 'import'),
  muts: fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
});

interface Built {
  rootPath: string;
  rootText: string;
  files: Record<string, string>;
  /** Which file the mutations went into. */
  mutated: string;
}

function build(c: Case): Built {
  const src = CORPUS[c.file % CORPUS.length]!;
  let text = src.text;
  for (const m of c.muts) text = mutate(text, m);
  if (c.target === 'import' && src.path.startsWith('stdlib/')) {
    const mod = `std.${src.path.slice('stdlib/'.length, -'.nn'.length)}`;
    const root = CORPUS.find((x) => !x.path.startsWith('stdlib/') && new RegExp(`\\b${mod.replace('.', '\\.')}\\b`).test(x.text));
    if (root) return { rootPath: root.path, rootText: root.text, files: { ...STDLIB, ...SEEDS, [root.path]: root.text, [src.path]: text }, mutated: src.path };
  }
  return { rootPath: src.path, rootText: text, files: { ...STDLIB, ...SEEDS, [src.path]: text }, mutated: src.path };
}

// ---------------------------------------------------------------------------------------------------
// Invariants.

/**
 * 1-based line and column of a UTF-16 offset, computed independently of the compiler. Lines end as LSP
 * counts them: at \n, \r\n or a lone \r (not at U+2028).
 */
function lineColAt(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

/** Problems with one span: the file must be one the program read, offsets inside it, line/col consistent. */
function spanProblems(s: Span, files: Record<string, string>): string[] {
  const text = files[s.file];
  if (text === undefined) return [`span names a file the program did not read: ${JSON.stringify(s.file)}`];
  const ints = [s.start, s.end, s.line, s.col, s.endLine, s.endCol].every((n) => Number.isSafeInteger(n));
  if (!ints) return [`span has non-integer fields: ${JSON.stringify(s)}`];
  if (!(s.start >= 0 && s.start <= s.end && s.end <= text.length)) return [`span offsets ${s.start}..${s.end} outside 0..${text.length} of ${s.file}`];
  const a = lineColAt(text, s.start);
  const b = lineColAt(text, s.end);
  if (a.line !== s.line || a.col !== s.col || b.line !== s.endLine || b.col !== s.endCol)
    return [`span ${s.start}..${s.end} says ${s.line}:${s.col}-${s.endLine}:${s.endCol}, offsets give ${a.line}:${a.col}-${b.line}:${b.col}`];
  return [];
}

/** Diagnostics that legitimately concern a whole file or run rather than a place in it. */
const SPANLESS_OK = new Set(['E0210']);

function diagnosticProblems(d: Diagnostic, files: Record<string, string>): string[] {
  const out: string[] = [];
  const info = (CODES as Record<string, { severity: string }>)[d.code];
  if (!info) out.push(`unknown code ${d.code}`);
  else if (info.severity !== d.severity) out.push(`severity ${d.severity} but the code table says ${info.severity}`);
  if (typeof d.message !== 'string' || d.message.trim() === '') out.push('empty message');
  if (/\bundefined\b|\bNaN\b|\[object /.test(`${d.message} ${d.hint ?? ''}`)) out.push(`message shows an internal value: ${JSON.stringify(d.message)}`);
  if (!d.span) {
    if (!SPANLESS_OK.has(d.code)) out.push('no span');
  } else out.push(...spanProblems(d.span, files));
  for (const n of d.notes ?? []) if (n.span) out.push(...spanProblems(n.span, files).map((p) => `note "${n.message}": ${p}`));
  for (const f of d.fixes ?? []) for (const e of f.edits) out.push(...spanProblems(e.span, files).map((p) => `fix "${f.title}": ${p}`));
  return out;
}

/** Everything downstream of check() must cope with the result too: summaries and renderers. */
function exerciseConsumers(r: CheckResult, files: Record<string, string>): void {
  for (const d of r.diagnostics) renderHuman(d, (p) => files[p], { color: false });
  renderJson(r.diagnostics);
  for (const m of r.models) {
    const s = summarize(m);
    JSON.stringify(s);
    renderTable(s);
  }
}

/** Generous bound for one fuzz case (typical: a few ms; this machine is shared and noisy). */
const CASE_BOUND_MS = 5000;

interface Failure {
  what: string;
  mutated: string;
  case: string;
  excerpt?: string;
}

function excerpt(text: string, at: number): string {
  const a = Math.max(0, at - 60);
  return JSON.stringify(text.slice(a, at + 60));
}

/** Runs one case; returns its failures (deduplicated by the caller). */
function runCase(b: Built, c: Case | string): { failures: Failure[]; ms: number } {
  const failures: Failure[] = [];
  const caseText = typeof c === 'string' ? c : JSON.stringify(c);
  const t0 = performance.now();
  let r: CheckResult | undefined;
  try {
    r = check({ path: b.rootPath, text: b.rootText, host: memoryHost(b.files) });
  } catch (e) {
    failures.push({ what: `check() threw ${(e as object)?.constructor?.name}: ${String((e as Error)?.message ?? e).slice(0, 200)}`, mutated: b.mutated, case: caseText });
  }
  const ms = performance.now() - t0;
  if (ms > CASE_BOUND_MS) failures.push({ what: `check() took ${ms.toFixed(0)} ms (bound ${CASE_BOUND_MS})`, mutated: b.mutated, case: caseText });
  if (!r) return { failures, ms };
  for (const d of r.diagnostics) {
    for (const p of diagnosticProblems(d, b.files))
      failures.push({ what: `${d.code} "${d.message.slice(0, 120)}": ${p}`, mutated: b.mutated, case: caseText, ...(d.span && b.files[d.span.file] !== undefined ? { excerpt: excerpt(b.files[d.span.file]!, Math.max(0, d.span.start)) } : {}) });
  }
  try {
    exerciseConsumers(r, b.files);
  } catch (e) {
    failures.push({ what: `summary/renderers threw: ${String((e as Error)?.message ?? e).slice(0, 200)}`, mutated: b.mutated, case: caseText });
  }
  return { failures, ms };
}

/**
 * Elaboration limits for the fuzz properties. A one-character edit can turn a stage's block count into
 * 99999: a valid program of ~800k layers, within the real limits (2M layers, 20M steps), that takes
 * minutes (see bench/RESULTS.md). Such programs say nothing about robustness, and a synchronous check
 * cannot be interrupted, so the properties run with limits ~100× smaller; the real limits are
 * exercised by the targeted tests below. The examples need ~200 layers.
 */
const FUZZ_LIMITS = { maxNodes: 20_000, maxSteps: 200_000, maxLoop: 10_000, maxItems: 10_000 };

function withLimits<T>(limits: Partial<Record<keyof typeof ELAB_LIMITS, number>>, fn: () => T): T {
  const L = ELAB_LIMITS as unknown as Record<string, number>;
  const saved = { ...L };
  try {
    Object.assign(L, limits);
  } catch {
    /* frozen limits: run with the real ones */
  }
  try {
    return fn();
  } finally {
    try {
      Object.assign(L, saved);
    } catch {
      /* frozen */
    }
  }
}

/** Runs `n` generated cases; fails with every distinct problem (first example of each) at the end. */
function fuzz(arb: fc.Arbitrary<Case>, seed: number, n: number): void {
  withLimits(FUZZ_LIMITS, () => fuzzUnlimited(arb, seed, n));
}

function fuzzUnlimited(arb: fc.Arbitrary<Case>, seed: number, n: number): void {
  const distinct = new Map<string, Failure>();
  let slowest = 0;
  for (const c of fc.sample(arb, { seed: seed + SEED_OFFSET, numRuns: Math.max(1, Math.round(n * SCALE)) })) {
    if (process.env.FUZZ_TRACE) writeFileSync(process.env.FUZZ_TRACE, `${seed + SEED_OFFSET} ${JSON.stringify(c)}\n`);
    const { failures, ms } = runCase(build(c), c);
    slowest = Math.max(slowest, ms);
    for (const f of failures) {
      const key = f.what.replace(/\d+/g, '#').replace(/"[^"]*"/g, '"…"').slice(0, 100);
      if (!distinct.has(key)) {
        distinct.set(key, f);
        if (process.env.FUZZ_DUMP) {
          mkdirSync(process.env.FUZZ_DUMP, { recursive: true });
          const b = build(c);
          writeFileSync(join(process.env.FUZZ_DUMP, `${seed}-${distinct.size}-${b.mutated.replace(/\//g, '_')}`), b.files[b.mutated] ?? '');
        }
      }
    }
  }
  if (SCALE > 1) console.info(`fuzz seed ${seed}: slowest case ${slowest.toFixed(0)} ms`);
  expect([...distinct.values()], 'distinct problems (reproduce with build(JSON.parse(case)))').toEqual([]);
}

// ---------------------------------------------------------------------------------------------------

describe('mutation fuzzing of check()', () => {
  if (REPLAY) {
    // Reproduction of one case reported by a failing run: only this case runs.
    it('replays the case of FUZZ_REPLAY', () => {
      const b = build(JSON.parse(REPLAY) as Case);
      const dir = process.env.FUZZ_DUMP ?? 'fuzz-replay';
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'root.txt'), `${b.rootPath}\nmutated: ${b.mutated}\n`);
      writeFileSync(join(dir, b.mutated.replace(/\//g, '_')), b.files[b.mutated] ?? '');
      expect(withLimits(FUZZ_LIMITS, () => runCase(b, REPLAY)).failures).toEqual([]);
    });
    return;
  }

  it('corpus is present', () => {
    expect(Object.keys(STDLIB).length).toBeGreaterThan(0);
    // Unmutated sources must be clean with respect to every invariant too.
    for (const c of CORPUS) {
      const { failures } = runCase({ rootPath: c.path, rootText: c.text, files: { ...STDLIB, ...SEEDS, [c.path]: c.text }, mutated: c.path }, `unmutated ${c.path}`);
      expect(failures).toEqual([]);
    }
  });

  it('random edits of the checked file (seed 1)', () => fuzz(caseArb.map((c) => ({ ...c, target: 'root' as const })), 1, 250));
  it('random edits of the checked file (seed 2)', () => fuzz(caseArb.map((c) => ({ ...c, target: 'root' as const })), 2, 250));
  it('random edits of an imported stdlib module', () => {
    const stdIdx = CORPUS.flatMap((c, i) => (c.path.startsWith('stdlib/') ? [i] : []));
    fuzz(caseArb.map((c) => ({ ...c, target: 'import' as const, file: stdIdx[c.file % stdIdx.length]! })), 3, 120);
  });
  it('heavy damage: many edits at once', () => fuzz(fc.record({ file: fc.nat(), target: fc.constant('root' as const), muts: fc.array(mutationArb, { minLength: 10, maxLength: 40 }) }), 4, 80));

  it('arbitrary bytes through decodeText', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = decodeText(bytes);
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          valid = false;
        }
        const b: Built = { rootPath: 'bin.nn', rootText: text, files: { ...STDLIB, 'bin.nn': text }, mutated: 'bin.nn' };
        const { failures } = withLimits(FUZZ_LIMITS, () => runCase(b, JSON.stringify([...bytes])));
        expect(failures).toEqual([]);
        if (!valid) expect(check({ path: 'bin.nn', text, host: memoryHost({ 'bin.nn': text }) }).diagnostics.map((d) => d.code)).toContain('E0105');
      }),
      { seed: 5, numRuns: Math.round(100 * SCALE) },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Targeted cases. Each is timed; bounds are generous (a shared 2-core machine), far below a hang.

const model = (body: string, input = '[1, 3, 8, 8]') => `model M(x: ${input}) {\n${body}\n}\n`;

interface Timed {
  r: CheckResult;
  ms: number;
  codes: string[];
  files: Record<string, string>;
}

function timed(text: string, extra: Record<string, string> = {}, path = 'main.nn'): Timed {
  const files = { ...STDLIB, ...extra, [path]: text };
  const t0 = performance.now();
  const r = check({ path, text, host: memoryHost(files) });
  const ms = performance.now() - t0;
  return { r, ms, codes: r.diagnostics.map((d) => d.code), files };
}

/** Every invariant of the fuzz properties, for one targeted result. */
function expectSound(t: Timed): void {
  const problems = t.r.diagnostics.flatMap((d) => diagnosticProblems(d, t.files).map((p) => `${d.code} ${d.message.slice(0, 80)}: ${p}`));
  expect(problems).toEqual([]);
  exerciseConsumers(t.r, t.files);
}

describe('targeted hostile inputs', () => {
  it('empty file, whitespace only, comments only', () => {
    for (const text of ['', '\n\n\n', '   \t\r\n', '# only\n# comments\n', '#', '# no newline at end', '\ufeff# BOM then comment\n']) {
      const t = timed(text);
      expect(t.ms).toBeLessThan(1000);
      expect(t.r.diagnostics).toEqual([]);
      expect(t.r.models).toEqual([]);
      expectSound(t);
    }
  });

  it('huge dims: [1, 3, 99999999999, 99999999999]', () => {
    const t = timed(model('  return x -> conv2d(64, 3, padding=1) -> relu -> global_avg_pool -> flatten -> dense(10)', '[1, 3, 99999999999, 99999999999]'));
    expect(t.ms).toBeLessThan(2000);
    expectSound(t);
    // Per-layer counts of 1e22 elements are beyond 2^53; they must at least not be negative or NaN.
    for (const m of t.r.models) for (const l of m.layers) expect(Number.isNaN(Number(l.params))).toBe(false);
  });

  it('dims beyond 2^53 and Infinity are rejected', () => {
    for (const d of ['9007199254740993', '1e308', '1e999', '99999999999999999999']) {
      const t = timed(model('  return x -> relu', `[1, 3, ${d}, 8]`));
      expect(t.ms).toBeLessThan(1000);
      expect(t.codes.some((c) => c.startsWith('E0'))).toBe(true);
      expectSound(t);
    }
  });

  it('negative and zero dims are errors at the dimension', () => {
    for (const d of ['-5', '0', '-0', '-99999999999']) {
      const text = model('  return x -> relu', `[1, 3, ${d}, 8]`);
      const t = timed(text);
      expect(t.ms).toBeLessThan(1000);
      const e = t.r.diagnostics.find((x) => x.code === 'E0300' && /dimension/.test(x.message));
      expect(e, `dimension ${d}`).toBeDefined();
      expect(text.slice(e!.span!.start, e!.span!.end)).toBe(d);
      expectSound(t);
    }
  });

  it('huge, negative and zero layer arguments', () => {
    for (const args of ['99999999999, 3', '64, 99999999999', '0, 3', '64, 0', '-1, 3', '64, -3', '64, 3, stride=0', '64, 3, stride=-1', '64, 3, padding=-1', '64, 3, groups=0', '64, 3, dilation=99999999999', '1e308, 3']) {
      const t = timed(model(`  return x -> conv2d(${args}) -> flatten -> dense(99999999999)`));
      expect(t.ms).toBeLessThan(1000);
      expectSound(t);
    }
  });

  it('every op with huge or large arguments, on inputs of every rank, answers quickly and soundly', () => {
    // Found by fuzzing: lstm(256, 4_253_864) built 17M weight tensors (num_layers) and exhausted memory.
    const inputs = ['[1, 8]', '[1, 4, 8]', '[1, 4, 8, 8]', '[1, 4, 8, 8, 8]', 'int64[1, 8]'];
    const args = ['99999999999', '4, 99999999999', '4, 3, 99999999999', '4000000', '4, 4000000', '4, 3, 4000000', '4, 4, 4000000', '4, 3, stride=99999999999', '4, 3, dilation=4000000'];
    for (const op of allOps())
      for (const input of inputs)
        for (const a of args) {
          const t = timed(model(`  return x -> ${op.name}(${a})`, input));
          expect(t.ms, `${op.name}(${a}) on ${input}`).toBeLessThan(1000);
          expectSound(t);
        }
    const deep = timed(model('  return x -> lstm(256, 4_253_864)', '[1, 4, 8]'));
    expect(deep.codes).toEqual(['E0301']);
    expect(deep.r.diagnostics[0]!.message).toBe('lstm_1: num_layers must be at most 1000, got 4253864');
  });

  it(`nesting 10k deep stops at the depth limit (${PARSE_LIMITS.maxDepth})`, () => {
    for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}']] as const) {
      const t = timed(model(`  y = ${open.repeat(10_000)}1${close.repeat(10_000)}\n  return x`));
      expect(t.ms).toBeLessThan(2000);
      expect(t.codes).toContain('E0104');
      expectSound(t);
    }
    const ifs = timed(model(`${'  if true {\n'.repeat(10_000)}${'  }\n'.repeat(10_000)}  return x`));
    expect(ifs.codes).toContain('E0104');
    expect(ifs.ms).toBeLessThan(2000);
    expectSound(ifs);
  });

  it('a 10 MB file is refused quickly (E0104 at the start of the file)', () => {
    const text = `# ${'a'.repeat(10 * 1024 * 1024)}\n${model('  return x')}`;
    const t = timed(text);
    expect(t.ms).toBeLessThan(1000);
    expect(t.codes).toEqual(['E0104']);
    expect(t.r.diagnostics[0]!.span).toMatchObject({ start: 0, end: 0, line: 1, col: 1 });
    expectSound(t);
    // Just over the limit, and an imported module over the limit.
    const over = timed('#'.repeat(PARSE_LIMITS.maxBytes + 1));
    expect(over.codes).toEqual(['E0104']);
    const big = timed(`from "./big.nn" import b\n${model('  return x')}`, { 'big.nn': '#'.repeat(PARSE_LIMITS.maxBytes + 1) });
    expect(big.codes).toContain('E0104');
    expect(big.r.diagnostics.find((d) => d.code === 'E0104')!.span!.file).toBe('big.nn');
    expect(big.ms).toBeLessThan(1000);
  });

  it('binary garbage and non-UTF-8 through decodeText are E0105', () => {
    const garbage = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) % 256);
    const inputs: Uint8Array[] = [
      garbage,
      Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), // latin-1 "café"
      Uint8Array.from([0xff, 0xfe, 0x6d, 0x00, 0x6f, 0x00]), // UTF-16LE with BOM
      Uint8Array.from([0xc0, 0x80]), // overlong NUL
      Uint8Array.from([0xed, 0xa0, 0x80]), // encoded surrogate
      Uint8Array.from([0x6d, 0x6f, 0x00, 0x64]), // NUL inside valid UTF-8
      Uint8Array.from([0xe2, 0x82]), // truncated sequence
    ];
    for (const bytes of inputs) {
      const text = decodeText(bytes);
      const t = timed(text);
      expect(t.ms).toBeLessThan(1000);
      expect(t.codes).toEqual(['E0105']);
      expectSound(t);
    }
    // Valid UTF-8 with a BOM and non-ASCII identifiers or strings is text, not E0105.
    const ok = timed(decodeText(new TextEncoder().encode(`\ufeff# café λ 😀\n${model('  return x -> relu(name="r")')}`)));
    expect(ok.codes).not.toContain('E0105');
    expectSound(ok);
  });

  it('a loop of 10^7 iterations stops with E0104 in bounded time', () => {
    const t = timed(model('  for i in 0..10000000 {\n    x = x -> relu\n  }\n  return x'));
    expect(t.ms).toBeLessThan(2000);
    expect(t.codes).toContain('E0104');
    expectSound(t);
    // 10^4 × 10^4 nested iterations: the step limit (not the range limit) must stop it, at the loop.
    const text = model('  for i in 0..10000 {\n    for j in 0..10000 {\n      y = i\n    }\n  }\n  return x');
    const nested = withLimits({ maxSteps: 1_000_000 }, () => timed(text)); // the real 20M take seconds
    expect(nested.ms).toBeLessThan(5000);
    const e = nested.r.diagnostics.find((d) => d.code === 'E0104');
    expect(e?.message).toMatch(/limit of 1000000 steps/);
    expect(text.slice(e!.span!.start, e!.span!.end)).toMatch(/^(for j in|y = i)/);
    expectSound(nested);
    // `repeat` over its limit is refused like `for`: E0104 at the count.
    const rep = timed(model('  repeat 10000000 {\n    x = x -> relu\n  }\n  return x'));
    expect(rep.ms).toBeLessThan(2000);
    expect(rep.codes).toEqual(['E0104']);
    expectSound(rep);
  });

  it('recursive blocks are E0208 (direct, mutual, guarded by a condition, across modules)', () => {
    const cases: [string, Record<string, string>][] = [
      [`block b(x: Tensor) -> Tensor {\n  return x -> b\n}\n${model('  return x -> b')}`, {}],
      [`block a(x: Tensor) -> Tensor {\n  return x -> c\n}\nblock c(x: Tensor) -> Tensor {\n  return x -> relu -> a\n}\n${model('  return x -> a')}`, {}],
      [`block b(x: Tensor, n: int) -> Tensor {\n  if n > 0 {\n    x = x -> b(n - 1)\n  }\n  return x\n}\n${model('  return x -> b(1000000)')}`, {}],
      [`from "./lib.nn" import p\nblock q(x: Tensor) -> Tensor {\n  return x -> p\n}\n${model('  return x -> q')}`, { 'lib.nn': 'from "./main.nn" import q\nblock p(x: Tensor) -> Tensor {\n  return x -> q\n}\n' }],
      [`block b(x: Tensor) -> Tensor {\n  s = b()\n  return x -> s\n}\n${model('  return x -> b')}`, {}],
    ];
    for (const [text, extra] of cases) {
      const t = timed(text, extra);
      expect(t.ms).toBeLessThan(2000);
      expect(t.codes.some((c) => c === 'E0208' || c === 'E0207')).toBe(true);
      expectSound(t);
    }
  });

  it('200-level nested block calls work', () => {
    let src = 'block b0(x: Tensor) -> Tensor {\n  return x -> relu\n}\n';
    for (let i = 1; i < 200; i++) src += `block b${i}(x: Tensor) -> Tensor {\n  return x -> b${i - 1}\n}\n`;
    const t = timed(src + model('  return x -> b199'));
    expect(t.ms).toBeLessThan(3000);
    expect(t.r.diagnostics).toEqual([]);
    expect(t.r.models[0]!.graph.nodes).toHaveLength(1);
    expect(t.r.models[0]!.graph.nodes[0]!.path.split('.')).toHaveLength(201); // 200 block labels + the relu
  });

  it('a chain of 20k layers in one expression', () => {
    const t = timed(model(`  return x${' -> relu'.repeat(20_000)}`));
    expect(t.ms).toBeLessThan(10_000);
    expect(t.r.models[0]!.graph.nodes).toHaveLength(20_000);
    expectSound(t);
  });

  it('many errors: each diagnostic kind is bounded and sound', () => {
    for (const body of [`  y = x ${'$'.repeat(100_000)}\n  return x`, `  y = x ${') '.repeat(50_000)}\n  return x`, `  y = x${' -> relu(1)'.repeat(5000)}\n  return x`]) {
      const t = timed(model(body));
      expect(t.ms).toBeLessThan(5000);
      expectSound(t);
    }
  });

  it('unterminated strings and comments at end of file', () => {
    for (const tail of ['"abc', "'abc", '"a\\', 'model', 'model M(', 'model M(x: [1', 'block b(x: Tensor) -> Tensor { return x ->', 'from std.', 'from "./', 'const C = ']) {
      const t = timed(`${model('  return x')}${tail}`);
      expect(t.ms).toBeLessThan(1000);
      expect(t.r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
      expectSound(t);
    }
  });

  it('CRLF, CR-only and mixed line endings keep line/col consistent', () => {
    const base = `${model('  y = x -> conv2d(4, 99)\n  return y')}`;
    for (const text of [base.replace(/\n/g, '\r\n'), base.replace(/\n/g, '\r'), base.replace(/\n/g, '\u2028'), base.replace(/\n/g, (_m, i: number) => (i % 2 ? '\r\n' : '\n'))]) {
      const t = timed(text);
      expect(t.ms).toBeLessThan(1000);
      expectSound(t);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Regressions: one minimal reproduction per bug found by fuzzing, asserting the fixed behaviour. The
// sizes are small (fast) but beyond what the code before each fix handled.

/** The source text a diagnostic points at. */
const at = (t: Timed, d: Diagnostic | undefined) => (d?.span ? t.files[d.span.file]!.slice(d.span.start, d.span.end) : undefined);

/** A chain of `n` blocks, each calling the previous one, and a model calling the last. */
function nestedBlocks(n: number): string {
  let src = 'block b0(x: Tensor) -> Tensor {\n  return x -> relu\n}\n';
  for (let i = 1; i < n; i++) src += `block b${i}(x: Tensor) -> Tensor {\n  return x -> b${i - 1}\n}\n`;
  return src + model(`  return x -> b${n - 1}`);
}

describe('regressions', () => {
  it('whole-model totals and rf() outside an assert are E0300 at the name (used to throw DeferSignal out of check())', () => {
    for (const name of ['params', 'macs', 'trainable_params', 'peak_activation_bytes']) {
      const t = timed(model(`  y = ${name}\n  return x`));
      expect(t.codes, name).toEqual(['E0300']);
      expect(t.r.diagnostics[0]!.message).toMatch(/only in an assert/);
      expect(at(t, t.r.diagnostics[0])).toBe(name);
      expectSound(t);
    }
    const rf = timed(model('  y = rf(x)\n  z = x -> conv2d(4, 3) -> relu\n  return z'));
    expect(rf.codes).toEqual(['E0300']);
    expect(rf.r.diagnostics[0]!.message).toMatch(/only in an assert/);
    // Inside assertions they still work (deferred until the model is built).
    const ok = timed(model('  y = x -> conv2d(4, 3)\n  assert params == 4 * 27 + 4\n  assert rf(y) == [3, 3]\n  assert params < 10, "small"\n  return y'));
    expect(ok.codes).toEqual(['E0500']);
    expect(ok.r.diagnostics[0]!.message).toMatch(/small.*112 < 10/);
  });

  it('a constant holding an analysis total is E0300 at the total (used to make `assert P < 0` pass silently)', () => {
    for (const cond of ['P < 0', 'params > 0 and P < 0', 'P > 0']) {
      const t = timed(`const P = params\n${model(`  assert ${cond}\n  return x -> conv2d(4, 3)`)}`);
      expect(t.codes, cond).toEqual(['E0300']);
      expect(t.r.diagnostics[0]!.span).toMatchObject({ line: 1, col: 11 });
      expectSound(t);
    }
  });

  it('a shared block with a bad op call reports it once and does not replay it (used to give E0406 "≈NaN", E0407 "undefined", a TypeError)', () => {
    const shared = (call: string, a = '[1, 1, 8, 8]') => `block tower(x: Tensor) -> Tensor {\n  return x -> ${call}\n}\nmodel M(a: ${a}, b: ${a}) {\n  enc = tower()\n  y = a -> enc\n  z = b -> enc\n  return add(y, z)\n}\n`;
    for (const [call, input] of [['conv2d(4)', undefined], ['conv2d(kernel_size=3)', undefined], ['conv2d(4, 3, bogus=1)', undefined], ['dense', '[1, 8]'], ['dense(0)', '[1, 8]']] as const) {
      const t = timed(shared(call, input));
      expect(t.r.diagnostics.filter((d) => d.severity === 'error'), call).toHaveLength(1);
      expect(t.codes[0], call).toMatch(/^E020[23]$|^E0301$/);
      expectSound(t);
    }
    // A valid shared block still shares: the second application re-uses the first one's weights.
    const ok = timed(shared('conv2d(4, 3, padding=1)'));
    expect(ok.codes).toEqual([]);
    expect(ok.r.models[0]!.totals.params).toBe(4 * 9 + 4);
  });

  it('a symbolic size as a layer size is E0409 with a hint (used to give NaN params, "[object Object]")', () => {
    for (const [call, arg] of [['dense(N)', 'N'], ['conv2d(N, 3)', 'N'], ['conv2d(32, 3, groups=N)', 'groups=N'], ['conv2d(N * 2, 3)', 'N * 2'], ['lstm(N)', 'N'], ['conv_transpose2d(N, 3)', 'N']]) {
      const t = timed(model(`  return x -> ${call}`, call.startsWith('dense') ? '[N, 8]' : call.startsWith('lstm') ? '[N, 4, 8]' : '[N, 32, 8, 8]'));
      expect(t.codes, call).toEqual(['E0409']);
      const d = t.r.diagnostics[0]!;
      expect(at(t, d), call).toBe(arg);
      expect(d.hint).toMatch(/where N == 64.*--input-shape N=64/);
      expectSound(t);
    }
    // Bound by `where`, the same size is concrete; an axis stays the op's own error (E0300).
    const bound = timed('model M(x: [B, 8]) where N == 64 {\n  return x -> dense(N)\n}\n');
    expect(bound.codes).toEqual([]);
    expect(bound.r.models[0]!.totals.params).toBe(8 * 64 + 64);
    expect(timed(model('  return concat(x, x, axis=N)', '[N, 3, 8, 8]')).codes).toEqual(['E0300']);
  });

  it('`where {` with no condition is a syntax error only, and the renderer clamps any span (used to crash on start -1)', () => {
    const t = timed('model M(x: [N, 3, 8, 8]) where {\n  return x\n}\n');
    expect(t.codes).toEqual(['E0101']);
    expectSound(t);
    const text = 'line one\nline two\n';
    const base = { file: 'f.nn', start: 0, end: 1, line: 1, col: 1, endLine: 1, endCol: 2 };
    for (const bad of [{ start: -1, col: -5 }, { line: 0 }, { line: -3, col: 0 }, { line: 99 }, { col: 500, endCol: 2 }, { endCol: -10 }, { col: Number.NaN, line: Number.NaN }, { endLine: 5, col: 1e9 }]) {
      const d: Diagnostic = { code: 'E0300', severity: 'error', message: 'boom', span: { ...base, ...bad }, notes: [{ message: 'n', span: { ...base, ...bad } }] };
      expect(renderHuman(d, () => text, { color: false }), JSON.stringify(bad)).toMatch(/^error\[E0300\]: boom/);
    }
  });

  it('the step limit E0104 points at the loop it stopped (used to have no span)', () => {
    const text = model('  repeat 1000000 {\n    repeat 100 {\n    }\n  }\n  return x');
    const t = timed(text);
    const e = t.r.diagnostics.find((d) => d.code === 'E0104');
    expect(e?.message).toMatch(/20000000 steps/);
    expect(at(t, e)).toMatch(/^repeat 100 \{/);
    expectSound(t);
  });

  it('empty loop bodies count toward the step limit (10^12 empty iterations used to hang)', () => {
    // With 2M steps rather than the real 20M (the same code path, ten times faster).
    for (const body of ['  repeat 1000000 {\n    repeat 1000000 {\n    }\n  }', '  for i in 0..1000000 {\n    for j in 0..1000000 {\n    }\n  }']) {
      const t = withLimits({ maxSteps: 2_000_000 }, () => timed(model(`${body}\n  return x`)));
      expect(t.ms).toBeLessThan(5000);
      expect(t.codes).toEqual(['E0104']);
      expect(t.r.diagnostics[0]!.message).toMatch(/limit of 2000000 steps/);
    }
  });

  it('`for` and `repeat` share one iteration limit, reported the same way (E0104)', () => {
    const max = ELAB_LIMITS.maxLoop;
    for (const loop of [`repeat ${max}`, `for i in 0..${max}`]) expect(timed(model(`  ${loop} {\n  }\n  return x`)).codes, loop).toEqual([]);
    for (const loop of [`repeat ${max + 1}`, `for i in 0..${max + 1}`, `for i in 5..${max + 6}`]) {
      const t = timed(model(`  ${loop} {\n  }\n  return x`));
      expect(t.codes, loop).toEqual(['E0104']);
      expect(t.r.diagnostics[0]!.message, loop).toContain(`at most ${max} times`);
    }
  });

  it('lists and strings are bounded (doubling used to abort the process or throw RangeError)', () => {
    for (const [init, n] of [['[1]', 21], ['[1, 2, 3]', 40], ['"ab"', 40], ['"x"', 25]] as const) {
      const t = timed(model(`  r = ${init}\n  for i in 0..${n} {\n    r = r + r\n  }\n  return x`));
      expect(t.codes, init).toEqual(['E0104']);
      expect(t.r.diagnostics[0]!.message).toMatch(/the limit is 1000000/);
      expect(at(t, t.r.diagnostics[0])).toBe('+');
      expectSound(t);
    }
    expect(timed(model('  r = [1, 2] * 600000\n  return x')).codes).toEqual(['E0104']);
    expect(timed(model('  r = [1, 2] * 500000\n  return x')).codes).toEqual([]);
    // An empty list times a huge count is empty, at once (found by fuzzing: it looped 10^11 times).
    const empty = timed(model('  r = () * 99999999999\n  assert len(r) == 0\n  return x'));
    expect(empty.codes).toEqual([]);
    expect(empty.ms).toBeLessThan(1000);
    // Growing a list one item at a time is quadratic work: it counts toward the step limit.
    const grow = withLimits({ maxSteps: 200_000 }, () => timed(model('  r = []\n  for i in 0..100000 {\n    r = r + [i]\n  }\n  return x')));
    expect(grow.codes).toEqual(['E0104']);
    expect(grow.ms).toBeLessThan(5000);
  });

  it('1000-level nested block calls stop at the depth limit with the block path (used to overflow the stack)', () => {
    const t = timed(nestedBlocks(1000));
    expect(t.codes).toEqual(['E0104']);
    const d = t.r.diagnostics[0]!;
    expect(d.message).toMatch(new RegExp(`more than ${ELAB_LIMITS.maxBlockDepth} levels deep \\(b999 → b998 → b997 → … → b802 → b801 → b800 → b799\\)`));
    expect(d.blockPath).toHaveLength(ELAB_LIMITS.maxBlockDepth);
    expect(d.blockPath![0]).toBe('b999_1: b999');
    expect(d.notes.length).toBeLessThan(20); // summarised, not one note per level
    expectSound(t);
    expect(timed(nestedBlocks(ELAB_LIMITS.maxBlockDepth)).codes).toEqual([]);
    expect(timed(nestedBlocks(ELAB_LIMITS.maxBlockDepth + 1)).codes).toEqual(['E0104']);
  });

  // Long operator chains, under the bracket-depth and size limits, that used to overflow the stack in
  // evaluate() or in building the AST: now E0104 at the expression (depth limit PARSE_LIMITS.maxExprDepth).
  const N = 5000;
  const deepExpr: [string, string][] = [
    ['left-deep `+` chain', `1${' + 1'.repeat(N)}`],
    ['`and` chain', `true${' and true'.repeat(N)}`],
    ['`or` chain', `false${' or false'.repeat(N)}`],
    ['unary minus', `${'-'.repeat(N)}1`],
    ['`not` chain', `${'not '.repeat(N)}true`],
    ['right-assoc `**`', `1${' ** 1'.repeat(N)}`],
    ['index chain', `x.shape${'[0]'.repeat(N)}`],
    ['member chain', `x${'.shape'.repeat(N)}`],
    ['call chain', `relu${'()'.repeat(N)}`],
    ['mixed, inside brackets', `${'('.repeat(PARSE_LIMITS.maxDepth - 10)}1${' ** -1'.repeat(N)}${')'.repeat(PARSE_LIMITS.maxDepth - 10)}`],
  ];
  for (const [what, expr] of deepExpr)
    it(`expression too deep is E0104 at it: ${what}`, () => {
      const text = model(`  y = ${expr}\n  return x`);
      const t = timed(text);
      expect(t.codes).toEqual(['E0104']);
      expect(t.r.diagnostics[0]!.message).toContain(`${PARSE_LIMITS.maxExprDepth} levels`);
      expect(t.r.diagnostics[0]!.span!.start).toBe(text.indexOf(expr[0]!, text.indexOf('y = ')));
      expectSound(t);
    });

  it(`expressions up to the depth limit (${PARSE_LIMITS.maxExprDepth}) still work`, () => {
    const D = PARSE_LIMITS.maxExprDepth;
    const t = timed(model(`  y = 1${' + 1'.repeat(D - 2)}\n  z = ${'-'.repeat(D - 2)}1\n  assert y == ${D - 1} and z == 1\n  return x`));
    expect(t.codes).toEqual([]);
    expect(timed(model(`  y = 1${' + 1'.repeat(D)}\n  return x`)).codes).toEqual(['E0104']);
  });

  it('a long else-if chain is nesting, bounded like brackets (used to overflow the parser)', () => {
    const chain = (n: number) => model(`  if false {\n  }${' else if false {\n  }'.repeat(n)} else {\n    x = x -> relu\n  }\n  return x`);
    const long = timed(chain(20_000));
    expect(long.codes).toEqual(['E0104']);
    expect(long.r.diagnostics[0]!.message).toMatch(/else-if links/);
    expectSound(long);
    const ok = timed(chain(PARSE_LIMITS.maxDepth - 10));
    expect(ok.codes).toEqual([]);
    expect(ok.r.models[0]!.graph.nodes).toHaveLength(1);
    // Sequential if statements are not nesting.
    expect(timed(model(`${'  if false {\n  } else if false {\n  }\n'.repeat(1000)}  return x`)).codes).toEqual([]);
  });

  it('a chain of 5k constants each defined by the previous is evaluated (used to overflow the stack)', () => {
    let src = 'const c0 = 1\n';
    for (let i = 1; i < 5000; i++) src += `const c${i} = c${i - 1} + 1\n`;
    const t = timed(src + model('  return x -> conv2d(c4999 // 1000, 1)'));
    expect(t.codes).toEqual([]);
    expect(t.r.models[0]!.graph.tensors[t.r.models[0]!.graph.outputs[0]!.tensor]!.type.shape).toEqual([1, 5, 8, 8]);
  });

  it('cyclic constants are E0211 with the cycle spelled out (used to be accepted silently)', () => {
    const two = timed(`const a = b\nconst b = a\n${model('  return x -> conv2d(a, 3)')}`);
    expect(two.codes).toEqual(['E0211']);
    expect(two.r.diagnostics[0]!.message).toBe('constant cycle: a → b → a');
    expect(at(two, two.r.diagnostics[0])).toBe('a');
    expectSound(two);
    const self = timed(`const a = a + 1\n${model('  return x -> conv2d(a, 3)')}`);
    expect(self.r.diagnostics.map((d) => d.message)).toEqual(['constant cycle: a → a']);
    // Across modules, and a constant that only depends on a cycle stays silent (one report per cycle).
    const lib = 'const P = Q * 2\nconst Q = R\nconst R = P\n';
    const cross = timed(`from "./lib.nn" import P\nconst C = P + 1\n${model('  return x -> conv2d(C, 3)')}`, { 'lib.nn': lib });
    expect(cross.r.diagnostics.map((d) => `${d.code} ${d.message} ${d.span?.file}`)).toEqual(['E0211 constant cycle: P → Q → R → P lib.nn']);
    expectSound(cross);
  });

  it('many layers with one explicit name get numbered in linear time', () => {
    const t = timed(model('  for i in 0..20000 {\n    x = x -> relu(name="r")\n  }\n  return x'));
    expect(t.codes).toEqual([]);
    expect(t.ms).toBeLessThan(5000); // quadratic, it took ~20 s
    const labels = t.r.models[0]!.graph.nodes.map((n) => n.label);
    expect(labels.slice(0, 3)).toEqual(['r', 'r_2', 'r_3']);
    expect(labels[19_999]).toBe('r_20000');
    expect(new Set(labels).size).toBe(20_000);
  });

  it('many unknown names get suggestions only for the first ones, in bounded time', () => {
    // Each line names an unknown `v<i-1>q`, one edit away from the variable `v<i-1>`.
    let body = '  v0 = 1\n';
    for (let i = 1; i <= 20_000; i++) body += `  v${i} = v${i - 1}q\n`;
    const t = timed(model(`${body}  return x`));
    expect(t.codes).toHaveLength(20_000);
    expect(new Set(t.codes)).toEqual(new Set(['E0200']));
    expect(t.ms).toBeLessThan(5000); // a suggestion per name, over every variable, took minutes
    expect(t.r.diagnostics[0]!.hint).toBe("did you mean 'v0'?");
    expect(t.r.diagnostics[19_999]!.hint).toBeUndefined();
  });

  it('MACs and activation sizes beyond 2^53 are E0406 (used to print inexact numbers)', () => {
    const macs = timed(model('  return x -> conv2d(4096, 3, padding=1)', '[1, 64, 99999, 99999]'));
    expect(macs.codes).toEqual(['E0406']);
    expect(macs.r.diagnostics[0]!.message).toMatch(/^conv2d_1: about 2\.3\d\de\+16 MACs, beyond 2\^53/);
    expect(at(macs, macs.r.diagnostics[0])).toBe('conv2d(4096, 3, padding=1)');
    const acts = timed(model('  return x -> relu', '[1, 3, 31622776, 31622776]')); // 3e15 elements, 1.2e16 bytes
    expect(acts.codes).toEqual(['E0406']);
    expect(acts.r.diagnostics[0]!.message).toMatch(/output bytes/);
    for (const t of [macs, acts]) expectSound(t);
    // Just below: exact, no diagnostic.
    expect(timed(model('  return x -> conv2d(64, 3, padding=1)', '[1, 64, 9999, 9999]')).codes).toEqual([]);
  });
});
