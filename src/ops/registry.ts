/**
 * The op registry: every primitive layer, by name and alias. Op files live in `defs/`, one per op, and
 * are listed in the `list-*.ts` files (split so that work on different op families does not collide).
 */
import type { OpDef } from './types.js';
import { OPS_CORE } from './list-core.js';
import { OPS_MISC } from './list-misc.js';
import { OPS_SPATIAL } from './list-spatial.js';

const ALL: readonly OpDef[] = [...OPS_CORE, ...OPS_SPATIAL, ...OPS_MISC];

const byName = new Map<string, OpDef>();
for (const op of ALL) {
  for (const n of [op.name, ...(op.aliases ?? [])]) {
    if (byName.has(n)) throw new Error(`op registry: duplicate name ${n}`);
    byName.set(n, op);
  }
}

/** The op named `name` (canonical or alias), if any. */
export const getOp = (name: string): OpDef | undefined => byName.get(name);
/** All ops, each once. */
export const allOps = (): readonly OpDef[] => ALL;
/** Every accepted op name, aliases included (for completion and did-you-mean). */
export const opNames = (): Iterable<string> => byName.keys();
