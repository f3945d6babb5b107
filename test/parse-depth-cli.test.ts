/**
 * The nesting limit (LIMITS.maxDepth) must fire before plain node's default stack runs out: vitest's
 * workers have a bigger stack than the CLI, so these run `node bin/dslc.cjs check` as a child process.
 * Before, 200 nested parentheses after stray `)` (parse-recovery case 81), or calls with keyword arguments
 * nested 175 deep (within the old limit of 200), reported "call stack exhausted" in plain node.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../src/syntax/parse.js';
import { ROOT } from './helpers/compile.js';

const dir = mkdtempSync(join(tmpdir(), 'dslc-depth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `dslc check` on `text` in a plain node process (no NODE_OPTIONS: the default stack size). */
function check(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  const { NODE_OPTIONS: _o, ...env } = process.env;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/dslc.cjs'), 'check', name], { cwd: dir, encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
  return r.stdout + r.stderr;
}

const model = (expr: string) => `model M(x: [1, 3, 8, 8]) {\n  y = ${expr}\n  return x\n}\n`;
const LIMIT_MESSAGE = `error[E0104]: nesting is deeper than ${LIMITS.maxDepth} levels`;

describe('nesting limit in plain node', () => {
  it('parse-recovery case 81 (stray `)` then 200 nested parentheses in a call argument) is the nesting-limit error', () => {
    const cases: string[] = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/parse-recovery/cases.json'), 'utf8'));
    const out = check('case81.nn', cases[81]!);
    expect(out).toContain(LIMIT_MESSAGE);
    expect(out).not.toContain('call stack exhausted');
  });

  it('stray closers do not cancel later openers: `)` × 150 then `(` past the limit', () => {
    const n = LIMITS.maxDepth + 5;
    const out = check('stray.nn', `${')'.repeat(150)}\n${model(`${'('.repeat(n)}1${')'.repeat(n)}`)}`);
    expect(out).toContain(LIMIT_MESSAGE);
    expect(out).not.toContain('call stack exhausted');
  });

  it('the costliest nesting (calls with keyword arguments) up to the limit checks; past it, the limit error', () => {
    const kw = (n: number) => model(`${'max(1, k=-'.repeat(n)}1${')'.repeat(n)}`);
    // Inside the limit: only the builtin's complaint about keywords, no stack exhaustion.
    const inside = check('kw-inside.nn', kw(LIMITS.maxDepth - 1));
    expect(inside).not.toContain('E0104');
    expect(inside).toContain('E0202');
    for (const n of [LIMITS.maxDepth + 1, 175, 400]) {
      const out = check(`kw-${n}.nn`, kw(n));
      expect(out, `${n} deep`).toContain(LIMIT_MESSAGE);
      expect(out).not.toContain('call stack exhausted');
    }
  });
});
