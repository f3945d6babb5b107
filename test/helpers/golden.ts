/** Golden files: compare output with the expected file beside it; `UPDATE=1 npm test` accepts new output. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

export function expectGolden(path: string, actual: string): void {
  const text = actual.endsWith('\n') ? actual : `${actual}\n`;
  if (process.env.UPDATE === '1' || !existsSync(path)) {
    if (process.env.CI && !existsSync(path)) throw new Error(`golden file ${path} is missing (run UPDATE=1 npm test locally and commit it)`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return;
  }
  expect(text).toBe(readFileSync(path, 'utf8'));
}
