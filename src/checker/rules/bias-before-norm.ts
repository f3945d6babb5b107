/** W0101: a bias directly before BatchNorm is cancelled by the mean subtraction. */
import { diag } from '../../diagnostics/make.js';
import { withBlockCalls } from '../../semantics/state.js';
import type { Rule } from './rule.js';

export const biasBeforeNorm: Rule = (g, report) => {
  // Consumers per tensor id (a typed array: this runs over every layer on every keystroke in the editor).
  const consumers = new Uint32Array(g.tensors.length);
  // (Indexed loops: cold, as in a first check, a for-of allocates an iterator per array.)
  const nodes = g.nodes;
  for (let k = 0; k < nodes.length; k++) {
    const ins = nodes[k]!.inputs;
    for (let j = 0; j < ins.length; j++) consumers[ins[j]!]!++;
  }
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k]!;
    if (!n.op.cancelsPrecedingBias) continue;
    const src = g.tensors[n.inputs[0]!]!.producer;
    if (src === undefined) continue;
    const prev = g.nodes[src]!;
    const bias = prev.params.find((p) => p.name === 'bias');
    if (!bias || consumers[n.inputs[0]!] !== 1 || prev.sharedWith !== undefined) continue;
    report(diag('W0101', `${prev.path}: its bias (${bias.shape.reduce((a, b) => a * b, 1)} parameters) is cancelled by the following ${n.op.name}`, prev.span, withBlockCalls(prev.blockPath, {
      hint: 'pass bias=false',
      notes: [{ message: `${n.op.name} here`, span: n.span }],
    })));
  }
};
