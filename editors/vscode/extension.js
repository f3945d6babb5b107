// The VS Code client of the dslc language server (`dslc lsp --stdio`).
//
// A small LSP client written against the VS Code API, without `vscode-languageclient`: that package is
// not a dependency of dslc and the .vsix is built offline (scripts/package-vscode.mjs), so the client
// speaks JSON-RPC over the server's stdio itself (Content-Length framing) and maps the LSP features
// dslc serves onto VS Code providers: diagnostics, hover, completion, signature help, definition,
// references, rename, document and workspace symbols, folding and selection ranges, formatting (a
// document or a selection), code actions, semantic tokens, inlay hints and code lenses. The connection
// and the spawn decision are in connection.js.
'use strict';
const vscode = require('vscode');
const { spawn } = require('child_process');
const { existsSync } = require('fs');
const path = require('path');
const { Connection, spawnPlan } = require('./connection');

const LANGUAGE = 'nn';
const SELECTOR = [{ language: LANGUAGE }];

/** The command that starts the server: the setting, else the bundled server, else `dslc` on the PATH. */
function serverCommand(context) {
  const cfg = vscode.workspace.getConfiguration('dslc');
  const args = cfg.get('server.args') || ['lsp', '--stdio'];
  const configured = cfg.get('server.path');
  if (configured) return { command: configured, args, env: process.env };
  const bundled = path.join(context.extensionPath, 'server', 'bin', 'dslc.cjs');
  // VS Code's own runtime runs the bundled server as plain Node.
  if (existsSync(bundled)) return { command: process.execPath, args: [bundled, ...args], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } };
  return { command: process.platform === 'win32' ? 'dslc.cmd' : 'dslc', args, env: process.env };
}

// ---- LSP ↔ VS Code conversions ------------------------------------------------------------------

const toPosition = (p) => new vscode.Position(p.line, p.character);
const toRange = (r) => new vscode.Range(toPosition(r.start), toPosition(r.end));
const fromPosition = (p) => ({ line: p.line, character: p.character });
const fromRange = (r) => ({ start: fromPosition(r.start), end: fromPosition(r.end) });
const toLocation = (l) => new vscode.Location(vscode.Uri.parse(l.uri), toRange(l.range));
const toEdit = (e) => new vscode.TextEdit(toRange(e.range), e.newText);
const docParams = (doc, pos) => ({ textDocument: { uri: doc.uri.toString() }, ...(pos ? { position: fromPosition(pos) } : {}) });

function toMarkdown(contents) {
  const parts = Array.isArray(contents) ? contents : [contents];
  return parts.map((c) => {
    if (typeof c === 'string') return new vscode.MarkdownString(c);
    if (c.kind) return c.kind === 'markdown' ? new vscode.MarkdownString(c.value) : new vscode.MarkdownString().appendText(c.value);
    return new vscode.MarkdownString().appendCodeblock(c.value, c.language);
  });
}

function toDiagnostic(d) {
  const sev = [undefined, vscode.DiagnosticSeverity.Error, vscode.DiagnosticSeverity.Warning, vscode.DiagnosticSeverity.Information, vscode.DiagnosticSeverity.Hint][d.severity || 1];
  const out = new vscode.Diagnostic(toRange(d.range), d.message, sev);
  if (d.code !== undefined) out.code = d.code;
  out.source = d.source || 'dslc';
  if (d.relatedInformation) out.relatedInformation = d.relatedInformation.map((r) => new vscode.DiagnosticRelatedInformation(toLocation(r.location), r.message));
  if (d.tags) out.tags = d.tags; // (the same numbers in LSP and VS Code: 1 unnecessary, 2 deprecated)
  out.data = d.data;
  return out;
}

/**
 * A VS Code diagnostic in LSP form, as the server expects in a code action's context. Built from the
 * diagnostic's fields: the ones VS Code hands to a code action provider are copies, without any property
 * the client added when it published them.
 */
function fromDiagnostic(x) {
  const code = x.code !== null && typeof x.code === 'object' ? x.code.value : x.code;
  return {
    range: fromRange(x.range),
    message: x.message,
    severity: x.severity === undefined ? 1 : x.severity + 1, // VS Code counts from Error = 0, LSP from Error = 1
    ...(code !== undefined && code !== null ? { code } : {}),
    ...(x.source ? { source: x.source } : {}),
    ...(x.tags && x.tags.length ? { tags: x.tags } : {}),
    ...(x.relatedInformation && x.relatedInformation.length
      ? { relatedInformation: x.relatedInformation.map((r) => ({ location: { uri: r.location.uri.toString(), range: fromRange(r.location.range) }, message: r.message })) }
      : {}),
    ...(x.data !== undefined ? { data: x.data } : {}),
  };
}

/** The `textDocument/codeAction` request for a VS Code code action context: its diagnostics, `only` and trigger. */
function codeActionParams(doc, range, ctx) {
  return {
    ...docParams(doc),
    range: fromRange(range),
    context: {
      diagnostics: (ctx.diagnostics || []).map(fromDiagnostic),
      ...(ctx.only ? { only: [ctx.only.value] } : {}),
      ...(ctx.triggerKind ? { triggerKind: ctx.triggerKind } : {}), // (1 invoked, 2 automatic in both)
    },
  };
}

/** An LSP code action kind (`quickfix`, `refactor.rewrite`, …) as a VS Code CodeActionKind. */
const toCodeActionKind = (k) => (k ? k.split('.').reduce((kind, part) => kind.append(part), vscode.CodeActionKind.Empty) : undefined);

/** An LSP code action (with an edit) as a VS Code one, bound to the diagnostics it fixes. */
function toCodeAction(a) {
  const action = new vscode.CodeAction(a.title, toCodeActionKind(a.kind));
  action.edit = toWorkspaceEdit(a.edit);
  if (a.diagnostics) action.diagnostics = a.diagnostics.map(toDiagnostic);
  if (a.isPreferred) action.isPreferred = true;
  return action;
}

const FOLDING_KINDS = { comment: 'Comment', imports: 'Imports', region: 'Region' };
/** An LSP folding range as a VS Code one, its kind (comment, imports, region) kept. */
const toFoldingRange = (f) => new vscode.FoldingRange(f.startLine, f.endLine, f.kind && FOLDING_KINDS[f.kind] ? vscode.FoldingRangeKind[FOLDING_KINDS[f.kind]] : undefined);

function toWorkspaceEdit(we) {
  const edit = new vscode.WorkspaceEdit();
  if (!we) return edit;
  for (const [uri, edits] of Object.entries(we.changes || {})) for (const e of edits) edit.replace(vscode.Uri.parse(uri), toRange(e.range), e.newText);
  for (const dc of we.documentChanges || []) if (dc.textDocument) for (const e of dc.edits) edit.replace(vscode.Uri.parse(dc.textDocument.uri), toRange(e.range), e.newText);
  return edit;
}

function toSymbol(s) {
  const kind = Math.max(0, (s.kind || 1) - 1);
  if (s.location) return new vscode.SymbolInformation(s.name, kind, s.containerName || '', toLocation(s.location));
  const out = new vscode.DocumentSymbol(s.name, s.detail || '', kind, toRange(s.range), toRange(s.selectionRange));
  out.children = (s.children || []).map(toSymbol);
  return out;
}

function toCompletion(c) {
  const item = new vscode.CompletionItem(c.label, Math.max(0, (c.kind || 1) - 1));
  if (c.detail) item.detail = c.detail;
  if (c.documentation) item.documentation = toMarkdown(c.documentation)[0];
  if (c.insertText) item.insertText = c.insertTextFormat === 2 ? new vscode.SnippetString(c.insertText) : c.insertText;
  if (c.textEdit && c.textEdit.range) {
    item.range = toRange(c.textEdit.range);
    item.insertText = c.insertTextFormat === 2 ? new vscode.SnippetString(c.textEdit.newText) : c.textEdit.newText;
  }
  if (c.sortText) item.sortText = c.sortText;
  if (c.filterText) item.filterText = c.filterText;
  // (An import the item brings in with it.)
  if (c.additionalTextEdits) item.additionalTextEdits = c.additionalTextEdits.map(toEdit);
  return item;
}

// ---- the client ---------------------------------------------------------------------------------

let client;
/** The server's completion item behind each VS Code one (completionItem/resolve sends it back). */
const lspItems = new WeakMap();

/** Semantic token data (5 numbers a token, lines and columns relative) without the tokens of the `drop` types. */
function namesOnly(data, drop) {
  const out = [];
  let line = 0;
  let col = 0;
  let pl = 0;
  let pc = 0;
  for (let i = 0; i + 4 < data.length; i += 5) {
    line += data[i];
    col = data[i] ? data[i + 1] : col + data[i + 1];
    if (drop.has(data[i + 3])) continue;
    out.push(line - pl, line === pl ? col - pc : col, data[i + 2], data[i + 3], data[i + 4]);
    pl = line;
    pc = col;
  }
  return out;
}

class Client {
  /** A restarted client keeps the output channel and diagnostics of the one before (one of each per window). */
  constructor(context, previous) {
    this.context = context;
    this.output = previous ? previous.output : vscode.window.createOutputChannel('dslc');
    this.diagnostics = previous ? previous.diagnostics : vscode.languages.createDiagnosticCollection('dslc');
    this.disposables = [];
    this.versions = new Map();
  }

  async start() {
    const { command, args, env } = serverCommand(this.context);
    const trace = vscode.workspace.getConfiguration('dslc').get('trace.server');
    this.output.appendLine(`starting ${command} ${args.join(' ')}`);
    const plan = spawnPlan(command, args, process.platform);
    const child = spawn(plan.command, plan.args, { env, stdio: ['pipe', 'pipe', 'pipe'], shell: plan.shell, windowsHide: true });
    this.child = child;
    child.stderr.on('data', (d) => this.output.append(d.toString()));
    child.on('error', (e) => {
      // (A spawn that fails emits `error`, not `exit`: without this, `initialize` would wait forever.)
      this.conn.failAll(`the language server did not start: ${e.message}`);
      vscode.window.showErrorMessage(`dslc: cannot start the language server (${command}): ${e.message}. Set "dslc.server.path".`);
    });
    child.on('exit', (code, signal) => {
      this.conn.failAll('the language server stopped');
      if (this.stopping) return;
      this.output.appendLine(`the language server stopped (${signal || code})`);
      // Its diagnostics are no longer kept up to date: clear them, and offer a restart.
      this.diagnostics.clear();
      void Promise.resolve(vscode.window.showErrorMessage(`dslc: the language server stopped (${signal || code}).`, 'Restart')).then((choice) => {
        if (choice === 'Restart') void vscode.commands.executeCommand('dslc.restartServer');
      });
    });
    const conn = new Connection(child, (dir, msg) => trace && this.output.appendLine(`${dir} ${JSON.stringify(msg)}`));
    this.conn = conn;
    conn.on('textDocument/publishDiagnostics', (p) => this.diagnostics.set(vscode.Uri.parse(p.uri), p.diagnostics.map(toDiagnostic)));
    conn.on('window/logMessage', (p) => this.output.appendLine(p.message));
    conn.on('window/showMessage', (p) => (p.type === 1 ? vscode.window.showErrorMessage : p.type === 2 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(p.message));
    conn.on('workspace/configuration', (p) => (p.items || []).map((i) => (i.section ? vscode.workspace.getConfiguration().get(i.section) : null) ?? null));
    conn.on('client/registerCapability', () => null);
    conn.on('window/workDoneProgress/create', () => null);
    conn.on('workspace/applyEdit', async (p) => ({ applied: await vscode.workspace.applyEdit(toWorkspaceEdit(p.edit)) }));
    const folders = vscode.workspace.workspaceFolders || [];
    const settings = vscode.workspace.getConfiguration('dslc');
    const init = await conn.request('initialize', {
      processId: process.pid,
      // The server's own options (README, "Language server"): the settings of the same names.
      initializationOptions: { inlayHints: settings.get('inlayHints', true), codeLens: settings.get('codeLens', true), diagnosticsCache: settings.get('diagnosticsCache', true), warmUp: settings.get('warmUp', true), summaryCommand: true },
      clientInfo: { name: 'dslc-vscode' },
      rootUri: folders[0] ? folders[0].uri.toString() : null,
      workspaceFolders: folders.map((f) => ({ uri: f.uri.toString(), name: f.name })),
      capabilities: {
        textDocument: {
          synchronization: { didSave: false, dynamicRegistration: false },
          publishDiagnostics: { relatedInformation: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
          signatureHelp: { signatureInformation: { documentationFormat: ['markdown', 'plaintext'] } },
          definition: {},
          references: {},
          rename: { prepareSupport: true },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          foldingRange: { foldingRangeKind: { valueSet: ['comment', 'imports', 'region'] } },
          formatting: {},
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.extract', 'refactor.inline', 'refactor.rewrite', 'source', 'source.organizeImports'] } }, isPreferredSupport: true },
          semanticTokens: {
            requests: { full: true },
            // LSP's standard types and modifiers, all of which VS Code themes know.
            tokenTypes: ['namespace', 'type', 'class', 'enum', 'interface', 'struct', 'typeParameter', 'parameter', 'variable', 'property', 'enumMember', 'event', 'function', 'method', 'macro', 'keyword', 'modifier', 'comment', 'string', 'number', 'regexp', 'operator', 'decorator'],
            tokenModifiers: ['declaration', 'definition', 'readonly', 'static', 'deprecated', 'abstract', 'async', 'modification', 'documentation', 'defaultLibrary'],
            formats: ['relative'],
          },
          inlayHint: {},
          codeLens: {},
        },
        // (The server asks for hints, lenses and tokens again when a check or a setting changed them.)
        workspace: { configuration: true, applyEdit: true, workspaceFolders: true, inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true }, semanticTokens: { refreshSupport: true }, foldingRange: { refreshSupport: true } },
      },
    });
    conn.notify('initialized', {});
    // Settings changed while running: the server's display options go to it; the others need a restart.
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('dslc')) return;
      const now = vscode.workspace.getConfiguration('dslc');
      if (e.affectsConfiguration('dslc.inlayHints') || e.affectsConfiguration('dslc.codeLens'))
        conn.notify('workspace/didChangeConfiguration', { settings: { dslc: { inlayHints: now.get('inlayHints', true), codeLens: now.get('codeLens', true) } } });
      if (['dslc.server', 'dslc.diagnosticsCache', 'dslc.warmUp', 'dslc.trace'].some((k) => e.affectsConfiguration(k)))
        void Promise.resolve(vscode.window.showInformationMessage('dslc: restart the language server to apply the new settings.', 'Restart')).then((choice) => {
          if (choice === 'Restart') void vscode.commands.executeCommand('dslc.restartServer');
        });
    }));
    this.capabilities = (init && init.capabilities) || {};
    const sync = this.capabilities.textDocumentSync;
    this.syncKind = typeof sync === 'number' ? sync : sync && sync.change !== undefined ? sync.change : 1;
    this.register();
    for (const doc of vscode.workspace.textDocuments) this.open(doc);
  }

  open(doc) {
    if (doc.languageId !== LANGUAGE || this.versions.has(doc.uri.toString())) return;
    this.versions.set(doc.uri.toString(), doc.version);
    this.conn.notify('textDocument/didOpen', { textDocument: { uri: doc.uri.toString(), languageId: LANGUAGE, version: doc.version, text: doc.getText() } });
  }

  change(e) {
    const doc = e.document;
    const uri = doc.uri.toString();
    if (!this.versions.has(uri) || !e.contentChanges.length) return;
    this.versions.set(uri, doc.version);
    const contentChanges = this.syncKind === 2 ? e.contentChanges.map((c) => ({ range: fromRange(c.range), rangeLength: c.rangeLength, text: c.text })) : [{ text: doc.getText() }];
    this.conn.notify('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges });
  }

  close(doc) {
    const uri = doc.uri.toString();
    if (!this.versions.delete(uri)) return;
    this.conn.notify('textDocument/didClose', { textDocument: { uri } });
    this.diagnostics.delete(doc.uri);
  }

  register() {
    const c = this.capabilities;
    const req = (method, params, token) => this.conn.request(method, params, token).catch(() => null);
    const d = this.disposables;
    const L = vscode.languages;
    /** The event a provider's `onDidChange…` gives VS Code, fired by the server's `workspace/<kind>/refresh`. */
    const refreshed = (kind) => {
      const e = new vscode.EventEmitter();
      d.push(e);
      this.conn.on(`workspace/${kind}/refresh`, () => (e.fire(), null));
      return e.event;
    };
    d.push(vscode.workspace.onDidOpenTextDocument((doc) => this.open(doc)));
    d.push(vscode.workspace.onDidChangeTextDocument((e) => this.change(e)));
    d.push(vscode.workspace.onDidCloseTextDocument((doc) => this.close(doc)));
    // Imports edited outside the editor (another program, git): the server re-checks their importers.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.nn');
    const send = (type) => (uri) => this.conn.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri.toString(), type }] });
    d.push(watcher, watcher.onDidCreate(send(1)), watcher.onDidChange(send(2)), watcher.onDidDelete(send(3)));
    // Folders created or deleted (a folder renamed or deleted is one event, none for the .nn files in it).
    const folders = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    const other = (type) => (uri) => !uri.path.endsWith('.nn') && send(type)(uri);
    d.push(folders, folders.onDidCreate(other(1)), folders.onDidDelete(other(3)));
    // Folders added to or removed from the workspace: rename, references and workspace symbols search them.
    const folder = (f) => ({ uri: f.uri.toString(), name: f.name });
    d.push(vscode.workspace.onDidChangeWorkspaceFolders((e) => this.conn.notify('workspace/didChangeWorkspaceFolders', { event: { added: e.added.map(folder), removed: e.removed.map(folder) } })));
    if (c.hoverProvider)
      d.push(L.registerHoverProvider(SELECTOR, { provideHover: async (doc, pos, t) => {
        const h = await req('textDocument/hover', docParams(doc, pos), t);
        return h ? new vscode.Hover(toMarkdown(h.contents), h.range ? toRange(h.range) : undefined) : null;
      } }));
    if (c.completionProvider)
      d.push(L.registerCompletionItemProvider(SELECTOR, {
        provideCompletionItems: async (doc, pos, t) => {
          const r = await req('textDocument/completion', docParams(doc, pos), t);
          if (!r) return null;
          const items = Array.isArray(r) ? r : r.items;
          return new vscode.CompletionList(items.map((x) => {
            const item = toCompletion(x);
            lspItems.set(item, x);
            return item;
          }), !Array.isArray(r) && r.isIncomplete);
        },
        // The server sends an item's docs when it is shown (completionItem/resolve).
        resolveCompletionItem: async (item, t) => {
          const x = lspItems.get(item);
          if (!x || !c.completionProvider.resolveProvider) return item;
          const r = await req('completionItem/resolve', x, t);
          if (r && r.documentation) item.documentation = toMarkdown(r.documentation)[0];
          return item;
        },
      }, ...((c.completionProvider.triggerCharacters) || [])));
    if (c.signatureHelpProvider)
      d.push(L.registerSignatureHelpProvider(SELECTOR, { provideSignatureHelp: async (doc, pos, t) => {
        const s = await req('textDocument/signatureHelp', docParams(doc, pos), t);
        if (!s) return null;
        const help = new vscode.SignatureHelp();
        help.signatures = s.signatures.map((sig) => {
          const info = new vscode.SignatureInformation(sig.label, sig.documentation ? toMarkdown(sig.documentation)[0] : undefined);
          info.parameters = (sig.parameters || []).map((p) => new vscode.ParameterInformation(p.label, p.documentation ? toMarkdown(p.documentation)[0] : undefined));
          return info;
        });
        help.activeSignature = s.activeSignature || 0;
        help.activeParameter = s.activeParameter || 0;
        return help;
      } }, ...((c.signatureHelpProvider.triggerCharacters) || ['(', ','])));
    if (c.definitionProvider)
      d.push(L.registerDefinitionProvider(SELECTOR, { provideDefinition: async (doc, pos, t) => {
        const r = await req('textDocument/definition', docParams(doc, pos), t);
        if (!r) return null;
        return (Array.isArray(r) ? r : [r]).map((l) => (l.targetUri ? new vscode.Location(vscode.Uri.parse(l.targetUri), toRange(l.targetSelectionRange || l.targetRange)) : toLocation(l)));
      } }));
    if (c.referencesProvider)
      d.push(L.registerReferenceProvider(SELECTOR, { provideReferences: async (doc, pos, ctx, t) => {
        const r = await req('textDocument/references', { ...docParams(doc, pos), context: { includeDeclaration: ctx.includeDeclaration } }, t);
        return r ? r.map(toLocation) : null;
      } }));
    if (c.documentHighlightProvider)
      d.push(L.registerDocumentHighlightProvider(SELECTOR, { provideDocumentHighlights: async (doc, pos, t) => {
        const r = await req('textDocument/documentHighlight', docParams(doc, pos), t);
        return r ? r.map((h) => new vscode.DocumentHighlight(toRange(h.range), Math.max(0, (h.kind || 1) - 1))) : null;
      } }));
    if (c.renameProvider)
      d.push(L.registerRenameProvider(SELECTOR, {
        // A refusal carries the server's reason: thrown, VS Code shows it.
        provideRenameEdits: async (doc, pos, newName, t) => toWorkspaceEdit(await this.conn.request('textDocument/rename', { ...docParams(doc, pos), newName }, t).catch((e) => { throw new Error(e.message); })),
        ...(c.renameProvider && c.renameProvider.prepareProvider ? { prepareRename: async (doc, pos, t) => {
          const r = await this.conn.request('textDocument/prepareRename', docParams(doc, pos), t).catch((e) => { throw new Error(e.message); });
          if (!r) throw new Error('nothing to rename here');
          return r.range ? { range: toRange(r.range), placeholder: r.placeholder } : toRange(r);
        } } : {}),
      }));
    if (c.documentSymbolProvider)
      d.push(L.registerDocumentSymbolProvider(SELECTOR, { provideDocumentSymbols: async (doc, t) => {
        const r = await req('textDocument/documentSymbol', docParams(doc), t);
        return r ? r.map(toSymbol) : null;
      } }));
    if (c.foldingRangeProvider)
      d.push(L.registerFoldingRangeProvider(SELECTOR, { onDidChangeFoldingRanges: refreshed('foldingRange'), provideFoldingRanges: async (doc, _ctx, t) => {
        const r = await req('textDocument/foldingRange', docParams(doc), t);
        return r ? r.map(toFoldingRange) : null;
      } }));
    if (c.selectionRangeProvider && L.registerSelectionRangeProvider)
      d.push(L.registerSelectionRangeProvider(SELECTOR, { provideSelectionRanges: async (doc, positions, t) => {
        const r = await req('textDocument/selectionRange', { ...docParams(doc), positions: positions.map(fromPosition) }, t);
        const conv = (s) => new vscode.SelectionRange(toRange(s.range), s.parent ? conv(s.parent) : undefined);
        return r ? r.map(conv) : null;
      } }));
    if (c.documentFormattingProvider)
      d.push(L.registerDocumentFormattingEditProvider(SELECTOR, { provideDocumentFormattingEdits: async (doc, opts, t) => {
        const r = await req('textDocument/formatting', { ...docParams(doc), options: { tabSize: opts.tabSize, insertSpaces: opts.insertSpaces } }, t);
        return r ? r.map(toEdit) : null;
      } }));
    if (c.documentRangeFormattingProvider)
      d.push(L.registerDocumentRangeFormattingEditProvider(SELECTOR, { provideDocumentRangeFormattingEdits: async (doc, range, opts, t) => {
        const r = await req('textDocument/rangeFormatting', { ...docParams(doc), range: fromRange(range), options: { tabSize: opts.tabSize, insertSpaces: opts.insertSpaces } }, t);
        return r ? r.map(toEdit) : null;
      } }));
    if (c.workspaceSymbolProvider)
      d.push(L.registerWorkspaceSymbolProvider({ provideWorkspaceSymbols: async (query, t) => {
        const r = await req('workspace/symbol', { query }, t);
        return r ? r.map(toSymbol) : null;
      } }));
    if (c.codeActionProvider) {
      const kinds = typeof c.codeActionProvider === 'object' && c.codeActionProvider.codeActionKinds;
      d.push(L.registerCodeActionsProvider(SELECTOR, { provideCodeActions: async (doc, range, ctx, t) => {
        const r = await req('textDocument/codeAction', codeActionParams(doc, range, ctx), t);
        return (r || []).filter((a) => a.edit).map(toCodeAction);
      } }, kinds ? { providedCodeActionKinds: kinds.map(toCodeActionKind) } : undefined));
    }
    // Semantic tokens, with the legend the server gave in its `initialize` answer.
    const st = c.semanticTokensProvider;
    if (st && st.full && L.registerDocumentSemanticTokensProvider) {
      const legend = new vscode.SemanticTokensLegend(st.legend.tokenTypes, st.legend.tokenModifiers);
      // VS Code colours keywords, numbers, strings, comments and operators from the TextMate grammar (its own
      // colours for declaration keywords and string escapes); the server's tokens for them would override it.
      const lexical = new Set(['keyword', 'number', 'string', 'comment', 'operator'].map((k) => st.legend.tokenTypes.indexOf(k)).filter((i) => i >= 0));
      d.push(L.registerDocumentSemanticTokensProvider(SELECTOR, { onDidChangeSemanticTokens: refreshed('semanticTokens'), provideDocumentSemanticTokens: async (doc, t) => {
        const r = await req('textDocument/semanticTokens/full', docParams(doc), t);
        return r ? new vscode.SemanticTokens(Uint32Array.from(namesOnly(r.data, lexical))) : null;
      } }, legend));
    }
    if (c.inlayHintProvider && L.registerInlayHintsProvider)
      d.push(L.registerInlayHintsProvider(SELECTOR, { onDidChangeInlayHints: refreshed('inlayHint'), provideInlayHints: async (doc, range, t) => {
        const r = await req('textDocument/inlayHint', { ...docParams(doc), range: fromRange(range) }, t);
        return (r || []).map((h) => {
          const label = typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
          const hint = new vscode.InlayHint(toPosition(h.position), label, h.kind);
          hint.paddingLeft = h.paddingLeft;
          hint.paddingRight = h.paddingRight;
          if (h.tooltip) hint.tooltip = typeof h.tooltip === 'string' ? h.tooltip : toMarkdown(h.tooltip)[0];
          return hint;
        });
      } }));
    if (c.codeLensProvider)
      d.push(L.registerCodeLensProvider(SELECTOR, { onDidChangeCodeLenses: refreshed('codeLens'), provideCodeLenses: async (doc, t) => {
        const r = await req('textDocument/codeLens', docParams(doc), t);
        // A model's lens opens its summary (dslc.showSummary); the others only show their totals.
        return (r || []).map((l) => new vscode.CodeLens(toRange(l.range), l.command ? { title: l.command.title, command: l.command.command || '', ...(l.command.arguments ? { arguments: l.command.arguments } : {}) } : undefined));
      } }));
  }

  /** A model's layer-by-layer summary (`dslc summary`), as Markdown beside the editor: its lens, or the command. */
  async showSummary(uri, model) {
    const editor = vscode.window.activeTextEditor;
    const target = uri || (editor && editor.document.languageId === LANGUAGE ? editor.document.uri.toString() : undefined);
    if (!target) return void vscode.window.showErrorMessage('dslc: open a .nn file to see its summary');
    try {
      const r = await this.conn.request('dslc/summary', { textDocument: { uri: target }, ...(model ? { model } : {}), format: 'markdown' });
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: `${r.text}\n` });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    } catch (e) {
      vscode.window.showErrorMessage(`dslc: no summary: ${e.message}`);
    }
  }

  async stop() {
    this.stopping = true;
    for (const x of this.disposables.splice(0)) x.dispose();
    this.diagnostics.clear();
    this.versions.clear();
    if (!this.child || this.child.exitCode !== null) return;
    await Promise.race([this.conn.request('shutdown', null).catch(() => null), new Promise((r) => setTimeout(r, 2000))]);
    this.conn.notify('exit', null);
    setTimeout(() => this.child.exitCode === null && this.child.kill(), 1000);
  }
}

async function activate(context) {
  client = new Client(context);
  context.subscriptions.push(client.output, client.diagnostics);
  context.subscriptions.push(
    vscode.commands.registerCommand('dslc.showSummary', (uri, model) => client.showSummary(uri, model)),
    vscode.commands.registerCommand('dslc.restartServer', async () => {
      const old = client;
      await old.stop();
      client = new Client(context, old);
      await client.start();
    }),
  );
  try {
    await client.start();
  } catch (e) {
    vscode.window.showErrorMessage(`dslc: the language server did not start: ${e.message}`);
  }
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate, Connection, spawnPlan, fromDiagnostic, codeActionParams };
