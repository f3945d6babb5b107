/**
 * Early cutoff for a resumed elaboration (the editor's incremental check). An edit in the middle of a big
 * model used to re-run every statement after it. Once a resumed run has executed the edited statements,
 * the old run's statements after them are reused instead, when they cannot tell the difference:
 *
 * - their text is the same (moved by the edit) and parses to the same statements;
 * - nothing the edited statements wrote, old or new, is something they read or wrote: the variables they
 *   looked up or tested, the labels and counters they probed (`Journal.reads`), the journal entries they
 *   made. The edited statements may only bind variables, take labels and make layers of their own; a
 *   symbol bound by unification, a cached constant, or a renamed earlier tensor stops the cutoff;
 * - they made no deferred assertion (its scope is a snapshot of every variable); a did-you-mean of theirs
 *   could not see a variable the edited statements bound (`couldSuggest`), and had its budget; the journal
 *   is not pinned.
 *
 * Then their layers, tensors, empty block calls and diagnostics are the old ones with ids, instance numbers and spans moved,
 * and their journal entries are replayed, so that the state is what running them would have made. The
 * model's `return` always runs again (it has no checkpoint).
 */
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { movedAst } from '../syntax/ast-equal.js';
import { type SourceFile, spanOf } from '../syntax/source.js';
import type { BlockFrame, EmptyCall, IrNode, IrTensor } from './ir.js';
import { ABSENT, type Journal, JournaledVars, MAP, NAME, SET, SUGGESTION } from './journal.js';
import type { Checkpoint, CutPlan } from './resume.js';
import { LIMITS, type State } from './state.js';
import type { Value } from './values.js';

/** Thrown inside the copy when something cannot be moved: the cutoff is abandoned before any change. */
class NoCut {}

/** Where the reused statements' layers and tensors are, in both runs (`[from, to)` of the new graph; old = new − shift). */
export interface CutSuffix {
  readonly nodes: readonly [number, number];
  readonly tensors: readonly [number, number];
  readonly nodeShift: number;
  readonly tensorShift: number;
  /**
   * The previous run's nodes (its graph's array): the analysis of that graph can lend its reports. (Weak: the
   * new result must not keep the previous graph alive once that analysis is done.)
   */
  readonly oldNodes: WeakRef<readonly IrNode[]>;
}

/**
 * At statement `newFrom` of a resumed run: reuses the old run's statements after the edit when that is
 * exact, adding their checkpoints to `checkpoints`. Returns the index of the next statement to run and where
 * the reused layers are, or undefined (nothing changed) when they must run again.
 */
export function cutoff(st: State, journal: Journal, plan: CutPlan, resumedFrom: number, body: readonly unknown[], checkpoints: Checkpoint[], file: SourceFile): { next: number; suffix: CutSuffix } | undefined {
  const cps = plan.run.checkpoints;
  const j = plan.oldFrom;
  const last = cps.length - 1;
  // Statements j..last of the old run have checkpoints; the return after them runs again anyway.
  if (j > last || checkpoints.length !== plan.newFrom) return undefined;
  const base = cps[resumedFrom - 1]!;
  const from = cps[j - 1]!;
  const to = cps[last]!;
  if (journal.pinned || to.pinned || to.deferred !== from.deferred) return undefined;
  // Did-you-means are budgeted: the reused statements' must all have run (or not) as they did.
  const used = from.suggestions - to.suggestions;
  if (used && (to.suggestions <= 0 ? st.suggestions !== from.suggestions : st.suggestions < used)) return undefined;
  const dn = st.nodes.length - from.nodes;
  const dt = st.tensors.length - from.tensors;
  const di = st.nextInstance - from.nextInstance;
  const ds = st.steps - from.steps;
  if (to.steps + ds > LIMITS.maxSteps / 2 || to.nodes + dn > LIMITS.maxNodes / 2) return undefined;
  for (let t = j; t <= last; t++) if (!movedAst(plan.run.decl.body[t], body[t - j + plan.newFrom], plan.from, plan.to, plan.delta, plan.origin)) return undefined;

  // What the edited statements wrote, old and new.
  const undone = plan.run.undone;
  const written = new Map<unknown, Set<unknown>>();
  const wrote = (kind: number, c: unknown, key: unknown, ownTensors: (id: number) => boolean): boolean => {
    if (kind === NAME) return ownTensors((c as IrTensor).id);
    if (c === st.symbols || c === st.constCache) return false;
    let keys = written.get(c);
    if (!keys) written.set(c, (keys = new Set()));
    keys.add(key);
    return true;
  };
  for (let i = 0; i < from.journal - base.journal; i += 4) {
    const e = undone.entries;
    if (!wrote(e[i] as number, e[i + 1], e[i + 2], (id) => id >= base.tensors && id < from.tensors)) return undefined;
  }
  for (let i = base.journal; i < journal.length; i += 4) {
    const [kind, c, key] = journal.entry(i);
    if (!wrote(kind, c, key, (id) => id >= base.tensors)) return undefined;
  }
  const hit = (c: unknown, key: unknown) => (c === SUGGESTION ? couldSuggest(written, key as string) : written.get(c)?.has(key) === true);
  for (let t = j; t <= last; t++) {
    const r = cps[t]!.reads;
    for (let i = 0; i < r.length; i += 2) if (hit(r[i], r[i + 1])) return undefined;
  }
  const e0 = from.journal - base.journal;
  const e1 = to.journal - base.journal;
  for (let i = e0; i < e1; i += 4) {
    const e = undone.entries;
    if (e[i] === NAME) {
      const id = (e[i + 1] as IrTensor).id;
      if (id >= base.tensors && id < from.tensors) return undefined;
    } else if (hit(e[i + 1], e[i + 2])) return undefined;
    // (A variable holding an old edited statement's tensor would have been read from it; this is defence.)
    else if (e[i] === MAP && (refersTo(e[i + 3], base.tensors, from.tensors) || refersTo(undone.wrote[i >> 2], base.tensors, from.tensors))) return undefined;
  }

  // Copies moved to the new text and numbering, made before any change (NoCut abandons them).
  const move = spanMover(plan, file);
  const tensor = (id: number) => (id < base.tensors ? id : id >= from.tensors ? id + dt : cut());
  const node = (id: number) => (id < base.nodes ? id : id >= from.nodes ? id + dn : cut());
  const instance = (n: number) => (n < base.nextInstance ? n : n >= from.nextInstance ? n + di : cut());
  const frames = new Map<BlockFrame, BlockFrame>();
  const frame = (f: BlockFrame) => {
    let g = frames.get(f);
    if (!g) frames.set(f, (g = { ...f, span: move(f.span), instance: instance(f.instance), results: f.results?.map(tensor) }));
    return g;
  };
  const paths = new Map<readonly BlockFrame[], readonly BlockFrame[]>();
  let nodes: IrNode[];
  let tensors: IrTensor[];
  let emptyCalls: EmptyCall[];
  let diagnostics: Diagnostic[];
  try {
    // (Literals of the shapes apply-op makes: a spread copy of a node costs ~10× more.)
    const ids = dt === 0 && base.tensors === from.tensors ? undefined : (xs: readonly number[]) => xs.map(tensor);
    nodes = new Array(to.nodes - from.nodes);
    for (let i = from.nodes; i < to.nodes; i++) {
      const n = plan.run.nodes[i]!;
      let blockPath = paths.get(n.blockPath);
      if (!blockPath) paths.set(n.blockPath, (blockPath = n.blockPath.map(frame)));
      const { op, label, path, attrs, params, macs, flops, rf } = n;
      const inputs = ids ? ids(n.inputs) : n.inputs;
      const outputs = ids ? ids(n.outputs) : n.outputs;
      const sharedWith = n.sharedWith === undefined ? undefined : node(n.sharedWith);
      nodes[i - from.nodes] = { id: n.id + dn, op, label, path, inputs, outputs, attrs, params, instance: instance(n.instance), sharedWith, macs, flops, rf, span: move(n.span), blockPath };
    }
    tensors = new Array(to.tensors - from.tensors);
    for (let i = from.tensors; i < to.tensors; i++) {
      const t = plan.run.tensors[i]!;
      tensors[i - from.tensors] = { id: t.id + dt, type: t.type, producer: t.producer === undefined ? undefined : node(t.producer), name: t.name, span: move(t.span) };
    }
    emptyCalls = [];
    for (let i = from.emptyCalls; i < to.emptyCalls; i++) {
      const c = plan.run.emptyCalls[i]!;
      emptyCalls.push({ path: c.path.map(frame), at: c.at + dn });
    }
    // (Indexed loops here and below: empty and filled arrays made the optimized builtins deoptimize.)
    diagnostics = [];
    for (let i = from.diagnostics; i < to.diagnostics; i++) diagnostics.push(moveDiag(plan.run.diagnostics[i]!, move));
  } catch (e) {
    if (e instanceof NoCut) return undefined;
    throw e;
  }

  // Commit: the copies, the replayed journal entries, the checkpoints and counters.
  const dd = st.diagnostics.length - from.diagnostics;
  const de = st.emptyCalls.length - from.emptyCalls;
  const dj = journal.length - from.journal;
  const df = st.deferred.length - from.deferred;
  const dg = st.suggestions - from.suggestions;
  // (Loops, not push(...copies): a spread of 100,000 and more arguments overflows the stack.)
  for (let i = 0; i < nodes.length; i++) st.nodes.push(nodes[i]!);
  for (let i = 0; i < tensors.length; i++) st.tensors.push(tensors[i]!);
  for (let i = 0; i < emptyCalls.length; i++) st.emptyCalls.push(emptyCalls[i]!);
  for (let i = 0; i < diagnostics.length; i++) st.diagnostics.push(diagnostics[i]!);
  const value = dt === 0 ? (v: unknown) => v : (v: unknown) => (v === ABSENT ? v : renumber(v as Value, from.tensors, dt));
  for (let i = e0; i < e1; i += 4) {
    const e = undone.entries;
    const kind = e[i] as number;
    const w = undone.wrote[i >> 2];
    if (kind === MAP) {
      Map.prototype.set.call(e[i + 1] as Map<unknown, unknown>, e[i + 2], value(w));
      journal.append(MAP, e[i + 1], e[i + 2], value(e[i + 3]));
    } else if (kind === SET) {
      (e[i + 1] as Set<unknown>).add(e[i + 2]);
      journal.append(SET, e[i + 1], e[i + 2], undefined);
    } else {
      const old = e[i + 1] as IrTensor;
      const t = old.id >= from.tensors ? st.tensors[old.id + dt]! : old;
      t.name = w as string | undefined;
      journal.append(NAME, t, e[i + 2], undefined);
    }
  }
  for (let t = j; t <= last; t++) {
    const c = cps[t]!;
    checkpoints.push({
      nodes: c.nodes + dn,
      tensors: c.tensors + dt,
      emptyCalls: c.emptyCalls + de,
      diagnostics: c.diagnostics + dd,
      deferred: c.deferred + df,
      journal: c.journal + dj,
      steps: c.steps + ds,
      nextInstance: c.nextInstance + di,
      suggestions: c.suggestions + dg,
      pinned: false,
      reads: c.reads,
    });
  }
  st.steps = to.steps + ds;
  st.nextInstance = to.nextInstance + di;
  st.suggestions = to.suggestions + dg;
  const suffix: CutSuffix = { nodes: [from.nodes + dn, to.nodes + dn], tensors: [from.tensors + dt, to.tensors + dt], nodeShift: dn, tensorShift: dt, oldNodes: new WeakRef(plan.run.nodes) };
  return { next: plan.newFrom + last - j + 1, suffix };
}

const cut = (): never => {
  throw new NoCut();
};

/**
 * Root-file spans of the old text to the new one: before the edit they stay, after it they move by its
 * delta (lines and columns recomputed); one inside the replaced text cannot be moved.
 */
function spanMover(plan: CutPlan, file: SourceFile): (s: Span) => Span {
  const memo = new Map<Span, Span>();
  return (s) => {
    if (s.file !== file.path) return s;
    if (s.end < plan.from || (s.end === plan.from && s.start < plan.from)) return s;
    if (s.start < plan.to) cut();
    let r = memo.get(s);
    if (!r) memo.set(s, (r = spanOf(file, s.start + plan.delta, s.end + plan.delta)));
    return r;
  };
}

/** A diagnostic with its spans (and its notes' and fixes') mapped by `mv`. */
export function moveDiag(d: Diagnostic, mv: (s: Span) => Span): Diagnostic {
  return {
    ...d,
    ...(d.span ? { span: mv(d.span) } : {}),
    notes: d.notes.map((n) => (n.span ? { ...n, span: mv(n.span) } : n)),
    ...(d.fixes ? { fixes: d.fixes.map((f) => ({ ...f, edits: f.edits.map((x) => ({ ...x, span: mv(x.span) })) })) } : {}),
  };
}

/**
 * Whether a did-you-mean for `name` may see a variable the edited statements bound: one whose length is
 * within its reach (didYouMean skips the others without cost, so they change neither answer nor budget).
 */
function couldSuggest(written: ReadonlyMap<unknown, ReadonlySet<unknown>>, name: string): boolean {
  const reach = Math.max(1, Math.floor(name.length / 3));
  for (const [c, keys] of written) {
    if (!(c instanceof JournaledVars)) continue;
    for (const k of keys) if (Math.abs((k as string).length - name.length) <= reach) return true;
  }
  return false;
}

/** Whether a journaled value is or holds a tensor with an id in [lo, hi). */
function refersTo(v: unknown, lo: number, hi: number): boolean {
  if (typeof v !== 'object' || v === null || !('k' in v)) return false;
  const x = v as Value;
  if (x.k === 'tensor') return x.id >= lo && x.id < hi;
  return x.k === 'tuple' && x.items.some((y) => refersTo(y, lo, hi));
}

/** A value with the tensor ids from `first` on moved by `by`. */
function renumber(v: Value, first: number, by: number): Value {
  if (v.k === 'tensor') return v.id >= first ? { k: 'tensor', id: v.id + by } : v;
  if (v.k === 'tuple') return { k: 'tuple', items: v.items.map((x) => renumber(x, first, by)) };
  return v;
}
