/**
 * What the parser makes of broken text (AST and diagnostics, of a whole file and of a run of statements),
 * kept as a golden over 240 seeded random breakages of the examples (scripts/make-parse-cases.mjs).
 * The digests were first recorded by the CST parser and converter this parser replaced (66ea4fe); the
 * embedded-actions parser reproduced every one, and a change to recovery shows here case by case. Changed
 * since, on purpose: cases 17, 117 and 191 lost the E0101 that followed an unterminated string (E0103 alone
 * reports that mistake now); the bracket limit went from 200 to 100 levels and stray closing brackets no
 * longer cancel later opening ones, so case 18 reports its E0104 at the 101st level and case 81 (stray `)`
 * then 200 nested parentheses, which exhausted plain node's stack) is E0104 instead of two E0101. And a
 * piece cut short at the end of the file says what it was left after ("expected ')' after '('", 33 cases).
 * Words only, in 162 cases (the run digests and the codes unchanged): "expected a declaration (…)" for
 * "expected end of file", hints and notes for a body left open or closed early (src/syntax/syntax-help.ts);
 * 43 of them again when that help learnt to count braces in the text (no note at a '{' a later '}' closes).
 * A declaration line inside a body that a later '}' closes is parsed as one misplaced there (one error, the
 * body read on; src/syntax/body-scan.ts): cases 90 and 231 (a model's first line doubled; the file ends in a
 * '}' more), and where a `model` or `block` line at column 0 comes before that '}' the body counts as left
 * open, as the file's split into declarations has it (cases 137, 153, 156, 216, 225: "close the body" and a
 * note at its '{', no longer "imports/declarations go at the top level"). A number literal that cannot be read
 * (E0102) is an `error` node marked `number: true` (a call still counts it): 11 cases' whole-file digests, only that.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shift } from '../src/service/ast-shift.js';
import { parseSource, parseStatementRun } from '../src/syntax/parse.js';
import { sourceFile } from '../src/syntax/source.js';
import { expectGolden } from './helpers/golden.js';

const cases: string[] = JSON.parse(readFileSync('test/fixtures/parse-recovery/cases.json', 'utf8'));
const digest = (v: unknown): string => createHash('sha1').update(JSON.stringify(v) ?? 'undefined').digest('hex').slice(0, 16);

/** One line per case: its digests and diagnostic codes (readable in a diff). */
export function caseLine(text: string, i: number): string {
  const whole = parseSource(sourceFile('case.nn', text));
  const trimmed = text.replace(/^\s+/, '');
  const run = parseStatementRun(trimmed, text.length - trimmed.length + 1);
  return `${i} ${digest(whole)} ${digest(run)} ${whole.diagnostics.map((d) => d.code).join(',') || '-'}`;
}

describe('parser recovery on broken text', () => {
  it('AST and diagnostics of each broken piece are as recorded', () => {
    expectGolden('test/golden/parse-recovery/digests.txt', cases.map(caseLine).join('\n'));
  });

  it('the cases exercise recovery: most have syntax errors, and some statement runs parse', () => {
    const withErrors = cases.filter((t) => parseSource(sourceFile('case.nn', t)).diagnostics.some((d) => d.code === 'E0101')).length;
    const runs = cases.filter((t) => parseStatementRun(t.replace(/^\s+/, ''), 1) !== undefined).length;
    expect(withErrors).toBeGreaterThan(cases.length / 3);
    expect(runs).toBeGreaterThan(10);
  });

  it('a piece parsed at its offset in a file (as the editor parses declarations) gets the AST of the piece parsed alone and moved there, and the same diagnostics', () => {
    for (const text of cases)
      for (const base of [1, 4096]) {
        const alone = parseSource(sourceFile('case.nn', text));
        const at = parseSource(sourceFile('case.nn', text), base);
        expect(at.result).toEqual({ decls: shift(alone.result.decls, base), comments: shift(alone.result.comments, base) });
        expect(at.diagnostics).toEqual(alone.diagnostics);
      }
  });

  it('problems inside a declaration or statement cut short before its name go with it (nothing of it reaches the AST)', () => {
    const codes = (t: string) => parseSource(sourceFile('case.nn', t)).diagnostics.map((d) => d.message);
    expect(codes('const = 1 < 2 < 3\n')).toEqual(["expected a name (found '=')"]);
    expect(codes('model (x: [1e999]) {\n  y = 1 < 2 < 3\n}\n')).toEqual(["expected a name (found '(')"]);
    // With its name, the same model reports both.
    expect(codes('model M(x: [1e999]) {\n  y = 1 < 2 < 3\n  return y\n}\n')).toEqual(['number 1e999 is too large (a float is at most about 1.8e308)', 'comparisons cannot be chained: write (a < b) and (b < c)']);
  });

  it('scripts/parse-diff.mjs runs (a build against itself: no differences, exit 0)', () => {
    const r = spawnSync(process.execPath, ['scripts/parse-diff.mjs', 'dist', 'dist'], { encoding: 'utf8', env: { ...process.env, N: '1' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/\d+ files, \d+ cases, 0 differences/);
    expect(r.status).toBe(0);
  });
});
