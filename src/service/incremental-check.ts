/**
 * Incremental checking per top-level declaration: the same stages as `check()` in src/api.ts (loadProgram,
 * elaborate, analyze, in the same order with the same filtering), but a model whose own text and whose
 * possible dependencies (every non-model declaration of the file and every imported file) are unchanged is
 * not elaborated again: its last result is reused, its spans moved to where its declaration now is.
 * Typing inside one model of a file re-elaborates that model only.
 */
import type { CheckResult } from '../api.js';
import { analyze, type CheckedModel } from '../checker/analyze.js';
import { dedupe } from '../diagnostics/make.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { type Elaboration, elaborate, modelsOf } from '../semantics/elaborate.js';
import { type ModuleHost, type ParseFn, loadProgram } from '../semantics/modules.js';
import { type SourceFile, lineCol, spanOf } from '../syntax/source.js';
import { splitDecls } from './incremental.js';

/** A top-level declaration chunk of the root file: where it starts (offset and line) and its text. */
interface Chunk {
  readonly start: number;
  readonly line: number;
  readonly text: string;
}

interface Entry {
  readonly key: string;
  /** Root-file chunks (start, text) when this result was made: to move its spans later. */
  readonly chunks: readonly Chunk[];
  readonly model?: CheckedModel;
  /** Its elaboration, resumable: an edit inside the model re-runs only the statements from the edit on. */
  readonly el?: Elaboration;
  readonly elabDiagnostics: readonly Diagnostic[];
  readonly analyzeDiagnostics: readonly Diagnostic[];
}

export interface IncrementalCheckResult extends CheckResult {
  /** Models elaborated by this run (the others were reused). */
  readonly elaborated: readonly string[];
  /** Of those, the models whose elaboration resumed after the statements an edit left alone. */
  readonly resumed: readonly string[];
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
    const starts = splitDecls(text);
    const chunks: Chunk[] = starts.map((s, i) => ({ start: s, line: lineCol(root.file, s).line, text: text.slice(s, i + 1 < starts.length ? starts[i + 1] : text.length) }));
    const chunkOf = (offset: number) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const modelChunks = new Set(modelsOf(root).map((m) => chunkOf(m.range.start)));
    const imported = [...program.modules.values()].filter((m) => m !== root).map((m) => `${m.path}\u0001${m.file.text}`);
    const depKey = [...chunks.filter((_, i) => !modelChunks.has(i)).map((c) => c.text), ...imported].join('\u0000');

    const diagnostics: Diagnostic[] = [...program.diagnostics];
    const models: CheckedModel[] = [];
    const elaborated: string[] = [];
    const resumed: string[] = [];
    const next = new Map<string, Entry>();
    const moves = new Map<CheckedModel, (s: Span) => Span>();
    const programFailed = program.diagnostics.some((d) => d.severity === 'error');
    const names = modelsOf(root).map((m) => m.name.text);
    // Entries made by one run share its chunk list: one mover per list, not one per reused model.
    const movers = new Map<readonly Chunk[], ((s: Span) => Span) | undefined>();
    for (const m of modelsOf(root)) {
      const name = m.name.text;
      // Two models with one name: the second is an error (E0205) and elaborate() finds the first anyway.
      const key = `${depKey}\u0002${chunks[chunkOf(m.range.start)]!.text}\u0003${names.indexOf(name)}`;
      let e = this.entries.get(name);
      let elabDiagnostics: readonly Diagnostic[];
      let analyzeDiagnostics: readonly Diagnostic[];
      if (e && e.key === key) {
        let mv = movers.get(e.chunks);
        if (!movers.has(e.chunks)) movers.set(e.chunks, (mv = mover(e.chunks, chunks, root.file)));
        elabDiagnostics = mv ? e.elabDiagnostics.map((d) => moveDiag(d, mv)) : e.elabDiagnostics;
        analyzeDiagnostics = mv ? e.analyzeDiagnostics.map((d) => moveDiag(d, mv)) : e.analyzeDiagnostics;
        if (mv && e.model) moves.set(e.model, mv);
      } else {
        elaborated.push(name);
        const el = elaborate(program, name, undefined, { resumable: true, previous: e?.el });
        if ('error' in el) e = { key, chunks, elabDiagnostics: el.error, analyzeDiagnostics: [] };
        else {
          if (el.reused) resumed.push(name);
          const { result, diagnostics: ds } = analyze(el, {}, el.reused ? e?.model : undefined);
          e = { key, chunks, model: result, el, elabDiagnostics: el.diagnostics, analyzeDiagnostics: ds };
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
    return { program, models, diagnostics: dedupe(diagnostics), elaborated, resumed, moves };
  }
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

function moveDiag(d: Diagnostic, mv: (s: Span) => Span): Diagnostic {
  return {
    ...d,
    ...(d.span ? { span: mv(d.span) } : {}),
    notes: d.notes.map((n) => (n.span ? { ...n, span: mv(n.span) } : n)),
    ...(d.fixes ? { fixes: d.fixes.map((f) => ({ ...f, edits: f.edits.map((x) => ({ ...x, span: mv(x.span) })) })) } : {}),
  };
}
