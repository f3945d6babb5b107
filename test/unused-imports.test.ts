/**
 * W0109, unused imports (src/semantics/unused-imports.ts): every place a name can be used counts, keyword names
 * and members do not, only the checked file is judged, and the fix each warning carries removes exactly the
 * import (the item and its comma, or the line) leaving a program that checks as before without the warning.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import { nodeHost } from '../src/cli/host.js';
import type { Diagnostic } from '../src/diagnostics/types.js';
import { memoryHost } from '../src/semantics/modules.js';
import { LanguageService, codeActions } from '../src/service/index.js';

const LIB = 'const WIDTH = 8\nconst K = 3\nconst DEPTH = 2\nconst EPS = 1\nblock unit(x: Tensor, c: int = WIDTH) -> Tensor {\n  return x -> conv2d(c, K, padding=1) -> relu\n}\nblock other(x: Tensor) -> Tensor {\n  return x\n}\n';
const run = (text: string, files: Record<string, string> = {}) => check({ path: 'm.nn', text, host: memoryHost({ 'lib.nn': LIB, ...files }) }).diagnostics;
const unused = (text: string, files?: Record<string, string>) => run(text, files).filter((d) => d.code === 'W0109');
const names = (ds: readonly Diagnostic[]) => ds.map((d) => d.message.split("'")[1]).sort();

describe('W0109 unused import', () => {
  it('counts uses everywhere a name can be written', () => {
    const uses: [string, string][] = [
      ['unit', 'model M(x: [1, 3, 8, 8]) {\n  return x -> unit\n}\n'],
      ['unit', 'model M(x: [1, 3, 8, 8]) {\n  return unit(x)\n}\n'],
      ['WIDTH', 'const C2 = WIDTH * 2\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> conv2d(C2, 3)\n}\n'],
      ['WIDTH', 'model M(x: [1, WIDTH, 8, 8]) {\n  return x -> relu\n}\n'],
      ['WIDTH', 'model M(x: [1, 3, 8, 8]) -> (y: [1, WIDTH, 6, 6]) {\n  return x -> conv2d(8, 3)\n}\n'],
      ['WIDTH', 'block b(x: Tensor, c: int = WIDTH) -> Tensor {\n  return x\n}\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> b\n}\n'],
      ['DEPTH', 'model M(x: [1, 3, 8, 8]) {\n  h = x\n  for i in 0..DEPTH {\n    h = h -> relu\n  }\n  return h\n}\n'],
      ['DEPTH', 'model M(x: [1, 3, 8, 8]) {\n  h = x\n  repeat DEPTH {\n    h = h -> relu\n  }\n  return h\n}\n'],
      ['DEPTH', 'model M(x: [1, 3, 8, 8]) {\n  if DEPTH > 1 {\n    return x -> relu\n  } else {\n    return x\n  }\n}\n'],
      ['EPS', 'model M(x: [1, 3, 8, 8]) {\n  assert EPS > 0\n  return x\n}\n'],
      ['EPS', 'model M(x: [1, 3, 8, 8]) {\n  frozen {\n    y = x -> conv2d(EPS + 2, 3)\n  }\n  return y\n}\n'],
      ['K', 'model M(x: [1, 3, 8, 8]) {\n  return x -> conv2d(8, -(-((((K))))) + 0, padding=[K // 3, 1][0])\n}\n'],
    ];
    for (const [name, body] of uses) {
      const text = `from "./lib.nn" import ${name}\n${body}`;
      const ds = run(text);
      expect(ds.filter((d) => d.severity === 'error'), text).toEqual([]);
      expect(unused(text), text).toEqual([]);
      // The same model without the use (the import's name replaced in the body): the import is unused.
      expect(names(unused(`from "./lib.nn" import ${name}\n${body.replaceAll(name, name === 'unit' ? 'relu' : '3')}`)), body).toEqual([name]);
    }
  });

  it('keyword names, members, other modules and a name only defined here are not uses of it', () => {
    const text = 'from "./lib.nn" import unit, K, WIDTH as stride\nmodel M(x: [1, 3, 8, 8]) {\n  h = x -> conv2d(8, 3, stride=1)\n  n = h.shape\n  return h\n}\n';
    const ds = unused(text);
    expect(names(ds)).toEqual(['K', 'stride', 'unit']);
    expect(ds.find((d) => d.message.startsWith("'stride'"))!.message).toBe("'stride' (WIDTH) is imported from ./lib.nn but never used");
    // lib.nn itself imports nothing it leaves unused; a module imported with unused imports of its own is not judged here.
    const mid = 'from "./lib.nn" import unit, other\nblock wrap(x: Tensor) -> Tensor {\n  return x -> unit\n}\n';
    expect(unused('from "./mid.nn" import wrap\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> wrap\n}\n', { 'mid.nn': mid })).toEqual([]);
    expect(names(unused(mid))).toEqual(['other']);
  });

  it('a local variable that certainly shadows the name is not a use; one bound on some paths only leaves it used', () => {
    const shadowed = [
      // Assigned before the read; a parameter; an input; a loop variable in its loop; bound in both branches.
      'model M(x: [1, 3, 8, 8]) {\n  unit = x -> relu\n  return unit\n}\n',
      'block b(x: Tensor, unit: Tensor) -> Tensor {\n  return add(x, unit)\n}\nmodel M(x: [1, 3, 8, 8]) {\n  return b(x, x)\n}\n',
      'model M(unit: [1, 3, 8, 8]) {\n  return unit -> relu\n}\n',
      'model M(x: [1, 3, 8, 8]) {\n  h = x\n  for unit in [1, 2] {\n    h = h -> conv2d(unit, 1)\n  }\n  return h\n}\n',
      'model M(x: [1, 3, 8, 8]) {\n  if 1 > 0 {\n    unit = x\n  } else {\n    unit = x -> relu\n  }\n  return unit\n}\n',
    ];
    for (const body of shadowed) {
      const text = `from "./lib.nn" import unit\n${body}`;
      expect(run(text).filter((d) => d.severity === 'error'), text).toEqual([]);
      expect(names(unused(text)), text).toEqual(['unit']);
    }
    const used = [
      // Read before it is assigned; bound in one branch only; after a loop that may not run; in another declaration.
      'model M(x: [1, 3, 8, 8]) {\n  y = x -> unit\n  unit = y\n  return unit\n}\n',
      'model M(x: [1, 3, 8, 8]) {\n  if 1 > 0 {\n    unit = x\n  }\n  return x -> unit\n}\n',
      'model M(x: [1, 3, 8, 8]) {\n  h = x\n  for i in [1] {\n    unit = h\n  }\n  return h -> unit\n}\n',
      'block b(unit: Tensor) -> Tensor {\n  return unit\n}\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> b -> unit\n}\n',
    ];
    for (const body of used) expect(unused(`from "./lib.nn" import unit\n${body}`), body).toEqual([]);
  });

  it("is silent on the repository's examples and standard library", () => {
    const host = nodeHost();
    for (const f of ['examples/resnet50.nn', 'examples/vit_b_16.nn', 'stdlib/densenet.nn', 'stdlib/efficientnet.nn']) {
      const path = `${import.meta.dirname}/../${f}`;
      expect(check({ path, text: host.read(path)!, host }).diagnostics.filter((d) => d.code === 'W0109'), f).toEqual([]);
    }
  });

  /** The text after applying a diagnostic's first fix. */
  const fixed = (text: string, d: Diagnostic) => {
    const e = d.fixes![0]!.edits[0]!;
    return text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
  };
  const MODEL = 'model M(x: [1, 3, 8, 8]) {\n  return x -> unit\n}\n';

  it('the fix removes the item and its comma, or the whole line, and the rest checks as before', () => {
    const cases: [string, string][] = [
      [`from "./lib.nn" import other\n${MODEL.replace('-> unit', '-> relu')}`, MODEL.replace('-> unit', '-> relu')],
      [`# Blocks.\nfrom "./lib.nn" import unit\nfrom "./lib.nn" import other   \n${MODEL}`, `# Blocks.\nfrom "./lib.nn" import unit\n${MODEL}`],
      // Lone `\r` line endings: the line goes, its break too (a blank line was left).
      [`# Blocks.\rfrom "./lib.nn" import unit\rfrom "./lib.nn" import other\r${MODEL.replace(/\n/g, '\r')}`, `# Blocks.\rfrom "./lib.nn" import unit\r${MODEL.replace(/\n/g, '\r')}`],
      [`from "./lib.nn" import other, unit\n${MODEL}`, `from "./lib.nn" import unit\n${MODEL}`],
      [`from "./lib.nn" import unit, other\n${MODEL}`, `from "./lib.nn" import unit\n${MODEL}`],
      [`from "./lib.nn" import unit, other as o, K\n${MODEL}`, null as unknown as string],
      [`from "./lib.nn" import unit,other\r\nfrom "./lib.nn" import K\r\n${MODEL.replace(/\n/g, '\r\n')}`, null as unknown as string],
    ];
    for (const [text, want] of cases) {
      let t = text;
      // Apply fixes one at a time, as an editor does, until no W0109 is left.
      for (let guard = 0; guard < 5; guard++) {
        const ds = unused(t);
        if (!ds.length) break;
        expect(ds[0]!.fixes![0]!.title).toMatch(/^remove unused import '/);
        t = fixed(t, ds[0]!);
      }
      expect(unused(t), t).toEqual([]);
      const others = (s: string) => run(s).filter((d) => d.code !== 'W0109').map((d) => d.code);
      expect(others(t)).toEqual(others(text));
      if (want) expect(t).toBe(want);
      else expect(t).toMatch(/^from "\.\/lib\.nn" import unit\r?\nmodel M/);
    }
  });

  it('the language server offers the fix as a quick fix at the import', () => {
    const s = new LanguageService({ host: memoryHost({ 'lib.nn': LIB }) });
    const text = `from "./lib.nn" import unit, other\n${MODEL}`;
    s.set('m.nn', text);
    const a = s.analyze('m.nn')!;
    const at = text.indexOf('other');
    const acts = codeActions(a, at, at);
    expect(acts.map((x) => x.title)).toEqual(["remove unused import 'other'"]);
    expect(acts[0]!.preferred).toBe(true);
  });
});

describe('organize imports (source action)', () => {
  const MODEL = 'model M(x: [1, 3, 8, 8]) {\n  return x -> unit\n}\n';
  it('removes every unused name in one action, an import at a time; none when nothing is unused', async () => {
    const { organizeImports } = await import('../src/service/index.js');
    const s = new LanguageService({ host: memoryHost({ 'lib.nn': LIB }) });
    const text = `from "./lib.nn" import other, unit, K as k3, DEPTH\nfrom "./lib.nn" import WIDTH\nfrom "./lib.nn" import EPS   # unused too\n${MODEL}`;
    s.set('m.nn', text);
    const act = organizeImports(s.analyze('m.nn')!)!;
    expect(act.kind).toBe('source.organizeImports');
    expect(act.title).toBe('Remove unused imports (5)');
    let t = text;
    for (const e of [...act.edits].sort((x, y) => y.span.start - x.span.start)) t = t.slice(0, e.span.start) + e.newText + t.slice(e.span.end);
    // (A comment after a removed import goes with its line.)
    expect(t).toBe(`from "./lib.nn" import unit\n${MODEL}`);
    expect(unused(t)).toEqual([]);
    s.set('m.nn', t);
    expect(organizeImports(s.analyze('m.nn')!)).toBeUndefined();
    // An alias that is used stays written as an alias.
    const aliased = `from "./lib.nn" import unit as u, other\n${MODEL.replace('-> unit', '-> u')}`;
    s.set('m.nn', aliased);
    const a2 = organizeImports(s.analyze('m.nn')!)!;
    expect(applyAll(aliased, a2.edits)).toBe(`from "./lib.nn" import unit as u\n${MODEL.replace('-> unit', '-> u')}`);
  });

  const T = 'from "./lib.nn" import ';
  const USES = 'model M(x: [1, 3, 8, 8]) {\n  return x -> conv2d(8, K) -> unit\n}\n';
  it.each([
    // Each line of items keeps its comment while one of its items stays; a line whose items all go takes its comment along.
    [`${T}unit,  # for the stem\n  other,  # unused\n  K  # why we keep it\n`, `${T}unit,  # for the stem\n  K  # why we keep it\n`],
    [`${T}unit,  # for the stem\n  other,  # unused\n  K,  # kept\n  WIDTH  # unused too\n`, `${T}unit,  # for the stem\n  K  # kept\n`],
    [`${T}other,  # unused\n  unit, K  # the ones we use\n`, `${T}unit, K  # the ones we use\n`],
    [`${T}other, WIDTH,  # both unused\n  unit,  # kept\n  K\n`, `${T}unit,  # kept\n  K\n`],
    [`${T}unit, other,  # a line\n  K\n`, `${T}unit,  # a line\n  K\n`],
    [`${T}unit,\n  # about other\n  other,\n  # about K\n  K\n`, `${T}unit,\n  # about K\n  K\n`],
    [`${T}unit,  # for the stem\r\n  other,  # unused\r\n  K  # why\r\n`, `${T}unit,  # for the stem\r\n  K  # why\r\n`],
    // A trailing comma stays; nothing is left with blanks at its end.
    [`${T}unit, K, other,\n`, `${T}unit, K,\n`],
    [`${T}unit, K, other   # c\n`, `${T}unit, K   # c\n`],
    [`${T}other as o, unit ${T}K ${T}WIDTH\n`, `${T}unit ${T}K\n`],
    [`${T}WIDTH ${T}unit, K\n`, `${T}unit, K\n`],
  ])('%j: organize imports and the quick fixes, one at a time, both give %j', async (imports, want) => {
    const { organizeImports } = await import('../src/service/index.js');
    const text = imports + USES;
    const s = new LanguageService({ host: memoryHost({ 'lib.nn': LIB }) });
    s.set('m.nn', text);
    const act = organizeImports(s.analyze('m.nn')!)!;
    const organized = applyAll(text, act.edits);
    expect(organized).toBe(want + USES);
    let t = text;
    for (let guard = 0; guard < 5 && unused(t).length; guard++) t = applyAll(t, unused(t)[0]!.fixes![0]!.edits);
    expect(t).toBe(want + USES);
    expect(run(t).map((d) => d.code)).toEqual([]);
    expect(t.split(/\r?\n/).filter((l) => /[ \t]$/.test(l))).toEqual([]);
  });

  it('an import with a syntax error gets no edit', async () => {
    const { organizeImports } = await import('../src/service/index.js');
    const s = new LanguageService({ host: memoryHost({ 'lib.nn': LIB }) });
    for (const imports of [`${T}(other)\n`, `${T}other)\n`, `${T}(unit, other)\n`]) {
      const text = imports + 'model M(x: [1, 3, 8, 8]) {\n  return x\n}\n';
      s.set('m.nn', text);
      const a = s.analyze('m.nn')!;
      expect(a.diagnostics.some((d) => d.code === 'E0101'), text).toBe(true);
      expect(a.diagnostics.filter((d) => d.code === 'W0109').flatMap((d) => d.fixes ?? []), text).toEqual([]);
      expect(organizeImports(a), text).toBeUndefined();
    }
  });
});

/** `text` with `edits` (which do not overlap) applied. */
function applyAll(text: string, edits: readonly { span: { start: number; end: number }; newText: string }[]): string {
  for (const e of [...edits].sort((x, y) => y.span.start - x.span.start)) text = text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
  return text;
}
