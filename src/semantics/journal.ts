/**
 * An undo log of elaboration state, so that the editor can resume a model's elaboration after the
 * statements an edit left alone instead of expanding the whole model again (see `elaborate`'s `previous`).
 * It records only what outlives a statement and is not append-only: bindings of the model's variables,
 * label sets and counters, symbols bound by unification, cached module constants and tensor names.
 * Append-only arrays (nodes, tensors, diagnostics) are cut back to their lengths instead.
 */
import type { IrTensor } from './ir.js';
import type { Value } from './values.js';

export const ABSENT = Symbol('absent');
export const MAP = 0;
export const SET = 1;
export const NAME = 2;

/**
 * Recorded as the container of a read when a did-you-mean is looked for (the key: the unknown name): it
 * scans every variable, so it depends on those whose length is close enough to be suggested.
 */
export const SUGGESTION: object = { suggestion: true };

/**
 * Journal entries undone by a resume, oldest first, with what each had written: what an early cutoff
 * replays when the statements after an edit turn out not to depend on it (src/semantics/cutoff.ts).
 */
export interface Undone {
  /** Four slots per entry: kind, container, key, the value before the entry. */
  readonly entries: readonly unknown[];
  /** Per entry: the value it wrote (for a name entry, the tensor's name). */
  readonly wrote: readonly unknown[];
}

export class Journal {
  private readonly log: unknown[] = [];
  /**
   * Set once a value that elaboration may still change, or that refers to the module's declarations, is
   * kept beyond a statement (a layer instance, which remembers its applications, or a block): from then on
   * the state cannot be rewound safely, and a resume starts no later than before that statement.
   */
  pinned = false;

  /**
   * The (container, key) pairs the current statement read, two slots each: its dependencies on the state,
   * so that an early cutoff can tell whether the statements after an edit read what the edit wrote.
   */
  reads: unknown[] = [];

  get length(): number {
    return this.log.length;
  }

  /**
   * Containers made by the current statement (a block call's label set): changes to them need no entry, as
   * rewinding to before the statement removes the container itself, and reads of them no record.
   */
  private fresh = new Set<object>();

  /** Call when the current statement makes a container that later changes are journaled for. */
  created(container: object): void {
    this.fresh.add(container);
  }

  /** At the end of a statement: the reads since the last call (see `reads`). */
  takeReads(): readonly unknown[] {
    const r = this.reads;
    this.reads = [];
    if (this.fresh.size) this.fresh = new Set();
    return r;
  }

  /** Call when reading `key` of a journaled container whose changes a later statement may see. */
  read(container: object, key: unknown): void {
    if (!this.fresh.has(container)) this.reads.push(container, key);
  }

  /** The entry at `i` (a multiple of 4): kind, container, key, the value before it. */
  entry(i: number): readonly [number, unknown, unknown, unknown] {
    const log = this.log;
    return [log[i] as number, log[i + 1], log[i + 2], log[i + 3]];
  }

  /** Points the tensor-name entries at other tensor objects (copies of the state's, see rebase.ts). */
  retarget(to: (t: IrTensor) => IrTensor): void {
    const log = this.log;
    for (let i = 0; i < log.length; i += 4) if (log[i] === NAME) log[i + 1] = to(log[i + 1] as IrTensor);
  }

  /** Appends an entry replayed from an earlier run (the change itself is made by the caller). */
  append(kind: number, container: unknown, key: unknown, before: unknown): void {
    this.log.push(kind, container, key, before);
  }

  /** Call before `map.set(key, …)`. */
  mapSet<K, V>(map: Map<K, V>, key: K): void {
    if (this.fresh.has(map)) return;
    this.log.push(MAP, map, key, map.has(key) ? map.get(key) : ABSENT);
  }

  /** Call before `set.add(key)`. */
  setAdd<K>(set: Set<K>, key: K): void {
    if (!set.has(key) && !this.fresh.has(set)) this.log.push(SET, set, key, undefined);
  }

  /** Call before changing a tensor's name. */
  tensorName(t: IrTensor): void {
    this.log.push(NAME, t, t.name, undefined);
  }

  /** Pins the journal (see `pinned`) if `v` is or holds an instance or a block. */
  keep(v: Value): void {
    if (!this.pinned && !portable(v)) this.pinned = true;
  }

  /**
   * Undoes every change recorded after the log had `length` entries, newest first; returns them with
   * what each wrote. (Undoing newest first, the value an entry finds is the one it wrote.)
   */
  undoTo(length: number): Undone {
    const log = this.log;
    const entries = log.slice(length);
    const wrote: unknown[] = new Array(entries.length >> 2);
    for (let i = log.length - 4; i >= length; i -= 4) {
      const kind = log[i];
      if (kind === MAP) {
        const map = log[i + 1] as Map<unknown, unknown>;
        const key = log[i + 2];
        // (Map's own methods: undoing must neither record a change nor a read.)
        wrote[(i - length) >> 2] = Map.prototype.get.call(map, key);
        const old = log[i + 3];
        if (old === ABSENT) map.delete(key);
        else Map.prototype.set.call(map, key, old);
      } else if (kind === SET) (log[i + 1] as Set<unknown>).delete(log[i + 2]);
      else {
        const t = log[i + 1] as IrTensor;
        wrote[(i - length) >> 2] = t.name;
        t.name = log[i + 2] as string | undefined;
      }
    }
    log.length = length;
    this.fresh = new Set();
    return { entries, wrote };
  }
}

/** A value that neither changes later nor refers to a declaration of the module it was made in. */
function portable(v: Value): boolean {
  if (v.k === 'instance' || v.k === 'block') return false;
  if (v.k === 'tuple') for (const x of v.items) if (!portable(x)) return false;
  return true;
}

/** The variables of a model's scope, with every binding recorded in a journal. */
export class JournaledVars extends Map<string, Value> {
  constructor(
    private readonly journal: Journal,
    entries?: Iterable<readonly [string, Value]>,
  ) {
    super();
    // (Map's constructor would call the overridden set before `journal` is assigned.)
    if (entries) for (const [k, v] of entries) super.set(k, v);
  }

  override get(key: string): Value | undefined {
    this.journal.reads.push(this, key);
    return super.get(key);
  }

  override has(key: string): boolean {
    this.journal.reads.push(this, key);
    return super.has(key);
  }

  override set(key: string, value: Value): this {
    this.journal.mapSet(this, key);
    this.journal.keep(value);
    return super.set(key, value);
  }
}
