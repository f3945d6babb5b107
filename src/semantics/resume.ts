/**
 * Resuming a model's elaboration after the statements an edit left alone (the editor's incremental check).
 * A resumable elaboration journals its state (src/semantics/journal.ts) and takes a checkpoint after each
 * top-level statement of the model. The next elaboration of an edited text may rewind that state to the
 * checkpoint before the first changed statement and run only the statements from there on.
 *
 * When that gives exactly what a fresh elaboration gives: the statements before the checkpoint end before
 * the first changed character of the file, and they and the model's header are equal ASTs, offsets included
 * (often the very objects: the incremental parser keeps them when it re-parses only the edited statements);
 * every other declaration of the file lies before the model and is equal too (so the blocks and constants
 * the prefix used, and their spans, are unchanged); every imported file has the same text; and no value
 * the prefix kept can still change or point into the old module (see `Journal.pinned`).
 */
import type { Diagnostic } from '../diagnostics/types.js';
import type { ModelDecl } from '../syntax/ast.js';
import { sameAst } from '../syntax/ast-equal.js';
import { commonPrefix, commonSuffix } from '../syntax/text-edit.js';
import type { EmptyCall, IrNode, IrPort, IrTensor } from './ir.js';
import { Journal, JournaledVars, type Undone } from './journal.js';
import type { Program } from './modules.js';
import { Scope, type State } from './state.js';

/** The state after one top-level statement of the model: lengths of the append-only arrays and counters. */
export interface Checkpoint {
  readonly nodes: number;
  readonly tensors: number;
  readonly emptyCalls: number;
  readonly diagnostics: number;
  readonly deferred: number;
  readonly journal: number;
  readonly steps: number;
  readonly nextInstance: number;
  readonly suggestions: number;
  /** The journal was pinned (see `Journal.pinned`): the state cannot be rewound to here. */
  readonly pinned: boolean;
  /** What the statement read of the journaled state, (container, key) pairs (see `Journal.reads`). */
  readonly reads: readonly unknown[];
}

/** What a resumable elaboration keeps for the next one. Opaque outside src/semantics. */
export interface Resumable {
  readonly st: State;
  readonly journal: Journal;
  readonly decl: ModelDecl;
  /** The model's scope (its variables journaled). */
  readonly scope: Scope;
  readonly inputs: readonly IrPort[];
  /** `checkpoints[i]`: the state after the model's statements 0..i. */
  readonly checkpoints: Checkpoint[];
  /** A later elaboration resumed from (and so changed) this state: it cannot be resumed again. */
  consumed: boolean;
  /** The run this one resumed from, as it was (see `Ancestor`). */
  readonly ancestor?: Ancestor;
}

/**
 * What a resumed run keeps of the run it resumed from, for the next run: a text that goes back to that
 * run's (a digit typed into a channel count and deleted again, an error made and mended) can cut over to
 * its statements, which the run in between may not have (an error stops a model's elaboration).
 */
export interface Ancestor {
  readonly text: string;
  readonly decl: ModelDecl;
  readonly nodes: readonly IrNode[];
  readonly tensors: readonly IrTensor[];
  readonly emptyCalls: readonly EmptyCall[];
  readonly diagnostics: readonly Diagnostic[];
  readonly checkpoints: readonly Checkpoint[];
  /** The statements this run resumed after, and the journal entries it undid for that (the ancestor's from there on). */
  readonly at: number;
  readonly undone: Undone;
}

/** Starts journaling a fresh elaboration's state. */
export function startJournal(st: State): Journal {
  return (st.journal = new Journal());
}

/** A new model scope whose variables are journaled. */
export const journaledScope = (st: State, sc: Scope): Scope => new Scope(sc.module, new JournaledVars(st.journal!, sc.vars));

export function checkpoint(st: State, journal: Journal): Checkpoint {
  return {
    nodes: st.nodes.length,
    tensors: st.tensors.length,
    emptyCalls: st.emptyCalls.length,
    diagnostics: st.diagnostics.length,
    deferred: st.deferred.length,
    journal: journal.length,
    steps: st.steps,
    nextInstance: st.nextInstance,
    suggestions: st.suggestions,
    pinned: journal.pinned,
    reads: journal.takeReads(),
  };
}

/** Where a resumed run of `decl` in `program` starts, rewound from `prev`: the state, scope and first statement to run. */
export interface Resumed {
  readonly st: State;
  readonly scope: Scope;
  readonly inputs: readonly IrPort[];
  readonly from: number;
  readonly checkpoints: Checkpoint[];
  readonly journal: Journal;
  readonly reused: { readonly nodes: number; readonly tensors: number };
  /** Where the statements after the edit start, for an early cutoff (src/semantics/cutoff.ts). */
  readonly cut?: CutPlan;
  /** The previous run as it was, for the next resumed run (see `Ancestor`). */
  readonly ancestor: Ancestor;
}

/**
 * A run to cut over to (the previous one, or the one before it), and where its statements after the edit
 * (`oldFrom` on) start again in the new declaration (`newFrom`): from there on both texts are the same, moved
 * by `delta`.
 */
export interface CutPlan {
  readonly oldFrom: number;
  readonly newFrom: number;
  /** The text edit: old `[from, to)` replaced, `delta` characters longer. */
  readonly from: number;
  readonly to: number;
  readonly delta: number;
  /** That run: its declaration, graph arrays, every checkpoint, and the journal entries undone after `run.at`. */
  readonly run: Ancestor;
  readonly origin?: AstOrigin;
}

/** For an AST object the incremental parser moved: what it was moved from and by how much (see movedAst). */
export type AstOrigin = (v: object) => { readonly src: object; readonly by: number } | undefined;

/** Rewinds `prev` for elaborating `decl` of `program`, or undefined when a fresh elaboration is needed. */
export function resume(prev: Resumable, program: Program, decl: ModelDecl, origin?: AstOrigin): Resumed | undefined {
  const old = prev.decl;
  if (prev.consumed || !sameSurroundings(prev.st.program, old, program, decl)) return undefined;
  // The first character where the file changed: only statements that end before it are kept.
  const oldText = prev.st.program.root.file.text;
  const text = program.root.file.text;
  const p = commonPrefix(oldText, text);
  if (!sameAst(decl.name, old.name) || !sameAst(decl.inputs, old.inputs) || !sameAst(decl.where, old.where)) return undefined;
  let k = 0;
  const n = Math.min(decl.body.length, old.body.length, prev.checkpoints.length);
  while (k < n && old.body[k]!.range.end < p && sameAst(decl.body[k], old.body[k])) k++;
  while (k > 0 && prev.checkpoints[k - 1]!.pinned) k--;
  if (k === 0) return undefined;
  const cp = prev.checkpoints[k - 1]!;
  const { st, journal } = prev;
  prev.consumed = true;
  const { nodes: oldNodes, tensors: oldTensors, emptyCalls: oldEmptyCalls, diagnostics: oldDiagnostics } = st;
  const undone = journal.undoTo(cp.journal);
  journal.pinned = false;
  journal.reads = [];
  // Copies: the previous elaboration's graph and diagnostics keep their arrays.
  st.nodes = st.nodes.slice(0, cp.nodes);
  st.tensors = st.tensors.slice(0, cp.tensors);
  st.emptyCalls = st.emptyCalls.slice(0, cp.emptyCalls);
  st.diagnostics = st.diagnostics.slice(0, cp.diagnostics) as Diagnostic[];
  st.deferred = st.deferred.slice(0, cp.deferred);
  st.steps = cp.steps;
  st.nextInstance = cp.nextInstance;
  st.suggestions = cp.suggestions;
  // Between statements these are empty or zero; a run that aborted may have left them otherwise.
  st.frames.length = 0;
  st.activeBlocks.length = 0;
  st.replay.length = 0;
  st.frozen = 0;
  st.assertDepth = 0;
  st.nameHint = undefined;
  st.analysis = undefined;
  st.program = program;
  // The same variables map: the journal's older entries (rewound by a later resume) refer to it.
  const scope = new Scope(program.root, prev.scope.vars);
  const then: Ancestor = { text: oldText, decl: old, nodes: oldNodes, tensors: oldTensors, emptyCalls: oldEmptyCalls, diagnostics: oldDiagnostics, checkpoints: prev.checkpoints, at: k, undone };
  let cut = cutPlan(then, k, text, decl, origin);
  // The run before the previous one, when the previous run resumed at the same statement: the state there is
  // the same, so its statements after the edit are as good (better when the text went back to its own).
  const anc = prev.ancestor;
  if (anc && anc.at === k) {
    const other = cutPlan(anc, k, text, decl, origin);
    if (other && (!cut || other.newFrom < cut.newFrom || (cut.oldFrom >= prev.checkpoints.length && other.oldFrom < anc.checkpoints.length))) cut = other;
  }
  const resumed = { st, scope, inputs: prev.inputs, from: k, checkpoints: prev.checkpoints.slice(0, k), journal, reused: { nodes: cp.nodes, tensors: cp.tensors }, ancestor: then };
  return cut ? { ...resumed, cut } : resumed;
}

/**
 * The plan for cutting over to the statements of `run` (resumed at `k`) after the edit that makes `text`
 * of it: from the first of its statements at or after the end of the changed text.
 */
function cutPlan(run: Ancestor, k: number, text: string, decl: ModelDecl, origin: AstOrigin | undefined): CutPlan | undefined {
  const oldText = run.text;
  const old = run.decl;
  const p = commonPrefix(oldText, text);
  const to = oldText.length - commonSuffix(oldText, text, Math.min(oldText.length, text.length) - p);
  const delta = text.length - oldText.length;
  let j = k;
  // (The same text: every statement from `k` on is after the edit.)
  if (p < oldText.length || delta) while (j < old.body.length && old.body[j]!.range.start < to) j++;
  const jn = j + decl.body.length - old.body.length;
  return j < old.body.length && jn >= k && decl.body[jn]!.range.start === old.body[j]!.range.start + delta
    ? { oldFrom: j, newFrom: jn, from: p, to, delta, run, ...(origin ? { origin } : {}) }
    : undefined;
}

/**
 * The rest of the program is as the previous elaboration saw it: the root file's declarations before the
 * model are the same objects, none but models follows it, and every imported file has the same text.
 */
function sameSurroundings(old: Program, oldDecl: ModelDecl, now: Program, decl: ModelDecl): boolean {
  if (old.root.path !== now.root.path || old.modules.size !== now.modules.size) return false;
  const a = old.root.ast.decls;
  const b = now.root.ast.decls;
  const at = b.indexOf(decl);
  if (at < 0 || a.indexOf(oldDecl) !== at) return false;
  for (let i = 0; i < at; i++) if (!sameAst(a[i], b[i])) return false;
  for (let i = at + 1; i < a.length; i++) if (a[i]!.kind !== 'model') return false;
  for (let i = at + 1; i < b.length; i++) if (b[i]!.kind !== 'model') return false;
  for (const [path, m] of now.modules) {
    if (m === now.root) continue;
    if (old.modules.get(path)?.file.text !== m.file.text) return false;
  }
  return true;
}

