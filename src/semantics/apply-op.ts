/**
 * Applying an op instance to tensors: its shape rule (with diagnostics placed at the attributes as written),
 * weight sharing across applications, symbol bindings, and the IR node it records. The hot path of
 * elaboration: one call per layer.
 */
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Span } from '../diagnostics/types.js';
import { type OpContextHost, createOpContext } from '../ops/context.js';
import { type DiagOptions, type OpDef, isFailure } from '../ops/types.js';
import { type Dim, compareDims, equalityCondition, formatDim, isSymbolic, mul, substitute, symbolName, symbolsOf } from '../symbolic/dim.js';
import type { IrParam } from './ir.js';
import type { State } from './state.js';
import { ERR, type ArgSite, type Instance, type Value } from './values.js';

type Site = ArgSite;

/** How many tensor inputs an op takes (worked out once per op, not per layer). */
const arityCache = new WeakMap<OpDef, { fixed: number; variadic: boolean; min: number }>();
function arityOf(op: OpDef): { fixed: number; variadic: boolean; min: number } {
  let a = arityCache.get(op);
  if (!a) {
    const fixed = op.inputs.filter((i) => !i.variadic);
    const variadic = op.inputs.find((i) => i.variadic);
    a = { fixed: fixed.length, variadic: Boolean(variadic), min: variadic ? (variadic.min ?? 1) : fixed.filter((i) => !i.optional).length };
    arityCache.set(op, a);
  }
  return a;
}

/** Where an op's shape rule reports: at the attribute it names (as written at the instance), else at the call. */
class OpHost implements OpContextHost {
  constructor(
    private readonly st: State,
    private readonly site: Site,
    private readonly isite: Site,
    private readonly bound: NonNullable<Instance['bound']>,
  ) {}

  report(code: DiagnosticCode, message: string, opts: DiagOptions): void {
    this.st.report(code, message, opts.attr ? this.attrSpan(opts.attr) : this.site.span, { ...(opts.hint ? { hint: opts.hint } : {}), ...(opts.notes ? { notes: opts.notes } : {}), ...(opts.fixes ? { fixes: opts.fixes } : {}) });
  }

  unify(a: Dim, b: Dim, what: string, label: string): boolean {
    return unify(this.st, a, b, what, label, this.site.span);
  }

  private attrSpan(a: string): Span {
    const g = this.bound.given.get(a);
    const at = this.isite;
    return g === undefined ? at.span : typeof g === 'number' ? (at.pos(g) ?? at.span) : (at.kw(g) ?? at.span);
  }
}

/** Floating-point dtypes (what layers with weights take). */
const FLOAT_TYPES: ReadonlySet<string> = new Set(['float32', 'float16', 'bfloat16', 'float64']);

export function applyOp(st: State, inst: Instance, op: OpDef, ids: number[], site: Site): Value {
  const { fixed, variadic, min: minIn } = arityOf(op);
  if (ids.length < minIn || (!variadic && ids.length > fixed)) {
    st.report('E0203', `${op.name} takes ${variadic ? `at least ${minIn}` : fixed} tensor input${minIn === 1 && !variadic ? '' : 's'}, got ${ids.length}`, site.span);
    return ERR;
  }
  const isite = inst.site ?? site;
  const bound = inst.bound;
  if (!bound) return ERR; // unreachable: op instances are bound when created, or not created
  const hint = st.nameHint;
  st.nameHint = undefined;
  const label = inst.applied > 0 && inst.firstNode !== undefined ? st.nodes[inst.firstNode]!.label : st.uniqueLabel(inst.label ?? hint ?? op.name, !inst.label && !hint);
  // Inputs keep their symbols (so a conflict can be explained as E0403); outputs and costs use the bindings.
  const inputs = ids.map((i) => st.tensors[i]!.type);
  const ctx = createOpContext(label, inputs, bound.attrs, bound.given, st.facts, new OpHost(st, site, isite, bound));
  const r = op.infer(ctx);
  if (isFailure(r)) return ERR;
  // Weights are float: an integer or boolean input to a layer that has them is a mistake (PyTorch refuses it too).
  if (r.params?.length)
    for (let i = 0; i < inputs.length; i++) {
      const dt = inputs[i]!.dtype;
      if (FLOAT_TYPES.has(dt) || op.inputs[Math.min(i, op.inputs.length - 1)]?.integer) continue;
      st.report('E0408', `${label}: ${op.name} computes with float weights, but its input is ${dt}`, site.span, { hint: 'declare the input float32 (integer token ids go through embedding first)' });
      return ERR;
    }
  // A layer is built where it is first applied: inside `frozen { }`, frozen, wherever its instance was made.
  // Every parameter and node has the same fields in the same order (one object shape for the engine:
  // the checker and the lowerings walk them all).
  const params: IrParam[] = (r.params ?? []).map((p) => ({ name: p.name, shape: p.shape, trainable: p.trainable !== false && inst.trainable && (inst.applied > 0 || st.frozen === 0), dtype: p.dtype, init: p.init, fanIn: p.fanIn, ...(p.zeroRows ? { zeroRows: p.zeroRows } : {}) }));
  let sharedWith: number | undefined;
  if (inst.applied > 0) {
    const sig = (ps: readonly IrParam[]) => JSON.stringify(ps.map((p) => [p.name, p.shape]));
    if (inst.firstNode === undefined || sig(params) !== sig(st.nodes[inst.firstNode]!.params)) {
      st.report('E0305', `${label}: this shared layer needs weights ${describeParams(params)} here but ${inst.firstNode !== undefined ? describeParams(st.nodes[inst.firstNode]!.params) : 'none'} at its first use`, site.span, { notes: inst.firstNode !== undefined ? [{ message: 'first applied here', span: st.nodes[inst.firstNode]!.span }] : [] });
      return ERR;
    }
    sharedWith = inst.firstNode;
  }
  const id = st.nodes.length;
  // Bound symbols (from unification) are substituted into outputs and costs; usually there are none.
  const bind = anyBound(st) ? (d: Dim) => bindSyms(st, d) : identityDim;
  const outs = r.outputs.map((o) => st.newTensor(bind === identityDim ? o : { ...o, shape: o.shape.map(bind) }, site.span, id));
  if (!outs.every((o) => checkDims(st, o, label, site.span))) return ERR;
  st.nodes.push({
    id, op, label, path: st.path(label), inputs: ids, outputs: outs, attrs: bound.attrs, params, instance: inst.id, sharedWith,
    macs: bind(r.macs), flops: bind(r.flops ?? mul(r.macs, 2)), rf: r.rf, span: site.span, blockPath: st.frameInfo().frames,
  });
  if (inst.applied++ === 0) inst.firstNode = id;
  return outs.length === 1 ? { k: 'tensor', id: outs[0]! } : { k: 'tuple', items: outs.map((o) => ({ k: 'tensor', id: o }) as Value) };
}

const describeParams = (ps: readonly IrParam[]) => ps.map((p) => `${p.name}[${p.shape.join('×')}]`).join(', ') || 'none';

const identityDim = (d: Dim): Dim => d;

function anyBound(st: State): boolean {
  for (const v of st.symbols.values()) if (v !== undefined) return true;
  return false;
}

function bindSyms(st: State, d: Dim): Dim {
  if (!isSymbolic(d)) return d;
  const env = new Map<string, Dim>();
  for (const [k, v] of st.symbols) if (v !== undefined) env.set(k, v);
  return env.size ? substitute(d, env, st.facts) : d;
}

function checkDims(st: State, tensor: number, label: string, span: Span): boolean {
  for (const d of st.tensors[tensor]!.type.shape)
    if (typeof d === 'number' && (!Number.isSafeInteger(d) || d < 0)) {
      st.report('E0406', `${label}: dimension ${d < 0 ? d : `≈${d.toExponential(3)}`} is out of range (beyond 2^53)`, span);
      return false;
    }
  return true;
}

/** Symbolic unification: a free symbol binds to the other side; otherwise equality is assumed (W0105). */
function unify(st: State, a: Dim, b: Dim, what: string, label: string, span: Span): boolean {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    const name = symbolName(x);
    if (name !== undefined && st.symbols.has(name)) {
      const bound = st.symbols.get(name);
      if (bound === undefined && !symbolsOf(y).has(name)) {
        st.journal?.mapSet(st.symbols, name);
        st.symbols.set(name, y);
        return true;
      }
      if (bound === undefined) break;
      if (compareDims(bound, y, st.facts) === 'different') {
        st.report('E0403', `${label}: ${what}: ${name} would have to be both ${formatDim(bound)} and ${formatDim(y)}`, span);
        return false;
      }
      return true;
    }
  }
  const cond = equalityCondition(a, b, st.facts);
  st.report('W0105', `${label}: ${what}: assuming ${formatDim(a)} == ${formatDim(b)}${cond ? ` (${cond})` : ''}`, span, { hint: 'use concrete sizes or a `where` constraint so dslc can prove it' });
  return true;
}

