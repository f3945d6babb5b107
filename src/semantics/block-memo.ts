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
 * a layer or block is not (the next one with that key tries again). A record is replayed only where a real
 * application could not tell the difference: no enclosing block instance that may be applied again (a shared
 * instance replays its inner instances, which a replay does not make), no nested block already being applied
 * (recursion), nesting and elaboration limits not reached on the way (E0104 is then reported by the real run
 * at its place), every constant it read already evaluated in this model, and its labels unused.
 */
import type { BlockDecl } from '../syntax/ast.js';
import type { OpDef } from '../ops/types.js';
import type { Dim } from '../symbolic/dim.js';
import { type Recording, type Ref, type Template, record } from './block-record.js';
import type { BlockFrame } from './ir.js';
import { execBlock } from './interpret.js';
import { ABSENT, MAP, NAME } from './journal.js';
import type { Program } from './modules.js';
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

interface DeclMemo {
  readonly templates: Map<string, Template>;
  readonly tries: Map<string, number>;
  impure: number;
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
  if (tpl && fits(st, tpl, ids)) return (m.reapplicable === 0 && replay(st, m, tpl, ids)) || execBlock(st, sc, decl.body);
  if ((dm.tries.get(key) ?? 0) >= MAX_TRIES || dm.templates.size >= MAX_TEMPLATES || dm.impure >= MAX_TEMPLATES) return execBlock(st, sc, decl.body);
  // (Where a record does not fit, one made now fits more inputs: it replaces it.)
  const { result, tpl: made } = record(st, m, sc, decl, ids);
  if (made) {
    dm.templates.set(key, made);
    memoStats.recorded++;
  } else {
    dm.tries.set(key, (dm.tries.get(key) ?? 0) + 1);
    dm.impure++;
    memoStats.impure++;
  }
  return result;
}

/**
 * Whether a record fits inputs that have names or not: an input without a name is named by an assignment of it in
 * the body (`z = x`), a named one is not. A record made with an unnamed input that stayed so (else it is no record)
 * shows that the body assigns none: it fits that input named or not; one made with a named input fits named ones.
 */
function fits(st: State, tpl: Template, ids: readonly number[]): boolean {
  for (let i = 0; i < ids.length; i++) if (tpl.named[i] && st.tensors[ids[i]!]!.name === undefined) return false;
  return true;
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
    // (Not whether it has a name: see `fits`.)
    const t = st.tensors[ids[i]!]!;
    k += `|${t.type.dtype}`;
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
  if (tpl.result.value) return tpl.result.value;
  const out = tpl.result.refs;
  return tpl.result.tuple ? { k: 'tuple', items: out.map((r) => ({ k: 'tensor', id: ref(r) }) as Value) } : { k: 'tensor', id: ref(out[0]!) };
}
