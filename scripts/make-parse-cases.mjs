// Makes test/fixtures/parse-recovery/cases.json: pieces of the examples and of test/bad, broken by seeded
// random edits (deletions, insertions of tokens, truncations, rotations). test/parse-recovery.test.ts
// keeps what the parser makes of each (AST and diagnostics) as a golden. Run: node scripts/make-parse-cases.mjs
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { breaker } from './breakage.mjs';

const files = ['examples', 'test/bad'].flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.nn')).sort().map((f) => join(d, f)));
const { ri, mutate } = breaker(20261207);
const cases = [];
for (let i = 0; i < 240; i++) {
  const lines = readFileSync(files[i % files.length], 'utf8').split('\n');
  // A declaration's head and a few of its lines, or a run of statements (parsed on its own too).
  const from = ri(lines.length);
  let text = lines.slice(from, from + 2 + ri(10)).join('\n');
  if (i % 3 === 0) text = `${lines.find((l) => /^(model|block) /.test(l)) ?? 'model M(x: [1]) {'}\n${text}\n}`;
  for (let m = 1 + ri(3); m > 0; m--) text = mutate(text);
  cases.push(text);
}
writeFileSync('test/fixtures/parse-recovery/cases.json.tmp', `${JSON.stringify(cases, null, 1)}\n`);
renameSync('test/fixtures/parse-recovery/cases.json.tmp', 'test/fixtures/parse-recovery/cases.json');
console.log(`${cases.length} cases, ${cases.reduce((n, c) => n + c.length, 0)} characters`);
