/** Diagnostics are plain data: produced by every stage, rendered by the CLI and the language server alike. */
import type { DiagnosticCode } from './codes.js';

/** A source range. Offsets are 0-based UTF-16 indices; lines and columns are 1-based. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** A secondary message, optionally pointing at another place (LSP related information). */
export interface Note {
  readonly message: string;
  readonly span?: Span;
}

/** A machine-applicable fix: replace each span by its text. */
export interface Fix {
  readonly title: string;
  readonly edits: readonly { readonly span: Span; readonly newText: string }[];
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  readonly notes: readonly Note[];
  readonly hint?: string;
  readonly fixes?: readonly Fix[];
  /** Which block calls led here, outermost first (`layer2[1]: basic_block`), for blocks expanded many times. */
  readonly blockPath?: readonly string[];
  /**
   * The bound a size symbol needs (W0108: `symbol >= least`), as data: the editor's quick fix adds it to
   * the model's `where` (the fix's place depends on the model's text, which the checker does not see).
   */
  readonly bound?: { readonly symbol: string; readonly least: number };
}

/** Every stage returns its result with the diagnostics it found; nothing throws on bad input. */
export interface WithDiagnostics<T> {
  readonly result: T;
  readonly diagnostics: readonly Diagnostic[];
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');
