/**
 * The names around a position, for completion and signature help: those bound in the block or model
 * around it (from the last analysis's AST; the text may be an edit or two newer), and what a call's
 * callee is.
 */
import { getOp } from '../ops/registry.js';
import type { OpDef } from '../ops/types.js';
import { BUILTINS } from '../semantics/builtins.js';
import { tensorParams } from '../semantics/calls.js';
import type { BlockDecl, Expr, ModelDecl, Param, Stmt } from '../syntax/ast.js';
import { lastSiteIn, paramText, typeText } from './features.js';
import { type SiteApps, tensorText } from './layers.js';
import { type CallContext, statementStart } from './context.js';
import type { Analysis } from './service.js';

/** A name bound in the block or model around the cursor. */
export interface ScopeName {
  readonly name: string;
  readonly kind: 'tensor' | 'variable';
  readonly detail?: string;
  /** It may hold a layer (a `layer` argument, an instance such as `head = dense(10)`): a chain step. */
  readonly layer?: boolean;
}

/**
 * A tensor bound by an assignment, its shapes written out only when read: a big model binds thousands of
 * names, and an answer lists few of them (after `->`, none). A class: a literal with a getter is slow to make.
 */
class BoundTensor implements ScopeName {
  readonly kind = 'tensor';
  private shapes: string | undefined;
  constructor(
    readonly name: string,
    private readonly site: SiteApps,
  ) {}
  get detail(): string {
    return (this.shapes ??= [...new Set(this.site.shapes)].join(' | '));
  }
}

/**
 * The callee's declaration, looked up as the checker does (semantics/interpret.ts): module bindings, then
 * builtins, then ops.
 */
export function calleeOf(a: Analysis | undefined, name: string): { block: BlockDecl } | { builtin: string } | { op: OpDef } | undefined {
  const b = a?.result.program.root.scope.get(name);
  if (b) return b.kind === 'block' ? { block: b.decl } : undefined;
  if (BUILTINS.has(name)) return { builtin: name };
  const op = getOp(name);
  return op ? { op } : undefined;
}

export const blockTensors = (a: Analysis, d: BlockDecl): readonly Param[] => tensorParams({ decl: d, module: a.result.program.root });

/**
 * Whether an argument of `call` (its text) is a tensor: `img`, `pair[0]`, `x -> relu()`, by the tensors in
 * scope at the call; with `prefix`, also a tensor's name half-typed at the cursor (`im|`).
 */
export function tensorArgTest(a: Analysis | undefined, text: string, call: CallContext): (arg: string, prefix?: boolean) => boolean {
  const tensors = new Set(a ? namesInScope(a, text, call.calleeStart).filter((n) => n.kind === 'tensor').map((n) => n.name) : []);
  return (s, prefix = false) => {
    const t = s.trim();
    if (prefix) return /^[A-Za-z_]\w*$/.test(t) && [...tensors].some((n) => n.startsWith(t));
    const head = /^([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)?$/.exec(t);
    return head ? tensors.has(head[1]!) : t.includes('->');
  };
}

/** Maps an offset of the current text to the analysed text (they differ by the edits since the check). */
function toAnalysed(old: string, cur: string, o: number): number {
  if (old === cur) return o;
  const n = Math.min(old.length, cur.length);
  let pre = 0;
  while (pre < n && old.charCodeAt(pre) === cur.charCodeAt(pre)) pre++;
  if (o <= pre) return o;
  let suf = 0;
  while (suf < n - pre && old.charCodeAt(old.length - 1 - suf) === cur.charCodeAt(cur.length - 1 - suf)) suf++;
  return o >= cur.length - suf ? o - (cur.length - old.length) : pre;
}

/**
 * Names bound before `offset` in the block or model around it (from the last analysis's AST), with shapes
 * from its check: the parameters, the symbolic sizes of a model's inputs, assignments whose statement
 * ended before the cursor (not the one the cursor is in), loop variables.
 */
export function namesInScope(a: Analysis, text: string, offset: number): ScopeName[] {
  const o = toAnalysed(a.text, text, offset);
  const cut = toAnalysed(a.text, text, statementStart(text, offset));
  const root = a.result.program.root;
  const decl = root.ast.decls.find((d): d is BlockDecl | ModelDecl => (d.kind === 'block' || d.kind === 'model') && d.range.start < o && o <= d.range.end);
  if (!decl) return [];
  const out = new Map<string, ScopeName>();
  const add = (n: ScopeName) => {
    out.delete(n.name);
    out.set(n.name, n);
  };
  if (decl.kind === 'model') {
    const m = a.result.models.find((x) => x.graph.name === decl.name.text);
    for (const prm of decl.inputs) {
      const port = m?.graph.inputs.find((x) => x.name === prm.name.text);
      add({ name: prm.name.text, kind: 'tensor', detail: port ? tensorText(m!.graph.tensors[port.tensor]!.type) : typeText(prm) });
    }
    // Symbolic sizes are values in the body (`H // 2`).
    const sym = (e: Expr) => namesIn(e, (n) => !out.has(n) && !root.scope.has(n) && add({ name: n, kind: 'variable', detail: 'size (symbolic)' }));
    for (const prm of [...decl.inputs, ...(decl.outputs ?? [])]) for (const d of prm.type?.dims ?? []) sym(d);
    for (const w of decl.where) sym(w);
  } else {
    const tps = blockTensors(a, decl);
    for (const prm of decl.params) {
      const isT = tps.includes(prm);
      const t = prm.type?.name?.text;
      add({ name: prm.name.text, kind: isT ? 'tensor' : 'variable', detail: paramText(prm), ...(!isT && (!t || t === 'layer') ? { layer: true } : {}) });
    }
  }
  const isTensor = (e: Expr): boolean => {
    switch (e.kind) {
      case 'chain':
        return true;
      case 'name':
        return out.get(e.name.text)?.kind === 'tensor';
      case 'binary':
        return isTensor(e.left) || isTensor(e.right);
      case 'unary':
        return isTensor(e.operand);
      case 'index':
        return isTensor(e.target);
      case 'call':
        return e.args.some((x) => !x.name && isTensor(x.value));
      default:
        return false;
    }
  };
  const bind = (name: string, value: Expr) => {
    const site = lastSiteIn(a, a.path, value);
    if (site) add(new BoundTensor(name, site));
    else if (isTensor(value)) add({ name, kind: 'tensor' });
    else add({ name, kind: 'variable', ...(value.kind === 'call' || value.kind === 'name' ? { layer: true } : {}) });
  };
  const visit = (ss: readonly Stmt[]) => {
    for (const s of ss) {
      if (s.range.start >= o) return;
      if (s.kind === 'assign') {
        // Not the statement being typed (`y = |`, `h2 = h -> f(8, |`): its name is bound once it is done.
        if (s.range.end < o && s.range.start < cut) bind(s.target.text, s.value);
      } else if (s.kind === 'for') {
        if (o > s.variable.end) add({ name: s.variable.text, kind: 'variable', detail: 'loop variable' });
        visit(s.body);
      } else if (s.kind === 'if') {
        visit(s.then);
        visit(s.else ?? []);
      } else if (s.kind === 'repeat' || s.kind === 'frozen') visit(s.body);
    }
  };
  visit(decl.body);
  return [...out.values()];
}

/** Calls `f` with each name an expression reads. */
function namesIn(e: Expr, f: (name: string) => void): void {
  switch (e.kind) {
    case 'name':
      f(e.name.text);
      return;
    case 'binary':
      namesIn(e.left, f);
      namesIn(e.right, f);
      return;
    case 'unary':
      namesIn(e.operand, f);
      return;
    case 'tuple':
    case 'list':
      for (const x of e.items) namesIn(x, f);
      return;
    case 'call':
      for (const x of e.args) namesIn(x.value, f);
      return;
    default:
      return;
  }
}
