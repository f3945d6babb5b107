// Differential test of two builds' parsers: `parseSource` (AST and diagnostics, as JSON) and
// `parseStatementRun` on every .nn file of examples/, stdlib/ and test/ and on seeded random breakages of
// them. For a change to the parser that must not change what it makes; the 2026-12 parser without a CST
// was checked against the CST one this way (~180k breakages). Usage:
//   git worktree add /tmp/old <commit> && ln -s "$PWD/node_modules" /tmp/old/ && (cd /tmp/old && npm run build)
//   npm run build && node scripts/parse-diff.mjs /tmp/old/dist dist   [env: SEED (1), N (30 breakages per file), SHOW (3)]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { breaker } from './breakage.mjs';

const [oldDist, newDist] = process.argv.slice(2);
if (!oldDist || !newDist) {
  console.error('usage: node scripts/parse-diff.mjs OLD_DIST NEW_DIST');
  process.exit(2);
}
const load = async (d) => ({
  ...(await import(pathToFileURL(resolve(d, 'syntax/parse.js')).href)),
  ...(await import(pathToFileURL(resolve(d, 'syntax/source.js')).href)),
});
const A = await load(oldDist);
const B = await load(newDist);
const files = [];
const walk = (d) => {
  for (const f of readdirSync(d).sort()) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.nn')) files.push(p);
  }
};
for (const d of ['examples', 'stdlib', 'test']) walk(d);

const { ri, mutate } = breaker(Number(process.env.SEED ?? 1));

const SHOW = Number(process.env.SHOW ?? 3);
let cases = 0;
let diffs = 0;
const report = (what, path, text, x, y) => {
  if (++diffs > SHOW) return;
  let i = 0;
  while (x[i] === y[i]) i++;
  console.log(`DIFF (${what}) ${path}\n  text: ${JSON.stringify(text).slice(0, 400)}\n  old: …${x.slice(Math.max(0, i - 200), i + 200)}\n  new: …${y.slice(Math.max(0, i - 200), i + 200)}`);
};
function compare(path, text) {
  cases++;
  const x = JSON.stringify(A.parseSource(A.sourceFile(path, text)));
  const y = JSON.stringify(B.parseSource(B.sourceFile(path, text)));
  if (x !== y) report('file', path, text, x, y);
  // Runs of statements, as the editor re-parses them.
  const lines = text.split('\n');
  for (let r = 0; r < 2; r++) {
    const from = ri(lines.length);
    const run = lines.slice(from, from + 1 + ri(6)).join('\n');
    const trimmed = run.replace(/^\s+/, '');
    const col = run.length - trimmed.length + 1;
    cases++;
    const u = JSON.stringify(A.parseStatementRun(trimmed, col)) ?? 'undefined';
    const v = JSON.stringify(B.parseStatementRun(trimmed, col)) ?? 'undefined';
    if (u !== v) report('statement run', path, trimmed, u, v);
  }
}
const N = Number(process.env.N ?? 30);
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  compare(f, text);
  for (let i = 0; i < N; i++) {
    let t = text;
    for (let m = 1 + ri(3); m > 0; m--) t = mutate(t);
    compare(f, t);
  }
}
console.log(`${files.length} files, ${cases} cases, ${diffs} differences`);
process.exit(diffs ? 1 : 0);
