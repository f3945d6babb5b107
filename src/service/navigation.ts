/** Definition, references, rename, document symbols, folding ranges and semantic tokens. */
import type { IToken, TokenType } from 'chevrotain';
import type { Span } from '../diagnostics/types.js';
import { BUILTINS } from '../semantics/builtins.js';
import type { Name, Stmt } from '../syntax/ast.js';
import {
  Arrow, Assign, DotDot, Else, EqEq, GtEq, Gt, Ident, If, KEYWORDS, LBrace, LtEq, Lt, Minus, NotEq, NumberLit, Percent, Plus, RBrace, Slash, SlashSlash, Star, StarStar,
  StringLit, UnterminatedString, nnLexer,
} from '../syntax/lexer.js';
import { spanOf } from '../syntax/source.js';
import { importedModule } from './features.js';
import type { Analysis } from './service.js';
import { type Occurrence, occurrenceAt, sameSymbol } from './symbols.js';

function defSpan(a: Analysis, occ: Occurrence): Span | undefined {
  const root = a.result.program.root;
  if (occ.kind === 'global' && occ.binding && occ.binding.kind !== 'error') {
    const b = occ.binding;
    return spanOf(b.module.file, b.decl.name.start, b.decl.name.end);
  }
  if (occ.kind === 'kwarg' && occ.binding?.kind === 'block') {
    // `name=` in a block call: the block's parameter.
    const p = occ.binding.decl.params.find((x) => x.name.text === occ.name);
    return p ? spanOf(occ.binding.module.file, p.name.start, p.name.end) : undefined;
  }
  if (occ.kind === 'local' || occ.kind === 'param') {
    const defs = a.symbols(root).occurrences.filter((o) => o.isDef && o.name === occ.name && o.decl === occ.decl);
    // Parameters first, then the first assignment (Python-like: the first binding introduces the name).
    const d = defs.find((o) => o.kind === 'param') ?? defs[0];
    return d ? spanOf(root.file, d.start, d.end) : undefined;
  }
  return undefined;
}

/** Where the name at `offset` is defined (may be in an imported file). */
export function definition(a: Analysis, offset: number): Span[] {
  // An import's module: the top of its file.
  const imp = a.result.program.root.ast.decls.find((d) => d.kind === 'import' && d.moduleRange.start <= offset && offset <= d.moduleRange.end);
  if (imp?.kind === 'import') {
    const m = importedModule(a, imp);
    return m ? [spanOf(m.file, 0, 0)] : [];
  }
  const occ = occurrenceAt(a.symbols(a.result.program.root), offset);
  if (!occ) return [];
  const s = defSpan(a, occ);
  return s ? [s] : [];
}

/** An occurrence of the symbol under the cursor in the same file: written (defined, assigned) or read. */
export interface Highlight {
  readonly start: number;
  readonly end: number;
  readonly kind: 'write' | 'read';
}

/**
 * Every occurrence, in this file, of the tensor, parameter, block, constant or layer under the cursor
 * (the editor's "highlight occurrences"): definitions and assignments are writes, uses are reads.
 */
export function highlights(a: Analysis, offset: number): Highlight[] {
  const root = a.result.program.root;
  const syms = a.symbols(root);
  const occ = occurrenceAt(syms, offset);
  if (!occ || occ.kind === 'kwarg' || occ.kind === 'member' || occ.kind === 'unknown') return [];
  return syms.occurrences.filter((o) => sameSymbol(occ, o)).map((o) => ({ start: o.start, end: o.end, kind: o.isDef ? 'write' : 'read' }));
}

export interface DocumentSymbol {
  readonly name: string;
  readonly kind: 'model' | 'block' | 'const' | 'import' | 'variable';
  readonly detail?: string;
  readonly start: number;
  readonly end: number;
  readonly selStart: number;
  readonly selEnd: number;
  readonly children: readonly DocumentSymbol[];
}

/** The outline: models and blocks (with their assigned names), constants and imports. */
export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const d of a.result.program.root.ast.decls) {
    if (d.kind === 'import') {
      for (const it of d.items) out.push({ name: (it.alias ?? it.name).text, kind: 'import', detail: it.alias ? `${it.name.text} from ${d.module}` : d.module, start: d.range.start, end: d.range.end, selStart: (it.alias ?? it.name).start, selEnd: (it.alias ?? it.name).end, children: [] });
      continue;
    }
    const children: DocumentSymbol[] = [];
    if (d.kind !== 'const') {
      const seen = new Set<string>();
      const visit = (ss: readonly Stmt[]) => {
        for (const s of ss) {
          if (s.kind === 'assign' && !seen.has(s.target.text)) {
            seen.add(s.target.text);
            children.push({ name: s.target.text, kind: 'variable', start: s.range.start, end: s.range.end, selStart: s.target.start, selEnd: s.target.end, children: [] });
          }
          if (s.kind === 'if') visit([...s.then, ...(s.else ?? [])]);
          else if (s.kind === 'for' || s.kind === 'repeat' || s.kind === 'frozen') visit(s.body);
        }
      };
      visit(d.body);
    }
    out.push({ name: d.name.text, kind: d.kind, start: d.range.start, end: d.range.end, selStart: d.name.start, selEnd: d.name.end, children });
  }
  return out;
}

export interface FoldingRange {
  readonly startLine: number;
  readonly endLine: number;
  readonly kind?: 'comment' | 'region';
}

/** Folds declarations, nested bodies and runs of comment lines (0-based lines). */
export function foldingRanges(a: Analysis): FoldingRange[] {
  const f = a.result.program.root.file;
  const line = (o: number) => spanOf(f, o, o).line - 1;
  const out: FoldingRange[] = [];
  const seen = new Set<string>();
  const add = (s: number, e: number, kind?: 'comment') => {
    const l0 = line(s);
    const l1 = line(Math.max(s, e - 1));
    // Once per range: an `if … else if` on one line and its nested `if` end on the same line too.
    if (l1 > l0 && !seen.has(`${l0}:${l1}`)) {
      seen.add(`${l0}:${l1}`);
      out.push({ startLine: l0, endLine: l1, ...(kind ? { kind } : {}) });
    }
  };
  const visit = (ss: readonly Stmt[]) => {
    for (const s of ss) {
      if (s.kind === 'if' || s.kind === 'for' || s.kind === 'repeat' || s.kind === 'frozen') {
        add(s.range.start, s.range.end);
        if (s.kind === 'if' && s.else) {
          // The `else { … }` branch on its own (an `else if` is a nested `if`, folded as such).
          const e = elseOffset(f.text, s.cond.range.end, s.range.end);
          if (e !== undefined) add(e, s.range.end);
        }
        visit(s.kind === 'if' ? [...s.then, ...(s.else ?? [])] : s.body);
      } else add(s.range.start, s.range.end); // a statement written over several lines
    }
  };
  for (const d of a.result.program.root.ast.decls) {
    add(d.range.start, d.range.end);
    if (d.kind === 'block' || d.kind === 'model') visit(d.body);
  }
  // Runs of consecutive lines that hold only a comment: a trailing comment after code (`x = 1  # why`) is
  // never folded, or folding the run would hide that code.
  const cs = a.result.program.root.ast.comments.filter((c) => f.text.slice(f.lineStarts[line(c.start)]!, c.start).trim() === '');
  for (let i = 0; i < cs.length; ) {
    let j = i;
    while (j + 1 < cs.length && line(cs[j + 1]!.start) === line(cs[j]!.start) + 1) j++;
    if (j > i) add(cs[i]!.start, cs[j]!.end, 'comment');
    i = j + 1;
  }
  return out;
}

/** Offset of the `else` of an `if` whose then-branch opens after `from` (undefined for `else if`). */
function elseOffset(text: string, from: number, to: number): number | undefined {
  const toks = nnLexer.tokenize(text.slice(from, to)).tokens;
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!.tokenType;
    if (t === LBrace) depth++;
    else if (t === RBrace && --depth === 0) return toks[i + 1]?.tokenType === Else && toks[i + 2]?.tokenType !== If ? from + toks[i + 1]!.startOffset : undefined;
  }
  return undefined;
}

/**
 * The legend's token types, numbered by position in the protocol. Names by role: `namespace` an import's
 * module path (`std.resnet`); `type` a model, or the type in an annotation (`Tensor`, `int64`: defaultLibrary);
 * `class` a block; `function` a layer or a builtin function (defaultLibrary); `parameter` a block's
 * parameters, a model's inputs, outputs and size symbols; `variable` tensors, loop variables, constants
 * (readonly) and the builtin totals such as `params` (readonly, defaultLibrary); `property` keyword arguments
 * and members. Then the lexical classes, for clients that colour only from these tokens (Neovim has no
 * `.nn` syntax of its own): keywords (`true`, `false`, `none`, `and`, `or`, `not` too), comments, numbers
 * (with their K/M/G/T suffix), strings, and operators (`->`, `..`, `=`, arithmetic, comparison). No `macro`:
 * the first legend listed it, but nothing ever sent it and the language has no macros.
 */
export const TOKEN_TYPES = ['namespace', 'type', 'class', 'function', 'parameter', 'variable', 'property', 'keyword', 'comment', 'number', 'string', 'operator'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;

export interface SemanticToken {
  readonly start: number;
  readonly end: number;
  readonly type: (typeof TOKEN_TYPES)[number];
  readonly modifiers: readonly (typeof TOKEN_MODIFIERS)[number][];
}

type TokenTypeName = SemanticToken['type'];
type Modifier = SemanticToken['modifiers'][number];

const OPERATORS = [Arrow, DotDot, EqEq, NotEq, LtEq, GtEq, Lt, Gt, Assign, Plus, Minus, StarStar, Star, SlashSlash, Slash, Percent];
/** The lexer's token types that are coloured by what they are (an Ident is coloured by what it names). */
const LEXICAL = new Map<TokenType, TokenTypeName>([
  ...KEYWORDS.map((k) => [k, 'keyword'] as const),
  [NumberLit, 'number'],
  [StringLit, 'string'],
  [UnterminatedString, 'string'],
  ...OPERATORS.map((o) => [o, 'operator'] as const),
]);
const NONE: readonly Modifier[] = [];
const LIB: readonly Modifier[] = ['defaultLibrary'];

/** A name's token from what the symbol table says it refers to (undefined: an unknown name). */
function occurrenceToken(o: Occurrence): SemanticToken | undefined {
  const mods: Modifier[] = o.isDef ? ['declaration'] : [];
  let type: TokenTypeName | undefined;
  if (o.kind === 'op') {
    type = 'function';
    mods.push('defaultLibrary');
  } else if (o.kind === 'param') type = 'parameter';
  else if (o.kind === 'local') type = 'variable';
  else if (o.kind === 'kwarg' || o.kind === 'member') type = 'property';
  else if (o.kind === 'global' && o.binding) {
    type = o.binding.kind === 'block' ? 'class' : o.binding.kind === 'model' ? 'type' : o.binding.kind === 'const' ? 'variable' : undefined;
    if (o.binding.kind === 'const') mods.push('readonly');
  } else if (o.kind === 'unknown') {
    // Not a local, a declaration or a layer: a builtin (`params`, `rf(t)`), or a name the checker reports.
    const b = BUILTINS.get(o.name);
    if (b?.value) return { start: o.start, end: o.end, type: 'variable', modifiers: ['readonly', 'defaultLibrary'] };
    if (b) return { start: o.start, end: o.end, type: 'function', modifiers: LIB };
  }
  return type ? { start: o.start, end: o.end, type, modifiers: mods } : undefined;
}

/**
 * Names in declaration headers that the symbol table leaves out: a model's or block's output names
 * (`-> (logits: [N, 10])`), annotation types (`Tensor`, `int64[N, T]`) and bare shape symbols that no
 * input declares (a block's `[C, H, W]`). Keyed by offset; the symbol table's token wins where both have one.
 */
function headerTokens(a: Analysis): Map<number, SemanticToken> {
  const out = new Map<number, SemanticToken>();
  const add = (n: Name, type: TokenTypeName, modifiers: readonly Modifier[]) => out.set(n.start, { start: n.start, end: n.end, type, modifiers });
  for (const d of a.result.program.root.ast.decls) {
    if (d.kind !== 'block' && d.kind !== 'model') continue;
    const outputs = (d.kind === 'block' ? d.returns : d.outputs) ?? [];
    for (const p of [...(d.kind === 'block' ? d.params : d.inputs), ...outputs]) {
      if (p.type?.name) add(p.type.name, 'type', LIB);
      for (const x of p.type?.dims ?? []) if (x.kind === 'name') add(x.name, 'parameter', NONE);
    }
    for (const p of outputs) if (p.name.text) add(p.name, 'parameter', ['declaration']);
  }
  return out;
}

const tokenCache = new WeakMap<Analysis, readonly SemanticToken[]>();

/**
 * Every token of the file worth a colour, sorted and never overlapping, each on one line: names by role
 * (ops are functions from the library, blocks classes, models types, parameters, locals; see
 * {@link TOKEN_TYPES}), keywords, comments, numbers, strings and operators. Punctuation and unknown names
 * get none. The file is lexed once per analysis (a few ms for 2,000 lines); the answer is cached with it.
 */
export function semanticTokens(a: Analysis): readonly SemanticToken[] {
  const hit = tokenCache.get(a);
  if (hit) return hit;
  const occ = a.symbols(a.result.program.root).occurrences;
  const header = headerTokens(a);
  const modules = a.result.program.root.ast.decls.flatMap((d) => (d.kind === 'import' ? [d.moduleRange] : []));
  const lexed = nnLexer.tokenize(a.text);
  const toks = lexed.tokens;
  const comments = lexed.groups.comments ?? [];
  const out: SemanticToken[] = [];
  let i = 0; // next occurrence
  let c = 0; // next comment
  let m = 0; // next import's module range
  const comment = (t: IToken) => out.push({ start: t.startOffset, end: t.startOffset + t.image.length, type: 'comment', modifiers: NONE });
  for (const t of toks) {
    const start = t.startOffset;
    const end = start + t.image.length;
    while (c < comments.length && comments[c]!.startOffset < start) comment(comments[c++]!);
    const lexical = LEXICAL.get(t.tokenType);
    if (lexical) {
      out.push({ start, end, type: lexical, modifiers: NONE });
      continue;
    }
    if (t.tokenType !== Ident) continue;
    // Names: the symbol table's occurrence that starts here (several may: the first one's role is the name's).
    while (i < occ.length && occ[i]!.start < start) i++;
    let tok = i < occ.length && occ[i]!.start === start && occ[i]!.end === end ? occurrenceToken(occ[i]!) : undefined;
    tok ??= header.get(start);
    if (!tok) {
      while (m < modules.length && modules[m]!.end < start) m++;
      if (m < modules.length && modules[m]!.start <= start) tok = { start, end, type: 'namespace', modifiers: NONE };
    }
    if (tok && tok.end === end) out.push(tok);
  }
  while (c < comments.length) comment(comments[c++]!);
  tokenCache.set(a, out);
  return out;
}
