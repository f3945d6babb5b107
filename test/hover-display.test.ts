/**
 * What the editor shows agrees with what was computed: block calls that make no layer, receptive fields of
 * what a model or block returns, tuple items and loop results, names read where they are reassigned, shared
 * layers' names and input dtypes.
 */
import { describe, expect, it } from 'vitest';
import { nodeHost } from '../src/cli/host.js';
import { LanguageService, codeLenses, hover, inlayHints } from '../src/service/index.js';

function analysis(text: string) {
  const s = new LanguageService({ host: nodeHost() });
  s.set('/virtual/display.nn', text);
  return s.analyze('/virtual/display.nn')!;
}
/** The hover's text at the `nth` occurrence of `needle` (plus `shift` characters), as one line. */
function hoverAt(text: string, needle: string, shift = 0, nth = 0): string | undefined {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`no ${needle}`);
  return hover(analysis(text), at + shift)?.contents.replace(/\n+/g, ' / ');
}

describe('a block call that makes no layer', () => {
  const NOOP = `block maybe_proj(x: Tensor, proj: bool = true) -> Tensor {
  if proj {
    return x -> conv2d(4, 1)
  }
  return x
}

model P(x: [N, 3, 32, 32]) {
  a = x -> maybe_proj(proj=false)
  b = a -> conv2d(8, 3)
  return b -> maybe_proj
}
`;

  it('has its inlay hint, hover and tensor shape', () => {
    const a = analysis(NOOP);
    const call = NOOP.indexOf('maybe_proj(proj=false)');
    const end = call + 'maybe_proj(proj=false)'.length;
    expect(inlayHints(a, 0, NOOP.length).find((h) => h.offset === end)?.label).toBe(': [N, 3, 32, 32]');
    expect(hoverAt(NOOP, 'maybe_proj(proj=false)')).toMatch(/^\*\*→ \[N, 3, 32, 32\]\*\* +\/ params 0 · MACs 0/);
    expect(hoverAt(NOOP, 'a = ')).toBe('```nn / a: [N, 3, 32, 32] / ``` / local of model P');
    expect(hoverAt(NOOP, 'a -> conv2d')).toBe('```nn / a: [N, 3, 32, 32] / ``` / local of model P');
  });

  it('counts as a call of its block, in the order the calls ran', () => {
    // The first call made no layer: the lens' numbers are its own.
    expect(codeLenses(analysis(NOOP))[0]!.title).toMatch(/^0 params · 0 MACs.* \(first of 2 calls\)$/);
  });
});

describe('receptive fields are those of what is returned', () => {
  it("a block's lens and call hover give the RF of the tensor it returns, not of a side branch made after it", () => {
    const text = `block side(x: Tensor) -> Tensor {
  a = x -> conv2d(8, 3, padding=1)
  b = x -> conv2d(4, 7, stride=2, padding=3)
  assert b.shape[1] == 4
  return a
}

model S(x: [N, 3, 32, 32]) -> [N, 8, 32, 32] {
  return x -> side
}
`;
    // The summary's row for a (side_1.a) has 3/1; b's has 7/2.
    const [block, model] = codeLenses(analysis(text)).map((l) => l.title);
    expect(block).toBe('816 params · 372K MACs · RF 3, jump 1 (first of 1 call)');
    expect(model).toBe('816 params · 372K MACs · RF 3, jump 1');
    expect(hoverAt(text, 'side\n')).toContain('params 816 · MACs 371,712 · RF 3, jump 1');
  });

  it('a classifier has no RF on its lens, whichever way it pools (the summary shows none for its output)', () => {
    const model = (name: string, pool: string) => `model ${name}(x: [N, 3, 32, 32]) -> [N, 10] {
  f = x -> conv2d(8, 3, stride=2, padding=1) -> conv2d(8, 3, stride=2, padding=1)
  return f -> ${pool} -> dense(10)
}
`;
    const text = [model('G', 'global_avg_pool -> flatten'), model('A', 'adaptive_avg_pool2d(1) -> flatten'), model('R', 'reduce_mean((2, 3))')].join('\n');
    expect(codeLenses(analysis(text)).map((l) => l.title)).toEqual(Array(3).fill('898 params · 92.2K MACs'));
  });

  it('several outputs are labelled; one whose RF was lost at a reshape says so', () => {
    const text = `model L(x: [N, 3, 32, 32]) {
  h = x -> conv2d(32, 3, padding=1)
  y = h -> reshape((-1, 32, 16, 64))
  z = h -> conv2d(8, 5, padding=2)
  return y, z
}
`;
    expect(codeLenses(analysis(text))[0]!.title).toBe('7.30K params · 7.44M MACs · y: RF unknown; z: RF 7, jump 1');
  });

  const TWO = (names: string) => `block two(x: Tensor) -> ${names} {
  a = x -> conv2d(8, 3, padding=1)
  b = x -> conv2d(8, 5, padding=2)
  return a, b
}

model M(x: [N, 3, 32, 32]) {
  t = x -> two
  return t[0], t[1]
}
`;

  it("a block's outputs are labelled by the names it declares for them (lens and call hover), else by index", () => {
    const named = TWO('(left: Tensor, right: Tensor)');
    expect(codeLenses(analysis(named))[0]!.title).toBe('832 params · 836K MACs · left: RF 3, jump 1; right: RF 5, jump 1 (first of 1 call)');
    expect(hoverAt(named, 'two\n')).toContain('params 832 · MACs 835,584 · left: RF 3, jump 1; right: RF 5, jump 1');
    const unnamed = TWO('(Tensor, Tensor)');
    expect(codeLenses(analysis(unnamed))[0]!.title).toBe('832 params · 836K MACs · [0]: RF 3, jump 1; [1]: RF 5, jump 1 (first of 1 call)');
    expect(hoverAt(unnamed, 'two\n')).toContain('params 832 · MACs 835,584 · [0]: RF 3, jump 1; [1]: RF 5, jump 1');
  });

  it('an imported block keeps its names, and renaming an output relabels the lens of a file being edited', () => {
    const s = new LanguageService({ host: nodeHost() });
    s.set('/virtual/two.nn', TWO('(left: Tensor, right: Tensor)').split('\nmodel')[0]!);
    const main = `from "./two.nn" import two

model M(x: [N, 3, 32, 32]) {
  t = x -> two
  return t[0], t[1]
}
`;
    s.set('/virtual/main.nn', main);
    expect(hover(s.analyze('/virtual/main.nn')!, main.indexOf('two\n  return'))?.contents).toContain('left: RF 3, jump 1; right: RF 5, jump 1');
    const edited = TWO('(near: Tensor, far: Tensor)');
    s.set('/virtual/display.nn', TWO('(left: Tensor, right: Tensor)'));
    s.analyze('/virtual/display.nn');
    s.set('/virtual/display.nn', edited);
    expect(codeLenses(s.analyze('/virtual/display.nn')!)[0]!.title).toContain('near: RF 3, jump 1; far: RF 5, jump 1');
  });
});

describe('a local that holds a tuple item, or what a loop left', () => {
  const TUPLE = `block split_merge(a: [N, C, H, W], b: Tensor) -> (Tensor, Tensor) {
  return add(a, b), concat(a, b, axis=1)
}

model Blocks(x: [N, 3, 64, 64]) {
  y = x -> conv2d(32, 3, stride=2, padding=1)
  pair = split_merge(y, y)
  first = pair[0]
  last = pair[-1]
  both = (first, y)
  return first -> relu, last, both[1]
}
`;

  it('an item of a tuple a block returned has its shape, where it is bound and where it is read', () => {
    expect(hoverAt(TUPLE, 'first =')).toBe('```nn / first: [N, 32, 32, 32] / ``` / local of model Blocks');
    expect(hoverAt(TUPLE, 'first -> relu')).toBe('```nn / first: [N, 32, 32, 32] / ``` / local of model Blocks');
    expect(hoverAt(TUPLE, 'last =')).toBe('```nn / last: [N, 64, 32, 32] / ``` / local of model Blocks');
    expect(hoverAt(TUPLE, 'both =')).toBe('```nn / both: ([N, 32, 32, 32], [N, 32, 32, 32]) / ``` / local of model Blocks');
  });

  const LOOP = `block tower(x: Tensor, n: int) -> Tensor {
  h = x
  for i in 0..n {
    h = h -> conv2d(8, 3, stride=2, padding=1)
  }
  return h
}

model M(x: [N, 3, 32, 32]) {
  h = x -> conv2d(8, 3, padding=1)
  for i in 0..3 {
    h = h -> conv2d(8 * (i + 2), 3, stride=2, padding=1)
  }
  f = h
  t = f -> tower(1) -> tower(2)
  return f -> flatten, t
}
`;

  it('after a loop, its last iteration’s value; inside it, every iteration’s', () => {
    expect(hoverAt(LOOP, 'h = h -> conv2d(8 *')).toBe('```nn / h: [N, 16, 16, 16] | [N, 24, 8, 8] | [N, 32, 4, 4] / ``` / local of model M (3 shapes across applications)');
    expect(hoverAt(LOOP, 'f = h', 4)).toBe('```nn / h: [N, 32, 4, 4] / ``` / local of model M');
    expect(hoverAt(LOOP, 'f = h')).toBe('```nn / f: [N, 32, 4, 4] / ``` / local of model M');
    expect(hoverAt(LOOP, 'f -> flatten')).toBe('```nn / f: [N, 32, 4, 4] / ``` / local of model M');
  });

  it("in a block, each call's last iteration", () => {
    // tower(1) on 4×4 gives 2×2, then tower(2) gives 1×1 after two iterations (2×2 the first).
    expect(hoverAt(LOOP, 'return h', 7)).toBe('```nn / h: [N, 8, 2, 2] | [N, 8, 1, 1] / ``` / local of block tower (2 shapes across applications)');
  });
});

describe('a local read after an assignment that a run may skip', () => {
  const SKIP = `block maybe_down(x: Tensor, down: bool) -> Tensor {
  h = x -> conv2d(8, 3, padding=1)
  if down {
    h = h -> max_pool2d(2)
  }
  return h
}

block stack(x: Tensor, n: int) -> Tensor {
  h = x -> conv2d(8, 3, padding=1)
  for i in 0..n {
    h = h -> conv2d(8, 3, stride=2, padding=1)
  }
  return h
}

model M(x: [N, 3, 32, 32]) {
  a = x -> maybe_down(false)
  b = x -> maybe_down(true)
  c = x -> stack(0)
  d = x -> stack(1)
  z = x
  repeat 0 {
    z = z -> conv2d(5, 3)
  }
  return a, b, c, d, z
}
`;

  it('shows the values before the `if` or loop too (a branch not taken, no iteration): each call read one', () => {
    for (const nth of [0, 1]) expect(hoverAt(SKIP, 'return h', 7, nth)).toBe('```nn / h: [N, 8, 16, 16] | [N, 8, 32, 32] / ``` / local of block ' + (nth ? 'stack' : 'maybe_down') + ' (2 shapes across applications)');
    // An assignment that never ran: the value before it, not its text.
    expect(hoverAt(SKIP, 'c, d, z', 6)).toBe('```nn / z: [N, 3, 32, 32] / ``` / local of model M');
    // Where it is assigned: what it is assigned (inside the if, only the runs that took it).
    expect(hoverAt(SKIP, 'h = h -> max_pool2d')).toBe('```nn / h: [N, 8, 16, 16] / ``` / local of block maybe_down');
  });
});

describe('a name read where it is reassigned, and across loop iterations', () => {
  const SELF = `block alias(x: Tensor, c: int) -> Tensor {
  y = x
  return y -> conv2d(c, 1)
}

model M(x: [1, 3, 32, 32]) {
  h = x -> conv2d(8, 3)
  h = h -> conv2d(8, 3)
  for i in 0..3 {
    h = h -> conv2d(8, 3, padding=1) -> conv2d(8, 3)
  }
  for i in 0..3 {
    if i > 0 {
      h = h -> conv2d(8, 3)
    }
    s = h
  }
  g = alias(h, 4)
  g = alias(g, 2)
  repeat 2 {
    h = h -> conv2d(8, 3)
    for j in 0..2 {
      h = h -> conv2d(8, 3)
    }
    r = h
  }
  return g, h
}
`;
  const one = (shapes: string, what = 'local of model M') => '```nn / ' + shapes + ' / ``` / ' + what;

  it('the right-hand side of `h = h -> …` reads the value before the assignment', () => {
    expect(hoverAt(SELF, 'h = h -> conv2d(8, 3)', 4)).toBe(one('h: [1, 8, 30, 30]'));
    expect(hoverAt(SELF, 'h = h -> conv2d(8, 3)')).toBe(one('h: [1, 8, 28, 28]'));
    expect(hoverAt(SELF, 'alias(g', 6)).toBe(one('g: [1, 4, 18, 18]'));
  });

  it('inside a loop, the value before it and what earlier iterations left, not the last', () => {
    // 28 enters, each iteration takes 2 off.
    expect(hoverAt(SELF, 'h = h -> conv2d(8, 3, padding=1)', 4)).toBe(one('h: [1, 8, 28, 28] | [1, 8, 26, 26] | [1, 8, 24, 24]', 'local of model M (3 shapes across applications)'));
    // 22 enters; the iterations that take the `if` take 2 off.
    expect(hoverAt(SELF, 's = h', 4)).toBe(one('h: [1, 8, 20, 20] | [1, 8, 18, 18] | [1, 8, 22, 22]', 'local of model M (3 shapes across applications)'));
  });

  it('nested loops with literal bounds: exactly the iterations each read sees', () => {
    // 18 enters `repeat 2`; its first statement and the inner loop take 2 off each time.
    expect(hoverAt(SELF, 'h = h -> conv2d(8, 3)', 4, 2)).toBe(one('h: [1, 8, 18, 18] | [1, 8, 12, 12]', 'local of model M (2 shapes across applications)'));
    expect(hoverAt(SELF, 'h = h -> conv2d(8, 3)', 4, 3)).toBe(one('h: [1, 8, 16, 16] | [1, 8, 10, 10] | [1, 8, 14, 14] | …', 'local of model M (4 shapes across applications)'));
    expect(hoverAt(SELF, 'r = h', 4)).toBe(one('h: [1, 8, 12, 12] | [1, 8, 6, 6]', 'local of model M (2 shapes across applications)'));
  });

  it('an assignment in a branch shows only the calls that took it; after nested loops, the last value', () => {
    const text = `block unit(x: Tensor, down: bool) -> Tensor {
  if down {
    b = x -> max_pool2d(2)
  } else {
    a = x -> relu
    b = x
  }
  return b -> conv2d(4, 1)
}

model U(x: [1, 8, 16, 16]) {
  h = x
  for s in [2, 3] {
    for i in 0..s {
      h = h -> unit(i == 0)
    }
  }
  return h
}
`;
    // unit runs 5 times: down on 16×16 and 8×8 (the first of each stage), not down on 8×8, 4×4, 4×4.
    expect(hoverAt(text, 'b = x\n')).toBe(one('b: [1, 4, 8, 8] | [1, 4, 4, 4]', 'local of block unit (2 shapes across applications)'));
    expect(hoverAt(text, 'b = x -> max_pool2d')).toBe(one('b: [1, 8, 8, 8] | [1, 4, 4, 4]', 'local of block unit (2 shapes across applications)'));
    expect(hoverAt(text, 'b -> conv2d')).toBe(one('b: [1, 4, 8, 8] | [1, 4, 4, 4] | [1, 8, 8, 8]', 'local of block unit (3 shapes across applications)'));
    // (The inner loop's bound is not a literal: its iterations are not counted, the last value still is.)
    expect(hoverAt(text, 'return h', 7)).toBe(one('h: [1, 4, 4, 4]', 'local of model U'));
  });

  it("a block's tensor parameter read through another name has each call's shape", () => {
    expect(hoverAt(SELF, 'y = x')).toBe(one('y: [1, 8, 18, 18] | [1, 4, 18, 18]', 'local of block alias (2 shapes across applications)'));
    expect(hoverAt(SELF, 'y -> conv2d')).toBe(one('y: [1, 8, 18, 18] | [1, 4, 18, 18]', 'local of block alias (2 shapes across applications)'));
  });
});

describe("a shared layer's name", () => {
  it('is its summary row: the second application is `enc#2`, sharing with `enc`', () => {
    const text = `model Sh(a: [N, 16], b: [N, 16]) {
  enc = dense(8)
  ya = a -> enc -> relu
  yb = b -> enc -> relu
  return concat(ya, yb, axis=1)
}
`;
    expect(hoverAt(text, 'enc -> relu', 0, 0)).toContain(' / `enc` / ');
    expect(hoverAt(text, 'enc -> relu', 0, 1)).toContain(' / `enc#2` (shares weights with `enc`) / ');
  });
});

describe('dtypes', () => {
  it('are written before the shape where not float32, as the summary does (input tokens: int64[N, 100])', () => {
    const text = `model T(tokens: int64[N, 100], x: [N, 8, 8, 8]) {
  ids = tokens
  pooled = x -> max_pool2d(2, return_indices=true)
  idx = pooled[1]
  return tokens -> embedding(100, 16), pooled[0], idx
}
`;
    const a = analysis(text);
    expect(hoverAt(text, 'tokens:')).toBe('```nn / tokens: int64[N, 100] / ``` / parameter of model T');
    expect(hoverAt(text, 'ids =')).toBe('```nn / ids: int64[N, 100] / ``` / local of model T');
    expect(hoverAt(text, 'idx =')).toBe('```nn / idx: int64[N, 8, 4, 4] / ``` / local of model T');
    expect(inlayHints(a, 0, text.length).map((h) => h.label)).toEqual([': ([N, 8, 4, 4], int64[N, 8, 4, 4])', ': [N, 100, 16]']);
  });
});
