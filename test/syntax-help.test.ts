/**
 * Syntax errors around bodies say where the problem began (src/syntax/syntax-help.ts), and a declaration cut
 * short by one reports nothing that only follows from the cut (E0203 for a call left open, E0304 for a body
 * the parser closed early). The CLI's check and the editor's agree, positions of notes included.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import type { Diagnostic } from '../src/diagnostics/types.js';
import { memoryHost } from '../src/semantics/modules.js';
import { LanguageService } from '../src/service/index.js';

const stdlib = Object.fromEntries(readdirSync('stdlib').filter((f) => f.endsWith('.nn')).map((f) => [`stdlib/${f}`, readFileSync(`stdlib/${f}`, 'utf8')]));
const hostFor = (text: string) => memoryHost({ ...stdlib, 'main.nn': text });
const checkText = (text: string) => check({ path: 'main.nn', text, host: hostFor(text) });

const show = (d: Diagnostic) =>
  [`${d.code} ${d.span!.line}:${d.span!.col} ${d.message}`, ...(d.hint ? [`  help: ${d.hint}`] : []), ...d.notes.map((n) => `  note: ${n.message} @${n.span!.line}:${n.span!.col}`)].join('\n');

/** The diagnostics of `text` from the CLI's check, after checking the editor reports the same. */
function diagnostics(text: string): string[] {
  const cli = checkText(text).diagnostics.filter((d) => d.span?.file === 'main.nn').map(show);
  const s = new LanguageService({ host: hostFor(text) });
  s.set('main.nn', text, 1);
  s.analyze('main.nn');
  const editor = (s.diagnostics('main.nn').get('main.nn') ?? []).map(show);
  expect(editor).toEqual(cli);
  return cli;
}

const lib = 'block unit(x: Tensor, c: int) -> Tensor {\n  return x -> conv2d(c, 3, padding=1)\n}\n';

describe('syntax errors around bodies', () => {
  it("a statement after the body's '}': outside any body, with a note at that '}'", () => {
    const text = `${lib}model M(x: [N, 3, 8, 8]) {\n  h = x -> relu()\n  return h\n}\n  y = h -> relu()\n`;
    expect(diagnostics(text)).toEqual([
      "E0101 8:3 expected a declaration (const, from … import, block or model) (found 'y')\n  help: this statement is outside any body: the '}' before it ends the declaration; move the '}' below it\n  note: the body ends here @7:1",
    ]);
  });

  it("a body left open: a note at its '{', whether a declaration or the end of the file follows", () => {
    const open = `${lib}model M(x: [N, 3, 8, 8]) {\n  h = x -> relu()\n  return h\n`;
    expect(diagnostics(`${open}\nmodel K(x: [N, 3, 8, 8]) {\n  return x\n}\n`)).toEqual([
      "E0101 8:1 expected '}' (found 'model')\n  help: close the body with '}'\n  note: the body opened here is not closed @4:26",
    ]);
    expect(diagnostics(open)).toEqual(["E0101 7:1 expected '}' (found end of file)\n  help: close the body with '}'\n  note: the body opened here is not closed @4:26"]);
    // The innermost open one: the `if`'s, where the next declaration begins inside it.
    expect(diagnostics(`model M(x: [N, 3, 8, 8]) {\n  if true {\n    h = x\n\nmodel K(x: [N, 3, 8, 8]) {\n  return x\n}\n`)[0]).toContain('note: the body opened here is not closed @2:11');
  });

  it('an import inside a body: imports go at the top level; the body is read on (its return too), the import used', () => {
    const got = diagnostics('model M(x: [N, 3, 8, 8]) {\n  from std.resnet import basic_block\n  return x -> basic_block(3)\n}\n');
    expect(got).toEqual(["E0101 2:3 expected a statement (found 'from')\n  help: imports go at the top level of the file, outside any block or model: move this line above the declaration"]);
  });

  it("a misspelt 'model' or 'block': did you mean, with a fix", () => {
    const text = `${lib}mdoel M(x: [N, 3, 8, 8]) {\n  return x\n}\n`;
    expect(diagnostics(text)[0]).toBe("E0101 4:1 expected a declaration (const, from … import, block or model) (found 'mdoel')\n  help: did you mean 'model'?");
    const d = checkText(text).diagnostics.find((x) => x.code === 'E0101')!;
    const e = d.fixes![0]!.edits[0]!;
    const fixed = text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
    expect(checkText(fixed).diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    expect(diagnostics(`blcok unit(x: Tensor) -> Tensor {\n  return x\n}\n`)[0]).toContain("did you mean 'block'?");
  });
});

describe('no follow-on errors where a syntax error cut a declaration short', () => {
  it.each([
    ['a call left open at the end of the file', `${lib}model M(x: [N, 3, 8, 8]) {\n  h = x -> unit(`, "E0101 5:17 expected ')' after '(' (found end of file)"],
    ['an op call left open', 'model M(x: [N, 3, 8, 8]) {\n  h = x -> conv2d(', "E0101 2:19 expected ')' after '(' (found end of file)"],
    ['a call cut after an argument', 'model M(x: [N, 3, 8, 8]) {\n  h = x -> conv2d(8, 3\n', "E0101 2:22 expected ')' after '3' (found end of file)"],
  ])('%s: the syntax error alone (no E0203 arity, no E0304)', (_, text, want) => {
    expect(diagnostics(text)).toEqual([want]);
  });

  it('still reported where nothing cut them short', () => {
    const codes = (t: string) => checkText(t).diagnostics.map((d) => d.code).sort();
    expect(codes(`${lib}model M(x: [N, 3, 8, 8]) {\n  h = x -> unit()\n}\n`)).toEqual(['E0203', 'E0304']);
    // A syntax error in another declaration does not hide them.
    expect(codes(`${lib}model M(x: [N, 3, 8, 8]) {\n  h = x -> unit()\n}\nconst K = (\n`)).toEqual(['E0101', 'E0203', 'E0304']);
  });
});

describe('what the help does not claim (QA)', () => {
  it("a declaration inside a body that a '}' further down closes: declarations go at the top level, no note at a '{' that is closed", () => {
    for (const line of ['const K = 3', 'block inner(x: Tensor) -> Tensor {\n    return x\n  }']) {
      const got = diagnostics(`model M(x: [N, 3, 8, 8]) {\n  ${line}\n  h = x -> relu()\n  return h\n}\n`);
      // One error: the statements after it are read as the body's, as written.
      expect(got, line).toEqual([`E0101 2:3 expected a statement (found '${line.split(' ')[0]}')\n  help: declarations (const, block, model) go at the top level of the file, not inside a body`]);
    }
  });

  it('a keyword used as a name (model = x) is said to be one, once where it is written, and read as that name: the body goes on', () => {
    const kw = (at: string, word: string) => `E0101 ${at} expected a name (found '${word}')\n  help: '${word}' is a keyword: choose another name`;
    expect(diagnostics('model M(x: [N, 3, 8, 8]) {\n  model = x -> relu\n  return model\n}\n')).toEqual([kw('2:3', 'model'), kw('3:10', 'model')]);
    // The statements after it are checked (a mistake there is reported), and so is the value it names.
    expect(diagnostics('model M(x: [N, 3, 8, 8]) {\n  block = x -> relu\n  y = block -> relux\n  return y\n}\n')).toEqual([kw('2:3', 'block'), kw('3:7', 'block'), "E0200 3:16 unknown name 'relux'\n  help: did you mean 'relu'?"]);
    expect(diagnostics('model M(x: [N, 3, 8, 8]) {\n  const = 3\n  for = x -> conv2d(8, 3)\n  return x -> relux\n}\n')).toEqual([kw('2:3', 'const'), kw('3:3', 'for'), "E0200 4:15 unknown name 'relux'\n  help: did you mean 'relu'?"]);
    // Not also an unknown name where nothing assigned it.
    expect(diagnostics('model M(x: [N, 3, 8, 8]) {\n  return (x -> relu, model)\n}\n')).toEqual([kw('2:22', 'model')]);
  });

  it('a keyword before a name is not read as a name: a declaration pasted there, or two lines run together', () => {
    expect(diagnostics('model M(x: [N, 3, 8, 8]) {\n  y = x -> relu()model B(x: [N]) {\n  return x\n}\n').join('\n')).not.toMatch(/is a keyword/);
    // At the top level, `model =` is a model without its name.
    expect(diagnostics('model = 3\n')).toEqual(["E0101 1:7 expected a name (found '=')"]);
  });

  it('no keyword guess for a name that is not followed by one (block1 = …, modelM(…)), and a stray } says so', () => {
    const stray = diagnostics(`model M(x: [N, 3, 8, 8]) {\n  h = x -> relu()\n  return h\n}\n}\nmodel K(x: [N, 3, 8, 8]) {\n  return x\n}\n`);
    expect(stray[0]).toBe("E0101 5:1 expected a declaration (const, from … import, block or model) (found '}')\n  help: this '}' closes no '{': remove it");
    for (const t of ['model M(x: [N, 3, 8, 8]) {\n  h = x -> relu()\n}\n  block1 = h -> relu\n', 'modelM(x: [N, 3, 8, 8]) {\n  return x\n}\n']) {
      const d = checkText(t).diagnostics.find((x) => x.code === 'E0101')!;
      expect(d.hint ?? '', t).not.toMatch(/did you mean/);
      expect(d.fixes, t).toBeUndefined();
    }
  });

  it('a misspelt keyword alone at the end of a file (mid-typing) is still "expected a declaration"', () => {
    expect(diagnostics('model M(x: [N, 3, 8, 8]) {\n  return x\n}\nmdoel')[0]).toMatch(/^E0101 4:1 expected a declaration \(const, from … import, block or model\) \(found 'mdoel'\)/);
  });
});

describe('follow-on suppression stays where the cut is (QA)', () => {
  const codes = (t: string) => checkText(t).diagnostics.map((d) => d.code).sort();
  it("E0304 of the next declaration is reported when the one before is left open", () => {
    expect(codes('model A(x: [N, 3, 8, 8]) {\n  return x\n\nmodel B(x: [N, 3, 8, 8]) {\n  y = x -> relu\n}\n')).toEqual(['E0101', 'E0304']);
  });
  it('lexical errors (a bad number, a stray character) and a misspelt next declaration cut nothing short: E0304 stays', () => {
    expect(codes('model A(x: [N, 3, 8, 8]) {\n  y = x -> conv2d(8, 3x)\n}\n')).toEqual(['E0102', 'E0304']);
    expect(codes('model A(x: [N, 3, 8, 8]) {\n  y = x → relu\n}\n')).toEqual(['E0100', 'E0304']);
    expect(codes('model A(x: [N, 3, 8, 8]) {\n  y = x -> relu\n}\n\nmdoel B(x: [N, 3, 8, 8]) {\n  return x\n}\n')).toContain('E0304');
  });
  it("a syntax error inside an argument's own call does not hide the outer call's arity error", () => {
    const t = `${lib}model M(x: [N, 3, 8, 8]) {\n  h = x -> unit(8, 3, act=relu(1,,), 5)\n  return h\n}\n`;
    expect(codes(t)).toContain('E0101');
  });
});

describe('a declaration line pasted at column 0 inside a body (QA: the file was split there)', () => {
  const model = (line: string) => `${lib}model M(x: [N, 3, 8, 8]) {\n  h = x -> relu()\n${line}\n  y = h -> unit(K)\n  return y\n}\n`;
  it.each([
    ['an import', 'from std.resnet import basic_block', "E0101 6:1 expected a statement (found 'from')\n  help: imports go at the top level of the file, outside any block or model: move this line above the declaration"],
    ['a constant', 'const K = 3', "E0101 6:1 expected a statement (found 'const')\n  help: declarations (const, block, model) go at the top level of the file, not inside a body"],
  ])('%s: one error there, no note that the body is not closed, no stray }; what uses it is checked as if it were at the top level', (_, line, want) => {
    const text = model(line).replace('unit(K)', line.startsWith('from') ? 'basic_block(3)' : 'unit(K)');
    expect(diagnostics(text)).toEqual([want]);
  });

  it('several lines, and a block with its body: one error each, the rest of the body checked (a mistake after them is reported)', () => {
    const text = model('const K = 3\nfrom std.vgg import vgg_block\nblock inner(x: Tensor) -> Tensor {\n  return x\n}').replace('  return y\n', '  z = y -> inner -> vgg_block(8) -> relux\n  return y\n');
    expect(diagnostics(text)).toEqual([
      "E0101 6:1 expected a statement (found 'const')\n  help: declarations (const, block, model) go at the top level of the file, not inside a body",
      "E0101 7:1 expected a statement (found 'from')\n  help: imports go at the top level of the file, outside any block or model: move this line above the declaration",
      "E0101 8:1 expected a statement (found 'block')\n  help: declarations (const, block, model) go at the top level of the file, not inside a body",
      "E0200 12:37 unknown name 'relux'\n  help: did you mean 'relu'?",
    ]);
  });

  it("a '}' forgotten before the next model: that model is still a declaration of its own, checked on its own", () => {
    const text = `model A(x: [N, 3, 8, 8]) {\n  h = x -> relu()\n\nconst K = 3\nmodel B(x: [N, 3, 8, 8]) {\n  return x -> relux\n}\n`;
    expect(diagnostics(text)).toEqual([
      "E0101 4:1 expected '}' (found 'const')\n  help: close the body with '}'\n  note: the body opened here is not closed @1:26",
      "E0200 6:15 unknown name 'relux'\n  help: did you mean 'relu'?",
    ]);
  });
});

describe('an invalid number literal in a call (E0102): what does not depend on its value is still checked', () => {
  const call = (c: string) => `${lib}model M(x: [N, 3, 8, 8]) {\n  y = x -> ${c}\n  return y\n}\n`;
  const codes = (c: string) => diagnostics(call(c)).map((d) => d.split(' ')[0]!);
  it.each([
    // Too many arguments, and the type of another one.
    ['conv2d(1x, 3, 4, 5, 6, 7, 8, 9)', 'conv2d(1, 3, 4, 5, 6, 7, 8, 9)', ['E0203', 'E0300']],
    // An unknown keyword, one given twice, one missing.
    ['conv2d(1x, 3, foo=2)', 'conv2d(1, 3, foo=2)', ['E0202']],
    ['conv2d(1x, 3, kernel=3)', 'conv2d(1, 3, kernel=3)', ['E0204']],
    ['conv2d(kernel_size=1x)', 'conv2d(kernel_size=1)', ['E0203']],
    ['conv2d(1e999, 3, bias=5)', 'conv2d(1, 3, bias=5)', ['E0300']],
    // A block's arguments.
    ['unit(1x, 3)', 'unit(1, 3)', ['E0203']],
    ['unit(1x, d=3)', 'unit(1, d=3)', ['E0202']],
  ])('%s: as %s, with the E0102', (bad, good, want) => {
    expect(codes(good)).toEqual(want);
    expect(codes(bad)).toEqual(['E0102', ...want]);
  });

  it('not what depends on its value: groups must divide the channels (E0407), the block run with it', () => {
    expect(codes('conv2d(1, 3, 4, 5, 6, 7)')).toEqual(['E0407']);
    expect(codes('conv2d(1x, 3, 4, 5, 6, 7)')).toEqual(['E0102']);
    expect(codes('unit(1x)')).toEqual(['E0102']);
    // A parameter's default that cannot be read is not also of the wrong type.
    expect(diagnostics(`block b(x: Tensor, c: int = 1x) -> Tensor {\n  return x -> conv2d(c, 3)\n}\nmodel M(x: [N, 3, 8, 8]) {\n  return x -> b()\n}\n`).map((d) => d.split(' ')[0])).toEqual(['E0102']);
  });
});
