/** Mutable state of one model's elaboration, shared by the interpreter's parts. */
import { diag, type DiagExtra } from '../diagnostics/make.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import type { Range, Expr as AstExpr } from '../syntax/ast.js';
import { spanOf } from '../syntax/source.js';
import type { TensorType } from '../ops/types.js';
import type { Dim } from '../symbolic/dim.js';
import type { BlockFrame, IrNode, IrTensor } from './ir.js';
import type { ModuleInfo, Program } from './modules.js';
import type { BlockRef, Instance, Value } from './values.js';

/** A function-level scope (if/for bodies share it, as in Python). */
export class Scope {
  readonly vars = new Map<string, Value>();
  constructor(readonly module: ModuleInfo) {}
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

export class ReturnSignal {
  constructor(readonly value: Value) {}
}
export class DeferSignal {}
export class AbortSignal {}

export const LIMITS = { maxNodes: 2_000_000, maxSteps: 20_000_000, maxLoop: 1_000_000 } as const;

export class State {
  readonly diagnostics: Diagnostic[] = [];
  readonly nodes: IrNode[] = [];
  readonly tensors: IrTensor[] = [];
  readonly symbols = new Map<string, Dim | undefined>();
  readonly facts = new Map<string, number>();
  readonly frames: BlockFrame[] = [];
  readonly activeBlocks: BlockRef[] = [];
  /** Replay of shared block instances: inner instances are re-used in creation order. */
  readonly replay: { inst: Instance; idx: number; replaying: boolean }[] = [];
  readonly deferred: DeferredAssert[] = [];
  readonly labelsUsed: Map<string, Set<string>> = new Map();
  readonly opCounters = new Map<string, number>();
  readonly constCache = new Map<string, Value>();
  frozen = 0;
  steps = 0;
  nextInstance = 1;
  nameHint: string | undefined;
  analysis: AnalysisProvider | undefined;

  constructor(readonly program: Program) {}

  span(module: ModuleInfo, r: Range): Span {
    return spanOf(module.file, r.start, r.end);
  }

  /** Reports at a range of the given module, adding the block-call path when inside blocks. */
  report(code: DiagnosticCode, message: string, span: Span | undefined, extra: DiagExtra = {}): void {
    const frames = this.frames;
    const notes = [...(extra.notes ?? [])];
    if (frames.length) {
      for (let i = frames.length - 1; i >= 0; i--) notes.push({ message: `in ${frames[i]!.label} (${frames[i]!.block}) called here`, span: frames[i]!.span });
    }
    this.diagnostics.push(diag(code, message, span, { ...extra, notes, blockPath: frames.map((f) => `${f.label}: ${f.block}`) }));
  }

  tick(): void {
    if (++this.steps > LIMITS.maxSteps || this.nodes.length > LIMITS.maxNodes) {
      this.report('E0104', `elaboration exceeded its limits (${LIMITS.maxSteps} steps or ${LIMITS.maxNodes} layers)`, undefined, { hint: 'check loop bounds' });
      throw new AbortSignal();
    }
  }

  newTensor(type: TensorType, span: Span, producer?: number): number {
    const id = this.tensors.length;
    this.tensors.push({ id, type, span, ...(producer !== undefined ? { producer } : {}) });
    return id;
  }

  /** A unique label within the current block frame. */
  uniqueLabel(base: string, auto: boolean): string {
    const key = this.frames.map((f) => f.label).join('.');
    let used = this.labelsUsed.get(key);
    if (!used) this.labelsUsed.set(key, (used = new Set()));
    let label = base;
    if (auto) {
      const ck = `${key}|${base}`;
      let n = this.opCounters.get(ck) ?? 0;
      do label = `${base}_${++n}`;
      while (used.has(label));
      this.opCounters.set(ck, n);
    } else {
      let n = 1;
      while (used.has(label)) label = `${base}_${++n}`;
    }
    used.add(label);
    return label;
  }

  path(label: string): string {
    return [...this.frames.map((f) => f.label), label].join('.');
  }
}
