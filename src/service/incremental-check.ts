/**
 * Incremental checking per top-level declaration: the same stages as `check()` in src/api.ts (loadProgram,
 * elaborate, analyze, in the same order with the same filtering), but a model whose own text and whose
 * dependencies are unchanged is not elaborated again: its last result is reused, its spans moved to where its
 * declaration now is. Its dependencies: every imported file, and the declarations of the file that bear the
 * names its elaboration looked up (`Elaboration.rootLookups`: blocks, constants, imported names, and the names
 * of ops a new declaration could shadow); every declaration of the file when it met an unknown name (its
 * did-you-mean looked at all of them). Typing inside one model of a file re-elaborates that model only; typing
 * a new block, or inside a block, re-elaborates only the models that use it.
 */
import type { CheckResult } from '../api.js';
import { analyze, type CheckedModel, rebasedModel } from '../checker/analyze.js';
import { dedupe } from '../diagnostics/make.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { type Elaboration, elaborate, modelsOf } from '../semantics/elaborate.js';
import { quotesSourceAt } from '../semantics/interpret.js';
import type { ModelDecl } from '../syntax/ast.js';
import { movedAst, moveOffset, sameAst } from '../syntax/ast-equal.js';
import { type TextEdit, textEdit } from '../syntax/text-edit.js';
import { type ModuleHost, type ParseFn, type Program, loadProgram } from '../semantics/modules.js';
import { moveDiag } from '../semantics/cutoff.js';
import { checkConstants } from '../semantics/consts.js';
import { rebase, rebasedGraph, rebaseSteps } from '../semantics/rebase.js';
import { type SourceFile, lineCol, spanOf } from '../syntax/source.js';
import { movedFrom } from './ast-shift.js';
import { splitDecls } from './incremental.js';

/** A top-level declaration chunk of the root file: where it starts (offset and line) and its text. */
interface Chunk {
  readonly start: number;
  readonly line: number;
  readonly text: string;
}

interface Entry {
  readonly key: string;
  /** The key without the model's own text: what else the result depends on. */
  readonly depKey: string;
  /** The names `depKey` is made of (undefined: every declaration), see `Elaboration.rootLookups`. */
  readonly lookups?: ReadonlySet<string> | 'all';
  /** The root file's text and the model's declaration when this result was made. */
  readonly text: string;
  readonly decl: ModelDecl;
  /** Root-file chunks (start, text) when this result was made: to move its spans later. */
  readonly chunks: readonly Chunk[];
  readonly model?: CheckedModel;
  /**
   * The analysis of the run this one resumed from: the next run may cut over to that run's statements
   * (`Ancestor` in src/semantics/resume.ts), and then reuses their layer reports.
   */
  readonly prior?: CheckedModel;
  /** Its elaboration, resumable: an edit inside the model re-runs only the statements from the edit on. */
  readonly el?: Elaboration;
  readonly elabDiagnostics: readonly Diagnostic[];
  readonly analyzeDiagnostics: readonly Diagnostic[];
  /**
   * After texts that kept this result (see `kept`): the text edits were last compared from (`anchor`) and
   * the latest such text. Each carries the edits from `text` to it.
   */
  readonly anchor?: Kept;
  readonly last?: Kept;
  /** The program of `last`'s text (to move the elaboration there before an edit resumes it). */
  readonly keptProgram?: Program;
}

/** A text that kept an entry's result: its model's declaration, and the edits that lead to it from the entry's text. */
interface Kept {
  readonly text: string;
  readonly decl: ModelDecl;
  readonly edits: readonly TextEdit[];
}

/** Edits in more places than this since a model was last elaborated: elaborate it again (spans map through each). */
const MAX_PLACES = 8;

export interface IncrementalCheckResult extends CheckResult {
  /** Models elaborated by this run (the others were reused). */
  readonly elaborated: readonly string[];
  /** Of those, the models whose elaboration resumed after the statements an edit left alone. */
  readonly resumed: readonly string[];
  /** Of those, the models whose resumed run reused the statements after the edit (an early cutoff). */
  readonly cut: readonly string[];
  /**
   * Models whose text changed only between tokens (comments, blank space): not elaborated again, their
   * last result reused with its spans mapped through the edit (see `moves`).
   */
  readonly kept: readonly string[];
  /**
   * For reused models whose declarations moved: maps a span of the model's graph (made when it was last
   * elaborated) to where it is now. Graph spans are not copied on every keystroke; readers map them.
   */
  readonly moves: ReadonlyMap<CheckedModel, (s: Span) => Span>;
}

/** A per-document cache of checked models. */
export class ModelCache {
  private entries = new Map<string, Entry>();

  run(path: string, text: string, host: ModuleHost, parse: ParseFn): IncrementalCheckResult {
    const program = loadProgram(path, text, host, parse);
    const root = program.root;
    const chunks = chunksOf(root.file);
    const chunkOf = (offset: number) => chunkAt(chunks, offset);
    const modelChunks = new Set(modelsOf(root).map((m) => chunkOf(m.range.start)));
    const imported = [...program.modules.values()].filter((m) => m !== root).map((m) => `${m.path}\u0001${m.file.text}`);
    const everything = [...chunks.filter((_, i) => !modelChunks.has(i)).map((c) => c.text), ...imported].join('\u0000');
    const importedKey = imported.join('\u0000');
    // Per name, the texts of the declarations of the file that bear it (made on first need).
    let declared: Map<string, string> | undefined;
    const declaredAs = (name: string) => {
      if (!declared) {
        declared = new Map();
        for (const d of root.ast.decls) {
          const text = chunks[chunkOf(d.range.start)]!.text;
          for (const n of d.kind === 'import' ? d.items.map((it) => (it.alias ?? it.name).text) : [d.name.text]) declared.set(n, `${declared.get(n) ?? ''}\u0001${text}`);
        }
      }
      return declared.get(name) ?? '';
    };
    const depKeyOf = (lookups: ReadonlySet<string> | 'all' | undefined) =>
      lookups === undefined || lookups === 'all' ? `*\u0000${everything}` : `${importedKey}\u0000${[...lookups].sort().map((n) => `${n}\u0002${declaredAs(n)}`).join('\u0000')}`;

    const diagnostics: Diagnostic[] = [...program.diagnostics];
    const models: CheckedModel[] = [];
    const elaborated: string[] = [];
    const resumed: string[] = [];
    const kept: string[] = [];
    const cut: string[] = [];
    const next = new Map<string, Entry>();
    const moves = new Map<CheckedModel, (s: Span) => Span>();
    const programFailed = program.diagnostics.some((d) => d.severity === 'error');
    const names = modelsOf(root).map((m) => m.name.text);
    // Entries made by one run share its chunk list: one mover per list, not one per reused model.
    const movers = new Map<readonly Chunk[], ((s: Span) => Span) | undefined>();
    for (const m of modelsOf(root)) {
      const name = m.name.text;
      // Two models with one name: the second is an error (E0205), not checked (as check() does); its entry
      // would be the first one's, moved to the second's text when the two are the same.
      if (next.has(name)) continue;
      const own = chunks[chunkOf(m.range.start)]!.text;
      const depOf = (lookups: ReadonlySet<string> | 'all' | undefined) => `${depKeyOf(lookups)}\u0003${names.indexOf(name)}`;
      let e = this.entries.get(name);
      // What the last result depended on, as it is now.
      const dep = depOf(e?.lookups);
      const key = `${dep}\u0002${own}`;
      let elabDiagnostics: readonly Diagnostic[];
      let analyzeDiagnostics: readonly Diagnostic[];
      let moved: { anchor: Kept; last: Kept } | undefined;
      if (e && e.key !== key && e.depKey === dep && e.model && (moved = keptThrough(e, m, text))) {
        // Only blank space or comments changed in the model: the result is the last one, moved.
        kept.push(name);
        const edit = editMover(moved.last.edits, root.file);
        elabDiagnostics = e.elabDiagnostics.map((d) => moveDiag(d, edit));
        analyzeDiagnostics = e.analyzeDiagnostics.map((d) => moveDiag(d, edit));
        moves.set(e.model, edit);
        e = { ...e, ...moved, keptProgram: program };
      } else if (e && e.key === key) {
        let mv = movers.get(e.chunks);
        if (!movers.has(e.chunks)) movers.set(e.chunks, (mv = mover(e.chunks, chunks, root.file)));
        elabDiagnostics = mv ? e.elabDiagnostics.map((d) => moveDiag(d, mv)) : e.elabDiagnostics;
        analyzeDiagnostics = mv ? e.analyzeDiagnostics.map((d) => moveDiag(d, mv)) : e.analyzeDiagnostics;
        if (mv && e.model) moves.set(e.model, mv);
      } else {
        elaborated.push(name);
        let previous = e?.el;
        let previousModel = e?.model;
        // Kept through edits between its tokens since it was elaborated: moved to the last such text first, so
        // that this edit resumes after the statements it left alone, not before the first of those edits.
        const move = e?.last && e.keptProgram ? editMover(e.last.edits, e.keptProgram.root.file) : undefined;
        const rebased = move && e?.last && e.keptProgram && e.el?.resumable && e.model && !sameRerun(e, e.last, m, text) ? rebase(e.el.resumable, e.keptProgram, e.last.decl, move) : undefined;
        if (rebased && move && e?.el && e.model) {
          previous = { ...e.el, resumable: rebased };
          previousModel = rebasedModel(e.model, rebasedGraph(e.model.graph, rebased, move));
        }
        const el = elaborate(program, name, undefined, { resumable: true, previous, origin: movedFrom });
        if ('error' in el) {
          const d = depOf(undefined);
          e = { key: `${d}\u0002${own}`, depKey: d, text, decl: m, chunks, elabDiagnostics: el.error, analyzeDiagnostics: [] };
        } else {
          if (el.reused) resumed.push(name);
          if (el.reused?.cut) cut.push(name);
          const from = el.reused?.suffix && e?.prior && el.reused.suffix.oldNodes.deref() === e.prior.graph.nodes ? e.prior : previousModel;
          const { result, diagnostics: ds } = analyze(el, {}, el.reused ? from : undefined);
          // (After the analysis: deferred assertions look names up too.)
          const lookups = el.rootLookups?.();
          const d = depOf(lookups);
          e = { key: `${d}\u0002${own}`, depKey: d, ...(lookups ? { lookups } : {}), text, decl: m, chunks, model: result, ...(el.reused && previousModel ? { prior: previousModel } : {}), el, elabDiagnostics: el.diagnostics, analyzeDiagnostics: ds };
        }
        elabDiagnostics = e.elabDiagnostics;
        analyzeDiagnostics = e.analyzeDiagnostics;
      }
      // The entry keeps the chunks of when it was made: spans always map from there, never cumulatively.
      next.set(name, e);
      diagnostics.push(...elabDiagnostics);
      if (!e.model) continue;
      // As check(): a tensor looks unused when the layer that would have used it failed: don't pile on.
      const failed = elabDiagnostics.some((d) => d.severity === 'error') || programFailed;
      diagnostics.push(...(failed ? analyzeDiagnostics.filter((d) => d.code !== 'W0104') : analyzeDiagnostics));
      models.push(e.model);
    }
    this.entries = next;
    // As check(): constants no model uses are checked too.
    diagnostics.push(...checkConstants(program));
    return { program, models, diagnostics: dedupe(diagnostics), elaborated, resumed, cut, kept, moves };
  }

  /**
   * Idle work. A model kept through edits between its tokens (comments, blank space) is moved to the
   * latest such text (`rebase`, a copy of every span of its run) before the next edit inside it resumes
   * it; this does that ahead, so that the keystroke does not pay for it. The results stay those of a fresh
   * check. Yields between slices of `slice` layers; the caller stops calling `next()` when a run may
   * have happened in between (then the slices done so far are dropped: nothing is changed before the last).
   */
  *settle(slice = 1000): Generator<void, void> {
    const entries = this.entries;
    for (const [name, e] of entries) {
      if (!e.last || !e.keptProgram || !e.el?.resumable || !e.model) continue;
      const last = e.last;
      const program = e.keptProgram;
      const move = editMover(last.edits, program.root.file);
      const steps = rebaseSteps(e.el.resumable, program, last.decl, move, slice);
      let x = steps.next();
      while (!x.done) {
        yield;
        if (this.entries !== entries) return;
        x = steps.next();
      }
      const rebased = x.value;
      if (!rebased) continue;
      const chunks = chunksOf(program.root.file);
      const key = `${e.depKey}\u0002${chunks[chunkAt(chunks, last.decl.range.start)]!.text}`;
      entries.set(name, {
        key,
        depKey: e.depKey,
        ...(e.lookups ? { lookups: e.lookups } : {}),
        text: last.text,
        decl: last.decl,
        chunks,
        model: rebasedModel(e.model, rebasedGraph(e.model.graph, rebased, move)),
        el: { ...e.el, resumable: rebased },
        elabDiagnostics: e.elabDiagnostics.map((d) => moveDiag(d, move)),
        analyzeDiagnostics: e.analyzeDiagnostics.map((d) => moveDiag(d, move)),
      });
    }
  }
}

/** The top-level declaration chunks of a root file. */
function chunksOf(file: SourceFile): Chunk[] {
  const text = file.text;
  const starts = splitDecls(text);
  return starts.map((s, i) => ({ start: s, line: lineCol(file, s).line, text: text.slice(s, i + 1 < starts.length ? starts[i + 1] : text.length) }));
}

/** The index of the chunk holding `offset`. */
function chunkAt(chunks: readonly Chunk[], offset: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (chunks[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}


/**
 * Maps root-file spans from the chunk positions of `then` to those of `now` (chunks matched by text, in
 * order); undefined when nothing moved, not even by lines.
 */
function mover(then: readonly Chunk[], now: readonly Chunk[], file: SourceFile): ((s: Span) => Span) | undefined {
  const byText = new Map<string, Chunk[]>();
  for (const c of now) (byText.get(c.text) ?? byText.set(c.text, []).get(c.text)!).push(c);
  const seen = new Map<string, number>();
  let moved = false;
  const delta: number[] = then.map((c) => {
    const k = seen.get(c.text) ?? 0;
    seen.set(c.text, k + 1);
    const n = byText.get(c.text)?.[k];
    if (!n) return 0;
    if (n.start !== c.start || n.line !== c.line) moved = true;
    return n.start - c.start;
  });
  if (!moved) return undefined;
  const oldStarts = then.map((c) => c.start);
  const memo = new Map<Span, Span>();
  return (s) => {
    if (s.file !== file.path) return s;
    let r = memo.get(s);
    if (!r) {
      let lo = 0;
      let hi = oldStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (oldStarts[mid]! <= s.start) lo = mid;
        else hi = mid - 1;
      }
      const d = delta[lo]!;
      memo.set(s, (r = spanOf(file, s.start + d, s.end + d)));
    }
    return r;
  };
}

/**
 * Whether the model `decl` of the current `text` is the entry's model moved by edits between its tokens:
 * the current text differs from the anchor's (or else from the latest kept text's, which then becomes the
 * anchor) in one stretch inside the declaration, and the two declarations differ only by offsets mapped
 * through it, with no quoted source touched. Then: the new anchor and latest kept text. Typing in one place keeps one edit from the
 * anchor; each other place adds one, up to `MAX_PLACES`.
 */
function keptThrough(e: Entry, decl: ModelDecl, text: string): { anchor: Kept; last: Kept } | undefined {
  const anchor = e.anchor ?? { text: e.text, decl: e.decl, edits: [] };
  for (const from of e.last && e.last !== anchor ? [anchor, e.last] : [anchor]) {
    if (from.edits.length >= MAX_PLACES) continue;
    const ed = textEdit(from.text, text);
    // Within the declaration: every other span of the result (in blocks, in other files) then lies wholly
    // before or after the edit, so it maps exactly. (An edit reaching from another model into this one's
    // chunk changes a doc comment or a block's chunk first; this is defence, not a case seen.)
    if (ed.from < from.decl.range.start || ed.to > from.decl.range.end) continue;
    if (!movedAst(from.decl, decl, ed.from, ed.to, ed.delta, movedFrom) || quotesSourceAt(from.decl.body, ed.from, ed.to)) continue;
    return { anchor: from, last: { text, decl, edits: [...from.edits, ed] } };
  }
  return undefined;
}

/**
 * Whether resuming the entry's own elaboration for `text` re-runs the same statements as resuming it after
 * moving it to the kept text `last` would: the edits between tokens since then lie in the statements this
 * edit touches (typing a statement, spaces included). Then moving it first (rebase, a copy of every span of
 * the model) is not needed.
 */
function sameRerun(e: Entry, last: Kept, decl: ModelDecl, text: string): boolean {
  const touched = (before: string, old: ModelDecl) => {
    const ed = textEdit(before, text);
    let k = 0;
    while (k < old.body.length && old.body[k]!.range.end < ed.from) k++;
    // (As resume(): a statement the edit extends at its end is not kept either.)
    while (k > 0 && !sameAst(decl.body[k - 1], old.body[k - 1])) k--;
    let j = k;
    while (j < old.body.length && old.body[j]!.range.start < ed.to) j++;
    return [k, j] as const;
  };
  if (e.decl.body.length !== last.decl.body.length || decl.range.start !== e.decl.range.start) return false;
  const [k0, j0] = touched(e.text, e.decl);
  const [k1, j1] = touched(last.text, last.decl);
  return k0 === k1 && j0 === j1;
}

/** Maps root-file spans of the entry's text through `edits` to the current text (`file`). */
function editMover(edits: readonly TextEdit[], file: SourceFile): (s: Span) => Span {
  const memo = new Map<Span, Span>();
  const map = (x: number, isStart: boolean) => {
    for (const ed of edits) x = moveOffset(x, isStart, ed.from, ed.to, ed.delta);
    return x;
  };
  return (s) => {
    if (s.file !== file.path) return s;
    let r = memo.get(s);
    if (!r) {
      const start = map(s.start, true);
      const end = map(s.end, false);
      // (Every span of the result comes from an offset of the declaration, and those all map; this is defence.)
      memo.set(s, (r = Number.isNaN(start) || Number.isNaN(end) ? s : spanOf(file, start, Math.max(start, end))));
    }
    return r;
  };
}
