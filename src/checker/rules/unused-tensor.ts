/** W0104: a layer's output is neither used nor returned (dead code, often a forgotten residual). */
import { diag } from '../../diagnostics/make.js';
import type { Rule } from './rule.js';

export const unusedTensor: Rule = (g, report) => {
  const used = new Set<number>(g.outputs.map((o) => o.tensor));
  for (const n of g.nodes) for (const i of n.inputs) used.add(i);
  for (const n of g.nodes) {
    if (n.outputs.length && n.outputs.every((o) => !used.has(o))) {
      const name = g.tensors[n.outputs[0]!]!.name;
      report(diag('W0104', `${name ? `'${name}'` : `the output of ${n.path}`} is computed but never used`, n.span, { hint: 'return it, use it, or remove the layer' }));
    }
  }
  for (const p of g.inputs) if (!used.has(p.tensor)) report(diag('W0104', `model input '${p.name}' is never used`, p.span));
};
