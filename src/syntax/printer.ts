/**
 * PLACEHOLDER until the formatter branch (`lsp-fmt`) is merged: the real module replaces this file.
 * Same signature; returns no result, so the language server answers formatting with no edits.
 */
import type { Diagnostic } from '../diagnostics/types.js';

export function formatText(text: string, path?: string): { result?: string; diagnostics: Diagnostic[] } {
  void text;
  void path;
  return { diagnostics: [] };
}
