/** The language service, called directly (no protocol): fast checks of every feature on real files. */
import { offsetAt } from '../src/lsp/convert.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeHost } from '../src/cli/host.js';
import {
  IncrementalParser, LanguageService, callContext, codeActions, codeLenses, completion, definition, documentSymbols, foldingRanges, hover, inlayHints,
  highlights, references, rename, semanticTokens, signatureHelp, splitDecls,
} from '../src/service/index.js';
import { check } from '../src/api.js';
import type { Analysis } from '../src/service/service.js';
import { sitesOf } from '../src/service/layers.js';
import { runWhenIdle, warmUpSteps } from '../src/service/warmup.js';
import { parseSource } from '../src/syntax/parse.js';
import { sourceFile } from '../src/syntax/source.js';
import { ROOT } from './helpers/compile.js';

const files = [...readdirSync(join(ROOT, 'examples')).map((f) => `examples/${f}`), ...readdirSync(join(ROOT, 'stdlib')).map((f) => `stdlib/${f}`)].filter((f) => f.endsWith('.nn')).sort();
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

function analysisOf(path: string, text: string) {
  const s = new LanguageService({ host: nodeHost() });
  s.set(path, text);
  return { s, a: s.analyze(path)! };
}
const resnet18 = () => analysisOf(join(ROOT, 'examples/resnet18.nn'), read('examples/resnet18.nn'));

describe('incremental parsing', () => {
  for (const f of files) {
    it(`${f}: per-declaration parse equals the full parse`, () => {
      const text = read(f);
      const whole = parseSource(sourceFile(f, text));
      const inc = new IncrementalParser().parse(sourceFile(f, text));
      expect(inc.result).toEqual(whole.result);
      expect(inc.diagnostics).toEqual(whole.diagnostics);
      const n = splitDecls(text).length;
      expect(n).toBeGreaterThanOrEqual(whole.result.decls.length);
      expect(n).toBeLessThanOrEqual(whole.result.decls.length + 1);
    });
  }

  it('re-parses only the edited declaration, and syntax errors stay local to it', () => {
    const text = read('stdlib/resnet.nn');
    const p = new IncrementalParser();
    p.parse(sourceFile('a.nn', text));
    const before = p.parses;
    const at = text.indexOf('return x -> conv2d(channels, 1');
    const edited = `${text.slice(0, at)}y = (\n  ${text.slice(at)}`;
    const r = p.parse(sourceFile('a.nn', edited));
    expect(p.parses - before).toBe(1);
    expect(r.diagnostics.some((d) => d.code === 'E0101')).toBe(true);
    // The other blocks are still there for the checker.
    expect(r.result.decls.filter((d) => d.kind === 'block').map((d) => (d as { name: { text: string } }).name.text)).toEqual(expect.arrayContaining(['basic_block', 'bottleneck', 'basic_stage']));
  });

  it('a half-typed line still leaves diagnostics for the rest of the file', () => {
    const text = read('examples/lenet5.nn').replace('-> dense(10, name="fc3")', '-> dense(10, name="fc3")\n  z = h -> conv2d(').concat('\nmodel M2(x: [1, 3, 8, 8]) {\n  return x -> relu() -> undefined_layer()\n}\n');
    const { a } = analysisOf('a.nn', text);
    const codes = a.diagnostics.map((d) => d.code);
    expect(codes).toContain('E0101');
    expect(codes).toContain('E0201');
  });
});

describe('queries from the last check', () => {
  it('hover on a layer: shape, params, MACs, RF and op docs', () => {
    const { a } = resnet18();
    const off = a.text.indexOf('conv2d(64, 7');
    const h = hover(a, off + 3)!;
    expect(h.contents).toContain('[N, 64, 112, 112]');
    expect(h.contents).toContain('9,408'); // 7·7·3·64
    expect(h.contents).toContain('118,013,952');
    expect(h.contents).toContain('RF 7, jump 2');
    expect(h.contents).toContain('padding');
  });

  it('hover on a tensor name: its shape; on a block call: the signature and totals', () => {
    const { a } = resnet18();
    expect(hover(a, a.text.indexOf('c5 -> adaptive') + 1)!.contents).toContain('c5: [N, 512, 7, 7]');
    expect(hover(a, a.text.indexOf('ResNet18(x') + 10)!.contents).toContain('x: [N, 3, 224, 224]');
    const b = hover(a, a.text.indexOf('basic_stage(128') + 2)!.contents;
    expect(b).toContain('block basic_stage(');
    expect(b).toContain('[N, 128, 28, 28]');
  });

  it('hover on a block parameter: the shapes or values its calls gave it (after an edit above too)', () => {
    const text = 'block b(x: Tensor, c: int, k: int = 3) -> Tensor {\n  y = x -> conv2d(c, k, padding=1) -> relu\n  return y\n}\n' +
      'model M(x: [N, 3, 32, 32]) {\n  a = x -> b(8)\n  z = a -> b(16, k=5)\n  return z\n}\nblock unused(t: Tensor, n: int = 2) -> Tensor {\n  return t\n}\n';
    const { s, a } = analysisOf('/virtual/params.nn', text);
    const at = (t: string, probe: string, k = 0) => hover(t === text ? a : s.analyze('/virtual/params.nn')!, t.indexOf(probe) + k)!.contents;
    expect(at(text, 'x: Tensor')).toBe('```nn\nx: [N, 3, 32, 32] | [N, 8, 32, 32]\n```\nparameter of block b (2 shapes across calls)');
    expect(at(text, 'x -> conv2d')).toContain('x: [N, 3, 32, 32] | [N, 8, 32, 32]');
    expect(at(text, 'c: int')).toBe('```nn\nc: int = 8 | 16\n```\nparameter of block b (2 values across calls)');
    expect(at(text, 'k, padding')).toContain('k: int = 3 | 5');
    // Never called: the declaration as written.
    expect(at(text, 'n: int')).toBe('```nn\nn: int = 2\n```\nparameter of block unused');
    expect(at(text, 't: Tensor')).toBe('```nn\nt: Tensor\n```\nparameter of block unused');
    // A comment line added above the block: the model is not re-elaborated, its spans move.
    const edited = `# note\n${text}`;
    s.set('/virtual/params.nn', edited);
    expect(at(edited, 'c: int')).toContain('c: int = 8 | 16');
  });

  it('definition of an imported block goes into the stdlib file; references and rename', () => {
    const { a } = resnet18();
    const [d] = definition(a, a.text.indexOf('basic_stage(64') + 1);
    expect(d!.file).toBe(join(ROOT, 'stdlib/resnet.nn'));
    expect(read('stdlib/resnet.nn').slice(d!.start, d!.end)).toBe('basic_stage');
    const refs = references(a, a.text.indexOf('c3 = ') + 1);
    expect(refs.length).toBe(2);
    const r = rename(a, a.text.indexOf('c3 = ') + 1, 'stage3');
    expect(r.edits!.map((e) => a.text.slice(e.span.start, e.span.end))).toEqual(['c3', 'c3']);
    expect(rename(a, a.text.indexOf('c3 = ') + 1, 'model').error).toBeDefined();
    expect(rename(a, a.text.indexOf('conv2d(64') + 1, 'foo').error).toBeDefined();
  });

  it('highlights: every occurrence of a tensor in the file, assignments as writes; a layer name in every call', () => {
    const text = 'model M(x: [N, 3, 8, 8]) {\n  h = x -> conv2d(8, 3)\n  h = h -> relu()\n  y = h -> conv2d(4, 1)\n  return y\n}\n';
    const { a } = analysisOf('h.nn', text);
    const hs = highlights(a, text.indexOf('h -> relu'));
    expect(hs.map((h) => [text.slice(h.start, h.end), text.slice(0, h.start).split('\n').length, h.kind])).toEqual([
      ['h', 2, 'write'], ['h', 3, 'write'], ['h', 3, 'read'], ['h', 4, 'read'],
    ]);
    expect(highlights(a, text.indexOf('conv2d(8')).map((h) => text.slice(h.start, h.end))).toEqual(['conv2d', 'conv2d']);
    expect(highlights(a, text.indexOf('(8, 3)') + 1)).toEqual([]);
  });

  it('completion: kwargs with defaults, layers after ->, tensors in scope with shapes', () => {
    const { a } = resnet18();
    const inCall = a.text.indexOf('stride=2, padding=3');
    const kw = completion(a, a.text, inCall);
    const stride = kw.find((c) => c.label === 'stride=')!;
    expect(stride.detail).toContain('= 1');
    expect(stride.doc).toBeTruthy();
    const after = a.text.indexOf('-> batchnorm') + 3;
    const layers = completion(a, a.text, after).map((c) => c.label);
    expect(layers).toEqual(expect.arrayContaining(['conv2d', 'basic_stage', 'relu']));
    expect(layers).not.toContain('stem');
    const stmt = a.text.indexOf('  assert c5') + 2;
    const names = completion(a, a.text, stmt);
    expect(names.find((c) => c.label === 'c4')?.detail).toBe('[N, 256, 14, 14]');
    expect(names.map((c) => c.label)).toContain('assert');
  });

  it('signature help inside a call tracks the active argument', () => {
    const { a } = resnet18();
    const off = a.text.indexOf('stride=2, padding=3') + 'stride=2, pad'.length;
    const s = signatureHelp(a, a.text, off)!;
    expect(s.label.startsWith('conv2d(')).toBe(true);
    expect(s.activeParam).toBe(3);
    expect(callContext('x -> f(a, [1, 2], g(3), ', 24)).toMatchObject({ callee: 'f', argIndex: 3, calleeStart: 5, args: ['a', '[1, 2]', 'g(3)'], piped: 1 });
  });

  it('inlay hints after each chain step; code lenses with totals', () => {
    const { a } = resnet18();
    const hints = inlayHints(a, 0, a.text.length);
    const maxpool = a.text.indexOf('max_pool2d(3, stride=2, padding=1, name="maxpool")') + 'max_pool2d(3, stride=2, padding=1, name="maxpool")'.length;
    expect(hints.find((h) => h.offset === maxpool)?.label).toBe(': [N, 64, 56, 56]');
    // The RF is its output's, as in the summary: a classifier's logits have none.
    expect(codeLenses(a)[0]!.title).toBe('11.7M params · 1.81G MACs');
    const lib = analysisOf(join(ROOT, 'examples/resnet50.nn'), read('examples/resnet50.nn'));
    expect(codeLenses(lib.a)[0]!.title).toContain('25.6M params');
  });

  it('block lenses count the block\'s applications', () => {
    const text = 'block pair(x: Tensor, c: int) -> Tensor {\n  return x -> conv2d(c, 3, padding=1) -> relu()\n}\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> pair(4) -> pair(4)\n}\n';
    const { a } = analysisOf('m.nn', text);
    expect(codeLenses(a).map((l) => l.title)).toEqual(['112 params · 6.91K MACs · RF 3, jump 1 (first of 2 calls)', '260 params · 16.1K MACs · RF 5, jump 1']);
  });

  it('block lenses count nested applications once per call path', () => {
    // inner: twice in each of two `outer` calls, once directly: 5 calls; outer: 2 calls of 2 inner applications each.
    const text = 'block inner(x: Tensor) -> Tensor {\n  return x -> conv2d(4, 1)\n}\nblock outer(x: Tensor) -> Tensor {\n  return x -> inner() -> inner()\n}\nmodel M(x: [1, 4, 8, 8]) {\n  return x -> outer() -> outer() -> inner()\n}\n';
    const { a } = analysisOf('m.nn', text);
    const [inner, outer] = codeLenses(a).map((l) => l.title);
    expect(inner).toBe('20 params · 1.02K MACs · RF 1, jump 1 (first of 5 calls)');
    expect(outer).toBe('40 params · 2.05K MACs · RF 1, jump 1 (first of 2 calls)');
  });

  it('comment folds cover only lines that hold nothing but a comment', () => {
    const text = '# a header\n# of two lines\nconst S = 3   # cells\nconst B = 2   # boxes\n  # own line\n  # and another\nmodel M(x: [1, 3, 8, 8]) {\n  y = x -> relu()   # trailing\n  # note\n  return y\n}\n';
    const { a } = analysisOf('f.nn', text);
    const comments = foldingRanges(a).filter((r) => r.kind === 'comment');
    expect(comments).toEqual([{ startLine: 0, endLine: 1, kind: 'comment' }, { startLine: 4, endLine: 5, kind: 'comment' }]);
    // Every shipped file: a comment fold holds comment lines only (14 of them had code with trailing comments folded).
    for (const f of files) {
      const { a: fa } = analysisOf(join(ROOT, f), read(f));
      const lines = fa.text.split('\n');
      for (const r of foldingRanges(fa).filter((x) => x.kind === 'comment'))
        for (let l = r.startLine; l <= r.endLine; l++) expect(lines[l]!.trim().startsWith('#'), `${f}:${l + 1}`).toBe(true);
    }
  });

  it('folds statements written over several lines (return and assert too) and an else branch on its own', () => {
    const text = [
      'block b(x: Tensor) -> Tensor {', // 0
      '  assert x.rank == 4,', // 1
      '    "needs NCHW"', // 2
      '  if x.rank == 4 {', // 3
      '    x = x -> relu', // 4
      '  } else {', // 5
      '    x = x', // 6
      '      -> relu', // 7
      '  }', // 8
      '  if true { x = x } else if false {', // 9
      '    x = x', // 10
      '  }', // 11
      '  return x -> conv2d(4, 3, padding=1)', // 12
      '    -> relu', // 13
      '}', // 14
      'model M(x: [1, 4, 8, 8]) {', // 15
      '  return x -> b', // 16
      '}', // 17
      '',
    ].join('\n');
    const { a } = analysisOf('m.nn', text);
    const folds = foldingRanges(a).map((r) => [r.startLine, r.endLine]);
    expect(folds).toEqual(expect.arrayContaining([[1, 2], [3, 8], [5, 8], [6, 7], [9, 11], [12, 13]]));
    // No fold of its own for `else if` (the nested if starts on that line), none for one-line statements.
    expect(folds.filter(([s]) => s === 9)).toEqual([[9, 11]]);
    expect(folds.some(([s]) => s === 16)).toBe(false);
  });

  it('outline, folding ranges and semantic tokens', () => {
    const { a } = resnet18();
    const syms = documentSymbols(a);
    expect(syms.map((s) => `${s.kind} ${s.name}`)).toEqual(['import basic_stage', 'model ResNet18']);
    expect(syms[1]!.children.map((c) => c.name)).toEqual(['stem', 'c2', 'c3', 'c4', 'c5', 'logits']);
    const folds = foldingRanges(a);
    expect(folds.some((f) => f.kind === 'comment' && f.startLine === 0)).toBe(true);
    const lines = a.text.split('\n');
    const model = lines.findIndex((l) => l.startsWith('model ResNet18'));
    expect(folds.some((f) => f.startLine === model && f.endLine === lines.indexOf('}', model))).toBe(true);
    const toks = semanticTokens(a);
    const at = (s: string) => toks.find((t) => a.text.slice(t.start, t.end) === s);
    expect(at('conv2d')!.type).toBe('function');
    expect(at('basic_stage')!.type).toBe('class');
    expect(at('stride')!.type).toBe('property');
  });

  it('code actions: did-you-mean fixes and padding that keeps the size', () => {
    const text = 'model M(x: [1, 3, 32, 32]) {\n  y = x -> conv2d(8, 3) -> rellu()\n  return y\n}\n';
    const { a } = analysisOf('m.nn', text);
    const fix = codeActions(a, text.indexOf('rellu'), text.indexOf('rellu'));
    expect(fix.map((f) => f.title)).toContain("replace with 'relu'");
    const pad = codeActions(a, text.indexOf('conv2d') + 1, text.indexOf('conv2d') + 1).find((x) => x.title.startsWith('insert padding'))!;
    expect(pad.title).toBe('insert padding=1 to keep the size');
    const edited = text.slice(0, pad.edits[0]!.span.start) + pad.edits[0]!.newText + text.slice(pad.edits[0]!.span.end);
    expect(edited).toContain('conv2d(8, 3, padding=1)');
    const after = analysisOf('m.nn', edited.replace('rellu', 'relu')).a;
    expect(hover(after, edited.indexOf('conv2d') + 1)!.contents).toContain('[1, 8, 32, 32]');
    expect(codeActions(after, edited.indexOf('conv2d') + 1, edited.indexOf('conv2d') + 1)).toEqual([]);
  });

  it('diagnostics in imported modules map to their files; open documents shadow the disk', () => {
    const s = new LanguageService({ host: { resolve: (spec) => (spec === './lib.nn' ? 'lib.nn' : undefined), read: () => undefined } });
    s.set('lib.nn', 'block b(x: Tensor) -> Tensor {\n  return x -> relu() -> nope()\n}\n');
    s.set('main.nn', 'from "./lib.nn" import b\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> b()\n}\n');
    const byFile = s.diagnostics('main.nn');
    expect(byFile.get('lib.nn')!.map((d) => d.code)).toEqual(['E0201']);
    expect(byFile.get('lib.nn')![0]!.notes[0]!.span!.file).toBe('main.nn');
  });

  it('a totals name outside an assert is a diagnostic, not a crash (found by the edit fuzz)', () => {
    const { a } = analysisOf('m.nn', 'model M(x: [1, 3, 8, 8]) {\n  assert non_ params == 1\n  return x\n}\n');
    expect(a.diagnostics.map((d) => d.code)).toContain('E0300');
  });

  it('re-elaborates only the edited model; reused models move with the text and match a full check', () => {
    const text = `${read('examples/lenet5.nn')}\n${read('examples/resnet18.nn').replace('from std.resnet import basic_stage\n', '')}`.replace('# LeNet-5.', 'from std.resnet import basic_stage\n# LeNet-5.');
    const path = join(ROOT, 'examples/combined.nn');
    const s = new LanguageService({ host: nodeHost() });
    s.set(path, text);
    expect(s.analyze(path)!.elaborated).toEqual(['LeNet5', 'ResNet18']);
    // Two lines added to LeNet5 (above ResNet18): only LeNet5 is elaborated; ResNet18's spans move down.
    const at = text.indexOf('  assert params == 61_706');
    const edited = `${text.slice(0, at)}  extra = h -> relu()\n  extra2 = extra -> rexlu()\n${text.slice(at)}`;
    s.set(path, edited);
    const a = s.analyze(path)!;
    expect(a.elaborated).toEqual(['LeNet5']);
    const full = check({ path, text: edited, host: nodeHost() });
    expect(a.diagnostics).toEqual(full.diagnostics);
    // Reused graphs keep their old spans; `layers[].span` maps them to the current text.
    expect(a.layers.map(({ layer: l, span }) => [l.path, span(l.node.span), l.node.blockPath.map((f) => span(f.span))])).toEqual(full.models.flatMap((m) => m.layers.map((l) => [l.path, l.node.span, l.node.blockPath.map((f) => f.span)])));
    expect(hover(a, edited.indexOf('c5 -> adaptive') + 1)!.contents).toContain('c5: [N, 512, 7, 7]');
    // Editing the imported block's file (open in the editor) re-elaborates the model that uses it.
    s.set(path, edited.replace('extra2 = extra -> rexlu()', 'extra2 = extra -> relu()'));
    expect(s.analyze(path)!.elaborated).toEqual(['LeNet5']);
    s.set(join(ROOT, 'stdlib/resnet.nn'), read('stdlib/resnet.nn').replace('planes, 3, stride=stride, padding=1, bias=false, name="conv1"', 'planes, 3, stride=stride, padding=2, bias=false, name="conv1"'));
    const after = s.analyze(path)!;
    // Conservative: any imported file's change re-elaborates every model of the file.
    expect(after.elaborated).toEqual(['LeNet5', 'ResNet18']);
    expect(after.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });

  it('the hover/inlay index of reused models (indexed once per elaboration) equals a fresh index after edits', () => {
    const block = 'block res(x: Tensor, c: int) -> Tensor {\n  y = x -> conv2d(c, 3, padding=1) -> relu()\n  return add(x, y)\n}\n';
    const model = (n: string) => `model ${n}(x: [N, 3, 32, 32]) -> (y: [N, 10]) {\n  h = x -> conv2d(8, 3, padding=1) -> res(8) -> res(8)\n  return h -> adaptive_avg_pool2d(1) -> flatten() -> dense(10)\n}\n`;
    const text = `${block}\n${model('A')}\n${model('B')}\n${model('C')}`;
    const path = join(ROOT, 'examples/sites.nn');
    const s = new LanguageService({ host: nodeHost() });
    s.set(path, text);
    const index = (a: Analysis) => sitesOf(a, path).map((x) => ({ start: x.start, end: x.end, block: x.block, apps: x.apps.map((ls) => ls.map((l) => l.path)) }));
    expect(index(s.analyze(path)!).some((x) => x.apps.length === 6)).toBe(true); // the block's conv: 2 calls in each of 3 models
    // Edit A so that B and C (reused) move; then also C, so that A and B are reused from different checks.
    const editA = text.replace('conv2d(8, 3, padding=1) -> res', 'conv2d(8, 3, padding=1) -> relu() -> res');
    const editAC = editA.replace('model C(x: [N, 3, 32, 32])', 'model C(x: [N, 3, 32, 32])  ');
    const edits = [editA, editAC, editAC.replace('model B(x: [N, 3, 32, 32])', 'model B(x: [N, 3, 32, 32])  ')];
    for (const t of edits) {
      s.set(path, t);
      const a = s.analyze(path)!;
      expect(a.elaborated.length).toBeLessThan(3);
      const fresh = analysisOf(path, t).a;
      expect(index(a)).toEqual(index(fresh));
      expect(inlayHints(a, 0, t.length)).toEqual(inlayHints(fresh, 0, t.length));
      expect(codeLenses(a)).toEqual(codeLenses(fresh));
    }
  });
});

describe('warm-up (src/service/warmup.ts)', () => {
  it('types into its own sample through every incremental path', () => {
    const { steps, seen } = warmUpSteps(nodeHost(), join(ROOT, '__warm-up.nn'));
    for (const step of steps) step();
    // Kept (a comment), resumed and cut over (the statement, the channel count made wrong and mended).
    expect(seen.kept).toBeGreaterThan(0);
    expect(seen.resumed).toBeGreaterThan(10);
    expect(seen.cut).toBeGreaterThan(5);
  });

  it('after a big model, types the statement 8 times into a sample of 100 statements, as cheap steps', () => {
    const small = warmUpSteps(nodeHost(), join(ROOT, '__warm-up-small.nn'));
    const { steps, seen } = warmUpSteps(nodeHost(), join(ROOT, '__warm-up-big.nn'), true);
    expect(steps.length).toBeGreaterThan(small.steps.length * 6);
    for (const step of steps) step();
    // Each typed statement is cut over to the statements after it (the whole-model copies this warms).
    expect(seen.cut).toBeGreaterThan(8 * 10);
    expect(seen.resumed).toBeGreaterThan(8 * 20);
  });

  it('runs its steps one per turn while nothing is pending, and stops at a step that throws', async () => {
    const ran: number[] = [];
    let busy = 2;
    const errors: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      const steps = [0, 1, 2, 3].map((i) => () => {
        ran.push(i);
        if (i === 2) {
          setTimeout(resolve, 20);
          throw new Error('step 2');
        }
      });
      runWhenIdle(steps, () => busy-- > 0, (e) => errors.push(e));
    });
    await done;
    expect(ran).toEqual([0, 1, 2]);
    expect(busy).toBeLessThan(0);
    expect(errors.map((e) => (e as Error).message)).toEqual(['step 2']);
  });

  it('waits gap() ms after a step when it asks for a gap (the user typing), none otherwise', async () => {
    const at: number[] = [];
    const gaps = [30, 0, 30];
    await new Promise<void>((resolve) => runWhenIdle([0, 1, 2, 3].map(() => () => void at.push(performance.now())), () => false, () => undefined, resolve, () => gaps.shift() ?? 0));
    const d = at.slice(1).map((t, i) => t - at[i]!);
    expect(d[0]).toBeGreaterThanOrEqual(28);
    expect(d[1]).toBeLessThan(25);
    expect(d[2]).toBeGreaterThanOrEqual(28);
  });
});

describe('positions past the end of a line', () => {
  it('are its end, before the whole line break: `\r\n` too (definition, references and rename found nothing there)', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = ['model M(x: [N, 3, 8, 8]) {', '  y = x', '  return y', '}', ''].join(eol);
      const f = sourceFile('m.nn', text);
      const end = text.indexOf('return y') + 'return y'.length;
      for (const character of [10, 11, 1000]) expect(offsetAt(f, 2, character), `${JSON.stringify(eol)} ${character}`).toBe(end);
    }
  });
});
