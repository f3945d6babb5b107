/**
 * What a local of a model or block holds, for hover: the values an expression had, found through its call
 * sites, the names it reads (their definitions, a few levels deep), tuples and items (`pair[0]`); after a loop,
 * the value of its last iteration; after an `if` or a loop that may not have run, also the value before it.
 */
import type { TensorType } from '../ops/types.js';
import type { BlockFrame } from '../semantics/ir.js';
import type { BlockDecl, Expr, ModelDecl, Stmt } from '../syntax/ast.js';
import { lastSiteIn } from './features.js';
import { appValue, sitesOf, sitesWithin, tensorText, valueText } from './layers.js';
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
 * What the calls of a block in this document's models gave one of its parameters: distinct shapes (tensor
 * parameters) or values, in order of first application. Calls from other files are not seen here. `runs`: each
 * application's frame with the type it gave a tensor parameter.
 */
export function argsAcrossCalls(a: Analysis, decl: BlockDecl, name: string): { tensor: boolean; texts: string[]; runs: RunValue[] } {
  const seen = new Set<BlockFrame>();
  const texts = new Set<string>();
  const runs: RunValue[] = [];
  let tensor = false;
  for (const m of a.result.models) {
    const move = a.moves.get(m);
    for (const l of m.layers) {
      const path = l.node.blockPath;
      for (let i = 0; i < path.length; i++) {
        const f = path[i]!;
        if (f.block !== decl.name.text || seen.has(f)) continue;
        // The application is of this declaration when what it ran (the next call, or the layer) lies in its body.
        const inner = move ? move(i + 1 < path.length ? path[i + 1]!.span : l.node.span) : i + 1 < path.length ? path[i + 1]!.span : l.node.span;
        if (inner.file !== a.path || inner.start < decl.range.start || inner.end > decl.range.end) continue;
        seen.add(f);
        const arg = f.args?.find((x) => x.name === name);
        if (arg?.type) {
          tensor = true;
          texts.add(tensorText(arg.type));
          runs.push({ run: f, v: [arg.type] });
        } else if (arg?.value !== undefined) texts.add(arg.value);
      }
    }
  }
  return { tensor, texts: [...texts], runs };
}

/** A value with the run it was made in: the block application (its frame), or the model. */
interface RunValue {
  readonly run: object;
  readonly v: Value;
}

/**
 * The values expression `e` had, as read at `at`. `notLast`: a loop holding `e` whose next iteration reads them
 * (what its last iteration made is not seen).
 */
function exprValues(a: Analysis, decl: BlockDecl | ModelDecl, e: Expr, at: number, depth: number, notLast?: Stmt): RunValue[] | undefined {
  if (depth > 8) return undefined;
  const site = lastSiteIn(a, a.path, e);
  if (site) {
    const byRun = new Map<object, Value[]>();
    site.runs.forEach((r, i) => {
      let vs = byRun.get(r.within);
      if (!vs) byRun.set(r.within, (vs = []));
      vs.push(appValue(r, site.apps[i]!));
    });
    const loops = loopsHolding(decl.body, e.range.start);
    const atLoops = loopsHolding(decl.body, at);
    let common = 0;
    while (common < loops.length && loops[common] === atLoops[common]) common++;
    return [...byRun].flatMap(([run, vs]) => seenAt(vs, loops, common, notLast).map((v) => ({ run, v })));
  }
  if (e.kind === 'tuple') {
    const items = e.items.map((x) => exprValues(a, decl, x, x.range.start, depth + 1));
    return items.every((x) => x?.length === 1 && x[0]!.v.length === 1) ? [{ run: items[0]![0]!.run, v: items.map((x) => x![0]!.v[0]!) }] : undefined;
  }
  if (e.kind === 'index') {
    const k = e.index.kind === 'num' ? e.index.value : e.index.kind === 'unary' && e.index.op === '-' && e.index.operand.kind === 'num' ? -e.index.operand.value : undefined;
    const of = k !== undefined && Number.isInteger(k) ? exprValues(a, decl, e.target, at, depth + 1) : undefined;
    const items = of?.map((x) => ({ run: x.run, t: x.v[k! < 0 ? x.v.length + k! : k!] }));
    return items?.every((x) => x.t) ? items.map((x) => ({ run: x.run, v: [x.t!] })) : undefined;
  }
  if (e.kind !== 'name') return undefined;
  const occ = occurrenceAt(a.symbols(a.result.program.root), e.range.start);
  if (!occ?.decl || (occ.kind !== 'local' && occ.kind !== 'param')) return undefined;
  // A block's tensor parameter: what each call gave it.
  if (occ.kind === 'param' && occ.decl.kind === 'block') {
    const got = argsAcrossCalls(a, occ.decl, occ.name).runs;
    return got.length ? got : undefined;
  }
  if (occ.kind === 'param') {
    const m = occ.decl.kind === 'model' ? a.result.models.find((x) => x.graph.name === occ.decl!.name.text) : undefined;
    const port = m?.graph.inputs.find((p) => p.name === occ.name);
    return port ? [{ run: m!, v: [m!.graph.tensors[port.tensor]!.type] }] : undefined;
  }
  return localValues(a, occ.decl, occ.name, e.range.start, false, depth);
}

/**
 * The values local `name` of `decl` holds as read at `at` (with `inclusive`, `at` may be its definition itself).
 * Walking back from the read, each run (block application, or the model) sees the last assignment that ran in
 * it; one inside an `if` or a loop the read is not in may not have run in every run. Inside a loop that assigns
 * the name after the read (`h = h -> …` in a loop), the read also sees what the loop's body left on the
 * iteration before. `notLast`: read as a loop's next iteration does, so what the loop's last iteration made is
 * not seen.
 */
function localValues(a: Analysis, decl: BlockDecl | ModelDecl, name: string, at: number, inclusive: boolean, depth: number, notLast?: Stmt, carried: readonly Stmt[] = []): RunValue[] | undefined {
  if (depth > 8) return undefined;
  const syms = a.symbols(a.result.program.root);
  const all = syms.occurrences.filter((o) => o.isDef && o.name === name && o.decl === decl);
  const defs = all.filter((o) => (inclusive ? o.start <= at : o.start < at));
  const atLoops = loopsHolding(decl.body, at);
  const out: RunValue[] = [];
  // Runs in which a later assignment is known to have run: the earlier ones are not seen there.
  const resolved = new Set<object>();
  let definite: Stmt | undefined;
  for (let k = defs.length - 1; k >= 0; k--) {
    const st = defStmt(decl.body, defs[k]!.start);
    if (st?.kind !== 'assign') break;
    // Read in its own assignment's value: the name is bound after the value is computed, so the read sees the
    // value before (a loop's previous iteration is added below).
    if (at > st.target.end && at <= st.range.end) continue;
    const inLast = notLast && notLast.range.start <= st.range.start && st.range.end <= notLast.range.end;
    const v = exprValues(a, decl, st.value, at, depth + 1, inLast ? notLast : undefined);
    const maybe = mayNotRun(decl.body, st.range.start, at);
    // In a branch or loop body a run may skip: only the runs that entered it (when its layers tell).
    const ran = v ? runsEntering(a, decl.body, st.range.start) : undefined;
    const kept = v?.filter((x) => !resolved.has(x.run) && (!ran || ran.has(x.run)));
    if (kept) out.push(...kept);
    else if (!maybe) break;
    if (!maybe) {
      definite = st;
      break;
    }
    // It ran in the runs it has values in, unless a loop around the read repeats it (an `if` in the loop may
    // assign on some iterations only).
    if (kept && !atLoops.some((l) => l.range.start <= st.range.start && st.range.end <= l.range.end)) for (const x of kept) resolved.add(x.run);
  }
  // Loops holding the read, innermost first, that assign the name and hold no assignment that always runs
  // between their start and the read: the iterations before this one left their body's last value.
  for (const loop of [...atLoops].reverse()) {
    if (definite && loop.range.start <= definite.range.start && definite.range.end <= loop.range.end) break;
    if (carried.includes(loop) || !all.some((o) => loop.range.start <= o.start && o.start <= loop.range.end)) continue;
    const v = localValues(a, decl, name, loop.range.end, true, depth + 1, loop, [...carried, loop]);
    if (v) out.push(...v);
  }
  return out.length ? out : undefined;
}

/**
 * The runs that entered the `if` branch or loop body statement `s` is directly in, known from the layers its
 * plain statements (not inside a further `if` or loop) made; undefined when they made none, or `s` is not in one.
 */
function runsEntering(a: Analysis, body: readonly Stmt[], s: number): Set<object> | undefined {
  const list = guardedList(body, s, false);
  if (!list) return undefined;
  const runs = new Set<object>();
  const sites = sitesOf(a, a.path);
  for (const y of list) {
    if (y.kind === 'if' || y.kind === 'for' || y.kind === 'repeat' || y.kind === 'frozen') continue;
    for (const site of sitesWithin(sites, y.range.start, y.range.end)) for (const r of site.runs) runs.add(r.within);
  }
  return runs.size ? runs : undefined;
}

/** The statements `s` is directly among, when they are an `if` branch or a loop body (else undefined). */
function guardedList(ss: readonly Stmt[], s: number, guarded: boolean): readonly Stmt[] | undefined {
  const x = ss.find((y) => y.range.start <= s && s <= y.range.end);
  if (!x) return undefined;
  if (x.range.start === s) return guarded ? ss : undefined;
  if (x.kind === 'if') return guardedList(x.then.some((y) => y.range.start <= s && s <= y.range.end) ? x.then : (x.else ?? []), s, true);
  if (x.kind === 'for' || x.kind === 'repeat') return guardedList(x.body, s, true);
  return x.kind === 'frozen' ? guardedList(x.body, s, guarded) : undefined;
}

/** The `for` and `repeat` loops that hold offset `at`, outermost first. */
function loopsHolding(ss: readonly Stmt[], at: number): Stmt[] {
  for (const x of ss) {
    if (x.range.start > at || at > x.range.end) continue;
    const inner = inside(x);
    if (!inner) return [];
    const rest = loopsHolding(inner, at);
    return x.kind === 'for' || x.kind === 'repeat' ? [x, ...rest] : rest;
  }
  return [];
}

/** The distinct texts of the values local `name` holds where it is read (or defined) at `at`. */
export function localValueTexts(a: Analysis, decl: BlockDecl | ModelDecl, name: string, at: number): string[] {
  return [...new Set((localValues(a, decl, name, at, true, 0) ?? []).map((x) => valueText(x.v)))];
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
const alwaysRuns = (x: Stmt): boolean => (tripCount(x) ?? 0) > 0;

/**
 * Which of one run's applications of an expression (in `loops`, outermost first) a read sees that sits in the
 * first `common` of them: each iteration of those, the last iteration of the loops it is after; with `notLast`
 * (one of `loops`), not that loop's last iteration. Exact when every loop has a literal trip count and the
 * applications are as many as they make together; otherwise only after the outermost loop or for a single loop,
 * and every one beyond.
 */
function seenAt(apps: readonly Value[], loops: readonly Stmt[], common: number, notLast: Stmt | undefined): Value[] {
  const trips = loops.map(tripCount);
  const q = notLast ? loops.indexOf(notLast) : -1;
  if (trips.every((t) => t !== undefined) && trips.reduce((x, t) => x * t!, 1) === apps.length) {
    return apps.filter((_, n) => {
      // The application's iteration in each loop, innermost last (mixed radix).
      for (let j = loops.length - 1; j >= 0; j--) {
        const t = trips[j]!;
        const d = n % t;
        n = (n - d) / t;
        if (j >= common && d !== t - 1) return false;
        if (j === q && d === t - 1) return false;
      }
      return true;
    });
  }
  // Read after the outermost loop: what the last application left.
  if (common === 0 && loops.length) return apps.slice(-1);
  if (loops.length === 1 && q === 0) return apps.slice(0, -1);
  return [...apps];
}

/** How many times a loop's body runs, when its bounds are literal. */
function tripCount(x: Stmt): number | undefined {
  if (x.kind === 'repeat') return num(x.count);
  if (x.kind !== 'for') return undefined;
  const it = x.iterable;
  if (it.kind === 'list') return it.items.length;
  const from = it.kind === 'range' ? num(it.from) : undefined;
  const to = it.kind === 'range' ? num(it.to) : undefined;
  return from !== undefined && to !== undefined && Number.isInteger(from) && Number.isInteger(to) ? Math.max(0, to - from) : undefined;
}
