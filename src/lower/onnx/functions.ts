/**
 * `--functions`: each block call becomes a call of an ONNX model-local function (FunctionProto, domain
 * `dslc.blocks`), nested as the blocks are. The flat lowering is regrouped afterwards: the nodes a call
 * emitted become the function body with canonical value names; weights and constants enter as function
 * inputs (functions cannot hold initializers), so every call of a block with the same structure and
 * attributes shares one function, however different its weights. Calls whose bodies differ (another
 * stride, another channel count inside an attribute…) get their own function (`basic_block_2`).
 */
import type onnxProto from 'onnx-proto';
import type { BlockFrame, IrNode } from '../../semantics/ir.js';

/** The domain of dslc's local functions (any non-default domain would do; imported at version 1). */
export const FUNCTION_DOMAIN = 'dslc.blocks';

/** A lowered node and the IR node it came from. */
export interface Emitted {
  readonly proto: onnxProto.onnx.INodeProto;
  readonly origin: IrNode;
}

interface Group {
  readonly frame: BlockFrame;
  readonly items: Emitted[];
}

/**
 * Regroups the flat node list into function calls. `graphOutputs` are values the graph returns (they must
 * leave any function that makes them); `where` formats a span as `file:line:col`; `uniqueName` makes
 * graph-unique node names.
 */
export function groupIntoFunctions(
  flat: readonly Emitted[],
  graphOutputs: ReadonlySet<string>,
  opset: number,
  where: (f: BlockFrame) => string,
  uniqueName: (base: string) => string,
): { nodes: onnxProto.onnx.INodeProto[]; functions: onnxProto.onnx.IFunctionProto[] } {
  const functions: onnxProto.onnx.IFunctionProto[] = [];
  const byKey = new Map<string, string>();
  const perBlock = new Map<string, number>();
  // Who consumes each value, across the whole graph: a value made inside a call and read outside is an output.
  const consumers = new Map<string, Set<onnxProto.onnx.INodeProto>>();
  for (const e of flat) for (const i of e.proto.input ?? []) if (i) (consumers.get(i) ?? consumers.set(i, new Set()).get(i)!).add(e.proto);

  /** Nodes at `depth`: runs of nodes in the same call (same frame object) become one call node. */
  const build = (items: readonly Emitted[], depth: number): { proto: onnxProto.onnx.INodeProto; members: Set<onnxProto.onnx.INodeProto> }[] => {
    const out: { proto: onnxProto.onnx.INodeProto; members: Set<onnxProto.onnx.INodeProto> }[] = [];
    let group: Group | undefined;
    const flush = () => {
      if (!group) return;
      out.push(call(group, depth));
      group = undefined;
    };
    for (const e of items) {
      const frame = e.origin.blockPath[depth];
      if (!frame) {
        flush();
        out.push({ proto: e.proto, members: new Set([e.proto]) });
      } else if (group && group.frame === frame) group.items.push(e);
      else {
        flush();
        group = { frame, items: [e] };
      }
    }
    flush();
    return out;
  };

  const call = (g: Group, depth: number): { proto: onnxProto.onnx.INodeProto; members: Set<onnxProto.onnx.INodeProto> } => {
    const inner = build(g.items, depth + 1);
    const members = new Set<onnxProto.onnx.INodeProto>();
    for (const x of inner) for (const m of x.members) members.add(m);
    const body = inner.map((x) => x.proto);
    // Interface: values read but not made inside (in first-use order), values made inside and used outside.
    const made = new Set(body.flatMap((n) => n.output ?? []));
    const inputs: string[] = [];
    for (const n of body) for (const i of n.input ?? []) if (i && !made.has(i) && !inputs.includes(i)) inputs.push(i);
    const outputs = [...made].filter((v) => graphOutputs.has(v) || [...(consumers.get(v) ?? [])].some((c) => !members.has(c)));
    // Canonical names: i0…, o0…, t0… in order of appearance; node names relative to the call.
    const local = new Map<string, string>();
    inputs.forEach((v, k) => local.set(v, `i${k}`));
    outputs.forEach((v, k) => local.set(v, `o${k}`));
    let t = 0;
    const rename = (v: string) => (v === '' ? '' : (local.get(v) ?? (local.set(v, `t${t++}`), local.get(v)!)));
    const prefix = g.items[0]!.origin.blockPath.slice(0, depth + 1).map((f) => f.label).join('.') + '.';
    const localBody = body.map((n) => ({
      ...n,
      name: n.name?.startsWith(prefix) ? n.name.slice(prefix.length) : n.name,
      input: (n.input ?? []).map(rename),
      output: (n.output ?? []).map(rename),
    }));
    const key = JSON.stringify([g.frame.block, inputs.length, outputs.length, localBody.map((n) => [n.opType, n.domain ?? '', n.input, n.output, n.attribute])]);
    let name = byKey.get(key);
    if (!name) {
      const k = (perBlock.get(g.frame.block) ?? 0) + 1;
      perBlock.set(g.frame.block, k);
      name = k === 1 ? g.frame.block : `${g.frame.block}_${k}`;
      byKey.set(key, name);
      functions.push({
        name,
        domain: FUNCTION_DOMAIN,
        input: inputs.map((_, k) => `i${k}`),
        output: outputs.map((_, k) => `o${k}`),
        node: localBody,
        opsetImport: [{ domain: '', version: opset }, { domain: FUNCTION_DOMAIN, version: 1 }],
        docString: `dslc block ${g.frame.block}`,
      });
    }
    const proto: onnxProto.onnx.INodeProto = {
      // (a shared block instance applied twice has one call path: the second call gets `_2`)
      name: uniqueName(prefix.slice(0, -1)),
      opType: name,
      domain: FUNCTION_DOMAIN,
      input: inputs,
      output: outputs,
      docString: `${where(g.frame)} (block ${g.frame.block})`,
    };
    return { proto, members };
  };

  const nodes = build(flat, 0).map((x) => x.proto);
  // Dependencies first: a function must be defined before the functions that call it (onnx checks in order).
  const order: onnxProto.onnx.IFunctionProto[] = [];
  const seen = new Set<string>();
  const visit = (f: onnxProto.onnx.IFunctionProto) => {
    if (seen.has(f.name!)) return;
    seen.add(f.name!);
    for (const n of f.node ?? []) if (n.domain === FUNCTION_DOMAIN) visit(functions.find((x) => x.name === n.opType)!);
    order.push(f);
  };
  functions.forEach(visit);
  return { nodes, functions: order };
}
