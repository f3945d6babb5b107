/**
 * Activations built on {@link makeActivation}, with the FLOP breakdown spelled out. Convention: every elementary operation counts 1 FLOP,
 * including `exp`, `log`, `tanh`, `erf` and divisions (an honest lower bound; a transcendental costs more instructions in practice).
 */
import { mul } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { type ActivationSpec, makeActivation } from './elementwise.js';
import { intAttr, normAxis } from './axes.js';
import { prod } from './window.js';

/** `makeActivation` with a cost note: which operations the per-element FLOP count is made of. */
export function activation(spec: ActivationSpec & { readonly breakdown: string }): OpDef {
  const base = makeActivation(spec);
  return { ...base, costDoc: `No MACs. FLOPs = ${spec.flopsPerElement} per element: ${spec.breakdown} (exp, tanh, erf count 1 FLOP each).` };
}

/**
 * A normalisation along one axis (softmax, log_softmax): same shape, `axis` checked against the rank (E0303). RF: identity when the axis is
 * the batch or channel axis, `mix` when it is a spatial axis (axes 2.. of NCHW: every output sees that whole axis; the grid stays).
 */
export function axisActivation(spec: ActivationSpec & { readonly breakdown: string }): OpDef {
  const base = activation(spec);
  return {
    ...base,
    infer(ctx) {
      const x = ctx.inputs[0]!;
      const ax = intAttr(ctx, 'axis');
      if (ax === undefined) return { failed: true };
      const a = normAxis(ctx, 'axis', ax, x.shape.length);
      if (a === undefined) return { failed: true };
      return { outputs: [x], macs: 0, flops: mul(prod(x.shape), spec.flopsPerElement), rf: a >= 2 ? { kind: 'mix', axes: x.shape.slice(2).map((_, i) => i === a - 2) } : { kind: 'identity' } };
    },
  };
}
