/**
 * An unknown name that the standard library declares (src/semantics/std-names.ts): the error says which module
 * has it, and carries the fix that imports it, placed where a person would write it. Applied, the program checks
 * without the error (against the real stdlib/).
 */
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import { nodeHost } from '../src/cli/host.js';
import type { Diagnostic } from '../src/diagnostics/types.js';
import { LanguageService, codeActions } from '../src/service/index.js';

const host = nodeHost();
const PATH = `${import.meta.dirname}/fixture-import-fix.nn`;
const run = (text: string) => check({ path: PATH, text, host }).diagnostics;
const apply = (text: string, d: Diagnostic, i = 0) => {
  const e = d.fixes![i]!.edits[0]!;
  return text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
};
const BODY = 'model M(x: [1, 64, 8, 8]) {\n  return x -> basic_block(64)\n}\n';

describe('an unknown name the standard library declares', () => {
  it('is reported with its module, and the fix imports it where a person would', () => {
    const cases: [string, string][] = [
      [BODY, `from std.resnet import basic_block\n\n${BODY}`],
      [`# The model.\n# Two lines.\n${BODY}`, `from std.resnet import basic_block\n\n# The model.\n# Two lines.\n${BODY}`],
      [`# File header.\n\n${BODY}`, `# File header.\n\nfrom std.resnet import basic_block\n\n${BODY}`],
      [`from std.resnet import bottleneck\n${BODY.replace('return x', 'h = x -> bottleneck(16)\n  return h')}`, null as unknown as string],
      [`from std.vgg import vgg_block\n\n${BODY}`, `from std.vgg import vgg_block\nfrom std.resnet import basic_block\n\n${BODY}`],
      [BODY.replace(/\n/g, '\r\n'), `from std.resnet import basic_block\r\n\r\n${BODY.replace(/\n/g, '\r\n')}`],
      // Lone `\r` line endings (old Mac): the new line after the last import, in the file's own line ending.
      [`# Net\rfrom std.vgg import vgg_block\r\r${BODY.replace(/\n/g, '\r')}`, `# Net\rfrom std.vgg import vgg_block\rfrom std.resnet import basic_block\r\r${BODY.replace(/\n/g, '\r')}`],
      [`# The model.\r${BODY.replace(/\n/g, '\r')}`, `from std.resnet import basic_block\r\r# The model.\r${BODY.replace(/\n/g, '\r')}`],
    ];
    for (const [text, want] of cases) {
      const d = run(text).find((x) => x.code === 'E0201')!;
      expect(d, text).toBeDefined();
      expect(d.hint).toBe("'basic_block' is in std.resnet: import it (`from std.resnet import basic_block`)");
      expect(d.fixes!.map((f) => f.title)).toEqual(["import 'basic_block' from std.resnet"]);
      const out = apply(text, d);
      if (want) expect(out).toBe(want);
      else expect(out.split(/\r?\n/)[0]).toBe('from std.resnet import bottleneck, basic_block');
      expect(run(out).filter((x) => x.severity === 'error'), out).toEqual([]);
    }
  });

  it('as a value (E0200) too; a name the library does not have keeps its did-you-mean', () => {
    const asValue = 'block b(x: Tensor, f: layer = basic_block) -> Tensor {\n  return x -> f(64)\n}\nmodel M(x: [1, 64, 8, 8]) {\n  return x -> b\n}\n';
    const d = run(asValue).find((x) => x.code === 'E0200')!;
    expect(d.hint).toMatch(/is in std\.resnet/);
    expect(run(apply(asValue, d)).filter((x) => x.severity === 'error')).toEqual([]);
    const typo = run(BODY.replace('basic_block(64)', 'conv2dd(8, 3)')).find((x) => x.code === 'E0201')!;
    expect(typo.hint).toBe("did you mean 'conv2d'?");
  });

  it('the language server offers it as a quick fix at the name', () => {
    const s = new LanguageService({ host });
    s.set(PATH, BODY);
    const a = s.analyze(PATH)!;
    const at = BODY.indexOf('basic_block');
    const acts = codeActions(a, at, at);
    expect(acts.map((x) => x.title)).toEqual(["import 'basic_block' from std.resnet"]);
    expect(acts[0]!.edits[0]!.newText).toBe('from std.resnet import basic_block\n\n');
  });
});

describe('the standard library index', () => {
  it('is read once per file-system host: services wrapping one host, and the server warm-up, share it', async () => {
    const { stdNames } = await import('../src/semantics/std-names.js');
    const { warmUpSteps } = await import('../src/service/warmup.js');
    const base = nodeHost();
    const { steps } = warmUpSteps(base, '/tmp/dslc-warm-up-test.nn');
    steps[0]!();
    const a = new LanguageService({ host: base }).moduleHost();
    const b = new LanguageService({ host: base }).moduleHost();
    expect(a).not.toBe(b);
    const first = stdNames(a, PATH);
    expect(stdNames(b, PATH)).toBe(first);
    expect(first.get('basic_block')!.map((x) => x.spec)).toEqual(['std.resnet']);
    // Another host (other files, maybe) reads its own.
    expect(stdNames(nodeHost(), PATH)).not.toBe(first);
  });
});
