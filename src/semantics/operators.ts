/**
 * Operators on values, pure: arithmetic (exact on ints), comparisons, and the `+`/`*` of strings and lists.
 * A string result is an error message; 'undecided' a comparison of symbolic sizes that cannot be decided.
 */
import { type DimFacts, add, compareDims, divBy, exactDiv, floorDiv, formatDim, mod, mul, sub } from '../symbolic/dim.js';
import { type Rel, decideRelation } from '../symbolic/order.js';
import { LIMITS } from './state.js';
import { ERR, type Value, asDim, fromDim, kindName, num } from './values.js';

/** Negative, zero or positive as `x` sorts before, with or after `y` by code point (not UTF-16 unit, as JS `<`). */
function codePointOrder(x: string, y: string): number {
  const p = [...x];
  const q = [...y];
  for (let i = 0; i < p.length && i < q.length; i++) if (p[i] !== q[i]) return p[i]!.codePointAt(0)! - q[i]!.codePointAt(0)!;
  return p.length - q.length;
}

export const TOO_LONG_PREFIX = 'this would make ';
/** Lists and strings are bounded (E0104): doubling one in a loop would otherwise exhaust memory. */
const TOO_LONG = (what: string) => `${TOO_LONG_PREFIX}${what}; the limit is ${LIMITS.maxItems}`;

/** Pure binary operation on values; a string is an error message. */
export function binaryValues(op: string, a: Value, b: Value, facts: DimFacts = new Map()): Value | string | 'undecided' {
  const da = asDim(a);
  const db = asDim(b);
  const isNum = (v: Value) => v.k === 'num' || v.k === 'dim';
  if (['==', '!=', '<', '<=', '>', '>='].includes(op)) return compare(op, a, b, facts);
  if (op === '+' && a.k === 'str' && b.k === 'str') return a.v.length + b.v.length > LIMITS.maxItems ? TOO_LONG(`a string of ${a.v.length + b.v.length} characters`) : { k: 'str', v: a.v + b.v };
  if (op === '+' && a.k === 'tuple' && b.k === 'tuple') return a.items.length + b.items.length > LIMITS.maxItems ? TOO_LONG(`a list of ${a.items.length + b.items.length} items`) : { k: 'tuple', items: a.items.concat(b.items) };
  if (op === '*' && a.k === 'tuple' && b.k === 'num' && b.int && b.v >= 0) {
    if (b.v * a.items.length > LIMITS.maxItems) return TOO_LONG(`a list of ${b.v * a.items.length} items`);
    const items: Value[] = [];
    // `[] * 10**12` is empty: loop over the items, not over the count.
    if (a.items.length) for (let i = 0; i < b.v; i++) for (const x of a.items) items.push(x);
    return { k: 'tuple', items };
  }
  if (!isNum(a) || !isNum(b)) return `'${op}' does not apply to ${kindName(a)} and ${kindName(b)}`;
  if (a.k === 'num' && b.k === 'num') {
    const x = a.v;
    const y = b.v;
    const int = a.int && b.int;
    switch (op) {
      case '+': return num(x + y, int);
      case '-': return num(x - y, int);
      case '*': return num(x * y, int);
      case '/': return y === 0 ? 'division by zero' : num(x / y, false);
      case '//': return y === 0 ? 'division by zero' : num(Math.floor(x / y), int);
      case '%': return y === 0 ? 'modulo by zero' : num(((x % y) + y) % y, int);
      case '**': return num(x ** y, int && y >= 0);
    }
  }
  if (da === undefined || db === undefined) return `'${op}' needs ints when a symbolic dimension is involved`;
  switch (op) {
    case '+': return fromDim(add(da, db));
    case '-': return fromDim(sub(da, db));
    case '*': return fromDim(mul(da, db));
    case '//':
    case '/': {
      if (typeof db === 'number') {
        if (db <= 0) return 'division by zero or a negative divisor of a symbolic dimension';
        if (op === '//') return fromDim(floorDiv(da, db, facts));
      }
      const q = exactDiv(da, db, facts);
      if (q !== undefined) return fromDim(q);
      // A fraction of a size is allowed as an intermediate (ceil(H / 2)); it is not a size itself.
      if (typeof db === 'number') return fromDim(divBy(da, db));
      return `(${formatDim(da)}) / (${formatDim(db)}) is not exact; use // for floor division`;
    }
    case '%':
      return typeof db === 'number' && db > 0 ? fromDim(mod(da, db, facts)) : 'modulo needs a positive int divisor';
  }
  return `'${op}' does not apply to symbolic dimensions`;
}

function compare(op: string, a: Value, b: Value, facts: DimFacts): Value | string | 'undecided' {
  if (a.k === 'error' || b.k === 'error') return ERR;
  // A sequence against a scalar compares every element (rf(t) >= 200 checks every axis).
  if (a.k === 'tuple' && b.k !== 'tuple') return all(a.items.map((x) => compare(op, x, b, facts)));
  if (b.k === 'tuple' && a.k !== 'tuple') return all(b.items.map((x) => compare(op, a, x, facts)));
  if (a.k === 'tuple' && b.k === 'tuple') {
    if (op !== '==' && op !== '!=') return `'${op}' does not compare two sequences`;
    if (a.items.length !== b.items.length) return { k: 'bool', v: op === '!=' };
    const r = all(a.items.map((x, i) => compare('==', x, b.items[i]!, facts)));
    return typeof r === 'string' || r.k !== 'bool' ? r : { k: 'bool', v: op === '==' ? r.v : !r.v };
  }
  if ((a.k === 'str' && b.k === 'str') || (a.k === 'bool' && b.k === 'bool')) {
    if (op === '==') return { k: 'bool', v: a.v === b.v };
    if (op === '!=') return { k: 'bool', v: a.v !== b.v };
    // Ordered as Python orders them: strings by code point, false < true.
    const d = a.k === 'str' ? codePointOrder(a.v, b.v as string) : Number(a.v) - Number(b.v);
    return { k: 'bool', v: op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0 };
  }
  if (a.k === 'none' || b.k === 'none') {
    if (op === '==') return { k: 'bool', v: a.k === b.k };
    if (op === '!=') return { k: 'bool', v: a.k !== b.k };
  }
  if (a.k === 'num' && b.k === 'num') {
    const x = a.v;
    const y = b.v;
    return { k: 'bool', v: op === '==' ? x === y : op === '!=' ? x !== y : op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y };
  }
  // A whole float compares as the int it holds (`H == 2.0` as `H == 2`, as in Python).
  const da = asDim(a) ?? wholeFloat(a);
  const db = asDim(b) ?? wholeFloat(b);
  if (da === undefined || db === undefined) return `cannot compare ${kindName(a)} with ${kindName(b)}`;
  const c = compareDims(da, db, facts);
  if (op === '==' || op === '!=') return c === 'unknown' ? 'undecided' : { k: 'bool', v: (c === 'equal') === (op === '==') };
  const r = decideRelation(da, op as Rel, db, facts);
  return r === undefined ? 'undecided' : { k: 'bool', v: r };
}

const wholeFloat = (v: Value): number | undefined => (v.k === 'num' && Number.isInteger(v.v) ? v.v : undefined);

function all(rs: (Value | string | 'undecided')[]): Value | string | 'undecided' {
  for (const r of rs) if (typeof r === 'string') return r;
  return { k: 'bool', v: rs.every((r) => (r as Value).k === 'bool' && (r as { v: boolean }).v) };
}


/**
 * An int of integer arithmetic that left the exact range of doubles (beyond ±(2^53 − 1)). It exists only
 * inside an arithmetic expression (`2 ** 53 - 1`, `2 ** 60 // 2 ** 10`): the expression's final value must
 * be back in range, else it is E0406.
 */
export interface BigIntValue {
  readonly k: 'big';
  readonly v: bigint;
}
/** A value, or an int beyond the exact range of doubles (inside arithmetic only). */
export type Operand = Value | BigIntValue;

/** The operators whose operands may be ints beyond 2^53 − 1 (exact intermediates). */
export const ARITH_OPS: ReadonlySet<string> = new Set(['+', '-', '*', '/', '//', '%', '**']);

/** Ints past this many bits are not computed (`2 ** 2 ** 40` would take the memory): E0406 at once. */
const MAX_BITS = 4096;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const bitLength = (x: bigint): number => (x < 0n ? -x : x).toString(2).length;
const big = (v: bigint): Operand => (v >= -MAX_SAFE && v <= MAX_SAFE ? num(Number(v), true) : { k: 'big', v });
/** The message (E0406) for a final int beyond the exact range. */
export const bigMessage = (v: bigint): string => `integer result ${bitLength(v) > 1000 ? `of ${bitLength(v)} bits` : `≈${Number(v).toExponential(3)}`} is beyond 2^53 − 1, where integers are no longer exact`;
const TOO_MANY_BITS = `integer result of more than ${MAX_BITS} bits is beyond 2^53 − 1, where integers are no longer exact`;

const asBig = (v: Operand): bigint | undefined => (v.k === 'big' ? v.v : v.k === 'num' && v.int ? BigInt(v.v) : undefined);
const floorDivBig = (x: bigint, y: bigint): bigint => {
  const q = x / y;
  return (x % y !== 0n && (x < 0n) !== (y < 0n)) ? q - 1n : q;
};

/**
 * Integer arithmetic, exact: `op` on two ints (either possibly beyond 2^53 − 1), or undefined when an
 * operand is not an int. Doubles where they are exact (the common case), BigInt where they are not.
 */
export function intArith(op: string, a: Operand, b: Operand): Operand | string | undefined {
  if (a.k === 'num' && b.k === 'num') {
    if (!a.int || !b.int) return undefined;
    const x = a.v;
    const y = b.v;
    // A double sum, difference or product in the safe range is the exact one; floor division of safe ints too.
    if (op === '+' || op === '-' || op === '*') {
      const r = op === '+' ? x + y : op === '-' ? x - y : x * y;
      if (Number.isSafeInteger(r)) return num(r, true);
    } else if (op === '//' && y !== 0) return num(Math.floor(x / y), true);
    else if (op === '%' && y !== 0 && Math.abs(y) <= 2 ** 52) return num(((x % y) + y) % y, true);
    else if (op === '/') return y === 0 ? 'division by zero' : num(x / y, false);
  }
  const x = asBig(a);
  const y = asBig(b);
  if (x === undefined || y === undefined) return undefined;
  switch (op) {
    case '+': return big(x + y);
    case '-': return big(x - y);
    case '*': return bitLength(x) + bitLength(y) > MAX_BITS + 1 ? TOO_MANY_BITS : big(x * y);
    case '/': return y === 0n ? 'division by zero' : num(Number(x) / Number(y), false);
    case '//': return y === 0n ? 'division by zero' : big(floorDivBig(x, y));
    case '%': return y === 0n ? 'modulo by zero' : big(((x % y) + y) % y);
    case '**': {
      // A negative power is a float (as in Python); |x| ≤ 1 stays small whatever the power.
      if (y < 0n) return num(Number(x) ** Number(y), false);
      if (x === 0n || x === 1n) return big(y === 0n ? 1n : x);
      if (x === -1n) return big(y % 2n === 0n ? 1n : -1n);
      return BigInt(bitLength(x) - 1) * y > BigInt(MAX_BITS) ? TOO_MANY_BITS : big(x ** y);
    }
  }
  return undefined;
}
