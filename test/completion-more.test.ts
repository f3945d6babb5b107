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
