/**
 * Every op of OPS_MISC: its documentation is complete and its examples hold when run through the op harness (the call is parsed by a small
 * literal parser here; the full compiler runs them again end to end).
 */
import { describe, expect, it } from 'vitest';
import { OPS_MISC } from '../../src/ops/list-misc.js';
import { allOps, getOp } from '../../src/ops/registry.js';
import type { AttrValue, OpDef, OpExample } from '../../src/ops/types.js';
import { runOp } from '../helpers/op-harness.js';

type Val = AttrValue | { tensor: string };

/** Parses `name` or `name(arg, key=value, ...)` with .nn literals: numbers, strings, true/false/none, tuples, lists, tensor names. */
function parseCall(src: string): { name: string; positional: Val[]; keywords: Record<string, Val> } {
  const toks = src.match(/\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|'[^']*'|"[^"]*"|[A-Za-z_][A-Za-z0-9_]*|[-()[\],=])/gy)?.map((t) => t.trim()) ?? [];
  if (toks.join('').replace(/\s/g, '') !== src.replace(/\s/g, '')) throw new Error(`cannot tokenize ${src}`);
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++]!;
  const expect_ = (t: string) => {
    if (next() !== t) throw new Error(`expected ${t} in ${src}`);
  };
  const value = (): Val => {
    const t = next();
    if (t === '-') return -(value() as number);
    if (/^\d/.test(t)) return Number(t);
    if (/^['"]/.test(t)) return t.slice(1, -1);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'none') return null;
    if (t === '(' || t === '[') {
      const close = t === '(' ? ')' : ']';
      const items: Val[] = [];
      let comma = false;
      while (peek() !== close) {
        items.push(value());
        if (peek() === ',') {
          next();
          comma = true;
        }
      }
      next();
      return t === '(' && items.length === 1 && !comma ? items[0]! : (items as AttrValue[]);
    }
    if (/^[A-Za-z_]/.test(t)) return { tensor: t };
    throw new Error(`unexpected ${t} in ${src}`);
  };
  const name = next();
  const positional: Val[] = [];
  const keywords: Record<string, Val> = {};
  if (peek() === '(') {
    next();
    while (peek() !== ')') {
      if (toks[i + 1] === '=') {
        const k = next();
        next();
        keywords[k] = value();
      } else positional.push(value());
      if (peek() === ',') next();
    }
    expect_(')');
  }
  if (i !== toks.length) throw new Error(`trailing input in ${src}`);
  return { name, positional, keywords };
}

const isTensor = (v: Val): v is { tensor: string } => v !== null && typeof v === 'object' && 'tensor' in v;

function runExample(ex: OpExample) {
  const call = parseCall(ex.call);
  const shapes: (number | string)[][] = [ex.inputs[0]!.map((d) => d)];
  const tensorIndex = (t: { tensor: string }) => {
    const m = /^x(\d+)$/.exec(t.tensor);
    if (!m || !ex.inputs[Number(m[1])]) throw new Error(`unknown tensor ${t.tensor} in ${ex.call}`);
    return ex.inputs[Number(m[1])]!.map((d) => d);
  };
  const positional: AttrValue[] = [];
  for (const v of call.positional) {
    if (isTensor(v)) shapes.push(tensorIndex(v));
    else positional.push(v);
  }
  const keywords = Object.fromEntries(Object.entries(call.keywords).map(([k, v]) => [k, v as AttrValue]));
  return { name: call.name, out: runOp(call.name, shapes, positional, keywords, ex.dtype ?? 'float32') };
}

describe('OPS_MISC documentation', () => {
  it('registers every misc op under unique names', () => {
    expect(OPS_MISC.length).toBe(43);
    for (const op of OPS_MISC) for (const n of [op.name, ...(op.aliases ?? [])]) expect(getOp(n)).toBe(op);
    expect(new Set(allOps()).size).toBe(allOps().length);
  });
  it.each(OPS_MISC.map((op): [string, OpDef] => [op.name, op]))('%s documents the op, its cost and every attribute', (_, op) => {
    expect(op.doc.length).toBeGreaterThan(30);
    expect(op.doc).toMatch(/PyTorch|torch\./);
    expect(op.costDoc).toMatch(/MAC/);
    expect(op.examples.length).toBeGreaterThanOrEqual(1);
    expect(op.examples.length).toBeLessThanOrEqual(3);
    for (const a of op.attrs) expect(a.doc.length, `${op.name}.${a.name}`).toBeGreaterThan(5);
  });
});

describe('OPS_MISC examples', () => {
  const cases = OPS_MISC.flatMap((op) => op.examples.map((ex): [string, string, OpDef, OpExample] => [op.name, ex.call, op, ex]));
  it.each(cases)('%s: %s', (_, __, op, ex) => {
    const { name, out } = runExample(ex);
    expect(getOp(name)).toBe(op);
    expect(out.diagnostics).toEqual([]);
    expect(out.shapes![0]).toEqual(ex.output);
    if (ex.params !== undefined) expect(out.params).toBe(ex.params);
    if (ex.macs !== undefined) expect(out.macs).toBe(ex.macs);
  });
});

describe('the example parser', () => {
  it('reads literals, tuples, lists, keywords and tensors', () => {
    expect(parseCall("f(x1, 3, -1.5e-3, (1, 2), [4, -1], 'tanh', k=true, z=none)")).toEqual({
      name: 'f',
      positional: [{ tensor: 'x1' }, 3, -0.0015, [1, 2], [4, -1], 'tanh'],
      keywords: { k: true, z: null },
    });
    expect(parseCall('relu6')).toEqual({ name: 'relu6', positional: [], keywords: {} });
    expect(() => parseCall('f(1 ~ 2)')).toThrow();
  });
});
