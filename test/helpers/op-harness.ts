/** Runs one op's shape rule directly (no parser): for per-op unit and property tests. */
import { bindAttrs } from '../../src/ops/attrs.js';
import { createOpContext } from '../../src/ops/context.js';
import { getOp } from '../../src/ops/registry.js';
import type { AttrValue, DType, OpResult } from '../../src/ops/types.js';
import { isFailure } from '../../src/ops/types.js';
import { type Dim, formatDim, sym } from '../../src/symbolic/dim.js';

export interface HarnessOut {
  result?: OpResult;
  /** Output shapes as numbers / formatted expressions. */
  shapes?: (number | string)[][];
  params: number;
  trainable: number;
  macs?: number | string;
  diagnostics: { code: string; message: string; hint?: string }[];
}

/** `shape` entries: numbers, or symbol names like 'N' / 'H'. */
export function runOp(name: string, shapes: (number | string)[][], positional: AttrValue[] = [], keywords: Record<string, AttrValue> = {}, dtype: DType = 'float32'): HarnessOut {
  const op = getOp(name);
  if (!op) throw new Error(`no op ${name}`);
  const bound = bindAttrs(op, positional, new Map(Object.entries(keywords)));
  const diagnostics: HarnessOut['diagnostics'] = bound.problems.map((p) => ({ code: p.code, message: p.message, ...(p.hint ? { hint: p.hint } : {}) }));
  if (bound.problems.length) return { diagnostics, params: 0, trainable: 0 };
  const inputs = shapes.map((s) => ({ shape: s.map((d): Dim => (typeof d === 'number' ? d : sym(d))), dtype }));
  const ctx = createOpContext(name, inputs, bound.attrs, new Set(bound.given.keys()), new Map(), {
    report: (code, message, opts) => diagnostics.push({ code, message, ...(opts.hint ? { hint: opts.hint } : {}) }),
  });
  const r = op.infer(ctx);
  if (isFailure(r)) return { diagnostics, params: 0, trainable: 0 };
  const count = (ps: readonly { shape: readonly number[]; trainable?: boolean }[], onlyTrainable: boolean) =>
    ps.filter((p) => !onlyTrainable || p.trainable !== false).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
  return {
    result: r,
    shapes: r.outputs.map((o) => o.shape.map((d) => (typeof d === 'number' ? d : formatDim(d)))),
    params: count(r.params ?? [], false),
    trainable: count(r.params ?? [], true),
    macs: typeof r.macs === 'number' ? r.macs : formatDim(r.macs),
    diagnostics,
  };
}
