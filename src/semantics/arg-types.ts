/**
 * Type checks of call arguments against what they are declared to be: block parameters (`c: int`) and the
 * int attributes of ops. Ints and floats are distinct, as in Python: a float is never an int, even a whole
 * one (`8 / 2` is `4.0`), so that a size computed with true division is caught where it is used.
 */
import type { Param } from '../syntax/ast.js';
import type { AttrDef } from '../ops/types.js';
import { type DimFacts, isIntegral } from '../symbolic/dim.js';
import { type Value, kindName, show } from './values.js';

/** What to write instead of a float where an int is expected. */
export const FLOAT_FOR_INT_HINT = '`/` is true division and gives a float (8 / 2 is 4.0): use `//` for integer division (8 // 2 is 4), or int(x) to truncate a float';

/** A type problem: the message, and a hint when there is a usual fix. */
export interface TypeProblem {
  readonly message: string;
  readonly hint?: string;
}

const TYPE_CHECKS: Readonly<Record<string, (v: Value, facts: DimFacts) => boolean>> = {
  int: (v, facts) => (v.k === 'num' && v.int) || (v.k === 'dim' && isIntegral(v.v, facts)),
  float: (v) => v.k === 'num',
  bool: (v) => v.k === 'bool',
  string: (v) => v.k === 'str',
  str: (v) => v.k === 'str',
  tuple: (v) => v.k === 'tuple',
  list: (v) => v.k === 'tuple',
  layer: (v) => v.k === 'instance' || v.k === 'op' || v.k === 'block',
};

/** Checks a block argument against its parameter's declared type; undefined when it fits. */
export function checkParamType(p: Param, v: Value, facts: DimFacts): TypeProblem | undefined {
  const t = p.type?.name?.text;
  if (!t || p.type?.dims) return undefined;
  const check = TYPE_CHECKS[t];
  if (!check) return /^tensor$/i.test(t) ? undefined : { message: `unknown type '${t}' for parameter ${p.name.text} (int, float, bool, string, tuple, layer, Tensor)` };
  if (check(v, facts)) return undefined;
  const what = v.k === 'dim' && t === 'int' ? 'a fraction of a size' : kindName(v);
  const hint = t !== 'int' ? undefined : v.k === 'num' ? FLOAT_FOR_INT_HINT : v.k === 'dim' ? 'use // or floor()/ceil() to make a whole size' : undefined;
  return { message: `parameter ${p.name.text} must be ${t}, got ${what} ${show(v)}`, ...(hint ? { hint } : {}) };
}

/** Attribute types whose values (or items) are ints. */
const INT_ATTR_TYPES: ReadonlySet<AttrDef['type']> = new Set(['int', 'ints', 'padding', 'int_list']);

/** The first float in a value, its tuple items included. */
function floatIn(v: Value): Value | undefined {
  if (v.k === 'num') return v.int ? undefined : v;
  if (v.k === 'tuple') {
    for (const x of v.items) {
      const f = floatIn(x);
      if (f) return f;
    }
  }
  return undefined;
}

/**
 * A float given to an int attribute (`conv2d(8 / 2, 3)`, `kernel=(3.0, 3)`); undefined when there is none.
 * Attribute values lose the int/float distinction (they are plain numbers), so this looks at the values.
 */
export function floatForInt(opName: string, def: AttrDef, v: Value): TypeProblem | undefined {
  if (!INT_ATTR_TYPES.has(def.type)) return undefined;
  const f = floatIn(v);
  if (!f) return undefined;
  const got = v === f ? `the float ${show(f)}` : `${show(v)}, which holds the float ${show(f)}`;
  const want = def.type === 'int' ? 'an int' : def.type === 'int_list' ? 'a list of ints' : 'an int or a tuple of ints';
  return { message: `${opName}: ${def.name} must be ${want}, got ${got}`, hint: FLOAT_FOR_INT_HINT };
}
