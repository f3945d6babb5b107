/**
 * Block-application memo. Big models apply the same block with the same arguments to tensors of the same type
 * again and again (ResNet stages, transformer layers, generated files: ~1,000 calls of ~10 distinct ones), and
 * elaborating each application again was most of a cold check's elaboration. The first application of a block
 * with a given key (the block's declaration, its argument values, its inputs' types, the model's facts and bound
 * symbols, frozen or not, journaled or not) runs as usual and is recorded; a later one with the same key makes
 * the same layers, tensors, frames, labels and journal entries again from that record, with fresh ids.
 *
 * Only what is exact is recorded: an application that reported anything, deferred an assertion, bound a symbol,
 * evaluated a constant, named or used a tensor it was not given, applied an instance it did not make, or returned
 * anything but tensors is not (the next one with that key tries again). A record is replayed only where a real
 * application could not tell the difference: no enclosing block instance that may be applied again (a shared
 * instance replays its inner instances, which a replay does not make), no nested block already being applied
 * (recursion), nesting and elaboration limits not reached on the way (E0104 is then reported by the real run
 * at its place), every constant it read already evaluated in this model, and its labels unused.
 */
import type { BlockDecl, Range } from '../syntax/ast.js';
import type { OpDef } from '../ops/types.js';
import type { Dim } from '../symbolic/dim.js';
import type { BlockFrame, IrNode, IrTensor } from './ir.js';
import { execBlock } from './interpret.js';
import { ABSENT, MAP, NAME } from './journal.js';
import type { ModuleInfo, Program } from './modules.js';
import { LIMITS, type Scope, type State } from './state.js';
import type { BlockRef, Instance, Value } from './values.js';

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
let enabled = env?.DSLC_BLOCK_MEMO !== '0';

/** Turns the memo on or off (the differential tests run both ways; `DSLC_BLOCK_MEMO=0` starts a process with it off). */
export function setBlockMemo(on: boolean): void {
  enabled = on;
}

/** Counts since the process started, for tests and benchmarks (a memo that silently never replays is slow, not wrong). */
export const memoStats = { recorded: 0, replayed: 0, impure: 0 };

/**
 * Keys whose applications were impure this many times are no longer recorded; a block keeps at most this many
 * records, and is no longer recorded after this many impure applications (a block that always warns, called with
 * a new argument each time, would pay for a record each time).
 */
const MAX_TRIES = 2;
const MAX_TEMPLATES = 64;

/**
 * Tensor references in a record: a tensor the application made, by its id then (≥ 0), or its i-th input (−i − 1).
 */
type Ref = number;

interface Template {
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
  readonly result: { readonly tuple: boolean; readonly refs: readonly Ref[] };
  /** The last statement or call it ticked at, if any. */
  readonly at: { readonly module: ModuleInfo | undefined; readonly range: Range | undefined } | undefined;
}

interface DeclMemo {
  readonly templates: Map<string, Template>;
  readonly tries: Map<string, number>;
  impure: number;
}

/** An application being recorded, for the ones around it: what its nested applications did. */
interface Recording {
  readonly parent: Recording | undefined;
  readonly decls: Set<BlockDecl>;
  readonly consts: Set<string>;
  maxFrames: number;
}

/** Records are shared by the models of one program (their spans and declarations are that program's). */
const programs = new WeakMap<Program, Map<BlockDecl, DeclMemo>>();

/** A state's memo bookkeeping (`State.memo`); made again when a resumed run continues the state for a newer program. */
export class MemoRun {
  /** Block applications being run whose instance may be applied again: no replay inside them. */
  reapplicable = 0;
  rec: Recording | undefined;
  /** Label keys made while recording (`noteKey`). */
  readonly keys: string[] = [];

  constructor(
    readonly program: Program,
    readonly decls: Map<BlockDecl, DeclMemo>,
    readonly facts: string,
  ) {}

  /** State.uniqueLabel made the label set of a frame. */
  noteKey(key: string): void {
    if (this.rec) this.keys.push(key);
  }

  /** A module constant was read (consts.ts: `constValue`'s cache key). */
  noteConst(key: string): void {
    this.rec?.consts.add(key);
  }
}

function memoOf(st: State): MemoRun {
  let m = st.memo;
  if (m && m.program === st.program) return m;
  let decls = programs.get(st.program);
  if (!decls) programs.set(st.program, (decls = new Map()));
  const facts = [...st.facts].map(([k, v]) => `${k}:${v}`).sort().join(',');
  return (st.memo = new MemoRun(st.program, decls, facts));
}

/**
 * Runs the body of block application `inst` (its frame pushed, its parameters bound in `sc`): replayed from a
 * record, recorded, or just run. `once`: the instance was made by this call and is applied only here.
 */
export function runBody(st: State, sc: Scope, inst: Instance, ref: BlockRef, ids: readonly number[], once: boolean): Value | undefined {
  const decl = ref.decl;
  if (!enabled || st.analysis) return execBlock(st, sc, decl.body);
  const m = memoOf(st);
  const rec = m.rec;
  if (rec) {
    rec.decls.add(decl);
    if (st.frames.length > rec.maxFrames) rec.maxFrames = st.frames.length;
  }
  if (!once || inst.applied > 0) {
    m.reapplicable++;
    try {
      return execBlock(st, sc, decl.body);
    } finally {
      m.reapplicable--;
    }
  }
  const key = applicationKey(st, m, decl, sc, ids);
  if (key === undefined) return execBlock(st, sc, decl.body);
  let dm = m.decls.get(decl);
  if (!dm) m.decls.set(decl, (dm = { templates: new Map(), tries: new Map(), impure: 0 }));
  const tpl = dm.templates.get(key);
  if (tpl) return (m.reapplicable === 0 && replay(st, m, tpl, ids)) || execBlock(st, sc, decl.body);
  if ((dm.tries.get(key) ?? 0) >= MAX_TRIES || dm.templates.size >= MAX_TEMPLATES || dm.impure >= MAX_TEMPLATES) return execBlock(st, sc, decl.body);
  return record(st, m, dm, key, sc, decl, ids);
}

/** Op values by identity (a program's blocks may shadow op names). */
const opIds = new WeakMap<OpDef, number>();
let nextOpId = 0;
const dimKey = (d: Dim): string => (typeof d === 'number' ? (Object.is(d, -0) ? '-0' : String(d)) : `$${d.key}`);

/** A canonical text of a plain argument value; undefined for tensors, instances, blocks (not memoized). */
function valueKey(v: Value): string | undefined {
  switch (v.k) {
    case 'num':
      return (v.int ? 'i' : 'f') + (Object.is(v.v, -0) ? '-0' : String(v.v));
    case 'dim':
      return `d${v.v.key}`;
    case 'bool':
      return v.v ? 'T' : 'F';
    case 'str':
      return JSON.stringify(v.v);
    case 'none':
      return 'N';
    case 'op': {
      let id = opIds.get(v.op);
      if (id === undefined) opIds.set(v.op, (id = nextOpId++));
      return `o${id}`;
    }
    case 'tuple': {
      let s = '(';
      for (let i = 0; i < v.items.length; i++) {
        const k = valueKey(v.items[i]!);
        if (k === undefined) return undefined;
        s += `${k},`;
      }
      return `${s})`;
    }
    default:
      return undefined;
  }
}

/** What makes two applications of one block behave alike (see the file's comment). */
function applicationKey(st: State, m: MemoRun, decl: BlockDecl, sc: Scope, ids: readonly number[]): string | undefined {
  // (Each part delimits itself: symbol names, dtypes and dims' keys hold none of `|,;=!` and strings are JSON.)
  let k = `${st.journal ? 'j' : '-'}${st.frozen > 0 ? 'z' : '-'}${m.facts}`;
  for (const [name, v] of st.symbols) if (v !== undefined) k += `;${name}=${dimKey(v)}`;
  for (let i = 0; i < ids.length; i++) {
    // (A named input stays so; an unnamed one would be named by an assignment of it in the body.)
    const t = st.tensors[ids[i]!]!;
    k += `|${t.type.dtype}${t.name === undefined ? '' : '!'}`;
    const shape = t.type.shape;
    for (let d = 0; d < shape.length; d++) k += `,${dimKey(shape[d]!)}`;
    for (let j = 0; j < i; j++)
      if (ids[j] === ids[i]) {
        k += `=${j}`;
        break;
      }
  }
  const ps = decl.params;
  for (let i = ids.length; i < ps.length; i++) {
    const v = sc.vars.get(ps[i]!.name.text);
    const vk = v && valueKey(v);
    if (vk === undefined) return undefined;
    k += `|${vk}`;
  }
  return k;
}

function boundSymbols(st: State): number {
  let n = 0;
  for (const v of st.symbols.values()) if (v !== undefined) n++;
  return n;
}

/** Runs the body for real, and keeps a record of it when it was pure. */
function record(st: State, m: MemoRun, dm: DeclMemo, key: string, sc: Scope, decl: BlockDecl, ids: readonly number[]): Value | undefined {
  const own = st.frames[st.frames.length - 1]!;
  const frameKey = st.frameInfo().key;
  // (Never made yet for a fresh application: defence.)
  if (st.labelsUsed.has(frameKey) || st.opCounters.has(frameKey)) return execBlock(st, sc, decl.body);
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
  if (tpl) {
    dm.templates.set(key, tpl);
    memoStats.recorded++;
  } else {
    dm.tries.set(key, (dm.tries.get(key) ?? 0) + 1);
    dm.impure++;
    memoStats.impure++;
  }
  return result;
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
  const items = result.k === 'tensor' ? [result] : result.k === 'tuple' ? result.items : [];
  if (!items.length || !items.every((v) => v.k === 'tensor')) return undefined;
  const resultRefs = toRefs(items.map((v) => (v as { id: number }).id));
  if (!resultRefs) return undefined;

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
    result: { tuple: result.k === 'tuple', refs: resultRefs },
    at: st.steps > before.s0 ? { module: st.atModule, range: st.atRange } : undefined,
  };
}

/** Tensor references of a record as this replay's ids (`dt`: how far its new tensors moved; `ids`: its inputs). */
function refs(rs: readonly Ref[], dt: number, ids: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    out.push(r >= 0 ? r + dt : ids[-r - 1]!);
  }
  return out;
}

/**
 * Makes what the recorded application made, for this one (its frame pushed, its inputs `ids`); undefined, having
 * changed nothing, when a real application could behave otherwise here.
 */
function replay(st: State, m: MemoRun, tpl: Template, ids: readonly number[]): Value | undefined {
  if (st.frames.length + tpl.depth > LIMITS.maxBlockDepth || st.steps + tpl.steps > LIMITS.maxSteps || st.nodes.length + tpl.nodes.length > LIMITS.maxNodes) return undefined;
  for (const d of tpl.decls) for (const b of st.activeBlocks) if (b.decl === d) return undefined;
  for (const c of tpl.consts) if (!st.constCache.has(c)) return undefined;
  const { frames: outer, key } = st.frameInfo();
  if (st.labelsUsed.has(key) || st.opCounters.has(key)) return undefined;

  const dn = st.nodes.length - tpl.n0;
  const dt = st.tensors.length - tpl.t0;
  const di = st.nextInstance - tpl.i0;
  const ref = (r: Ref): number => (r >= 0 ? r + dt : ids[-r - 1]!);
  // (Indexed loops and literals of the shapes calls.ts and apply-op.ts make: this is the hot path of a cold check, and
  // the passes that read layers and frames keep one hidden class.)
  const frames: BlockFrame[] = [];
  for (const { f, results } of tpl.frames) frames.push({ block: f.block, label: f.label, span: f.span, instance: f.instance + di, args: f.args, outputs: f.outputs, results: results && refs(results, dt, ids) });
  const paths: (readonly BlockFrame[])[] = [];
  for (const s of tpl.paths) {
    if (!s.length) paths.push(outer);
    else {
      const p = [...outer];
      for (let i = 0; i < s.length; i++) p.push(frames[s[i]!]!);
      paths.push(p);
    }
  }
  const nodes = tpl.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const { n, path, inputs, bp } = nodes[i]!;
    const outputs: number[] = [];
    for (let k = 0; k < n.outputs.length; k++) outputs.push(n.outputs[k]! + dt);
    st.nodes.push({
      id: n.id + dn, op: n.op, label: n.label, path: key + path, inputs: refs(inputs, dt, ids), outputs, attrs: n.attrs, params: n.params, instance: n.instance + di,
      sharedWith: n.sharedWith === undefined ? undefined : n.sharedWith + dn, macs: n.macs, flops: n.flops, rf: n.rf, span: n.span, blockPath: paths[bp]!,
    });
  }
  for (let i = 0; i < tpl.tensors.length; i++) {
    const t = tpl.tensors[i]!;
    st.tensors.push({ id: t.id + dt, type: t.type, producer: t.producer! + dn, name: tpl.names[i], span: t.span });
  }
  const nStart = tpl.n0 + dn;
  for (const c of tpl.empties) st.emptyCalls.push({ path: [...paths[c.path]!], at: nStart + c.at });
  const sets: Set<string>[] = [];
  const maps: Map<string, number>[] = [];
  const keys: string[] = [];
  for (const l of tpl.labels) {
    const k = key + l.rel;
    const used = new Set<string>();
    for (let i = 0; i < l.used.length; i++) used.add(l.used[i]!);
    const counters = new Map<string, number>();
    for (let i = 0; i < l.counters.length; i++) counters.set(l.counters[i]![0], l.counters[i]![1]);
    st.labelsUsed.set(k, used);
    st.opCounters.set(k, counters);
    sets.push(used);
    maps.push(counters);
    keys.push(k);
  }
  const j = st.journal;
  if (j) {
    const t0 = st.tensors.length - tpl.tensors.length;
    for (const e of tpl.entries) {
      if (e < 0) {
        j.append(NAME, st.tensors[t0 - e - 1]!, undefined, undefined);
        continue;
      }
      const counters = (e & 1) === 1;
      j.append(MAP, counters ? st.opCounters : st.labelsUsed, keys[e >> 1], ABSENT);
      j.created(counters ? maps[e >> 1]! : sets[e >> 1]!);
    }
    const r = j.reads;
    for (const e of tpl.reads) r.push((e & 1) === 1 ? st.opCounters : st.labelsUsed, keys[e >> 1]);
    for (const n of tpl.lookups) st.rootLookups.add(n);
  }
  st.steps += tpl.steps;
  st.nextInstance += tpl.instances;
  if (tpl.at) {
    st.atModule = tpl.at.module;
    st.atRange = tpl.at.range;
  }
  const rec = m.rec;
  if (rec) {
    for (const k of keys) m.keys.push(k);
    for (const d of tpl.decls) rec.decls.add(d);
    for (const c of tpl.consts) rec.consts.add(c);
    if (st.frames.length + tpl.depth > rec.maxFrames) rec.maxFrames = st.frames.length + tpl.depth;
  }
  memoStats.replayed++;
  const out = tpl.result.refs;
  return tpl.result.tuple ? { k: 'tuple', items: out.map((r) => ({ k: 'tensor', id: ref(r) }) as Value) } : { k: 'tensor', id: ref(out[0]!) };
}
