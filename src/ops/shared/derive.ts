/**
 * Reusing one op's rule inside another (depthwise and separable convolution run conv2d's rule): a
 * context that sees other inputs or extra attributes but reports through the caller's context, so
 * diagnostics keep the caller's label and sink.
 */
import type { AttrValue, OpContext, TensorType } from '../types.js';

export interface Overrides {
  readonly inputs?: readonly TensorType[];
  readonly attrs?: Readonly<Record<string, AttrValue>>;
}

/** `ctx` with some inputs/attributes replaced; everything else (fail, warn, facts, label) is delegated. */
export function derive(ctx: OpContext, o: Overrides): OpContext {
  const props: PropertyDescriptorMap = {};
  if (o.inputs) props.inputs = { value: o.inputs, enumerable: true };
  if (o.attrs) props.attrs = { value: { ...ctx.attrs, ...o.attrs }, enumerable: true };
  return Object.create(ctx, props) as OpContext;
}
