/** Every op's documented examples run through the whole compiler (parser, elaboration, checker). */
import { describe, expect, it } from 'vitest';
import { allOps } from '../../src/ops/registry.js';
import { checkText, errors } from '../helpers/compile.js';
import { formatDim } from '../../src/symbolic/dim.js';

const shape = (s: readonly (number | string)[]) => `[${s.join(', ')}]`;

describe('op examples', () => {
  for (const op of allOps()) {
    it(`${op.name} has documentation and examples`, () => {
      expect(op.doc.length).toBeGreaterThan(20);
      expect(op.costDoc.length).toBeGreaterThan(5);
      expect(op.examples.length).toBeGreaterThan(0);
      for (const a of op.attrs) expect(a.doc.length, `${op.name}.${a.name}`).toBeGreaterThan(3);
    });
    op.examples.forEach((ex, i) => {
      it(`${op.name} example ${i + 1}: ${ex.call}`, () => {
        const ins = ex.inputs.map((s, j) => `${j === 0 ? 'x' : `x${j}`}: ${ex.dtype && j === 0 ? ex.dtype : ''}${shape(s)}`).join(', ');
        const src = `model T(${ins}) {\n  y = x -> ${ex.call}\n  return y\n}\n`;
        const r = checkText(src);
        expect(errors(r), src).toEqual([]);
        const m = r.models[0]!;
        const out = m.graph.tensors[m.graph.outputs[0]!.tensor]!.type.shape.map((d) => (typeof d === "number" ? d : formatDim(d)));
        expect(out).toEqual([...ex.output]);
        if (ex.params !== undefined) expect(m.totals.params).toBe(ex.params);
        if (ex.macs !== undefined) expect(m.totals.macs).toBe(ex.macs);
      });
    });
  }
});
