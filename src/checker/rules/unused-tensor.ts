/** W0104: a layer's output is neither used nor returned (dead code, often a forgotten residual). */
import { diag } from '../../diagnostics/make.js';
import type { Rule } from './rule.js';

export const unusedTensor: Rule = (g, report) => {
  // Indexed by tensor id (a typed array: this runs over every layer on every keystroke in the editor).
  const used = new Uint8Array(g.tensors.length);
  for (const o of g.outputs) used[o.tensor] = 1;
  // (Indexed loops: cold, as in a first check, a for-of allocates an iterator per array.)
  const nodes = g.nodes;
  for (let k = 0; k < nodes.length; k++) {
    const ins = nodes[k]!.inputs;
    for (let j = 0; j < ins.length; j++) used[ins[j]!] = 1;
  }
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k]!;
    let anyUsed = false;
    for (let j = 0; j < n.outputs.length; j++) if (used[n.outputs[j]!]) anyUsed = true;
    if (n.outputs.length && !anyUsed) {
      const name = g.tensors[n.outputs[0]!]!.name;
      // Inside a block call: reported at the model's call (where the output is dropped, or which built the
      // dead layer), with the layer itself as a note; a block from the standard library or another file
      // is not where the user looks.
      const call = n.blockPath[0];
      report(diag('W0104', `${name ? `'${name}'` : `the output of ${n.path}`} is computed but never used`, call ? call.span : n.span, {
        hint: 'return it, use it, or remove the layer',
        ...(call ? { notes: [{ message: `${n.path} (${n.op.name}) makes it, inside block ${n.blockPath[n.blockPath.length - 1]!.block}`, span: n.span }] } : {}),
      }));
    }
  }
  for (let i = 0; i < g.inputs.length; i++) {
    const p = g.inputs[i]!;
    if (!used[p.tensor]) report(diag('W0104', `model input '${p.name}' is never used`, p.span));
  }
};
