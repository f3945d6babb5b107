/**
 * Completion and signature help. The position's context comes from the current text (context.ts); the
 * names in scope come from the last analysis's AST (the text may be an edit or two newer).
 */
import { allOps, getOp } from '../ops/registry.js';
import type { DType, OpDef } from '../ops/types.js';
import { tensorParams } from '../semantics/calls.js';
import type { ModuleHost } from '../semantics/modules.js';
import { importFix, stdNames } from '../semantics/std-names.js';
import { matchScore } from './workspace-symbols.js';
import type { BlockDecl, Expr, ModelDecl, Param, Stmt } from '../syntax/ast.js';
import { KEYWORD_WORDS } from '../syntax/lexer.js';
import { textEdit } from '../syntax/text-edit.js';
import { type CallContext, atNewName, callContext, headerAt, lexicalState, lineStartOf } from './context.js';
import { attrValue, blockSignature, lastSiteIn, opSignature, paramText, typeText } from './features.js';
import { importCompletion, importPathCompletion } from './import-completion.js';
import { type SiteApps, appShape, shapeText } from './layers.js';
import type { Analysis } from './service.js';

export type CompletionKind = 'layer' | 'block' | 'keyword' | 'kwarg' | 'tensor' | 'variable' | 'constant' | 'model' | 'type' | 'module';

export interface Completion {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  /** Markdown. */
  readonly doc?: string;
  readonly insertText?: string;
  /** Sort group: lower first. */
  readonly rank: number;
  /** Other edits made when the item is chosen (the import of a standard-library block). */
  readonly additionalEdits?: readonly { readonly start: number; readonly end: number; readonly newText: string }[];
}

/** A name bound in the block or model around the cursor. */
export interface ScopeName {
  readonly name: string;
  readonly kind: 'tensor' | 'variable';
  readonly detail?: string;
  /** It may hold a layer (a `layer` argument, an instance such as `head = dense(10)`): a chain step. */
  readonly layer?: boolean;
}

/**
 * A tensor bound by an assignment, its shapes written out only when read: a big model binds thousands of
 * names, and an answer lists few of them (after `->`, none). A class: a literal with a getter is slow to make.
 */
class BoundTensor implements ScopeName {
  readonly kind = 'tensor';
  private shapes: string | undefined;
  constructor(
    readonly name: string,
    private readonly site: SiteApps,
  ) {}
  get detail(): string {
    return (this.shapes ??= [...new Set(this.site.apps.map(appShape))].join(' | '));
  }
}

/** Types of a block's parameters (docs/language.md, checked in semantics/calls.ts). */
const BLOCK_TYPES: readonly [string, string][] = [
  ['Tensor', 'a tensor input'], ['int', 'an integer'], ['float', 'a number'], ['bool', 'true or false'], ['str', 'a string'], ['string', 'a string'],
  ['tuple', 'a tuple or list'], ['list', 'a tuple or list'], ['layer', 'an op, a block or a layer instance'],
];
const DTYPES: readonly DType[] = ['float32', 'float16', 'bfloat16', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool'];

/** Keyword arguments every layer call accepts (semantics/calls.ts `takeGeneric`). */
const GENERIC_KWARGS: readonly Completion[] = [
  { label: 'name=', kind: 'kwarg', detail: 'str', doc: "the layer's label in summaries and exports", insertText: 'name=', rank: 0 },
  { label: 'trainable=', kind: 'kwarg', detail: 'bool = true', doc: 'false freezes the layer\'s weights (as inside `frozen { … }`)', insertText: 'trainable=', rank: 0 },
];

const IDENT = /[A-Za-z0-9_]/;

/** What a tensor has after a dot (semantics/interpret.ts, `member`); no other value has members. */
const MEMBERS: readonly Completion[] = [
  { label: 'shape', kind: 'variable', detail: 'tuple of sizes', doc: "the tensor's sizes, e.g. `h.shape[1]` for its channels", rank: 0 },
  { label: 'rank', kind: 'variable', detail: 'int', doc: 'how many axes the tensor has', rank: 0 },
  { label: 'dtype', kind: 'variable', detail: 'str', doc: "the tensor's element type, e.g. `\"float32\"`", rank: 0 },
];

/** The callee's declaration: module bindings shadow ops, as in the checker's lookup. */
function calleeOf(a: Analysis | undefined, name: string): { block: BlockDecl } | { op: OpDef } | undefined {
  const b = a?.result.program.root.scope.get(name);
  if (b) return b.kind === 'block' ? { block: b.decl } : undefined;
  const op = getOp(name);
  return op ? { op } : undefined;
}

const blockTensors = (a: Analysis, d: BlockDecl): readonly Param[] => tensorParams({ decl: d, module: a.result.program.root });

/**
 * Completion items at `offset` of `text` (the current text; the analysis may be one edit older). With the module
 * host and the file's path, an import's module name and name list complete too.
 */
export function completion(a: Analysis | undefined, text: string, offset: number, host?: ModuleHost, path?: string): Completion[] {
  const inPath = importPathCompletion(text, offset, path, host);
  if (inPath) return inPath;
  if (lexicalState(text, offset) !== 'code') return [];
  const inImport = importCompletion(a, text, offset, path, host);
  if (inImport) return inImport;
  let p = offset;
  while (p > 0 && IDENT.test(text[p - 1]!)) p--;
  // After a dot: a tensor's members (`h.shape`); nothing after a number's dot (`1.5`, `0..3`).
  if (text[p - 1] === '.') return /[\w)\]]/.test(text[p - 2] ?? '') && !/(?:^|[^\w.])\d\w*$/.test(text.slice(Math.max(0, p - 40), p - 1)) ? [...MEMBERS] : [];
  if (atNewName(text, p)) return [];
  const header = headerAt(text, p);
  if (header) return headerCompletion(a, text, p, header);
  let q = p;
  while (q > 0 && (text[q - 1] === ' ' || text[q - 1] === '\t')) q--;
  const afterArrow = text.slice(q - 2, q) === '->';
  const out: Completion[] = [];
  const call = callContext(text, p);
  const lineStart = lineStartOf(text, p);
  const atStatementStart = text.slice(lineStart, p).trim() === '';
  const scope = a ? namesInScope(a, text, p) : [];
  if (afterArrow) {
    for (const n of scope) if (n.layer) out.push({ label: n.name, kind: 'variable', ...(n.detail ? { detail: n.detail } : {}), rank: 0 });
    globals(a, out, true);
    layers(out);
    stdItems(a, text, out, host, path, true, text.slice(p, offset));
    return out;
  }
  // At the start of an argument: the callee's keywords (those not given yet).
  if (call && call.current.trim() === '') out.push(...keywordArgs(a, call));
  for (const n of scope) out.push({ label: n.name, kind: n.kind, ...(n.detail ? { detail: n.detail } : {}), rank: 0 });
  globals(a, out, false);
  layers(out);
  stdItems(a, text, out, host, path, false, text.slice(p, offset));
  if (atStatementStart || !call) for (const k of KEYWORD_WORDS) out.push({ label: k, kind: 'keyword', rank: 3 });
  return out;
}

/**
 * The standard library's blocks (and constants, where a value goes) that the file does not import: choosing one
 * adds its import. The import's place comes from the last check's syntax tree: it is moved by an edit made
 * before it since, and none is offered while an edit covers it (the text there is not the one checked).
 */
function stdItems(a: Analysis | undefined, text: string, out: Completion[], host: ModuleHost | undefined, path: string | undefined, onlyCallable: boolean, typed: string): void {
  const root = a?.result.program.root;
  // Only for a word being typed, and the names it matches as editors match (the list stays short).
  if (!a || !root || root.std || !host || !path || !typed) return;
  const change = a.text === text ? undefined : textEdit(a.text, text);
  for (const [name, list] of stdNames(host, path)) {
    const { spec, decl } = list[0]!;
    if (root.scope.has(name) || (onlyCallable && decl.kind !== 'block') || matchScore(name, typed) === undefined) continue;
    const e = importFix(root, spec, name).edits[0]!;
    // Before the change, as checked; after it (the character before the place unchanged too), moved; else none.
    const shift = !change || e.span.end <= change.from ? 0 : e.span.start > change.to ? change.delta : undefined;
    if (shift === undefined) continue;
    const add = { start: e.span.start + shift, end: e.span.end + shift, newText: e.newText };
    out.push({ label: name, kind: decl.kind === 'block' ? 'block' : 'constant', detail: `${decl.kind === 'block' ? blockSignature(decl) : `const ${name}`} (${spec}: imported when chosen)`, ...(decl.kind === 'block' && decl.doc ? { doc: decl.doc } : {}), additionalEdits: [add], rank: 2 });
  }
}

function keywordArgs(a: Analysis | undefined, call: CallContext): Completion[] {
  const callee = calleeOf(a, call.callee);
  if (!callee) return [];
  const given = new Set(call.args.map((x) => /^([A-Za-z_]\w*)\s*=(?!=)/.exec(x)?.[1]));
  const out: Completion[] = [];
  if ('op' in callee)
    for (const at of callee.op.attrs)
      out.push({ label: `${at.name}=`, kind: 'kwarg', detail: `${at.type}${at.default !== undefined ? ` = ${attrValue(at.default)}` : ''}`, doc: at.doc, insertText: `${at.name}=`, rank: 0 });
  else {
    const rest = callee.block.params.slice(blockTensors(a!, callee.block).length);
    for (const prm of rest) out.push({ label: `${prm.name.text}=`, kind: 'kwarg', detail: paramText(prm).slice(prm.name.text.length).replace(/^: /, ''), insertText: `${prm.name.text}=`, rank: 0 });
  }
  out.push(...GENERIC_KWARGS);
  return out.filter((c) => !given.has(c.label.slice(0, -1)));
}

function layers(out: Completion[]): void {
  for (const op of allOps()) out.push({ label: op.name, kind: 'layer', detail: opSignature(op), doc: op.doc, rank: 1 });
}

/** Module-level names that are values: blocks and constants (a model is not a value). */
function globals(a: Analysis | undefined, out: Completion[], onlyCallable: boolean): void {
  for (const [name, b] of a?.result.program.root.scope ?? []) {
    if (b.kind === 'error' || b.kind === 'model') continue;
    if (onlyCallable && b.kind !== 'block') continue;
    out.push({ label: name, kind: b.kind === 'block' ? 'block' : 'constant', detail: b.kind === 'const' ? 'const' : blockSignature(b.decl), ...(b.kind === 'block' && b.decl.doc ? { doc: b.decl.doc } : {}), rank: 1 });
  }
}

/** In a `block`/`model` header: types after `name:`, values after `=`, nothing where a new name goes. */
function headerCompletion(a: Analysis | undefined, text: string, p: number, header: 'block' | 'model'): Completion[] {
  const lineStart = lineStartOf(text, p);
  const before = text.slice(lineStart, p);
  const types = (withTensor: boolean): Completion[] =>
    header === 'block'
      ? BLOCK_TYPES.map(([label, detail]) => ({ label, kind: 'type', detail, rank: 0 }))
      : [...(withTensor ? ['Tensor'] : []), ...DTYPES].map((label) => ({ label, kind: 'type', detail: label === 'Tensor' ? 'a tensor of any shape' : 'element type, then the shape: float32[N, 3, H, W]', rank: 0 }));
  if (/->\s*$/.test(before)) return types(true);
  if (/[A-Za-z_]\w*\s*:\s*$/.test(before)) return types(header === 'block' || callContext(text, p) === undefined);
  const call = callContext(text, p);
  const out: Completion[] = [];
  if (call?.header ? /=/.test(call.current) : /\[[^\]]*$/.test(before)) {
    // A default value, or a size in a shape: constants (and, for defaults, layers and blocks).
    globals(a, out, false);
    if (call?.header) layers(out);
    return out.filter((c) => call?.header || c.kind === 'constant');
  }
  return out;
}

/** Maps an offset of the current text to the analysed text (they differ by the edits since the check). */
function toAnalysed(old: string, cur: string, o: number): number {
  if (old === cur) return o;
  const n = Math.min(old.length, cur.length);
  let pre = 0;
  while (pre < n && old.charCodeAt(pre) === cur.charCodeAt(pre)) pre++;
  if (o <= pre) return o;
  let suf = 0;
  while (suf < n - pre && old.charCodeAt(old.length - 1 - suf) === cur.charCodeAt(cur.length - 1 - suf)) suf++;
  return o >= cur.length - suf ? o - (cur.length - old.length) : pre;
}

/**
 * Names bound before `offset` in the block or model around it (from the last analysis's AST), with shapes
 * from its check: the parameters, the symbolic sizes of a model's inputs, assignments whose statement
 * ended before the cursor, loop variables.
 */
export function namesInScope(a: Analysis, text: string, offset: number): ScopeName[] {
  const o = toAnalysed(a.text, text, offset);
  const root = a.result.program.root;
  const decl = root.ast.decls.find((d): d is BlockDecl | ModelDecl => (d.kind === 'block' || d.kind === 'model') && d.range.start < o && o <= d.range.end);
  if (!decl) return [];
  const out = new Map<string, ScopeName>();
  const add = (n: ScopeName) => {
    out.delete(n.name);
    out.set(n.name, n);
  };
  if (decl.kind === 'model') {
    const m = a.result.models.find((x) => x.graph.name === decl.name.text);
    for (const prm of decl.inputs) {
      const port = m?.graph.inputs.find((x) => x.name === prm.name.text);
      add({ name: prm.name.text, kind: 'tensor', detail: port ? shapeText(m!.graph.tensors[port.tensor]!.type.shape) : typeText(prm) });
    }
    // Symbolic sizes are values in the body (`H // 2`).
    const sym = (e: Expr) => namesIn(e, (n) => !out.has(n) && !root.scope.has(n) && add({ name: n, kind: 'variable', detail: 'size (symbolic)' }));
    for (const prm of [...decl.inputs, ...(decl.outputs ?? [])]) for (const d of prm.type?.dims ?? []) sym(d);
    for (const w of decl.where) sym(w);
  } else {
    const tps = blockTensors(a, decl);
    for (const prm of decl.params) {
      const isT = tps.includes(prm);
      const t = prm.type?.name?.text;
      add({ name: prm.name.text, kind: isT ? 'tensor' : 'variable', detail: paramText(prm), ...(!isT && (!t || t === 'layer') ? { layer: true } : {}) });
    }
  }
  const isTensor = (e: Expr): boolean => {
    switch (e.kind) {
      case 'chain':
        return true;
      case 'name':
        return out.get(e.name.text)?.kind === 'tensor';
      case 'binary':
        return isTensor(e.left) || isTensor(e.right);
      case 'unary':
        return isTensor(e.operand);
      case 'index':
        return isTensor(e.target);
      case 'call':
        return e.args.some((x) => !x.name && isTensor(x.value));
      default:
        return false;
    }
  };
  const bind = (name: string, value: Expr) => {
    const site = lastSiteIn(a, a.path, value);
    if (site) add(new BoundTensor(name, site));
    else if (isTensor(value)) add({ name, kind: 'tensor' });
    else add({ name, kind: 'variable', ...(value.kind === 'call' || value.kind === 'name' ? { layer: true } : {}) });
  };
  const visit = (ss: readonly Stmt[]) => {
    for (const s of ss) {
      if (s.range.start >= o) return;
      if (s.kind === 'assign') {
        if (s.range.end < o) bind(s.target.text, s.value);
      } else if (s.kind === 'for') {
        if (o > s.variable.end) add({ name: s.variable.text, kind: 'variable', detail: 'loop variable' });
        visit(s.body);
      } else if (s.kind === 'if') {
        visit(s.then);
        visit(s.else ?? []);
      } else if (s.kind === 'repeat' || s.kind === 'frozen') visit(s.body);
    }
  };
  visit(decl.body);
  return [...out.values()];
}

/** Calls `f` with each name an expression reads. */
function namesIn(e: Expr, f: (name: string) => void): void {
  switch (e.kind) {
    case 'name':
      f(e.name.text);
      return;
    case 'binary':
      namesIn(e.left, f);
      namesIn(e.right, f);
      return;
    case 'unary':
      namesIn(e.operand, f);
      return;
    case 'tuple':
    case 'list':
      for (const x of e.items) namesIn(x, f);
      return;
    case 'call':
      for (const x of e.args) namesIn(x.value, f);
      return;
    default:
      return;
  }
}

export interface SignatureHelp {
  readonly label: string;
  readonly params: readonly { readonly label: string; readonly doc?: string }[];
  /** Index into `params`; undefined where no parameter applies (none, or an unknown keyword). */
  readonly activeParam?: number;
  readonly doc?: string;
}

/**
 * Signature of the call around `offset`. A chain step's tensor inputs come from the arrow, so an op's
 * signature shows only the inputs still to be given (none, mostly) before its attributes; a block's shows
 * every parameter, and the active one counts the piped tensors. Keyword arguments select by name.
 */
export function signatureHelp(a: Analysis | undefined, text: string, offset: number): SignatureHelp | undefined {
  if (lexicalState(text, offset) !== 'code') return undefined;
  const call = callContext(text, offset);
  if (!call || call.header) return undefined;
  const callee = calleeOf(a, call.callee);
  if (!callee) return undefined;
  const tensors = new Set(a ? namesInScope(a, text, call.calleeStart).filter((n) => n.kind === 'tensor').map((n) => n.name) : []);
  // `img`, `pair[0]`, `x -> relu()`; with `prefix`, also a tensor's name half-typed at the cursor (`im|`).
  const isTensorArg = (s: string, prefix = false) => {
    const t = s.trim();
    if (prefix) return /^[A-Za-z_]\w*$/.test(t) && [...tensors].some((n) => n.startsWith(t));
    const head = /^([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)?$/.exec(t);
    return head ? tensors.has(head[1]!) : t.includes('->');
  };
  if ('block' in callee) {
    const bd = callee.block;
    const nIn = a ? blockTensors(a, bd).length : 1;
    const params = bd.params.map((x) => ({ label: paramText(x) }));
    const active = activeIndex(call, Math.max(0, nIn - call.piped), isTensorArg, (k) => bd.params.findIndex((x) => x.name.text === k), (n) => call.piped + n, nIn);
    return { label: blockSignature(bd), params, ...(active !== undefined && active < params.length ? { activeParam: active } : {}), ...(bd.doc ? { doc: bd.doc } : {}) };
  }
  const op = callee.op;
  const variadic = op.inputs.some((x) => x.variadic);
  // The tensor inputs still to be given in the parentheses.
  const inputs = variadic ? (call.piped ? [] : op.inputs.slice(0, 1)) : op.inputs.slice(Math.min(call.piped, op.inputs.length));
  const inputLabel = (x: (typeof op.inputs)[number]) => `${x.name}${x.variadic ? '…' : ''}: Tensor`;
  const attrLabel = (x: OpDef['attrs'][number]) => (x.default !== undefined ? `${x.name}=${attrValue(x.default)}` : `${x.name}: ${x.type}`);
  const params = [...inputs.map((x) => ({ label: inputLabel(x) })), ...op.attrs.map((x) => ({ label: attrLabel(x), doc: x.doc }))];
  const label = `${op.name}(${params.map((x) => x.label).join(', ')})`;
  const byName = (k: string) => {
    const i = op.attrs.findIndex((x) => x.name === k || x.aliases?.includes(k));
    return i < 0 ? -1 : inputs.length + i;
  };
  const slots = variadic && inputs.length ? Infinity : inputs.length;
  const active = activeIndex(call, slots, isTensorArg, byName, (n) => (variadic ? 0 : n), inputs.length);
  return { label, params, ...(active !== undefined && active < params.length ? { activeParam: active } : {}), doc: op.doc };
}

/**
 * The parameter the argument at the cursor binds: a keyword by its name; positionally, the leading tensor
 * arguments fill the tensor slots still open (`slots`, after the piped ones) and the rest the parameters
 * from `firstArg` on. `slotIndex` maps the n-th tensor given to its parameter.
 */
function activeIndex(call: CallContext, slots: number, isTensorArg: (s: string, prefix?: boolean) => boolean, byName: (k: string) => number, slotIndex: (n: number) => number, firstArg: number): number | undefined {
  if (call.keyword) {
    const i = byName(call.keyword);
    return i < 0 ? undefined : i;
  }
  const named = call.args.some((x) => /^[A-Za-z_]\w*\s*=(?!=)/.test(x));
  if (named) return undefined; // a positional argument after keyword ones is an error (E0203)
  let k = 0;
  while (k < call.args.length && k < slots && isTensorArg(call.args[k]!)) k++;
  const i = call.args.length;
  if (k === i && k < slots && (isTensorArg(call.current) || call.current.trim() === '' || isTensorArg(call.current, true))) return slotIndex(k);
  return firstArg + (i - k);
}
