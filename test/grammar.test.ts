/**
 * Keeps grammar/nn.ebnf and grammar/nn.tmLanguage.json in sync with the parser and lexer:
 * - every parser rule has an EBNF production of the same name and structure (from Chevrotain's GAST);
 * - every token has a lexical production, accepting the same texts as the lexer's regular expression;
 * - the TextMate grammar is valid, its regexes compile in JavaScript, it knows every keyword and
 *   scopes the constructs an editor should colour, and it reads each token as the lexer does (a keyword
 *   in a shape or as a chain step is a keyword, a builtin in a `where` clause a builtin);
 * - sample programs parse, and broken ones do not.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, parseModule } from '../src/api.js';
import { DTYPE_BYTES } from '../src/ops/types.js';
import { BUILTINS } from '../src/semantics/builtins.js';
import { memoryHost } from '../src/semantics/modules.js';
import { ALL_TOKENS, KEYWORD_WORDS, nnLexer } from '../src/syntax/lexer.js';
import { getParser } from '../src/syntax/parser.js';

const ROOT = resolve(import.meta.dirname, '..');
const EBNF_TEXT = readFileSync(join(ROOT, 'grammar/nn.ebnf'), 'utf8');
const TM_TEXT = readFileSync(join(ROOT, 'grammar/nn.tmLanguage.json'), 'utf8');
const DOC_TEXT = readFileSync(join(ROOT, 'docs/language.md'), 'utf8');

// ---------------------------------------------------------------------------------------------------
// A small reader for W3C-style EBNF.

type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'opt' | 'star' | 'plus'; body: Node }
  | { t: 'ref'; name: string }
  | { t: 'lit'; text: string }
  | { t: 'class'; src: string }
  | { t: 'char'; code: number };

interface Production {
  readonly name: string;
  readonly body: Node;
  readonly text: string;
}

function readEbnf(text: string): Production[] {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  const tokRe = /\s*(?:(::=)|([A-Za-z_][A-Za-z0-9_]*)|('[^']*'|"[^"]*")|(\[\^?(?:[^\]])*\])|(#x[0-9A-Fa-f]+)|([|?*+()]))/y;
  type Tok = { kind: 'def' | 'name' | 'lit' | 'class' | 'char' | 'op'; text: string };
  const toks: Tok[] = [];
  let pos = 0;
  for (;;) {
    tokRe.lastIndex = pos;
    const m = tokRe.exec(src);
    if (!m) break;
    pos = tokRe.lastIndex;
    const kind = m[1] ? 'def' : m[2] ? 'name' : m[3] ? 'lit' : m[4] ? 'class' : m[5] ? 'char' : 'op';
    toks.push({ kind, text: (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6])! });
  }
  if (src.slice(pos).trim() !== '') throw new Error(`nn.ebnf: cannot read ${JSON.stringify(src.slice(pos, pos + 40))}`);
  const prods: Production[] = [];
  let i = 0;
  const startsProduction = (k: number) => toks[k]?.kind === 'name' && toks[k + 1]?.kind === 'def';
  const alt = (): Node => {
    const alts = [seq()];
    while (toks[i]?.text === '|' && toks[i]?.kind === 'op') {
      i++;
      alts.push(seq());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  };
  const seq = (): Node => {
    const items: Node[] = [];
    for (;;) {
      const tk = toks[i];
      if (!tk || startsProduction(i) || (tk.kind === 'op' && (tk.text === '|' || tk.text === ')'))) break;
      items.push(postfix());
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  };
  const postfix = (): Node => {
    let n = atom();
    while (toks[i]?.kind === 'op' && ['?', '*', '+'].includes(toks[i]!.text)) {
      const op = toks[i++]!.text;
      n = { t: op === '?' ? 'opt' : op === '*' ? 'star' : 'plus', body: n };
    }
    return n;
  };
  const atom = (): Node => {
    const tk = toks[i++];
    if (!tk) throw new Error('nn.ebnf: unexpected end');
    switch (tk.kind) {
      case 'name':
        return { t: 'ref', name: tk.text };
      case 'lit':
        return { t: 'lit', text: tk.text.slice(1, -1) };
      case 'class':
        return { t: 'class', src: tk.text };
      case 'char':
        return { t: 'char', code: parseInt(tk.text.slice(2), 16) };
      case 'op':
        if (tk.text === '(') {
          const n = alt();
          if (toks[i++]?.text !== ')') throw new Error('nn.ebnf: missing )');
          return n;
        }
    }
    throw new Error(`nn.ebnf: unexpected ${tk.text}`);
  };
  while (i < toks.length) {
    if (!startsProduction(i)) throw new Error(`nn.ebnf: expected a production at ${toks[i]!.text}`);
    const name = toks[i]!.text;
    const from = i;
    i += 2;
    const body = alt();
    prods.push({ name, body, text: toks.slice(from, i).map((t) => t.text).join(' ') });
  }
  return prods;
}

const PRODUCTIONS = readEbnf(EBNF_TEXT);
const BY_NAME = new Map(PRODUCTIONS.map((p) => [p.name, p]));
const isSyntactic = (name: string) => /^[a-z]/.test(name);
const SYNTACTIC = PRODUCTIONS.filter((p) => isSyntactic(p.name));
const LEXICAL = PRODUCTIONS.filter((p) => !isSyntactic(p.name));
const TOKEN_NAMES = new Set(ALL_TOKENS.map((t) => t.name));

function refs(n: Node, out = new Set<string>()): Set<string> {
  switch (n.t) {
    case 'seq':
      n.items.forEach((x) => refs(x, out));
      break;
    case 'alt':
      n.alts.forEach((x) => refs(x, out));
      break;
    case 'opt':
    case 'star':
    case 'plus':
      refs(n.body, out);
      break;
    case 'ref':
      out.add(n.name);
  }
  return out;
}

function literals(n: Node, out: string[] = []): string[] {
  if (n.t === 'lit') out.push(n.text);
  else if (n.t === 'seq') n.items.forEach((x) => literals(x, out));
  else if (n.t === 'alt') n.alts.forEach((x) => literals(x, out));
  else if (n.t === 'opt' || n.t === 'star' || n.t === 'plus') literals(n.body, out);
  return out;
}

/** The token a literal lexes to (`'->'` → Arrow, `'model'` → Model). */
function tokenOf(literal: string): string {
  const r = nnLexer.tokenize(literal);
  if (r.errors.length || r.tokens.length !== 1) throw new Error(`'${literal}' is not a single token`);
  return r.tokens[0]!.tokenType.name;
}

// A canonical form shared by EBNF productions and Chevrotain's serialized GAST.
type Canon = string | { seq: Canon[] } | { alt: Canon[] } | { opt: Canon } | { star: Canon } | { plus: Canon };

function mkSeq(items: Canon[]): Canon {
  const flat = items.flatMap((x) => (typeof x === 'object' && 'seq' in x ? x.seq : [x]));
  return flat.length === 1 ? flat[0]! : { seq: flat };
}

function canonEbnf(n: Node): Canon {
  switch (n.t) {
    case 'seq':
      return mkSeq(n.items.map(canonEbnf));
    case 'alt':
      return { alt: n.alts.map(canonEbnf) };
    case 'opt':
      return { opt: canonEbnf(n.body) };
    case 'star':
      return { star: canonEbnf(n.body) };
    case 'plus':
      return { plus: canonEbnf(n.body) };
    case 'ref':
      return isSyntactic(n.name) ? `rule:${n.name}` : `token:${n.name}`;
    case 'lit':
      return `token:${tokenOf(n.text)}`;
    default:
      throw new Error(`character class in a syntactic production: ${JSON.stringify(n)}`);
  }
}

interface Gast {
  type: string;
  name?: string;
  definition?: Gast[];
}

function canonGast(n: Gast): Canon {
  const body = () => mkSeq((n.definition ?? []).map(canonGast));
  switch (n.type) {
    case 'Rule':
    case 'Alternative':
      return body();
    case 'Terminal':
      return `token:${n.name}`;
    case 'NonTerminal':
      return `rule:${n.name}`;
    case 'Option':
      return { opt: body() };
    case 'Repetition':
      return { star: body() };
    case 'RepetitionMandatory':
      return { plus: body() };
    case 'Alternation':
      return { alt: (n.definition ?? []).map(canonGast) };
  }
  throw new Error(`unexpected GAST node ${n.type}`);
}

// ---------------------------------------------------------------------------------------------------
// Lexical productions → JavaScript regular expressions.

function classToRegex(src: string): string {
  const neg = src.startsWith('[^');
  let body = src.slice(neg ? 2 : 1, -1);
  body = body.replace(/#x([0-9A-Fa-f]+)|([\\\]\[^])|(.)/gu, (_, hex: string | undefined, special: string | undefined, ch: string | undefined) => {
    if (hex) return `\\u{${hex}}`;
    if (special) return `\\${special}`;
    return ch!;
  });
  return `[${neg ? '^' : ''}${body}]`;
}

function toRegex(n: Node, depth = 0): string {
  if (depth > 20) throw new Error('recursive lexical production');
  switch (n.t) {
    case 'seq':
      return n.items.map((x) => toRegex(x, depth)).join('');
    case 'alt':
      return `(?:${n.alts.map((x) => toRegex(x, depth)).join('|')})`;
    case 'opt':
      return `(?:${toRegex(n.body, depth)})?`;
    case 'star':
      return `(?:${toRegex(n.body, depth)})*`;
    case 'plus':
      return `(?:${toRegex(n.body, depth)})+`;
    case 'lit':
      return n.text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    case 'class':
      return classToRegex(n.src);
    case 'char':
      return `\\u{${n.code.toString(16)}}`;
    case 'ref': {
      const p = BY_NAME.get(n.name);
      if (!p) throw new Error(`unknown production ${n.name}`);
      return `(?:${toRegex(p.body, depth + 1)})`;
    }
  }
}

const isSingleLiteral = (p: Production) => p.body.t === 'lit';

// ---------------------------------------------------------------------------------------------------
// A small TextMate tokenizer (match, begin/end, captures, include), enough to test the scopes.

interface TmRule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Record<string, { name?: string }>;
  beginCaptures?: Record<string, { name?: string }>;
  endCaptures?: Record<string, { name?: string }>;
  patterns?: TmRule[];
  include?: string;
  comment?: string;
}

interface TmGrammar {
  scopeName: string;
  fileTypes: string[];
  patterns: TmRule[];
  repository: Record<string, TmRule>;
}

const TM = JSON.parse(TM_TEXT) as TmGrammar;

function expand(g: TmGrammar, rules: readonly TmRule[], seen = new Set<TmRule>()): TmRule[] {
  const out: TmRule[] = [];
  for (const r of rules) {
    if (r.include) {
      const target = r.include === '$self' || r.include === '$base' ? { patterns: g.patterns } : g.repository[r.include.slice(1)];
      if (!target) throw new Error(`unknown include ${r.include}`);
      if (seen.has(target)) continue;
      const next = new Set(seen).add(target);
      out.push(...(target.match || target.begin ? [target] : expand(g, target.patterns ?? [], next)));
    } else if (r.match || r.begin) out.push(r);
    else out.push(...expand(g, r.patterns ?? [], seen));
  }
  return out;
}

/** Scopes of every character of `text` (lines tokenized one by one, each with its '\n', as editors do). */
function tokenize(g: TmGrammar, text: string): string[][] {
  const scopes: string[][] = [];
  const stack: { rule: TmRule; end: RegExp; scopes: string[] }[] = [];
  const root = [g.scopeName];
  // Oniguruma's ^ and $ match at line boundaries.
  const re = (src: string) => new RegExp(src, 'dgm');
  const apply = (from: number, to: number, s: string[]) => {
    for (let k = from; k < to; k++) scopes[k] = s;
  };
  const applyCaptures = (m: RegExpExecArray, base: number, caps: TmRule['captures'], s: string[]) => {
    if (!caps) return;
    const idx = m.indices!;
    for (const [k, v] of Object.entries(caps)) {
      const span = idx[Number(k)];
      if (span && v.name) for (let c = span[0]; c < span[1]; c++) scopes[base + c] = [...(scopes[base + c] ?? s), v.name];
    }
  };
  let offset = 0;
  for (const rawLine of text.split('\n')) {
    const line = `${rawLine}\n`;
    let pos = 0;
    let guard = 0;
    while (pos < line.length) {
      if (++guard > 10_000) throw new Error('tokenizer loop');
      const top = stack[stack.length - 1];
      const cur = top ? top.scopes : root;
      const rules = expand(g, top ? (top.rule.patterns ?? []) : g.patterns);
      let best: { m: RegExpExecArray; rule?: TmRule } | undefined;
      if (top) {
        top.end.lastIndex = pos;
        const m = top.end.exec(line);
        if (m) best = { m };
      }
      for (const r of rules) {
        const x = re((r.match ?? r.begin)!);
        x.lastIndex = pos;
        const m = x.exec(line);
        if (m && (!best || m.index < best.m.index)) best = { m, rule: r };
      }
      if (!best) {
        apply(offset + pos, offset + line.length, cur);
        break;
      }
      const { m, rule } = best;
      apply(offset + pos, offset + m.index, cur);
      const mEnd = m.index + m[0].length;
      if (!rule) {
        // End of the current begin/end rule.
        const s = top!.scopes.slice(0, top!.rule.contentName ? -1 : undefined);
        apply(offset + m.index, offset + mEnd, s);
        applyCaptures(m, offset, top!.rule.endCaptures ?? top!.rule.captures, s);
        stack.pop();
        pos = mEnd;
        continue;
      }
      const s = rule.name ? [...cur, rule.name] : cur;
      apply(offset + m.index, offset + mEnd, s);
      if (rule.match) {
        applyCaptures(m, offset, rule.captures, s);
        pos = mEnd > pos ? mEnd : pos + 1;
        if (mEnd === m.index) apply(offset + m.index, offset + pos, cur);
      } else {
        applyCaptures(m, offset, rule.beginCaptures ?? rule.captures, s);
        stack.push({ rule, end: re(rule.end!), scopes: rule.contentName ? [...s, rule.contentName] : s });
        pos = mEnd;
      }
    }
    offset += line.length;
  }
  return scopes;
}

/**
 * The scopes of each character of the `nth` occurrence of `needle` in `text`; a RegExp needle selects its
 * first capture group (`/\b(as)\b/`).
 */
function scopesOf(text: string, needle: string | RegExp, nth = 0): string[][] {
  const all = tokenize(TM, text);
  const re = typeof needle === 'string' ? new RegExp(`(${needle.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')})`, 'dg') : new RegExp(needle.source, `dg${needle.flags.replace(/[dg]/g, '')}`);
  const m = [...text.matchAll(re)][nth];
  if (!m) throw new Error(`${String(needle)} not found`);
  const [from, to] = m.indices![1]!;
  return all.slice(from, to);
}

function expectScope(text: string, needle: string | RegExp, scope: string, nth = 0): void {
  const s = scopesOf(text, needle, nth);
  for (const [k, chars] of s.entries()) expect(chars, `${String(needle)}[${k}] in ${JSON.stringify(text)}`).toContain(scope);
}

function tmRegexes(g: TmGrammar): { where: string; src: string }[] {
  const out: { where: string; src: string }[] = [];
  const visit = (r: TmRule, where: string) => {
    for (const k of ['match', 'begin', 'end'] as const) if (r[k] !== undefined) out.push({ where: `${where}.${k}`, src: r[k]! });
    r.patterns?.forEach((p, i) => visit(p, `${where}.patterns[${i}]`));
  };
  g.patterns.forEach((p, i) => visit(p, `patterns[${i}]`));
  for (const [k, r] of Object.entries(g.repository)) visit(r, `repository.${k}`);
  return out;
}

// ---------------------------------------------------------------------------------------------------

describe('grammar/nn.ebnf', () => {
  const parser = getParser();
  const ruleNames = Object.keys(parser.getGAstProductions());
  const gast = parser.getSerializedGastProductions() as unknown as Gast[];

  it('has one production per parser rule, with the same names', () => {
    expect(ruleNames.length).toBeGreaterThan(20);
    expect(SYNTACTIC.map((p) => p.name).sort()).toEqual([...ruleNames].sort());
  });

  it('defines each production once', () => {
    const names = PRODUCTIONS.map((p) => p.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('references only productions it defines', () => {
    const missing: string[] = [];
    for (const p of PRODUCTIONS) for (const r of refs(p.body)) if (!BY_NAME.has(r)) missing.push(`${p.name} → ${r}`);
    expect(missing).toEqual([]);
  });

  it('uses only lexical productions inside lexical productions', () => {
    for (const p of LEXICAL) for (const r of refs(p.body)) expect(isSyntactic(r), `${p.name} → ${r}`).toBe(false);
  });

  it('reaches every production from the entry rules (module; statements, which the editor uses to re-parse a run of statements)', () => {
    const seen = new Set<string>(['module', 'statements']);
    const todo = ['module', 'statements'];
    while (todo.length) for (const r of refs(BY_NAME.get(todo.pop()!)!.body)) if (isSyntactic(r) && !seen.has(r)) todo.push(r), seen.add(r);
    expect(SYNTACTIC.map((p) => p.name).filter((n) => !seen.has(n))).toEqual([]);
  });

  it('has the structure of each parser rule (sequence, alternatives, options, repetitions, tokens)', () => {
    for (const rule of gast) {
      const p = BY_NAME.get(rule.name!);
      if (!p) continue; // reported by the name test
      expect(canonEbnf(p.body), `production ${rule.name}: ${p.text}`).toEqual(canonGast(rule));
    }
  });

  it('has a lexical production for every token, with the token names of lexer.ts', () => {
    const lexicalTokens = LEXICAL.filter((p) => !p.name.startsWith('_')).map((p) => p.name);
    expect(lexicalTokens.sort()).toEqual([...TOKEN_NAMES].sort());
  });

  it('spells keywords and punctuation as the lexer does', () => {
    for (const p of LEXICAL.filter(isSingleLiteral)) expect(tokenOf((p.body as { text: string }).text), p.name).toBe(p.name);
  });

  it('quotes every keyword of the lexer', () => {
    const quoted = new Set(PRODUCTIONS.flatMap((p) => literals(p.body)));
    for (const w of KEYWORD_WORDS) {
      expect(quoted.has(w), w).toBe(true);
      expect(SYNTACTIC.some((p) => literals(p.body).includes(w)), `${w} is used by a syntactic production`).toBe(true);
    }
  });

  describe('lexical productions accept the same texts as the lexer', () => {
    const samples: Record<string, string[]> = {
      NumberLit: ['0', '64', '1_000', '1_000_', '0.5', '.5', '5.', '1e-3', '1E+3', '2.5e2', '12M', '1.5K', '3G', '1T', '1e3K', '12Mb', '3x3', '0x10', '1..2', '1_', '_1', '1.2.3', '1e', '1eM', 'M'],
      BadNumber: ['12Mb', '3x3', '1.2.3', '0x10', '7_a', 'a7', '1'],
      Ident: ['x', '_', 'conv2d', 'Tensor', '_a1', '1a', 'a-b', 'a.b', 'é'],
      StringLit: ['""', "''", '"a"', "'a'", '"a\\"b"', "'it\\'s'", '"a\nb"', '"\\', '"a\'', "'a\"'", '"abc'],
      UnterminatedString: ['"', '"abc', "'ab", '"a\\"', '"a"', '"a\nb'],
      Comment: ['#', '# note', '#a#b', '#a\nb', 'a#'],
      WhiteSpace: [' ', '\t\n', '\r\n', '\u00a0', '\ufeff', '', 'a'],
    };
    const alphabet = ['0', '1', '9', '_', '.', 'e', 'E', '+', '-', 'K', 'M', 'G', 'T', 'x', 'a', 'Z', '"', "'", '\\', '\n', '\r', ' ', '\t', '#', 'é', '\u2028'];
    for (const p of LEXICAL.filter((q) => TOKEN_NAMES.has(q.name) && !isSingleLiteral(q))) {
      it(p.name, () => {
        const token = ALL_TOKENS.find((t) => t.name === p.name)!;
        const lexer = new RegExp(`^(?:${(token.PATTERN as RegExp).source})$`, 'u');
        const ebnf = new RegExp(`^(?:${toRegex(p.body)})$`, 'u');
        for (const s of samples[p.name] ?? []) expect(ebnf.test(s), `${p.name} on ${JSON.stringify(s)}`).toBe(lexer.test(s));
        fc.assert(
          fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 10 }), (s) => ebnf.test(s) === lexer.test(s)),
          { numRuns: 3000 },
        );
      });
    }
  });
});

describe('grammar/nn.tmLanguage.json', () => {
  it('is a TextMate grammar for .nn files', () => {
    expect(TM.scopeName).toBe('source.nn');
    expect(TM.fileTypes).toContain('nn');
    expect(Array.isArray(TM.patterns)).toBe(true);
  });

  it('has regexes that compile in JavaScript (and in Unicode mode, which rejects Oniguruma-only escapes)', () => {
    const list = tmRegexes(TM);
    expect(list.length).toBeGreaterThan(20);
    for (const { where, src } of list) {
      expect(() => new RegExp(src), where).not.toThrow();
      expect(() => new RegExp(src, 'u'), where).not.toThrow();
      // Oniguruma syntax that JavaScript would read differently or not at all.
      expect(src, where).not.toMatch(/\(\?[imx]+[-:)]|\\[AzZGhH]|\(\?<[=!][^)]*[*+?{]/);
    }
  });

  it('includes only repository entries that exist', () => {
    const missing: string[] = [];
    const visit = (r: TmRule) => {
      if (r.include && r.include !== '$self' && r.include !== '$base' && !(r.include.slice(1) in TM.repository)) missing.push(r.include);
      r.patterns?.forEach(visit);
    };
    TM.patterns.forEach(visit);
    Object.values(TM.repository).forEach(visit);
    expect(missing).toEqual([]);
  });

  it('highlights exactly the keywords of the lexer', () => {
    const kw = expand(TM, TM.repository.keywords!.patterns!);
    for (const w of KEYWORD_WORDS) {
      const hit = kw.find((r) => {
        const m = new RegExp(r.match!).exec(w);
        return m?.[0] === w && m.index === 0;
      });
      expect(hit, `keyword '${w}'`).toBeDefined();
      expect(hit!.match, w).toContain(w);
      expect(hit!.name, w).toMatch(/^(keyword|storage|constant\.language)\./);
    }
    const words = kw.flatMap((r) => /\(\?:([a-z|]+)\)/.exec(r.match!)?.[1]?.split('|') ?? []);
    expect(words.sort()).toEqual([...KEYWORD_WORDS].sort());
  });

  it('knows the builtins of builtins.ts and the dtypes of the checker', () => {
    const text = JSON.stringify(TM.repository.builtins);
    for (const [name] of BUILTINS) expect(text, name).toMatch(new RegExp(`[(|:]${name}[|)]`));
    const types = JSON.stringify(TM.repository.types);
    for (const d of Object.keys(DTYPE_BYTES)) expect(types, d).toMatch(new RegExp(`[(|:]${d}[|)]`));
  });

  const SRC = [
    '# A tiny model',
    'from std.resnet import basic_block as bb',
    'const WIDTH = 1_000',
    'block unit(x: Tensor, channels: int = 64) -> Tensor {',
    '  return x -> conv2d(channels, 3, padding=1, name="conv") -> relu',
    '}',
    'model Net(x: [N, 3, H, W]) -> (logits: [N, 10]) where H % 32 == 0 {',
    '  h = x -> unit(WIDTH, trainable=false) -> global_avg_pool',
    "  y = h -> flatten -> dense(10, name='fc')",
    '  assert params < 12M and rf(h) >= 7, "too big"',
    '  assert x.shape[1] == 3',
    '  for i in 0..4 { frozen { y = y -> identity } }',
    '  return y',
    '}',
  ].join('\n');

  it('scopes comments, strings and numbers', () => {
    expectScope(SRC, '# A tiny model', 'comment.line.number-sign.nn');
    expectScope(SRC, '"conv"', 'string.quoted.double.nn');
    expectScope(SRC, "'fc'", 'string.quoted.single.nn');
    expectScope(SRC, '1_000', 'constant.numeric.decimal.nn');
    expectScope(SRC, /(12)M/, 'constant.numeric.decimal.nn');
    expectScope(SRC, /12(M)/, 'constant.numeric.suffix.nn');
    expectScope(SRC, /(0)\.\./, 'constant.numeric.decimal.nn');
    expectScope(SRC, '..', 'keyword.operator.range.nn');
    expectScope(SRC, /\.\.(4)/, 'constant.numeric.decimal.nn');
    expectScope('const a = 12Mb', '12Mb', 'invalid.illegal.numeric.nn');
    expectScope('const s = "open\nconst t = 1', '1', 'constant.numeric.decimal.nn');
  });

  it('scopes keywords', () => {
    expectScope(SRC, 'from', 'keyword.control.import.nn');
    expectScope(SRC, 'import', 'keyword.control.import.nn');
    expectScope(SRC, /\b(as)\b/, 'keyword.control.import.nn');
    expectScope(SRC, 'return', 'keyword.control.flow.nn');
    expectScope(SRC, 'where', 'keyword.control.nn');
    expectScope(SRC, 'assert', 'keyword.control.nn');
    expectScope(SRC, 'frozen', 'keyword.control.nn');
    expectScope(SRC, 'for', 'keyword.control.flow.nn');
    expectScope(SRC, /\b(in)\b/, 'keyword.control.flow.nn');
    expectScope(SRC, 'and', 'keyword.operator.logical.nn');
    expectScope(SRC, 'false', 'constant.language.nn');
    expectScope(SRC, /^(model)/m, 'storage.type.model.nn');
    expectScope(SRC, /^(block)/m, 'storage.type.block.nn');
    expectScope(SRC, 'const', 'storage.type.const.nn');
  });

  it('scopes declarations, parameters and shapes', () => {
    expectScope(SRC, 'Net', 'entity.name.type.model.nn');
    expectScope(SRC, /block (unit)/, 'entity.name.function.block.nn');
    expectScope(SRC, 'WIDTH', 'variable.other.constant.nn');
    expectScope(SRC, 'std.resnet', 'entity.name.namespace.nn');
    expectScope(SRC, 'channels', 'variable.parameter.nn');
    expectScope(SRC, 'Tensor', 'support.type.tensor.nn');
    expectScope(SRC, /\b(int)\b/, 'support.type.primitive.nn');
    expectScope(SRC, 'logits', 'variable.parameter.nn');
    expectScope(SRC, '[N, 3, H, W]', 'meta.shape.nn');
    expectScope(SRC, /\b(H)\b/, 'variable.other.dimension.nn');
    expectScope(SRC, '[', 'punctuation.definition.shape.begin.nn');
  });

  it('scopes chains, calls and keyword arguments', () => {
    expectScope(SRC, /\) (->) Tensor/, 'keyword.operator.arrow.nn');
    expectScope(SRC, /x (->) conv2d/, 'keyword.operator.chain.nn');
    expectScope(SRC, 'conv2d', 'entity.name.function.call.nn');
    expectScope(SRC, 'padding', 'variable.parameter.nn');
    expectScope(SRC, /\b(name)=/, 'variable.parameter.nn');
    expectScope(SRC, 'trainable', 'variable.parameter.nn');
    expectScope(SRC, /-> (relu)\n/, 'entity.name.function.nn');
    expectScope(SRC, 'global_avg_pool', 'entity.name.function.nn');
    expectScope(SRC, 'dense', 'entity.name.function.call.nn');
    expectScope(SRC, /\b(rf)\(/, 'support.function.builtin.nn');
    expectScope(SRC, /\b(params)\b/, 'support.variable.builtin.nn');
    // Compared with `==` (as every example's `assert params == …`), it is still the total, not a keyword argument.
    expectScope('model M(x: [1, 4]) {\n  assert params == 3 and macs==4\n  return x\n}\n', /\b(params) ==/, 'support.variable.builtin.nn');
    expectScope('model M(x: [1, 4]) {\n  assert params == 3 and macs==4\n  return x\n}\n', /\b(macs)==/, 'support.variable.builtin.nn');
    expectScope(SRC, 'shape', 'variable.other.property.nn');
    expectScope(SRC, /shape\[1\] (==)/, 'keyword.operator.comparison.nn');
    expect(scopesOf(SRC, /(h) = x/)[0]).not.toContain('variable.parameter.nn');
  });
});

describe('the TextMate grammar on the .nn files of the repository', () => {
  const files = ['examples', 'stdlib'].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.nn')).map((f) => join(d, f)));
  it.each(files)('%s: no illegal scopes, and every declaration is named', (f) => {
    const text = readFileSync(join(ROOT, f), 'utf8');
    const scopes = tokenize(TM, text);
    const bad = scopes.flatMap((s, i) => (s?.some((x) => x.startsWith('invalid.')) ? [i] : []));
    expect(bad.map((i) => text.slice(Math.max(0, i - 20), i + 20))).toEqual([]);
    for (const m of text.matchAll(/^(model|block) ([A-Za-z_]\w*)/dgm)) {
      const [from] = m.indices![2]!;
      expect(scopes[from], `${f}: ${m[0]}`).toContain(m[1] === 'model' ? 'entity.name.type.model.nn' : 'entity.name.function.block.nn');
    }
    // The body of the last declaration is back at the top level.
    expect(scopes[text.trimEnd().length - 1]).toContain('punctuation.section.block.end.nn');
  });
});

/**
 * Where the TextMate scopes of `text` contradict the lexer's tokens: a keyword not scoped as one, an
 * identifier scoped as a keyword, literal or comment, a builtin name not scoped as the builtin, a number,
 * string, comment, operator or punctuation without its scope. One line per token, for the failure message.
 */
function disagreements(text: string): string[] {
  const scopes = tokenize(TM, text);
  const lexed = nnLexer.tokenize(text);
  const keywordTokens = new Set(KEYWORD_WORDS.map((w) => w[0]!.toUpperCase() + w.slice(1)));
  const operators = new Set(['Arrow', 'DotDot', 'EqEq', 'NotEq', 'LtEq', 'GtEq', 'Lt', 'Gt', 'Assign', 'Plus', 'Minus', 'StarStar', 'Star', 'SlashSlash', 'Slash', 'Percent']);
  const punctuation = new Set(['Dot', 'LParen', 'RParen', 'LBracket', 'RBracket', 'LBrace', 'RBrace', 'Comma', 'Colon', 'Semi']);
  const out: string[] = [];
  for (const t of [...lexed.tokens, ...(lexed.groups.comments ?? [])]) {
    const name = t.tokenType.name;
    const s = scopes[t.startOffset] ?? [];
    const has = (re: RegExp) => s.some((x) => re.test(x));
    const report = (why: string) => out.push(`${why}: ${name} '${t.image}' at ${t.startLine}:${t.startColumn} has [${s.slice(1).join(' ')}] in ${JSON.stringify(text.split('\n')[t.startLine! - 1])}`);
    if (keywordTokens.has(name)) {
      if (!has(/^(keyword|storage|constant\.language)\./)) report('a keyword');
    } else if (name === 'Ident') {
      if (has(/^(keyword\.(control|operator\.logical)|storage\.|constant\.(language|numeric)|string\.|comment\.)/)) report('a name');
      // A builtin, unless it names a declaration, a member, a parameter or a keyword argument.
      const info = BUILTINS.get(t.image);
      const after = text.slice(t.endOffset! + 1);
      if (info && !/(?:\b(?:block|model)\s+|\.\s*)$/.test(text.slice(0, t.startOffset))) {
        if (!info.value && /^[ \t]*\(/.test(after) && !s.includes('support.function.builtin.nn')) report('a builtin function');
        if (info.value && !/^\s*(?:\(|=(?!=)|:)/.test(after) && !s.includes('support.variable.builtin.nn')) report('a builtin total');
      }
    } else if (name === 'NumberLit') {
      if (!has(/^constant\.numeric\./)) report('a number');
    } else if (name === 'StringLit') {
      if (!has(/^string\./)) report('a string');
    } else if (name === 'Comment') {
      if (!has(/^comment\./)) report('a comment');
    } else if (name === 'BadNumber' || name === 'UnterminatedString') {
      if (!has(/^invalid\./)) report('an error');
    } else if (operators.has(name)) {
      if (!has(/^keyword\.operator\./)) report('an operator');
    } else if (punctuation.has(name)) {
      // (The dots of an import's module path are part of its name.)
      if (!has(/^punctuation\./) && !(name === 'Dot' && has(/^entity\.name\.namespace\./))) report('punctuation');
    }
  }
  return out;
}

describe('the TextMate grammar reads tokens as the lexer does', () => {
  const files = ['examples', 'stdlib'].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.nn')).map((f) => join(d, f)));
  const docs = [...DOC_TEXT.matchAll(/```nn\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('on the .nn files of the repository and the examples of docs/language.md', () => {
    expect(files.length + docs.length).toBeGreaterThan(20);
    expect([...files.map((f) => readFileSync(join(ROOT, f), 'utf8')), ...docs].flatMap(disagreements)).toEqual([]);
  });

  // Each was read differently by the grammar and the lexer (some are not valid programs: the lexer's
  // tokens are what they are, and an editor colours a half-written line too).
  it.each([
    ['keywords inside a shape', 'model M(x: [N, 3, H, W]) -> [N, none] {\n  return x\n}\n'],
    ['keywords inside a shape (invalid, still keywords)', 'model M(x: [N, in, H, W]) -> (y: [N, 3 if true else 4], z: [not N, and, or]) {\n  return x\n}\n'],
    ['a string inside a shape', 'model M(x: [N, "a", 1_000, 12M]) {\n  return x\n}\n'],
    ['members inside a shape', 'model M(x: [N, 3, H, W], y: [N, x.shape]) {\n  return x\n}\n'],
    ['builtins inside `where` constraints', 'model M(x: [N, 3, H, W]) where H % 32 == 0 and max(H, W) <= 512, min(H, W) >= 8, not (W < 8) {\n  return x\n}\n'],
    ['builtins and members in parameter defaults and `where`', 'model M(x: [N, 3, 8, 8], k: int = int(2.5), m: int = len([1, 2])) where params < 10, rf(x) > 2, x.shape[1] == 3 {\n  return x\n}\n'],
    ['a builtin\'s name as a parameter', 'block b(x: Tensor, params: int = 3, macs: int = max(1, 2)) -> Tensor {\n  return x\n}\n'],
    ['builtins inside a shape', 'model M(x: [N, max(H, 3), H // 2, min(W, 4)], y: [N, len(x)]) {\n  return x\n}\n'],
    ['keywords as chain steps', 'model M(x: [N, 3, 8, 8]) {\n  y = x -> true -> false -> none\n  z = x -> not\n  return x -> return\n}\nconst A = [1, 2] -> none\n'],
    ['keywords as members and keyword arguments', 'model M(x: [N, 3, 8, 8]) {\n  y = x.in -> conv2d(3, 3, if=2, none=1)\n  return x\n}\n'],
    ['statements and numbers', 'model M(x: [N, 3, 8, 8]) {\n  for i in 0..3 { x = x -> conv2d(3, 3, padding=1) }\n  if true { x = x -> relu } else { x = x -> none }\n  repeat 2 { x = x -> relu }; assert not false, "no"\n  n = 1.5e3 + .5 + 0x10 + 1.5x + 12Mb\n  return x\n}\n'],
  ])('%s', (_what, text) => {
    expect(disagreements(text)).toEqual([]);
  });

  it('names the lexer\'s keywords exactly wherever a rule must not read a keyword as a name', () => {
    // (`-> none` is the keyword, not a layer; so are `x.in` and `f(if=1)` as the lexer reads them.)
    const lookaheads = tmRegexes(TM).flatMap(({ where, src }) => [...src.matchAll(/\(\?!\(\?:([a-z|]+)\)\\b\)/g)].map((m) => ({ where, words: m[1]!.split('|') })));
    expect(lookaheads.map((l) => l.where).sort()).toEqual(['repository.call.begin', 'repository.chain-step.match', 'repository.keyword-argument.match', 'repository.member.match']);
    for (const l of lookaheads) expect(l.words.sort(), l.where).toEqual([...KEYWORD_WORDS].sort());
  });

  it('scopes the keywords, builtins and strings it used to read as names', () => {
    expectScope('model M(x: [N, 3]) -> [N, none] {\n  return x\n}\n', 'none', 'constant.language.nn');
    expectScope('model M(x: [N, "a"]) {\n  return x\n}\n', '"a"', 'string.quoted.double.nn');
    expectScope('model M(x: [N, H]) where max(H, 2) > 1 {\n  return x\n}\n', 'max', 'support.function.builtin.nn');
    expectScope('model M(x: [N, H], k: int = int(2.5)) {\n  return x\n}\n', /= (int)\(/, 'support.function.builtin.nn');
    expectScope('model M(x: [N, H], k: int = int(2.5)) {\n  return x\n}\n', /: (int) =/, 'support.type.primitive.nn');
    expectScope('model M(x: [N, 3]) {\n  return x -> none\n}\n', 'none', 'constant.language.nn');
    expect(scopesOf('model M(x: [N, 3]) {\n  return x -> none\n}\n', 'none')[0]).not.toContain('entity.name.function.nn');
    // A name that begins with a keyword is a name.
    expectScope('model M(x: [N, 3]) {\n  return x -> none_of_them\n}\n', 'none_of_them', 'entity.name.function.nn');
    expectScope('model M(x: [N, 3]) {\n  return x -> conv2d(3, 1, in_channels=3)\n}\n', 'in_channels', 'variable.parameter.nn');
  });
});

describe('the parser on sample programs', () => {
  const ok = (src: string) => {
    const r = parseModule(src);
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`), src).toEqual([]);
    return r.result;
  };
  const fails = (src: string) => {
    const r = parseModule(src);
    expect(r.diagnostics.length, src).toBeGreaterThan(0);
    return r.diagnostics;
  };

  it('parses declarations', () => {
    const m = ok(`
      from std.resnet import basic_block, bottleneck as bn,
      from "./blocks.nn" import tower
      const C = 64
      # Doc of the block
      block b(x, c: int = C, act: layer = relu) -> Tensor { return x -> conv2d(c, 3) -> act }
      block two(a: Tensor, b: [N, C, H, W]) -> (Tensor, Tensor) { return a, b }
      model M(x: [N, 3, 224, 224], ids: int64[N, T],) -> (y: [N, 10], z: [N, T, 8]) where H % 32 == 0, W == 224 {
        return x, ids
      }
      model E(x: [1]) -> [1] { return x }
    `);
    expect(m.decls.map((d) => d.kind)).toEqual(['import', 'import', 'const', 'block', 'block', 'model', 'model']);
    const block = m.decls[3]!;
    expect(block.kind === 'block' && block.doc).toBe('Doc of the block');
  });

  it('parses statements and expressions', () => {
    ok(`model M(x: [N, 3, H, W]) {
      h = x -> conv2d(64, 7, stride=2, padding=3, bias=false,) -> batchnorm -> relu
      enc = dense(10, name="enc", trainable=false)
      pair = (h, h) -> add
      if h.shape[1] == 64 and not false { h = h -> relu } else if true { h = h } else { h = h }
      for i in 0..4 { h = h -> identity; }
      repeat 2 { frozen { h = h -> identity } }
      assert params < 12M, "budget"
      assert rf(h) >= [7, 7] or -2 ** 2 == -4 and 7 // 2 * 2 % 3 / 1 != 0.5e-3
      t = (); u = (h,); v = [1, 2, 3,]; w = v[-1]; s = 'single' + "double"; n = none
      return h, pair
    }`);
  });

  it('applies precedence (Python order; ** binds right; - binds looser than **)', () => {
    const value = (src: string) => {
      const d = ok(`const a = ${src}`).decls[0]!;
      return d.kind === 'const' ? d.value : undefined;
    };
    const shape = (e: unknown): unknown => {
      const x = e as { kind: string; op?: string; left?: unknown; right?: unknown; operand?: unknown; value?: number; name?: { text: string } };
      if (x.kind === 'binary') return [x.op, shape(x.left), shape(x.right)];
      if (x.kind === 'unary') return [x.op, shape(x.operand)];
      if (x.kind === 'num') return x.value;
      if (x.kind === 'name') return x.name!.text;
      return x.kind;
    };
    expect(shape(value('1 + 2 * 3'))).toEqual(['+', 1, ['*', 2, 3]]);
    expect(shape(value('1 - 2 - 3'))).toEqual(['-', ['-', 1, 2], 3]);
    expect(shape(value('2 ** 3 ** 2'))).toEqual(['**', 2, ['**', 3, 2]]);
    expect(shape(value('-a ** 2'))).toEqual(['-', ['**', 'a', 2]]);
    expect(shape(value('2 ** -a'))).toEqual(['**', 2, ['-', 'a']]);
    expect(shape(value('not a == b and c or d'))).toEqual(['or', ['and', ['not', ['==', 'a', 'b']], 'c'], 'd']);
    expect(shape(value('a + b < c * d'))).toEqual(['<', ['+', 'a', 'b'], ['*', 'c', 'd']]);
    expect(shape(value('a // b % c'))).toEqual(['%', ['//', 'a', 'b'], 'c']);
  });

  it('binds -> loosest and .. above it', () => {
    const d = ok('const a = x + y -> f -> g(1)').decls[0]!;
    expect(d.kind === 'const' && d.value.kind).toBe('chain');
    const r = ok('const r = 0..n + 1').decls[0]!;
    expect(r.kind === 'const' && r.value.kind).toBe('range');
  });

  it('rejects broken programs', () => {
    fails('model M(x: [1]) { return x -> }');
    fails('model M(x: [1]) { return x');
    fails('model M(x: [1]) { y = conv2d(64,, 3) return y }');
    fails('model M(x: [1] { return x }');
    fails('block b(x) return x');
    fails('const = 3');
    fails('from std.resnet import');
    fails('model M(x: [1]) { y = x -> conv2d(64, stride=) }');
    fails('model M(x: [1]) { if x { } else }');
    fails('model M(x: [1]) { return x ** }');
    fails('model 3(x: [1]) { return x }');
    fails('model M(x: [1]) { for in 0..3 { } }');
    fails('const a = 12Mb');
    fails('const s = "open');
    fails('const a = 1 $ 2');
  });

  it('rejects chained comparisons (a < b < c is not Python-style chaining)', () => {
    expect(fails('const a = 0 < p < 1').map((d) => d.code)).toContain('E0101');
    fails('const a = x == y == true');
    ok('const a = (0 < p) == true');
  });
});

describe('docs/language.md', () => {
  // Every ```nn block is a complete file; `<!-- dslc: W0106 -->` on the line before lists the codes it must report.
  const examples = [...DOC_TEXT.matchAll(/(?:<!-- dslc: ([A-Z0-9 ]*) -->\n)?```nn\n([\s\S]*?)```/g)].map((m) => ({
    want: (m[1] ?? '').split(/\s+/).filter(Boolean).sort(),
    text: m[2]!,
  }));
  const stdlib: Record<string, string> = {};
  for (const f of readdirSync(join(ROOT, 'stdlib'))) if (f.endsWith('.nn')) stdlib[`stdlib/${f}`] = readFileSync(join(ROOT, 'stdlib', f), 'utf8');

  it('has examples', () => {
    expect(examples.length).toBeGreaterThan(5);
  });

  for (const [i, ex] of examples.entries()) {
    it(`example ${i + 1} checks (${ex.text.split('\n').find((l) => /^(model|block)/.test(l))?.slice(0, 60)})`, () => {
      expect(parseModule(ex.text).diagnostics).toEqual([]);
      const r = check({ path: 'main.nn', text: ex.text, host: memoryHost({ ...stdlib, 'main.nn': ex.text }) });
      const got = [...new Set(r.diagnostics.map((d) => d.code))].sort();
      expect(got, r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')).toEqual(ex.want);
    });
  }

  it('lists every builtin and keyword', () => {
    for (const [name] of BUILTINS) expect(DOC_TEXT, name).toContain(`\`${name}`);
    for (const w of KEYWORD_WORDS) expect(DOC_TEXT, w).toMatch(new RegExp(`\`[^\`\n]*\\b${w}\\b[^\`\n]*\``));
  });
});
