/** Binding an op instance's arguments to its attributes, with their checks and the problems' spans and fixes. */
import type { Span } from '../diagnostics/types.js';
import { bindAttrs } from '../ops/attrs.js';
import type { AttrValue, OpDef } from '../ops/types.js';
import { isIntegral } from '../symbolic/dim.js';
import { floatForInt } from './arg-types.js';
import type { State } from './state.js';
import { type ArgSite, type Instance, type Value, hasUnread, isUnread, kindName, show, toAttr } from './values.js';

/** How many tensor inputs an op takes before its attributes (a variadic one: one or more). */
export const tensorArity = (op: OpDef): number => (op.inputs.some((i) => i.variadic) ? 1 : op.inputs.length);

/** The quick fix of an unknown keyword argument: its name (the start of the argument `name=value`) replaced. */
export function renameKeyword(arg: Span, name: string, to: string) {
  return { title: `replace with '${to}'`, edits: [{ span: { ...arg, end: arg.start + name.length, endLine: arg.line, endCol: arg.col + name.length }, newText: to }] };
}
/** Keyword attributes of a call without keywords (never written). */
const NO_ATTRS: ReadonlyMap<string, AttrValue | null> = new Map<string, AttrValue | null>();

/** Binds and checks an op instance's attributes (`inst.bound`); false after reporting a problem. */
export function bindOpInstance(st: State, inst: Instance, op: OpDef, pos: Value[], kw: ReadonlyMap<string, Value>, site: ArgSite): boolean {
  const fractional = (v: Value) => v.k === 'dim' && !isIntegral(v.v, st.facts);
  let frac = pos.find(fractional);
  if (!frac && kw.size)
    for (const v of kw.values())
      if (fractional(v)) {
        frac = v;
        break;
      }
  if (frac) {
    st.report('E0300', `${op.name}: ${show(frac)} is not a whole number for every size; use // or floor()/ceil()`, site.span);
    return false;
  }
  const bad = pos.findIndex((v) => toAttr(v) === undefined && !isUnread(v));
  if (bad >= 0) {
    st.report('E0300', `${op.name}: argument ${bad + 1} is a ${kindName(pos[bad]!)}, but ${op.name} takes ${tensorArity(op)} tensor input${tensorArity(op) === 1 ? '' : 's'} before its attributes`, site.pos(bad) ?? site.span);
    return false;
  }
  let kwAttrs = NO_ATTRS;
  if (kw.size) {
    const m = new Map<string, AttrValue | null>();
    for (const [k, v] of kw) m.set(k, toAttr(v) ?? null);
    kwAttrs = m;
  }
  const bound = bindAttrs(op, pos.map((v) => toAttr(v) ?? null), kwAttrs);
  // A float where an int is expected (attribute values are plain numbers: the values tell ints from floats).
  const floats = new Set<string>();
  for (const [name, at] of bound.given) {
    const def = op.attrs.find((a) => a.name === name)!;
    const p = floatForInt(op.name, def, typeof at === 'number' ? pos[at]! : kw.get(at)!);
    if (!p) continue;
    floats.add(name);
    st.report('E0300', p.message, (typeof at === 'number' ? site.pos(at) : site.kw(at)) ?? site.span, p.hint ? { hint: p.hint } : {});
  }
  for (const p of bound.problems) {
    // The float's own report says more than "must be an int, got a float".
    if (p.at !== undefined && floats.size && [...floats].some((n) => bound.given.get(n) === p.at)) continue;
    // The value of a number that could not be read is not known (its count and place are).
    if ((p.code === 'E0300' || p.code === 'E0301') && p.at !== undefined && isUnread(typeof p.at === 'number' ? pos[p.at] : kw.get(p.at))) continue;
    const span = typeof p.at === 'number' ? site.pos(p.at) : typeof p.at === 'string' ? site.kw(p.at) : undefined;
    const fix = p.suggestion && typeof p.at === 'string' && span ? renameKeyword(span, p.at, p.suggestion) : undefined;
    st.report(p.code, p.message, span ?? site.span, { ...(p.hint ? { hint: p.hint } : {}), ...(fix ? { fixes: [fix] } : {}) });
  }
  if (bound.problems.length || floats.size || hasUnread(pos, kw)) return false;
  inst.bound = bound;
  return true;
}
