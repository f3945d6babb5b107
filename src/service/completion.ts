/**
 * Completion. The position's context comes from the current text (context.ts); the names in scope come
 * from the last analysis's AST (scope-names.ts; the text may be an edit or two newer). Signature help is
 * signature-help.ts.
 */
import { allOps, getOp } from '../ops/registry.js';
import type { DType } from '../ops/types.js';
import { constsReaching } from '../semantics/consts.js';
import { BUILTINS } from '../semantics/builtins.js';
import type { ModuleHost } from '../semantics/modules.js';
import { importFix, stdNames } from '../semantics/std-names.js';
import { matchScore } from './workspace-symbols.js';
import { KEYWORD_WORDS } from '../syntax/lexer.js';
import { textEdit } from '../syntax/text-edit.js';
import { type CallContext, atNewName, callContext, codeOnly, enclosingBlock, headerAt, lexicalState, lineStartOf, slotAt, statementStart } from './context.js';
import { attrValue, blockSignature, opSignature, paramText } from './features.js';
import { importCompletion, importPathCompletion } from './import-completion.js';
import { blockTensors, calleeOf, namesInScope, tensorArgTest } from './scope-names.js';
import type { Analysis } from './service.js';

/** What an item is; `layer` also covers the builtin functions (`max`, `len`), which editors show alike. */
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

/** Builtin functions usable only in assertions, like the totals (docs/language.md, Builtins). */
const ASSERT_ONLY = new Set(['rf', 'jump', 'rf_start']);

/** What a tensor has after a dot (semantics/interpret.ts, `member`); no other value has members. */
const MEMBERS: readonly Completion[] = [
  { label: 'shape', kind: 'variable', detail: 'tuple of sizes', doc: "the tensor's sizes, e.g. `h.shape[1]` for its channels", rank: 0 },
  { label: 'rank', kind: 'variable', detail: 'int', doc: 'how many axes the tensor has', rank: 0 },
  { label: 'dtype', kind: 'variable', detail: 'str', doc: "the tensor's element type, e.g. `\"float32\"`", rank: 0 },
];

/**
 * Completion items at `offset` of `text` (the current text; the analysis may be one edit older). With the module
 * host and the file's path, an import's module name and name list complete too. `trigger` is the character
 * that asked for the list, if one did: after a space, none is offered where only an operator can follow
 * (`conv2d(8, 3) |`, `y |`).
 */
export function completion(a: Analysis | undefined, text: string, offset: number, host?: ModuleHost, path?: string, trigger?: string): Completion[] {
  // (The backward scans below stop at 0: an offset that is not a whole number in the text would never reach it.)
  if (!Number.isInteger(offset) || offset < 0 || offset > text.length) return [];
  const inPath = importPathCompletion(text, offset, path, host);
  if (inPath) return inPath;
  if (lexicalState(text, offset) !== 'code') return [];
  const inImport = importCompletion(a, text, offset, path, host);
  if (inImport) return inImport;
  let p = offset;
  while (p > 0 && IDENT.test(text[p - 1]!)) p--;
  // After a dot: a tensor's members (`h.shape`); nothing after a number's dot (`1.5`, `0..3`).
  if (text[p - 1] === '.') return /[\w)\]]/.test(text[p - 2] ?? '') && !/(?:^|[^\w.])\d\w*$/.test(text.slice(Math.max(0, p - 40), p - 1)) && mayBeTensor(a, text, p - 1) ? [...MEMBERS] : [];
  if (atNewName(text, p)) return [];
  const header = headerAt(text, p);
  if (header) return headerCompletion(a, text, p, header);
  const stmt = statementBefore(text, p);
  let q = p;
  while (q > 0 && (text[q - 1] === ' ' || text[q - 1] === '\t')) q--;
  const afterArrow = text.slice(q - 2, q) === '->';
  const out: Completion[] = [];
  const scope = a ? namesInScope(a, text, p) : [];
  if (afterArrow) {
    for (const n of scope) if (n.layer) out.push({ label: n.name, kind: 'variable', ...(n.detail ? { detail: n.detail } : {}), rank: 0 });
    globals(a, out, true, declaredIn(stmt) ?? enclosingBlock(text, p));
    layers(out);
    stdItems(a, text, out, host, path, true, text.slice(p, offset));
    return out;
  }
  const slot = slotAt(text, p);
  const keywords = slot.keywords.map((k): Completion => ({ label: k, kind: 'keyword', rank: 3 }));
  // Only keywords: at the top level (a declaration), after an operand (`and`, `or`; none when a space asked).
  if (slot.kind === 'none' || (slot.kind === 'operator' && trigger === ' ')) return [];
  // Only `{` can follow `frozen`: not `and`/`or`, although a name before the cursor reads as an operand.
  if (/^\s*frozen\s*$/.test(stmt)) return [];
  if (slot.kind === 'declaration' || slot.kind === 'operator') return keywords;
  // At the start of an argument: the callee's keywords (those not given yet).
  const call = callContext(text, p);
  if (call && call.current.trim() === '') out.push(...keywordArgs(a, text, call));
  for (const n of scope) out.push({ label: n.name, kind: n.kind, ...(n.detail ? { detail: n.detail } : {}), rank: 0 });
  globals(a, out, false, declaredIn(stmt) ?? enclosingBlock(text, p));
  layers(out);
  if (slot.kind === 'expression') builtins(a, out, slot.inAssert);
  stdItems(a, text, out, host, path, false, text.slice(p, offset));
  return [...out, ...keywords];
}

/**
 * The builtins (semantics/builtins.ts) where a value goes, unless a module name hides them: the functions,
 * and in an assertion the whole-model totals and the receptive-field functions (E0300 anywhere else).
 */
function builtins(a: Analysis | undefined, out: Completion[], inAssert: boolean): void {
  const root = a?.result.program.root;
  for (const [name, info] of BUILTINS) {
    if (root?.scope.has(name) || (!inAssert && (info.value || ASSERT_ONLY.has(name)))) continue;
    const call = /^\w+\([^)]*\)/.exec(info.doc)?.[0];
    out.push({ label: name, kind: info.value ? 'constant' : 'layer', detail: info.value ? 'model total (assertions only)' : `builtin ${call ?? `${name}(…)`}`, doc: info.doc, rank: 1 });
  }
}

/**
 * Whether the value before the dot at `dot` is a tensor, or may be one (a name bound since the last check,
 * an untyped parameter, a call of a layer, a grouping): constants, blocks, ops, builtins, sizes, members
 * (`.shape` is a tuple), a list or an item of a shape are not, and have no members.
 */
function mayBeTensor(a: Analysis | undefined, text: string, dot: number): boolean {
  const start = lineStartOf(text, dot);
  const code = codeOnly(text, start, dot);
  const name = /(\.?)([A-Za-z_]\w*)$/.exec(code);
  if (name) {
    if (name[1]) return false; // `.shape.`, `.rank.`, `.dtype.`
    const n = a ? namesInScope(a, text, dot).find((x) => x.name === name[2]) : undefined;
    if (n) return n.kind === 'tensor' || (n.layer === true && n.detail === name[2]); // an untyped parameter
    return !a?.result.program.root.scope.has(name[2]!) && !BUILTINS.has(name[2]!) && !getOp(name[2]!) && !KEYWORD_WORDS.includes(name[2]!);
  }
  // `f(…).` or `(…).`, `t[i].` or `[…].`: what precedes the matching bracket.
  let depth = 0;
  let i = code.length - 1;
  for (; i >= 0; i--) {
    if (code[i] === ')' || code[i] === ']') depth++;
    else if ((code[i] === '(' || code[i] === '[') && --depth === 0) break;
  }
  const target = code.slice(0, Math.max(i, 0)).trimEnd();
  const callee = /([A-Za-z_]\w*)$/.exec(target)?.[1];
  if (code.endsWith(')')) return !callee || !BUILTINS.has(callee);
  // An index: of a shape (`h.shape[1]`) or of a builtin's list (`rf(f)[0]`) a number; a list literal is no tensor.
  const builtinList = /(?:^|[^\w.])([A-Za-z_]\w*)\s*\([^()]*\)$/.exec(target);
  return /[\w)\]]$/.test(target) && !/\.shape$/.test(target) && !(builtinList && BUILTINS.has(builtinList[1]!));
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

/**
 * The callee's keyword arguments not given yet: neither by keyword nor by position. Positional arguments
 * bind as the checker binds them (semantics/calls.ts): leading tensors fill the tensor inputs the chain
 * left open, the rest the attributes (or the block's parameters after its tensors) in order.
 */
function keywordArgs(a: Analysis | undefined, text: string, call: CallContext): Completion[] {
  const callee = calleeOf(a, call.callee);
  // Builtins take no keyword arguments.
  if (!callee || 'builtin' in callee) return [];
  const given = new Set(call.args.map((x) => /^([A-Za-z_]\w*)\s*=(?!=)/.exec(x)?.[1]));
  const positional = call.args.findIndex((x) => /^[A-Za-z_]\w*\s*=(?!=)/.test(x));
  const nPos = positional < 0 ? call.args.length : positional;
  const isTensor = tensorArgTest(a, text, call);
  const slots = 'op' in callee ? (callee.op.inputs.some((x) => x.variadic) ? Infinity : Math.max(0, callee.op.inputs.length - call.piped)) : Math.max(0, blockTensors(a!, callee.block).length - call.piped);
  let tensors = 0;
  while (tensors < nPos && tensors < slots && isTensor(call.args[tensors]!)) tensors++;
  const bound = nPos - tensors;
  const out: Completion[] = [];
  if ('op' in callee)
    callee.op.attrs.forEach((at, i) => {
      if (i >= bound && ![at.name, ...(at.aliases ?? [])].some((k) => given.has(k)))
        out.push({ label: `${at.name}=`, kind: 'kwarg', detail: `${at.type}${at.default !== undefined ? ` = ${attrValue(at.default)}` : ''}`, doc: at.doc, insertText: `${at.name}=`, rank: 0 });
    });
  else {
    const rest = callee.block.params.slice(blockTensors(a!, callee.block).length);
    for (const prm of rest.slice(bound)) out.push({ label: `${prm.name.text}=`, kind: 'kwarg', detail: paramText(prm).slice(prm.name.text.length).replace(/^: /, ''), insertText: `${prm.name.text}=`, rank: 0 });
  }
  out.push(...GENERIC_KWARGS);
  return out.filter((c) => !given.has(c.label.slice(0, -1)));
}

function layers(out: Completion[]): void {
  for (const op of allOps()) out.push({ label: op.name, kind: 'layer', detail: opSignature(op), doc: op.doc, rank: 1 });
}

/**
 * Module-level names that are values: blocks and constants (a model is not a value); not `self`, the one
 * whose declaration the cursor is in.
 */
function globals(a: Analysis | undefined, out: Completion[], onlyCallable: boolean, self?: string): void {
  const root = a?.result.program.root;
  // Inside `const Q = |`, a constant whose value already reaches Q would close a cycle through it (E0211).
  const cyclic = root && self ? constsReaching(root, self) : undefined;
  for (const [name, b] of root?.scope ?? []) {
    if (b.kind === 'error' || b.kind === 'model' || name === self || cyclic?.has(name)) continue;
    if (onlyCallable && b.kind !== 'block') continue;
    out.push({ label: name, kind: b.kind === 'block' ? 'block' : 'constant', detail: b.kind === 'const' ? 'const' : blockSignature(b.decl), ...(b.kind === 'block' && b.decl.doc ? { doc: b.decl.doc } : {}), rank: 1 });
  }
}

/** The code of the statement (or declaration header) `p` is in, up to `p`: comments and strings blanked. */
function statementBefore(text: string, p: number): string {
  const from = statementStart(text, p);
  const lineStart = lineStartOf(text, from);
  return codeOnly(text, lineStart, p).slice(from - lineStart);
}

/**
 * The constant or block declared by the statement `stmt`, whose value or parameter defaults the cursor is
 * in: naming it there is a cycle (`const Q = Q`, E0211) or a block as its own default (E0300, E0208).
 */
const declaredIn = (stmt: string): string | undefined => /^\s*(?:const|block)\s+([A-Za-z_]\w*)/.exec(stmt)?.[1];

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
  // A default value (also in a tuple: `k: tuple = (1, |`), or a size in a shape (`x: [N, |`).
  const inDefault = !!call?.header && /=/.test(call.current);
  if (inDefault || /\[[^\]]*$/.test(before)) {
    // Constants (and, for defaults, layers and blocks).
    globals(a, out, false, declaredIn(statementBefore(text, p)));
    if (inDefault) layers(out);
    return out.filter((c) => inDefault || c.kind === 'constant');
  }
  return out;
}


export { namesInScope, type ScopeName } from './scope-names.js';
export { signatureHelp, type SignatureHelp } from './signature-help.js';
