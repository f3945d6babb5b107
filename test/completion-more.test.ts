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
