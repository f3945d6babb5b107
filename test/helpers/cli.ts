/**
 * Runs the built CLI (`node bin/dslc.cjs`, or $DSLC_BIN) as a separate process, as a user would, and checks
 * what every run must satisfy whatever its input: no stack trace and no "internal error" on either stream.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = process.env.DSLC_BIN ? resolve(process.env.DSLC_BIN) : join(ROOT, 'bin/dslc.cjs');
/** A JavaScript stack frame (`at f (file.js:1:2)`). */
export const STACK = /\bat .*[\w/]\.(c?js|ts):\d+|^\s+at /m;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `dslc ...args` in `cwd`, without NO_COLOR/FORCE_COLOR from the environment. */
export function runDslc(args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((done, fail) => {
    const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => {
      expect(stderr).not.toMatch(STACK);
      expect(stdout).not.toMatch(STACK);
      expect(stderr).not.toMatch(/internal error/);
      done({ code, stdout, stderr });
    });
  });
}
