/**
 * A stand-in for the `vscode` module, with the part of its API that editors/vscode/extension.js uses, so
 * the client can be loaded and driven in Node: it records what the client registers and publishes.
 */
import Module from 'node:module';

type Listener<T> = (e: T) => void;

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}
export class Range {
  constructor(readonly start: Position, readonly end: Position) {}
}
export class Uri {
  private constructor(private readonly value: string) {}
  static parse(s: string): Uri {
    return new Uri(s);
  }
  static file(p: string): Uri {
    return new Uri(`file://${p}`);
  }
  toString(): string {
    return this.value;
  }
  /** The path part (decoded), as VS Code's `Uri.path`. */
  get path(): string {
    return decodeURIComponent(this.value.replace(/^[a-z]+:\/\/[^/]*/, ''));
  }
}
export class Location {
  constructor(readonly uri: Uri, readonly range: Range) {}
}
export class Diagnostic {
  code?: string | number;
  source?: string;
  relatedInformation?: unknown[];
  data?: unknown;
  constructor(readonly range: Range, readonly message: string, readonly severity: number) {}
}
export class DiagnosticRelatedInformation {
  constructor(readonly location: Location, readonly message: string) {}
}
export class MarkdownString {
  constructor(public value = '') {}
  appendText(s: string): this {
    this.value += s;
    return this;
  }
  appendCodeblock(s: string, lang = ''): this {
    this.value += `\n\`\`\`${lang}\n${s}\n\`\`\`\n`;
    return this;
  }
}
export class Hover {
  constructor(readonly contents: MarkdownString[], readonly range?: Range) {}
}
export class TextEdit {
  constructor(readonly range: Range, readonly newText: string) {}
}
export class CompletionItem {
  detail?: string;
  documentation?: unknown;
  insertText?: unknown;
  range?: Range;
  sortText?: string;
  filterText?: string;
  constructor(readonly label: string, readonly kind: number) {}
}
export class CompletionList {
  constructor(readonly items: CompletionItem[], readonly isIncomplete: boolean) {}
}
/** A code action kind: a dotted name, built by appending parts to the empty kind. */
export class CodeActionKind {
  static readonly Empty = new CodeActionKind('');
  static readonly QuickFix = new CodeActionKind('quickfix');
  static readonly Refactor = new CodeActionKind('refactor');
  static readonly RefactorRewrite = new CodeActionKind('refactor.rewrite');
  private constructor(readonly value: string) {}
  append(part: string): CodeActionKind {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
}
export class CodeAction {
  edit?: unknown;
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  constructor(readonly title: string, readonly kind?: CodeActionKind) {}
}
export class FoldingRange {
  constructor(readonly start: number, readonly end: number, readonly kind?: number) {}
}
export class SemanticTokensLegend {
  constructor(readonly tokenTypes: string[], readonly tokenModifiers: string[] = []) {}
}
export class SemanticTokens {
  constructor(readonly data: Uint32Array, readonly resultId?: string) {}
}
/** vscode.EventEmitter: `event` subscribes a listener, `fire` calls them. */
export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (l: Listener<T>) => {
    this.listeners.push(l);
    return { dispose: () => void (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}
class Simple {
  [k: string]: unknown;
  constructor(...args: unknown[]) {
    this.args = args;
  }
}

/** A workspace folder as VS Code describes it. */
export interface WorkspaceFolder {
  readonly uri: Uri;
  readonly name: string;
  readonly index: number;
}

/** A text document as VS Code hands it to extensions. */
export class TextDocument {
  version = 1;
  readonly languageId = 'nn';
  constructor(readonly uri: Uri, private text: string) {}
  getText(): string {
    return this.text;
  }
  setText(t: string): void {
    this.text = t;
    this.version++;
  }
}

export function createVscodeMock(settings: Record<string, unknown>) {
  const listeners = { open: [] as Listener<TextDocument>[], change: [] as Listener<unknown>[], close: [] as Listener<TextDocument>[], folders: [] as Listener<{ added: WorkspaceFolder[]; removed: WorkspaceFolder[] }>[], config: [] as Listener<{ affectsConfiguration(section: string): boolean }>[] };
  /** The file-system watchers the extension created: their glob, the events they ignore and their listeners. */
  type FileEvent = 'create' | 'change' | 'delete';
  const watchers: { glob: RegExp; ignore: Set<FileEvent>; on: Record<FileEvent, Listener<Uri>[]> }[] = [];
  /** A file-system event, as VS Code delivers it: to the watchers whose glob matches and that do not ignore it. */
  const fileEvent = (kind: FileEvent, uri: Uri) => {
    for (const w of watchers) if (w.glob.test(uri.path) && !w.ignore.has(kind)) for (const l of w.on[kind]) l(uri);
  };
  /** `**` and `*` of a glob pattern as a regular expression over a path. */
  const globRe = (g: string) => new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '(?:.*/)?')}$`);
  const published = new Map<string, Diagnostic[]>();
  const providers: Record<string, unknown> = {};
  const output: string[] = [];
  const errors: string[] = [];
  const documents: TextDocument[] = [];
  const disposable = { dispose() {} };
  /** Commands the extension registered, by name; documents it opened (untitled, with content) and showed. */
  const commands: Record<string, (...args: unknown[]) => unknown> = {};
  const opened: { language: string; content: string }[] = [];
  const shown: { doc: unknown; opts?: unknown }[] = [];
  /** The extra arguments of each registration (trigger characters, a semantic tokens legend, metadata). */
  const registered: Record<string, unknown[]> = {};
  const register = (name: string) => (_sel: unknown, provider: unknown, ...rest: unknown[]) => {
    providers[name] = provider;
    registered[name] = rest;
    return disposable;
  };
  const api = {
    Position, Range, Uri, Location, Diagnostic, DiagnosticRelatedInformation, MarkdownString, Hover, TextEdit, CompletionItem, CompletionList,
    SignatureHelp: Simple, SignatureInformation: Simple, ParameterInformation: Simple, DocumentSymbol: Simple, SymbolInformation: Simple, SelectionRange: Simple,
    FoldingRange, EventEmitter, DocumentHighlight: Simple, CodeAction, CodeLens: Simple, InlayHint: Simple, SnippetString: Simple, SemanticTokens, SemanticTokensLegend,
    WorkspaceEdit: class {
      readonly edits: { uri: string; range: Range; newText: string }[] = [];
      replace(uri: Uri, range: Range, newText: string) {
        this.edits.push({ uri: uri.toString(), range, newText });
      }
    },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    CodeActionKind,
    FoldingRangeKind: { Comment: 1, Imports: 2, Region: 3 },
    workspace: {
      workspaceFolders: [],
      textDocuments: documents,
      getConfiguration: (section?: string) => ({ get: (key: string, dflt?: unknown) => settings[section ? `${section}.${key}` : key] ?? dflt }),
      onDidOpenTextDocument: (l: Listener<TextDocument>) => (listeners.open.push(l), disposable),
      onDidChangeTextDocument: (l: Listener<unknown>) => (listeners.change.push(l), disposable),
      onDidCloseTextDocument: (l: Listener<TextDocument>) => (listeners.close.push(l), disposable),
      onDidChangeConfiguration: (l: Listener<{ affectsConfiguration(section: string): boolean }>) => (listeners.config.push(l), disposable),
      onDidChangeWorkspaceFolders: (l: Listener<{ added: WorkspaceFolder[]; removed: WorkspaceFolder[] }>) => (listeners.folders.push(l), disposable),
      applyEdit: async () => true,
      openTextDocument: async (o: { language: string; content: string }) => (opened.push(o), o),
      createFileSystemWatcher: (glob: string, ignoreCreate = false, ignoreChange = false, ignoreDelete = false) => {
        const w = { glob: globRe(`/${glob}`), ignore: new Set<FileEvent>([...(ignoreCreate ? ['create' as const] : []), ...(ignoreChange ? ['change' as const] : []), ...(ignoreDelete ? ['delete' as const] : [])]), on: { create: [] as Listener<Uri>[], change: [] as Listener<Uri>[], delete: [] as Listener<Uri>[] } };
        watchers.push(w);
        return {
          onDidCreate: (l: Listener<Uri>) => (w.on.create.push(l), disposable),
          onDidChange: (l: Listener<Uri>) => (w.on.change.push(l), disposable),
          onDidDelete: (l: Listener<Uri>) => (w.on.delete.push(l), disposable),
          dispose() {},
        };
      },
    },
    window: {
      createOutputChannel: () => ({ append: (s: string) => output.push(s), appendLine: (s: string) => output.push(`${s}\n`), dispose() {} }),
      showErrorMessage: (s: string) => (errors.push(s), undefined),
      showWarningMessage: () => undefined,
      showInformationMessage: () => undefined,
      showTextDocument: async (doc: unknown, opts?: unknown) => (shown.push({ doc, opts }), undefined),
      activeTextEditor: undefined as { document: TextDocument } | undefined,
    },
    ViewColumn: { Active: -1, Beside: -2 },
    languages: {
      createDiagnosticCollection: () => ({
        set: (uri: Uri, ds: Diagnostic[]) => published.set(uri.toString(), ds),
        delete: (uri: Uri) => published.delete(uri.toString()),
        clear: () => published.clear(),
        dispose() {},
      }),
      registerHoverProvider: register('hover'),
      registerCompletionItemProvider: register('completion'),
      registerSignatureHelpProvider: register('signatureHelp'),
      registerDefinitionProvider: register('definition'),
      registerReferenceProvider: register('references'),
      registerDocumentHighlightProvider: register('documentHighlight'),
      registerRenameProvider: register('rename'),
      registerDocumentSymbolProvider: register('documentSymbol'),
      registerFoldingRangeProvider: register('foldingRange'),
      registerSelectionRangeProvider: register('selectionRange'),
      registerDocumentFormattingEditProvider: register('formatting'),
      registerDocumentRangeFormattingEditProvider: register('rangeFormatting'),
      registerWorkspaceSymbolProvider: (provider: unknown, ...rest: unknown[]) => register('workspaceSymbol')(undefined, provider, ...rest),
      registerCodeActionsProvider: register('codeAction'),
      registerInlayHintsProvider: register('inlayHint'),
      registerCodeLensProvider: register('codeLens'),
      registerDocumentSemanticTokensProvider: register('semanticTokens'),
    },
    commands: { registerCommand: (name: string, run: (...args: unknown[]) => unknown) => ((commands[name] = run), disposable), executeCommand: async () => undefined },
  };
  return { api, listeners, fileEvent, published, providers, registered, output, errors, documents, commands, opened, shown };
}

/** Loads extension.js with `require('vscode')` answered by `api`. */
export function loadExtension(path: string, api: unknown): { activate(ctx: unknown): Promise<void>; deactivate(): Promise<void>; Connection: new (...a: unknown[]) => unknown } {
  const M = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const original = M._load;
  M._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return api;
    return original.call(this, request, ...rest);
  };
  try {
    const req = Module.createRequire(path);
    delete req.cache[req.resolve(path)];
    return req(path);
  } finally {
    M._load = original;
  }
}

/** Polls `f` until it gives a value (or throws after `ms`, with the server's output from `mock.output`). */
export const untilWith =
  (output: readonly string[]) =>
  async <T>(what: string, f: () => T | undefined, ms = 20_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = f();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; server output:\n${output.join('')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
