/**
 * Module constants: each is evaluated once, its dependencies first. The dependency walk is iterative,
 * so a chain of 100k constants each defined by the previous one cannot overflow the stack, and it finds
 * cycles (`const a = b` / `const b = a`), reported as E0211 with the cycle spelled out.
 */
import { exprNodes } from '../syntax/walk.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Binding, Program } from './modules.js';
import { evaluate } from './interpret.js';
import { State, Scope } from './state.js';
import { ERR, type Value, show } from './values.js';

type ConstBinding = Extract<Binding, { kind: 'const' }>;

const keyOf = (b: ConstBinding) => `${b.module.path}#${b.decl.name.text}`;

/** The constants `b`'s value refers to (constants see only module-level names). */
function depsOf(b: ConstBinding): ConstBinding[] {
  const out: ConstBinding[] = [];
  for (const e of exprNodes(b.decl.value)) {
    if (e.kind !== 'name') continue;
    const d = b.module.scope.get(e.name.text);
    if (d?.kind === 'const') out.push(d);
  }
  return out;
}

/**
 * The constants of `module`'s scope whose value reaches `name` through other constants: naming one of them
 * in `name`'s own value closes a cycle (E0211). For completion, which must not offer them there.
 */
export function constsReaching(module: { readonly scope: ReadonlyMap<string, Binding> }, name: string): Set<string> {
  // Breadth-first over the reversed dependency edges: no recursion, whatever the chain's length.
  // By name: `name` itself may be half-typed, so not (yet) a constant of the scope.
  const usedBy = new Map<string, string[]>();
  for (const [n, b] of module.scope) {
    if (b.kind !== 'const') continue;
    for (const e of exprNodes(b.decl.value)) {
      if (e.kind !== 'name') continue;
      const k = e.name.text;
      if (k === name || module.scope.get(k)?.kind === 'const') (usedBy.get(k) ?? usedBy.set(k, []).get(k)!).push(n);
    }
  }
  const out = new Set<string>();
  const todo = [name];
  while (todo.length) for (const u of usedBy.get(todo.pop()!) ?? []) if (u !== name && !out.has(u)) out.add(u), todo.push(u);
  return out;
}

/** The value of a module constant (cached per elaboration). */
export function constValue(st: State, b: ConstBinding): Value {
  const key = keyOf(b);
  // (A block application the memo records depends on the constants it reads being evaluated.)
  st.memo?.noteConst(key);
  const cached = st.constCache.get(key);
  if (cached) return cached;
  const stack: { b: ConstBinding; key: string; deps: ConstBinding[]; i: number }[] = [];
  const onStack = new Map<string, number>();
  const push = (x: ConstBinding) => {
    onStack.set(keyOf(x), stack.length);
    stack.push({ b: x, key: keyOf(x), deps: depsOf(x), i: 0 });
  };
  push(b);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.i < top.deps.length) {
      const d = top.deps[top.i++]!;
      const dk = keyOf(d);
      if (st.constCache.has(dk)) continue;
      const at = onStack.get(dk);
      if (at === undefined) {
        push(d);
        continue;
      }
      // Spelled from its first constant in the file, whichever use found it: the same report every time.
      const found = stack.slice(at).map((f) => f.b);
      const k = found.reduce((m, c, i) => (c.decl.range.start < found[m]!.decl.range.start ? i : m), 0);
      const cycle = [...found.slice(k), ...found.slice(0, k)];
      for (const c of cycle) setConst(st, keyOf(c), ERR);
      const first = cycle[0]!;
      const names = [...cycle, first].map((c) => c.decl.name.text).join(' → ');
      st.report('E0211', `constant cycle: ${names}`, st.span(first.module, first.decl.name), {
        hint: 'a constant cannot depend on itself; give one of them a value',
        notes: cycle.slice(1).map((c) => ({ message: `${c.decl.name.text} is defined here`, span: st.span(c.module, c.decl.name) })),
      });
      continue;
    }
    stack.pop();
    onStack.delete(top.key);
    if (!st.constCache.has(top.key)) setConst(st, top.key, evalConst(st, top.b));
  }
  return st.constCache.get(keyOf(b)) ?? ERR;
}

function setConst(st: State, key: string, v: Value): void {
  if (st.journal) {
    st.journal.mapSet(st.constCache, key);
    st.journal.keep(v);
  }
  st.constCache.set(key, v);
}

/**
 * A constant is evaluated once for the whole model, before any analysis: whole-model totals (`params`)
 * and receptive fields are not available in it, even when it is first used inside an assertion.
 */
function evalConst(st: State, b: ConstBinding): Value {
  const { assertDepth, analysis } = st;
  st.assertDepth = 0;
  st.analysis = undefined;
  try {
    return evaluate(st, new Scope(b.module), b.decl.value);
  } finally {
    st.assertDepth = assertDepth;
    st.analysis = analysis;
  }
}

/**
 * Every constant of the root module evaluated once on its own, for its problems (cycles, unknown names,
 * a division by zero, a total it cannot hold): models evaluate constants lazily, so one no model uses
 * would never be checked. The problems of constants models do use are found here too, at the same place
 * (diagnostics are deduplicated).
 */
export function checkConstants(program: Program): Diagnostic[] {
  const root = program.root;
  // (Most files have none: the editor runs this on every keystroke, so no elaboration state is made then.)
  if (!root.ast.decls.some((d) => d.kind === 'const')) return [];
  const st = new State(program);
  for (const d of root.ast.decls) {
    if (d.kind !== 'const') continue;
    const b = root.own.get(d.name.text);
    if (b?.kind === 'const' && b.decl === d) constValue(st, b);
  }
  return st.diagnostics;
}

/**
 * A module constant's value as the language writes it (`64`, `(3, 3)`), or undefined when evaluating it reports a
 * problem (the diagnostics say which): for the editor's hover.
 */
export function constText(program: Program, b: ConstBinding): string | undefined {
  const st = new State(program);
  const v = constValue(st, b);
  return v.k === 'error' || st.diagnostics.length ? undefined : show(v);
}
