/**
 * Recording a block application for the block memo (block-memo.ts): the application runs as usual, and when it was
 * pure (see there) what it made is kept relative to where it started, for replays to make again with their ids.
 */
import type { BlockDecl, Range } from '../syntax/ast.js';
import type { MemoRun } from './block-memo.js';
import type { BlockFrame, IrNode, IrTensor } from './ir.js';
import { execBlock } from './interpret.js';
import { ABSENT, MAP, NAME } from './journal.js';
import type { ModuleInfo } from './modules.js';
import type { Scope, State } from './state.js';
import type { Value } from './values.js';

/**
 * Tensor references in a record: a tensor the application made, by its id then (≥ 0), or its i-th input (−1 − i).
 */
export type Ref = number;

export interface Template {
  /** Where the recorded application started: its ids are moved by the differences to a replay's. */
  readonly n0: number;
  readonly t0: number;
  readonly i0: number;
  readonly steps: number;
  readonly instances: number;
  /** Frames pushed below its own at most, the blocks it applied and the constants it read (checked before a replay). */
  readonly depth: number;
  readonly decls: readonly BlockDecl[];
  readonly consts: readonly string[];
  /** The root module's names it looked up (journaled runs: `State.rootLookups`). */
  readonly lookups: readonly string[];
  readonly nodes: readonly { readonly n: IrNode; readonly path: string; readonly inputs: readonly Ref[]; readonly bp: number }[];
  readonly tensors: readonly IrTensor[];
  /** The tensors' names when it returned (a caller may name its result later). */
  readonly names: readonly (string | undefined)[];
  /** Nested block frames, and block paths as indices into them (below the application's own frame). */
  readonly frames: readonly { readonly f: BlockFrame; readonly results: readonly Ref[] | undefined }[];
  readonly paths: readonly (readonly number[])[];
  readonly empties: readonly { readonly path: number; readonly at: number }[];
  /** Label sets and counters it made: keys relative to its own frame's. */
  readonly labels: readonly { readonly rel: string; readonly used: readonly string[]; readonly counters: readonly (readonly [string, number])[] }[];
  /** Journal entries (key index × 2 + 1 for a counters map, or −local tensor − 1 for a tensor's name) and reads. */
  readonly entries: readonly number[];
  readonly reads: readonly number[];
  /** Its result: tensors, or a value that holds none (returned as it is: values do not change). */
  readonly result: { readonly tuple: boolean; readonly refs: readonly Ref[]; readonly value: Value | undefined };
  /** Which inputs had names (see block-memo.ts, `fits`). */
  readonly named: readonly boolean[];
  /** The last statement or call it ticked at, if any. */
  readonly at: { readonly module: ModuleInfo | undefined; readonly range: Range | undefined } | undefined;
}

/** An application being recorded, for the ones around it: what its nested applications did. */
export interface Recording {
  readonly parent: Recording | undefined;
  readonly decls: Set<BlockDecl>;
  readonly consts: Set<string>;
  maxFrames: number;
}

function boundSymbols(st: State): number {
  let n = 0;
  for (const v of st.symbols.values()) if (v !== undefined) n++;
  return n;
}

/** Runs the body for real; its record too, when it was pure. */
export function record(st: State, m: MemoRun, sc: Scope, decl: BlockDecl, ids: readonly number[]): { result: Value | undefined; tpl: Template | undefined } {
  const own = st.frames[st.frames.length - 1]!;
  const frameKey = st.frameInfo().key;
  // (Never made yet for a fresh application: defence.)
  if (st.labelsUsed.has(frameKey) || st.opCounters.has(frameKey)) return { result: execBlock(st, sc, decl.body), tpl: undefined };
  const j = st.journal;
  const before = {
    F0: st.frames.length, n0: st.nodes.length, t0: st.tensors.length, i0: st.nextInstance, e0: st.emptyCalls.length, s0: st.steps,
    d0: st.diagnostics.length, df0: st.deferred.length, sg0: st.suggestions, la0: st.lookupsAll, cc0: st.constCache.size, b0: boundSymbols(st),
    lu0: st.labelsUsed.size, oc0: st.opCounters.size, j0: j?.length ?? 0, reads: j?.reads, r0: j?.reads.length ?? 0, pin0: j?.pinned, k0: m.keys.length,
    names: ids.map((id) => st.tensors[id]!.name), own, frameKey,
  };
  const rec: Recording = { parent: m.rec, decls: new Set(), consts: new Set(), maxFrames: before.F0 };
  m.rec = rec;
  // The root module's names looked up by this application, apart (the caller's set gets them too, below).
  const lookups = st.rootLookups;
  if (j) st.rootLookups = new Set();
  let result: Value | undefined;
  let tpl: Template | undefined;
  try {
    result = execBlock(st, sc, decl.body);
    tpl = result && makeTemplate(st, m, rec, before, ids, result);
  } finally {
    m.rec = rec.parent;
    if (j) {
      const mine = st.rootLookups;
      st.rootLookups = lookups;
      for (const n of mine) lookups.add(n);
    }
    const p = rec.parent;
    if (p) {
      for (const d of rec.decls) p.decls.add(d);
      for (const c of rec.consts) p.consts.add(c);
      if (rec.maxFrames > p.maxFrames) p.maxFrames = rec.maxFrames;
    } else m.keys.length = 0;
  }
  return { result, tpl };
}

type Before = {
  readonly F0: number; readonly n0: number; readonly t0: number; readonly i0: number; readonly e0: number; readonly s0: number;
  readonly d0: number; readonly df0: number; readonly sg0: number; readonly la0: boolean; readonly cc0: number; readonly b0: number;
  readonly lu0: number; readonly oc0: number; readonly j0: number; readonly reads: unknown[] | undefined; readonly r0: number; readonly pin0: boolean | undefined; readonly k0: number;
  readonly names: readonly (string | undefined)[]; readonly own: BlockFrame; readonly frameKey: string;
};

/** The record of an application that just ran (`before`: the state when it started), or undefined when it was not pure. */
function makeTemplate(st: State, m: MemoRun, rec: Recording, before: Before, ids: readonly number[], result: Value): Template | undefined {
  const { F0, n0, t0, i0, own, frameKey } = before;
  const j = st.journal;
  if (st.diagnostics.length !== before.d0 || st.deferred.length !== before.df0 || st.suggestions !== before.sg0 || st.lookupsAll !== before.la0) return undefined;
  if (st.constCache.size !== before.cc0 || boundSymbols(st) !== before.b0 || st.nameHint !== undefined || j?.pinned !== before.pin0) return undefined;
  for (let i = 0; i < ids.length; i++) if (st.tensors[ids[i]!]!.name !== before.names[i]) return undefined;
  const i1 = st.nextInstance;
  const ref = (t: number): Ref | undefined => {
    if (t >= t0) return t;
    const i = ids.indexOf(t);
    // (−1 − i, not −i − 1: −0 − 1 is a double, and arrays of those made every replayed layer's inputs doubles.)
    return i < 0 ? undefined : -1 - i;
  };
  const toRefs = (ts: readonly number[]): Ref[] | undefined => {
    const out: Ref[] = [];
    for (const t of ts) {
      const r = ref(t);
      if (r === undefined) return undefined;
      out.push(r);
    }
    return out;
  };
  // Tensors (one, or a tuple's), or a value without any (a block used as a function: `make_divisible(c)`).
  const items = result.k === 'tensor' ? [result] : result.k === 'tuple' ? result.items : [];
  const tensorsOnly = items.length > 0 && items.every((v) => v.k === 'tensor');
  const resultRefs = tensorsOnly ? toRefs(items.map((v) => (v as { id: number }).id)) : [];
  if (!resultRefs || (!tensorsOnly && !plain(result))) return undefined;

  const frameIdx = new Map<BlockFrame, number>();
  const frames: { f: BlockFrame; results: Ref[] | undefined }[] = [];
  const pathIdx = new Map<readonly BlockFrame[], number>();
  const paths: number[][] = [];
  const pathOf = (bp: readonly BlockFrame[]): number | undefined => {
    let p = pathIdx.get(bp);
    if (p !== undefined) return p;
    if (bp.length < F0 || bp[F0 - 1] !== own) return undefined;
    const suffix: number[] = [];
    for (let i = F0; i < bp.length; i++) {
      const f = bp[i]!;
      let fi = frameIdx.get(f);
      if (fi === undefined) {
        const results = f.results && toRefs(f.results);
        if (f.instance < i0 || f.instance >= i1 || (f.results && !results)) return undefined;
        frameIdx.set(f, (fi = frames.length));
        frames.push({ f, results });
      }
      suffix.push(fi);
    }
    pathIdx.set(bp, (p = paths.length));
    paths.push(suffix);
    return p;
  };
  const prefix = `${frameKey}.`;
  const nodes: { n: IrNode; path: string; inputs: Ref[]; bp: number }[] = [];
  for (let i = n0; i < st.nodes.length; i++) {
    const n = st.nodes[i]!;
    if (n.instance < i0 || n.instance >= i1 || (n.sharedWith !== undefined && n.sharedWith < n0) || !n.path.startsWith(prefix)) return undefined;
    for (const o of n.outputs) if (o < t0) return undefined;
    const bp = pathOf(n.blockPath);
    const inputs = toRefs(n.inputs);
    if (bp === undefined || !inputs) return undefined;
    nodes.push({ n, path: n.path.slice(frameKey.length), inputs, bp });
  }
  const tensors = st.tensors.slice(t0);
  for (const t of tensors) if (t.producer === undefined || t.producer < n0) return undefined;
  const empties: { path: number; at: number }[] = [];
  for (let i = before.e0; i < st.emptyCalls.length; i++) {
    const c = st.emptyCalls[i]!;
    const path = pathOf(c.path);
    if (path === undefined) return undefined;
    empties.push({ path, at: c.at - n0 });
  }

  // Label sets and counters: made here (the keys), for its own frame and nested ones only.
  const keys = m.keys.slice(before.k0);
  if (st.labelsUsed.size - before.lu0 !== keys.length || st.opCounters.size - before.oc0 !== keys.length) return undefined;
  const keyIdx = new Map<string, number>();
  const labels: Template['labels'][number][] = [];
  for (const k of keys) {
    const used = st.labelsUsed.get(k);
    const counters = st.opCounters.get(k);
    if ((k !== frameKey && !k.startsWith(prefix)) || !used || !counters || keyIdx.has(k)) return undefined;
    keyIdx.set(k, labels.length);
    labels.push({ rel: k.slice(frameKey.length), used: [...used], counters: [...counters] });
  }
  const entries: number[] = [];
  const reads: number[] = [];
  if (j) {
    for (let i = before.j0; i < j.length; i += 4) {
      const [kind, c, k, was] = j.entry(i);
      if (kind === MAP && (c === st.labelsUsed || c === st.opCounters)) {
        const x = keyIdx.get(k as string);
        if (x === undefined || was !== ABSENT) return undefined;
        entries.push(x * 2 + (c === st.opCounters ? 1 : 0));
      } else if (kind === NAME && (c as IrTensor).id >= t0 && k === undefined) entries.push(t0 - (c as IrTensor).id - 1);
      else return undefined;
    }
    const r = j.reads;
    if (r !== before.reads) return undefined;
    for (let i = before.r0; i < r.length; i += 2) {
      const c = r[i];
      const x = keyIdx.get(r[i + 1] as string);
      if ((c !== st.labelsUsed && c !== st.opCounters) || x === undefined) return undefined;
      reads.push(x * 2 + (c === st.opCounters ? 1 : 0));
    }
  }
  return {
    n0, t0, i0,
    steps: st.steps - before.s0,
    instances: i1 - i0,
    depth: rec.maxFrames - F0,
    decls: [...rec.decls],
    consts: [...rec.consts],
    lookups: j ? [...st.rootLookups] : [],
    nodes,
    tensors,
    names: tensors.map((t) => t.name),
    frames,
    paths,
    empties,
    labels,
    entries,
    reads,
    result: { tuple: result.k === 'tuple', refs: resultRefs, value: tensorsOnly ? undefined : result },
    named: before.names.map((n) => n !== undefined),
    at: st.steps > before.s0 ? { module: st.atModule, range: st.atRange } : undefined,
  };
}

/** A value that holds no tensor, layer or block (nothing a replay would have to make again). */
function plain(v: Value): boolean {
  if (v.k === 'tuple') return v.items.every(plain);
  return v.k === 'num' || v.k === 'dim' || v.k === 'bool' || v.k === 'str' || v.k === 'none';
}
