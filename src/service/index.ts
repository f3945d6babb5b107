/** The language service: plain data in and out, no protocol types (src/lsp is the protocol adapter). */
export { LanguageService, type Analysis, type ServiceOptions } from './service.js';
export { IncrementalParser, splitDecls } from './incremental.js';
export { hover, type Hover } from './hover.js';
export { inlayHints, codeLenses, type InlayHint, type CodeLens } from './features.js';
export { completion, signatureHelp, namesInScope, type Completion, type SignatureHelp, type ScopeName } from './completion.js';
export { callContext, type CallContext } from './context.js';
export { definition, highlights, documentSymbols, foldingRanges, semanticTokens, TOKEN_TYPES, TOKEN_MODIFIERS, type DocumentSymbol, type FoldingRange, type SemanticToken, type Highlight } from './navigation.js';
export { references, rename, prepareRename, symbolSites, exportedAt, renameInImporters, referencesInImporters, type RenameResult, type Site, type Exported, type SourceText } from './rename.js';
export { codeActions, type CodeAction } from './actions.js';
export { SymbolIndex, fileSymbols, matchScore, type WorkspaceSymbol, type SymbolSource } from './workspace-symbols.js';
export { formatRange, minimalEdit, type OffsetEdit } from './format-range.js';
export { selectionRanges, rangesAt } from './selection.js';
export { organizeImports } from './organize-imports.js';
