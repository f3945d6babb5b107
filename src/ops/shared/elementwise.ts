/** Shared definition of unary elementwise ops (activations): same shape, no weights, no MACs. */
import { mul } from '../../symbolic/dim.js';
import type { AttrDef, OpDef, OpExample } from '../types.js';
import type { OnnxLowering } from '../onnx-types.js';
import type { TfjsLowering } from '../tfjs-types.js';
import { unary } from './tfjs.js';
import { prod } from './window.js';

export interface ActivationSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly doc: string;
  /** FLOPs per element (a documented estimate; e.g. relu 1, sigmoid 4). */
  readonly flopsPerElement: number;
  readonly attrs?: readonly AttrDef[];
  readonly examples?: readonly OpExample[];
  /** The ONNX lowering (`onnxOp` alone: one node of that type, no attributes). */
  readonly onnx?: OnnxLowering;
  readonly onnxOp?: string;
  /** The TensorFlow.js lowering (`tfjsOp` alone: one unary GraphDef node of that type, any layout). */
  readonly tfjs?: TfjsLowering;
  readonly tfjsOp?: string;
}

/** Builds an activation: output = input shape and dtype, MACs 0, FLOPs = elements × flopsPerElement. */
export function makeActivation(spec: ActivationSpec): OpDef {
  return {
    name: spec.name,
    aliases: spec.aliases ?? [],
    category: 'activation',
    doc: spec.doc,
    costDoc: `No MACs. FLOPs = ${spec.flopsPerElement} per element (estimate).`,
    inputs: [{ name: 'x' }],
    attrs: spec.attrs ?? [],
    infer(ctx) {
      const x = ctx.inputs[0]!;
      return { outputs: [x], macs: 0, flops: mul(prod(x.shape), spec.flopsPerElement), rf: { kind: 'identity' } };
    },
    examples: spec.examples ?? [{ inputs: [[2, 3, 4, 5]], call: spec.name, output: [2, 3, 4, 5], params: 0, macs: 0 }],
    ...(spec.onnx ? { onnx: spec.onnx } : spec.onnxOp ? { onnx: (ctx) => ctx.emit(spec.onnxOp!, ctx.inputs, ctx.outputs) } : {}),
    ...(spec.tfjs ? { tfjs: spec.tfjs } : spec.tfjsOp ? { tfjs: unary(spec.tfjsOp) } : {}),
  };
}
