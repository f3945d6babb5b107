/**
 * textDocument/semanticTokens/full as a client decodes it (relative lines and columns, the legend of the
 * `initialize` answer), from `node bin/dslc.cjs lsp --stdio` (needs the build). Neovim colours `.nn` files
 * from these tokens alone, so keywords, numbers, strings, comments and operators must be among them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYWORD_WORDS } from '../src/syntax/lexer.js';
// @ts-expect-error: plain ESM helper shared with bench/lsp.mjs
import { ROOT, posAt, startClient, uriOf } from './helpers/lsp-client.mjs';

type Client = Awaited<ReturnType<typeof startClient>>;
interface Decoded {
  line: number;
  col: number;
  text: string;
  /** `type` or `type.modifier…`. */
  kind: string;
}

const files = [...readdirSync(join(ROOT, 'examples')).map((f) => `examples/${f}`), ...readdirSync(join(ROOT, 'stdlib')).map((f) => `stdlib/${f}`)].filter((f) => f.endsWith('.nn')).sort();

const SAMPLE = [
  '# Budget for a small net.',
  'from std.resnet import basic_stage as stage',
  'const WIDTH = 16',
  'model Net(x: [N, 3, 32, 32]) -> (logits: [N, 10]) {',
  '  h = x -> conv2d(WIDTH, 3, padding=1, name="stem") -> relu()  # the stem',
  '  logits = h -> stage(WIDTH, 1) -> adaptive_avg_pool2d(1) -> flatten() -> dense(10)',
  '  assert params <= 12M and rf(h) >= 3, "small"',
  '  return logits',
  '}',
  '',
].join('\n');

describe('semantic tokens over the protocol', () => {
  let c: Client;
  let legend: { tokenTypes: string[]; tokenModifiers: string[] };
  beforeAll(async () => {
    c = await startClient({ initializationOptions: { warmUp: false, diagnosticsCache: false } });
    legend = c.init.capabilities.semanticTokensProvider.legend;
  });
  afterAll(async () => {
    await c?.stop();
  });

  /** The tokens of `uri` as a client reads them, checked to be well formed against `text` (the document's current text). */
  async function decoded(uri: string, text: string): Promise<Decoded[]> {
    const { data } = (await c.request('textDocument/semanticTokens/full', { textDocument: { uri } })) as { data: number[] };
    expect(data.length % 5).toBe(0);
    const lines = text.split(/\r\n|\r|\n/);
    const out: Decoded[] = [];
    let line = 0;
    let col = 0;
    let end = 0;
    for (let i = 0; i < data.length; i += 5) {
      const [dl, dc, len, type, mods] = data.slice(i, i + 5) as [number, number, number, number, number];
      // Sorted and never overlapping: a token on the same line starts at or after the last one's end.
      if (dl) {
        line += dl;
        col = dc;
      } else {
        col += dc;
        expect(col, `token ${i / 5} on line ${line}`).toBeGreaterThanOrEqual(end);
      }
      expect(len).toBeGreaterThan(0);
      expect(col + len, `token ${i / 5} on line ${line} ends within it`).toBeLessThanOrEqual(lines[line]!.length);
      end = col + len;
      const names = legend.tokenModifiers.filter((_, b) => mods & (1 << b));
      out.push({ line, col, text: lines[line]!.slice(col, end), kind: [legend.tokenTypes[type]!, ...names].join('.') });
    }
    for (const t of out) {
      const type = t.kind.split('.')[0];
      if (type === 'comment') expect(t.text).toMatch(/^#/);
      else if (type === 'string') expect(t.text).toMatch(/^["']/);
      else if (type === 'number') expect(t.text).toMatch(/^[\d.]/);
      else if (type === 'keyword') expect(KEYWORD_WORDS).toContain(t.text);
      else if (type === 'operator') expect(t.text).toMatch(/^[-+*/%=<>!.]+$/);
      else expect(t.text).toMatch(/^[A-Za-z_]\w*$/);
    }
    return out;
  }
  const onLine = (toks: Decoded[], line: number) => toks.filter((t) => t.line === line).map((t) => `${t.text} ${t.kind}`);

  it('the legend lists only what is sent: keywords, numbers, strings, comments, operators, module paths and names', async () => {
    const uri = uriOf(join(ROOT, 'tokens-sample.nn'));
    expect((await c.openAndCheck(uri, SAMPLE)).diagnostics).toEqual([]);
    const toks = await decoded(uri, SAMPLE);
    expect(new Set(toks.map((t) => t.kind.split('.')[0]))).toEqual(new Set(legend.tokenTypes));
    expect(legend.tokenTypes).not.toContain('macro');
    expect(onLine(toks, 0)).toEqual(['# Budget for a small net. comment']);
    expect(onLine(toks, 1)).toEqual(['from keyword', 'std namespace', 'resnet namespace', 'import keyword', 'basic_stage class', 'as keyword', 'stage class.declaration']);
    expect(onLine(toks, 3)).toEqual([
      'model keyword', 'Net type.declaration', 'x parameter.declaration', 'N parameter.declaration', '3 number', '32 number', '32 number', '-> operator',
      'logits parameter.declaration', 'N parameter', '10 number',
    ]);
    expect(onLine(toks, 4).slice(-4)).toEqual(['"stem" string', '-> operator', 'relu function.defaultLibrary', '# the stem comment']);
    expect(onLine(toks, 6)).toEqual([
      'assert keyword', 'params variable.readonly.defaultLibrary', '<= operator', '12M number', 'and keyword', 'rf function.defaultLibrary', 'h variable', '>= operator', '3 number',
      '"small" string',
    ]);
    await c.close(uri);
  });

  it('between an edit and its check, the tokens mapped onto the new text stay sorted, apart and on their text', async () => {
    const uri = uriOf(join(ROOT, 'tokens-edit.nn'));
    await c.openAndCheck(uri, SAMPLE);
    // Inside a line: the tokens of the changed region wait for the check, the rest of the line moves.
    const at = SAMPLE.indexOf('WIDTH, 3') + 'WIDTH'.length;
    const v = c.change(uri, [{ range: { start: posAt(SAMPLE, at), end: posAt(SAMPLE, at) }, text: ' * 2' }]);
    const edited = `${SAMPLE.slice(0, at)} * 2${SAMPLE.slice(at)}`;
    const toks = await decoded(uri, edited);
    expect(onLine(toks, 4)).toEqual(expect.arrayContaining(['h variable.declaration', 'conv2d function.defaultLibrary', '"stem" string', '# the stem comment']));
    await c.nextDiagnostics(uri, 10000, v);
    // A line typed above everything: every token one line down. (The typed `# new` shares its `# ` with the
    // comment below it, which is thus inside the changed region and waits for the check with it.)
    c.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# new\n' }]);
    const twice = `# new\n${edited}`;
    const moved = await decoded(uri, twice);
    expect(moved[0]).toMatchObject({ line: 2, text: 'from' });
    expect(onLine(moved, 4).slice(0, 2)).toEqual(['model keyword', 'Net type.declaration']);
    await c.close(uri);
  });

  it('a name edited shorter before its check has no token over the text after it (its old length was kept: "g()" for relu)', async () => {
    const uri = uriOf(join(ROOT, 'tokens-shorter.nn'));
    await c.openAndCheck(uri, SAMPLE);
    const at = SAMPLE.indexOf('relu');
    c.change(uri, [{ range: { start: posAt(SAMPLE, at), end: posAt(SAMPLE, at + 4) }, text: 'g' }]);
    const edited = `${SAMPLE.slice(0, at)}g${SAMPLE.slice(at + 4)}`;
    // (decoded checks each name token's text is a name; the edited one waits for the check.)
    const toks = await decoded(uri, edited);
    expect(onLine(toks, 4)).toEqual(expect.arrayContaining(['conv2d function.defaultLibrary', '# the stem comment']));
    expect(onLine(toks, 4).some((t) => t.startsWith('g '))).toBe(false);
    await c.close(uri);
  });

  it.each(files)('%s: well formed as a client decodes them, with a keyword and a number', async (f) => {
    const text = readFileSync(join(ROOT, f), 'utf8');
    const uri = uriOf(join(ROOT, f));
    await c.openAndCheck(uri, text);
    const toks = await decoded(uri, text);
    expect(toks.some((t) => t.kind === 'keyword')).toBe(true);
    expect(toks.some((t) => t.kind === 'number')).toBe(true);
    await c.close(uri);
  });
});
