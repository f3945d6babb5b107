/**
 * Statement-level re-parsing (src/service/splice.ts, `spliceStatements`): typing inside a block or model
 * re-parses only the statements the edit touches. Property: along random edit sequences over real files,
 * the editor's parser gives exactly what parsing every declaration afresh gives (ASTs with all offsets,
 * comments, diagnostics), while most edits inside bodies take the short path.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { movedFrom } from '../src/service/ast-shift.js';
import { IncrementalParser } from '../src/service/incremental.js';
import type { ModelDecl, Module } from '../src/syntax/ast.js';
import { parseSource } from '../src/syntax/parse.js';
import { sourceFile } from '../src/syntax/source.js';
// @ts-expect-error: a plain ES module without type declarations
import { generateModel } from '../bench/lsp-gen.mjs';
import { applyEdit, randomEdit } from './helpers/random-edits.js';

const ROOT = resolve(import.meta.dirname, '..');
const bodyOf = (r: { result: Module }) => (r.result.decls.find((d) => d.kind === 'model') as ModelDecl).body;
const files: { name: string; text: string; minShare?: number }[] = [
  ...readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nn')).map((f) => ({ name: f, text: readFileSync(join(ROOT, 'examples', f), 'utf8') })),
  { name: 'generated single model', text: generateModel(120, 'single') },
  // Braces that are not the body's: in a string default, in comments, in a nested if.
  {
    name: 'braces in strings and comments',
    // (Edits often land in the headers here, where the whole declaration is parsed: fewer short paths.)
    minShare: 1 / 100,
    text: 'block b(x: Tensor, mode: string = "{", k: int = 3) -> Tensor { # a { comment\n  y = x -> conv2d(8, k, padding=1) # }\n  if mode == "{" {\n    y = y -> relu()\n  }\n  return y\n}\n\nmodel M(x: [N, 3, 8, 8]) { # {\n  h = x -> b()\n  h = h -> b(mode="}")\n  return h\n}\n',
  },
];

/** Pieces people type: mostly letters, digits, comments, line breaks and whole lines; sometimes stray brackets. */
const piece = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('x', 'h', '2', '1', '64', ' ', '\n', ' # note', '  y = x -> relu()\n', '\n  z = x\n') },
  { weight: 1, arbitrary: fc.constantFrom('(', ')', ',', '-> relu()', 'conv2d(8, 3)', '=', '[', ']', '.shape', '-', 'if', '}', '{', '"s"') },
);
const edit = randomEdit(piece, 4);

describe('statement-level re-parsing', () => {
  for (const f of files) {
    it(`${f.name}: random edit sequences parse exactly as afresh, mostly by re-parsing only the touched statements`, () => {
      let spliced = 0;
      let edits = 0;
      let rejoined = 0;
      fc.assert(
        fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), (seq) => {
          const p = new IncrementalParser();
          let text = f.text;
          p.parse(sourceFile('/m.nn', text));
          for (const e of seq) {
            text = applyEdit(text, e, 'model|block');
            const before = p.splices;
            const rejoins = p.rejoins;
            const got = p.parse(sourceFile('/m.nn', text));
            spliced += p.splices - before;
            rejoined += p.rejoins - rejoins;
            edits++;
            const fresh = new IncrementalParser().parse(sourceFile('/m.nn', text));
            expect(got.result).toEqual(fresh.result);
            expect(got.diagnostics).toEqual(fresh.diagnostics);
          }
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 40), seed: Number(process.env.FUZZ_SEED ?? 7) },
      );
      // The short path is taken for a good share of the edits (the others fail the checks and parse whole).
      expect(spliced).toBeGreaterThan(edits * (f.minShare ?? 1 / 20));
      // (The big model has room after most edits for the parse after a syntax error to rejoin the old one.)
      if (f.name.startsWith('generated')) expect(rejoined).toBeGreaterThan(0);
    });
  }

  it('typing into one statement of a big model re-parses that statement, and the result equals the full parse', () => {
    let text = generateModel(2000, 'single');
    const p = new IncrementalParser();
    p.parse(sourceFile('/big.nn', text));
    const at = text.indexOf('conv2d(16', Math.floor(text.length * 0.6)) + 'conv2d(16'.length;
    for (const ch of ['0', '0', '1']) {
      text = `${text.slice(0, at)}${ch}${text.slice(at)}`;
      const before = p.splices;
      const got = p.parse(sourceFile('/big.nn', text));
      expect(p.splices - before).toBe(1);
      expect(got.result).toEqual(parseSource(sourceFile('/big.nn', text)).result);
    }
  });

  it("a declaration left open reports, as the whole file's parse does, the next declaration where its `}` should be", () => {
    const text = 'model A(x: [1, 3, 8, 8]) {\n  h = x -> relu()\n\n# B\nmodel B(x: [1, 3, 8, 8]) {\n  return x -> relu()\n}\n';
    const chunked = new IncrementalParser().parse(sourceFile('/two.nn', text));
    const whole = parseSource(sourceFile('/two.nn', text));
    expect(chunked.diagnostics).toEqual(whole.diagnostics);
    expect(chunked.diagnostics.map((d) => [d.message, d.span?.line, d.span?.col])).toEqual([["expected '}' (found 'model')", 5, 1]]);
  });

  for (const below of ['', '  zz = h5 ->\n', '  zz = h5 -> conv2d(8,\n  zy = 2d\n']) it(`typing a new statement character by character (a syntax error most of the way) parses only from it to where the parse rejoins the old one, as the full parse does${below ? `, with ${JSON.stringify(below)} left unfinished further down` : ''}`, () => {
    let text = generateModel(400, 'single');
    if (below) {
      // Problems below the edit stay where they are, moved with their statements.
      const at = text.indexOf('\n', Math.floor(text.length * 0.9)) + 1;
      text = text.slice(0, at) + below + text.slice(at);
    }
    const p = new IncrementalParser();
    p.parse(sourceFile('/big.nn', text));
    let prevText = text;
    // At the end of a line: a line break, then the statement.
    let at = text.indexOf('\n', Math.floor(text.length * 0.6));
    const line = '\n  q = h5 -> conv2d(16, 3, padding=1)';
    let withErrors = 0;
    for (const ch of line) {
      text = `${text.slice(0, at)}${ch}${text.slice(at)}`;
      at++;
      const before = { splices: p.splices, tails: p.tails, rejoins: p.rejoins };
      const prevBody = new Set(bodyOf(p.parse(sourceFile('/big.nn', prevText))));
      const got = p.parse(sourceFile('/big.nn', text));
      // Statements parsed now: neither the previous parse's objects nor moved copies of them.
      const parsedNow = bodyOf(got).filter((st) => !prevBody.has(st) && !movedFrom(st)).length;
      expect(parsedNow).toBeLessThanOrEqual(66);
      prevText = text;
      const full = parseSource(sourceFile('/big.nn', text));
      expect([ch, text.slice(at - 20, at + 20), full.diagnostics.map((d) => d.message), p.splices - before.splices]).toEqual([ch, text.slice(at - 20, at + 20), full.diagnostics.map((d) => d.message), 1]);
      expect(got.result).toEqual(full.result);
      expect(got.diagnostics).toEqual(full.diagnostics);
      const belowAt = below ? text.indexOf(below) : text.length;
      if (full.diagnostics.some((d) => d.span!.start < belowAt)) {
        withErrors++;
        expect(p.tails - before.tails).toBe(1);
      }
      // Every parse after a syntax error stops a few statements after the edit, where it rejoins the old one.
      expect(p.rejoins - before.rejoins).toBe(p.tails - before.tails);
    }
    expect(withErrors).toBeGreaterThan(line.length / 2);
    if (below) expect(parseSource(sourceFile('/big.nn', text)).diagnostics.length).toBeGreaterThan(0);
  });

  it('an edit that closes a body left open earlier is parsed as the whole declaration is (the old problems below it do not move)', () => {
    // (The fuzzer found it: the old declaration's last `}` closed the loop, and its "expected '}'" was kept.)
    let text = 'model M(x: [1, 3, 8, 8]) {\n  h = x\n  for i in 0..3 {\n    h = h -> relu()\n  }\n  frozen {\n    h = h -> relu()\n  }\n  y = h\n  return y\n}\n\nmodel N(x: [1, 3, 8, 8]) {\n  return x\n}\n';
    const p = new IncrementalParser();
    p.parse(sourceFile('/m.nn', text));
    const cut = (s: string, from: string, what: string) => s.slice(0, s.indexOf(what, s.indexOf(from))) + s.slice(s.indexOf(what, s.indexOf(from)) + what.length);
    // The loop's `}` deleted (the body is left open), then `frozen {` cut to `fro` (balanced again).
    for (const edit of [(t: string) => cut(t, 'for i', '  }\n'), (t: string) => cut(t, 'frozen', 'zen {')]) {
      text = edit(text);
      const got = p.parse(sourceFile('/m.nn', text));
      const fresh = new IncrementalParser().parse(sourceFile('/m.nn', text));
      expect(got.result).toEqual(fresh.result);
      expect(got.diagnostics).toEqual(fresh.diagnostics);
    }
  });

  it('keeps the chunks of only the last two parses of a file, so memory stays flat while typing, and undoing a keystroke re-parses nothing', () => {
    const head = 'block b(x: Tensor) -> Tensor {\n  return x -> relu()\n}\n\n';
    let text = `${head}model M(x: [1, 3, 8, 8]) {\n  h = x -> b()\n  return h\n}\n`;
    const p = new IncrementalParser();
    const at = text.indexOf('return h');
    for (let i = 0; i < 40; i++) {
      text = `${text.slice(0, at)}#${text.slice(at)}`;
      p.parse(sourceFile('/m.nn', text));
      // Two declarations: at most two chunks now and two from the parse before (the block's is shared).
      expect(p.cachedChunks).toBeLessThanOrEqual(4);
    }
    const before = p.parses;
    p.parse(sourceFile('/m.nn', `${text.slice(0, at)}${text.slice(at + 1)}`));
    expect(p.parses).toBe(before);
    // Another open file may use this one's chunks; forgetting a file drops them.
    p.parse(sourceFile('/other.nn', head));
    expect(p.parses).toBe(before);
    p.forget('/m.nn');
    p.forget('/other.nn');
    expect(p.cachedChunks).toBe(0);
  });
});

describe('hints that read the text before a syntax error', () => {
  it("are a re-parse's as a fresh parse's: the statements kept are blanked with no-break spaces, so `alse, name=…` after `)` is no `a, b = …` at a line start", () => {
    const t1 = 'model M(tokens: int64[N, 100]) -> (logits: [N, 2]) {\n  emb = tokens -> embedding(100, 8)\n  last = emb -> lstm(16, return_sequenc)alse, name="lstm")\n  logits = last -> dense(2)\n  return logits\n}\n';
    const t2 = t1.replace('  logits =', '  # idle\n  logits =');
    const p = new IncrementalParser();
    p.parse(sourceFile('m.nn', t1));
    const again = p.parse(sourceFile('m.nn', t2));
    expect(again.diagnostics).toEqual(new IncrementalParser().parse(sourceFile('m.nn', t2)).diagnostics);
    expect(again.diagnostics.map((d) => d.hint)).toEqual([undefined, undefined]);
  });
});
