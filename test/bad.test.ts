/**
 * One bad model per diagnostic code: `test/bad/<CODE>.nn` must produce a diagnostic with that code, and
 * the human rendering of all its diagnostics is compared with `test/bad/<CODE>.expected` (`UPDATE=1`
 * accepts new output). A new code in src/diagnostics/codes.ts without a bad model fails here.
 *
 * Paths are passed relative to the repository root so that the goldens are machine-independent.
 * Helper modules that are not models of their own (the import cycle) live in `test/bad/modules/`.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import { summarize } from '../src/checker/summary.js';
import { compareBaseline } from '../src/cli/baseline.js';
import { decodeText, nodeHost } from '../src/cli/host.js';
import { exportOnnx } from '../src/lower/onnx/export.js';
import { buildTfjsGraph } from '../src/lower/tfjs/lower.js';
import { type WeightTensor, matchWeights } from '../src/lower/weights-file.js';
import { renderHuman } from '../src/cli/render-human.js';
import { CODES, type DiagnosticCode } from '../src/diagnostics/codes.js';
import type { Diagnostic } from '../src/diagnostics/types.js';
import type { ModuleHost } from '../src/semantics/modules.js';
import { LIMITS } from '../src/syntax/parse.js';
import { expectGolden } from './helpers/golden.js';

const ROOT = join(import.meta.dirname, '..');
const BAD = 'test/bad';
const abs = (p: string) => (isAbsolute(p) ? p : join(ROOT, p));
const rel = (p: string) => (isAbsolute(p) ? relative(ROOT, p) : p);

/** The file-system host, with repository-relative paths resolved from the repository root (not the cwd). */
const host: ModuleHost = (() => {
  const base = nodeHost();
  return { resolve: (spec, from) => base.resolve(spec, abs(from)), read: (p) => base.read(abs(p)), stdModules: () => base.stdModules!() };
})();

/** Codes whose diagnostics legitimately carry no source span. */
const NO_SPAN = new Set<DiagnosticCode>(['E0210', 'E0501', 'E0502']);

/** How each code's model is checked, beyond the defaults. */
const OPTIONS: Partial<Record<DiagnosticCode, { model?: string; maxParams?: number }>> = {
  E0210: { model: 'ResNet' },
  E0501: { maxParams: 5_000_000 },
};
const BASELINE = `${BAD}/E0502.baseline.json`;
const BASELINE_TOLERANCE = 0.02;

interface Run {
  readonly text: string;
  readonly diagnostics: Diagnostic[];
}

function run(code: DiagnosticCode): Run {
  const path = `${BAD}/${code}.nn`;
  // Read as the CLI does: invalid UTF-8 becomes U+FFFD, which the parser reports as E0105.
  const text = decodeText(readFileSync(abs(path)));
  const r = check({ path, text, host, ...OPTIONS[code] });
  const diagnostics = [...r.diagnostics];
  // E0600 comes from the ONNX lowering: export at an opset that lacks the op.
  if (code === 'E0600') diagnostics.push(...exportOnnx(r.models[0]!, { opset: 13 }).diagnostics);
  // E0602/E0603 come from the TensorFlow.js lowering (the graph builder: no tfjs runtime needed).
  if (code === 'E0602' || code === 'E0603') diagnostics.push(...buildTfjsGraph(r.models[0]!).diagnostics);
  // E0601/W0107 come from matching a --weights file: a trained file with a wrong shape, or extra tensors.
  if (code === 'E0601' || code === 'W0107') {
    const m = r.models[0]!;
    const tensors = new Map<string, WeightTensor>();
    for (const n of m.graph.nodes)
      for (const p of n.params) {
        const dims = code === 'E0601' && p.name === 'weight' && n.path === 'fc' ? [p.shape[0]!, p.shape[1]! * 2] : p.shape;
        tensors.set(`${n.path}.${p.name}`, { dims, dtype: 'float32', data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
      }
    if (code === 'W0107') tensors.set('aux_head.weight', { dims: [10, 10], dtype: 'float32', data: new Float32Array(100) });
    diagnostics.push(...matchWeights(m, 'trained.safetensors', tensors).diagnostics);
  }
  if (code === 'E0502') diagnostics.push(...compareBaseline(BASELINE, readFileSync(abs(BASELINE), 'utf8'), r.models.map((m) => summarize(m)), BASELINE_TOLERANCE));
  return { text, diagnostics };
}

function render(path: string, r: Run): string {
  const sources = (p: string) => (p === path ? r.text : host.read(p));
  return r.diagnostics.map((d) => renderHuman(d, sources, { color: false }, rel)).join('\n\n');
}

function expectSpanInside(d: Diagnostic, path: string, r: Run): void {
  const where = `${d.code} ${d.message}`;
  if (!d.span) {
    expect(NO_SPAN.has(d.code), `${where}: has no span`).toBe(true);
    return;
  }
  const text = d.span.file === path ? r.text : host.read(d.span.file);
  expect(text, `${where}: span file ${d.span.file} is unreadable`).toBeDefined();
  const lines = text!.split('\n');
  const { line, col, endLine, endCol, start, end } = d.span;
  expect(line, where).toBeGreaterThanOrEqual(1);
  expect(line, where).toBeLessThanOrEqual(lines.length);
  expect(col, where).toBeGreaterThanOrEqual(1);
  expect(col, where).toBeLessThanOrEqual(lines[line - 1]!.length + 1);
  expect(endLine, where).toBeGreaterThanOrEqual(line);
  expect(endLine, where).toBeLessThanOrEqual(lines.length);
  expect(endCol, where).toBeLessThanOrEqual(lines[endLine - 1]!.length + 1);
  expect(start, where).toBeLessThanOrEqual(end);
  expect(end, where).toBeLessThanOrEqual(text!.length);
  for (const n of d.notes) {
    if (!n.span) continue;
    const nt = n.span.file === path ? r.text : host.read(n.span.file);
    expect(nt, `${where}: note span file ${n.span.file}`).toBeDefined();
    expect(n.span.line, `${where}: note ${n.message}`).toBeLessThanOrEqual(nt!.split('\n').length);
  }
}

describe('bad models: one per diagnostic code', () => {
  for (const code of Object.keys(CODES) as DiagnosticCode[]) {
    const path = `${BAD}/${code}.nn`;
    it(`${code} (${CODES[code].title}): ${path}`, () => {
      expect(existsSync(abs(path)), `${path} is missing: every diagnostic code needs a bad model`).toBe(true);
      const raw = readFileSync(abs(path), 'latin1');
      expect(raw.startsWith(`# ${code}: `), `${path} must start with a '# ${code}: ' comment saying what is wrong`).toBe(true);
      const r = run(code);
      expect(r.diagnostics.map((d) => d.code), `${path} must produce ${code}`).toContain(code);
      for (const d of r.diagnostics) expectSpanInside(d, path, r);
      const out = render(path, r);
      expect(out, 'goldens must not contain absolute paths').not.toContain(ROOT);
      expectGolden(abs(`${BAD}/${code}.expected`), out);
    });
  }

  it('every model in test/bad/ is named after a diagnostic code', () => {
    const files = readdirSync(abs(BAD)).filter((f) => f.endsWith('.nn'));
    for (const f of files) expect(Object.keys(CODES), `test/bad/${f}: helper modules belong in test/bad/modules/`).toContain(f.slice(0, -3));
    for (const f of readdirSync(abs(BAD)).filter((f) => f.endsWith('.expected'))) expect(Object.keys(CODES), `stale golden test/bad/${f}`).toContain(f.slice(0, -'.expected'.length));
  });
});

describe('bad models: special inputs', () => {
  it('E0105.nn really is not UTF-8 (do not re-save it as UTF-8)', () => {
    const bytes = readFileSync(abs(`${BAD}/E0105.nn`));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
  });

  it('E0104.nn stays small: nesting, not size, triggers it', () => {
    expect(statSync(abs(`${BAD}/E0104.nn`)).size).toBeLessThan(4096);
  });

  it('E0104: a file nested far deeper than the limit is rejected without overflowing the stack', () => {
    const depth = 100_000;
    const text = `model Deep(x: [N, 8]) {\n  return x -> dense(${'('.repeat(depth)}8${')'.repeat(depth)})\n}\n`;
    const r = check({ path: `${BAD}/generated-deep.nn`, text, host });
    const d = r.diagnostics.find((x) => x.code === 'E0104');
    expect(d?.message).toBe(`nesting is deeper than ${LIMITS.maxDepth} levels`);
    expect(d?.span?.line).toBe(2);
  });

  it('E0104: a file larger than the size limit is rejected before parsing', () => {
    const filler = `# ${'padding '.repeat(15)}\n`;
    const text = `${filler.repeat(Math.ceil((LIMITS.maxBytes + 1) / filler.length))}model Big(x: [N, 8]) {\n  return x -> dense(8)\n}\n`;
    const r = check({ path: `${BAD}/generated-big.nn`, text, host });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['E0104']);
    expect(r.diagnostics[0]!.message).toMatch(/^file is too large/);
    expect(r.diagnostics[0]!.span?.line).toBe(1);
  });

  it('E0502: the same model against its own summary is not a regression', () => {
    const path = `${BAD}/E0502.nn`;
    const r = check({ path, text: readFileSync(abs(path), 'utf8'), host });
    const own = JSON.stringify(r.models.map((m) => summarize(m)));
    expect(compareBaseline('own.json', own, r.models.map((m) => summarize(m)), 0)).toEqual([]);
  });
});

describe('the caret line under a span', () => {
  it('counts terminal cells: a CJK character or an emoji before the span takes two, a combining mark none', () => {
    for (const [before, pad] of [['"中文中文"', 10], ['"😀"', 4], ['"e\u0301"', 3], ['"ab"', 4]] as const) {
      const text = `model A(x: [N, 3]) {\n  z = ${before}; w = foo\n  return x\n}\n`;
      const d = check({ path: 'c.nn', text, host: nodeHost() }).diagnostics.find((x) => x.code === 'E0200')!;
      const lines = renderHuman(d, () => text, { color: false }).split('\n');
      const shown = lines.findIndex((l) => l.includes('w = foo'));
      // The carets start where `foo` is drawn: 2 cells of indent, `z = `, the string, `; w = `.
      const caret = lines[shown + 1]!.slice(lines[shown]!.indexOf('|') + 2);
      expect(caret, before).toBe(`${' '.repeat(2 + 4 + pad + 6)}^^^`);
    }
  });
});
