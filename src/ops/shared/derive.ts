/**
 * Reusing one op's rule inside another (depthwise and separable convolution run conv2d's rule): a
 * context that sees other inputs or extra attributes but reports through the caller's context, so
 * diagnostics keep the caller's label and sink.
 */
import type { OnnxLowerContext } from '../onnx-types.js';
import type { AttrValue, OpContext, TensorType } from '../types.js';

export interface Overrides {
  readonly inputs?: readonly TensorType[];
  readonly attrs?: Readonly<Record<string, AttrValue>>;
  /** The `label` a shared rule puts into its own messages (the context's own messages keep the layer's). */
  readonly label?: string;
}

/** `ctx` with some inputs/attributes replaced; everything else (fail, warn, facts, label) is delegated. */
export function derive(ctx: OpContext, o: Overrides): OpContext {
  const props: PropertyDescriptorMap = {};
  if (o.label !== undefined) props.label = { value: o.label, enumerable: true };
  if (o.inputs) props.inputs = { value: o.inputs, enumerable: true };
  if (o.attrs) props.attrs = { value: { ...ctx.attrs, ...o.attrs }, enumerable: true };
  return Object.create(ctx, props) as OpContext;
}

/** What a derived ONNX lowering context replaces; `params` renames parameters (`weight` → `depthwise_weight`). */
export interface OnnxOverrides {
  readonly attrs?: Readonly<Record<string, AttrValue>>;
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  readonly inputTypes?: readonly TensorType[];
  readonly outputTypes?: readonly TensorType[];
  readonly params?: Readonly<Record<string, string>>;
}

/**
 * `ctx` with some attributes, values, types or parameter names replaced, to run another op's ONNX
 * lowering for part of this one (separable conv = two convs). Emitting, constants and diagnostics are
 * delegated, so nodes keep this layer's names and source location.
 */
export function deriveOnnx(ctx: OnnxLowerContext, o: OnnxOverrides): OnnxLowerContext {
  const props: PropertyDescriptorMap = {};
  if (o.attrs) props.attrs = { value: { ...ctx.attrs, ...o.attrs }, enumerable: true };
  for (const k of ['inputs', 'outputs', 'inputTypes', 'outputTypes'] as const) if (o[k]) props[k] = { value: o[k], enumerable: true };
  const rename = o.params;
  if (rename) {
    const to = (name: string) => rename[name] ?? name;
    props.param = { value: (name: string) => ctx.param(to(name)), enumerable: true };
    props.derived = {
      value: ((hint, dims, compute, unpack) =>
        ctx.derived(hint, dims, (p) => compute((name) => p(to(name))), (t, put) => unpack(t, (name, v, at) => put(to(name), v, at)))) satisfies OnnxLowerContext['derived'],
      enumerable: true,
    };
  }
  return Object.create(ctx, props) as OnnxLowerContext;
}
