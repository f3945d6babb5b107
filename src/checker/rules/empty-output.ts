/**
 * W0108: a layer makes a size that is at least 1 only for some sizes of the model's symbols (a 7×7
 * convolution without padding makes `H - 6` of `H`): smaller inputs fail there, as they would in PyTorch at
 * run time. For a size that is at least 1 from some size of its one symbol on (`H ≥ 7`), the warning comes once
 * per symbol, with the largest such bound and the layer that needs it (five stride-2 pools: `H ≥ 32`, not a
 * warning per pool); any other size in one symbol is reported at its layer, and the layers after it are not
 * looked at again. Sizes in several symbols are not judged (see below).
 */
import { diag } from '../../diagnostics/make.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import type { IrNode } from '../../semantics/ir.js';
import { type Dim, formatDim, sub, symbolName, symbolsOf } from '../../symbolic/dim.js';
import { lowerBoundKey } from '../../symbolic/facts.js';
import { holdsWhere, leastFrom } from '../../symbolic/one-symbol-order.js';
import { decideRelation, relationCondition } from '../../symbolic/order.js';
import type { Rule } from './rule.js';

export const emptyOutput: Rule = (g, report) => {
  // Per tensor: 0 not looked at (a layer before it was reported), 1 every size at least 1, 2 the same
  // assuming the bounds found so far (then only bounds are collected after it: nothing else is reported twice).
  const state = new Uint8Array(g.tensors.length);
  for (let i = 0; i < g.inputs.length; i++) state[g.inputs[i]!.tensor] = 1;
  // Per symbol, the largest bound a layer needs, and where; decisions after it assume it.
  const needs = new Map<string, { least: number; node: IrNode; dim: Dim; axis: number }>();
  let facts = g.facts;
  // Sizes (by key) shown to be at least 1: a graph has few distinct ones, repeated layer after layer (this
  // runs on every keystroke in the editor).
  const atLeastOne = new Set<string>();
  const others: Diagnostic[] = [];
  const nodes = g.nodes;
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k]!;
    // The inputs' weakest state: 0, else 2, else 1.
    let from = 1;
    for (let j = 0; j < n.inputs.length && from; j++) {
      const s = state[n.inputs[j]!]!;
      if (s !== 1) from = s;
    }
    if (!from) continue;
    outputs: for (let j = 0; j < n.outputs.length; j++) {
      const o = n.outputs[j]!;
      const shape = g.tensors[o]!.type.shape;
      let st = from;
      for (let a = 0; a < shape.length; a++) {
        const d = shape[a]!;
        // (Concrete sizes below 1 are errors of the layer's shape rule.)
        // (A bare symbol is a size: at least 1 by definition; most dims are one, checked without arithmetic.)
        if (typeof d === 'number' || symbolName(d) !== undefined || atLeastOne.has(d.key)) continue;
        if (decideRelation(d, '>=', 1, facts) === true) {
          atLeastOne.add(d.key);
          continue;
        }
        const syms = symbolsOf(d);
        // Sizes in several symbols are products and sums of sizes (a flatten, a concat) that no sign test
        // orders once expanded: left alone, as the sizes they are made of were checked.
        if (syms.size !== 1) continue;
        const symbol = [...syms][0]!;
        const least = leastFrom(holdsWhere(sub(d, 1), symbol, facts, '>='));
        if (least !== undefined) {
          const had = needs.get(symbol);
          if (!had || least > had.least) needs.set(symbol, { least, node: n, dim: d, axis: a });
          facts = new Map(facts).set(lowerBoundKey(symbol), least);
          st = 2;
          continue;
        }
        // Anything else (at least 1 for some residues only, say) is reported at its layer.
        if (from === 2) continue;
        const never = decideRelation(d, '>=', 1, facts) === false;
        const where = never ? undefined : relationCondition(d, '>=', 1, facts);
        const what = never ? 'less than 1 for every size of its symbols' : `at least 1 ${where ? where.replace(/^it holds /, '') : 'only for some sizes of its symbols'}`;
        others.push(diag('W0108', `${n.path}: output size ${formatDim(d)} (axis ${a}) is ${what}`, n.span, { hint: 'give sizes (`--input-shape`) or `where` constraints on the symbols, or pad the input' }));
        continue outputs;
      }
      state[o] = st;
    }
  }
  for (const [symbol, { least, node, dim, axis }] of needs)
    report(
      diag('W0108', `${symbol} must be at least ${least}: ${node.path} makes ${formatDim(dim)} (axis ${axis}), less than 1 below that`, node.span, {
        hint: `declare it (\`where ${symbol} >= ${least}\`), or pad the input`,
        bound: { symbol, least },
      }),
    );
  for (const d of others) report(d);
};
