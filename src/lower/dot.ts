/** `--emit dot`: Graphviz DOT with shapes on edges and params per node; blocks become clusters. */
import type { CheckedModel } from '../checker/analyze.js';
import { formatDim } from '../symbolic/dim.js';

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const fmtCount = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}K` : String(n));

export function toDot(m: CheckedModel): string {
  const g = m.graph;
  const lines = [`digraph ${q(g.name)} {`, '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
  for (const p of g.inputs) lines.push(`  ${q(`in:${p.name}`)} [label=${q(p.name)}, shape=oval, fillcolor="#dbeafe"];`);
  for (const p of g.outputs) lines.push(`  ${q(`out:${p.name}`)} [label=${q(p.name)}, shape=oval, fillcolor="#dcfce7"];`);
  // Clusters per block call, nested by path.
  const byCluster = new Map<string, string[]>();
  const layerOf = new Map(m.layers.map((l) => [l.node.id, l]));
  for (const n of g.nodes) {
    const l = layerOf.get(n.id)!;
    const params = l.params ? `\n${fmtCount(l.params)} params` : l.sharedWith ? '\nshared weights' : '';
    const decl = `${q(`n${n.id}`)} [label=${q(`${n.label}\n${n.op.name}${params}`)}${l.sharedWith ? ', fillcolor="#fef9c3"' : ''}];`;
    const key = n.blockPath.map((f) => f.label).join('.');
    if (!byCluster.has(key)) byCluster.set(key, []);
    byCluster.get(key)!.push(decl);
  }
  let c = 0;
  for (const [key, decls] of byCluster) {
    if (!key) {
      lines.push(...decls.map((d) => `  ${d}`));
      continue;
    }
    lines.push(`  subgraph ${q(`cluster_${c++}`)} {`, `    label=${q(key)}; style=dashed; color="#9ca3af";`, ...decls.map((d) => `    ${d}`), '  }');
  }
  const src = (t: number) => {
    const p = g.tensors[t]!.producer;
    return p === undefined ? `in:${g.inputs.find((i) => i.tensor === t)?.name}` : `n${p}`;
  };
  const shape = (t: number) => `[${g.tensors[t]!.type.shape.map(formatDim).join(', ')}]`;
  for (const n of g.nodes) for (const t of n.inputs) lines.push(`  ${q(src(t))} -> ${q(`n${n.id}`)} [label=${q(shape(t))}];`);
  for (const p of g.outputs) lines.push(`  ${q(src(p.tensor))} -> ${q(`out:${p.name}`)} [label=${q(shape(p.tensor))}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
