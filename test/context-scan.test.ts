/** The completion context's text scans: line starts for every line ending, and where a body encloses the cursor. */
import { describe, expect, it } from 'vitest';
import { inBody, lineStartOf } from '../src/service/context.js';

describe('context scans', () => {
  it('a line starts after \\n, \\r\\n or a lone \\r', () => {
    const text = 'a\nbb\r\ncc\rdd';
    expect([0, 1, 2, 4, 5, 7, 8, 9, 11].map((o) => lineStartOf(text, o))).toEqual([0, 0, 2, 2, 5, 6, 6, 9, 9]);
  });

  it('a body is found around the cursor; at the top level after declarations, none (also after one left open above)', () => {
    const model = 'model M(x: [1, 3]) {\n  y = x -> relu\n  return y\n}\n';
    expect(inBody(model, model.indexOf('return'))).toBe(true);
    expect(inBody(`${model}\n`, model.length + 1)).toBe(false);
    // A block left open above a finished model: the blank line after the model is at the top level.
    const open = `block b(x: Tensor) {\n  y = x ->\n${model}\n`;
    expect(inBody(open, open.length)).toBe(false);
    // Inside the model after it, still its body.
    expect(inBody(open, open.indexOf('return'))).toBe(true);
  });
});
