/**
 * Resumed elaboration (src/semantics/resume.ts): typing inside a model re-runs only its statements from the
 * edit on, after rewinding the previous run's state. Property: along random edit sequences over real files,
 * the editor's check (ModelCache with the incremental parser) gives exactly what a fresh `check()` of the
 * same text gives (parsed per declaration, as the editor does): diagnostics, and every node, tensor, symbol, layer report and total of each model it
 * elaborated; while many edits do resume.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import type { CheckedModel } from '../src/checker/analyze.js';
import type { Span } from '../src/diagnostics/types.js';
import { nodeHost } from '../src/cli/host.js';
import { type Elaboration, elaborate, modelsOf } from '../src/semantics/elaborate.js';
import { loadProgram, memoryHost } from '../src/semantics/modules.js';
import { rebase, rebasedGraph } from '../src/semantics/rebase.js';
import { ModelCache } from '../src/service/incremental-check.js';
import { IncrementalParser } from '../src/service/incremental.js';
import { formatDim } from '../src/symbolic/dim.js';
// @ts-expect-error: a plain ES module without type declarations
import { generateModel } from '../bench/lsp-gen.mjs';
import { applyEdit, randomEdit } from './helpers/random-edits.js';

const ROOT = resolve(import.meta.dirname, '..');
const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nn'));

/**
 * A model that exercises what the journal must rewind: shared instances, constants (one whose error is reported where
 * it is first used), labels, symbols bound by unification, deferred asserts, loops, if, frozen.
 */
const TRICKY = `from std.resnet import basic_block

const C = 8
const K = C / 4
const BROKEN = nope + 1

block res(x: Tensor, c: int) -> Tensor {
  y = x -> conv2d(c, 3, padding=1) -> relu()
  return add(x, y)
}

block maybe(x: Tensor, on: bool = true) -> Tensor {
  if on {
    return x -> relu()
  }
  return x
}

model M(x: [N, 3, H, W]) -> (y: [N, 10]) {
  h = x -> conv2d(C, 3, padding=1)
  a = h -> res(C)
  h = a -> maybe(false)
  h = add(a, h) -> res(C)
  z = h -> conv2d(C, 1, name="proj")
  z2 = h -> conv2d(C, 1, name="proj")
  assert params < 1M
  for i in 0..3 {
    h = h -> res(C)
  }
  if C > 4 {
    h = h -> relu()
  }
  repeat 2 {
    h = h -> res(C) -> maybe(C < 4)
  }
  frozen {
    h = h -> conv2d(C, 1, padding=0)
  }
  w = BROKEN
  shared = conv2d(C, 3, padding=1)
  s1 = add(z, z2) -> shared
  s2 = s1 -> shared
  b = s2 -> basic_block(C)
  k = K + 1
  h = b -> conv2d(C, k, padding=1)
  return h -> adaptive_avg_pool2d(1) -> flatten() -> dense(10)
}

model U(a: [N, 16], b: [N, D]) {
  a1 = a -> relu()
  s = add(a1, b)
  t = s -> dense(16)
  u = add(t, a) -> relu()
  v = u -> dense(4, name="out")
  return v
}
`;

const files: { name: string; text: string; minShare: number }[] = [
  ...examples.map((f) => ({ name: f, text: readFileSync(join(ROOT, 'examples', f), 'utf8'), minShare: 0 })),
  { name: 'generated single model', text: generateModel(150, 'single'), minShare: 0.2 },
  { name: 'shared instances, constants, labels, unification', text: TRICKY, minShare: 0.05 },
];

const piece = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('x', 'h', '2', '1', '8', '16', ' ', '\n', ' # note', '  h = h -> relu()\n', '  h = h -> res(8)\n', '  q = h -> shared\n', '  h = h -> maybe(false)\n', '  h = h -> conv2d(8, 1, name="proj")\n', '  assert macs > 0\n') },
  { weight: 1, arbitrary: fc.constantFrom('(', ')', ',', '-> relu()', 'conv2d(8, 3)', '=', '[', ']', '-', '}', '{', 'shared = dense(4)\n', 'N', 'D') },
);
const edit = randomEdit(piece, 6);

/** `text` with a comment line inserted at a line start inside a model's body (`at`: a fraction of those). */
function withCommentLine(text: string, at: number): string {
  const starts: number[] = [];
  for (const m of text.matchAll(/^model\b[^{]*\{\n/gm)) {
    const end = text.indexOf('\n}', m.index);
    for (let i = m.index + m[0].length; i > 0 && i <= end; i = text.indexOf('\n', i) + 1) starts.push(i);
  }
  if (!starts.length) return text;
  const p = starts[Math.floor(at * (starts.length - 1))]!;
  return `${text.slice(0, p)}  # idle\n${text.slice(p)}`;
}

/**
 * A model as plain data: every field a later stage reads, dims printed; spans mapped by `move` (a reused
 * model keeps the spans of when it was elaborated, and readers map them).
 */
function canon(m: CheckedModel, move: (s: Span) => Span = (s) => s): unknown {
  const g = m.graph;
  const isSpan = (x: object): x is Span => 'file' in x && 'start' in x && 'endCol' in x;
  const json = (v: unknown) =>
    JSON.parse(
      JSON.stringify(v, (k, x) =>
        x && typeof x === 'object' && 'terms' in x ? formatDim(x) : k === 'op' && x && typeof x === 'object' ? x.name : k === 'node' ? undefined : x && typeof x === 'object' && isSpan(x) ? { ...move(x) } : x,
      ),
    );
  return json({
    name: g.name,
    span: g.span,
    inputs: g.inputs,
    outputs: g.outputs,
    nodes: g.nodes,
    tensors: g.tensors,
    symbols: [...g.symbols].map(([k, v]) => [k, v === undefined ? null : formatDim(v)]),
    facts: [...g.facts],
    emptyCalls: g.emptyCalls,
    layers: m.layers,
    totals: m.totals,
    rf: m.rf,
  });
}

/**
 * An editor session on `base` (ModelCache with the incremental parser, as the service runs them): `run(text)`
 * checks the next text and asserts that it equals a fresh check of it (diagnostics, every model mapped); returns
 * both.
 */
function session(base: string) {
  const path = join(ROOT, 'examples', '__resume.nn');
  const host = nodeHost();
  const parser = new IncrementalParser();
  const cache = new ModelCache();
  cache.run(path, base, host, parser.parse);
  const run = (text: string) => {
    const r = cache.run(path, text, host, parser.parse);
    const fresh = check({ path, text, host, parse: new IncrementalParser().parse });
    expect(r.diagnostics).toEqual(fresh.diagnostics);
    expect(r.models.length).toBe(fresh.models.length);
    r.models.forEach((m, i) => expect(canon(m, r.moves.get(m))).toEqual(canon(fresh.models[i]!)));
    return { r, fresh };
  };
  return Object.assign(run, { cache });
}

describe('resumed elaboration', () => {
  for (const f of files) {
    it(`${f.name}: random edits inside models check exactly as afresh`, () => {
      const path = join(ROOT, 'examples', '__resume.nn');
      const host = nodeHost();
      let edits = 0;
      let resumed = 0;
      let kept = 0;
      let cut = 0;
      let settled = 0;
      // 'back': the text before the last edit again (an edit undone: a resumed run may cut over to the run before).
      // Then, at times, the idle work of a server after a check: a settle (in small slices), or its first steps only.
      // (A comment line, which keeps the model's check, is rare among random edits: it is a step of its own.)
      const comment = fc.integer({ min: 0, max: 1_000_000 }).map((i) => ({ comment: i / 1_000_000 }));
      const step = fc.tuple(fc.oneof({ weight: 4, arbitrary: edit }, { weight: 1, arbitrary: comment }, { weight: 1, arbitrary: fc.constant('back' as const) }), fc.constantFrom('', '', 'settle', 'half-settle'));
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), (seq) => {
          const parser = new IncrementalParser();
          const cache = new ModelCache();
          let text = f.text;
          const texts = [text];
          cache.run(path, text, host, parser.parse);
          for (const [e, idle] of seq) {
            text = e === 'back' ? (texts.at(-2) ?? text) : 'comment' in e ? withCommentLine(text, e.comment) : applyEdit(text, e, 'model');
            texts.push(text);
            const inc = cache.run(path, text, host, parser.parse);
            // Against a fresh check of the same per-declaration parse (how chunked parsing differs from parsing the
            // whole file is test/incremental-parse.test.ts's subject, not this one's).
            const fresh = check({ path, text, host, parse: new IncrementalParser().parse });
            expect(inc.diagnostics).toEqual(fresh.diagnostics);
            // Every model: elaborated, resumed, or reused with its spans mapped (moved, or kept through an edit
            // between its tokens).
            expect(inc.models.length).toBe(fresh.models.length);
            inc.models.forEach((a, i) => expect(canon(a, inc.moves.get(a))).toEqual(canon(fresh.models[i]!)));
            edits++;
            resumed += inc.resumed.length;
            kept += inc.kept.length;
            cut += inc.cut.length;
            if (idle) {
              const steps = cache.settle(7);
              for (let k = 0; (idle === 'settle' || k < 2) && !steps.next().done; k++) if (k === 0 && idle === 'settle') settled++;
            }
          }
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 30), seed: Number(process.env.FUZZ_SEED ?? 20261123) },
      );
      expect(resumed / edits).toBeGreaterThanOrEqual(f.minShare);
      if (f.minShare) expect(kept).toBeGreaterThan(0);
      // Settles that had work to do (a model kept through an edit between its tokens, big enough to yield).
      if (f.minShare >= 0.2) expect(settled).toBeGreaterThan(0);
      // Early cutoffs (src/semantics/cutoff.ts) happen in the long model, and are exact by the comparison above.
      // (In TRICKY most statements read what an edit near them writes, or follow a kept layer instance.)
      if (f.minShare >= 0.2) expect(cut).toBeGreaterThan(0);
      // (More runs, more time: an edit can turn a repeat count of 4 into 1616, a model of thousands of blocks.)
    }, 60_000 * Math.max(1, Number(process.env.FUZZ_RUNS ?? 30) / 30));
  }

  // Edits outside models: inside blocks, and whole declarations typed between the others (a new block, one that
  // shadows an op, a constant, an import, a half-typed header). A model is elaborated again only when a
  // declaration of a name it looked up changed (or it met an unknown name); the results stay a fresh check's.
  const decl = fc.constantFrom(
    'block extra(x: Tensor) -> Tensor {\n  return x -> relu()\n}\n\n',
    'block relu(x: Tensor) -> Tensor {\n  return x\n}\n\n',
    'block res(x: Tensor, c: int) -> Tensor {\n  return x\n}\n\n',
    'const C = 4\n',
    'const WIDTH = 16\n',
    'from std.resnet import basic_block\n',
    'block half(x: Tensor) -> Tensor {\n',
    '# a note\n',
  );
  const declStarts = (text: string) => [...text.matchAll(/^(?:model|block|const|from)\b/gm)].map((m) => m.index);
  for (const f of [files.at(-1)!, { name: 'generated declarations', text: generateModel(300, 'decls'), minShare: 0 }, files.find((x) => x.name === 'resnet18.nn')!]) {
    it(`${f.name}: random edits in blocks and new declarations check exactly as afresh, reusing the models they cannot affect`, () => {
      let reused = 0;
      const step = fc.oneof({ weight: 2, arbitrary: edit.map((e) => ({ e })) }, { weight: 2, arbitrary: fc.tuple(decl, fc.integer({ min: 0, max: 1_000_000 })).map(([d, i]) => ({ d, at: i / 1_000_000 })) }, { weight: 1, arbitrary: fc.constant('back' as const) });
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 5 }), (seq) => {
          // (session(): each text checked by the editor's cache and compared with a fresh check.)
          const run = session(f.text);
          let text = f.text;
          const texts = [text];
          for (const s of seq) {
            if (s === 'back') text = texts.at(-2) ?? text;
            else if ('e' in s) text = applyEdit(text, s.e, 'block');
            else {
              const starts = declStarts(text);
              const p = starts.length ? starts[Math.floor(s.at * (starts.length - 1))]! : text.length;
              text = text.slice(0, p) + s.d + text.slice(p);
            }
            texts.push(text);
            const { r } = run(text);
            reused += r.models.length - r.elaborated.length;
          }
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 20), seed: Number(process.env.FUZZ_SEED ?? 20261207) },
      );
      // The generated file's models use a few of its 30 blocks each: most edits leave most of them alone.
      if (f.name === 'generated declarations') expect(reused).toBeGreaterThan(0);
    }, 120_000);
  }

  it('a new block, or an edit in one, elaborates again only the models that use it (or met an unknown name)', () => {
    const base = `block a(x: Tensor) -> Tensor {
  return x -> relu()
}

block b(x: Tensor) -> Tensor {
  return x -> conv2d(4, 1)
}

model UsesA(x: [1, 4, 8, 8]) {
  return x -> a()
}

model UsesB(x: [1, 4, 8, 8]) {
  return x -> b()
}

model Unknown(x: [1, 4, 8, 8]) {
  return x -> c()
}
`;
    const run = session(base);
    const elaborated = (text: string) => run(text).r.elaborated;
    // (The session's first check elaborated every model; the same text again elaborates none.)
    expect(elaborated(base)).toEqual([]);
    // A new block above the others: only the model with an unknown name (its did-you-mean sees every name).
    const added = `block extra(x: Tensor) -> Tensor {\n  return x\n}\n\n${base}`;
    expect(elaborated(added)).toEqual(['Unknown']);
    // Its body edited: the same.
    const edited = added.replace('return x\n}', 'return x -> relu()\n}');
    expect(elaborated(edited)).toEqual(['Unknown']);
    // An edit in block b: the model that uses it.
    const inB = edited.replace('conv2d(4, 1)', 'conv2d(4, 3, padding=1)');
    expect(elaborated(inB)).toEqual(['UsesB', 'Unknown']);
    // A block that shadows the op relu, which block a calls: the model that uses a.
    expect(elaborated(`block relu(x: Tensor) -> Tensor {\n  return x\n}\n\n${inB}`)).toEqual(['UsesA', 'Unknown']);
  });

  it('a model pasted again under its own name is an error, not a second check (as afresh, whatever came before)', () => {
    const m = 'model M(x: [N, 3]) {\n  y = h -> relu\n  return y\n}\n';
    const run = session(m);
    const { r } = run(`${m}\n${m}`);
    expect(r.diagnostics.map((d) => `${d.code} ${d.span!.line}:${d.span!.col}`)).toEqual(['E0205 6:7', 'E0200 2:7']);
    expect(r.models.length).toBe(1);
    // The copy edited (a different text, the same name), then renamed: each step as afresh.
    run(`${m}\n${m.replace('relu', 'gelu')}`);
    run(`${m}\n${m.replace('relu', 'gelu').replace('model M', 'model M2')}`);
  });

  it('keeps a model through an edit between its tokens, but not one inside quoted source (an assertion)', () => {
    const path = join(ROOT, 'examples', '__resume.nn');
    const parser = new IncrementalParser();
    const cache = new ModelCache();
    const host = nodeHost();
    const t0 = TRICKY.replace('assert params < 1M', 'assert params < 1K');
    cache.run(path, t0, host, parser.parse);
    const same = (r: ReturnType<ModelCache['run']>, text: string) => {
      const fresh = check({ path, text, host, parse: new IncrementalParser().parse });
      expect(r.diagnostics).toEqual(fresh.diagnostics);
      r.models.forEach((m, i) => expect(canon(m, r.moves.get(m))).toEqual(canon(fresh.models[i]!)));
    };
    // A comment line typed into M: kept, its spans moved (the failed assertion's among them).
    const t1 = t0.replace('  a = h -> res(C)', '  # a comment\n  a = h -> res(C)');
    const r1 = cache.run(path, t1, host, parser.parse);
    expect([r1.kept, r1.elaborated]).toEqual([['M'], []]);
    expect(r1.diagnostics.some((d) => d.code === 'E0500')).toBe(true);
    same(r1, t1);
    // Then a comment typed character by character in another place of M: kept too, spans moved through both edits.
    const at = t1.indexOf('\n', t1.indexOf('  z = h -> conv2d'));
    for (let i = 1; i <= '\n  # b'.length; i++) {
      const t = t1.slice(0, at) + '\n  # b'.slice(0, i) + t1.slice(at);
      const r = cache.run(path, t, host, parser.parse);
      expect([r.kept, r.elaborated]).toEqual([['M'], []]);
      same(r, t);
    }
    // Blank space inside the assertion's condition instead: its message quotes that text, so M is checked again.
    const t2 = t0.replace('params < 1K', 'params <  1K');
    const r2 = cache.run(path, t2, host, parser.parse);
    expect(r2.kept).toEqual([]);
    expect(r2.elaborated).toEqual(['M']);
    expect(r2.diagnostics.find((d) => d.code === 'E0500')?.message).toContain('(params <  1K');
    same(r2, t2);
  });

  it('resumes after the unchanged statements, and not past a statement that kept a layer instance', () => {
    const path = join(ROOT, 'examples', '__resume.nn');
    const parser = new IncrementalParser();
    const cache = new ModelCache();
    const host = nodeHost();
    cache.run(path, TRICKY, host, parser.parse);
    // An edit after `shared = conv2d(…)`: rewinding there would undo the instance's applications: the run
    // resumes before it.
    const t1 = TRICKY.replace('k = K + 1', 'k = K + 2');
    const r1 = cache.run(path, t1, host, parser.parse);
    expect(r1.resumed).toEqual(['M']);
    expect(r1.diagnostics).toEqual(check({ path, text: t1, host }).diagnostics);
    // An edit in the model before the instance.
    const t2 = t1.replace('z2 = h -> conv2d(C, 1, name="proj")', 'z2 = h -> conv2d(C, 1, name="proj") -> relu()');
    const r2 = cache.run(path, t2, host, parser.parse);
    expect(r2.resumed).toEqual(['M']);
    const m = r2.models.find((x) => x.graph.name === 'M')!;
    expect(canon(m)).toEqual(canon(check({ path, text: t2, host }).models.find((x) => x.graph.name === 'M')!));
    // U moved since it was elaborated (M grew): a first edit in it elaborates it whole.
    const t3 = t2.replace('dense(4, name="out")', 'dense(5, name="out")');
    expect(cache.run(path, t3, host, parser.parse).resumed).toEqual([]);
    // In U, the statement that binds D by unification runs again: the binding is undone first, then made again.
    const t4 = t3.replace('s = add(a1, b)', 's = add(a1, b) -> relu()');
    const r4 = cache.run(path, t4, host, parser.parse);
    expect(r4.resumed).toEqual(['U']);
    const u = r4.models.find((x) => x.graph.name === 'U')!;
    expect(u.graph.symbols.get('D')).toBe(16);
    expect(canon(u)).toEqual(canon(check({ path, text: t4, host }).models.find((x) => x.graph.name === 'U')!));
    // Typing in the first statement leaves nothing to resume after.
    const t5 = t4.replace('h = x -> conv2d(C, 3, padding=1)', 'h = x -> conv2d(C, 3, padding=1) ');
    expect(cache.run(path, t5, host, parser.parse).resumed).toEqual([]);
  });

  it('reuses the statements after a typed line when they cannot tell the difference (early cutoff), exactly', () => {
    // An error below the edit too: its diagnostic comes from the reused statements and must move with them.
    // And an unknown name there, whose did-you-mean scans every variable; and a block call that makes no layer.
    const keep = 'block keep(x: Tensor) -> Tensor {\n  return x\n}\n\n';
    const base = keep + generateModel(120, 'single').replace('  h81 = h80 -> conv2d(16, 3, padding=1) -> relu()', '  h81 = h80 -> conv2d(16, 3, padding=1) -> relu(nope=1)\n  nope_name').replace('  h61 = ', '  zk = h60 -> keep()\n  h61 = ');
    expect(base).toContain('relu(nope=1)');
    const typeLine = (line: string, near: string) => {
      const run = session(base);
      const at = base.indexOf(near);
      expect(at).toBeGreaterThan(0);
      const cuts: string[] = [];
      for (let i = 1; i <= line.length; i++) {
        const { r } = run(base.slice(0, at) + line.slice(0, i) + base.slice(at));
        if (r.cut.length) cuts.push(line.slice(0, i));
      }
      return cuts;
    };
    // A new line whose name nothing reads: the texts that bind it, with or without a layer, reuse the rest.
    const cuts = typeLine('  q = h40 -> conv2d(16, 3, padding=1)\n', '  h41 = ');
    expect(cuts).toContain('  q = h40');
    expect(cuts).toContain('  q = h40 -> conv2d(16, 3, padding=1)');
    // Its name read further down (h42 is rebound, then read): never reused, and still exact.
    expect(typeLine('  h42 = h40 -> conv2d(16, 3, padding=1)\n', '  h41 = ').filter((c) => c.includes('conv2d(16, 3'))).toEqual([]);
    // Automatically labelled layers renumber every later layer of their kind: not reused, still exact. (With one
    // relu the layer takes the variable's name, as it did when the bare `relu` was typed: the text two edits back.)
    expect(typeLine('  q = h40 -> relu() -> relu()\n', '  h41 = ').filter((c) => c.endsWith('relu() -> relu()'))).toEqual([]);
    // A name the did-you-mean below could suggest: never reused, and still exact (it is suggested once typed).
    expect(typeLine('  nope_nam = h40\n', '  h41 = ').filter((c) => c.includes('nope_nam ='))).toEqual([]);
    // A block call with its own label and layers, then a rename of an earlier tensor's variable.
    expect(typeLine('  q = h40 -> res1(16)\n  r = q\n', '  h41 = ').length).toBeGreaterThan(0);
  });

  it('an edit undone (an error made and mended) cuts over to the run before the last, exactly', () => {
    const base = generateModel(120, 'single');
    const run = session(base);
    // A digit typed into a channel count and deleted, alternately: the residual add after it fails, then passes.
    // The statements after it read what it binds, so the last run cannot lend them; the one before can.
    const at = base.indexOf('conv2d(16', base.indexOf('  h41 = ')) + 'conv2d(16'.length;
    const broken = `${base.slice(0, at)}1${base.slice(at)}`;
    for (let k = 0; k < 6; k++) {
      const { r, fresh } = run(k % 2 === 0 ? broken : base);
      expect(fresh.diagnostics.some((d) => d.code === 'E0402')).toBe(k % 2 === 0);
      expect(r.resumed).toEqual(['Big0']);
      expect(r.cut).toEqual(k === 0 ? [] : ['Big0']);
    }
    // Typing on in that statement after going back: the ancestor is the run just left, cut over only when exact.
    for (const ch of '6, 3') {
      run(base);
      run(`${base.slice(0, at)}${ch}${base.slice(at)}`);
    }
  });

  it('a misaligned merge before and after the edit still warns in resumed checks (W0103)', () => {
    const mis = (v: string, w: string) => `  ${v} = ${w} -> conv2d(8, 3, stride=2, padding=1) -> upsample(scale_factor=2)\n  ${v} = add(${v}, ${w})\n`;
    const base = `model M(x: [1, 8, 32, 32]) {\n${mis('a', 'x')}  b = a -> relu()\n${mis('c', 'b')}  return c\n}\n`;
    const run = session(base);
    const at = base.indexOf('  b = a');
    let cut = 0;
    for (const line of ['  q = a -> relu()\n', '  q = a\n']) {
      const { r, fresh } = run(base.slice(0, at) + line + base.slice(at));
      expect(fresh.diagnostics.filter((d) => d.code === 'W0103')).toHaveLength(2);
      cut += r.cut.length;
    }
    expect(cut).toBeGreaterThan(0);
  });

  it('a failed assertion on a total keeps its place after the analysis warnings in a resumed check (as afresh)', () => {
    const base = 'model W(x: [1, 4, 64, 64]) {\n  a = x -> conv2d(4, 2, stride=2)\n  b = x -> conv2d(4, 3, stride=2, padding=1)\n  y = add(a, b)\n  z = y -> relu\n  assert macs == 5\n  return z\n}\n';
    const run = session(base);
    const { r, fresh } = run(base.replace('z = y -> relu', 'z = y -> relu -> relu'));
    expect(r.resumed).toEqual(['W']);
    expect(fresh.diagnostics.map((d) => d.code)).toEqual(['W0103', 'E0500']);
  });

  it('after a comment typed far above, code typed below still resumes after the statements it left alone', () => {
    let text = generateModel(120, 'single');
    const edit = session(text);
    const run = (next: string) => edit((text = next)).r;
    // A comment typed near the top of the model, character by character: its result kept, spans mapped.
    let at = text.indexOf('\n', text.indexOf('  h5 = '));
    for (const ch of '\n  # a note') {
      expect(run(text.slice(0, at) + ch + text.slice(at)).kept).toEqual(['Big0']);
      at++;
    }
    // Then a statement far below: the first real edit is resumed there (and the rest reused), not re-run from the comment.
    at = text.indexOf('  h61 = ');
    const r = run(`${text.slice(0, at)}  q = h60\n${text.slice(at)}`);
    expect(r.resumed).toEqual(['Big0']);
    expect(r.cut).toEqual(['Big0']);
    // And again, with a comment typed in between.
    at = text.indexOf('\n', text.indexOf('  h20 = ')) + 1;
    run(`${text.slice(0, at)}  # more\n${text.slice(at)}`);
    at = text.indexOf('  q = h60');
    expect(run(`${text.slice(0, at)}  r = h60\n${text.slice(at)}`).cut).toEqual(['Big0']);
  });

  it('graphs, elaborations and resumable runs have one shape each: first, resumed and rebased, with and without a doc', () => {
    // (The checker's per-keystroke passes are optimized for one hidden class of each; a property spread in or
    // left out makes another, and they deoptimize on the next model or run: the first keystrokes were 4–8× slower.)
    const model = (name: string, extra: string) => `model ${name}(x: [N, 3, 8, 8]) -> (y: [N, 4, 8, 8]) {\n  h = x -> conv2d(4, 3, padding=1)\n${extra}  return h -> relu()\n}\n`;
    const texts = [`# Documented.\n${model('A', '')}\n${model('B', '')}`];
    texts.push(texts[0]!.replace('  return h -> relu()', '  h = h -> relu()\n  return h -> relu()'));
    texts.push(texts[1]!.replace('  h = x', '  # a note\n  h = x'));
    const path = 'm.nn';
    const prog = (t: string) => loadProgram(path, t, memoryHost({ [path]: t }));
    const ok = (el: ReturnType<typeof elaborate>): Elaboration => {
      if ('error' in el) throw new Error(el.error[0]!.message);
      return el;
    };
    const a = ok(elaborate(prog(texts[0]!), 'A', undefined, { resumable: true }));
    const b = ok(elaborate(prog(texts[0]!), 'B', undefined, { resumable: true }));
    const resumed = ok(elaborate(prog(texts[1]!), 'A', undefined, { resumable: true, previous: a }));
    expect(resumed.reused).toBeDefined();
    const p3 = prog(texts[2]!);
    const shift = '  # a note\n'.length;
    const move = (sp: Span) => (sp.start > texts[1]!.indexOf('  h = x') ? { ...sp, start: sp.start + shift, end: sp.end + shift } : sp);
    const rebased = rebase(resumed.resumable!, p3, modelsOf(p3.root)[0]!, move)!;
    expect(rebased).toBeDefined();
    const keys = (o: object) => Object.keys(o);
    for (const x of [b, resumed]) expect(keys(x)).toEqual(keys(a));
    for (const g of [b.graph, resumed.graph, rebasedGraph(resumed.graph, rebased, move)]) expect(keys(g)).toEqual(keys(a.graph));
    for (const r of [b.resumable!, resumed.resumable!, rebased]) expect(keys(r)).toEqual(keys(a.resumable!));
    for (const port of [rebased.inputs[0]!, rebasedGraph(resumed.graph, rebased, move).outputs[0]!]) expect(keys(port)).toEqual(keys(a.graph.inputs[0]!));
  });

  it('settled while idle after comments (the run moved ahead of the next edit), the model stays exact', () => {
    // With an error (elaboration) and a warning (analysis) after the comment: their spans move too.
    // (And a small model above it, edited at the end; a block call that makes no layer, whose span moves too.)
    const tiny = 'model Tiny(x: [N, 4]) -> (y: [N, 2]) {\n  return x -> dense(2)\n}\n\nblock keep(x: Tensor) -> Tensor {\n  return x\n}\n\n';
    let text = tiny + generateModel(120, 'single').replace('  h100 = h99 -> res1(16)', '  h100 = h99 -> res1(16) -> conv2d(16, 99)').replace('  h71 = ', '  zz = h70 -> conv2d(16, 3, padding=1) -> batchnorm()\n  zk = h70 -> keep()\n  h71 = ');
    const edit = session(text);
    const run = (next: string) => edit((text = next)).r;
    const settle = (slice: number) => [...edit.cache.settle(slice)].length;
    // (A space in the header first: the model's name and ports move too.)
    const header = text.indexOf('model Big0(') + 'model'.length;
    expect(run(`${text.slice(0, header)} ${text.slice(header)}`).kept).toEqual(['Big0']);
    let at = text.indexOf('\n', text.indexOf('  h5 = '));
    for (const ch of '\n  # a note') {
      expect(run(text.slice(0, at) + ch + text.slice(at)).kept).toEqual(['Big0']);
      at++;
    }
    // Settled in slices, the model's result is that of the text it was kept for: checking that text again
    // reuses it as it is (before, it was kept again: moved from the text it was elaborated for).
    expect(settle(50)).toBeGreaterThan(3);
    const again = run(text);
    expect([again.kept, again.elaborated, again.moves.size]).toEqual([[], [], 0]);
    expect(again.diagnostics.map((d) => d.code)).toEqual(['E0401', 'W0101']);
    // Nothing left to settle; code typed below resumes after the statements it left alone, exactly.
    expect(settle(50)).toBe(0);
    at = text.indexOf('  h61 = ');
    const r = run(`${text.slice(0, at)}  q = h60\n${text.slice(at)}`);
    expect([r.resumed, r.cut]).toEqual([['Big0'], ['Big0']]);
    // A settle interrupted by a check changes nothing: it stops at its next step.
    run(text.replace('  q = h60\n', '  q = h60  # why\n'));
    run(text.replace('  q = h60\n', '  q = h60  # why not\n'));
    const steps = edit.cache.settle(50);
    steps.next();
    steps.next();
    run(text.replace('  q = h60\n', '  q = h60  # why not?\n'));
    expect(steps.next().done).toBe(true);
    at = text.indexOf('  h90 = ');
    expect(run(`${text.slice(0, at)}  r = h89 -> relu()\n${text.slice(at)}`).resumed).toEqual(['Big0']);
    // Settled after a comment, the model is kept through the next one too, and moved when the model above grows.
    at = text.indexOf('\n', text.indexOf('  h30 = '));
    run(`${text.slice(0, at)} # c${text.slice(at)}`);
    expect(settle(50)).toBeGreaterThan(3);
    expect(run(`${text.slice(0, at + 4)}d${text.slice(at + 4)}`).kept).toEqual(['Big0']);
    expect(settle(50)).toBeGreaterThan(3);
    at = text.indexOf('  return x -> dense(2)');
    const grown = run(`${text.slice(0, at)}  z = x -> dense(2)\n${text.slice(at)}`);
    expect([grown.elaborated, grown.kept, grown.moves.size]).toEqual([['Tiny'], [], 1]);
  });
});

