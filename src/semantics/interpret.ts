/** Statements and expressions of the elaboration-time interpreter. */
import { didYouMean, type DiagExtra } from '../diagnostics/make.js';
import type { Span } from '../diagnostics/types.js';
import type { Expr, Range, Stmt } from '../syntax/ast.js';
import { getOp, opNames } from '../ops/registry.js';
import { equalityCondition, neg } from '../symbolic/dim.js';
import { type Rel, relationCondition } from '../symbolic/order.js';
import { BUILTINS, callBuiltin } from './builtins.js';
import { FLOAT_FOR_INT_HINT } from './arg-types.js';
import { applyValue, evalCall } from './calls.js';
import { constValue } from './consts.js';
import { SUGGESTION } from './journal.js';
import { importFix } from './std-names.js';
import { type State, Scope, DeferSignal, LIMITS } from './state.js';
import { ERR, INEXACT_INT_HINT, NONE, UNREAD, type Value, asDim, fromDim, inexactInt, kindName, num, show } from './values.js';
import { ARITH_OPS, type BigIntValue, type Operand, TOO_LONG_PREFIX, bigMessage, binaryValues, intArith } from './operators.js';

/**
 * Looks a name up: local variables, then module bindings (blocks, consts, imports), builtins, ops.
 * `at` is where the name is written (for the error when a whole-model total is used outside an assert).
 */
export function lookup(st: State, sc: Scope, name: string, at?: Range): Value | undefined {
  const v = sc.vars.get(name);
  if (v) return v;
  if (st.journal && (sc.module === st.program.root || sc.module.path === st.program.root.path)) st.rootLookups.add(name);
  const b = sc.module.scope.get(name);
  if (b) {
    if (b.kind === 'error') return ERR;
    if (b.kind === 'block') return { k: 'block', block: { decl: b.decl, module: b.module } };
    if (b.kind === 'const') return constValue(st, b);
    return undefined;
  }
  if (BUILTINS.has(name)) {
    if (BUILTINS.get(name)!.value) {
      if (st.analysis) {
        const t = st.analysis.total(name);
        return t === undefined ? ERR : fromDim(t);
      }
      // Inside an assertion the whole assertion waits for the checker; elsewhere the total does not exist yet.
      if (st.assertDepth > 0) throw new DeferSignal();
      st.report('E0300', `'${name}' is a whole-model total, known only once the model is built: it can be used only in an assert`, at ? st.span(sc.module, at) : undefined, {
        hint: `write the condition in the assertion itself, e.g. \`assert ${name} < 1M\``,
      });
      return ERR;
    }
    return { k: 'builtin', name };
  }
  const op = getOp(name);
  if (op) return { k: 'op', op };
  return undefined;
}

export function knownNames(sc: Scope): string[] {
  // Models are in the module's scope (for imports) but are no values: never suggest one.
  const values = [...sc.module.scope].filter(([, b]) => b.kind !== 'model').map(([k]) => k);
  return [...sc.vars.keys(), ...values, ...BUILTINS.keys(), ...opNames()];
}

/** The hint (and fix) of an unknown-name error: a model used as a value is said to be one; else a did-you-mean. */
export function unknownNameExtra(st: State, sc: Scope, name: string, at: Span): DiagExtra {
  // The hint depends on every name in scope and on the imports.
  st.lookupsAll = true;
  if (sc.module.scope.get(name)?.kind === 'model')
    return { hint: `'${name}' is a model: models cannot be called or used as values; write it as a block to reuse it` };
  // A block or constant of the standard library, not imported: the import that brings it in.
  const specs = sc.module.std ? undefined : st.program.stdNames?.().get(name)?.map((x) => x.spec);
  if (specs?.length) return { hint: `'${name}' is in ${specs.join(', ')}: import it (\`from ${specs[0]} import ${name}\`)`, fixes: specs.map((spec) => importFix(sc.module, spec, name)) };
  const s = suggest(st, sc, name);
  return s ? { hint: `did you mean '${s}'?`, fixes: [{ title: `replace with '${s}'`, edits: [{ span: at, newText: s }] }] } : {};
}

/** A did-you-mean for an unknown name; only the first ones get one (each scans every name in scope). */
export function suggest(st: State, sc: Scope, name: string): string | undefined {
  if (st.suggestions <= 0) return undefined;
  st.suggestions--;
  st.journal?.read(SUGGESTION, name);
  return didYouMean(name, knownNames(sc));
}

/**
 * Executes statements; returns the value of a `return` (which ends the enclosing block or model), else
 * undefined. (A returned value, not an exception: block calls are the hot path of elaboration.)
 */
export function execBlock(st: State, sc: Scope, stmts: readonly Stmt[]): Value | undefined {
  for (let i = 0; i < stmts.length; i++) {
    const r = exec(st, sc, stmts[i]!);
    if (r) return r;
  }
  return undefined;
}

/** Executes one statement; returns the value of a `return`, else undefined. */
export function exec(st: State, sc: Scope, s: Stmt): Value | undefined {
  st.tick(sc.module, s.range);
  switch (s.kind) {
    case 'assign': {
      const rhs = s.value;
      // `conv1 = x -> conv2d(…)` names the layer; `h = h -> block(…)` in a loop keeps automatic numbering.
      const direct = (rhs.kind === 'call' || (rhs.kind === 'chain' && rhs.steps.length === 1)) && !sc.vars.has(s.target.text);
      st.nameHint = direct ? s.target.text : undefined;
      const v = evaluate(st, sc, rhs);
      st.nameHint = undefined;
      sc.vars.set(s.target.text, v);
      if (v.k === 'tensor' && st.tensors[v.id]!.name === undefined) {
        st.journal?.tensorName(st.tensors[v.id]!);
        st.tensors[v.id]!.name = s.target.text;
      }
      return;
    }
    case 'expr':
      evaluate(st, sc, s.value);
      return;
    case 'if': {
      const before = st.diagnostics.length;
      const c = condition(st, sc, s.cond);
      if (c === undefined) {
        if (st.diagnostics.slice(before).some((d) => d.code === 'W0106'))
          st.report('E0300', 'this condition depends on symbolic sizes and cannot be decided, so neither branch can be chosen', st.span(sc.module, s.cond.range), { hint: 'give the sizes concrete values, or a `where` constraint' });
        // Neither branch ran: the names they would have bound are errors already reported, not unknown names.
        for (const name of assignedIn([...s.then, ...(s.else ?? [])])) if (!sc.vars.has(name)) sc.vars.set(name, ERR);
        return;
      }
      if (c) return execBlock(st, sc, s.then);
      if (s.else) return execBlock(st, sc, s.else);
      return;
    }
    case 'for': {
      const it = evaluate(st, sc, s.iterable);
      if (it.k === 'error') return;
      if (it.k !== 'tuple') {
        st.report('E0300', `for needs a range or a list, got ${kindName(it)}`, st.span(sc.module, s.iterable.range), { hint: 'write `for i in 0..n`' });
        return;
      }
      if (it.items.length > LIMITS.maxLoop) {
        st.report('E0104', `a loop runs at most ${LIMITS.maxLoop} times; this list has ${it.items.length} items`, st.span(sc.module, s.iterable.range));
        return;
      }
      // Every iteration counts as a step, so that empty bodies cannot run unbounded.
      for (const item of it.items) {
        st.tick(sc.module, s.range);
        sc.vars.set(s.variable.text, item);
        const r = execBlock(st, sc, s.body);
        if (r) return r;
      }
      return;
    }
    case 'repeat': {
      const n = evaluate(st, sc, s.count);
      if (n.k === 'error') return;
      if (n.k !== 'num' || !n.int || n.v < 0) {
        st.report('E0300', `repeat needs a non-negative int, got ${show(n)}`, st.span(sc.module, s.count.range), n.k === 'num' && !n.int ? { hint: FLOAT_FOR_INT_HINT } : {});
        return;
      }
      if (n.v > LIMITS.maxLoop) {
        st.report('E0104', `a loop runs at most ${LIMITS.maxLoop} times; this repeat asks for ${n.v}`, st.span(sc.module, s.count.range));
        return;
      }
      for (let i = 0; i < n.v; i++) {
        st.tick(sc.module, s.range);
        const r = execBlock(st, sc, s.body);
        if (r) return r;
      }
      return;
    }
    case 'frozen':
      st.frozen++;
      try {
        return execBlock(st, sc, s.body);
      } finally {
        st.frozen--;
      }
      return;
    case 'return': {
      const vals = s.values.map((e) => evaluate(st, sc, e));
      return vals.length === 1 ? vals[0]! : { k: 'tuple', items: vals };
    }
    case 'assert': {
      const span = st.span(sc.module, s.range);
      st.assertDepth++;
      try {
        checkAssert(st, sc, s.cond, s.message, span);
      } catch (e) {
        if (!(e instanceof DeferSignal)) throw e;
        // Needs totals or receptive fields: evaluated by the checker once the graph is complete.
        const snapshot = new Scope(sc.module);
        for (const [k, v] of sc.vars) snapshot.vars.set(k, v);
        st.deferred.push({ cond: s.cond, ...(s.message ? { message: s.message } : {}), scope: snapshot, span, blockPath: [...st.frames] });
      } finally {
        st.assertDepth--;
      }
      return;
    }
  }
}

/** The names statements assign (loop variables included), in nested bodies too. */
function assignedIn(ss: readonly Stmt[], out = new Set<string>()): Set<string> {
  for (const s of ss) {
    if (s.kind === 'assign') out.add(s.target.text);
    else if (s.kind === 'for') {
      out.add(s.variable.text);
      assignedIn(s.body, out);
    } else if (s.kind === 'if') assignedIn([...s.then, ...(s.else ?? [])], out);
    else if (s.kind === 'repeat' || s.kind === 'frozen') assignedIn(s.body, out);
  }
  return out;
}

/**
 * The source of an expression, with the parentheses its range leaves out (a parenthesised operand's range
 * is its inside: `a == (1 + 2` would be quoted otherwise).
 */
function closeParens(text: string, start: number, end: number): string {
  let open = 0;
  for (let i = start; i < end; i++) open += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0;
  let b = start;
  while (open < 0) {
    let j = b - 1;
    while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
    if (text[j] !== '(') break;
    b = j;
    open++;
  }
  let e = end;
  while (open > 0) {
    let j = e;
    while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
    if (text[j] !== ')') break;
    e = j + 1;
    open--;
  }
  return text.slice(b, e);
}

/** Evaluates an assertion and reports E0500 (false) or W0106 (undecidable). */
export function checkAssert(st: State, sc: Scope, cond: Expr, message: string | undefined, span: ReturnType<State['span']>): void {
  const v = evaluate(st, sc, cond);
  if (v.k === 'error') return;
  if (v.k !== 'bool') {
    st.report('E0300', `assert needs a condition, got ${kindName(v)}`, span);
    return;
  }
  if (!v.v) {
    const detail = cond.kind === 'binary' ? `: ${show(evaluate(st, sc, cond.left))} ${cond.op} ${show(evaluate(st, sc, cond.right))} is false` : '';
    const text = closeParens(sc.module.file.text, cond.range.start, cond.range.end);
    st.report('E0500', `assertion failed${message ? `: ${message}` : ''} (${text}${detail})`, span);
  }
}

/**
 * Whether an edit replacing `[from, to)` of the source changes source text that elaboration quotes (an
 * assertion's condition, in its failure message), within `stmts`. Elsewhere the result depends on the
 * AST and its offsets only (the editor keeps a model's check through an edit that changes neither).
 */
export function quotesSourceAt(stmts: readonly Stmt[], from: number, to: number): boolean {
  const inside = (r: { start: number; end: number }) => (from === to ? r.start < from && from < r.end : Math.max(from, r.start) < Math.min(to, r.end));
  for (const s of stmts) {
    if (s.range.end < from || s.range.start > to) continue;
    if (s.kind === 'assert' && inside(s.cond.range)) return true;
    const bodies = s.kind === 'if' ? [s.then, s.else ?? []] : s.kind === 'for' || s.kind === 'repeat' || s.kind === 'frozen' ? [s.body] : [];
    for (const b of bodies) if (quotesSourceAt(b, from, to)) return true;
  }
  return false;
}

function condition(st: State, sc: Scope, e: Expr): boolean | undefined {
  const v = evaluate(st, sc, e);
  if (v.k === 'error') return undefined;
  if (v.k !== 'bool') {
    st.report('E0300', `condition must be true or false, got ${kindName(v)}`, st.span(sc.module, e.range));
    return undefined;
  }
  return v.v;
}

export function evaluate(st: State, sc: Scope, e: Expr): Value {
  switch (e.kind) {
    case 'num':
      return num(e.value, e.isInt);
    case 'str':
      return { k: 'str', v: e.value };
    case 'bool':
      return { k: 'bool', v: e.value };
    case 'none':
      return NONE;
    case 'error':
      return e.number ? UNREAD : ERR;
    case 'name': {
      const v = lookup(st, sc, e.name.text, e.range);
      if (v === ERR && st.analysis && BUILTINS.get(e.name.text)?.value)
        st.report('W0106', `${e.name.text} depends on symbolic sizes here; the assertion is not checked`, st.span(sc.module, e.range), { hint: 'give concrete sizes with --input-shape' });
      if (v) return v;
      const at = st.span(sc.module, e.range);
      st.report('E0200', `unknown name '${e.name.text}'`, at, unknownNameExtra(st, sc, e.name.text, at));
      return ERR;
    }
    case 'tuple':
    case 'list':
      return { k: 'tuple', items: e.items.map((x) => evaluate(st, sc, x)) };
    case 'unary':
      return unary(st, sc, e, evaluate(st, sc, e.operand));
    case 'binary':
      return binary(st, sc, e);
    case 'range': {
      const a = evaluate(st, sc, e.from);
      const b = evaluate(st, sc, e.to);
      if (a.k === 'error' || b.k === 'error') return ERR;
      if (a.k !== 'num' || b.k !== 'num' || !a.int || !b.int) {
        st.report('E0300', `a range needs concrete ints, got ${show(a)}..${show(b)}`, st.span(sc.module, e.range));
        return ERR;
      }
      if (b.v - a.v > Math.min(LIMITS.maxLoop, LIMITS.maxItems)) {
        st.report('E0104', `range ${a.v}..${b.v} has ${b.v - a.v} items; a loop runs at most ${LIMITS.maxLoop} times`, st.span(sc.module, e.range));
        return ERR;
      }
      st.tick(sc.module, e.range, b.v - a.v);
      const items: Value[] = [];
      for (let i = a.v; i < b.v; i++) items.push(num(i, true));
      return { k: 'tuple', items };
    }
    case 'index': {
      const t = evaluate(st, sc, e.target);
      const i = evaluate(st, sc, e.index);
      if (t.k === 'error' || i.k === 'error') return ERR;
      if (t.k !== 'tuple' || i.k !== 'num' || !i.int) {
        const hint = t.k === 'tensor' ? { hint: 'a tensor is not indexed with []: `t -> slice(axis, start, end)` takes a range of an axis; `t.shape[i]` is the size of axis i' } : {};
        st.report('E0300', `cannot index ${kindName(t)} with ${kindName(i)}`, st.span(sc.module, e.range), hint);
        return ERR;
      }
      const idx = i.v < 0 ? t.items.length + i.v : i.v;
      if (idx < 0 || idx >= t.items.length) {
        st.report('E0303', `index ${i.v} is out of range for length ${t.items.length}`, st.span(sc.module, e.index.range));
        return ERR;
      }
      return t.items[idx]!;
    }
    case 'member': {
      const t = evaluate(st, sc, e.target);
      if (t.k === 'error') return ERR;
      if (t.k === 'tensor') {
        const type = st.tensors[t.id]!.type;
        switch (e.member.text) {
          case 'shape':
            return { k: 'tuple', items: type.shape.map(fromDim) };
          case 'rank':
            return num(type.shape.length, true);
          case 'dtype':
            return { k: 'str', v: type.dtype };
        }
      }
      st.report('E0300', `${kindName(t)} has no member '${e.member.text}'`, st.span(sc.module, e.member), t.k === 'tensor' ? { hint: 'tensors have .shape, .rank and .dtype' } : {});
      return ERR;
    }
    case 'call':
      return evalCall(st, sc, e, []);
    case 'chain': {
      const hint = st.nameHint;
      st.nameHint = undefined;
      let v = evaluate(st, sc, e.head);
      for (let i = 0; i < e.steps.length; i++) {
        const step = e.steps[i]!;
        if (v.k === 'error') return ERR;
        if (i === e.steps.length - 1) st.nameHint = hint;
        const piped = v.k === 'tuple' ? [...v.items] : [v];
        v = step.kind === 'call' ? evalCall(st, sc, step, piped) : applyValue(st, sc, evaluate(st, sc, step), piped, step);
      }
      return v;
    }
  }
}

function unary(st: State, sc: Scope, e: Extract<Expr, { kind: 'unary' }>, v: Value): Value {
  if (v.k === 'error') return ERR;
  if (e.op === 'not') {
    if (v.k === 'bool') return { k: 'bool', v: !v.v };
  } else {
    if (v.k === 'num') return num(-v.v, v.int);
    if (v.k === 'dim') return fromDim(neg(v.v));
  }
  st.report('E0300', `'${e.op}' does not apply to ${kindName(v)}`, st.span(sc.module, e.range));
  return ERR;
}

/** An operand of arithmetic: arithmetic itself (and its negation) may be an int beyond 2^53 − 1 there. */
function operand(st: State, sc: Scope, e: Expr): Operand {
  if (e.kind === 'binary' && ARITH_OPS.has(e.op)) return arithmetic(st, sc, e);
  if (e.kind === 'unary' && e.op === '-') {
    const v = operand(st, sc, e.operand);
    return v.k === 'big' ? { k: 'big', v: -v.v } : unary(st, sc, e, v);
  }
  return evaluate(st, sc, e);
}

/**
 * Integer arithmetic is exact: intermediates may leave the range of doubles (`2 ** 53 - 1`), as long as
 * the final value (the outermost arithmetic, whatever uses it) is back within ±(2^53 − 1); else E0406.
 */
function arithmetic(st: State, sc: Scope, e: Extract<Expr, { kind: 'binary' }>): Operand {
  const a = operand(st, sc, e.left);
  const b = operand(st, sc, e.right);
  if (a.k === 'error' || b.k === 'error') return ERR;
  const r = intArith(e.op, a, b);
  if (typeof r === 'string') {
    const byZero = r.startsWith('division') || r.startsWith('modulo');
    st.report(byZero ? 'E0302' : 'E0406', r, st.span(sc.module, byZero ? e.opRange : e.range), byZero ? {} : { hint: INEXACT_INT_HINT });
    return ERR;
  }
  if (r) return r;
  // An int beyond the exact range meets a float (a float result, as in Python) or anything else (no exact form).
  const value = (x: Operand, other: Operand): Value | undefined => (x.k !== 'big' ? x : other.k === 'num' && !other.int ? num(Number(x.v), false) : undefined);
  const x = value(a, b);
  const y = value(b, a);
  if (!x || !y) {
    st.report('E0406', bigMessage((a.k === 'big' ? a : (b as BigIntValue)).v), st.span(sc.module, (a.k === 'big' ? e.left : e.right).range), { hint: INEXACT_INT_HINT });
    return ERR;
  }
  return binaryOf(st, sc, e, x, y);
}

function binary(st: State, sc: Scope, e: Extract<Expr, { kind: 'binary' }>): Value {
  if (ARITH_OPS.has(e.op)) {
    const r = arithmetic(st, sc, e);
    if (r.k !== 'big') return r;
    st.report('E0406', bigMessage(r.v), st.span(sc.module, e.range), { hint: INEXACT_INT_HINT });
    return ERR;
  }
  if (e.op === 'and' || e.op === 'or') {
    const a = evaluate(st, sc, e.left);
    if (a.k === 'error') return ERR;
    if (a.k === 'bool' && (e.op === 'and' ? !a.v : a.v)) return a;
    const b = evaluate(st, sc, e.right);
    if (b.k === 'error') return ERR;
    if (a.k === 'bool' && b.k === 'bool') return b;
    st.report('E0300', `'${e.op}' needs true/false operands, got ${kindName(a)} and ${kindName(b)}`, st.span(sc.module, e.range));
    return ERR;
  }
  const a = evaluate(st, sc, e.left);
  const b = evaluate(st, sc, e.right);
  if (a.k === 'error' || b.k === 'error') return ERR;
  return binaryOf(st, sc, e, a, b);
}

/** `a op b` on values, with its diagnostics. */
function binaryOf(st: State, sc: Scope, e: Extract<Expr, { kind: 'binary' }>, a: Value, b: Value): Value {
  const r = binaryValues(e.op, a, b, st.facts);
  if (r === ERR) return ERR;
  if (r === 'undecided') {
    const da = asDim(a);
    const db = asDim(b);
    const eq = e.op === '==' || e.op === '!=';
    const cond = da === undefined || db === undefined ? undefined : eq ? equalityCondition(da, db, st.facts) : relationCondition(da, e.op as Rel, db, st.facts);
    st.report('W0106', `cannot decide ${show(a)} ${e.op} ${show(b)} for every value of the symbolic dimensions${cond ? ` (${eq ? 'the equality: ' : ''}${cond})` : ''}`, st.span(sc.module, e.range), { hint: 'give concrete sizes (`--input-shape`) or a `where` constraint' });
    return ERR;
  }
  if (typeof r !== 'string' && (r.k === 'tuple' || r.k === 'str')) st.tick(sc.module, e.range, r.k === 'tuple' ? r.items.length : r.v.length);
  if (typeof r === 'string') {
    // Python habits (`y + x`, `x * 0.5`): arithmetic is on sizes; tensors combine through layers.
    const layer = ({ '+': 'add', '-': 'sub', '*': 'mul', '/': 'div' } as Record<string, string>)[e.op];
    const tensorHint = (a.k === 'tensor' || b.k === 'tensor') && layer ? { hint: `operators work on numbers and sizes; tensors combine through layers: \`${layer}(a, b)\`` } : {};
    st.report(r.startsWith(TOO_LONG_PREFIX) ? 'E0104' : r.startsWith('division') || r.startsWith('modulo') ? 'E0302' : 'E0300', r, st.span(sc.module, e.opRange), tensorHint);
    return ERR;
  }
  const inexact = inexactInt(r);
  if (inexact) {
    st.report('E0406', inexact, st.span(sc.module, e.range), { hint: INEXACT_INT_HINT });
    return ERR;
  }
  return r;
}

export { callBuiltin };
