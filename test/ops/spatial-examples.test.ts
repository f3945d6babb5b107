/** Runs every spatial op's documented examples through the parser and the op harness. */
import { describe, expect, it } from 'vitest';
import { OPS_SPATIAL } from '../../src/ops/list-spatial.js';
import type { AttrValue } from '../../src/ops/types.js';
import type { Expr } from '../../src/syntax/ast.js';
import { parseSource } from '../../src/syntax/parse.js';
import { sourceFile } from '../../src/syntax/source.js';
import { runOp } from '../helpers/op-harness.js';

/** Literal argument values (what an example call may contain). */
function literal(e: Expr): AttrValue {
  switch (e.kind) {
    case 'num': case 'str': case 'bool': return e.value;
    case 'none': return null;
    case 'tuple': case 'list': return e.items.map(literal);
    case 'unary': if (e.op === '-') return -(literal(e.operand) as number);
  }
  throw new Error(`not a literal: ${e.kind}`);
}

/** Parses `model T(x: ...) { return x -> CALL }` and returns the op name and its arguments. */
function parseCall(call: string): { name: string; positional: AttrValue[]; keywords: Record<string, AttrValue> } {
  const r = parseSource(sourceFile('t.nn', `model T(x: [1, 2, 3, 4]) {\n  return x -> ${call}\n}\n`));
  expect(r.diagnostics).toEqual([]);
  const decl = r.result.decls[0]!;
  if (decl.kind !== 'model') throw new Error('no model');
  const ret = decl.body[decl.body.length - 1]!;
  if (ret.kind !== 'return' || ret.values[0]!.kind !== 'chain') throw new Error('no chain');
  const step = ret.values[0]!.steps[0]!;
  if (step.kind === 'name') return { name: step.name.text, positional: [], keywords: {} };
  if (step.kind !== 'call' || step.callee.kind !== 'name') throw new Error(`unexpected step ${step.kind}`);
  const positional: AttrValue[] = [];
  const keywords: Record<string, AttrValue> = {};
  for (const a of step.args) {
    if (a.name) keywords[a.name.text] = literal(a.value);
    else positional.push(literal(a.value));
  }
  return { name: step.callee.name.text, positional, keywords };
}

describe('spatial op examples', () => {
  for (const op of OPS_SPATIAL)
    for (const ex of op.examples)
      it(`${op.name}: ${ex.call} on ${JSON.stringify(ex.inputs)}`, () => {
        const c = parseCall(ex.call);
        expect([op.name, ...(op.aliases ?? [])]).toContain(c.name);
        const r = runOp(c.name, ex.inputs.map((s) => [...s]), c.positional, c.keywords, ex.dtype);
        expect(r.diagnostics).toEqual([]);
        expect(r.shapes![0]).toEqual(ex.output);
        if (ex.params !== undefined) expect(r.params).toBe(ex.params);
        if (ex.macs !== undefined) expect(r.macs).toBe(ex.macs);
      });

  it('documents every op, attribute and cost convention', () => {
    for (const op of OPS_SPATIAL) {
      expect(op.doc.length, op.name).toBeGreaterThan(40);
      expect(op.costDoc, op.name).toMatch(/MACs/);
      expect(op.examples.length, op.name).toBeGreaterThanOrEqual(1);
      expect(op.examples.length, op.name).toBeLessThanOrEqual(3);
      for (const a of op.attrs) expect(a.doc.length, `${op.name}.${a.name}`).toBeGreaterThan(5);
    }
  });
});
