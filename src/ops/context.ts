/** A plain {@link OpContext} over callbacks: used by the elaborator and by op unit tests. */
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { type Dim, type DimFacts, compareDims, equalityCondition, formatDim, isSymbolic } from '../symbolic/dim.js';
import type { AttrValue, DiagOptions, OpContext, OpFailure, TensorType } from './types.js';

export interface OpContextHost {
  report(code: DiagnosticCode, message: string, opts: DiagOptions): void;
  /** Symbolic unification (binding symbols); returns false after reporting a conflict. */
  unify?(a: Dim, b: Dim, what: string, label: string): boolean;
}

export function createOpContext(
  label: string,
  inputs: readonly TensorType[],
  attrs: Readonly<Record<string, AttrValue>>,
  given: { has(name: string): boolean },
  facts: DimFacts,
  host: OpContextHost,
): OpContext {
  return new PlainOpContext(label, inputs, attrs, given, facts, host);
}

/** One object per layer with prototype methods (closures per layer were a visible share of elaboration's garbage). */
class PlainOpContext implements OpContext {
  /** The label of the layer (messages keep it in contexts derived with another `label`). */
  private readonly who: string;

  constructor(
    readonly label: string,
    readonly inputs: readonly TensorType[],
    readonly attrs: Readonly<Record<string, AttrValue>>,
    private readonly givenSet: { has(name: string): boolean },
    readonly facts: DimFacts,
    private readonly host: OpContextHost,
  ) {
    this.who = label;
  }

  given(a: string): boolean {
    return this.givenSet.has(a);
  }

  fail(code: DiagnosticCode, message: string, opts: DiagOptions = {}): OpFailure {
    this.host.report(code, message, opts);
    return { failed: true };
  }

  warn(code: DiagnosticCode, message: string, opts: DiagOptions = {}): void {
    this.host.report(code, message, opts);
  }

  unify(a: Dim, b: Dim, what: string): boolean {
    const c = compareDims(a, b, this.facts);
    if (c === 'equal') return true;
    if (c === 'different') {
      this.host.report('E0402', `${this.who}: ${what}: ${formatDim(a)} ≠ ${formatDim(b)}`, {});
      return false;
    }
    if (this.host.unify) return this.host.unify(a, b, what, this.who);
    const cond = equalityCondition(a, b, this.facts);
    this.host.report('W0105', `${this.who}: ${what}: assuming ${formatDim(a)} == ${formatDim(b)}${cond ? ` (${cond})` : ''}`, {});
    return true;
  }

  concrete(d: Dim, what: string): number | undefined {
    if (!isSymbolic(d)) return d;
    this.host.report('E0409', `${this.who}: ${what} is ${formatDim(d)}, but weights need a concrete size`, { hint: 'give that axis a fixed size in the model input' });
    return undefined;
  }
}
