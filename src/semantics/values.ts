/** Values of the elaboration-time interpreter. */
import type { BlockDecl } from '../syntax/ast.js';
import type { AttrValue, OpDef } from '../ops/types.js';
import type { BoundAttrs } from '../ops/attrs.js';
import { type Dim, type Expr, formatDim } from '../symbolic/dim.js';
import type { Span } from '../diagnostics/types.js';
import type { ModuleInfo } from './modules.js';

/** A block declaration with the module it lives in. */
export interface BlockRef {
  readonly decl: BlockDecl;
  readonly module: ModuleInfo;
}

/** Spans of a call and of each of its arguments. */
export interface ArgSite {
  readonly span: Span;
  /** Where the i-th positional argument is written (made on demand: only diagnostics need it). */
  readonly pos: (i: number) => Span | undefined;
  /** Where the keyword argument `name` is written. */
  readonly kw: (name: string) => Span | undefined;
}

/** A layer instance: an op or block with its non-tensor arguments bound, not yet applied. */
export interface Instance {
  readonly id: number;
  readonly target: { readonly kind: 'op'; readonly op: OpDef } | { readonly kind: 'block'; readonly block: BlockRef };
  readonly positional: readonly Value[];
  readonly keywords: ReadonlyMap<string, Value>;
  /** `name=`, or the variable a bare instance is assigned to (`head = dense(10)`). */
  label?: string;
  /** Where its arguments were written (diagnostics about arguments point there). */
  site?: ArgSite;
  /** The label its first application got (later applications of a shared block reuse it). */
  appliedLabel?: string;
  readonly trainable: boolean;
  readonly span: Span;
  firstNode?: number;
  /** Instances created inside a block instance's first application, replayed by later ones. */
  readonly inner: Instance[];
  applied: number;
  /** Attributes bound when an op instance was created (reused by every application). */
  bound?: BoundAttrs;
  /** Its arguments were wrong (reported when it was created): later replays of it fail silently. */
  failed?: boolean;
}

export type Value =
  | { readonly k: 'num'; readonly v: number; readonly int: boolean }
  | { readonly k: 'dim'; readonly v: Expr }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'none' }
  | { readonly k: 'tuple'; readonly items: readonly Value[] }
  | { readonly k: 'tensor'; readonly id: number }
  | { readonly k: 'instance'; readonly inst: Instance }
  | { readonly k: 'op'; readonly op: OpDef }
  | { readonly k: 'block'; readonly block: BlockRef }
  | { readonly k: 'builtin'; readonly name: string }
  /**
   * Poison: an error was already reported; operations on it stay silent. `unread`: a number literal that could
   * not be read (E0102): a call still checks what does not depend on its value (calls.ts), then fails.
   */
  | { readonly k: 'error'; readonly unread?: true };

export const ERR: Value = { k: 'error' };
export const UNREAD: Value = { k: 'error', unread: true };
/** A number literal that could not be read (E0102): a number, its value unknown. */
export const isUnread = (v: Value | undefined): boolean => v?.k === 'error' && v.unread === true;
/** Whether a call's arguments hold such a number (indexed loops: calls are the hot path of a check). */
export function hasUnread(pos: readonly Value[], kw: ReadonlyMap<string, Value>): boolean {
  for (let i = 0; i < pos.length; i++) if (isUnread(pos[i])) return true;
  if (kw.size) for (const v of kw.values()) if (isUnread(v)) return true;
  return false;
}
export const NONE: Value = { k: 'none' };
export const num = (v: number, int = Number.isInteger(v)): Value => ({ k: 'num', v, int });
export const fromDim = (d: Dim): Value => (typeof d === 'number' ? num(d, true) : { k: 'dim', v: d });

/** Start of the message for an integer result past 2^53 − 1 (E0406): doubles no longer hold every integer there. */
export const INEXACT_INT_PREFIX = 'integer result ';
/**
 * The message for an int value that is no longer exact (beyond ±(2^53 − 1), where a double skips
 * integers: `2 ** 53 + 1` would silently be `2 ** 53`), or undefined for an exact one.
 */
export function inexactInt(v: Value): string | undefined {
  if (v.k !== 'num' || !v.int || Number.isSafeInteger(v.v)) return undefined;
  return `${INEXACT_INT_PREFIX}${Number.isFinite(v.v) ? `≈${v.v.toExponential(3)}` : String(v.v)} is beyond 2^53 − 1, where integers are no longer exact`;
}
export const INEXACT_INT_HINT = 'integers are exact up to 2^53 − 1 = 9007199254740991; use a float (2.0 ** 60) where an approximation is enough';

export function kindName(v: Value): string {
  switch (v.k) {
    case 'num':
      return v.int ? 'int' : 'float';
    case 'dim':
      return 'int (symbolic)';
    case 'tuple':
      return 'tuple';
    case 'instance':
      return 'layer';
    case 'op':
      return 'op';
    case 'block':
      return 'block';
    case 'builtin':
      return 'function';
    default:
      return v.k;
  }
}

/** Display form, for messages. */
export function show(v: Value): string {
  switch (v.k) {
    case 'num':
      return v.int ? String(v.v) : floatText(v.v);
    case 'dim':
      return formatDim(v.v);
    case 'bool':
      return String(v.v);
    case 'str':
      return JSON.stringify(v.v);
    case 'none':
      return 'none';
    case 'tuple':
      return `[${v.items.map(show).join(', ')}]`;
    case 'tensor':
      return 'tensor';
    case 'instance':
      return `layer ${v.inst.target.kind === 'op' ? v.inst.target.op.name : v.inst.target.block.decl.name.text}`;
    case 'op':
      return v.op.name;
    case 'block':
      return v.block.decl.name.text;
    case 'builtin':
      return v.name;
    case 'error':
      return '<error>';
  }
}

/** A layer passed as a block argument, as it was made (`leaky_relu(0.1)`, `tower(dim=64)`), for hover. */
export function instanceText(inst: Instance): string {
  const name = inst.target.kind === 'op' ? inst.target.op.name : inst.target.block.decl.name.text;
  const args = [...inst.positional.map(show), ...[...inst.keywords].map(([k, v]) => `${k}=${show(v)}`)];
  return `${name}(${args.join(', ')})`;
}

/** Converts a value to an op attribute, or undefined if it has no attribute form (tensors, layers). */
export function toAttr(v: Value): AttrValue | undefined {
  switch (v.k) {
    case 'num':
    case 'bool':
    case 'str':
      return v.v;
    case 'dim':
      return v.v;
    case 'none':
      return null;
    case 'tuple': {
      const items = v.items.map(toAttr);
      return items.every((x) => x !== undefined) ? (items as AttrValue[]) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * A float as Python's `repr` writes it (`2.0`, `0.5`, `1e+16`, `1.5e-05`, `inf`): shortest round-trip
 * digits, a `.0` on whole values, exponent notation from 1e16 and below 1e-4.
 */
export function floatText(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, e] = x.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/** The Dim of an int value (a float, even a whole one, is not a size), if it is one. */
export function asDim(v: Value): Dim | undefined {
  if (v.k === 'num' && v.int) return v.v;
  if (v.k === 'dim') return v.v;
  return undefined;
}
