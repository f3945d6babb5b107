/**
 * `--emit json`: the checked graph as plain data (schema/graph.schema.json): tensors with shapes, nodes
 * with resolved attributes, parameters, costs, receptive fields and source locations.
 */
import type { CheckedModel } from '../checker/analyze.js';
import { rfJson } from '../checker/summary.js';
import type { AttrValue } from '../ops/types.js';
import { type Dim, dimToJson, isSymbolic } from '../symbolic/dim.js';

type JsonAttr = number | boolean | string | null | JsonAttr[];
const attrJson = (v: AttrValue): JsonAttr => (Array.isArray(v) ? v.map(attrJson) : v !== null && typeof v === 'object' ? dimToJson(v as Dim) : (v as JsonAttr));
const loc = (s: { file: string; line: number; col: number }, rel: (p: string) => string) => ({ file: rel(s.file), line: s.line, col: s.col });

export function graphJson(m: CheckedModel, rel: (p: string) => string = (p) => p): unknown {
  const g = m.graph;
  const t = m.totals;
  return {
    schemaVersion: 1,
    model: g.name,
    inputs: g.inputs.map((p) => ({ name: p.name, tensor: p.tensor })),
    outputs: g.outputs.map((p) => ({ name: p.name, tensor: p.tensor })),
    tensors: g.tensors.map((x) => ({
      id: x.id,
      ...(x.name ? { name: x.name } : {}),
      shape: x.type.shape.map(dimToJson),
      dtype: x.type.dtype,
      ...(x.producer !== undefined ? { producer: x.producer } : {}),
      ...(rfJson(m.rf[x.id]) ? { rf: rfJson(m.rf[x.id]) } : {}),
    })),
    nodes: g.nodes.map((n) => ({
      id: n.id,
      path: n.path,
      op: n.op.name,
      inputs: n.inputs,
      outputs: n.outputs,
      attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, attrJson(v)])),
      params: n.params.map((p) => ({ name: p.name, shape: p.shape, trainable: p.trainable })),
      ...(n.sharedWith !== undefined ? { sharedWith: n.sharedWith } : {}),
      macs: dimToJson(n.macs),
      flops: dimToJson(n.flops),
      source: loc(n.span, rel),
      blocks: n.blockPath.map((f) => ({ block: f.block, label: f.label, call: loc(f.span, rel) })),
    })),
    symbols: Object.fromEntries([...g.symbols].map(([k, v]) => [k, v === undefined ? null : dimToJson(v)])),
    totals: {
      params: t.params, trainableParams: t.trainableParams, nonTrainableParams: t.nonTrainableParams, macs: dimToJson(t.macs), flops: dimToJson(t.flops),
      weightBytes: t.weightBytes, peakActivationBytes: t.peakActivationBytes ?? null,
    },
  };
}

export const isConcrete = (d: Dim) => !isSymbolic(d);
