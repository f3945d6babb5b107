/**
 * Semantic tokens (src/service/navigation.ts `semanticTokens`): names by role and the lexical classes
 * (keywords, comments, numbers, strings, operators), which are all the colour a client without a `.nn`
 * syntax of its own (Neovim) shows.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeHost } from '../src/cli/host.js';
import { LanguageService, type SemanticToken, TOKEN_TYPES, semanticTokens } from '../src/service/index.js';
import { Ident, KEYWORD_WORDS, nnLexer } from '../src/syntax/lexer.js';
import { ROOT } from './helpers/compile.js';

function tokensOf(text: string, path = join(ROOT, 'sample.nn')) {
  const s = new LanguageService({ host: nodeHost() });
  s.set(path, text);
  const a = s.analyze(path)!;
  return { a, toks: semanticTokens(a) };
}

/** `text type[.modifier…]` for each token, by line (1-based). */
function byLine(text: string, toks: readonly SemanticToken[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const t of toks) {
    const line = text.slice(0, t.start).split('\n').length;
    (out.get(line) ?? out.set(line, []).get(line)!).push([`${text.slice(t.start, t.end)} ${t.type}`, ...t.modifiers].join('.'));
  }
  return out;
}

const SAMPLE = [
  /*  1 */ '# Budget for a small net.',
  /*  2 */ 'from std.resnet import basic_stage as stage',
  /*  3 */ '',
  /*  4 */ 'const WIDTH = 16',
  /*  5 */ 'block head(x: Tensor, classes: int = 10) -> (y: Tensor) {',
  /*  6 */ '  return x -> adaptive_avg_pool2d(1) -> flatten() -> dense(classes)',
  /*  7 */ '}',
  /*  8 */ 'model Net(x: [N, 3, 32, 32]) -> (logits: [N, 10]) where N >= 1 {',
  /*  9 */ '  h = x -> conv2d(WIDTH, 3, padding=1, name="stem") -> relu()  # the stem',
  /* 10 */ "  for i in 0..2 { h = h -> stage(WIDTH, 1, name='stage' + str(i)) }",
  /* 11 */ '  repeat 1 { h = h -> relu() }',
  /* 12 */ '  frozen { h = h -> batchnorm() }',
  /* 13 */ '  if true and not false or WIDTH == none { h = h -> relu() }',
  /* 14 */ '  logits = h -> head(classes=10)',
  /* 15 */ '  assert params <= 12M and weight_bytes < 1.5e6 * 4, "fits"',
  /* 16 */ '  assert macs > 0 and rf(h) >= 2 ** 2 - 1 // 1 % 5 + 3 / 1 and jump(h) != [0, 0] and h.shape[1] != 1_000',
  /* 17 */ '  return logits',
  /* 18 */ '}',
  '',
].join('\n');

describe('semantic tokens', () => {
  it('classify every keyword, number, string, comment, operator and name of a sample file', () => {
    const { a, toks } = tokensOf(SAMPLE);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const lines = byLine(SAMPLE, toks);
    expect(lines.get(1)).toEqual(['# Budget for a small net. comment']);
    // The module path is a namespace; the imported block a class, its alias declared here.
    expect(lines.get(2)).toEqual(['from keyword', 'std namespace', 'resnet namespace', 'import keyword', 'basic_stage class', 'as keyword', 'stage class.declaration']);
    expect(lines.get(4)).toEqual(['const keyword', 'WIDTH variable.declaration.readonly', '= operator', '16 number']);
    // Annotation types are the library's; a block's output name is declared in its header.
    expect(lines.get(5)).toEqual([
      'block keyword', 'head class.declaration', 'x parameter.declaration', 'Tensor type.defaultLibrary', 'classes parameter.declaration', 'int type.defaultLibrary', '= operator',
      '10 number', '-> operator', 'y parameter.declaration', 'Tensor type.defaultLibrary',
    ]);
    expect(lines.get(6)).toEqual([
      'return keyword', 'x parameter', '-> operator', 'adaptive_avg_pool2d function.defaultLibrary', '1 number', '-> operator', 'flatten function.defaultLibrary', '-> operator',
      'dense function.defaultLibrary', 'classes parameter',
    ]);
    expect(lines.get(7)).toBeUndefined(); // punctuation gets no token
    // A model's output names (`logits`) are declared in its header, as its inputs are.
    expect(lines.get(8)).toEqual([
      'model keyword', 'Net type.declaration', 'x parameter.declaration', 'N parameter.declaration', '3 number', '32 number', '32 number', '-> operator',
      'logits parameter.declaration', 'N parameter', '10 number', 'where keyword', 'N parameter', '>= operator', '1 number',
    ]);
    expect(lines.get(9)).toEqual([
      'h variable.declaration', '= operator', 'x parameter', '-> operator', 'conv2d function.defaultLibrary', 'WIDTH variable.readonly', '3 number', 'padding property', '= operator',
      '1 number', 'name property', '= operator', '"stem" string', '-> operator', 'relu function.defaultLibrary', '# the stem comment',
    ]);
    expect(lines.get(10)).toEqual([
      'for keyword', 'i variable.declaration', 'in keyword', '0 number', '.. operator', '2 number', 'h variable.declaration', '= operator', 'h variable', '-> operator', 'stage class',
      'WIDTH variable.readonly', '1 number', 'name property', '= operator', "'stage' string", '+ operator', 'str function.defaultLibrary', 'i variable',
    ]);
    expect(lines.get(11)!.slice(0, 2)).toEqual(['repeat keyword', '1 number']);
    expect(lines.get(12)![0]).toBe('frozen keyword');
    expect(lines.get(13)!.slice(0, 9)).toEqual(['if keyword', 'true keyword', 'and keyword', 'not keyword', 'false keyword', 'or keyword', 'WIDTH variable.readonly', '== operator', 'none keyword']);
    expect(lines.get(14)).toEqual(['logits variable.declaration', '= operator', 'h variable', '-> operator', 'head class', 'classes property', '= operator', '10 number']);
    // Builtins: the totals are read-only library variables, `rf` and `jump` library functions; suffixed numbers whole.
    expect(lines.get(15)).toEqual([
      'assert keyword', 'params variable.readonly.defaultLibrary', '<= operator', '12M number', 'and keyword', 'weight_bytes variable.readonly.defaultLibrary', '< operator',
      '1.5e6 number', '* operator', '4 number', '"fits" string',
    ]);
    expect(lines.get(16)).toEqual([
      'assert keyword', 'macs variable.readonly.defaultLibrary', '> operator', '0 number', 'and keyword', 'rf function.defaultLibrary', 'h variable', '>= operator', '2 number',
      '** operator', '2 number', '- operator', '1 number', '// operator', '1 number', '% operator', '5 number', '+ operator', '3 number', '/ operator', '1 number', 'and keyword',
      'jump function.defaultLibrary', 'h variable', '!= operator', '0 number', '0 number', 'and keyword', 'h variable', 'shape property', '1 number', '!= operator', '1_000 number',
    ]);
    expect(lines.get(17)).toEqual(['return keyword', 'logits variable']);
    // Every type of the legend is used.
    expect(new Set(toks.map((t) => t.type))).toEqual(new Set(TOKEN_TYPES));
  });

  it('give unknown names and malformed numbers no token; an unterminated string ends at its line', () => {
    const text = 'model M(x: [1, 3, 8, 8]) {\n  h = x -> relux(name="open\n  y = h -> conv2d(4, 3x)\n  return y\n}\n';
    const { toks } = tokensOf(text);
    const lines = byLine(text, toks);
    expect(lines.get(2)).toEqual(['h variable.declaration', '= operator', 'x parameter', '-> operator', 'name property', '= operator', '"open string']);
    expect(lines.get(3)).toEqual(['y variable.declaration', '= operator', 'h variable', '-> operator', 'conv2d function.defaultLibrary', '4 number']);
    expect(lines.get(4)).toEqual(['return keyword', 'y variable']);
  });

  it("a block's shape symbols and an output given as a bare shape are parameters", () => {
    const text = 'block b(x: [C, 8]) -> [C, 8] {\n  return x -> relu()\n}\nmodel M(x: [2, 8]) -> [2, K] {\n  return x -> b()\n}\n';
    const lines = byLine(text, tokensOf(text).toks);
    expect(lines.get(1)).toEqual(['block keyword', 'b class.declaration', 'x parameter.declaration', 'C parameter', '8 number', '-> operator', 'C parameter', '8 number']);
    expect(lines.get(4)).toEqual(['model keyword', 'M type.declaration', 'x parameter.declaration', '2 number', '8 number', '-> operator', '2 number', 'K parameter']);
  });

  const files = [...readdirSync(join(ROOT, 'examples')).map((f) => `examples/${f}`), ...readdirSync(join(ROOT, 'stdlib')).map((f) => `stdlib/${f}`)].filter((f) => f.endsWith('.nn')).sort();
  it.each(files)('%s: sorted, never overlapping, one line each, every name classified', (f) => {
    const text = readFileSync(join(ROOT, f), 'utf8');
    const { toks } = tokensOf(text, join(ROOT, f));
    let end = 0;
    for (const t of toks) {
      const s = text.slice(t.start, t.end);
      expect(t.start, `${s} at ${t.start}`).toBeGreaterThanOrEqual(end);
      expect(t.end).toBeGreaterThan(t.start);
      expect(s).not.toMatch(/[\r\n]/);
      end = t.end;
      // The text fits its class.
      if (t.type === 'comment') expect(s).toMatch(/^#/);
      else if (t.type === 'string') expect(s).toMatch(/^["']/);
      else if (t.type === 'number') expect(s).toMatch(/^[\d.]/);
      else if (t.type === 'keyword') expect(KEYWORD_WORDS).toContain(s);
      else if (t.type === 'operator') expect(s).toMatch(/^[-+*/%=<>!.]+$/);
      else expect(s).toMatch(/^[A-Za-z_]\w*$/);
    }
    // In these files every name is a declaration, parameter, tensor, layer, builtin, type or module.
    const named = new Set(toks.map((t) => t.start));
    const unnamed = nnLexer.tokenize(text).tokens.filter((t) => t.tokenType === Ident && !named.has(t.startOffset)).map((t) => `${t.image}@${t.startLine}`);
    expect(unnamed).toEqual([]);
  });

  it('stay sorted, apart and on one line each in broken texts (random edits of the examples)', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const bits = ['', '(', ')', '{', '}', '"', "'", '->', 'model ', ' x', '#', '\n', '=', ',', '12M'];
    const s = new LanguageService({ host: nodeHost() });
    for (const f of files) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      for (let k = 0; k < 4; k++) {
        const at = rnd(text.length);
        const t = text.slice(0, at) + bits[rnd(bits.length)]! + text.slice(at + rnd(12));
        s.set(join(ROOT, 'broken.nn'), t);
        let end = 0;
        for (const tok of semanticTokens(s.analyze(join(ROOT, 'broken.nn'))!)) {
          expect(tok.start, `${f} edit ${k}`).toBeGreaterThanOrEqual(end);
          expect(tok.end).toBeGreaterThan(tok.start);
          expect(t.slice(tok.start, tok.end)).not.toMatch(/[\r\n]/);
          end = tok.end;
        }
      }
    }
  });
});
