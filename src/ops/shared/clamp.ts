/** Shared definition of the clamping activations (`hardtanh` with bounds −1 and 1, `clamp` with either bound optional). */
import { mul } from '../../symbolic/dim.js';
import type { AttrDef, OpDef, OpExample } from '../types.js';
import { onnxScalar } from './axes.js';
import { elementwise, scalar } from './tfjs.js';
import { prod } from './window.js';

export interface ClampSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly doc: string;
  /** The lower and upper bound attributes (default null: that side is open). */
  readonly lo: AttrDef;
  readonly hi: AttrDef;
  readonly examples: readonly OpExample[];
}

/** Builds a clamp to [lo, hi]: same shape, one compare per element and bound, ONNX Clip, TF.js ClipByValue / Maximum / Minimum. */
export function makeClamp(spec: ClampSpec): OpDef {
  const bounds = (attrs: Readonly<Record<string, unknown>>) => [attrs[spec.lo.name] as number | null, attrs[spec.hi.name] as number | null] as const;
  return {
    name: spec.name,
    aliases: spec.aliases,
    category: 'activation',
    doc: spec.doc,
    costDoc: 'No MACs. FLOPs = 1 per element and bound given (a compare each).',
    inputs: [{ name: 'x' }],
    attrs: [spec.lo, spec.hi],
    infer(ctx) {
      const x = ctx.inputs[0]!;
      const [lo, hi] = bounds(ctx.attrs);
      if (lo === null && hi === null) return ctx.fail('E0301', `${ctx.label}: give ${spec.lo.name}, ${spec.hi.name} or both`, { hint: `e.g. ${spec.name}(${spec.lo.name}=0)` });
      if (lo !== null && hi !== null && lo > hi) return ctx.fail('E0301', `${ctx.label}: ${spec.lo.name}=${lo} is above ${spec.hi.name}=${hi}`, { attr: spec.lo.name });
      return { outputs: [x], macs: 0, flops: mul(prod(x.shape), (lo === null ? 0 : 1) + (hi === null ? 0 : 1)), rf: { kind: 'identity' } };
    },
    onnx(ctx) {
      // Clip's bounds are optional scalar inputs (opset ≥ 11); an empty name leaves one out.
      const [lo, hi] = bounds(ctx.attrs);
      const ins = [ctx.inputs[0]!, lo === null ? '' : onnxScalar(ctx, 'min', lo), ...(hi === null ? [] : [onnxScalar(ctx, 'max', hi)])];
      ctx.emit('Clip', ins, ctx.outputs);
    },
    tfjs(ctx) {
      const [lo, hi] = bounds(ctx.attrs);
      elementwise(ctx, (x) => {
        if (lo !== null && hi !== null) return ctx.node('ClipByValue', [x, scalar(ctx, 'min', lo), scalar(ctx, 'max', hi)]);
        return lo !== null ? ctx.node('Maximum', [x, scalar(ctx, 'min', lo)]) : ctx.node('Minimum', [x, scalar(ctx, 'max', hi!)]);
      });
    },
    examples: spec.examples,
  };
}
