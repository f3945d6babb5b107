/** `reshape`: `torch.reshape` / `Tensor.view`. */
import { type Dim, compareDims, exactDiv, formatDim, isSymbolic } from '../../symbolic/dim.js';
import type { OpDef } from '../types.js';
import { fmtShape } from '../shared/axes.js';
import { prod } from '../shared/window.js';
import { reshape } from '../shared/tfjs.js';

export const op: OpDef = {
  name: 'reshape',
  aliases: ['view'],
  category: 'shape',
  doc:
    'Gives the tensor a new shape with the same number of elements (`torch.reshape`, `Tensor.view`). The target is the full shape, batch axis ' +
    'included: `reshape([N, -1])` on `[N, C, H, W]` gives `[N, C*H*W]`. Sizes may be symbolic; one entry may be `-1`, inferred from the element ' +
    'count (the division must be provably exact). `0` is not accepted (ONNX Reshape reads it as "copy this input axis"; write the size or ' +
    'the symbol instead). The receptive field is not tracked through a reshape.',
  costDoc: 'No MACs, no FLOPs (a view).',
  inputs: [{ name: 'x', carriesValues: true }],
  attrs: [{ name: 'shape', type: 'int_list', doc: 'Target shape including the batch axis; positive sizes (ints or symbolic dims) and at most one -1.', aliases: ['size', 'target_shape'] }],
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const target = ctx.attrs.shape as Dim[];
    let free = -1;
    for (let i = 0; i < target.length; i++) {
      const d = target[i]!;
      if (isSymbolic(d)) continue;
      if (d === -1) {
        if (free >= 0) return ctx.fail('E0301', `${ctx.label}: shape ${fmtShape(target)} has more than one -1 (axes ${free} and ${i})`, { attr: 'shape', hint: 'only one size can be inferred; write the others explicitly' });
        free = i;
      } else if (d === 0) {
        return ctx.fail('E0301', `${ctx.label}: shape ${fmtShape(target)} has a 0 at axis ${i}`, { attr: 'shape', hint: `dslc does not support ONNX's "0 copies the input axis"; write the size (${formatDim(x.shape[i] ?? 0)}) instead` });
      } else if (d < 0) {
        return ctx.fail('E0301', `${ctx.label}: shape ${fmtShape(target)} has a negative size ${d} at axis ${i}`, { attr: 'shape', hint: 'sizes must be positive; -1 means "infer this one"' });
      }
    }
    const inCount = prod(x.shape);
    const known = prod(target.filter((_, i) => i !== free));
    let shape: Dim[];
    if (free >= 0) {
      const q = exactDiv(inCount, known, ctx.facts);
      if (q === undefined || (!isSymbolic(q) && q < 1)) {
        const concrete = !isSymbolic(inCount) && !isSymbolic(known);
        return ctx.fail(
          'E0404',
          concrete
            ? `${ctx.label}: cannot reshape ${fmtShape(x.shape)} (${formatDim(inCount)} elements) to ${fmtShape(target)}: ${formatDim(inCount)} is not divisible by ${formatDim(known)} (the product of the other sizes)`
            : `${ctx.label}: cannot reshape ${fmtShape(x.shape)} (${formatDim(inCount)} elements) to ${fmtShape(target)}: cannot show that ${formatDim(inCount)} is divisible by ${formatDim(known)}`,
          { attr: 'shape', hint: concrete ? 'check the target sizes' : 'add a `where` constraint on the symbol (e.g. H % 8 == 0) or give concrete sizes' },
        );
      }
      shape = target.map((d, i) => (i === free ? q : d));
    } else {
      shape = [...target];
      const c = compareDims(inCount, known);
      if (c === 'different')
        return ctx.fail('E0404', `${ctx.label}: cannot reshape ${fmtShape(x.shape)} (${formatDim(inCount)} elements) to ${fmtShape(target)} (${formatDim(known)} elements)`, {
          attr: 'shape',
          hint: 'the element counts must be equal; use -1 for one size to infer it',
        });
      if (c === 'unknown' && !ctx.unify(inCount, known, 'element count of input vs reshape target')) return { failed: true };
    }
    return { outputs: [{ shape, dtype: x.dtype }], macs: 0, flops: 0, rf: { kind: 'none' } };
  },
  onnx(ctx) {
    // The checked output shape (batch already fixed when the export fixes it) rather than the attribute: it has -1 resolved.
    const inShape = ctx.inputTypes[0]!.shape;
    const out = ctx.outputTypes[0]!.shape;
    const target: (number | { axis: number })[] = [];
    let free = -1;
    for (let i = 0; i < out.length; i++) {
      const d = out[i]!;
      if (!isSymbolic(d)) target.push(d);
      // ONNX's 0 copies the input axis at the same position: exact only when that axis is this very size.
      else if (i < inShape.length && compareDims(inShape[i]!, d) === 'equal') target.push(0);
      else {
        const j = inShape.findIndex((s) => compareDims(s, d) === 'equal');
        if (j >= 0) target.push({ axis: j });
        else if (free < 0) target.push((free = i, -1));
        else return ctx.unsupported(`reshape to ${fmtShape(out)} has two sizes (${formatDim(out[free]!)} and ${formatDim(d)}) that are not sizes of the input ${fmtShape(inShape)}`);
      }
    }
    if (target.every((t) => typeof t === 'number')) return ctx.emit('Reshape', [ctx.inputs[0]!, ctx.int64s('shape', target)], ctx.outputs);
    // A size that is another axis of the input: read it from the input's shape at run time.
    const shape = ctx.temp('shape');
    ctx.emit('Shape', [ctx.inputs[0]!], [shape]);
    const parts: string[] = [];
    let run: number[] = [];
    const flush = () => run.length && (parts.push(ctx.int64s('dims', run)), (run = []));
    for (const t of target) {
      if (typeof t === 'number') run.push(t);
      else {
        flush();
        const g = ctx.temp(`dim${t.axis}`);
        ctx.emit('Gather', [shape, ctx.int64s('index', [t.axis])], [g], { axis: 0 });
        parts.push(g);
      }
    }
    flush();
    const full = ctx.temp('target');
    ctx.emit('Concat', parts, [full], { axis: 0 });
    ctx.emit('Reshape', [ctx.inputs[0]!, full], ctx.outputs);
  },
  tfjs: (ctx) => ctx.output(0, reshape(ctx, ctx.input(0, 'nchw'), ctx.outputTypes[0]!.shape), 'nchw'),
  examples: [
    { inputs: [[2, 64, 7, 7]], call: 'reshape([2, -1])', output: [2, 3136], params: 0, macs: 0 },
    { inputs: [[1, 3136]], call: 'view([1, 64, 7, 7])', output: [1, 64, 7, 7] },
    { inputs: [[4, 10, 512]], call: 'reshape([4, 10, 8, 64])', output: [4, 10, 8, 64] },
  ],
};
