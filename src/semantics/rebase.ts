/**
 * Moving a resumable elaboration to a newer text of its file that differs only between the tokens of its
 * model (comments, blank space). The editor keeps a model's result through such edits and maps its spans
 * when they are read; without this, the next real edit would resume before the first of those edits (the
 * texts differ from there), re-running most of a big model once after every comment typed in it.
 */
import type { Span } from '../diagnostics/types.js';
import type { ModelDecl } from '../syntax/ast.js';
import { moveDiag } from './cutoff.js';
import type { BlockFrame, Graph, IrNode, IrPort, IrTensor } from './ir.js';
import type { Program } from './modules.js';
import type { Resumable } from './resume.js';

/**
 * The state of `r` with every span moved by `move` (from its text to `program`'s), for `decl` of
 * `program`; `r` is consumed. Undefined, and `r` left as it is, when the state holds spans that are not
 * copied here: deferred assertions (their scopes and conditions) and kept layer instances (a pinned journal).
 * The new arrays are copies: the graph of the previous elaboration keeps its own.
 */
export function rebase(r: Resumable, program: Program, decl: ModelDecl, move: (s: Span) => Span): Resumable | undefined {
  const steps = rebaseSteps(r, program, decl, move, Infinity);
  for (;;) {
    const x = steps.next();
    if (x.done) return x.value;
  }
}

/**
 * `rebase` in steps of `slice` nodes, for idle time: a step copies, and only the last one changes `r`.
 * The caller stops calling `next()` when anything else may have resumed `r` since the last step.
 */
export function* rebaseSteps(r: Resumable, program: Program, decl: ModelDecl, move: (s: Span) => Span, slice: number): Generator<void, Resumable | undefined> {
  const { st, journal } = r;
  if (r.consumed || journal.pinned || st.deferred.length) return undefined;
  const frames = new Map<BlockFrame, BlockFrame>();
  const frame = (f: BlockFrame) => {
    let g = frames.get(f);
    if (!g) frames.set(f, (g = { ...f, span: move(f.span) }));
    return g;
  };
  const paths = new Map<readonly BlockFrame[], readonly BlockFrame[]>();
  const old = st.nodes;
  const nodes: IrNode[] = new Array(old.length);
  for (let i = 0; i < nodes.length; i++) {
    if (i > 0 && i % slice === 0) yield;
    const n = old[i]!;
    let blockPath = paths.get(n.blockPath);
    if (!blockPath) paths.set(n.blockPath, (blockPath = n.blockPath.map(frame)));
    // (A literal of apply-op's shape, as in cutoff.ts.)
    const { id, op, label, path, inputs, outputs, attrs, params, instance, sharedWith, macs, flops, rf } = n;
    nodes[i] = { id, op, label, path, inputs, outputs, attrs, params, instance, sharedWith, macs, flops, rf, span: move(n.span), blockPath };
  }
  const tensors: IrTensor[] = new Array(st.tensors.length);
  for (let i = 0; i < tensors.length; i++) {
    if (i > 0 && i % slice === 0) yield;
    const t = st.tensors[i]!;
    tensors[i] = { id: t.id, type: t.type, producer: t.producer, name: t.name, span: move(t.span) };
  }
  // (Nothing may have changed `r` between the steps: the caller's contract. This is defence.)
  if (r.consumed || st.nodes !== old || st.nodes.length !== nodes.length) return undefined;
  journal.retarget((t) => tensors[t.id]!);
  st.emptyCalls = st.emptyCalls.map((c) => ({ path: c.path.map(frame), at: c.at }));
  st.nodes = nodes;
  st.tensors = tensors;
  st.diagnostics = st.diagnostics.map((d) => moveDiag(d, move));
  st.program = program;
  r.consumed = true;
  // (Ports and the run as literals of elaborate's shape: a spread copy, or a property left out, makes another
  // hidden class, and the optimized loops that read them deoptimize on it.)
  return { st, journal, decl, scope: r.scope, inputs: r.inputs.map((p) => ({ name: p.name, tensor: p.tensor, span: move(p.span) })), checkpoints: r.checkpoints, consumed: false, ancestor: undefined };
}

/**
 * The graph `g` of the run that `rebased` was moved from, moved alike: its layers and tensors those of
 * `rebased`, its span and ports moved by `move`. (A literal of elaborate's shape, as the copies above.)
 */
export function rebasedGraph(g: Graph, rebased: Resumable, move: (s: Span) => Span): Graph {
  const port = (p: IrPort): IrPort => ({ name: p.name, tensor: p.tensor, span: move(p.span) });
  return { name: g.name, doc: g.doc, span: move(g.span), inputs: g.inputs.map(port), outputs: g.outputs.map(port), nodes: rebased.st.nodes, tensors: rebased.st.tensors, symbols: g.symbols, facts: g.facts, emptyCalls: rebased.st.emptyCalls };
}
