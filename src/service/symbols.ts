/**
 * Name occurrences of one module, from its AST: every identifier with what it refers to (a local of a
 * block/model, a module-level binding, an op, or a keyword argument). Navigation, rename, semantic
 * tokens and completion read this table; it costs one AST walk per check.
 */
import type { Arg, BlockDecl, Decl, Expr, ModelDecl, Name, Param, Range, Stmt } from '../syntax/ast.js';
import { isSizeSymbol } from '../semantics/elaborate.js';
import type { Binding, ModuleInfo } from '../semantics/modules.js';
import { getOp } from '../ops/registry.js';
import type { OpDef } from '../ops/types.js';

export type OccurrenceKind = 'local' | 'param' | 'global' | 'op' | 'kwarg' | 'member' | 'unknown';

export interface Occurrence {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly kind: OccurrenceKind;
  /** True where the name is defined (assignment target, parameter, declaration name). */
  readonly isDef: boolean;
  /** The enclosing block or model (locals are scoped to it). */
  readonly decl?: BlockDecl | ModelDecl;
  readonly binding?: Binding;
  readonly op?: OpDef;
  /** For a keyword argument: the callee's name (and in `binding`, the block it names, if one). */
  readonly callee?: string;
}

/** A call site: callee name and argument ranges, for signature help and hover on block calls. */
export interface CallSite {
  readonly callee: string;
  readonly calleeRange: Range;
  readonly args: readonly Arg[];
  readonly range: Range;
  /** The call is a chain step: its first input comes from the arrow. */
  readonly inChain: boolean;
  readonly decl?: BlockDecl | ModelDecl;
}

export interface ModuleSymbols {
  readonly occurrences: readonly Occurrence[];
  readonly calls: readonly CallSite[];
  /** Chain steps and direct calls, in source order: where inlay hints go. */
  readonly steps: readonly Range[];
}

/** A model's size symbols: the bare names of its inputs' shapes that elaboration takes as symbols (not its inputs, not constants). */
function sizeSymbolsOf(mod: ModuleInfo, d: ModelDecl): Set<string> {
  const out = new Set<string>();
  const isInput = (n: string) => d.inputs.some((q) => q.name.text === n);
  for (const p of d.inputs) for (const x of p.type?.dims ?? []) if (x.kind === 'name' && isSizeSymbol(mod, x.name.text, isInput)) out.add(x.name.text);
  return out;
}

/** Walks a module's declarations and records every name occurrence and call. */
export function moduleSymbols(mod: ModuleInfo): ModuleSymbols {
  const occurrences: Occurrence[] = [];
  const calls: CallSite[] = [];
  const steps: Range[] = [];
  const globalOcc = (n: Name, isDef: boolean, decl?: BlockDecl | ModelDecl) => {
    const b = mod.scope.get(n.text);
    occurrences.push({ name: n.text, start: n.start, end: n.end, kind: b ? 'global' : 'unknown', isDef, ...(b ? { binding: b } : {}), ...(decl ? { decl } : {}) });
  };
  const sizeCache = new Map<ModelDecl, Set<string>>();
  const sizeSymbols = (d: ModelDecl) => sizeCache.get(d) ?? sizeCache.set(d, sizeSymbolsOf(mod, d)).get(d)!;
  for (const d of mod.ast.decls) walkDecl(d);
  occurrences.sort((a, b) => a.start - b.start);
  calls.sort((a, b) => a.range.start - b.range.start);
  return { occurrences, calls, steps };

  function walkDecl(d: Decl): void {
    if (d.kind === 'import') {
      for (const it of d.items) {
        // The imported name refers to the other module's declaration; an alias is defined here.
        occurrences.push({ name: it.name.text, start: it.name.start, end: it.name.end, kind: 'global', isDef: !it.alias, ...bindingOf((it.alias ?? it.name).text) });
        if (it.alias) occurrences.push({ name: it.alias.text, start: it.alias.start, end: it.alias.end, kind: 'global', isDef: true, ...bindingOf(it.alias.text) });
      }
      return;
    }
    if (d.kind === 'const') {
      globalOcc(d.name, true);
      expr(d.value, new Set(), undefined);
      return;
    }
    globalOcc(d.name, true, d);
    const locals = new Set<string>();
    const params: Param[] = d.kind === 'block' ? [...d.params] : [...d.inputs];
    // A model's size symbols (`N`, `H` of `x: [N, 3, H, W]`) are parameters of it too: values in its body,
    // defined where an input's shape names them (rename and references reach all their uses).
    const sizes = d.kind === 'model' ? sizeSymbols(d) : undefined;
    for (const x of sizes ?? []) locals.add(x);
    for (const p of params) {
      locals.add(p.name.text);
      occurrences.push({ name: p.name.text, start: p.name.start, end: p.name.end, kind: 'param', isDef: true, decl: d });
      if (p.default) expr(p.default, locals, d);
      for (const x of p.type?.dims ?? []) {
        if (x.kind === 'name' && sizes?.has(x.name.text)) occurrences.push({ name: x.name.text, start: x.name.start, end: x.name.end, kind: 'param', isDef: true, decl: d });
        else dimExpr(x, locals, d);
      }
    }
    for (const p of [...(d.kind === 'block' ? (d.returns ?? []) : (d.outputs ?? []))]) for (const x of p.type?.dims ?? []) dimExpr(x, locals, d);
    if (d.kind === 'model') for (const w of d.where) dimExpr(w, locals, d);
    // Locals are function-scoped (as in Python): collect every assignment target first.
    collectTargets(d.body, locals);
    stmts(d.body, locals, d);
  }

  function bindingOf(name: string): { binding?: Binding } {
    const b = mod.scope.get(name);
    return b ? { binding: b } : {};
  }

  function collectTargets(ss: readonly Stmt[], locals: Set<string>): void {
    for (const s of ss) {
      if (s.kind === 'assign') locals.add(s.target.text);
      else if (s.kind === 'for') {
        locals.add(s.variable.text);
        collectTargets(s.body, locals);
      } else if (s.kind === 'if') {
        collectTargets(s.then, locals);
        collectTargets(s.else ?? [], locals);
      } else if (s.kind === 'repeat' || s.kind === 'frozen') collectTargets(s.body, locals);
    }
  }

  function stmts(ss: readonly Stmt[], locals: Set<string>, d: BlockDecl | ModelDecl): void {
    for (const s of ss) {
      switch (s.kind) {
        case 'assign':
          occurrences.push({ name: s.target.text, start: s.target.start, end: s.target.end, kind: 'local', isDef: true, decl: d });
          expr(s.value, locals, d);
          break;
        case 'if':
          expr(s.cond, locals, d);
          stmts(s.then, locals, d);
          stmts(s.else ?? [], locals, d);
          break;
        case 'for':
          occurrences.push({ name: s.variable.text, start: s.variable.start, end: s.variable.end, kind: 'local', isDef: true, decl: d });
          expr(s.iterable, locals, d);
          stmts(s.body, locals, d);
          break;
        case 'repeat':
          expr(s.count, locals, d);
          stmts(s.body, locals, d);
          break;
        case 'frozen':
          stmts(s.body, locals, d);
          break;
        case 'assert':
          expr(s.cond, locals, d);
          break;
        case 'return':
          for (const v of s.values) expr(v, locals, d);
          break;
        case 'expr':
          expr(s.value, locals, d);
          break;
      }
    }
  }

  /** Names in shapes are symbols (N, H) unless they are locals or constants. */
  function dimExpr(e: Expr, locals: Set<string>, d: BlockDecl | ModelDecl): void {
    if (e.kind === 'name' && !locals.has(e.name.text) && !mod.scope.has(e.name.text)) return;
    expr(e, locals, d);
  }

  function nameRef(n: Name, locals: Set<string>, d: BlockDecl | ModelDecl | undefined, asCallee: boolean): void {
    if (d && locals.has(n.text)) {
      const param = d.kind === 'block' ? d.params.some((p) => p.name.text === n.text) : d.inputs.some((p) => p.name.text === n.text) || sizeSymbols(d).has(n.text);
      occurrences.push({ name: n.text, start: n.start, end: n.end, kind: param ? 'param' : 'local', isDef: false, decl: d });
      return;
    }
    const b = mod.scope.get(n.text);
    if (b) {
      occurrences.push({ name: n.text, start: n.start, end: n.end, kind: 'global', isDef: false, binding: b, ...(d ? { decl: d } : {}) });
      return;
    }
    const op = getOp(n.text);
    if (op) occurrences.push({ name: n.text, start: n.start, end: n.end, kind: 'op', isDef: false, op, ...(d ? { decl: d } : {}) });
    else if (asCallee || d) occurrences.push({ name: n.text, start: n.start, end: n.end, kind: 'unknown', isDef: false, ...(d ? { decl: d } : {}) });
  }

  function call(e: Extract<Expr, { kind: 'call' }>, locals: Set<string>, d: BlockDecl | ModelDecl | undefined, inChain: boolean): void {
    if (e.callee.kind === 'name') {
      nameRef(e.callee.name, locals, d, true);
      calls.push({ callee: e.callee.name.text, calleeRange: e.callee.range, args: e.args, range: e.range, inChain, ...(d ? { decl: d } : {}) });
      // A keyword argument of a block call names one of the block's parameters (rename and references follow it).
      const target = d && locals.has(e.callee.name.text) ? undefined : mod.scope.get(e.callee.name.text);
      const block = target?.kind === 'block' ? { binding: target } : {};
      for (const a of e.args)
        if (a.name) occurrences.push({ name: a.name.text, start: a.name.start, end: a.name.end, kind: 'kwarg', isDef: false, callee: e.callee.name.text, ...block, ...(d ? { decl: d } : {}) });
    } else expr(e.callee, locals, d);
    for (const a of e.args) expr(a.value, locals, d);
  }

  function expr(e: Expr, locals: Set<string>, d: BlockDecl | ModelDecl | undefined): void {
    switch (e.kind) {
      case 'name':
        nameRef(e.name, locals, d, false);
        return;
      case 'tuple':
      case 'list':
        for (const x of e.items) expr(x, locals, d);
        return;
      case 'unary':
        expr(e.operand, locals, d);
        return;
      case 'binary':
        expr(e.left, locals, d);
        expr(e.right, locals, d);
        return;
      case 'range':
        expr(e.from, locals, d);
        expr(e.to, locals, d);
        return;
      case 'call':
        steps.push(e.range);
        call(e, locals, d, false);
        return;
      case 'index':
        expr(e.target, locals, d);
        expr(e.index, locals, d);
        return;
      case 'member':
        expr(e.target, locals, d);
        occurrences.push({ name: e.member.text, start: e.member.start, end: e.member.end, kind: 'member', isDef: false, ...(d ? { decl: d } : {}) });
        return;
      case 'chain':
        expr(e.head, locals, d);
        for (const s of e.steps) {
          steps.push(s.range);
          if (s.kind === 'call') call(s, locals, d, true);
          else if (s.kind === 'name') nameRef(s.name, locals, d, true);
          else expr(s, locals, d);
        }
        return;
      default:
        return;
    }
  }
}

/** The occurrence covering `offset` (touching its end counts: the cursor is often just after a name). */
export function occurrenceAt(syms: ModuleSymbols, offset: number): Occurrence | undefined {
  const occ = syms.occurrences;
  let lo = 0;
  let hi = occ.length - 1;
  let best: Occurrence | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const o = occ[mid]!;
    if (o.start <= offset) {
      if (offset <= o.end) best = o;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** Same symbol? Locals by name within one declaration; globals by their binding's declaration. */
export function sameSymbol(a: Occurrence, b: Occurrence): boolean {
  if (a.name !== b.name && !(a.binding && b.binding)) return false;
  if (a.kind === 'local' || a.kind === 'param') return (b.kind === 'local' || b.kind === 'param') && a.decl === b.decl && a.name === b.name;
  if (a.kind === 'global' && b.kind === 'global') return a.binding !== undefined && b.binding !== undefined && a.binding.decl === b.binding.decl;
  if (a.kind === 'op' && b.kind === 'op') return a.op === b.op;
  return false;
}
