/**
 * Selection ranges (src/service/selection.ts, "expand selection"): from the token under the cursor outwards,
 * each range strictly containing the one before and the last the whole file, on hand-picked places and on every
 * offset of every example; through the spawned server as nested LSP SelectionRanges.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rangesAt } from '../src/service/index.js';
import { parseSource } from '../src/syntax/parse.js';
import { sourceFile } from '../src/syntax/source.js';
// @ts-expect-error: plain ESM helper shared with bench/lsp.mjs
import { ROOT, posAt, startClient, uriOf } from './helpers/lsp-client.mjs';

const TEXT = `from std.resnet import basic_block as bb
const C = 16
block stem(x: Tensor, c: int = C) -> Tensor {
  return x -> conv2d(c, 3, padding=1) -> relu
}
model M(x: [N, 3, 32, 32]) -> (y: [N, 10]) {
  h = x -> stem(c=C * 2) -> bb(32)
  if C > 8 {
    h = h -> relu
  }
  return h -> global_avg_pool -> flatten -> dense(10)
}
`;
const ranges = (text: string, o: number) => rangesAt(parseSource(sourceFile('t.nn', text)).result, text.length, o).map((r) => text.slice(r.start, r.end));

describe('selection ranges', () => {
  it('grow from the token through arguments, calls, chains, statements and declarations to the file', () => {
    const at = (needle: string, k = 0) => TEXT.indexOf(needle) + k;
    expect(ranges(TEXT, at('padding=1', 2)).slice(0, 5)).toEqual(['padding', 'padding=1', 'conv2d(c, 3, padding=1)', 'x -> conv2d(c, 3, padding=1) -> relu', 'return x -> conv2d(c, 3, padding=1) -> relu']);
    expect(ranges(TEXT, at('C * 2')).slice(0, 6)).toEqual(['C', 'C * 2', 'c=C * 2', 'stem(c=C * 2)', 'x -> stem(c=C * 2) -> bb(32)', 'h = x -> stem(c=C * 2) -> bb(32)']);
    const inIf = ranges(TEXT, at('h -> relu', 6));
    expect(inIf.slice(0, 4)).toEqual(['relu', 'h -> relu', 'h = h -> relu', expect.stringMatching(/^if C > 8 \{[\s\S]*\}$/)]);
    expect(inIf.at(-2)).toMatch(/^model M[\s\S]*\}$/);
    expect(inIf.at(-1)).toBe(TEXT);
    expect(ranges(TEXT, at('32, 32]', 1)).slice(0, 4)).toEqual(['32', '[N, 3, 32, 32]', 'x: [N, 3, 32, 32]', expect.stringMatching(/^model M/)]);
    expect(ranges(TEXT, at('int = C', 7)).slice(0, 3)).toEqual(['C', 'c: int = C', expect.stringMatching(/^block stem/)]);
    expect(ranges(TEXT, at('as bb', 4)).slice(0, 3)).toEqual(['bb', 'basic_block as bb', 'from std.resnet import basic_block as bb']);
    expect(ranges(TEXT, at('std.resnet', 3)).slice(0, 2)).toEqual(['std.resnet', 'from std.resnet import basic_block as bb']);
    expect(ranges(TEXT, at('model M', 7))).toEqual(['M', expect.stringMatching(/^model M/), TEXT]);
    // Between declarations, only the file.
    expect(ranges(TEXT, TEXT.indexOf('\nmodel'))).toEqual([expect.stringMatching(/^block stem/), TEXT]);
  });

  it('on every offset of every example and stdlib module: nested, growing, holding the offset, ending at the file', () => {
    const files = ['examples', 'stdlib'].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.nn')).map((f) => readFileSync(join(ROOT, d, f), 'utf8')));
    let checked = 0;
    for (const text of files) {
      const ast = parseSource(sourceFile('t.nn', text)).result;
      for (let o = 0; o <= text.length; o += 3) {
        const rs = rangesAt(ast, text.length, o);
        expect(rs.at(-1)).toEqual({ start: 0, end: text.length });
        for (let i = 0; i < rs.length; i++) {
          expect(rs[i]!.start <= o && o <= rs[i]!.end).toBe(true);
          if (i) expect(rs[i]!.start <= rs[i - 1]!.start && rs[i]!.end >= rs[i - 1]!.end && rs[i]!.end - rs[i]!.start > rs[i - 1]!.end - rs[i - 1]!.start).toBe(true);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20000);
  });

  it('answers textDocument/selectionRange in the spawned server as nested ranges', async () => {
    const c = await startClient({ initializationOptions: { warmUp: false } });
    try {
      expect(c.init.capabilities.selectionRangeProvider).toBeTruthy();
      const uri = uriOf(join(ROOT, 'sel.nn'));
      await c.openAndCheck(uri, TEXT);
      const o = TEXT.indexOf('padding=1') + 2;
      const [sel] = (await c.request('textDocument/selectionRange', { textDocument: { uri }, positions: [posAt(TEXT, o)] })) as { range: { start: { line: number; character: number }; end: { line: number; character: number } }; parent?: unknown }[];
      const chain: string[] = [];
      const lines = TEXT.split('\n');
      const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
      for (let s = sel as { range: { start: { line: number; character: number }; end: { line: number; character: number } }; parent?: unknown } | undefined; s; s = s.parent as typeof s) chain.push(TEXT.slice(offset(s.range.start), offset(s.range.end)));
      expect(chain).toEqual(ranges(TEXT, o));
      // Asked right after an edit, before the server checks it (debounced): the ranges are the new text's.
      const edited = TEXT.replace('conv2d(c, 3', 'conv2d(channels_in_use, 3');
      const at = TEXT.indexOf('conv2d(c, 3') + 'conv2d('.length;
      c.change(uri, [{ range: { start: posAt(TEXT, at), end: posAt(TEXT, at + 1) }, text: 'channels_in_use' }]);
      const o2 = edited.indexOf('padding=1') + 2;
      const [now] = (await c.request('textDocument/selectionRange', { textDocument: { uri }, positions: [posAt(edited, o2)] })) as typeof sel[];
      const lines2 = edited.split('\n');
      const offset2 = (p: { line: number; character: number }) => lines2.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
      expect(edited.slice(offset2(now!.range.start), offset2(now!.range.end))).toBe('padding');
      expect(edited.slice(offset2((now!.parent as typeof sel)!.range.start), offset2((now!.parent as typeof sel)!.range.end))).toBe('padding=1');
      await expect(c.request('textDocument/selectionRange', { textDocument: { uri } })).rejects.toMatchObject({ code: -32602 });
    } finally {
      await c.stop();
    }
  });
});
