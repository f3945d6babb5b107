/**
 * The language server's queries: hover, completion, navigation, rename, symbols, tokens, hints, lenses,
 * code actions and formatting. Each converts a request to the service's offsets and its answer back to
 * LSP; none computes. The document state and scheduling stay in server.ts.
 */
import {
  CodeActionKind, CompletionItemKind, DocumentHighlightKind, ErrorCodes, FoldingRangeKind, InlayHintKind, LSPErrorCodes, MarkupKind, ResponseError, SymbolKind, type Connection, type SelectionRange,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  TOKEN_MODIFIERS, TOKEN_TYPES, codeActions, codeLenses, completion, definition, documentSymbols, exportedAt, foldingRanges, highlights, hover, inlayHints,
  prepareRename, references, referencesInImporters, rename, renameInImporters, semanticTokens, signatureHelp, type Analysis, type Completion, type DocumentSymbol, type LanguageService, type OffsetEdit, type WorkspaceSymbol,
  formatRange, minimalEdit, organizeImports, selectionRanges,
} from '../service/index.js';
import { summarize } from '../checker/summary.js';
import { renderMarkdown, renderTable } from '../cli/render-summary.js';
import { formatText } from '../syntax/printer.js';
import { offsetAt, offsetsRange, spanRange, toLspDiagnostic } from './convert.js';
import type { RefreshKind } from './refresh.js';
import type { View } from './view.js';
import { WorkspaceSymbols, importerFiles } from './workspace.js';

const COMPLETION_KIND: Record<Completion['kind'], CompletionItemKind> = {
  layer: CompletionItemKind.Function, block: CompletionItemKind.Class, keyword: CompletionItemKind.Keyword, kwarg: CompletionItemKind.Property,
  tensor: CompletionItemKind.Variable, variable: CompletionItemKind.Variable, constant: CompletionItemKind.Constant, model: CompletionItemKind.Module,
  type: CompletionItemKind.TypeParameter, module: CompletionItemKind.Module,
};
/** The client command a model's code lens runs when the client has it (initializationOptions.summaryCommand). */
export const SUMMARY_COMMAND = 'dslc.showSummary';

const SYMBOL_KIND: Record<DocumentSymbol['kind'] | WorkspaceSymbol['kind'], SymbolKind> = { model: SymbolKind.Module, block: SymbolKind.Class, const: SymbolKind.Constant, import: SymbolKind.Namespace, variable: SymbolKind.Variable };

/** What the queries need from the server: its service, the open documents, and its settings. */
export interface QueryContext {
  readonly service: LanguageService;
  /** The open document a request names (InvalidParams otherwise). */
  docOf(p: { textDocument?: { uri?: unknown } } | undefined): TextDocument;
  /** Its last analysis (checked now if none): may be of an older text while an edit waits for its check. */
  open(p: { textDocument?: { uri?: unknown } } | undefined): Analysis;
  /** Its analysis of the current text (checked now when an edit has not been): for answers that edit or navigate. */
  fresh(p: { textDocument?: { uri?: unknown } } | undefined): Analysis;
  /** Its last analysis seen through its current text (offsets mapped across an edit not yet checked). */
  view(p: { textDocument?: { uri?: unknown } } | undefined): View;
  /** A request's position (InvalidParams when missing). */
  positionOf(p: { position?: unknown }): { line: number; character: number };
  pathOf(uri: string): string;
  /** A file's one path (its real path): what `pathOf` gives and the checks' modules are keyed by. */
  canonical(path: string): string;
  /** A file's URI: that of its open document (as the editor spelt it) if it is open. */
  uriOf(path: string): string;
  config(): { readonly inlayHints: boolean; readonly codeLens: boolean; readonly summaryCommand?: boolean };
  /** The workspace folders' paths (rename reaches their files that import a renamed declaration). */
  roots(): readonly string[];
  /** The open documents' paths and texts. */
  openTexts(): ReadonlyMap<string, string>;
  /** The client got `kind` for `uri` from `a` (the server then need not ask it to refresh that kind). */
  served(kind: RefreshKind, uri: string, a: Analysis): void;
}

/** Registers every query handler on `conn`. */
/**
 * Registers the requests answered from the last check (and workspace symbols). Returns what the server tells
 * them: `filesCreatedOrDeleted`, when the client's file watcher reports `.nn` files created or deleted.
 */
export function registerQueries(conn: Connection, q: QueryContext): { filesCreatedOrDeleted(): void } {
  /** The last completion list sent (its items' docs are sent on completionItem/resolve). */
  let lastCompletion: readonly Completion[] = [];
  const fileOf = (a: Analysis) => a.result.program.root.file;
  const at = (a: Analysis, p: { line: number; character: number }) => offsetAt(fileOf(a), p.line, p.character);
  const loc = (s: { file: string } & Parameters<typeof spanRange>[0]) => ({ uri: q.uriOf(s.file), range: spanRange(s) });
  const uriFor = (a: Analysis, uri: string, file: string) => (file === a.path ? uri : q.uriOf(file));

  conn.onHover((p) => {
    const v = q.view(p);
    const o = v.toOld(q.docOf(p).offsetAt(q.positionOf(p)));
    const h = o === undefined ? undefined : hover(v.a, o);
    const range = h && v.range(h.start, h.end);
    return h && range ? { contents: { kind: MarkupKind.Markdown, value: h.contents }, range } : null;
  });
  conn.onCompletion((p) => {
    const doc = q.docOf(p);
    const path = q.pathOf(p.textDocument.uri);
    // (The trigger: after a space typed where nothing can follow, the list stays closed.)
    const items = completion(q.service.last(path), doc.getText(), doc.offsetAt(q.positionOf(p)), q.service.moduleHost(), path, p.context?.triggerCharacter);
    // Docs go out when the editor shows an item (completionItem/resolve): a list of every layer with its
    // docs was ~30 KB per keystroke.
    lastCompletion = items;
    return items.map((c, i) => ({
      label: c.label, kind: COMPLETION_KIND[c.kind], sortText: `${c.rank}${c.label}`,
      ...(c.detail ? { detail: c.detail } : {}), ...(c.insertText ? { insertText: c.insertText } : {}), ...(c.doc ? { data: { i, label: c.label } } : {}),
      ...(c.additionalEdits ? { additionalTextEdits: c.additionalEdits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText })) } : {}),
    }));
  });
  conn.onCompletionResolve((item) => {
    const d = item.data as { i?: unknown; label?: unknown } | undefined;
    const c = typeof d?.i === 'number' ? lastCompletion[d.i] : undefined;
    return c && c.label === d!.label && c.doc ? { ...item, documentation: { kind: MarkupKind.Markdown, value: c.doc } } : item;
  });
  conn.onSignatureHelp((p) => {
    const doc = q.docOf(p);
    const s = signatureHelp(q.service.last(q.pathOf(p.textDocument.uri)), doc.getText(), doc.offsetAt(q.positionOf(p)));
    if (!s) return null;
    return { signatures: [{ label: s.label, ...(s.doc ? { documentation: s.doc } : {}), parameters: s.params.map((x) => ({ label: x.label, ...(x.doc ? { documentation: x.doc } : {}) })) }], activeSignature: 0, ...(s.activeParam !== undefined ? { activeParameter: s.activeParam } : {}) };
  });
  conn.onDefinition((p) => {
    const a = q.fresh(p);
    return definition(a, at(a, q.positionOf(p))).map(loc);
  });
  // The files of the workspace (and open documents) other than the document's program, for rename and references.
  const others = (a: Analysis) => ({ files: importerFiles(q.roots(), q.openTexts(), q.canonical), skip: new Set(a.result.program.modules.keys()) });
  conn.onReferences((p) => {
    const a = q.fresh(p);
    const offset = at(a, q.positionOf(p));
    const withDecl = p.context?.includeDeclaration ?? true;
    const spans = references(a, offset, withDecl);
    // What other files may import: their uses too, so that the answer is the same from either side of an import.
    const target = spans.length ? exportedAt(a, offset, true) : undefined;
    if (target) {
      const { files, skip } = others(a);
      spans.push(...referencesInImporters(q.service.moduleHost(), files, target, skip, withDecl));
    }
    return spans.map((s) => ({ uri: uriFor(a, p.textDocument.uri, s.file), range: spanRange(s) }));
  });
  conn.onDocumentHighlight((p) => {
    const v = q.view(p);
    const o = v.toOld(q.docOf(p).offsetAt(q.positionOf(p)));
    return (o === undefined ? [] : highlights(v.a, o)).flatMap((h) => {
      const range = v.range(h.start, h.end);
      return range ? [{ range, kind: h.kind === 'write' ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }] : [];
    });
  });
  conn.onPrepareRename((p) => {
    const a = q.fresh(p);
    const r = prepareRename(a, at(a, q.positionOf(p)));
    if ('error' in r) throw new ResponseError(LSPErrorCodes.RequestFailed, r.error);
    return { range: offsetsRange(fileOf(a), r.start, r.end), placeholder: r.name };
  });
  conn.onRenameRequest((p) => {
    const a = q.fresh(p);
    if (typeof p.newName !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'the request has no newName');
    const offset = at(a, q.positionOf(p));
    const r = rename(a, offset, p.newName);
    // (RequestFailed: the request was valid, but this rename would break or change the program.)
    if (r.error || !r.edits) throw new ResponseError(LSPErrorCodes.RequestFailed, r.error ?? 'cannot rename');
    const edits = [...r.edits];
    // A block, model or constant other files may import, or a block's parameter (their calls' `name=`): the
    // open documents and workspace files that import it are renamed too.
    const exported = r.edits.length ? exportedAt(a, offset) : undefined;
    if (exported) {
      const { files, skip } = others(a);
      const more = renameInImporters(q.service.moduleHost(), files, exported, p.newName, skip);
      if (more.error) throw new ResponseError(LSPErrorCodes.RequestFailed, more.error);
      edits.push(...(more.edits ?? []));
    }
    const changes: Record<string, { range: ReturnType<typeof spanRange>; newText: string }[]> = {};
    for (const e of edits) (changes[uriFor(a, p.textDocument.uri, e.span.file)] ??= []).push({ range: spanRange(e.span), newText: e.newText });
    return { changes };
  });
  conn.onDocumentSymbol((p) => {
    const v = q.view(p);
    const conv = (s: DocumentSymbol): import('vscode-languageserver/node').DocumentSymbol[] => {
      const range = v.range(s.start, s.end);
      const selectionRange = v.range(s.selStart, s.selEnd);
      return range && selectionRange ? [{ name: s.name, kind: SYMBOL_KIND[s.kind], ...(s.detail ? { detail: s.detail } : {}), range, selectionRange, children: s.children.flatMap(conv) }] : [];
    };
    return documentSymbols(v.a).flatMap(conv);
  });
  const workspaceSymbols = new WorkspaceSymbols(q.canonical);
  conn.onWorkspaceSymbol((p) => {
    if (typeof p?.query !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'the request has no query');
    return workspaceSymbols.query(q.roots(), q.openTexts(), p.query).map((s) => ({ name: s.name, kind: SYMBOL_KIND[s.kind], location: { uri: q.uriOf(s.span.file), range: spanRange(s.nameSpan) }, containerName: s.container }));
  });
  conn.onSelectionRanges((p) => {
    // The editor's text as it is now (an edit may not be checked yet): ranges of an older text would be off.
    const doc = q.docOf(p);
    if (!Array.isArray(p.positions)) throw new ResponseError(ErrorCodes.InvalidParams, 'the request has no positions');
    const text = doc.getText();
    const offsets = p.positions.map((pos) => doc.offsetAt(q.positionOf({ position: pos })));
    return selectionRanges(text, q.service.syntax(q.pathOf(p.textDocument.uri), text), offsets).map((rs) =>
      rs.reduceRight<SelectionRange | undefined>((parent, r) => ({ range: { start: doc.positionAt(r.start), end: doc.positionAt(r.end) }, ...(parent ? { parent } : {}) }), undefined)!,
    );
  });
  conn.onFoldingRanges((p) => {
    const v = q.view(p);
    q.served('foldingRange', p.textDocument.uri, v.a);
    const starts = fileOf(v.a).lineStarts;
    return foldingRanges(v.a).flatMap((r) => {
      const range = v.range(starts[r.startLine]!, starts[r.endLine]!);
      return range ? [{ startLine: range.start.line, endLine: range.end.line, ...(r.kind === 'comment' ? { kind: FoldingRangeKind.Comment } : {}) }] : [];
    });
  });
  conn.languages.semanticTokens.on((p) => {
    const v = q.view(p);
    q.served('semanticTokens', p.textDocument.uri, v.a);
    const data: number[] = [];
    let pl = 0;
    let pc = 0;
    for (const t of semanticTokens(v.a)) {
      // (A token at the edit's edges is left out until the check: `relu` edited to `g` is not a 4-wide token.)
      if (v.touches(t.start, t.end)) continue;
      const s = v.range(t.start, t.end);
      if (!s || s.start.line !== s.end.line) continue;
      data.push(s.start.line - pl, s.start.line === pl ? s.start.character - pc : s.start.character, s.end.character - s.start.character, TOKEN_TYPES.indexOf(t.type), t.modifiers.reduce((m, x) => m | (1 << TOKEN_MODIFIERS.indexOf(x)), 0));
      pl = s.start.line;
      pc = s.start.character;
    }
    return { data };
  });
  conn.languages.inlayHint.on((p) => {
    const v = q.view(p);
    q.served('inlayHint', p.textDocument.uri, v.a);
    if (!q.config().inlayHints) return [];
    const doc = q.docOf(p);
    // The requested range in the analysis' text (an end inside the changed region: that region's edge).
    const from = doc.offsetAt(q.positionOf({ position: p.range?.start }));
    const to = doc.offsetAt(q.positionOf({ position: p.range?.end }));
    const a = v.a;
    return inlayHints(a, v.toOld(from) ?? 0, v.toOld(to) ?? a.text.length).flatMap((h) => {
      const position = v.position(h.offset);
      return position ? [{ position, label: h.label, kind: InlayHintKind.Type, paddingLeft: true, ...(h.tooltip ? { tooltip: h.tooltip } : {}) }] : [];
    });
  });
  conn.onCodeLens((p) => {
    const v = q.view(p);
    q.served('codeLens', p.textDocument.uri, v.a);
    if (!q.config().codeLens) return [];
    // A model's lens opens its summary where the client has that command (the VS Code extension says so).
    const open = q.config().summaryCommand;
    return codeLenses(v.a).flatMap((l) => {
      const range = v.range(l.start, l.end);
      return range ? [{ range, command: open && l.model ? { title: l.title, command: SUMMARY_COMMAND, arguments: [p.textDocument.uri, l.model] } : { title: l.title, command: '' } }] : [];
    });
  });
  /**
   * `dslc/summary`: a model's layer-by-layer summary, as `dslc summary` prints it (Markdown or the text table),
   * from the current text; the model by name, else the file's first.
   */
  conn.onRequest('dslc/summary', (p: { textDocument?: { uri?: unknown }; model?: unknown; format?: unknown }) => {
    const a = q.fresh(p);
    const m = typeof p.model === 'string' ? a.result.models.find((x) => x.graph.name === p.model) : a.result.models[0];
    if (!m) throw new ResponseError(LSPErrorCodes.RequestFailed, typeof p.model === 'string' ? `no checked model '${p.model}' in this file (it has errors, or another name)` : 'this file has no checked model');
    const s = summarize(m);
    return { model: m.graph.name, text: p.format === 'table' ? renderTable(s) : renderMarkdown(s) };
  });
  conn.onCodeAction((p) => {
    const a = q.open(p);
    // Edits computed on an older text would land in the wrong place: none until the edit is checked (editors
    // ask again as the cursor moves; checking here would defeat the debounce, they ask on every keystroke).
    if (a.text !== q.docOf(p).getText()) return [];
    // `only` asks for some kinds: `refactor` covers `refactor.rewrite` (LSP kinds are dotted hierarchies).
    const only = p.context?.only;
    const wanted = (kind: string) => !only?.length || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const kindOf = (x: { kind: string }) => (x.kind === 'quickfix' ? CodeActionKind.QuickFix : x.kind === 'source.organizeImports' ? CodeActionKind.SourceOrganizeImports : CodeActionKind.RefactorRewrite);
    // Source actions (the whole file's) only when asked for by kind, as editors do from their source menu.
    const organize = only?.some((k) => k === 'source' || k === CodeActionKind.SourceOrganizeImports) ? organizeImports(a) : undefined;
    const actions = [...codeActions(a, at(a, q.positionOf({ position: p.range?.start })), at(a, q.positionOf({ position: p.range?.end }))), ...(organize ? [organize] : [])];
    return actions.filter((x) => wanted(kindOf(x))).map((x) => ({
      title: x.title, kind: kindOf(x), ...(x.preferred ? { isPreferred: true } : {}),
      ...(x.diagnostic ? { diagnostics: [toLspDiagnostic(x.diagnostic, offsetsRange(fileOf(a), 0, 0), q.uriOf)] } : {}),
      edit: { changes: Object.fromEntries([[p.textDocument.uri, x.edits.map((e) => ({ range: spanRange(e.span), newText: e.newText }))]]) },
    }));
  });
  // (Both answer with the changed middle only: the editor keeps its markers and undo steps on the rest.)
  const textEdits = (doc: TextDocument, edits: readonly OffsetEdit[]) => edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText }));
  conn.onDocumentFormatting((p) => {
    const doc = q.docOf(p);
    const text = doc.getText();
    const r = formatText(text, q.pathOf(p.textDocument.uri));
    return r.result === undefined ? [] : textEdits(doc, minimalEdit(text, r.result));
  });
  conn.onDocumentRangeFormatting((p) => {
    const doc = q.docOf(p);
    const r = p.range as { start?: unknown; end?: unknown } | undefined;
    const start = doc.offsetAt(q.positionOf({ position: r?.start }));
    const end = doc.offsetAt(q.positionOf({ position: r?.end }));
    return textEdits(doc, formatRange(doc.getText(), q.pathOf(p.textDocument.uri), Math.min(start, end), Math.max(start, end)));
  });
  return { filesCreatedOrDeleted: () => workspaceSymbols.forgetListing() };
}
