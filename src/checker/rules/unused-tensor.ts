/** W0104: a layer's output is neither used nor returned (dead code, often a forgotten residual). */
import { diag } from '../../diagnostics/make.js';
import type { Rule } from './rule.js';

export const unusedTensor: Rule = (g, report) => {
  // Indexed by tensor id (a typed array: this runs over every layer on every keystroke in the editor).
  const used = new Uint8Array(g.tensors.length);
  for (const o of g.outputs) used[o.tensor] = 1;
  for (const n of g.nodes) for (const i of n.inputs) used[i] = 1;
  for (const n of g.nodes) {
    let anyUsed = false;
    for (const o of n.outputs) if (used[o]) anyUsed = true;
    if (n.outputs.length && !anyUsed) {
      const name = g.tensors[n.outputs[0]!]!.name;
      report(diag('W0104', `${name ? `'${name}'` : `the output of ${n.path}`} is computed but never used`, n.span, { hint: 'return it, use it, or remove the layer' }));
    }
  }
  for (const p of g.inputs) if (!used[p.tensor]) report(diag('W0104', `model input '${p.name}' is never used`, p.span));
};
