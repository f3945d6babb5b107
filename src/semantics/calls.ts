/**
 * Calls: ops and blocks, layer instances (partial application) and weight sharing. A call without a
 * tensor input makes an instance; applying one instance twice shares its weights. A shared block
 * instance replays the inner instances of its first application in creation order.
 */
import { didYouMean } from '../diagnostics/make.js';
import type { Span } from '../diagnostics/types.js';
import type { Arg, Expr, Param } from '../syntax/ast.js';
import type { AttrValue, TensorType } from '../ops/types.js';
import { checkParamType } from './arg-types.js';
import { callBuiltin } from './builtins.js';
import { applyOp } from './apply-op.js';
import { runBody } from './block-memo.js';
import { evaluate, lookup, unknownNameExtra } from './interpret.js';
import { type State, LIMITS, Scope } from './state.js';
import type { BlockArg, BlockFrame } from './ir.js';
import { cutShort } from './modules.js';
import { bindOpInstance, renameKeyword, tensorArity } from './op-args.js';
import { ERR, INEXACT_INT_HINT, type ArgSite, type BlockRef, type Instance, type Value, hasUnread, inexactInt, instanceText, isUnread, kindName, show } from './values.js';

type Site = ArgSite;

/** Evaluates `callee(args)`, with `piped` tensors from a chain prepended to the inputs. */
export function evalCall(st: State, sc: Scope, e: Extract<Expr, { kind: 'call' }>, piped: Value[]): Value {
  st.tick(sc.module, e.range);
  let callee: Value;
  if (e.callee.kind === 'name') {
    const found = lookup(st, sc, e.callee.name.text, e.callee.range);
    if (!found) {
      const at = st.span(sc.module, e.callee.range);
      const extra = unknownNameExtra(st, sc, e.callee.name.text, at);
      st.report('E0201', `unknown layer or block '${e.callee.name.text}'`, at, extra.hint ? extra : { hint: 'see `dslc ops` for the layer catalogue' });
      return ERR;
    }
    callee = found;
  } else callee = evaluate(st, sc, e.callee);
  if (callee.k === 'error') return ERR;
  // The assigned name belongs to this call's layer, not to layers built inside its arguments.
  const hint = st.nameHint;
  st.nameHint = undefined;
  const { pos, kw, site } = evalArgs(st, sc, e.args, e.range);
  st.nameHint = hint;
  if (!pos || !kw) return ERR;
  return callValue(st, sc, callee, piped, pos, kw, site, e.callee.range);
}

const isErr = (v: Value): boolean => v.k === 'error';
/** An error that makes a call silent: any but a number that could not be read, which fails the call only after the checks that do not need its value. */
const poisons = (v: Value): boolean => v.k === 'error' && !v.unread;

const NO_SPAN = (): Span | undefined => undefined;
/**
 * The keywords of a call without any (most calls): one shared map, read-only wherever it goes (takeGeneric
 * makes a copy without `name` and `trainable` rather than deleting them). Loops below are indexed: this is the hot path of a cold first check, where
 * iterators and per-call maps and closures are allocated and interpreted.
 */
const NO_KEYWORDS: ReadonlyMap<string, Value> = new Map<string, Value>();

function evalArgs(st: State, sc: Scope, args: readonly Arg[], range: { start: number; end: number }) {
  const pos: Value[] = [];
  let kw: Map<string, Value> | undefined;
  const posArgs: Arg[] = [];
  let ok = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = evaluate(st, sc, a.value);
    if (a.name) {
      kw ??= new Map();
      if (kw.has(a.name.text)) {
        st.report('E0204', `argument '${a.name.text}' is given twice`, st.span(sc.module, a.range));
        ok = false;
      }
      kw.set(a.name.text, v);
    } else {
      if (kw?.size) {
        st.report('E0203', 'positional argument after keyword arguments', st.span(sc.module, a.range));
        ok = false;
      }
      pos.push(v);
      posArgs.push(a);
    }
  }
  // Argument spans are made only when a diagnostic points at an argument (the last one given wins).
  const mod = sc.module;
  const at = (a: Arg | undefined) => (a ? st.span(mod, a.range) : undefined);
  const site: Site = {
    span: st.span(mod, range),
    pos: posArgs.length ? (i) => at(posArgs[i]) : NO_SPAN,
    kw: kw?.size ? (name) => at(args.findLast((a) => a.name?.text === name)) : NO_SPAN,
  };
  return ok ? { pos, kw: kw ?? NO_KEYWORDS, site } : { site };
}

/** Applies a chain step that is not a call expression (`-> relu`, `-> tower`). */
export function applyValue(st: State, sc: Scope, v: Value, piped: Value[], at: Expr): Value {
  if (v.k === 'error') return ERR;
  const site: Site = { span: st.span(sc.module, at.range), pos: NO_SPAN, kw: NO_SPAN };
  return callValue(st, sc, v, piped, [], NO_KEYWORDS, site, at.range);
}

function callValue(st: State, sc: Scope, callee: Value, piped: Value[], pos: Value[], kw: ReadonlyMap<string, Value>, site: Site, calleeRange: { start: number; end: number }): Value {
  if (piped.some(isErr) || pos.some(poisons)) return ERR;
  if (kw.size) for (const v of kw.values()) if (poisons(v)) return ERR;
  switch (callee.k) {
    case 'builtin': {
      if (kw.size) {
        st.report('E0202', `${callee.name}() takes no keyword arguments`, site.span);
        return ERR;
      }
      const r = callBuiltin(st, callee.name, [...piped, ...pos]);
      if (typeof r === 'string') {
        st.report(/; the limit is \d+$/.test(r) ? 'E0104' : 'E0300', r, site.span);
        return ERR;
      }
      // prod(), sum(), int(1e300): an int result past 2^53 − 1 is as inexact as one of `*`.
      const inexact = inexactInt(r);
      if (inexact) {
        st.report('E0406', inexact, site.span, { hint: INEXACT_INT_HINT });
        return ERR;
      }
      return r;
    }
    case 'op':
    case 'block': {
      const generic = takeGeneric(st, kw, site);
      if (!generic) return ERR;
      const target = callee.k === 'op' ? ({ kind: 'op', op: callee.op } as const) : ({ kind: 'block', block: callee.block } as const);
      const nIn = callee.k === 'op' ? tensorArity(callee.op) : tensorParams(callee.block).length;
      const tensors = [...piped];
      const nPos = pos.length;
      while (tensors.length < nIn && pos.length && pos[0]!.k === 'tensor') tensors.push(pos.shift()!);
      if (callee.k === 'op' && callee.op.inputs.some((i) => i.variadic)) while (pos.length && pos[0]!.k === 'tensor') tensors.push(pos.shift()!);
      // Tensors taken from the front of the positional arguments: the rest keep their own spans.
      const drop = nPos - pos.length;
      const inst = newInstance(st, target, pos, generic.rest, generic, drop ? { ...site, pos: (i) => site.pos(i + drop) } : site);
      if (!inst) return ERR;
      if (tensors.length === 0 && nIn > 0) {
        // (A block's arguments are checked where it is applied: an instance holding an unread number is not made.)
        if (hasUnread(inst.positional, inst.keywords)) return ERR;
        // `head = dense(10)`: the instance is named after its variable.
        if (!inst.label && st.nameHint) inst.label = st.nameHint;
        st.nameHint = undefined;
        return { k: 'instance', inst };
      }
      return applyInstance(st, inst, tensors, site, true);
    }
    case 'instance': {
      if (pos.some((p) => p.k !== 'tensor') || kw.size) {
        st.report('E0300', 'a layer instance takes only tensors; its arguments were fixed when it was created', site.span, { notes: [{ message: 'created here', span: callee.inst.span }] });
        return ERR;
      }
      return applyInstance(st, callee.inst, [...piped, ...pos], site, false);
    }
    default:
      st.report('E0300', `${kindName(callee)} ${show(callee)} is not callable`, st.span(sc.module, calleeRange));
      return ERR;
  }
}

/** `name=` and `trainable=` are accepted by every layer and block; `rest`: the other keywords. */
function takeGeneric(st: State, kw: ReadonlyMap<string, Value>, site: Site): { label?: string; trainable: boolean; rest: ReadonlyMap<string, Value> } | undefined {
  const out: { label?: string; trainable: boolean; rest: ReadonlyMap<string, Value> } = { trainable: true, rest: kw };
  if (!kw.size) return out;
  const n = kw.get('name');
  // (An unread number there: what the layer would be called is not known.)
  if (isUnread(n) || isUnread(kw.get('trainable'))) return undefined;
  if (n) {
    if (n.k !== 'str' || !/^[A-Za-z_][\w]*$/.test(n.v)) {
      st.report('E0300', `name must be a string identifier, got ${show(n)}`, site.kw('name'));
      return undefined;
    }
    out.label = n.v;
  }
  const t = kw.get('trainable');
  if (t) {
    if (t.k !== 'bool') {
      st.report('E0300', `trainable must be true or false, got ${show(t)}`, site.kw('trainable'));
      return undefined;
    }
    out.trainable = t.v;
  }
  if (n || t) {
    const rest = new Map(kw);
    rest.delete('name');
    rest.delete('trainable');
    out.rest = rest;
  }
  return out;
}

/** Worked out once per block declaration (a block is called once per use, thousands of times in big models). */
const tensorParamsOf = new WeakMap<BlockRef['decl'], readonly Param[]>();

/** Tensor parameters of a block: typed `Tensor` or with a shape, or an untyped first param without default. */
export function tensorParams(b: BlockRef): readonly Param[] {
  let out = tensorParamsOf.get(b.decl);
  if (out) return out;
  const found: Param[] = [];
  for (const [i, p] of b.decl.params.entries()) {
    const isT = p.type ? p.type.dims !== undefined || /^tensor$/i.test(p.type.name?.text ?? '') : i === 0 && !p.default;
    if (!isT) break;
    found.push(p);
  }
  tensorParamsOf.set(b.decl, (out = found));
  return out;
}

function newInstance(st: State, target: Instance['target'], pos: Value[], kw: ReadonlyMap<string, Value>, generic: { label?: string; trainable: boolean }, site: Site): Instance | undefined {
  const top = st.replay[st.replay.length - 1];
  if (top?.replaying) {
    const prev = top.inst.inner[top.idx++];
    const same = prev && prev.target.kind === target.kind && (target.kind === 'op' ? prev.target.kind === 'op' && prev.target.op === target.op : prev.target.kind === 'block' && prev.target.block.decl === target.block.decl);
    if (!same) {
      st.report('E0305', 'a shared block instance builds a different structure on this application (its body depends on the input), so its weights cannot be shared', site.span);
      return undefined;
    }
    // A call that failed at the first application (reported then) is not replayed unvalidated.
    return prev.failed ? undefined : prev;
  }
  // All fields from the start (one object shape; later ones are filled in as the instance is used).
  const inst: Instance = {
    id: st.nextInstance++, target, positional: pos, keywords: kw, label: generic.label || undefined, site, appliedLabel: undefined, trainable: generic.trainable && st.frozen === 0,
    span: site.span, firstNode: undefined, inner: [], applied: 0, bound: undefined, failed: undefined,
  };
  // Check an op's arguments now, so that an instance reports mistakes where it is written.
  if (target.kind === 'op' && !bindOpInstance(st, inst, target.op, pos, kw, site)) inst.failed = true;
  // Recorded even when it failed, so that a replay stays aligned with the first application.
  if (top) top.inst.inner.push(inst);
  return inst.failed ? undefined : inst;
}

/** `once`: the instance was made by this call and is applied only here (the block memo may replay it). */
function applyInstance(st: State, inst: Instance, tensors: Value[], site: Site, once: boolean): Value {
  if (tensors.some((t) => t.k === 'error')) return ERR;
  const bad = tensors.find((t) => t.k !== 'tensor');
  if (bad) {
    st.report('E0300', `expected a tensor input, got ${kindName(bad)} ${show(bad)}`, site.span);
    return ERR;
  }
  const ids = tensors.map((t) => (t as { id: number }).id);
  return inst.target.kind === 'op' ? applyOp(st, inst, inst.target.op, ids, site) : applyBlock(st, inst, inst.target.block, ids, site, once);
}

function applyBlock(st: State, inst: Instance, ref: BlockRef, ids: number[], site: Site, once: boolean): Value {
  const decl = ref.decl;
  if (st.frames.length >= LIMITS.maxBlockDepth) {
    const names = st.frames.map((f) => f.block);
    const chain = names.length > 6 ? [...names.slice(0, 3), '…', ...names.slice(-3)] : names;
    st.report('E0104', `block calls are nested more than ${LIMITS.maxBlockDepth} levels deep (${[...chain, decl.name.text].join(' → ')})`, site.span, { hint: 'flatten the hierarchy: call blocks in a loop rather than each from the next' });
    return ERR;
  }
  if (st.activeBlocks.some((b) => b.decl === decl)) {
    const chain = [...st.activeBlocks.map((b) => b.decl.name.text), decl.name.text].join(' → ');
    st.report('E0208', `block '${decl.name.text}' calls itself (${chain}); networks must be finite`, site.span, { hint: 'use a loop (for/repeat) instead of recursion' });
    return ERR;
  }
  const tps = tensorParams(ref);
  if (ids.length !== tps.length) {
    st.report('E0203', `block ${decl.name.text} takes ${tps.length} tensor input${tps.length === 1 ? '' : 's'} (${tps.map((p) => p.name.text).join(', ')}), got ${ids.length}`, site.span);
    return ERR;
  }
  const isite = inst.site ?? site;
  const sc = new Scope(ref.module);
  tps.forEach((p, i) => sc.vars.set(p.name.text, { k: 'tensor', id: ids[i]! }));
  const rest = decl.params.slice(tps.length);
  if (inst.positional.length > rest.length) {
    st.report('E0203', `block ${decl.name.text} takes ${rest.length} argument${rest.length === 1 ? '' : 's'} after its tensor inputs (${rest.map((p) => p.name.text).join(', ')}), got ${inst.positional.length}`, isite.pos(rest.length) ?? isite.span);
    return ERR;
  }
  for (const k of inst.keywords.keys()) {
    if (!rest.some((p) => p.name.text === k)) {
      const s = didYouMean(k, rest.map((p) => p.name.text));
      const at = isite.kw(k);
      const fix = s && at ? renameKeyword(at, k, s) : undefined;
      st.report('E0202', `block ${decl.name.text} has no parameter '${k}'`, at ?? isite.span, { hint: s ? `did you mean '${s}'?` : `parameters: ${rest.map((p) => p.name.text).join(', ')}`, ...(fix ? { fixes: [fix] } : {}) });
      return ERR;
    }
  }
  let failed = false;
  for (let i = 0; i < rest.length; i++) {
    const p = rest[i]!;
    let v: Value | undefined = inst.positional[i];
    if (v && inst.keywords.has(p.name.text)) {
      st.report('E0204', `'${p.name.text}' is given twice`, isite.kw(p.name.text) ?? isite.span);
      return ERR;
    }
    v ??= inst.keywords.get(p.name.text);
    if (!v) {
      if (!p.default) {
        st.report('E0203', `block ${decl.name.text} is missing argument '${p.name.text}'`, isite.span, { notes: [{ message: 'declared here', span: st.span(ref.module, p.range) }] });
        return ERR;
      }
      v = evaluate(st, sc, p.default);
    }
    // (An error, such as a number that could not be read, has no type to check: the call fails after the others.)
    const err = isErr(v) ? undefined : checkParamType(p, v, st.facts);
    if (err) {
      st.report('E0300', `block ${decl.name.text}: ${err.message}`, (i < inst.positional.length ? isite.pos(i) : isite.kw(p.name.text)) ?? isite.span, err.hint ? { hint: err.hint } : {});
      return ERR;
    }
    if (isErr(v)) failed = true;
    sc.vars.set(p.name.text, v);
  }
  if (failed) return ERR;
  const hint = st.nameHint;
  st.nameHint = undefined;
  const label = inst.applied > 0 && inst.appliedLabel ? inst.appliedLabel : st.uniqueLabel(inst.label ?? hint ?? decl.name.text, !inst.label && !hint);
  inst.appliedLabel = label;
  const args = decl.params.map((p, i): BlockArg => {
    const v = sc.vars.get(p.name.text)!;
    return i < tps.length && v.k === 'tensor' ? { name: p.name.text, type: st.tensors[v.id]!.type } : { name: p.name.text, value: v.k === 'instance' ? instanceText(v.inst) : show(v) };
  });
  // (Every field from the start: one object shape; `outputs` is filled in when the body returns.)
  const resultNames = decl.returns?.some((r) => r.name.text) ? decl.returns.map((r) => r.name.text) : undefined;
  const frame: BlockFrame & { outputs: TensorType[] | undefined; results: number[] | undefined } = { block: decl.name.text, label, span: site.span, instance: inst.id, args, outputs: undefined, results: undefined, resultNames };
  const made = st.nodes.length;
  let empty: BlockFrame[] | undefined;
  st.frames.push(frame);
  st.activeBlocks.push(ref);
  st.replay.push({ inst, idx: 0, replaying: inst.applied > 0 });
  let result: Value | undefined;
  if (!inst.trainable) st.frozen++;
  // A block called from an assertion's condition runs its statements as usual (totals are not deferred).
  const assertDepth = st.assertDepth;
  st.assertDepth = 0;
  try {
    result = runBody(st, sc, inst, ref, ids, once);
  } finally {
    st.assertDepth = assertDepth;
    if (!inst.trainable) st.frozen--;
    if (st.nodes.length === made) empty = [...st.frames];
    st.frames.pop();
    st.activeBlocks.pop();
    st.replay.pop();
  }
  inst.applied++;
  if (result) frame.results = resultIds(result);
  if (frame.results && empty) st.emptyCalls.push({ path: empty, at: made });
  if (frame.results) frame.outputs = frame.results.map((t) => st.tensors[t]!.type);
  if (!result) {
    if (!cutShort(ref.module, decl)) st.report('E0304', `block ${decl.name.text} ends without return`, st.span(ref.module, decl.name), { hint: 'end the block with `return <tensor>`' });
    return ERR;
  }
  return result;
}

/** The tensors of a block's result: one, or a tuple's (undefined when it holds anything else). */
function resultIds(v: Value): number[] | undefined {
  if (v.k === 'tensor') return [v.id];
  if (v.k !== 'tuple' || !v.items.every((x) => x.k === 'tensor')) return undefined;
  return v.items.map((x) => (x as { id: number }).id);
}

export type { AttrValue };
