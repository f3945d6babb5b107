/** Completion and signature help: line endings, nested brackets, what is valid where (in-process). */
import { describe, expect, it } from 'vitest';
import { nodeHost } from '../src/cli/host.js';
import { LanguageService, completion, signatureHelp } from '../src/service/index.js';

const s = new LanguageService({ host: nodeHost() });
let n = 0;
/** The analysis of `t` without its `|`, the text and the offset of the `|`. */
function open(t: string, path = `/virtual/more${n++}.nn`) {
  const o = t.indexOf('|');
  const text = t.replace('|', '');
  s.set(path, text);
  return { a: s.analyze(path), text, o, path };
}
const labels = (t: string) => {
  const { a, text, o, path } = open(t);
  return completion(a, text, o, s.moduleHost(), path).map((c) => c.label);
};
const sig = (t: string) => {
  const { a, text, o } = open(t);
  const h = signatureHelp(a, text, o);
  return h && { label: h.label, active: h.activeParam === undefined ? undefined : h.params[h.activeParam]!.label };
};

describe('line endings: \\n, \\r\\n and a lone \\r each end a line (and a comment)', () => {
  const base = '# header comment\nmodel Net(x: [N, 3, 8, 8]) {\n  y = x -> conv2d(8, |3, padding=1) -> relu\n  return @y\n}\n';
  for (const [name, eol] of [['LF', '\n'], ['CRLF', '\r\n'], ['CR', '\r']] as const) {
    it(`${name}: completion and signature help below a comment`, () => {
      const t = base.replace(/\n/g, eol);
      expect(sig(t.replace('@', ''))).toEqual({ label: expect.stringMatching(/^conv2d\(/), active: 'kernel_size: ints' });
      expect(labels(t.replace('|', '').replace('@', '|'))).toContain('y');
      // The comment itself still completes nothing.
      expect(labels(t.replace('|', '').replace('@', '').replace('header ', 'header |'))).toEqual([]);
    });
  }

  it('a lone \\r ends an import line', () => {
    expect(labels('# c\rfrom std.resnet import basic_block, |\rmodel M(x: [1, 64, 8, 8]) {\r  return x\r}\r')).toContain('bottleneck');
  });
});

describe('signature help inside a bracket nested in a call', () => {
  const M = (line: string) => `model Net(img: [N, 3, H, W]) {\n  h = img -> conv2d(16, 3, padding=1) -> relu\n  ${line}\n  return h\n}\n`;
  it("a tuple, list, grouping or index in an argument: the call's signature, that argument active", () => {
    const cases: [string, string][] = [
      ['z = h -> conv2d(8, (1, |', 'kernel_size: ints'],
      ['z = h -> conv2d(8, (1, 7), |', 'stride=1'],
      ['z = h -> conv2d(8, kernel_size=(3, |', 'kernel_size: ints'],
      ['z = h -> conv2d(8, (1, 7), padding=(0, |', 'padding=0'],
      ['z = h -> conv2d(8, [3, |', 'kernel_size: ints'],
      ['z = h -> conv2d((8 + |', 'out_channels: int'],
      ['z = h -> conv2d(h.shape[|', 'out_channels: int'],
      ['z = h -> conv2d(8, (1, |7), padding=(0, 3))', 'kernel_size: ints'],
      ['z = h -> conv2d(8, (1, 7), padding=(0, |3))', 'padding=0'],
      ['z = conv2d(h, 8, ((1), [|', 'kernel_size: ints'],
    ];
    for (const [line, active] of cases) expect(sig(M(line)), line).toEqual({ label: expect.stringMatching(/^conv2d\(/), active });
  });

  it("a builtin's call: the builtin's own signature and doc", () => {
    expect(sig(M('z = h -> conv2d(max(8, |'))).toEqual({ label: 'max(a, b, …)', active: 'b' });
    expect(sig(M('z = h -> conv2d(max(8, 4, |'))).toEqual({ label: 'max(a, b, …)', active: '…' });
    expect(sig(M('assert rf(|'))).toEqual({ label: 'rf(t)', active: 't' });
    expect(sig(M('n = len(|'))).toEqual({ label: 'len(list)', active: 'list' });
    // After the builtin's parentheses close, the layer's again.
    expect(sig(M('z = h -> conv2d(max(8, 4), |'))).toEqual({ label: expect.stringMatching(/^conv2d\(/), active: 'kernel_size: ints' });
  });

  it('a tuple outside any call, or a total written as a call: none', () => {
    expect(sig(M('z = (h, |'))).toBeUndefined();
    expect(sig(M('assert params(|'))).toBeUndefined();
  });
});

describe('completion inside a nested bracket', () => {
  it('no keyword arguments inside a tuple argument; constants in a tuple default and a shape', () => {
    const t = 'const K = 3\nblock f(x: Tensor, k: tuple = (1, |) -> Tensor {\n  return x\n}\n';
    expect(labels(t)).toEqual(expect.arrayContaining(['K', 'relu']));
    expect(labels('const K = 3\nmodel M(x: [N, |]) {\n  return x\n}\n')).toEqual(['K']);
    const got = labels('model M(x: [N, 3, 8, 8]) {\n  y = x -> conv2d(8, (1, |\n  return x\n}\n');
    expect(got).toContain('x');
    expect(got.filter((l) => l.endsWith('='))).toEqual([]);
  });
});

const M = (body: string) => `const A = 3\nblock unit(x: Tensor, c: int, k: int = 3) -> Tensor {\n  return x -> conv2d(c, k, padding=1)\n}\nmodel Net(x: [N, 3, 8, 8]) {\n  h = x -> relu\n${body}\n  return h\n}\n`;

describe('the statement being typed does not bind its name yet', () => {
  it('a new name is not offered in its own value', () => {
    expect(labels(M('  y = |'))).not.toContain('y');
    expect(labels(M('  h2 = h -> unit(8, |'))).not.toContain('h2');
    expect(labels(M('  h2 = h -> unit(8,\n    |'))).not.toContain('h2');
    expect(labels(M('  h2 = h\n    -> |'))).not.toContain('h2');
    expect(labels(M('  q = 1; h2 = h -> unit(8, |'))).toEqual(expect.arrayContaining(['q', 'h']));
    expect(labels(M('  q = 1; h2 = h -> unit(8, |'))).not.toContain('h2');
  });

  it('nor the constant whose value, or the block whose parameter defaults, the cursor is in (E0211, E0300)', () => {
    for (const [t, self] of [['const Q = |', 'Q'], ['const Q = 2 * |', 'Q'], ['const Q = max(1,\n  |', 'Q'], ['const Q = 1  # Q\nconst R = |', 'R']]) {
      const got = labels(`${M('')}${t}`);
      expect(got, t).toEqual(expect.arrayContaining(['A', 'unit']));
      expect(got, t).not.toContain(self);
    }
    // Nor one whose value already reaches it, directly or through others (a cycle P → Q → P).
    for (const t of ['const P = Q\nconst Q = |', 'const P = 2 * R\nconst R = Q + 1\nconst Q = |', 'const Q = 1\nconst P = Q\nconst Q = |']) {
      const got = labels(`${M('')}${t}`);
      expect(got, t).toContain('A');
      expect(got, t).not.toContain('P');
    }
    expect(labels(`${M('')}const P = Q\nconst Q = 1\nconst R = |`)).toEqual(expect.arrayContaining(['P', 'Q']));
    // Q is offered in another constant's value, b2 in another block's defaults.
    expect(labels(`${M('')}const Q = 1\nconst R = |`)).toContain('Q');
    for (const t of ['block b2(x: Tensor, c: int = |', 'block b2(x: Tensor,\n    c: int = 2 * |', 'block b2(x: Tensor, f: layer = |']) {
      const got = labels(`${M('')}${t}`);
      expect(got, t).toEqual(expect.arrayContaining(['A', 'unit']));
      expect(got, t).not.toContain('b2');
    }
    expect(labels(`block b2(x: Tensor) -> Tensor {\n  return x\n}\n${M('')}block b3(x: Tensor, f: layer = |`)).toContain('b2');
  });

  it('a name assigned before is still in scope when re-assigned (h = h -> relu), and after its statement', () => {
    expect(labels(M('  h = |'))).toContain('h');
    expect(labels(M('  y = h -> relu\n  |'))).toContain('y');
  });
});

describe('keyword arguments already bound by position are not offered', () => {
  const kw = (line: string) => labels(M(line)).filter((l) => l.endsWith('='));
  const convAttrs = ['out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias'].map((x) => `${x}=`);
  const generic = ['name=', 'trainable='];
  it('in a chain step the first argument is the first attribute (or the parameter after the tensor inputs)', () => {
    expect(kw('  y = h -> unit(8, |')).toEqual(['k=', ...generic]);
    expect(kw('  y = h -> conv2d(8, |')).toEqual([...convAttrs.slice(1), ...generic]);
    expect(kw('  y = h -> conv2d(|')).toEqual([...convAttrs, ...generic]);
  });

  it('in a direct call the leading tensors are the inputs', () => {
    expect(kw('  y = conv2d(h, 8, |')).toEqual([...convAttrs.slice(1), ...generic]);
    expect(kw('  y = conv2d(h, |')).toEqual([...convAttrs, ...generic]);
    expect(kw('  y = unit(h, 8, 3, |')).toEqual(generic);
    // An instance (no tensor): 8 is c.
    expect(kw('  y = unit(8, |')).toEqual(['k=', ...generic]);
  });

  it('nor those given by keyword (also by an alias), nor any for a builtin', () => {
    expect(kw('  y = h -> conv2d(8, padding=1, |')).toEqual(convAttrs.filter((x) => !['out_channels=', 'padding='].includes(x)).concat(generic));
    expect(kw('  y = h -> clamp(min_val=0, |')).toEqual(['max=', ...generic]);
    expect(kw('  n = max(|')).toEqual([]);
  });
});

describe('builtins where a value goes', () => {
  const functions = ['len', 'min', 'max', 'sum', 'prod', 'floor', 'ceil', 'abs', 'int', 'float', 'str'];
  const assertOnly = ['params', 'trainable_params', 'non_trainable_params', 'macs', 'flops', 'weight_bytes', 'peak_activation_bytes', 'rf', 'jump', 'rf_start'];
  const builtinLabels = (t: string) => labels(t).filter((l) => [...functions, ...assertOnly].includes(l));
  it('in an assertion: the functions, the totals and the receptive-field functions', () => {
    expect(builtinLabels(M('  assert |')).sort()).toEqual([...functions, ...assertOnly].sort());
    expect(builtinLabels(M('  assert pa|')).sort()).toEqual([...functions, ...assertOnly].sort());
    expect(builtinLabels(M('  assert x.shape[1] == min(|')).sort()).toEqual([...functions, ...assertOnly].sort());
  });

  it('elsewhere: the functions only (the totals and rf are E0300 outside assertions), also in a constant', () => {
    expect(builtinLabels(M('  n = le|')).sort()).toEqual([...functions].sort());
    expect(builtinLabels(M('  y = h -> conv2d(|')).sort()).toEqual([...functions].sort());
    expect(builtinLabels('const K = |\n').sort()).toEqual([...functions].sort());
  });

  it('with their docs; a total is a constant, a function a function', () => {
    const { a, text, o } = open(M('  assert |'));
    const items = completion(a, text, o);
    expect(items.find((c) => c.label === 'params')).toMatchObject({ kind: 'constant', detail: 'model total (assertions only)', doc: expect.stringMatching(/^Total parameters/) });
    expect(items.find((c) => c.label === 'max')).toMatchObject({ kind: 'layer', detail: 'builtin max(a, b, …)', doc: expect.stringMatching(/^max\(/) });
  });

  it('not at the start of a statement, nor where a module name hides them', () => {
    expect(builtinLabels(M('  |'))).toEqual([]);
    expect(labels(`const len = 2\n${M('  n = |')}`).filter((l) => l === 'len')).toEqual(['len']);
  });
});

describe('keywords only where they can go', () => {
  const keywords = (t: string) => {
    const { a, text, o } = open(t);
    return completion(a, text, o).filter((c) => c.kind === 'keyword').map((c) => c.label);
  };
  it('at the start of a statement: statement keywords; else only after an if body', () => {
    expect(keywords(M('  |'))).toEqual(['return', 'if', 'for', 'repeat', 'assert', 'frozen']);
    for (const t of [M('  if true {\n    h = h -> relu\n  } |'), M('  if true {\n    h = h -> relu\n  }\n  |'), M('  if true {\n  } else if false {\n  }\n  |')])
      expect(keywords(t)).toEqual(['return', 'if', 'for', 'repeat', 'assert', 'frozen', 'else']);
    for (const t of [M('  for i in 0..2 {\n  }\n  |'), M('  if true {\n  } else {\n  }\n  |')]) expect(keywords(t)).not.toContain('else');
  });

  it('where only an expression goes: value keywords, no statement keywords', () => {
    for (const l of ['  assert |', '  y = |', '  y = h -> conv2d(8, |', '  if |', '  return h, |']) expect(keywords(M(l)), l).toEqual(['not', 'true', 'false', 'none']);
  });

  it('after an operand: and/or (in, in a for header; if, after else)', () => {
    expect(labels(M('  y = h -> conv2d(8, 3) |'))).toEqual(['and', 'or']);
    expect(labels(M('  assert A > 1 a|'))).toEqual(['and', 'or']);
    expect(labels(M('  for i |'))).toEqual(['in']);
    expect(labels(M('  if true {\n  } else |'))).toEqual(['if']);
  });

  it('inside a block: not the block itself (calling it there is recursion, E0208); other blocks, and it in a model', () => {
    const lib = 'block a(x: Tensor) -> Tensor {\n  return x\n}\n\nblock b(x: Tensor) -> Tensor {\n  y = x -> |\n  return y\n}\n';
    expect(labels(lib)).toContain('a');
    expect(labels(lib)).not.toContain('b');
    expect(labels(lib.replace('x -> |', 'x -> relu\n  z = |'))).not.toContain('b');
    const model = `${lib.replace('|', 'relu')}\nmodel M(x: [1, 3, 8, 8]) {\n  return x -> |\n}\n`;
    expect(labels(model)).toEqual(expect.arrayContaining(['a', 'b']));
  });

  it('after `frozen`: nothing (only `{` can follow), also when asked for explicitly', () => {
    expect(labels(M('  frozen |'))).toEqual([]);
    expect(labels(M('  frozen f|'))).toEqual([]);
    expect(labels(M('  frozen {\n    h = h -> relu\n  }\n  frozen |'))).toEqual([]);
    // An operand that merely ends in `frozen` is no `frozen` statement.
    expect(labels(M('  y = h -> relu\n  if y_frozen |'))).toEqual(['and', 'or']);
  });

  it('at the top level: only the declarations; in a constant, values but no local names', () => {
    expect(labels('|')).toEqual(['model', 'block', 'const', 'from']);
    expect(labels(`${M('')}\n|`)).toEqual(['model', 'block', 'const', 'from']);
    expect(labels(`${M('')}\nconst K = 3 |`)).toEqual(['and', 'or']);
    const inConst = labels(`${M('')}\nconst K = |`);
    expect(inConst).toEqual(expect.arrayContaining(['A', 'unit', 'relu', 'max', 'true']));
    for (const l of ['h', 'x', 'N', 'return', 'model', 'params']) expect(inConst).not.toContain(l);
  });
});

describe("the ' ' trigger", () => {
  const spaced = (t: string, trigger?: string) => {
    const { a, text, o, path } = open(t);
    return completion(a, text, o, s.moduleHost(), path, trigger).map((c) => c.label);
  };
  it('nothing after an operand when a space asked; the usual list where a value goes', () => {
    expect(spaced(M('  y = h -> conv2d(8, 3) |'), ' ')).toEqual([]);
    expect(spaced(M('  y |'), ' ')).toEqual([]);
    expect(spaced(M('  y = |'), ' ')).toContain('h');
    expect(spaced(M('  assert |'), ' ')).toContain('params');
    // Asked for explicitly: the keywords that can follow.
    expect(spaced(M('  y |'))).toEqual(['and', 'or']);
  });
});

describe('a declaration line pasted at column 0 inside a body', () => {
  it('leaves the lines after it in the body: statements and locals offered there, not declarations', () => {
    const text = 'block unit(x: Tensor) -> Tensor {\n  return x -> relu\n}\n\nmodel P(x: [N, 3, 8, 8]) {\n  h = x -> conv2d(4, 3)\nconst K = 3\n  |\n  return h\n}\n';
    const got = labels(text);
    expect(got).toEqual(expect.arrayContaining(['h', 'x', 'conv2d']));
    expect(got).not.toContain('model');
    // A block's body: calling the block itself there is still left out (E0208).
    expect(labels(text.replace('|', '').replace('  return x -> relu\n', 'from std import nothing\n  y = x -> |\n  return x -> relu\n'))).not.toContain('unit');
  });
});
