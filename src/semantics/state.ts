/** Mutable state of one model's elaboration, shared by the interpreter's parts. */
import { diag, type DiagExtra } from '../diagnostics/make.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import type { Range, Expr as AstExpr } from '../syntax/ast.js';
import { spanOf } from '../syntax/source.js';
import type { TensorType } from '../ops/types.js';
import type { Dim } from '../symbolic/dim.js';
import type { MemoRun } from './block-memo.js';
import type { BlockFrame, EmptyCall, IrNode, IrTensor } from './ir.js';
import type { Journal } from './journal.js';
import type { ModuleInfo, Program } from './modules.js';
import type { BlockRef, Instance, Value } from './values.js';

/** A function-level scope (if/for bodies share it, as in Python). */
export class Scope {
  constructor(
    readonly module: ModuleInfo,
    readonly vars: Map<string, Value> = new Map(),
  ) {}
}

/** An assertion that needs whole-model analysis (params, macs, rf…), evaluated by the checker. */
export interface DeferredAssert {
  readonly cond: AstExpr;
  readonly message?: string;
  readonly scope: Scope;
  readonly span: Span;
  readonly blockPath: readonly BlockFrame[];
}

/** Answers analysis questions for deferred assertions. */
export interface AnalysisProvider {
  total(name: string): Dim | undefined;
  rf(tensor: number): { size: number; jump: number; start: number }[] | undefined;
}

export class DeferSignal {}
export class AbortSignal {}

/**
 * Elaboration limits, so that hostile or mistaken programs stop with E0104 instead of hanging or
 * overflowing the stack: steps (statements, calls and loop iterations), layers, iterations of one loop
 * (`for` and `repeat` alike), items of a list or characters of a string, and nesting of block calls.
 */
export const LIMITS = { maxNodes: 2_000_000, maxSteps: 20_000_000, maxLoop: 1_000_000, maxItems: 1_000_000, maxBlockDepth: 200 } as const;

/** Block-call frames shown as notes of one diagnostic (innermost first); deeper ones are summarised. */
const MAX_FRAME_NOTES = 12;

/**
 * A diagnostic's extras with the block calls that led to it: an "in X (block) called here" note per frame, innermost
 * first, and the block path (the editor shows a problem of an imported block at the call in the user's file).
 */
export function withBlockCalls(frames: readonly BlockFrame[], extra: DiagExtra = {}): DiagExtra {
  const notes = [...(extra.notes ?? [])];
  for (let i = frames.length - 1; i >= 0; i--) {
    if (i === frames.length - MAX_FRAME_NOTES && i > 0) {
      notes.push({ message: `… ${i} more enclosing block call${i === 1 ? '' : 's'} (see the block path)` });
      break;
    }
    notes.push({ message: `in ${frames[i]!.label} (${frames[i]!.block}) called here`, span: frames[i]!.span });
  }
  return { ...extra, notes, blockPath: frames.map((f) => `${f.label}: ${f.block}`) };
}

export class State {
  // Not readonly: a resumed elaboration continues on copies of these (see Journal).
  diagnostics: Diagnostic[] = [];
  nodes: IrNode[] = [];
  tensors: IrTensor[] = [];
  /** See Graph.emptyCalls. */
  emptyCalls: EmptyCall[] = [];
  readonly symbols = new Map<string, Dim | undefined>();
  readonly facts = new Map<string, number>();
  readonly frames: BlockFrame[] = [];
  readonly activeBlocks: BlockRef[] = [];
  /** Replay of shared block instances: inner instances are re-used in creation order. */
  readonly replay: { inst: Instance; idx: number; replaying: boolean }[] = [];
  deferred: DeferredAssert[] = [];
  readonly labelsUsed: Map<string, Set<string>> = new Map();
  /** Per label prefix (block frame), the last number given to each automatic (or clashing) label base. */
  readonly opCounters = new Map<string, Map<string, number>>();
  readonly constCache = new Map<string, Value>();
  frozen = 0;
  /**
   * > 0 while evaluating an assertion's condition: only there may whole-model totals (`params`) and
   * receptive fields defer the evaluation to the checker. Constants reset it (they are evaluated once).
   */
  assertDepth = 0;
  /** Did-you-mean suggestions left: each costs a scan of every name in scope. */
  suggestions = 100;
  steps = 0;
  nextInstance = 1;
  nameHint: string | undefined;
  analysis: AnalysisProvider | undefined;
  /** Records changes so that the state can be rewound to an earlier statement (editor only). */
  journal: Journal | undefined;
  /**
   * While journaling: the names looked up in the root module's scope (past the local variables: blocks,
   * constants, imports, and ops or builtins a declaration could shadow), and `lookupsAll` once a did-you-mean
   * or an import hint looked at every name. What the model depends on besides its own text: the editor
   * elaborates it again only when a declaration of one of these names changes (src/service/incremental-check.ts).
   * A resumed run continues this state, so the statements it does not run again keep their names here.
   * (Not readonly: the block memo collects the names of an application it records apart.)
   */
  rootLookups = new Set<string>();
  lookupsAll = false;
  /** The block memo's bookkeeping (src/semantics/block-memo.ts), made at the first block application. */
  memo: MemoRun | undefined;
  /** The statement or call being executed (where an exhausted stack is reported). */
  atModule: ModuleInfo | undefined;
  atRange: Range | undefined;

  /** (Replaced when a resumed elaboration continues this state for a newer text.) */
  constructor(public program: Program) {}

  span(module: ModuleInfo, r: Range): Span {
    return spanOf(module.file, r.start, r.end);
  }

  /** Reports at a range of the given module, adding the block-call path when inside blocks. */
  report(code: DiagnosticCode, message: string, span: Span | undefined, extra: DiagExtra = {}): void {
    this.diagnostics.push(diag(code, message, span, withBlockCalls(this.frames, extra)));
  }

  /**
   * Counts steps (a statement, call or loop iteration is one; building a list or string costs one per
   * item, so that building lists in a loop stays bounded too); past the limits reports
   * E0104 at `r` and aborts.
   */
  tick(module: ModuleInfo, r: Range, cost = 1): void {
    this.atModule = module;
    this.atRange = r;
    if ((this.steps += cost) > LIMITS.maxSteps || this.nodes.length > LIMITS.maxNodes) {
      const what = this.nodes.length > LIMITS.maxNodes ? `${LIMITS.maxNodes} layers` : `${LIMITS.maxSteps} steps`;
      this.report('E0104', `elaboration exceeded its limit of ${what} here`, this.span(module, r), { hint: 'check loop bounds and repeat counts' });
      throw new AbortSignal();
    }
  }

  newTensor(type: TensorType, span: Span, producer?: number): number {
    const id = this.tensors.length;
    this.tensors.push({ id, type, producer, name: undefined, span });
    return id;
  }

  private frameCache: { frames: readonly BlockFrame[]; key: string } | undefined;

  /**
   * A shared copy of the current block frames and their label path: frames change only at block calls,
   * while every layer records them (copying per layer was a large share of elaboration's garbage).
   */
  frameInfo(): { readonly frames: readonly BlockFrame[]; readonly key: string } {
    const c = this.frameCache;
    const f = this.frames;
    if (c && c.frames.length === f.length) {
      let same = true;
      for (let i = 0; i < f.length && same; i++) same = c.frames[i] === f[i];
      if (same) return c;
    }
    return (this.frameCache = { frames: [...f], key: f.map((x) => x.label).join('.') });
  }

  /** A unique label within the current block frame. */
  uniqueLabel(base: string, auto: boolean): string {
    const key = this.frameInfo().key;
    const j = this.journal;
    // (Reads recorded: a label depends on the labels and counters before it, see Journal.reads.)
    j?.read(this.labelsUsed, key);
    j?.read(this.opCounters, key);
    let used = this.labelsUsed.get(key);
    if (!used) {
      j?.mapSet(this.labelsUsed, key);
      this.labelsUsed.set(key, (used = new Set()));
      j?.created(used);
      this.memo?.noteKey(key);
    }
    let counters = this.opCounters.get(key);
    if (!counters) {
      j?.mapSet(this.opCounters, key);
      this.opCounters.set(key, (counters = new Map()));
      j?.created(counters);
    }
    let label = base;
    if (auto) {
      j?.read(counters, base);
      let n = counters.get(base) ?? 0;
      do {
        label = `${base}_${++n}`;
        j?.read(used, label);
      } while (used.has(label));
      j?.mapSet(counters, base);
      counters.set(base, n);
    } else if ((j?.read(used, label), used.has(label))) {
      // Explicit names count from where the last clash stopped: a loop of 10k `name="x"` stays linear.
      const ck = `=${base}`;
      j?.read(counters, ck);
      let n = counters.get(ck) ?? 1;
      do {
        label = `${base}_${++n}`;
        j?.read(used, label);
      } while (used.has(label));
      j?.mapSet(counters, ck);
      counters.set(ck, n);
    }
    j?.setAdd(used, label);
    used.add(label);
    return label;
  }

  /**
   * Last resort when the JavaScript stack runs out despite the explicit limits (a combination of deep
   * block calls and deep expressions): true after reporting E0104, false for any other exception.
   */
  stackExhausted(e: unknown): boolean {
    if (!(e instanceof RangeError) || !/call stack/i.test(e.message)) return false;
    this.frames.length = 0;
    this.report('E0104', 'the program nests too deeply for the checker (call stack exhausted)', this.atModule && this.atRange ? this.span(this.atModule, this.atRange) : undefined, { hint: 'flatten nested block calls or long expressions' });
    return true;
  }

  path(label: string): string {
    const key = this.frameInfo().key;
    return key ? `${key}.${label}` : label;
  }
}
