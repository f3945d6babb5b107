/**
 * An undo log of elaboration state, so that the editor can resume a model's elaboration after the
 * statements an edit left alone instead of expanding the whole model again (see `elaborate`'s `previous`).
 * It records only what outlives a statement and is not append-only: bindings of the model's variables,
 * label sets and counters, symbols bound by unification, cached module constants and tensor names.
 * Append-only arrays (nodes, tensors, diagnostics) are cut back to their lengths instead.
 */
import type { IrTensor } from './ir.js';
import type { Value } from './values.js';

const ABSENT = Symbol('absent');
const MAP = 0;
const SET = 1;
const NAME = 2;

export class Journal {
  private readonly log: unknown[] = [];
  /**
   * Set once a value that elaboration may still change, or that refers to the module's declarations, is
   * kept beyond a statement (a layer instance, which remembers its applications, or a block): from then on
   * the state cannot be rewound safely, and a resume starts no later than before that statement.
   */
  pinned = false;

  get length(): number {
    return this.log.length;
  }

  /** Call before `map.set(key, …)`. */
  mapSet<K, V>(map: Map<K, V>, key: K): void {
    this.log.push(MAP, map, key, map.has(key) ? map.get(key) : ABSENT);
  }

  /** Call before `set.add(key)`. */
  setAdd<K>(set: Set<K>, key: K): void {
    if (!set.has(key)) this.log.push(SET, set, key, undefined);
  }

  /** Call before changing a tensor's name. */
  tensorName(t: IrTensor): void {
    this.log.push(NAME, t, t.name, undefined);
  }

  /** Pins the journal (see `pinned`) if `v` is or holds an instance or a block. */
  keep(v: Value): void {
    if (!this.pinned && !portable(v)) this.pinned = true;
  }

  /** Undoes every change recorded after the log had `length` entries, newest first. */
  undoTo(length: number): void {
    const log = this.log;
    for (let i = log.length - 4; i >= length; i -= 4) {
      const kind = log[i];
      if (kind === MAP) {
        const map = log[i + 1] as Map<unknown, unknown>;
        const old = log[i + 3];
        if (old === ABSENT) map.delete(log[i + 2]);
        // (Map's own set: undoing must not record again.)
        else Map.prototype.set.call(map, log[i + 2], old);
      } else if (kind === SET) (log[i + 1] as Set<unknown>).delete(log[i + 2]);
      else (log[i + 1] as IrTensor).name = log[i + 2] as string | undefined;
    }
    log.length = length;
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

  override set(key: string, value: Value): this {
    this.journal.mapSet(this, key);
    this.journal.keep(value);
    return super.set(key, value);
  }
}
