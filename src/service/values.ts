/**
 * What a local of a model or block holds, for hover: the values an expression had, found through its call
 * sites, the names it reads (their definitions, a few levels deep), tuples and items (`pair[0]`); after a loop,
 * the value of its last iteration; after an `if` or a loop that may not have run, also the value before it.
 */
import type { TensorType } from '../ops/types.js';
import type { BlockDecl, Expr, ModelDecl, Stmt } from '../syntax/ast.js';
import { lastSiteIn } from './features.js';
import { appValue, valueText } from './layers.js';
import type { Analysis } from './service.js';
import { occurrenceAt } from './symbols.js';

/** One value: its tensors (several: a tuple). */
type Value = readonly TensorType[];

/** The statement that defines a name at `start`: an assignment to it, or the `for` loop it is the variable of. */
export function defStmt(ss: readonly Stmt[], start: number): Extract<Stmt, { kind: 'assign' | 'for' }> | undefined {
  for (const s of ss) {
    if (s.kind === 'assign' && s.target.start === start) return s;
    if (s.kind === 'for' && s.variable.start === start) return s;
    const inner = inside(s);
    if (inner) {
      const r = defStmt(inner, start);
      if (r) return r;
    }
  }
  return undefined;
}

const inside = (s: Stmt): readonly Stmt[] | undefined => (s.kind === 'if' ? [...s.then, ...(s.else ?? [])] : s.kind === 'for' || s.kind === 'repeat' || s.kind === 'frozen' ? s.body : undefined);

/**
 * Whether an expression at `e` is read at `at` after the loop it ran in: some loop holds `e` but not `at`, and
 * none holds both (then each run of the enclosing block or model reads its last iteration's value).
 */
function afterLoop(ss: readonly Stmt[], e: number, at: number): boolean {
  for (const s of ss) {
    if (s.range.start > e || e > s.range.end) continue;
    const loop = s.kind === 'for' || s.kind === 'repeat';
    const holdsAt = s.range.start <= at && at <= s.range.end;
    if (loop && !holdsAt) return true;
    if (loop && holdsAt) return false;
    const inner = inside(s);
    return inner ? afterLoop(inner, e, at) : false;
  }
  return false;
}

function exprValues(a: Analysis, decl: BlockDecl | ModelDecl, e: Expr, at: number, depth: number): Value[] | undefined {
  if (depth > 8) return undefined;
  const site = lastSiteIn(a, a.path, e);
  if (site) {
    let runs = site.runs.map((r, i) => ({ r, v: appValue(r, site.apps[i]!) }));
    // After a loop: the last application in each run of what holds it.
    if (afterLoop(decl.body, e.range.start, at)) runs = [...new Map(runs.map((x) => [x.r.within, x])).values()];
    return distinct(runs.map((x) => x.v));
  }
  if (e.kind === 'tuple') {
    const items = e.items.map((x) => exprValues(a, decl, x, x.range.start, depth + 1));
    return items.every((x) => x?.length === 1 && x[0]!.length === 1) ? [items.map((x) => x![0]![0]!)] : undefined;
  }
  if (e.kind === 'index') {
    const k = e.index.kind === 'num' ? e.index.value : e.index.kind === 'unary' && e.index.op === '-' && e.index.operand.kind === 'num' ? -e.index.operand.value : undefined;
    const of = k !== undefined && Number.isInteger(k) ? exprValues(a, decl, e.target, at, depth + 1) : undefined;
    const items = of?.map((v) => v[k! < 0 ? v.length + k! : k!]);
    return items?.every(Boolean) ? distinct(items.map((t) => [t!])) : undefined;
  }
  if (e.kind !== 'name') return undefined;
  const occ = occurrenceAt(a.symbols(a.result.program.root), e.range.start);
  if (!occ?.decl || (occ.kind !== 'local' && occ.kind !== 'param')) return undefined;
  if (occ.kind === 'param') {
    const m = occ.decl.kind === 'model' ? a.result.models.find((x) => x.graph.name === occ.decl!.name.text) : undefined;
    const port = m?.graph.inputs.find((p) => p.name === occ.name);
    return port ? [[m!.graph.tensors[port.tensor]!.type]] : undefined;
  }
  return localValues(a, occ.decl, occ.name, e.range.start, false, depth);
}

/**
 * The values local `name` of `decl` holds as read at `at` (with `inclusive`, `at` may be its definition itself): the
 * last assignment before, and the ones before it while the later ones may not have run (inside an `if` or a loop
 * the read is not in): each run reads one of them.
 */
function localValues(a: Analysis, decl: BlockDecl | ModelDecl, name: string, at: number, inclusive: boolean, depth: number): Value[] | undefined {
  const syms = a.symbols(a.result.program.root);
  const defs = syms.occurrences.filter((o) => o.isDef && o.name === name && o.decl === decl && (inclusive ? o.start <= at : o.start < at));
  const out: Value[] = [];
  for (let k = defs.length - 1; k >= 0; k--) {
    const st = defStmt(decl.body, defs[k]!.start);
    if (st?.kind !== 'assign') break;
    const v = exprValues(a, decl, st.value, at, depth + 1);
    // (A model runs once: an assignment with values there ran.)
    const maybe = !(decl.kind === 'model' && v?.length) && mayNotRun(decl.body, st.range.start, at);
    if (v) out.push(...v);
    else if (!maybe) return out.length ? distinct(out) : undefined;
    if (!maybe) break;
  }
  return out.length ? distinct(out) : undefined;
}

/** The distinct texts of the values local `name` holds where it is read (or defined) at `at`. */
export function localValueTexts(a: Analysis, decl: BlockDecl | ModelDecl, name: string, at: number): string[] {
  return [...new Set((localValues(a, decl, name, at, true, 0) ?? []).map(valueText))];
}

/** Whether the statement at `s` sits in an `if`, `for` or `repeat` that does not hold `at`: a run may skip it. */
function mayNotRun(ss: readonly Stmt[], s: number, at: number): boolean {
  for (const x of ss) {
    if (x.range.start > s || s > x.range.end) continue;
    const inner = inside(x);
    if (!inner) return false;
    if (x.kind !== 'frozen' && !alwaysRuns(x) && !(x.range.start <= at && at <= x.range.end)) return true;
    return mayNotRun(inner, s, at);
  }
  return false;
}

const num = (e: Expr) => (e.kind === 'num' ? e.value : undefined);

/** A loop over a literal that is not empty (`for c in [16, 32]`, `for i in 0..3`, `repeat 2`): its body runs. */
function alwaysRuns(x: Stmt): boolean {
  if (x.kind === 'repeat') return (num(x.count) ?? 0) > 0;
  if (x.kind !== 'for') return false;
  const it = x.iterable;
  if (it.kind === 'list') return it.items.length > 0;
  return it.kind === 'range' && num(it.from) !== undefined && num(it.to) !== undefined && num(it.from)! < num(it.to)!;
}

function distinct(vs: readonly Value[]): Value[] {
  const seen = new Map<string, Value>();
  for (const v of vs) if (!seen.has(valueText(v))) seen.set(valueText(v), v);
  return [...seen.values()];
}
