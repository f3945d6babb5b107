/**
 * One parse for the CLI and the editor: `parseByDecls` (what `dslc check` parses with) and the editor's
 * incremental parser give the same ASTs and syntax errors, for unfinished declarations too; a declaration
 * left unfinished is reported on its last line and does not swallow the declarations after it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import { nodeHost } from '../src/cli/host.js';
import { IncrementalParser } from '../src/service/incremental.js';
import { parseByDecls, splitDecls } from '../src/syntax/chunks.js';
import { parseSource } from '../src/syntax/parse.js';
import { formatText } from '../src/syntax/printer.js';
import { sourceFile } from '../src/syntax/source.js';
import { applyEdit, randomEdit } from './helpers/random-edits.js';

const ROOT = resolve(import.meta.dirname, '..');
const MODEL = 'model M(x: [N, 3, 8, 8]) {\n  return x -> relu\n}\n';
/** Declarations cut short, as they are while being typed. */
const HEADS = [
  'from std.resnet\n', 'from std.resnet import\n', 'from std.resnet import basic_block,\n', 'from std.resnet import basic_block as\n',
  'from\n', 'from std.\n', 'from "x\n', 'from "./a.nn" import\n',
  'const\n', 'const K\n', 'const K =\n', 'const K = 3 +\n', 'const K = (3\n', 'const K = [3,\n', 'const K = "a\n', 'const K = (\n\n\n',
  'block\n', 'block b\n', 'block b(\n', 'block b(x\n', 'block b(x: Tensor) ->\n', 'block b(x: Tensor) {\n', 'block b(x: Tensor) {\n  return x\n',
  'model\n', 'model A\n', 'model A(\n', 'model A(x: [N\n', 'model A(x: [N, 3]) where\n', 'model A(x: [N, 3]) {\n  y = x ->\n',
  '}\n', ')\n', '# c\n@\n', 'const K = 3; const L = 4\n', 'const K = 3 const L = 4\n',
];
const where = (ds: readonly { code: string; message: string; span?: { line: number; col: number } }[]) => ds.map((d) => `${d.code} ${d.span?.line}:${d.span?.col} ${d.message}`);

describe('the CLI and the editor parse alike', () => {
  for (const head of HEADS) {
    it(`${JSON.stringify(head)} before and after a model: the same errors; the model after it is still there`, () => {
      for (const text of [head + MODEL, MODEL + head, head + MODEL + head]) {
        const file = sourceFile('/m.nn', text);
        const cli = parseByDecls(file);
        const fresh = new IncrementalParser().parse(file);
        expect(where(fresh.diagnostics)).toEqual(where(cli.diagnostics));
        expect(fresh.result).toEqual(cli.result);
        // Typed character by character into the file (the editor's cached chunks and spliced statements).
        const p = new IncrementalParser();
        const at = text.indexOf(head);
        p.parse(sourceFile('/m.nn', text.slice(0, at) + text.slice(at + head.length)));
        for (let i = 1; i <= head.length; i++) p.parse(sourceFile('/m.nn', text.slice(0, at) + head.slice(0, i) + text.slice(at + head.length)));
        expect(where(p.parse(file).diagnostics)).toEqual(where(cli.diagnostics));
        expect(cli.result.decls.some((d) => d.kind === 'model' && d.name.text === 'M')).toBe(true);
      }
    });
  }

  it('an unfinished line is reported on it, saying what came next: the next declaration or the end of the file', () => {
    const errs = (text: string) => where(parseByDecls(sourceFile('/m.nn', text)).diagnostics);
    expect(errs(`const K =\n${MODEL}`)).toEqual(["E0101 1:9 expected an expression after '=' (found 'model' on the next line)"]);
    expect(errs(`const K = (\n\n\n${MODEL}`)).toEqual(["E0101 1:11 expected ')' after '(' (found 'model' on a later line)"]);
    expect(errs(`${MODEL}const K =\n`)).toEqual(["E0101 4:9 expected an expression after '=' (found end of file)"]);
    // One error for a declaration cut short, not a cascade through the model after it.
    expect(errs(`const\n${MODEL}`)).toEqual(["E0101 1:1 expected a name after 'const' (found 'model' on the next line)"]);
    // A body left open: its `}` is missing where the next declaration starts.
    expect(errs(`model A(x: [N, 3]) {\n  y = x\n${MODEL}`)).toEqual(["E0101 3:1 expected '}' (found 'model')"]);
  });

  it('what came next is found past comment lines of any length, whole (not cut by a window)', () => {
    for (let n = 40; n <= 70; n++) for (const more of ['', '# more\n']) {
      const text = `const K =\n# ${'x'.repeat(n)}\n${more}${MODEL}`;
      expect(where(parseByDecls(sourceFile('/m.nn', text)).diagnostics)).toEqual(["E0101 1:9 expected an expression after '=' (found 'model' on a later line)"]);
      expect(where(new IncrementalParser().parse(sourceFile('/m.nn', text)).diagnostics)).toEqual(where(parseByDecls(sourceFile('/m.nn', text)).diagnostics));
    }
  });

  it('as for the whole file: at most 50 lexing and 50 syntax errors; one E0105 for a file not in UTF-8; E0104 stops', () => {
    const parses = (text: string) => [parseByDecls(sourceFile('/m.nn', text)), new IncrementalParser().parse(sourceFile('/m.nn', text))];
    const count = (ds: readonly { code: string }[], code: string) => ds.filter((d) => d.code === code).length;
    const dollars = Array.from({ length: 5 }, (_, i) => `model M${i}(x: [N, 4]) {\n${'  y = x $ 1\n'.repeat(40)}  return x\n}\n`).join('\n');
    const unfinished = Array.from({ length: 300 }, (_, i) => `const K${i} =\n`).join('');
    for (const r of parses(dollars)) expect(count(r.diagnostics, 'E0100')).toBe(50);
    for (const r of parses(unfinished)) expect(count(r.diagnostics, 'E0101')).toBe(50);
    const latin = Array.from({ length: 4 }, (_, i) => `# caf\ufffd ${i}\nmodel M${i}(x: [N, 4]) {\n  return x\n}\n`).join('');
    for (const r of parses(latin)) expect(r.diagnostics.map((d) => d.code)).toEqual(['E0105']);
    const deep = `const A = ${'('.repeat(120)}1${')'.repeat(120)}\n\nconst B = ${'('.repeat(120)}1${')'.repeat(120)}\n\n${MODEL}`;
    for (const r of parses(deep)) {
      expect(r.diagnostics.map((d) => d.code)).toEqual(['E0104']);
      expect(r.result.decls).toEqual([]);
    }
  });

  it('dslc fmt refuses a file that does not parse with the errors check reports', () => {
    for (const head of HEADS) {
      const text = head + MODEL;
      expect(where(formatText(text, '/m.nn').diagnostics)).toEqual(where(parseByDecls(sourceFile('/m.nn', text)).diagnostics));
    }
  });

  it('`dslc check` reports them so (and checks the model after an unfinished declaration)', () => {
    const r = check({ path: join(ROOT, 'examples', '__cut.nn'), text: `const K =\n${MODEL.replace('relu', 'relux')}`, host: nodeHost() });
    expect(where(r.diagnostics)).toEqual(["E0101 1:9 expected an expression after '=' (found 'model' on the next line)", "E0200 3:15 unknown name 'relux'"]);
  });

  const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nn')).slice(0, 6).map((f) => readFileSync(join(ROOT, 'examples', f), 'utf8'));
  const piece = fc.constantFrom('x', '(', ')', ',', '\n', '=', '->', '{', '}', '\nconst K =', '\nmodel', '\nblock b(', '\nfrom std.', '#', ' ');
  it('random edits anywhere in real files: the editor parses as the CLI does', () => {
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.array(randomEdit(piece, 3), { minLength: 1, maxLength: 5 }), (base, seq) => {
        const p = new IncrementalParser();
        let text = base;
        p.parse(sourceFile('/m.nn', text));
        for (const e of seq) {
          // (A header no declaration has: the edit goes anywhere, headers and imports included.)
          text = applyEdit(text, e, 'no_such_header');
          const got = p.parse(sourceFile('/m.nn', text));
          const cli = parseByDecls(sourceFile('/m.nn', text));
          expect(got.diagnostics).toEqual(cli.diagnostics);
          expect(got.result).toEqual(cli.result);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 40), seed: Number(process.env.FUZZ_SEED ?? 11) },
    );
  });
});

describe('a declaration line at column 0 inside a body', () => {
  const A = 'model A(x: [N, 3, 8, 8]) {\n  h = x -> relu\n';
  const REST = '  return h\n}\n';
  /** Lines pasted into A's body (at column 0), and the errors of the file. */
  const PASTED: [string, string[]][] = [
    ['from std.resnet import basic_block\n', ["E0101 3:1 expected a statement (found 'from')"]],
    ['from "./x.nn" import a\n', ["E0101 3:1 expected a statement (found 'from')"]],
    ['const K = 3\n', ["E0101 3:1 expected a statement (found 'const')"]],
    ['# why\nconst K = 3\nconst L = 4\n', ["E0101 4:1 expected a statement (found 'const')", "E0101 5:1 expected a statement (found 'const')"]],
    ['const K = 3\nblock b(x: Tensor) -> Tensor {\n  return x\n}\n', ["E0101 3:1 expected a statement (found 'const')", "E0101 4:1 expected a statement (found 'block')"]],
    ['model B(x: [N, 3]) {\n  return x\n}\n', ["E0101 3:1 expected a statement (found 'model')"]],
  ];
  const parses = (text: string) => {
    const file = sourceFile('/m.nn', text);
    return { cli: parseByDecls(file), whole: parseSource(file), editor: new IncrementalParser().parse(file) };
  };

  it('pasted where a later } closes the body: the file is not split there; one error a line; the body read on; the CLI, the whole file and the editor agree (typed character by character too)', () => {
    for (const [line, want] of PASTED) {
      const text = A + line + REST + MODEL;
      expect(splitDecls(text), line).toEqual([0, text.indexOf(MODEL)]);
      const { cli, whole, editor } = parses(text);
      expect(where(cli.diagnostics), line).toEqual(want);
      expect(where(whole.diagnostics), line).toEqual(want);
      expect(editor).toEqual(cli);
      const a = cli.result.decls.find((d) => d.kind === 'model' && d.name.text === 'A');
      expect(a?.kind === 'model' && a.body.map((st) => st.kind), line).toEqual(['assign', 'return']);
      const p = new IncrementalParser();
      for (let i = 0; i <= line.length; i++) p.parse(sourceFile('/m.nn', A + line.slice(0, i) + REST + MODEL));
      expect(where(p.parse(sourceFile('/m.nn', text)).diagnostics), line).toEqual(want);
    }
  });

  it("a '}' forgotten: the next declaration at column 0 starts a piece of its own (a constant too), even with a stray '}' further down", () => {
    const B = 'model B(x: [N, 3, 8, 8]) {\n  return x\n}\n';
    const C = B.replace('B', 'C');
    for (const text of [`${A}\n${B}`, `${A}const K = 3\n${B}`, `${A}${B}${C}`, `${A}const K = 3\n${B}${C}}\n`]) {
      const starts = splitDecls(text);
      expect(starts, text).toContain(text.indexOf('model B'));
      if (text.includes('const')) expect(starts, text).toContain(text.indexOf('const'));
      const { cli, whole, editor } = parses(text);
      const first = text.includes('const') ? 'const' : 'model';
      expect(where(cli.diagnostics)[0], text).toBe(`E0101 ${text.slice(0, text.indexOf(`\n${first} `) + 1).split('\n').length}:1 expected '}' (found '${first}')`);
      expect(where(whole.diagnostics), text).toEqual(where(cli.diagnostics));
      expect(editor).toEqual(cli);
      expect(cli.result.decls.some((d) => d.kind === 'model' && d.name.text === 'B'), text).toBe(true);
    }
  });

  it('a keyword as a name (model = h), at column 0 too: one error, read as that name; the CLI, the whole file and the editor agree (typed character by character too)', () => {
    for (const line of ['model = h\n', '  block = h -> relu\n', '  y = (h, model)\n']) {
      const text = A + line + REST + MODEL;
      const word = /model|block/.exec(line)![0];
      const col = line.indexOf(word) + 1;
      expect(splitDecls(text), line).toEqual([0, text.indexOf(MODEL)]);
      const { cli, whole, editor } = parses(text);
      expect(where(cli.diagnostics), line).toEqual([`E0101 3:${col} expected a name (found '${word}')`]);
      expect(where(whole.diagnostics), line).toEqual(where(cli.diagnostics));
      expect(editor).toEqual(cli);
      const a = cli.result.decls.find((d) => d.kind === 'model' && d.name.text === 'A');
      expect(a?.kind === 'model' && a.body.map((st) => st.kind), line).toEqual(['assign', 'assign', 'return']);
      const p = new IncrementalParser();
      for (let i = 0; i <= line.length; i++) p.parse(sourceFile('/m.nn', A + line.slice(0, i) + REST + MODEL));
      expect(where(p.parse(sourceFile('/m.nn', text)).diagnostics), line).toEqual(where(cli.diagnostics));
    }
  });

  it('braces in comments and strings are not counted', () => {
    const text = `${A}  s = "{"  # {\nconst K = 3\n${REST}`;
    expect(splitDecls(text)).toEqual([0]);
    expect(splitDecls(`${A}  s = "}"  # }\n\nmodel B(x: [N]) {\n}\n`)).toHaveLength(2);
  });
});

describe('line endings', () => {
  it('a file with lone \\r line endings is split at its declarations as one with \\n or \\r\\n (it was one piece)', () => {
    const text = '# a\nblock a(x: Tensor) -> Tensor {\n  return x\n}\n\n# b\nmodel B(x: [N, 3, 8, 8]) {\n  return x -> a\n}\nconst C = 1\n';
    const lf = splitDecls(text);
    expect(lf).toHaveLength(3);
    for (const eol of ['\r', '\r\n']) {
      const other = text.replace(/\n/g, eol);
      // The same starts, moved by the longer line breaks before them.
      expect(splitDecls(other), JSON.stringify(eol)).toEqual(lf.map((at) => at + (eol.length - 1) * (text.slice(0, at).match(/\n/g)?.length ?? 0)));
    }
  });
});
