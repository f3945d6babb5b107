/**
 * Block expansion: runs a model's body at compile time and records every layer application as a node
 * of the graph IR. Shapes are inferred as nodes are created (control flow may depend on them).
 */
import { didYouMean } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Expr, ModelDecl, Param } from '../syntax/ast.js';
import { DTYPE_BYTES, type DType } from '../ops/types.js';
import { type Dim, compareDims, formatDim, sym } from '../symbolic/dim.js';
import { lowerBoundKey } from '../symbolic/facts.js';
import type { Graph, IrPort } from './ir.js';
import { checkAssert, evaluate, exec } from './interpret.js';
import { type ModuleInfo, type Program, cutShort } from './modules.js';
import { type CutSuffix, cutoff } from './cutoff.js';
import { type AstOrigin, type Checkpoint, type Resumable, type Resumed, checkpoint, journaledScope, resume, startJournal } from './resume.js';
import { AbortSignal, type AnalysisProvider, type DeferredAssert, Scope, State } from './state.js';
import { ERR, type Value, asDim, fromDim, show } from './values.js';

export interface Elaboration {
  readonly graph: Graph;
  /** With `resumable`: what the next elaboration of an edited text may resume from. */
  readonly resumable?: Resumable;
  /**
   * After a resumed run: the first nodes and tensors of the graph are the very objects of the previous
   * elaboration's graph (the analysis of that prefix can be reused).
   */
  readonly reused?: {
    readonly nodes: number;
    readonly tensors: number;
    /** Statements after the edit taken from the previous run (an early cutoff, src/semantics/cutoff.ts). */
    readonly cut?: number;
    /** Their layers and tensors: copies of the previous graph's, moved (the analysis may reuse theirs). */
    readonly suffix?: CutSuffix;
  };
  readonly deferred: readonly DeferredAssert[];
  readonly diagnostics: Diagnostic[];
  /**
   * With `resumable`: the root module's names it looked up so far, deferred assertions included, or 'all' (see
   * `State.rootLookups`).
   */
  readonly rootLookups?: () => ReadonlySet<string> | 'all';
  /** Evaluates deferred assertions once the checker can answer totals and receptive fields. */
  runDeferred(analysis: AnalysisProvider): Diagnostic[];
}

/** The models a module defines, in order. */
export const modelsOf = (m: ModuleInfo): ModelDecl[] => m.ast.decls.filter((d): d is ModelDecl => d.kind === 'model');

export interface ElaborateOptions {
  /** Journal the state and take a checkpoint after each statement, so that a later run can resume (editor). */
  readonly resumable?: boolean;
  /**
   * A resumable elaboration of the same model in an earlier text of the same file: resume from it after
   * the statements that are unchanged (see src/semantics/resume.ts), when that is exact; it cannot be
   * resumed from again, and its graph's tensor names and symbols may change.
   */
  readonly previous?: Elaboration;
  /** For AST objects the incremental parser moved: their origin (lets a resumed run compare them cheaply). */
  readonly origin?: AstOrigin;
}

/** Elaborates one model of the program's root module (the first if no name is given). */
export function elaborate(program: Program, modelName?: string, inputShapes?: ReadonlyMap<string, Dim>, opts: ElaborateOptions = {}): Elaboration | { error: Diagnostic[] } {
  const st = new State(program);
  const models = modelsOf(program.root);
  const decl = modelName ? models.find((m) => m.name.text === modelName) : models[0];
  if (!decl) {
    const s = modelName ? didYouMean(modelName, models.map((m) => m.name.text)) : undefined;
    st.report('E0210', modelName ? `no model '${modelName}' in ${baseName(program.root.path)}` : `${baseName(program.root.path)} defines no model`, undefined, {
      hint: s ? `did you mean '${s}'?` : models.length ? `models: ${models.map((m) => m.name.text).join(', ')}` : 'a file with only blocks is a library: import it from a model',
    });
    return { error: st.diagnostics };
  }
  const prev = opts.previous?.resumable;
  const resumed = prev && !inputShapes ? resume(prev, program, decl, opts.origin) : undefined;
  if (resumed) return elaborateModel(resumed.st, program.root, decl, undefined, resumed);
  if (opts.resumable) startJournal(st);
  return elaborateModel(st, program.root, decl, inputShapes);
}

function elaborateModel(st: State, mod: ModuleInfo, decl: ModelDecl, inputShapes?: ReadonlyMap<string, Dim>, resumed?: Resumed): Elaboration {
  let sc: Scope;
  let inputs: readonly IrPort[];
  if (resumed) {
    sc = resumed.scope;
    inputs = resumed.inputs;
  } else {
    sc = new Scope(mod);
    inputs = header(st, sc, mod, decl, inputShapes);
    if (st.journal) sc = journaledScope(st, sc);
  }
  const journal = st.journal;
  const checkpoints: Checkpoint[] = resumed?.checkpoints ?? [];
  let result: Value | undefined;
  let cut = 0;
  let suffix: CutSuffix | undefined;
  try {
    // The statements one by one (as execBlock), with a checkpoint after each when journaling.
    const body = decl.body;
    for (let i = resumed?.from ?? 0; i < body.length; i++) {
      if (resumed?.cut && i === resumed.cut.newFrom && journal) {
        // The statements after the edit: the old run's, when they cannot tell the difference.
        const c = cutoff(st, journal, resumed.cut, resumed.from, body, checkpoints, mod.file);
        if (c) {
          cut = c.next - i;
          suffix = c.suffix;
          i = c.next - 1;
          continue;
        }
      }
      const r = exec(st, sc, body[i]!);
      if (r) {
        // (No checkpoint after a return: a resumed run must run it again for its value.)
        result = r;
        break;
      }
      if (journal) checkpoints.push(checkpoint(st, journal));
    }
  } catch (e) {
    if (!(e instanceof AbortSignal) && !st.stackExhausted(e)) throw e;
  }
  return finish(st, sc, mod, decl, inputs, result, journal ? { st, journal, decl, scope: sc, inputs, checkpoints, consumed: false, ancestor: resumed?.ancestor } : undefined, resumed && (suffix ? { ...resumed.reused, cut, suffix } : resumed.reused));
}

/** The model's `where` facts and its inputs, bound in `sc`. */
function header(st: State, sc: Scope, mod: ModuleInfo, decl: ModelDecl, inputShapes?: ReadonlyMap<string, Dim>): IrPort[] {
  const inputs: IrPort[] = [];
  addFacts(st, sc, decl.where, inputShapes);
  for (const p of decl.inputs) {
    const type = tensorType(st, sc, p, inputShapes);
    if (!type) {
      sc.vars.set(p.name.text, ERR);
      continue;
    }
    const span = st.span(mod, p.name);
    const id = st.newTensor(type, span);
    st.tensors[id]!.name = p.name.text;
    sc.vars.set(p.name.text, { k: 'tensor', id });
    inputs.push({ name: p.name.text, tensor: id, span });
  }
  return inputs;
}

/** Outputs, the graph and the deferred assertions, after the model's statements ran. */
function finish(st: State, sc: Scope, mod: ModuleInfo, decl: ModelDecl, inputs: readonly IrPort[], result: Value | undefined, resumable: Resumable | undefined, reused: Elaboration['reused']): Elaboration {
  const outputs: IrPort[] = [];
  if (!result && !st.diagnostics.some((d) => d.code === 'E0104') && !cutShort(mod, decl)) st.report('E0304', `model ${decl.name.text} ends without return`, st.span(mod, decl.name), { hint: 'end the model with `return <tensor>`' });
  if (result && result.k !== 'error') {
    const vals = result.k === 'tuple' ? result.items : [result];
    // `return b` names the output b, even when b is another name for a tensor bound earlier (`b = a`).
    const ret = decl.body.find((s) => s.kind === 'return');
    const written = ret?.kind === 'return' && ret.values.length === vals.length ? ret.values : undefined;
    vals.forEach((v, i) => {
      if (v.k === 'error') return;
      const declared = decl.outputs?.[i];
      const span = st.span(mod, decl.body.find((s) => s.kind === 'return')?.range ?? decl.name);
      if (v.k !== 'tensor') {
        st.report('E0304', `model ${decl.name.text} must return tensors, got ${show(v)}`, span);
        return;
      }
      // (A loop, not a spread of every variable: a big model has thousands, and the editor runs this per keystroke.)
      let local: string | undefined;
      for (const [k, x] of sc.vars)
        if (x.k === 'tensor' && x.id === v.id) {
          local = k;
          break;
        }
      const w = written?.[i];
      const bound = w?.kind === 'name' ? sc.vars.get(w.name.text) : undefined;
      const direct = bound?.k === 'tensor' && bound.id === v.id && w?.kind === 'name' ? w.name.text : undefined;
      const name = declared?.name.text || direct || local || st.tensors[v.id]!.name || `output${vals.length > 1 ? i : ''}`;
      outputs.push({ name, tensor: v.id, span });
      if (declared) checkDeclared(st, sc, declared, v.id);
    });
    if (decl.outputs && decl.outputs.length !== vals.length)
      st.report('E0405', `model ${decl.name.text} declares ${decl.outputs.length} output${decl.outputs.length === 1 ? '' : 's'} but returns ${vals.length}`, st.span(mod, decl.name));
  }
  // (Every graph and elaboration has the same properties, in the same order, absent ones undefined: one
  // hidden class, so that the checker's optimized passes do not deoptimize on the next model or run.)
  const graph: Graph = {
    name: decl.name.text,
    doc: decl.doc || undefined,
    span: st.span(mod, decl.name),
    inputs,
    outputs,
    nodes: st.nodes,
    tensors: st.tensors,
    symbols: st.symbols,
    facts: st.facts,
    emptyCalls: st.emptyCalls,
  };
  return {
    graph,
    resumable,
    reused: reused || undefined,
    deferred: st.deferred,
    diagnostics: st.diagnostics,
    ...(resumable ? { rootLookups: () => (st.lookupsAll ? 'all' : st.rootLookups) } : {}),
    runDeferred(analysis) {
      const before = st.diagnostics.length;
      st.analysis = analysis;
      for (const d of st.deferred) {
        // (A loop, not splice(…, ...blockPath): empty and filled paths made its optimized code deoptimize.)
        st.frames.length = 0;
        for (let i = 0; i < d.blockPath.length; i++) st.frames.push(d.blockPath[i]!);
        try {
          checkAssert(st, d.scope, d.cond, d.message, d.span);
        } catch (e) {
          if (!(e instanceof AbortSignal) && !st.stackExhausted(e)) throw e;
        }
      }
      st.frames.length = 0;
      // Taken back out: the elaboration's own diagnostics stay those of the elaboration (a caller that reads them
      // after the analysis, as the editor's cache does, must not see these twice, nor before the analysis' own).
      return st.diagnostics.splice(before);
    },
  };
}

/**
 * `where H % 32 == 0` records divisibility, `where H >= 32` (or `H > 31`) a lower bound; `where H == 224` fixes
 * a symbol. A size given on the command line (`--input-shape H=…`) binds the symbol here. The constraints
 * hold together, whatever their order:
 * the fixed sizes are bound first, then every divisibility and bound is checked against them (or recorded),
 * and two sizes for one symbol, or a size that breaks a divisibility or a bound, are E0403.
 */
function addFacts(st: State, sc: Scope, where: readonly Expr[], inputShapes?: ReadonlyMap<string, Dim>): void {
  const at = (e: Expr) => st.span(sc.module, e.range);
  const divisible: { name: string; m: number; e: Expr }[] = [];
  const bounds: { name: string; low: number; text: string; e: Expr }[] = [];
  // Where each fixed size came from, for messages.
  const fixedBy = new Map<string, string>();
  for (const [name, v] of inputShapes ?? []) if (typeof v === 'number') fixedBy.set(name, `${name} = ${v} (from --input-shape)`);
  for (const e of where) {
    // A missing constraint (`where {`) is a syntax error, already reported.
    if (e.kind === 'error') continue;
    if (e.kind === 'binary' && e.op === '==') {
      const { left, right } = e;
      if (left.kind === 'binary' && left.op === '%' && left.left.kind === 'name' && right.kind === 'num' && right.value === 0 && left.right.kind === 'num' && left.right.isInt && left.right.value > 0) {
        divisible.push({ name: left.left.name.text, m: left.right.value, e });
        continue;
      }
      if (left.kind === 'name' && right.kind === 'num' && right.isInt) {
        const name = left.name.text;
        const given = inputShapes?.get(name) ?? st.symbols.get(name);
        const src = `\`where ${name} == ${right.value}\``;
        if (typeof given === 'number' && given !== right.value) {
          st.report('E0403', `${fixedBy.get(name) ?? `${name} = ${given}`} contradicts ${src}`, at(e));
          continue;
        }
        if (right.value < 1) {
          st.report('E0403', `${src}: a size is at least 1`, at(e));
          continue;
        }
        fixedBy.set(name, src);
        st.symbols.set(name, right.value);
        sc.vars.set(name, fromDim(right.value));
        continue;
      }
    }
    // `H >= 32`, `H > 31`: a lower bound.
    if (e.kind === 'binary' && (e.op === '>=' || e.op === '>') && e.left.kind === 'name' && e.right.kind === 'num' && e.right.isInt) {
      bounds.push({ name: e.left.name.text, low: e.op === '>' ? e.right.value + 1 : e.right.value, text: `${e.left.name.text} ${e.op} ${e.right.value}`, e });
      continue;
    }
    st.report('E0300', 'a `where` constraint must look like `H % 32 == 0`, `H >= 32` or `H == 224`', at(e));
  }
  for (const { name, m, e } of divisible) {
    const given = inputShapes?.get(name) ?? st.symbols.get(name);
    if (typeof given === 'number') {
      if (given % m !== 0) {
        const by = fixedBy.get(name) ?? `${name} = ${given}`;
        st.report('E0403', `${by} violates \`where ${name} % ${m} == 0\``, at(e), by.includes('--input-shape') ? { hint: `use a multiple of ${m}, e.g. ${name}=${Math.max(m, Math.round(given / m) * m)}` } : {});
      }
      st.symbols.set(name, given);
      sc.vars.set(name, fromDim(given));
      continue;
    }
    const prev = st.facts.get(name) ?? 1;
    st.facts.set(name, (prev * m) / gcd(prev, m));
    st.symbols.set(name, st.symbols.get(name));
    sc.vars.set(name, { k: 'dim', v: sym(name) });
  }
  for (const { name, low, text, e } of bounds) {
    const given = inputShapes?.get(name) ?? st.symbols.get(name);
    if (typeof given === 'number') {
      if (given < low) st.report('E0403', `${fixedBy.get(name) ?? `${name} = ${given}`} violates \`where ${text}\``, at(e));
      continue;
    }
    const key = lowerBoundKey(name);
    st.facts.set(key, Math.max(st.facts.get(key) ?? 1, low));
    st.symbols.set(name, st.symbols.get(name));
    sc.vars.set(name, { k: 'dim', v: sym(name) });
  }
}

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** A name in a shape is a symbolic dim unless it is a variable or a module constant. */
/**
 * Whether a bare name in an input's shape is a size symbol of the model: not a value in scope (`isValue`), and no
 * module constant (a constant is a fixed size). The editor's symbol table asks the same question.
 */
export const isSizeSymbol = (module: ModuleInfo, name: string, isValue: (n: string) => boolean): boolean => !isValue(name) && module.scope.get(name)?.kind !== 'const';
const isSymbolName = (st: State, sc: Scope, n: string) => {
  if (st.journal) st.rootLookups.add(n);
  return isSizeSymbol(sc.module, n, (x) => sc.vars.has(x));
};

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

function tensorType(st: State, sc: Scope, p: Param, inputShapes?: ReadonlyMap<string, Dim>): { shape: Dim[]; dtype: DType } | undefined {
  const t = p.type;
  if (!t?.dims) {
    st.report('E0300', `model input '${p.name.text}' needs a shape, like ${p.name.text}: [N, 3, 224, 224]`, st.span(sc.module, p.range));
    return undefined;
  }
  const dtype = (t.name?.text ?? 'float32') as DType;
  if (!(dtype in DTYPE_BYTES)) {
    st.report('E0300', `unknown dtype '${dtype}'`, st.span(sc.module, t.name!), { hint: `dtypes: ${Object.keys(DTYPE_BYTES).join(', ')}` });
    return undefined;
  }
  const shape: Dim[] = [];
  for (const d of t.dims) {
    if (d.kind === 'name' && isSymbolName(st, sc, d.name.text)) {
      const name = d.name.text;
      const given = inputShapes?.get(name);
      if (given !== undefined) {
        st.symbols.set(name, given);
        sc.vars.set(name, fromDim(given));
        shape.push(given);
        continue;
      }
      if (!st.symbols.has(name)) st.symbols.set(name, undefined);
      const bound = st.symbols.get(name);
      if (!sc.vars.has(name)) sc.vars.set(name, bound !== undefined ? fromDim(bound) : { k: 'dim', v: sym(name) });
      shape.push(bound ?? sym(name));
      continue;
    }
    const v = evaluate(st, sc, d);
    const dim = asDim(v);
    if (v.k === 'error') return undefined;
    if (dim === undefined || (typeof dim === 'number' && dim < 1)) {
      st.report('E0300', `a dimension must be a positive int or a symbol, got ${show(v)}`, st.span(sc.module, d.range));
      return undefined;
    }
    if (typeof dim === 'number' && !Number.isSafeInteger(dim)) {
      st.report('E0406', `dimension ${dim} is too large`, st.span(sc.module, d.range));
      return undefined;
    }
    shape.push(dim);
  }
  return { shape, dtype };
}

function checkDeclared(st: State, sc: Scope, declared: Param, tensor: number): void {
  const t = declared.type;
  if (!t?.dims) return;
  const actual = st.tensors[tensor]!.type.shape;
  const want: Dim[] = [];
  for (const d of t.dims) {
    const v = d.kind === 'name' && isSymbolName(st, sc, d.name.text) ? ({ k: 'dim', v: sym(d.name.text) } as Value) : evaluate(st, sc, d);
    const dim = asDim(v);
    if (dim === undefined) return;
    want.push(dim);
  }
  const fmt = (s: readonly Dim[]) => `[${s.map(formatDim).join(', ')}]`;
  const mismatch = want.length !== actual.length || want.some((w, i) => compareDims(w, actual[i]!) === 'different');
  if (mismatch)
    st.report('E0405', `output '${declared.name.text || 'output'}' is declared ${fmt(want)} but the model computes ${fmt(actual)}`, st.span(sc.module, t.range));
}
