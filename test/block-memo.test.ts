/**
 * The block-application memo (src/semantics/block-memo.ts) against elaboration without it. It must be invisible:
 * with it on, every check gives what it gives off — diagnostics, every model's graph (nodes with their ids, labels,
 * paths, inputs, instance ids, block frames), tensors, totals — and leaves the same elaboration state behind for the
 * editor's resumed runs (labels and counters, journal entries and reads, checkpoints, steps, looked-up names). Over
 * every file of the repository, the benchmark's generated files, random programs made of blocks that exercise what
 * the memo must not replay (diagnostics, unification, constants, shared instances, recursion, frozen, names, tuples,
 * limits), and random edits in the editor.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type CheckResult, check } from '../src/api.js';
import type { CheckedModel } from '../src/checker/analyze.js';
import type { Span } from '../src/diagnostics/types.js';
import { nodeHost } from '../src/cli/host.js';
import { memoStats, setBlockMemo } from '../src/semantics/block-memo.js';
import { type Elaboration, elaborate, modelsOf } from '../src/semantics/elaborate.js';
import { ABSENT, JournaledVars, SUGGESTION } from '../src/semantics/journal.js';
import { loadProgram } from '../src/semantics/modules.js';
import { LIMITS } from '../src/semantics/state.js';
import { ModelCache } from '../src/service/incremental-check.js';
import { IncrementalParser } from '../src/service/incremental.js';
import { formatDim } from '../src/symbolic/dim.js';
// @ts-expect-error: a plain ES module without type declarations
import { generateModel } from '../bench/lsp-gen.mjs';
import { applyEdit, randomEdit } from './helpers/random-edits.js';

const ROOT = join(import.meta.dirname, '..');
const PATH = join(ROOT, 'examples', '__memo.nn');
const host = nodeHost();

afterEach(() => setBlockMemo(true));

/** `fn` with the memo off, then on. */
function offOn<T>(fn: () => T): [T, T] {
  setBlockMemo(false);
  let off: T;
  try {
    off = fn();
  } finally {
    setBlockMemo(true);
  }
  return [off, fn()];
}

/** Plain data: dims printed, ops by name, layer instances by id, blocks by name, sets and maps as entry lists. */
const plain = (v: unknown): unknown =>
  JSON.parse(
    JSON.stringify(v, (k, x) => {
      if (x === ABSENT) return '<absent>';
      if (x instanceof Set || x instanceof Map) return [...x];
      if (!x || typeof x !== 'object') return x;
      if ('terms' in x) return formatDim(x);
      if (k === 'op') return x.name;
      if (x.k === 'instance') return `instance ${x.inst.id}`;
      if (x.k === 'block') return `block ${x.block.decl.name.text}`;
      return x;
    }) ?? 'null',
  );

/** A model as plain data: the graph, every layer report and total (spans moved by `move`, for a model the editor kept). */
function canonModel(m: CheckedModel, move: (s: Span) => Span = (s) => s): unknown {
  const g = m.graph;
  const isSpan = (x: object): x is Span => 'file' in x && 'start' in x && 'endCol' in x;
  return JSON.parse(
    JSON.stringify({ name: g.name, span: g.span, inputs: g.inputs, outputs: g.outputs, nodes: g.nodes, tensors: g.tensors, emptyCalls: g.emptyCalls, symbols: [...g.symbols], facts: [...g.facts], layers: m.layers, totals: m.totals, rf: m.rf }, (k, x) =>
      x && typeof x === 'object' && 'terms' in x ? formatDim(x) : k === 'op' && x && typeof x === 'object' ? x.name : k === 'node' ? undefined : x && typeof x === 'object' && isSpan(x) ? { ...move(x) } : x,
    ),
  );
}

const canonCheck = (r: CheckResult) => ({ diagnostics: r.diagnostics, models: r.models.map((m) => canonModel(m)) });

/** What a resumable elaboration leaves for the next run of the editor, as plain data. */
function canonState(el: Elaboration): unknown {
  const { st, journal, checkpoints } = el.resumable!;
  const containers = new Map<unknown, string>([[st.labelsUsed, 'labelsUsed'], [st.opCounters, 'opCounters'], [st.constCache, 'constCache'], [st.symbols, 'symbols'], [SUGGESTION, 'suggestion']]);
  for (const [k, v] of st.labelsUsed) containers.set(v, `labels of '${k}'`);
  for (const [k, v] of st.opCounters) containers.set(v, `counters of '${k}'`);
  const name = (c: unknown) => containers.get(c) ?? (c instanceof JournaledVars ? 'vars' : c && typeof c === 'object' && 'producer' in c ? `tensor ${(c as unknown as { id: number }).id}` : plain(c));
  const entries: unknown[] = [];
  for (let i = 0; i < journal.length; i += 4) {
    const [kind, c, key, before] = journal.entry(i);
    entries.push([kind, name(c), key, plain(before)]);
  }
  return plain({
    diagnostics: el.diagnostics,
    steps: st.steps,
    nextInstance: st.nextInstance,
    suggestions: st.suggestions,
    lookupsAll: st.lookupsAll,
    rootLookups: [...st.rootLookups].sort(),
    labelsUsed: st.labelsUsed,
    opCounters: st.opCounters,
    constCache: [...st.constCache.keys()],
    symbols: [...st.symbols],
    at: [st.atModule?.path, st.atRange],
    pinned: journal.pinned,
    entries,
    checkpoints: checkpoints.map((c) => ({ ...c, reads: c.reads.map((x, i) => (i % 2 ? x : name(x))) })),
    deferred: st.deferred.length,
  });
}

/** The models of `text` elaborated as the editor does (journaled), each model's state. */
function states(path: string, text: string): unknown[] {
  const program = loadProgram(path, text, host, new IncrementalParser().parse);
  return [...new Set(modelsOf(program.root).map((m) => m.name.text))].map((n) => {
    const el = elaborate(program, n, undefined, { resumable: true });
    return 'error' in el ? el.error : canonState(el);
  });
}

/** Asserts that `text` checks alike with the memo off and on; returns how many applications were replayed. */
function same(path: string, text: string, opts: { inputShapes?: ReadonlyMap<string, number> } = {}): number {
  const [off, on] = offOn(() => canonCheck(check({ path, text, host, ...opts })));
  expect(on).toEqual(off);
  const before = memoStats.replayed;
  const [a, b] = offOn(() => states(path, text));
  expect(b).toEqual(a);
  return memoStats.replayed - before;
}

const nnFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? nnFiles(join(dir, e.name)) : e.name.endsWith('.nn') ? [join(dir, e.name)] : []));

describe('block memo', () => {
  it('every .nn file of the repository checks alike with the memo off and on, and repeated blocks are replayed', () => {
    const replayed: Record<string, number> = {};
    for (const dir of ['examples', 'stdlib', 'test/bad', 'test/fixtures']) for (const f of nnFiles(dir)) replayed[f] = same(join(ROOT, f), readFileSync(join(ROOT, f), 'utf8'));
    for (const f of ['examples/resnet50.nn', 'examples/mobilenet_v2.nn', 'examples/vit_b_16.nn']) expect(replayed[f]).toBeGreaterThan(0);
  });

  it('with sizes given (--input-shape), alike', () => {
    for (const f of ['examples/resnet50.nn', 'examples/vit_b_16.nn', 'examples/efficientnet_b0.nn']) same(join(ROOT, f), readFileSync(join(ROOT, f), 'utf8'), { inputShapes: new Map([['N', 2]]) });
  });

  it("the parser-recovery cases (broken text) check alike", () => {
    const cases: string[] = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/parse-recovery/cases.json'), 'utf8'));
    for (const text of cases) same(PATH, text);
  });

  it("the language-server benchmark's generated files (500 lines, both kinds) check alike, most block calls replayed", () => {
    for (const variant of ['single', 'decls']) {
      const text: string = generateModel(500, variant);
      const calls = text.match(/-> res\d+\(/g)!.length;
      // (Each is elaborated twice by same(), for the check and for the editor's state.)
      expect(same(PATH, text)).toBeGreaterThan(0.9 * calls);
    }
  });
});

/**
 * Blocks for random programs (test/fixtures/block-memo/blocks.nn): each exercises something a replay must reproduce or
 * must not replay (see the comments there).
 */
const BLOCKS = readFileSync(join(ROOT, 'test/fixtures/block-memo/blocks.nn'), 'utf8');


/** Statements of a model's body (\`h\` and \`g\`: [N, 8, H, W] tensors; \`y\`: an input of D channels). */
const STATEMENTS = [
  'h = h -> res(8)',
  'h = h -> res(8)',
  'h = h -> res(16)',
  'h = h -> conv2d(8, 1)',
  'h = h -> relu() -> res(8)',
  'h = h -> ident()',
  'q = h -> named()',
  'h = h -> relu() -> named()',
  'h = h -> nest()',
  'h = h -> nest(8)',
  'h = h -> shared_in(8)',
  'h = h -> loop(8)',
  'h = h -> loop(8, n=3)',
  'h = h -> pick(true)',
  'h = h -> pick(false)',
  'h = pair(h, h)',
  'h = pair(h, g)',
  'h = pair(g, h)',
  't = h -> two()\n  h = t[1]',
  'h = h -> usesc()',
  'h = h -> usesc(true)',
  'k = C + 1',
  'h = h -> frz()',
  'frozen {\n    h = h -> res(8)\n  }',
  'h = h -> res(8, trainable=false)',
  'h = h -> res(8, name="blk")',
  's = nest(8)\n  h = h -> s\n  h = h -> s',
  'h = h -> chk(8)',
  'h = h -> chk(16)',
  'h = h -> later()',
  'h = h -> act()',
  'h = h -> act(f=sigmoid)',
  'h = h -> act(f=leaky_relu(0.1))',
  'h = h -> shape()',
  'h = h -> max_pool2d(2)',
  'u = bind(h, y)',
  'y = y -> res(8)',
  'y = y -> ident() -> shape()',
  'h = h -> outer()',
  'h = h -> inner()',
  'h = h -> outer(true)',
  'for i in 0..2 {\n    h = h -> res(8) -> nest()\n  }',
  'repeat 3 {\n    h = h -> loop(8, 1)\n  }',
  'n = h -> number()',
  'h = h -> nope()',
  'h = h -> basic_block(8)',
  'h = h -> deep()',
  'h = h -> pool()',
  'y = y -> pick(true)',
  'h = h -> usesact()',
  'h = h -> halfconv(8) -> conv2d(half(16), 1)',
  'l = h -> layer_of(8)\n  h = h -> l -> l',
];

const HEADERS = ['(x: [N, 8, H, W], y: [N, D, H, W])', '(x: [N, 8, H, W], y: [N, D, H, W]) where H % 4 == 0', '(x: [2, 8, 16, 16], y: [2, D, 16, 16])', '(x: [N, 8, 16, 16], y: [N, 8, 16, 16])'];

const model = fc.record({ header: fc.constantFrom(...HEADERS), body: fc.array(fc.constantFrom(...STATEMENTS), { minLength: 1, maxLength: 14 }) });
const program = fc.array(model, { minLength: 1, maxLength: 3 }).map((ms) =>
  [BLOCKS, ...ms.map((m, i) => `model M${i}${m.header} {\n  g = x -> conv2d(8, 1)\n  h = x\n  ${m.body.join('\n  ')}\n  return h\n}\n`)].join('\n'),
);

/** `fn` with the elaboration limits lowered. */
function withLimits<T>(limits: Partial<Record<keyof typeof LIMITS, number>>, fn: () => T): T {
  const L = LIMITS as unknown as Record<string, number>;
  const saved = { ...L };
  Object.assign(L, limits);
  try {
    return fn();
  } finally {
    Object.assign(L, saved);
  }
}

/** Models over BLOCKS, each around one thing a replay must not get wrong (the first call of a block is recorded). */
const HAZARDS: Record<string, string> = {
  recursion: 'h = h -> inner()\n  h = h -> outer(true)',
  'an unnamed input gets named inside': 'q = h -> named()\n  h1 = h -> relu() -> named()\n  h2 = h1 -> named()\n  h = h2 -> relu() -> named() -> res(8)\n  h = h -> res(8)\n  h = h -> relu() -> res(8)',
  'one tensor given twice': 'h = pair(h, h)\n  h = pair(h, g)\n  h = pair(g, g)\n  h = pair(h, h)',
  'a shared block instance around replayed calls': 'h = h -> nest(8)\n  s = nest(8)\n  h = h -> s\n  h = h -> s -> nest(8)',
  'symbols bound by unification on the way': 'v = y -> pick(true)\n  u = bind(h, y)\n  v = y -> pick(true)\n  w = y -> pick(true) -> res(8) -> res(8)',
  'frozen and not trainable': 'h = h -> nest()\n  frozen {\n    h = h -> nest()\n    h = h -> nest()\n  }\n  h = h -> nest(trainable=false) -> nest()',
  'explicit names': 'h = h -> res(8, name="blk") -> res(8, name="blk")\n  blk = h -> res(8)\n  h = blk -> loop(8) -> loop(8)',
  'tuples and blocks without layers': 't = h -> two()\n  t2 = t[0] -> two()\n  h = t2[1] -> ident() -> ident()\n  n = h -> number()\n  n2 = h -> number()',
  'blocks as functions, blocks returning layers': 'h = h -> halfconv(8) -> halfconv(8)\n  k = half(8) + half(8)\n  l = h -> layer_of(8)\n  h = h -> l\n  l2 = h -> layer_of(8)\n  h = h -> l2 -> l',
  'errors inside (a failed assertion still returns tensors)': 'q1 = h -> chk(16)\n  q2 = h -> chk(16)\n  q3 = h -> usesc(true)\n  q4 = h -> usesc(true)\n  h = h -> res(16)\n  h = h -> res(16)',
  'deferred assertions': 'h = h -> later() -> later()',
  "a constant's layer instance": 'h = h -> usesact() -> usesact()\n  h = h -> usesact()',
};

describe('block memo: what a replay must not get wrong', () => {
  for (const [what, body] of Object.entries(HAZARDS))
    it(`${what}: alike with the memo off and on`, () => {
      const text = `${BLOCKS}\nmodel M(x: [N, 8, H, W], y: [N, D, H, W]) {\n  g = x -> conv2d(8, 1)\n  h = x\n  ${body}\n  return h\n}\n`;
      same(PATH, text);
    });

  it('constants: a block recorded where they were evaluated, called first in another model, evaluates them there', () => {
    const text = `${BLOCKS}\nmodel A(x: [N, 8, H, W]) {\n  k = C\n  return x -> usesc() -> usesc()\n}\n\nmodel B(x: [N, 8, H, W]) {\n  return x -> usesc() -> usesc()\n}\n`;
    expect(same(PATH, text)).toBeGreaterThan(0);
  });

  it('models with other facts, or binding a symbol, alike', () => {
    const model = (name: string, where: string, body: string) => `model ${name}(x: [N, 8, H, W], y: [N, D, H, W])${where} {\n  h = x\n  ${body}\n  return h\n}\n`;
    same(PATH, `${BLOCKS}\n${model('A', ' where H % 4 == 0', 'h = h -> pool() -> pool()')}\n${model('B', '', 'h = h -> pool() -> pool()')}`);
    same(PATH, `${BLOCKS}\n${model('A', '', 'u = bind(h, y)\n  h = h -> res(8)')}\n${model('B', '', 'u = bind(h, y)\n  h = y -> res(8)')}`);
  });

  it('the limits are met where they are met without it', () => {
    const text = `${BLOCKS}\nmodel M(x: [N, 8, H, W]) {\n  h = x -> relu() -> nest()\n  for i in 0..50 {\n    h = h -> nest() -> deep()\n  }\n  return h\n}\n`;
    for (const limits of [{ maxNodes: 101 }, { maxNodes: 333 }, { maxSteps: 250 }, { maxSteps: 999 }, { maxBlockDepth: 2 }])
      withLimits(limits, () => {
        same(PATH, text);
        expect(check({ path: PATH, text, host }).diagnostics.map((d) => d.code), JSON.stringify(limits)).toContain('E0104');
      });
  });
});

describe('block memo on random programs', () => {
  it('random programs of blocks check alike with the memo off and on', () => {
    let replayed = 0;
    fc.assert(
      fc.property(program, (text) => {
        replayed += same(PATH, text);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 120), seed: Number(process.env.FUZZ_SEED ?? 20261208) },
    );
    expect(replayed).toBeGreaterThan(100);
  }, 120_000);

  it('programs that reach the elaboration limits (layers, steps, block nesting) stop at the same place', () => {
    const limits = fc.record({ maxNodes: fc.integer({ min: 20, max: 400 }), maxSteps: fc.integer({ min: 40, max: 800 }), maxBlockDepth: fc.integer({ min: 1, max: 5 }) });
    let stopped = 0;
    fc.assert(
      fc.property(program, limits, (text, l) =>
        withLimits(l, () => {
          same(PATH, text);
          if (check({ path: PATH, text, host }).diagnostics.some((d) => d.code === 'E0104')) stopped++;
        }),
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 60), seed: Number(process.env.FUZZ_SEED ?? 20261209) },
    );
    expect(stopped).toBeGreaterThan(10);
  }, 120_000);

  it('the editor, typing with the memo on, gives what a fresh check without it gives', () => {
    const piece = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom('h', '8', '16', ' ', '\n', '  h = h -> res(8)\n', '  h = h -> nest()\n', '  h = h -> relu() -> named()\n', '  h = h -> res(8, name="blk")\n', '  u = bind(h, y)\n') },
      { weight: 1, arbitrary: fc.constantFrom('(', ')', ',', '-> relu()', '=', '}', '{', 'true', 'false') },
    );
    const edit = randomEdit(piece, 6);
    const base = fc.sample(program, { numRuns: 4, seed: 7 });
    fc.assert(
      fc.property(fc.constantFrom(...base, `${BLOCKS}\n${generateModel(120, 'single')}`), fc.array(fc.tuple(edit, fc.constantFrom('model', 'block')), { minLength: 1, maxLength: 5 }), (start, edits) => {
        const parser = new IncrementalParser();
        const cache = new ModelCache();
        let text = start;
        cache.run(PATH, text, host, parser.parse);
        for (const [e, where] of edits) {
          text = applyEdit(text, e, where);
          const inc = cache.run(PATH, text, host, parser.parse);
          setBlockMemo(false);
          const fresh = check({ path: PATH, text, host, parse: new IncrementalParser().parse });
          setBlockMemo(true);
          expect(inc.diagnostics).toEqual(fresh.diagnostics);
          expect(inc.models.length).toBe(fresh.models.length);
          inc.models.forEach((m, i) => expect(canonModel(m, inc.moves.get(m))).toEqual(canonModel(fresh.models[i]!)));
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 25), seed: Number(process.env.FUZZ_SEED ?? 20261210) },
    );
  }, 120_000);
});
