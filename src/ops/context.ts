/** A plain {@link OpContext} over callbacks: used by the elaborator and by op unit tests. */
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { type Dim, type DimFacts, compareDims, formatDim, isSymbolic } from '../symbolic/dim.js';
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
  const ctx: OpContext = {
    inputs,
    attrs,
    facts,
    label,
    given: (a) => given.has(a),
    fail(code, message, opts = {}): OpFailure {
      host.report(code, message, opts);
      return { failed: true };
    },
    warn(code, message, opts = {}) {
      host.report(code, message, opts);
    },
    unify(a, b, what) {
      const c = compareDims(a, b);
      if (c === 'equal') return true;
      if (c === 'different') {
        host.report('E0402', `${label}: ${what}: ${formatDim(a)} ≠ ${formatDim(b)}`, {});
        return false;
      }
      if (host.unify) return host.unify(a, b, what, label);
      host.report('W0105', `${label}: ${what}: assuming ${formatDim(a)} == ${formatDim(b)}`, {});
      return true;
    },
    concrete(d: Dim, what: string) {
      if (!isSymbolic(d)) return d;
      host.report('E0409', `${label}: ${what} is ${formatDim(d)}, but weights need a concrete size`, { hint: 'give that axis a fixed size in the model input' });
      return undefined;
    },
  };
  return ctx;
}
