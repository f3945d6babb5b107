/** The language service: plain data in and out, no protocol types (src/lsp is the protocol adapter). */
export { LanguageService, type Analysis, type ServiceOptions } from './service.js';
export { IncrementalParser, splitDecls } from './incremental.js';
export { hover, completion, signatureHelp, inlayHints, codeLenses, callContext, type Hover, type Completion, type SignatureHelp, type InlayHint, type CodeLens } from './features.js';
export { definition, highlights, documentSymbols, foldingRanges, semanticTokens, TOKEN_TYPES, TOKEN_MODIFIERS, type DocumentSymbol, type FoldingRange, type SemanticToken, type Highlight } from './navigation.js';
export { references, rename, prepareRename, symbolSites, type RenameResult, type Site } from './rename.js';
export { codeActions, type CodeAction } from './actions.js';
