/**
 * The formatter (`formatText`, src/syntax/printer.ts): on every example, stdlib module and docs example,
 * and on generated programs, its output parses to the same AST (positions aside), keeps every comment,
 * and formatting it again changes nothing. Plus the house style on small cases.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { astEqual, stripPositions } from '../src/syntax/ast-equal.js';
import { LIMITS } from '../src/syntax/parse.js';
import { formatText } from '../src/syntax/printer.js';
import { commentTexts, docs, parse } from './helpers/fmt-props.js';

const ROOT = join(import.meta.dirname, '..');

function fmt(text: string): string {
  const r = formatText(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(r.result, 'the formatter gave no result').toBeDefined();
  return r.result!;
}

/** Same AST, same comments (and docs), idempotent. */
function expectSound(text: string): string {
  const out = fmt(text);
  expect(parse(out).diagnostics).toEqual([]);
  expect(stripPositions(parse(out).result.decls)).toEqual(stripPositions(parse(text).result.decls));
  expect(commentTexts(out)).toEqual(commentTexts(text));
  expect(fmt(out)).toBe(out);
  return out;
}

const files = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.nn'))
    .map((f) => `${dir}/${f}`);

describe('the repository', () => {
  for (const f of [...files('examples'), ...files('stdlib')]) {
    it(`${f}: same AST, every comment and doc kept, idempotent, within 100 columns where possible`, () => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      const out = expectSound(text);
      expect(docs(out)).toEqual(docs(text));
      for (const l of out.split('\n')) {
        expect(l).not.toMatch(/\s$/);
        // Only a line holding a trailing comment, or a single unbreakable item, may be longer.
        if (l.length > 100) expect(l.includes('#') || !/,\s/.test(l.replace(/"[^"]*"/g, '')), l).toBe(true);
      }
    });
  }
  const doc = readFileSync(join(ROOT, 'docs/language.md'), 'utf8');
  const examples = [...doc.matchAll(/```nn\n([\s\S]*?)```/g)].map((m) => m[1]!);
  it('has docs examples', () => expect(examples.length).toBeGreaterThan(5));
  examples.forEach((text, i) => {
    it(`docs/language.md example ${i + 1}`, () => {
      expectSound(text);
    });
  });
});

describe('house style', () => {
  it('normalises spacing and indentation', () => {
    expect(fmt('model  M( x :[N,3 ,8,8] )->( y:[N, 3, 8, 8] ){\ny=x->relu;return y}')).toBe(
      'model M(x: [N, 3, 8, 8]) -> (y: [N, 3, 8, 8]) {\n  y = x -> relu\n  return y\n}\n',
    );
  });

  it('breaks a long chain before each ->, keeping the first step on the first line', () => {
    const steps = Array.from({ length: 8 }, (_, i) => `conv2d(${64 + i}, 3, padding=1, name="layer_${i}")`);
    const out = fmt(`model M(x: [N, 3, 8, 8]) {\n  y = x -> ${steps.join(' -> ')}\n  return y\n}\n`);
    expect(out).toBe(`model M(x: [N, 3, 8, 8]) {\n  y = x -> ${steps[0]}\n${steps.slice(1).map((s) => `    -> ${s}\n`).join('')}  return y\n}\n`);
  });

  it('breaks long lists one item per line with a trailing comma', () => {
    const params = Array.from({ length: 9 }, (_, i) => `argument_${i}: int = ${i}`);
    const out = fmt(`block b(x: Tensor, ${params.join(', ')}) -> Tensor {\n  return x\n}\n`);
    expect(out).toBe(`block b(\n  x: Tensor,\n${params.map((p) => `  ${p},\n`).join('')}) -> Tensor {\n  return x\n}\n`);
    // A short list stays on one line and loses its trailing comma.
    expect(fmt('const a = [1, 2, 3,]\n')).toBe('const a = [1, 2, 3]\n');
    expect(fmt('const a = (1,)\n')).toBe('const a = (1,)\n');
  });

  it('breaks long where clauses one constraint per line, indented twice', () => {
    const cs = Array.from({ length: 8 }, (_, i) => `S${i} % 32 == 0`);
    expect(fmt(`model M(x: [N, S0]) where ${cs.join(', ')} {\n  return x\n}\n`)).toBe(`model M(x: [N, S0]) where\n${cs.map((c) => `    ${c}`).join(',\n')} {\n  return x\n}\n`);
  });

  it('keeps comments inside a where clause in it, not above the model as its documentation', () => {
    const qa = 'model M(x: [N, 3, H, W]) where H % 4 == 0, # comment in where\n    W == 32 {\n  return x\n}\n';
    expect(expectSound(qa)).toBe('model M(x: [N, 3, H, W]) where\n    H % 4 == 0,  # comment in where\n    W == 32 {\n  return x\n}\n');
    const own = '# doc\nmodel B(x: [N, 3, H, W]) where # first\n  # before H\n  H % 4 == 0,\n  # before W\n  W == 32 # after last\n{\n  return x\n}\n';
    expect(expectSound(own)).toBe('# doc\nmodel B(x: [N, 3, H, W]) where\n    # first\n    # before H\n    H % 4 == 0,\n    # before W\n    W == 32 {  # after last\n  return x\n}\n');
    expect(docs(fmt(qa))).toEqual([undefined]);
    expect(docs(fmt(own))).toEqual(['doc']);
  });

  it('puts one blank line around blocks and models, keeps at most one elsewhere', () => {
    const out = fmt('const a = 1\nconst b = 2\n\n\n\nconst c = 3\nblock f(x) {\n  y = x\n\n\n  return y\n}\nmodel M(x: [N]) {\n  return x -> f\n}');
    expect(out).toBe('const a = 1\nconst b = 2\n\nconst c = 3\n\nblock f(x) {\n  y = x\n\n  return y\n}\n\nmodel M(x: [N]) {\n  return x -> f\n}\n');
  });

  it('keeps comments where they were: leading, trailing, inside lists and chains, at the end of bodies', () => {
    const src = [
      '# header',
      '',
      '# doc of f',
      'block f(x,   # the input',
      '        c: int) {',
      '  # leading',
      '  y = x -> conv2d(c, 3)   # trailing',
      '        # before relu',
      '        -> relu',
      '  return y',
      '  # at the end',
      '}',
      '# the end',
      '',
    ].join('\n');
    expect(expectSound(src)).toBe(
      [
        '# header',
        '',
        '# doc of f',
        'block f(',
        '  x,  # the input',
        '  c: int,',
        ') {',
        '  # leading',
        '  y = x -> conv2d(c, 3)  # trailing',
        '    # before relu',
        '    -> relu',
        '  return y',
        '  # at the end',
        '}',
        '',
        '# the end',
        '',
      ].join('\n'),
    );
  });

  it('keeps comments in odd places: after braces, between } and else, in headers, empty lists, CRLF files', () => {
    const odd = [
      'model M(x: [N]) { # after brace\n  if true { # c1\n    y = 1\n  } # between\n  else { # c2\n  }\n  return x # end\n} # after model\n',
      'from std.resnet import basic_block, # c\n  bottleneck as bn\nconst a = [\n  1, # one\n  # two\n  2,\n  # dangling\n]\n',
      'model M(x: [N]) -> ( # outs\n  y: [N], # y\n) where N % 2 == 0, # w\n  N == 4 {\n  return x[ # idx\n  0]\n}\n',
      '\ufeff# bom\r\nconst a = 1 # c\r\n\r\n\r\nconst b = f(1,\r\n  2) # d\r\n',
      'block f(x) {\n  return x -> # first\n    relu -> # second\n    relu\n}\n',
    ];
    for (const t of odd) expectSound(t);
    expect(expectSound('const b = f( # only\n)\n')).toBe('const b = f(\n  # only\n)\n');
    // The file's line ending is kept (its first one): CRLF stays CRLF, LF stays LF.
    expect(expectSound('\ufeff# bom\r\nconst a = 1 # c\r\n')).toBe('# bom\r\nconst a = 1  # c\r\n');
    expect(expectSound('# lf\nconst a = 1 # c\r\n')).toBe('# lf\nconst a = 1  # c\n');
  });

  it('keeps comments it cannot place inside an expression, above the statement', () => {
    const out = expectSound('const a = (1 +   # one\n  2) * 3\n');
    expect(out).toBe('# one\nconst a = (1 + 2) * 3\n');
  });

  it('adds parentheses where precedence needs them, keeps the author\'s, drops none that matter', () => {
    expect(fmt('const a = (1 + 2) * 3 - (4 - 5) + 2 ** (3 ** 2) + (2 ** 3) ** 2 + (-2) ** 2 + 2 ** -1\n')).toBe(
      'const a = (1 + 2) * 3 - (4 - 5) + 2 ** (3 ** 2) + (2 ** 3) ** 2 + (-2) ** 2 + 2 ** -1\n',
    );
    expect(fmt('const a = not (a == b)\nconst b = (a < b) == c\nconst c = -(x ** 2)\n')).toBe('const a = not (a == b)\nconst b = (a < b) == c\nconst c = -(x ** 2)\n');
    expect(fmt('const r = (0..3)\n')).toBe('const r = 0..3\n');
  });

  it('ends a statement with ; when the next one starts with -', () => {
    const src = 'model M(x: [N]) {\n  y = x;\n  -1 -> f\n  return y\n}\n';
    const out = expectSound(src);
    expect(out).toBe('model M(x: [N]) {\n  y = x;\n  -1 -> f\n  return y\n}\n');
  });

  it('keeps else-if chains and else blocks as written', () => {
    const src = 'block f(x) {\n  if a { y = 1 } else if b { y = 2 } else { if c { y = 3 } }\n  return x\n}\n';
    expect(expectSound(src)).toBe(
      'block f(x) {\n  if a {\n    y = 1\n  } else if b {\n    y = 2\n  } else {\n    if c {\n      y = 3\n    }\n  }\n  return x\n}\n',
    );
  });

  it('keeps strings as written', () => {
    expect(fmt(`model M(x: [N]) {\n  assert true, 'it\\'s "fine"'\n  return x -> relu(name="a\\tb")\n}\n`)).toContain(`assert true, 'it\\'s "fine"'`);
  });

  it('its safety check tells programs apart by their ASTs, not their spacing', () => {
    const decls = (t: string) => parse(t).result.decls;
    expect(astEqual(decls('const a = 1 + 2 * 3'), decls('const  a=1+2*(3)  # c'))).toBe(true);
    expect(astEqual(decls('const a = 1 + 2 * 3'), decls('const a = (1 + 2) * 3'))).toBe(false);
    expect(astEqual(decls('const a = f(x, k=1)'), decls('const a = f(x, 1)'))).toBe(false);
    expect(astEqual(decls('const a = "x"'), decls("const a = 'x'"))).toBe(true);
    expect(astEqual(decls('const a = (1,)'), decls('const a = (1)'))).toBe(false);
    expect(astEqual(decls('model M(x: [N]) { return x }'), decls('model M(x: [N]) { return x; x }'))).toBe(false);
  });

  it('formats input near the parser\'s nesting limits', () => {
    const deep = LIMITS.maxDepth - 2;
    expectSound(`const a = ${'('.repeat(deep)}1${')'.repeat(deep)}\n`);
    expectSound(`const b = ${'['.repeat(deep)}1${']'.repeat(deep)}\n`);
    expectSound(`const e = 1${' + 1'.repeat(LIMITS.maxExprDepth - 10)}\n`);
    const elifs = Array.from({ length: LIMITS.maxDepth - 10 }, (_, i) => ` else if a${i} { y = ${i} }`).join('');
    expectSound(`block f(x) {\n  if a { y = 1 }${elifs} else { y = 0 }\n  return x\n}\n`);
  });

  it('does not format a file with syntax errors', () => {
    const r = formatText('model M(x: [N]) {\n  y = x ->\n}\n', 'bad.nn');
    expect(r.result).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toContain('E0101');
    expect(r.diagnostics[0]!.span?.file).toBe('bad.nn');
  });

  it('formats an empty file and a comment-only file', () => {
    expect(fmt('')).toBe('');
    expect(fmt('\n\n  # just a note   \n\n')).toBe('# just a note\n');
  });
});

// ---- generated programs ------------------------------------------------------------------------------

/** Source texts of expressions, with random spacing and parentheses (so not in the house style). */
const sp = fc.constantFrom('', ' ', '  ');
const atom = fc.oneof(
  fc.constantFrom('x', 'y', 'N', 'H', 'true', 'false', 'none', '"s"', "'t'"),
  fc.integer({ min: 0, max: 5000 }).map(String),
  fc.constantFrom('0.5', '1e-3', '12M', '1_000', '.5'),
);
const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '//', '%', '**', '+', '*', '-', 'and', 'or', '==', '<'), tie('expr'), sp).map(([a, op, b, s]) => `${a}${s} ${op} ${s}${b}`),
    tie('expr').map((a) => `(${a})`),
    tie('expr').map((a) => `-${a}`),
    tie('expr').map((a) => `not ${a}`),
    fc.tuple(tie('expr'), sp).map(([a, s]) => `(${a})${s}->${s}relu`),
    fc.tuple(fc.array(tie('expr'), { maxLength: 4 }), fc.boolean()).map(([xs, t]) => `f(${xs.join(', ')}${t && xs.length ? ',' : ''})`),
    fc.tuple(fc.array(tie('expr'), { maxLength: 4 }), fc.boolean()).map(([xs, t]) => `[${xs.join(',\n ')}${t && xs.length ? ',' : ''}]`),
    fc.array(tie('expr'), { maxLength: 3 }).map((xs) => `(${xs.join(', ')}${xs.length === 1 ? ',' : ''})`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a})..(${b})`),
    tie('expr').map((a) => `(${a}).shape[0]`),
    fc.tuple(tie('expr'), fc.array(fc.constantFrom('relu', 'conv2d(8, 3, padding=1)', 'dense(10)', 'layers[0]'), { minLength: 1, maxLength: 12 })).map(([a, s]) => `(${a}) -> ${s.join('\n    -> ')}`),
  ),
}));
const comment = fc.constantFrom('', '', '  # note', ' #', '\n# own line\n');
const stmt = fc.letrec<{ stmt: string }>((tie) => ({
  stmt: fc.oneof(
    { depthSize: 'small' },
    fc.tuple(expr, comment).map(([e, c]) => `a = ${e}${c}`),
    fc.tuple(expr, comment).map(([e, c]) => `${e};${c}`),
    fc.tuple(expr, comment).map(([e, c]) => `assert ${e}, "msg"${c}`),
    fc.tuple(expr, fc.array(tie('stmt'), { maxLength: 3 }), fc.array(tie('stmt'), { maxLength: 2 })).map(([e, a, b]) => `if ${e} {\n${a.join('\n')}\n} else {${b.join('\n')}}`),
    fc.tuple(expr, fc.array(tie('stmt'), { maxLength: 3 })).map(([e, a]) => `for i in ${e} { ${a.join('\n')} }`),
    fc.tuple(expr, fc.array(tie('stmt'), { maxLength: 3 })).map(([e, a]) => `repeat ${e} {\n\n${a.join('\n\n')}\n}`),
    fc.array(tie('stmt'), { maxLength: 3 }).map((a) => `frozen {${a.join('\n')}}`),
  ),
})).stmt;
const program = fc.tuple(fc.array(stmt, { maxLength: 6 }), fc.array(expr, { minLength: 1, maxLength: 3 }), comment, expr).map(
  ([body, rets, c, k]) => `# top${c}\nconst K = ${k}${c}\nmodel M(x: [N, 3, H, W]) -> Tensor where H % 2 == 0 {\n${body.join('\n')}\n  return ${rets.join(', ')}${c}\n}${c}\n`,
);

/** Declarations with every header form: imports, typed and defaulted parameters, outputs, where clauses. */
const ident = fc.constantFrom('a', 'b', 'channels', 'kernel_size', 'x', 'very_long_parameter_name_for_wrapping');
const typ = fc.oneof(fc.constantFrom('int', 'Tensor', 'float', 'layer', '[N, C, H, W]', 'int64[N, T]', '[N, 3 * 4, H // 2, W]'), fc.array(expr, { minLength: 1, maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`));
const param = fc.tuple(ident, fc.option(typ), fc.option(expr), comment).map(([n, t, d, c]) => `${n}${t === null ? '' : `: ${t}`}${d === null ? '' : ` = ${d}`},${c.includes('own') ? '' : c}\n`);
const decl = fc.oneof(
  fc.tuple(fc.array(ident, { minLength: 1, maxLength: 12 }), fc.boolean()).map(([items, q]) => `from ${q ? '"./lib.nn"' : 'std.resnet'} import ${items.map((it, i) => (i % 3 === 2 ? `${it} as alias_${i}` : it)).join(', ')}`),
  fc.tuple(ident, expr).map(([n, e]) => `const ${n.toUpperCase()} = ${e}`),
  fc.tuple(ident, fc.array(param, { maxLength: 8 }), fc.option(fc.array(fc.tuple(fc.option(ident), typ), { minLength: 1, maxLength: 3 })), fc.array(stmt, { maxLength: 3 })).map(
    ([n, ps, outs, body]) =>
      `block ${n}(x,\n${ps.join('')}) ${outs === null ? '' : `-> (${outs.map(([o, t]) => (o === null ? t : `${o}: ${t}`)).join(', ')}) `}{\n${body.join('\n')}\n  return x\n}`,
  ),
  fc.tuple(ident, fc.array(expr, { maxLength: 3 }), fc.array(stmt, { maxLength: 2 })).map(
    ([n, where, body]) => `model ${n.toUpperCase()}(x: [N, 3, H, W], y: int64[N, T]) -> [N, 10]${where.length ? ` where ${where.join(', ')}` : ''} {\n${body.join('\n')}\n  return x\n}`,
  ),
);

describe('generated programs', () => {
  it('declarations of every form format soundly', () => {
    let formatted = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(decl, comment), { minLength: 1, maxLength: 5 }), (ds) => {
        const text = ds.map(([d, c]) => `${d}${c}`).join('\n');
        if (parse(text).diagnostics.some((d) => d.severity === 'error')) return;
        expectSound(text);
        formatted++;
      }),
      { numRuns: 200 },
    );
    expect(formatted).toBeGreaterThan(50);
  });

  it('parse to the same AST after formatting, keep their comments, and format idempotently', () => {
    let formatted = 0;
    fc.assert(
      fc.property(program, (text) => {
        // Generated texts that do not parse (a `-` line continuing the one before, say) are not formatted.
        if (parse(text).diagnostics.some((d) => d.severity === 'error')) {
          expect(formatText(text).result).toBeUndefined();
          return;
        }
        expectSound(text);
        formatted++;
      }),
      { numRuns: 300 },
    );
    // A good share of the generated programs is valid: the property is not vacuous.
    expect(formatted).toBeGreaterThan(100);
  });

  it('mutated examples (re-spaced, comments added at line ends) stay sound', () => {
    const texts = [...files('examples'), ...files('stdlib')].map((f) => readFileSync(join(ROOT, f), 'utf8'));
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.array(fc.tuple(fc.nat(), fc.constantFrom('  ', '', ' # c', '\t')), { maxLength: 20 }), (text, muts) => {
        const lines = text.split('\n');
        for (const [at, what] of muts) {
          const i = at % lines.length;
          // Only at ends of lines outside comments and strings: the program's meaning stays.
          if (!lines[i]!.includes('#') && !/["']/.test(lines[i]!)) lines[i] = lines[i]! + what;
          // A tab for the indent of a line that starts a statement or a comment, or continues a chain (not of an
          // argument on a line of its own, `    name="conv",`: left of its statement, it would start a new one).
          else if (what === '\t' && (/^ {0,2}\S/.test(lines[i]!) || /^\s*(#|->)/.test(lines[i]!))) lines[i] = `\t${lines[i]!.trimStart()}`;
        }
        expectSound(lines.join('\n'));
      }),
      { numRuns: 60 },
    );
  });
});
