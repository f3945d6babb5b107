/**
 * The formatter and comments in declaration and statement headers (src/syntax/printer.ts): an end-of-line
 * comment stays at the end of the header's line (after `{`), none moves above a block or model (where it
 * would become its documentation, shown on hover), formatting is idempotent, and the formatted file checks
 * to the same diagnostics.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import { memoryHost } from '../src/semantics/modules.js';
import { LanguageService, organizeImports } from '../src/service/index.js';
import { formatText } from '../src/syntax/printer.js';
import { commentTexts, docs, parse } from './helpers/fmt-props.js';

/** Diagnostics without positions (those move when the layout does). */
const diagnostics = (text: string) =>
  check({ path: 'm.nn', text, host: memoryHost({}) })
    .diagnostics.map((d) => `${d.code} ${d.severity} ${d.message}`)
    .sort();

function fmt(text: string): string {
  const r = formatText(text);
  expect(r.result, `no result for ${JSON.stringify(text)}`).toBeDefined();
  return r.result!;
}

/** Idempotent, every comment kept, the documentation unchanged. */
function expectSound(text: string): string {
  const out = fmt(text);
  expect(fmt(out), `formatting ${JSON.stringify(out)} again`).toBe(out);
  expect(commentTexts(out)).toEqual(commentTexts(text));
  expect(docs(out)).toEqual(docs(text));
  return out;
}

const body = '\n  return x\n}\n';

describe('a comment at the end of a header line', () => {
  // The QA cases: a comment after the last `where` constraint with `{` on the next line broke the
  // constraints on the first run and joined them on the second (`dslc fmt --check` failed after `dslc fmt`).
  const grid: [string, string][] = [
    [`model M(x: [N, 3, 8, 8]) where N == 2 # w1\n{${body}`, 'model M(x: [N, 3, 8, 8]) where N == 2 {  # w1'],
    [`model M(x: [N, 3, 8, 8]) where N == 2, N % 2 == 0 # w1\n{${body}`, 'model M(x: [N, 3, 8, 8]) where N == 2, N % 2 == 0 {  # w1'],
    [`model M(x: [N, 3, 8, 8]) where N == 2 # w1\n  {${body}`, 'model M(x: [N, 3, 8, 8]) where N == 2 {  # w1'],
    [`model M(x: [N, 3, 8, 8])\n  where N == 2 # w1\n{${body}`, 'model M(x: [N, 3, 8, 8]) where N == 2 {  # w1'],
    [`model M(x: [N, 3, 8, 8]) where N == 2 { # w1${body}`, 'model M(x: [N, 3, 8, 8]) where N == 2 {  # w1'],
    [`block b(x) -> Tensor # w1\n{${body}`, 'block b(x) -> Tensor {  # w1'],
    // A comment after the outputs or before `where` became the model's documentation.
    [`model M(x: [N, 3, 8, 8]) -> [N, 3, 8, 8] # TODO: try 64x64 inputs\n{${body}`, 'model M(x: [N, 3, 8, 8]) -> [N, 3, 8, 8] {  # TODO: try 64x64 inputs'],
    [`model M(x: [N, 3, 8, 8]) # hdr\n  where N == 2 {${body}`, 'model M(x: [N, 3, 8, 8]) where N == 2 {  # hdr'],
    [`model M(x: [N, 3, 8, 8]) -> # out\n  [N, 3, 8, 8] {${body}`, 'model M(x: [N, 3, 8, 8]) -> [N, 3, 8, 8] {  # out'],
  ];
  for (const [text, first] of grid) {
    it(`stays on the header's line: ${JSON.stringify(text)}`, () => {
      const out = expectSound(text);
      expect(out.split('\n')[0]).toBe(first);
      expect(docs(out)).toEqual([undefined]);
    });
  }

  it('one comment trails `{`; the others open the body, in order, none above the model', () => {
    const text = '# doc\nmodel M(x: [N]) # a\n  # b\n  where N == 2 # c\n{ # d\n  return x\n}\n';
    expect(expectSound(text)).toBe('# doc\nmodel M(x: [N]) where N == 2 {  # a\n  # b\n  # c\n  # d\n  return x\n}\n');
  });

  it('stays after `{` in statement headers too, also in an empty body', () => {
    const text = 'block b(x) {\n  if x # i\n  {\n    y = 1\n  } # between\n  else { # e\n  }\n  for i in [1, 2] # f\n  {\n    x = x\n  }\n  frozen # z\n  {}\n  return x\n}\n';
    expect(expectSound(text)).toBe(
      'block b(x) {\n  if x {  # i\n    y = 1\n  } else {  # between\n    # e\n  }\n  for i in [1, 2] {  # f\n    x = x\n  }\n  frozen {  # z\n  }\n  return x\n}\n',
    );
  });
});

describe("a comment among an import's items", () => {
  const T = 'from std.resnet import';
  const USE = '\n\nmodel M(x: [N, 64, 8, 8]) {\n  return x -> basic_block(64) -> bottleneck(16)\n}\n';
  // The import stays broken one item per line, each end-of-line comment after its item: none moves above the
  // import, where it loses its name and, at the top of a file, becomes the file's header comment (hover).
  const grid: [string, string][] = [
    // The QA case.
    [`${T} basic_block,  # for the stem\n  bottleneck  # deep`, `${T}\n  basic_block,  # for the stem\n  bottleneck    # deep`],
    [`${T} basic_block, # for the stem\n  bottleneck`, `${T}\n  basic_block,  # for the stem\n  bottleneck`],
    [`${T} basic_block,  # a\n  bottleneck as bn,  # b\n  basic_block as bb  # c`, `${T}\n  basic_block,       # a\n  bottleneck as bn,  # b\n  basic_block as bb  # c`],
    [`${T} basic_block, bottleneck  # both`, `${T} basic_block, bottleneck  # both`],
    [`${T} basic_block,\n  # the deep one\n  bottleneck`, `${T}\n  basic_block,\n  # the deep one\n  bottleneck`],
    [`${T} # c0\n  basic_block, bottleneck`, `${T}  # c0\n  basic_block,\n  bottleneck`],
    [`${T}\n  # own\n  basic_block, bottleneck`, `${T}\n  # own\n  basic_block,\n  bottleneck`],
    [`from std.resnet # m\n  import basic_block, bottleneck`, `${T}  # m\n  basic_block,\n  bottleneck`],
    [`from "./lib.nn" import basic_block,  # q\n  bottleneck,  # r\n`, `from "./lib.nn" import\n  basic_block,  # q\n  bottleneck    # r`],
  ];
  for (const [imports, want] of grid) {
    it(`stays with its item: ${JSON.stringify(imports)}`, () => {
      const out = expectSound(imports + USE);
      expect(out.slice(0, out.indexOf('\n\n'))).toBe(want);
      // Nothing above the import: no header comment for the file.
      expect(out.startsWith('from ')).toBe(true);
    });
  }

  it('after formatting, organize imports still removes each comment with its name', () => {
    const lib = 'const K = 3\nconst WIDTH = 8\nblock unit(x: Tensor) -> Tensor {\n  return x -> relu\n}\nblock other(x: Tensor) -> Tensor {\n  return x\n}\n';
    const use = '\n\nmodel M(x: [N, 3, 8, 8]) {\n  return x -> conv2d(8, K) -> unit\n}\n';
    const s = new LanguageService({ host: memoryHost({ 'lib.nn': lib }) });
    const cases: [string, string][] = [
      ['from "./lib.nn" import other,  # unused\n  unit,  # for the stem\n  K  # kept', 'from "./lib.nn" import\n  unit,  # for the stem\n  K  # kept'],
      ['from "./lib.nn" import unit,  # for the stem\n  other,  # unused\n  K  # kept', 'from "./lib.nn" import\n  unit,  # for the stem\n  K  # kept'],
      ['from "./lib.nn" import unit,  # for the stem\n  K,  # kept\n  WIDTH  # unused', 'from "./lib.nn" import\n  unit,  # for the stem\n  K  # kept'],
    ];
    for (const [imports, want] of cases) {
      const text = fmt(imports + use);
      s.set('m.nn', text);
      const act = organizeImports(s.analyze('m.nn')!)!;
      let t = text;
      for (const e of [...act.edits].sort((x, y) => y.span.start - x.span.start)) t = t.slice(0, e.span.start) + e.newText + t.slice(e.span.end);
      // (The lines kept are as written: their comments may stand a column or two right of where formatting
      // again would align them, once the longest line is gone.)
      const unaligned = (x: string) => x.replace(/ +#/g, '  #');
      expect(unaligned(t), imports).toBe(unaligned(want) + use);
      expect(unaligned(fmt(t))).toBe(unaligned(t));
    }
  });
});

// ---- comments at every header position (property) -----------------------------------------------------

/** A comment slot: nothing, an end-of-line comment, or a comment on a line of its own. */
const slot = (kind: number, k: number) => (kind === 0 ? ' ' : kind === 1 ? ` # c${k}\n` : `\n# c${k}\n`);

/** A model header with a slot after `(`, each parameter, `)`, `->`, each output, `where`, each constraint, before and after `{`. */
function modelText(s: readonly number[], doc: boolean, padding: number): string {
  const c = (k: number) => slot(s[k]!, k);
  return (
    `${doc ? '# the model\n' : ''}model M(${c(0)}x: [N, 3, H, W],${c(1)}k: [N, 8]${c(2)})${c(3)}->${c(4)}(y: [N, 8, H, W],${c(5)}z: [N, 8])${c(6)}` +
    `where${c(7)}H % 2 == 0,${c(8)}W == 32${c(9)}{${c(10)}\n  return x -> conv2d(8, 3, padding=${padding}), k\n}\n`
  );
}

/** A block header (parameters with defaults, one output type) and an `if`/`else` in its body. */
function blockText(s: readonly number[], doc: boolean): string {
  const c = (k: number) => slot(s[k]!, k);
  return (
    `${doc ? '# the block\n' : ''}block b(${c(0)}x: Tensor,${c(1)}n: int = 2${c(2)})${c(3)}->${c(4)}Tensor${c(5)}{${c(6)}\n` +
    `  if n > 1${c(7)}{${c(8)}\n    x = x -> relu\n  }${c(9)}else${c(10)}{ }\n  return x\n}\n\nmodel M(x: [N, 4]) {\n  return x -> b\n}\n`
  );
}

describe('comments at every header position (generated)', () => {
  const slots = fc.array(fc.constantFrom(0, 1, 1, 2), { minLength: 11, maxLength: 11 });
  const cases = [
    fc.tuple(slots, fc.boolean(), fc.constantFrom(0, 1)).map(([s, d, p]) => modelText(s, d, p)),
    fc.tuple(slots, fc.boolean()).map(([s, d]) => blockText(s, d)),
  ];
  cases.forEach((arb, i) => {
    it(`${i ? 'blocks' : 'models'}: idempotent, every comment and doc kept, the same diagnostics`, () => {
      let formatted = 0;
      fc.assert(
        fc.property(arb, (text) => {
          // Some placements are not valid syntax (a line break where the header cannot continue).
          if (parse(text).diagnostics.some((d) => d.severity === 'error')) return;
          const out = expectSound(text);
          expect(diagnostics(out)).toEqual(diagnostics(text));
          formatted++;
        }),
        { numRuns: 150, seed: 7 + i },
      );
      expect(formatted).toBeGreaterThan(30);
    });
  });
});

describe('a comment inside a `where` constraint', () => {
  it('moves after `{` without breaking the constraints (it broke them once, and the second run joined them)', () => {
    for (const text of ['model M(x: [N, 3, H, W]) where H % 16 == 0, W # note\n  % 16 == 0 {\n  return x -> relu\n}\n', 'model M(x: [N, 3, H, W]) where H # c\n  % 16 == 0 {\n  return x\n}\n']) {
      const out = expectSound(text);
      expect(out.split('\n')[0], text).toMatch(/^model M\(x: \[N, 3, H, W\]\) where .* \{ {2}# (note|c)$/);
    }
  });
});

describe('comments around `else`', () => {
  const model = (branches: string) => `model M(x: [N, 3, 8, 8]) {\n  if true {\n    h = x\n  }${branches}\n  return h\n}\n`;

  it('a comment between `else` and `if` stays with that branch (it moved above the whole `if`)', () => {
    const trail = expectSound(model(' else # shallow\n  if false {\n    h = x\n  } else {\n    h = x -> relu()\n  }'));
    expect(trail).toContain('  } else if false {  # shallow\n    h = x\n');
    const own = expectSound(model(' else\n    # only then\n    if false {\n    h = x\n  }'));
    expect(own).toContain('  } else if false {\n    # only then\n    h = x\n');
    expect(own.indexOf('# only then')).toBeGreaterThan(own.indexOf('if true'));
  });

  it('comments after `}` and after `else` keep their order in the branch that follows', () => {
    const out = expectSound(model(' # a\n  else # b\n  if false { # c\n    h = x\n  }'));
    expect(out).toContain('  } else if false {  # a\n    # b\n    # c\n    h = x\n');
    const plain = expectSound(model('\n  # otherwise\n  else {\n    h = x -> relu()\n  }'));
    expect(plain).toContain('  } else {\n    # otherwise\n    h = x -> relu()\n');
  });
});

describe('trailing comments of consecutive lines are aligned (as gofmt does)', () => {
  it('in one column, two spaces after the longest code of the run; a blank line or a comment line ends a run', () => {
    const text = 'model M(x: [N, 3, 8, 8]) {\n  a = x -> relu()  # first\n  bb = a -> relu() # second\n  c = bb  #   third\n\n  d = c # alone\n  # own line\n  e = d -> relu()  # after\n  return e\n}\n';
    expect(expectSound(text)).toBe(
      'model M(x: [N, 3, 8, 8]) {\n  a = x -> relu()   # first\n  bb = a -> relu()  # second\n  c = bb            #   third\n\n  d = c  # alone\n  # own line\n  e = d -> relu()  # after\n  return e\n}\n',
    );
  });

  it('not across top-level declarations (range formatting formats one alone), nor past the width', () => {
    expect(expectSound('const S = 3  # grid\nconst CLASSES = 3  # scores\n')).toBe('const S = 3  # grid\nconst CLASSES = 3  # scores\n');
    const long = `  b = a -> relu()  # ${'x'.repeat(70)}`;
    const text = `model M(x: [N, 3, 8, 8]) {\n  a = x -> conv2d(8, 3, padding=1, name="a_rather_long_name")  # short\n${long}\n  return b\n}\n`;
    expect(expectSound(text)).toBe(text);
  });

  it('counts cells as drawn (a CJK character takes two), and a declaration\'s own `) -> T {` and `}` lines stay in its run', () => {
    const cjk = fmt('model M(x: [N, 3, 8, 8]) {\n  h = x -> conv2d(8, 3, name="卷积层")  # a\n  h = h -> relu  # b\n  return h\n}\n');
    const [l1, l2] = cjk.split('\n').slice(1, 3).map((l) => l.indexOf('#') + (l.slice(0, l.indexOf('#')).match(/[\u4e00-\u9fff]/g)?.length ?? 0));
    expect(l1).toBe(l2);
    const header = expectSound('block b(\n  x: Tensor,  # input\n  c: int = 3,  # channels\n) -> Tensor {  # header\n  return x -> conv2d(c, 3)  # conv\n}  # end\n');
    const cols = header.split('\n').filter((l) => l.includes('#')).map((l) => l.indexOf('#'));
    expect(new Set(cols).size, header).toBe(1);
  });

  it('the hand-aligned examples keep their columns where the code allows (resnet18)', () => {
    const out = fmt('model M(x: [N, 3, 8, 8]) {\n  c2 = x -> relu(name="layer1")                # 56×56\n  c3 = c2 -> relu(name="layer2")       # 28×28\n  return c3\n}\n');
    expect(out).toContain('  c2 = x -> relu(name="layer1")   # 56×56\n  c3 = c2 -> relu(name="layer2")  # 28×28\n');
  });
});
