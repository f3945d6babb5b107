/**
 * Warming the editor's incremental paths. A server's first check runs the whole-file paths; the first
 * code typed afterwards runs code that has not run yet: the parser's error recovery (most texts typed are
 * unfinished lines), the incremental parser's splices, resumed elaborations and early cutoffs, analyses
 * that reuse layer reports. Cold, V8 interprets that code and deoptimizes it as types show up, and the first
 * statement typed into a big model took about twice the time of the next ones. These steps type into a
 * small model of their own (a service of their own: nothing of the user's documents is touched), one
 * keystroke per step, for the server to run while it is idle.
 *
 * After a big model, a bigger warm-up: V8 optimizes a function or a loop only after it has run enough, and
 * the whole-model passes of a keystroke (the early cutoff's copies, the analysis' passes over every layer)
 * ran a few hundred iterations over the small sample, not enough. The first statements typed into the
 * 8,000-layer model of bench/lsp.mjs then took 40–110 ms; typed 8 times into a sample of 100 statements
 * (~350 layers), the warm-up runs each pass ~100,000 iterations and those keystrokes take 15–40 ms
 * (bench/NOTES.md). That costs ~1 s of idle time in steps of ~2 ms (the largest ~35 ms), once per server.
 */
import type { ModuleHost } from '../semantics/modules.js';
import { stdNames } from '../semantics/std-names.js';
import { LanguageService } from './service.js';

/** A sample model of `n` statements after its first (alternately a conv→relu and a residual block). */
const sample = (n: number) =>
  [
    'block res(x: Tensor, c: int) -> Tensor {',
    '  y = x -> conv2d(c, 3, padding=1, bias=false) -> batchnorm() -> relu()',
    '  return add(x, y) -> relu()',
    '}',
    '',
    '# A model with a doc comment, as many have (its graph then has one too).',
    'model Warm(x: [N, 3, 16, 16]) -> (y: [N, 10]) {',
    '  h0 = x -> conv2d(8, 3, padding=1) -> relu()',
    ...Array.from({ length: n }, (_, i) => (i % 2 ? `  h${i + 1} = h${i} -> res(8)` : `  h${i + 1} = h${i} -> conv2d(8, 3, padding=1) -> relu()`)),
    `  return h${n} -> adaptive_avg_pool2d(1) -> flatten() -> dense(10)`,
    '}',
    '',
  ].join('\n');

/** The layers of a model from which the bigger warm-up pays (see above): below, the small one is enough. */
export const BIG_MODEL_LAYERS = 1000;

/**
 * The warm-up's steps: a statement typed character by character (with a comment after it; `big`: 8 times,
 * into a sample of 100 statements), then a channel count made wrong and mended. `path` names the sample
 * document (never read or written). `seen` counts the checks that took each incremental path, so that a test
 * keeps the steps exercising them.
 */
export function warmUpSteps(host: ModuleHost, path: string, big = false): { steps: (() => void)[]; seen: { kept: number; resumed: number; cut: number } } {
  const svc = new LanguageService({ host });
  let text = sample(big ? 100 : 12);
  let version = 0;
  const seen = { kept: 0, resumed: 0, cut: 0 };
  const check = () => {
    svc.set(path, text, ++version);
    const a = svc.analyze(path);
    svc.diagnostics(path);
    // As the server does while idle after edits between tokens (its code and objects warmed too).
    for (const _ of svc.settle(path) ?? []);
    if (a) {
      seen.kept += a.kept.length;
      seen.resumed += a.resumed.length;
      seen.cut += a.cut.length;
    }
  };
  // The standard library's names, read when a name is first unknown (a keystroke would pay for it otherwise).
  const steps: (() => void)[] = [() => void stdNames(svc.moduleHost(), path), check];
  // The statement typed before h6 (then h7, …: each after the one typed before).
  for (let r = 0; r < (big ? 8 : 1); r++) {
    let at = 0;
    [...`  q${r} = h${5 + r} -> conv2d(8, 3) # a note\n`].forEach((ch, i) =>
      steps.push(() => {
        if (i === 0) at = text.indexOf(`  h${6 + r} = `);
        text = text.slice(0, at + i) + ch + text.slice(at + i);
        check();
      }),
    );
  }
  // A digit typed into a channel count and deleted (the residual add after it fails, then passes).
  for (const typed of [true, false]) {
    steps.push(() => {
      const p = text.indexOf('conv2d(8', text.indexOf('  h8 = ')) + 'conv2d(8'.length;
      text = typed ? `${text.slice(0, p)}1${text.slice(p)}` : text.slice(0, p) + text.slice(p + 1);
      check();
    });
  }
  steps.push(() => svc.close(path));
  return { steps, seen };
}

/**
 * Runs `steps` one per turn of the event loop (requests and edits that arrive in between go first), waiting
 * while `busy()` (a check is pending), then `onDone`; stops at the first step that throws, after `onError`.
 * `gap()`: milliseconds to wait after a step (while the user types, so that a keystroke seldom arrives during
 * one: it would wait for that step to end). (The immediates and timers are not `unref()`ed: unreferenced ones
 * let the event loop wait for I/O, and each step would run only when the next message arrives.)
 */
export function runWhenIdle(steps: readonly (() => void)[], busy: () => boolean, onError: (e: unknown) => void, onDone?: () => void, gap?: () => number): void {
  let i = 0;
  const next = () => {
    if (busy()) return void setTimeout(next, 50).unref();
    const step = steps[i++];
    if (!step) return void onDone?.();
    try {
      step();
    } catch (e) {
      onError(e);
      return;
    }
    const ms = gap?.() ?? 0;
    if (ms > 0) setTimeout(next, ms);
    else setImmediate(next);
  };
  setImmediate(next);
}
