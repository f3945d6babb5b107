import { describe, expect, it } from 'vitest';
import { summarize } from '../src/api.js';
import { formatDim } from '../src/symbolic/dim.js';
import { checkText, codes, errors } from './helpers/compile.js';

const shapeOf = (r: ReturnType<typeof checkText>, i = 0) => {
  const m = r.models[0]!;
  return m.graph.tensors[m.graph.outputs[i]!.tensor]!.type.shape.map((d) => (typeof d === 'number' ? d : formatDim(d)));
};

describe('elaboration', () => {
  it('shares the weights of one instance applied twice (Siamese), counted once', () => {
    const r = checkText(`
block tower(x: Tensor, dim: int) { return x -> conv2d(8, 3, padding=1) -> relu -> global_avg_pool -> flatten -> dense(dim) }
model S(a: [N, 3, 32, 32], b: [N, 3, 32, 32]) {
  t = tower(16)
  ea = a -> t
  eb = b -> t
  return concat(ea, eb, axis=1) -> dense(1)
}`);
    expect(errors(r)).toEqual([]);
    const m = r.models[0]!;
    const conv = 8 * 3 * 9 + 8;
    const dense = 8 * 16 + 16;
    expect(m.totals.params).toBe(conv + dense + 33);
    expect(m.layers.filter((l) => l.sharedWith).length).toBe(5);
    // Compute is paid on both applications.
    expect(m.totals.macs).toBe(2 * (32 * 32 * 8 * 27 + 8 * 16) + 32);
  });
  it('--input-shape binds symbols named in `where`, checked against the constraint', () => {
    const text = `model M(x: [N, 3, H, H]) where H % 32 == 0 {\n  return x -> conv2d(4, 3, stride=2, padding=1)\n}`;
    const ok = checkText(text, { inputShapes: new Map([['H', 64], ['N', 2]]) });
    expect(errors(ok)).toEqual([]);
    expect(shapeOf(ok)).toEqual([2, 4, 32, 32]);
    const bad = checkText(text, { inputShapes: new Map([['H', 100]]) });
    expect(bad.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['E0403 H = 100 (from --input-shape) violates `where H % 32 == 0`']);
    const fixed = checkText(text.replace('H % 32 == 0', 'H == 64'), { inputShapes: new Map([['H', 32]]) });
    expect(codes(fixed)).toContain('E0403');
  });
  it('`where` constraints hold together in any order: a fixed size meets every divisibility; contradictions are E0403', () => {
    const model = (where: string) => `model M(x: [N, 3, H, W]) where ${where}, W >= 32 {\n  y = x -> max_pool2d(32)\n  assert H == 224\n  return y\n}`;
    for (const w of ['H == 224, H % 32 == 0', 'H % 32 == 0, H == 224']) {
      const r = checkText(model(w));
      expect(r.diagnostics, w).toEqual([]);
      expect(formatDim(r.models[0]!.graph.tensors[r.models[0]!.graph.inputs[0]!.tensor]!.type.shape[2]!)).toBe('224');
    }
    const msgs = (w: string) => checkText(model(w)).diagnostics.filter((d) => d.code === 'E0403').map((d) => d.message);
    expect(msgs('H == 100, H % 32 == 0')).toEqual(['`where H == 100` violates `where H % 32 == 0`']);
    expect(msgs('H % 32 == 0, H == 100')).toEqual(['`where H == 100` violates `where H % 32 == 0`']);
    expect(msgs('H == 224, H == 225')).toEqual(['`where H == 224` contradicts `where H == 225`']);
    expect(msgs('H == 0')).toEqual(['`where H == 0`: a size is at least 1']);
  });
  it('a failed assertion quotes its condition with the parentheses its operands were written in', () => {
    const r = checkText('model M(x: [N, 3, 8, 8]) {\n  assert x.rank == (1 + 2)\n  assert ((x.rank)) == 5\n  return x\n}');
    expect(r.diagnostics.map((d) => d.message)).toEqual(['assertion failed (x.rank == (1 + 2): 4 == 3 is false)', 'assertion failed (((x.rank)) == 5: 4 == 5 is false)']);
  });
  it('return ends the block from inside if, for, repeat and frozen; statements after it do not run', () => {
    const r = checkText(`
block early(x: Tensor, k: int) -> Tensor {
  for i in 0..5 {
    if i == k {
      frozen {
        return x -> conv2d(4, 1)
      }
    }
    x = x -> relu()
  }
  return x -> conv2d(8, 1)
}
block looped(x: Tensor) -> Tensor {
  repeat 3 {
    return x -> conv2d(2, 1)
  }
  return x
}
model M(x: [N, 3, 8, 8]) -> (y: [N, 14, 8, 8]) {
  return concat(x -> early(2), x -> early(9), x -> looped(), axis=1)
}`);
    expect(errors(r)).toEqual([]);
    expect(shapeOf(r)).toEqual(['N', 14, 8, 8]);
    const ops = r.models[0]!.layers.map((l) => l.path);
    // early(2): two relus then the frozen conv; early(9): five relus, the loop ends, the last conv; looped: one conv.
    expect(ops.filter((p) => p.startsWith('early_1.'))).toEqual(['early_1.relu_1', 'early_1.relu_2', 'early_1.conv2d_1']);
    expect(ops.filter((p) => p.startsWith('early_2.')).length).toBe(6);
    expect(ops.filter((p) => p.startsWith('looped_1.'))).toEqual(['looped_1.conv2d_1']);
    expect(r.models[0]!.layers.find((l) => l.path === 'early_1.conv2d_1')!.trainableParams).toBe(0);
  });
  it('creates fresh weights for inline calls', () => {
    const r = checkText(`model M(x: [1, 4]) { return x -> dense(4) -> dense(4) }`);
    expect(r.models[0]!.totals.params).toBe(40);
  });
  it('rejects recursion with the cycle', () => {
    const r = checkText(`block a(x: Tensor) { return x -> b }\nblock b(x: Tensor) { return x -> a }\nmodel M(x: [1, 4]) { return x -> a }`);
    expect(codes(r)).toContain('E0208');
    expect(r.diagnostics.find((d) => d.code === 'E0208')!.message).toContain('a → b → a');
  });
  it('suggests names', () => {
    const r = checkText(`model M(x: [1, 3, 8, 8]) { return x -> conv2D(4, 3) }`);
    expect(r.diagnostics[0]!.code).toBe('E0201');
    expect(r.diagnostics[0]!.hint).toBe("did you mean 'conv2d'?");
    const k = checkText(`model M(x: [1, 3, 8, 8]) { return x -> conv2d(4, 3, strid=2) }`);
    expect(k.diagnostics[0]!.code).toBe('E0202');
    expect(k.diagnostics[0]!.hint).toBe("did you mean 'stride'?");
    expect(k.diagnostics[0]!.span!.col).toBe(53);
  });
  it('says a model used as a layer or value is a model, and never suggests one for an unknown name', () => {
    const r = checkText(`model A(x: [N, 8]) { return x -> dense(4) }\nmodel B(x: [N, 8]) {\n  y = x -> A\n  z = A(x)\n  return a\n}`);
    expect(r.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      ['E0200', "unknown name 'A'", "'A' is a model: models cannot be called or used as values; write it as a block to reuse it"],
      ['E0201', "unknown layer or block 'A'", "'A' is a model: models cannot be called or used as values; write it as a block to reuse it"],
      ['E0200', "unknown name 'a'", undefined],
    ]);
  });
  it('hints at the layer for arithmetic on tensors (add, sub, mul, div), and at slice and .shape for indexing one', () => {
    const r = checkText(`model M(x: [N, 8]) {\n  y = x + x\n  u = x - x\n  v = x / 2\n  z = x[0]\n  return y\n}`);
    expect(r.diagnostics.filter((d) => d.code === 'E0300').map((d) => [d.code, d.message, d.hint])).toEqual([
      ['E0300', "'+' does not apply to tensor and tensor", 'operators work on numbers and sizes; tensors combine through layers: `add(a, b)`'],
      ['E0300', "'-' does not apply to tensor and tensor", 'operators work on numbers and sizes; tensors combine through layers: `sub(a, b)`'],
      ['E0300', "'/' does not apply to tensor and int", 'operators work on numbers and sizes; tensors combine through layers: `div(a, b)`'],
      ['E0300', 'cannot index tensor with int', 'a tensor is not indexed with []: `t -> slice(axis, start, end)` takes a range of an axis; `t.shape[i]` is the size of axis i'],
    ]);
  });
  it('keeps symbolic shapes through conv, flatten and concat', () => {
    const r = checkText(`model M(x: [N, 3, H, W]) {
  a = x -> conv2d(8, 3, stride=2, padding=1)
  b = x -> conv2d(8, 3, stride=2, padding=1)
  return concat(a, b, axis=1) -> flatten
}`);
    expect(errors(r)).toEqual([]);
    expect(shapeOf(r)).toEqual(['N', '16*floor((H + 1)/2)*floor((W + 1)/2)']);
  });
  it('uses where-constraints to simplify', () => {
    const r = checkText(`model M(x: [N, 3, H, W]) where H % 32 == 0, W % 32 == 0 { return x -> conv2d(8, 3, stride=2, padding=1) }`);
    expect(shapeOf(r)).toEqual(['N', 8, 'H/2', 'W/2']);
  });
  it('checks declared outputs', () => {
    const r = checkText(`model M(x: [N, 8]) -> (y: [N, 4]) { return x -> dense(5) }`);
    expect(codes(r)).toContain('E0405');
    expect(r.diagnostics.find((d) => d.code === 'E0405')!.message).toContain('declared [N, 4] but the model computes [N, 5]');
  });
  it('evaluates assertions on totals and receptive fields', () => {
    const src = (n: string) => `model M(x: [1, 3, 32, 32]) { h = x -> conv2d(4, 3) -> conv2d(4, 3)\n assert rf(h) == ${n}\n assert params < 1K\n return h }`;
    expect(errors(checkText(src('5')))).toEqual([]);
    const bad = checkText(src('6'));
    expect(codes(bad)).toEqual(['E0500']);
    expect(bad.diagnostics[0]!.message).toContain('[5, 5] == 6');
  });
  it('takes the union of residual branches and warns when misaligned', () => {
    const ok = checkText(`model M(x: [1, 8, 32, 32]) { y = x -> conv2d(8, 3, padding=1) -> conv2d(8, 3, padding=1)\n return add(y, x) }`);
    expect(errors(ok)).toEqual([]);
    expect(ok.models[0]!.layers.at(-1)!.rf![0]!.size).toBe(5);
    const mis = checkText(`model M(x: [1, 8, 32, 32]) { y = x -> conv2d(8, 3, stride=2, padding=1) -> upsample(scale_factor=2)\n return add(y, x) }`);
    expect(codes(mis)).toContain('W0103');
  });
  it('moves frozen layers to non-trainable', () => {
    const r = checkText(`model M(x: [1, 4]) { frozen { h = x -> dense(4) }\n return h -> dense(2, trainable=false) -> dense(1) }`);
    const t = r.models[0]!.totals;
    expect([t.trainableParams, t.nonTrainableParams]).toEqual([3, 30]);
  });
  it('names layers from name=, assignments and counters, and collapses blocks by depth', () => {
    const r = checkText(`block b(x: Tensor) { y = x -> dense(4)\n return y -> relu }
model M(x: [1, 4]) { stem = x -> dense(4)\n h = stem -> b -> b\n return h -> dense(2, name="head") }`);
    const paths = r.models[0]!.layers.map((l) => l.path);
    expect(paths).toEqual(['stem', 'b_1.y', 'b_1.relu_1', 'b_2.y', 'b_2.relu_1', 'head']);
    const s = summarize(r.models[0]!, { depth: 1 });
    expect(s.layers.map((l) => [l.path, l.op, l.params])).toEqual([['stem', 'dense', 20], ['b_1', 'b', 20], ['b_2', 'b', 20], ['head', 'dense', 10]]);
  });
  it('collapses one row per application: two calls of a shared block instance in a row stay two rows; sharedWith names the owner', () => {
    const r = checkText(`block unit(x) { return x -> conv2d(8, 3, padding=1) -> relu }
block apply_twice(x, l: layer) { return x -> l -> l }
model M(x: [N, 8, 16, 16]) {
  u = unit()
  a = x -> u
  b = a -> u
  conv = conv2d(8, 3, padding=1)
  c = b -> conv
  d = c -> apply_twice(conv)
  return d
}`);
    expect(errors(r)).toEqual([]);
    const s = summarize(r.models[0]!, { depth: 1 });
    expect(s.layers.map((l) => [l.path, l.layers ?? 1, l.sharedWith])).toEqual([['u', 2, undefined], ['u#2', 2, 'u'], ['conv', 1, undefined], ['d', 2, 'conv']]);
  });
  it('W0104 for an output made inside a block call is reported at the call in the model, the layer as a note', () => {
    const text = 'block blk(x) { return x -> conv2d(4, 3) }\nmodel M(x: [N, 3, 16, 16]) {\n  y = x -> blk\n  z = x -> relu\n  return z\n}';
    const r = checkText(text);
    const w = r.diagnostics.filter((d) => d.code === 'W0104');
    expect(w).toHaveLength(1);
    expect(text.slice(w[0]!.span!.start, w[0]!.span!.end)).toBe('blk');
    expect(w[0]!.span!.line).toBe(3);
    expect(text.slice(w[0]!.notes[0]!.span!.start, w[0]!.notes[0]!.span!.end)).toBe('conv2d(4, 3)');
  });
  it('constants no model uses are checked too (cycles, unknown names, division by zero, totals), each problem once', () => {
    const r = checkText('const a = b\nconst b = a\nconst BAD = 1 // 0\nconst U = undefined_name\nconst P = params\nblock lib(x) { return x }\n');
    expect(r.diagnostics.map((d) => `${d.code} ${d.span!.line}`)).toEqual(['E0211 1', 'E0302 3', 'E0200 4', 'E0300 5']);
    const used = checkText('const W = H // 4\nconst H = W * 4\nmodel M(x: [N, 64]) { return x -> dense(H) }');
    expect(used.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['E0211 constant cycle: W → H → W']);
  });
  it('a number run into letters after its fraction (1.5x) is one bad number, not 1 then .5x; ranges (0..3) still lex', () => {
    const r = checkText('model M(x: [1, 4]) {\n  y = 1.5x\n  z = 0..3\n  return x\n}');
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["E0102 invalid number literal '1.5x'"]);
  });
  it('a layer with weights wants a float input (E0408 for integers, as PyTorch); an embedding takes integers', () => {
    expect(codes(checkText('model I(i: int64[N, 3, 8, 8]) {\n  return i -> conv2d(4, 3)\n}'))).toEqual(['E0408']);
    expect(codes(checkText('model I(i: int64[N, 8]) {\n  return i -> dense(4)\n}'))).toEqual(['E0408']);
    expect(codes(checkText('model E(i: int64[N, 8]) {\n  return i -> embedding(10, 4) -> dense(4)\n}'))).toEqual([]);
    expect(codes(checkText('model R(i: int64[N, 8]) {\n  return i -> relu\n}'))).toEqual([]);
    // Merges take one dtype, as concat does (add's output was silently its first input's).
    expect(codes(checkText('model A(a: float16[N, 8], b: [N, 8]) {\n  return add(a, b)\n}'))).toEqual(['E0408']);
  });
  it('an output is named after the variable returned, also when that is another name for an earlier tensor', () => {
    const r = checkText('model M(x: [N, 8]) {\n  a = x -> relu\n  b = a\n  return b\n}');
    expect(r.models[0]!.graph.outputs.map((o) => o.name)).toEqual(['b']);
    const t = checkText('model M(x: [N, 8]) {\n  a = x -> relu\n  c = a\n  return a, c\n}');
    expect(t.models[0]!.graph.outputs.map((o) => o.name)).toEqual(['a', 'c']);
  });
  it('frozen { } freezes the layers built in it: an instance made outside and first applied inside is frozen', () => {
    const t = (src: string) => checkText(src).models[0]!.totals;
    expect(t('model M(x: [N, 16]) {\n  enc = dense(16)\n  frozen {\n    a = x -> enc\n  }\n  return a\n}')).toMatchObject({ trainableParams: 0, nonTrainableParams: 272 });
    // Built outside first: the second application inside shares those (trainable) weights.
    expect(t('model M(x: [N, 16]) {\n  enc = dense(16)\n  a = x -> enc\n  frozen {\n    b = a -> enc\n  }\n  return b\n}')).toMatchObject({ trainableParams: 272, nonTrainableParams: 0 });
  });
  it('strings and booleans order as in Python (by code point; false < true)', () => {
    const r = checkText('model M(x: [N, 4]) {\n  assert "a" < "b" and "ab" > "a" and "Z" < "a" and "é" > "z" and not ("b" <= "a")\n  assert false < true and true >= true\n  return x\n}');
    expect(r.diagnostics).toEqual([]);
  });
  it('an undecidable if is one error: the names its branches would bind are not then unknown', () => {
    const r = checkText('model M(x: [N, 4, H, W]) {\n  if H > 64 {\n    z = x -> relu\n  } else {\n    z = x -> sigmoid\n  }\n  return z\n}');
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['E0300']);
  });
  it('a chained comparison is one error (E0101), not also a type error for (a < b) < c', () => {
    const r = checkText('model M(x: [N, 4]) {\n  p = 2\n  assert 0 < p < 1\n  return x\n}');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['E0101']);
  });
  it('reports the block path for errors inside blocks', () => {
    const r = checkText(`block shrink(x: Tensor) { return x -> conv2d(4, 5) }\nmodel M(x: [1, 3, 8, 8]) { return x -> shrink -> shrink }`);
    const d = r.diagnostics.find((x) => x.code === 'E0401')!;
    expect(d.message).toContain('floor((4 + 0 - 5)/1) + 1 = 0');
    expect(d.blockPath).toEqual(['shrink_2: shrink']);
    expect(d.notes.some((n) => n.message.includes('shrink_2 (shrink) called here') && n.span?.line === 2)).toBe(true);
  });
  it('binds free symbols by unification and reports conflicts', () => {
    const r = checkText(`model M(a: [N, 8], b: [M, 8]) { return add(a, b) }`);
    expect(errors(r)).toEqual([]);
    const c = checkText(`model M(a: [2, 8], b: [3, 8]) { return add(a, b) }`);
    expect(codes(c)).toContain('E0402');
  });
  it('imports stdlib blocks', () => {
    const r = checkText(`from std.vgg import vgg_block\nmodel M(x: [1, 3, 32, 32]) { return x -> vgg_block(16) }`);
    expect(errors(r)).toEqual([]);
    const bad = checkText(`from std.vgg import vgg_blok\nmodel M(x: [1, 3, 32, 32]) { return x }`);
    expect(codes(bad)).toContain('E0209');
    // A misspelt name: the fix replaces it; no "unused import" for a name that was never imported.
    const e = bad.diagnostics.find((d) => d.code === 'E0209')!;
    expect(e.fixes?.map((f) => [f.title, f.edits.map((x) => [x.span.line, x.span.col, x.span.endCol, x.newText])])).toEqual([["replace with 'vgg_block'", [[1, 21, 29, 'vgg_block']]]]);
    expect(codes(bad)).not.toContain('W0109');
  });
  it('recovers from syntax errors and still checks the rest', () => {
    const r = checkText(`model A(x: [1, 4]) { h = x -> dense(4, }\nmodel B(x: [1, 4]) { return x -> dense(3) -> conv2d(2, 3) }`);
    expect(codes(r)).toContain('E0101');
    expect(codes(r)).toContain('E0400');
  });
  it('an unfinished line ends at its line: the next statement and the rest of the model are checked as written', () => {
    const model = (line: string) => `model M(x: [1, 3, 8, 8]) {\n  h1 = x -> relu()\n  ${line}\n  h2 = h1 -> conv2d(4, 3)\n  return h2\n}\n`;
    for (const [line, message, after] of [
      ['q =', 'expected an expression', '='],
      ['q = h1 ->', 'expected an expression', '->'],
      ['q = h1 -> conv2d(', 'expected an expression', '('],
      ['q = h1 -> conv2d(16,', 'expected an expression', ','],
      ['q = h1 -> conv2d(16, 3, padding=', 'expected an expression', '='],
      ['q = h1 -> conv2d(16, 3, padding=1', "expected ')'", '1'],
    ] as const) {
      const r = checkText(model(line));
      // One syntax error, on the unfinished line's last token; h2 and the output still have their shapes.
      const syntax = r.diagnostics.filter((d) => d.code === 'E0101');
      expect(syntax.map((d) => [d.message, d.span?.line]), line).toEqual([[`${message} after '${after}' (found 'h2' on the next line)`, 3]]);
      expect(shapeOf(r), line).toEqual([1, 4, 6, 6]);
    }
    // Arguments on lines of their own, indented deeper than their statement, are still arguments.
    const multi = checkText(`model M(x: [1, 3, 8, 8]) {\n  h = x -> conv2d(\n    4,\n    3,\n    padding=1\n  )\n  return h\n}\n`);
    expect(errors(multi)).toEqual([]);
    expect(shapeOf(multi)).toEqual([1, 4, 8, 8]);
    // One at the statement's column begins the next statement (the offside rule of grammar/nn.ebnf).
    const offside = checkText(`model M(x: [1, 3, 8, 8]) {\n  h = x -> conv2d(4, 3,\n  padding=1)\n  return h\n}\n`);
    expect(codes(offside)).toContain('E0101');
  });
});

describe('robustness of the elaborator (see also test/fuzz.test.ts)', () => {
  it('didYouMean keeps its answers while skipping candidates out of reach by length', async () => {
    const { didYouMean, levenshtein } = await import('../src/diagnostics/make.js');
    const names = ['conv2d', 'conv1d', 'dense', 'relu', 'batchnorm', 'max_pool2d', 'x', 'features_extractor'];
    // The reference: the closest name by plain edit distance (ties: alphabetical), within len/3 and keeping
    // something of the name (`y` is one edit from `x`, which is no suggestion).
    const reference = (n: string) => {
      const best = [...names].sort((a, b) => levenshtein(n.toLowerCase(), a.toLowerCase()) - levenshtein(n.toLowerCase(), b.toLowerCase()) || (a < b ? -1 : 1))[0]!;
      const d = levenshtein(n.toLowerCase(), best.toLowerCase());
      return d <= Math.max(1, Math.floor(n.length / 3)) && d < n.length ? best : undefined;
    };
    for (const n of ['conv2', 'Conv2D', 'dens', 'rleu', 'batchnrom', 'maxpool2d', 'y', 'X', 'feature_extractor', 'zzzzzz', 'c'])
      expect(didYouMean(n, names), n).toBe(reference(n));
    expect([didYouMean('y', names), didYouMean('X', names)]).toEqual([undefined, 'x']);
    // Bounded work: a million candidates of the right length answer at once (the first ones are searched).
    const many = Array.from({ length: 1_000_000 }, (_, i) => `n${i}`);
    const t0 = performance.now();
    didYouMean('n5', many);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('explicit layer names get _2, _3… in order, also after automatic ones of the same base', () => {
    const r = checkText('model M(x: [1, 4]) {\n  y = x -> relu -> relu(name="relu") -> relu(name="relu") -> relu\n  return y\n}');
    expect(errors(r)).toEqual([]);
    expect(r.models[0]!.graph.nodes.map((n) => n.label)).toEqual(['relu_1', 'relu', 'relu_2', 'relu_3']);
  });

  it('a layer size given by a symbol is E0409 unless --input-shape makes it concrete', () => {
    const text = 'model M(x: [N, 8]) {\n  return x -> dense(N)\n}';
    expect(codes(checkText(text))).toEqual(['E0409']);
    const ok = checkText(text, { inputShapes: new Map([['N', 4]]) });
    expect(errors(ok)).toEqual([]);
    expect(shapeOf(ok)).toEqual([4, 4]);
  });

  it('integer arithmetic past 2^53 − 1 is E0406 at the expression, not a silently rounded number', () => {
    const text = 'const BIG = 2 ** 60\nmodel M(x: [1, 8]) {\n  assert 4 * 3_000_000_000_000_000 > 0\n  assert prod([4096, 4096, 4096, 4096, 4096]) > 0\n  return x -> dense(BIG)\n}';
    const r = checkText(text);
    const e = errors(r).map((d) => [d.code, text.slice(d.span!.start, d.span!.end)]);
    expect(e).toEqual([
      ['E0406', '4 * 3_000_000_000_000_000'],
      ['E0406', 'prod([4096, 4096, 4096, 4096, 4096])'],
      ['E0406', '2 ** 60'],
    ]);
    expect(errors(r).every((d) => d.hint?.includes('2^53 − 1'))).toBe(true);
    // `2 ** 53 + 1 != 2 ** 53` no longer "fails" with two equal numbers: 2 ** 53 is out of the exact range.
    const eq = checkText('model M(x: [1, 8]) {\n  assert 2 ** 53 + 1 != 2 ** 53, "exact"\n  return x\n}');
    expect(codes(eq)).not.toContain('E0500');
    expect(codes(eq)).toContain('E0406');
    // The exact range itself works, up to 2^53 − 1 and down to −(2^53 − 1); floats are approximate anyway.
    const ok = checkText('model M(x: [1, 8]) {\n  assert 2 ** 52 + (2 ** 52 - 1) == 9007199254740991\n  assert -9007199254740991 - 0 < 0\n  assert 2.0 ** 60 > 1\n  return x\n}');
    expect(errors(ok)).toEqual([]);
  });

  it('number literals: 2^53 − 1 is the largest integer, and E0102 says so with a hint', () => {
    expect(errors(checkText('model M(x: [1, 8]) {\n  assert 9007199254740991 > 0\n  return x\n}'))).toEqual([]);
    for (const lit of ['9007199254740992', '9007199254740993', '10T * 1', '9_007_199_254_741K']) {
      const r = checkText(`model M(x: [1, 8]) {\n  assert ${lit} > 0\n  return x\n}`);
      const big = errors(r).find((d) => d.code === 'E0102' || d.code === 'E0406');
      if (lit === '10T * 1') {
        expect(big).toBeUndefined();
        continue;
      }
      expect(big?.code, lit).toBe('E0102');
      expect(big!.message).toContain('2^53 − 1');
      expect(big!.hint).toBeTruthy();
    }
  });

  it('wrong attribute values come with a help line: what the attribute is, or the fix', () => {
    const hintOf = (call: string, input = '[1, 3, 8, 8]') => {
      const r = checkText(`model M(x: ${input}) {\n  return x -> ${call}\n}`);
      const e = errors(r);
      expect(e.length, call).toBe(1);
      return `${e[0]!.code} ${e[0]!.hint ?? '(no hint)'}`;
    };
    expect(hintOf('conv2d("four", 3)')).toBe('E0300 out_channels: Number of output channels (filters); e.g. conv2d(64, …)');
    expect(hintOf('conv2d(0, 3)')).toBe('E0301 out_channels: Number of output channels (filters); the smallest value is 1');
    expect(hintOf('conv2d(4, "3")')).toBe('E0300 write the number without quotes: kernel_size=3');
    expect(hintOf('conv2d(4, 3, padding="SAME")')).toBe("E0301 names are lower case: padding='same'");
    expect(hintOf('conv2d(4, 3, groups=2)')).toBe('E0407 input channels 3 and output channels 4 have no common divisor but 1: use groups=1, or change a channel count');
    expect(hintOf('conv2d(8, 3, groups=3)', '[1, 4, 8, 8]')).toBe('E0407 groups must divide both channel counts: here 1, 2, 4');
    expect(hintOf('conv_transpose2d(6, 3, groups=4)', '[1, 6, 8, 8]')).toBe('E0407 groups must divide both channel counts: here 1, 2, 3, 6 (groups=6 is depthwise)');
    // Channels first where the op wants them last (a ViT patch embedding before its transpose, a ConvNeXt stage).
    expect(hintOf('layernorm(768)', '[N, 768, 196]')).toBe('E0402 layernorm normalises the trailing axes and 768 is axis 1 here: move it last first (transpose(1, 2))');
    expect(hintOf('layernorm(96)', '[N, 96, 56, 56]')).toBe('E0402 layernorm normalises the trailing axes and 96 is axis 1 here: move it last first (permute([0, 2, 3, 1]))');
    expect(hintOf('multihead_attention(768, 12)', '[N, 768, 196]')).toBe('E0402 the 768 features are on axis 1 (channels first): transpose(1, 2) to [N, L, 768] first');
    expect(hintOf('multihead_attention(64, 8)', '[N, 10, 32]')).toBe('E0402 project it first (dense(64)) or set embed_dim=32');
  });

  it('a `;` between top-level declarations is E0101 with a help line (docs/language.md: only body statements take one)', () => {
    const r = checkText('const K = 3;const C = 4\nmodel M(x: [1, 8]) {\n  return x -> dense(C);\n}\n');
    expect(r.diagnostics.map((d) => [d.code, d.span?.col])).toEqual([['E0101', 12]]);
    expect(r.diagnostics[0]!.hint).toMatch(/top-level declarations .* take none/);
    // Inside a body, `;` ends a statement.
    expect(errors(checkText('const C = 4\nmodel M(x: [1, 8]) {\n  y = x; return y -> dense(C);\n}\n'))).toEqual([]);
  });

  it("Python's `a, b = f(x)` is E0101 with a help line on assigning the tuple", () => {
    const r = checkText('model M(x: [1, 8]) {\n  a, b = x -> relu\n  return a\n}\n');
    const e = r.diagnostics.find((d) => d.code === 'E0101')!;
    expect([e.span?.line, e.span?.col]).toEqual([2, 4]);
    expect(e.hint).toMatch(/an assignment takes one name: assign the tuple \(`pair = f\(x\)`\)/);
    // A comma elsewhere keeps the plain message.
    expect(checkText('model M(x: [1, 8]) {\n  return x, \n}\n').diagnostics.find((d) => d.code === 'E0101')?.hint).toBeUndefined();
  });

  it('spans are clamped into their file', async () => {
    const { sourceFile, spanOf } = await import('../src/syntax/source.js');
    const f = sourceFile('f.nn', 'ab\ncd');
    expect(spanOf(f, -1, 0)).toMatchObject({ start: 0, end: 0, line: 1, col: 1 });
    expect(spanOf(f, 3, 99)).toMatchObject({ start: 3, end: 5, line: 2, col: 1, endLine: 2, endCol: 3 });
    expect(spanOf(f, Number.NaN, 2)).toMatchObject({ start: 0, end: 2 });
  });
});
