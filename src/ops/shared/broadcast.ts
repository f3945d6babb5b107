/** NumPy broadcasting shared by the binary elementwise ops (add, mul, …). */
import { type Dim, compareDims, formatDim, isSymbolic, mul } from '../../symbolic/dim.js';
import type { OpContext, OpDef, OpExample, TensorType } from '../types.js';
import { prod } from './window.js';
import type { TfLayout } from '../tfjs-types.js';

const fmtShape = (s: readonly Dim[]) => `[${s.map(formatDim).join(', ')}]`;

/** The broadcast shape of all inputs, or undefined after reporting E0402. */
export function broadcastShapes(ctx: OpContext, inputs: readonly TensorType[]): Dim[] | undefined {
  const rank = Math.max(...inputs.map((t) => t.shape.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let acc: Dim = 1;
    for (const t of inputs) {
      const d = t.shape[t.shape.length - rank + i] ?? 1;
      if (d === 1) continue;
      if (acc === 1) {
        acc = d;
        continue;
      }
      const c = compareDims(acc, d);
      if (c === 'different') {
        ctx.fail('E0402', `${ctx.label}: shapes ${inputs.map((t) => fmtShape(t.shape)).join(' and ')} do not broadcast (axis ${i - rank}: ${formatDim(acc)} vs ${formatDim(d)})`, {
          hint: 'NumPy broadcasting: trailing axes must be equal or 1; project one branch (e.g. a 1×1 conv) to match',
        });
        return undefined;
      }
      if (c === 'unknown' && !ctx.unify(acc, d, `axis ${i - rank}`)) return undefined;
      if (isSymbolic(acc) && !isSymbolic(d)) acc = d;
    }
    out.push(acc);
  }
  return out;
}

/**
 * Builds a variadic broadcasting elementwise op (add, mul, …), folded left: `sub(a, b, c)` is `(a − b) − c`. `floatOnly`: integer
 * inputs are refused (E0408), where ONNX and PyTorch differ on them (ONNX Div truncates, torch.div divides exactly).
 */
export function makeBinary(name: string, onnxOp: string, tfjsOp: string, doc: string, aliases: string[] = [], examples: OpExample[] = [], floatOnly = false): OpDef {
  return {
    name,
    aliases,
    category: 'merge',
    doc,
    costDoc: 'No MACs. FLOPs = output elements × (inputs − 1).',
    inputs: [{ name: 'inputs', variadic: true, min: 2 }],
    attrs: [],
    infer(ctx) {
      const shape = broadcastShapes(ctx, ctx.inputs);
      if (!shape) return { failed: true };
      const dtype = ctx.inputs[0]!.dtype;
      // As concat: one element type (the output's was silently the first input's; ONNX takes one type too).
      const other = ctx.inputs.find((t) => t.dtype !== dtype);
      if (other) return ctx.fail('E0408', `${ctx.label}: inputs have different dtypes (${dtype} and ${other.dtype})`, { hint: 'declare the model inputs with one dtype' });
      if (floatOnly && !/float/.test(dtype)) return ctx.fail('E0408', `${ctx.label}: ${dtype} inputs are not accepted (ONNX ${onnxOp} truncates integers, PyTorch divides exactly)`, { hint: 'declare the inputs as floats' });
      return { outputs: [{ shape, dtype }], macs: 0, flops: mul(prod(shape), ctx.inputs.length - 1), rf: { kind: 'merge' } };
    },
    onnx(ctx) {
      // Binary ONNX op folded left over 2+ inputs (Sum/Mul are variadic but Add/Mul read better in viewers).
      let acc = ctx.inputs[0]!;
      ctx.inputs.slice(1).forEach((x, i) => {
        const out = i === ctx.inputs.length - 2 ? ctx.outputs[0]! : ctx.temp(`${onnxOp}${i}`);
        ctx.emit(onnxOp, [acc, x], [out]);
        acc = out;
      });
    },
    tfjs(ctx) {
      // Channels-last when all inputs have one rank ≥ 3 and one is held channels-last (residual adds of conv
      // outputs); broadcasting across ranks aligns axes from the right, so it is done in dslc's order.
      const ranks = ctx.inputTypes.map((t) => t.shape.length);
      const layout: TfLayout = ranks.every((r) => r === ranks[0] && r >= 3) && ctx.inputTypes.some((_, i) => ctx.layout(i) === 'nhwc') ? 'nhwc' : 'nchw';
      let acc = ctx.input(0, layout);
      for (let i = 1; i < ranks.length; i++) acc = ctx.node(tfjsOp, [acc, ctx.input(i, layout)]);
      ctx.output(0, acc, layout);
    },
    examples: [
      { inputs: [[1, 64, 56, 56], [1, 64, 56, 56]], call: `${name}(x1)`, output: [1, 64, 56, 56], params: 0, macs: 0 },
      { inputs: [[2, 3, 4, 5], [5]], call: `${name}(x1)`, output: [2, 3, 4, 5] },
      ...examples,
    ],
  };
}
