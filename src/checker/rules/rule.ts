import type { Diagnostic } from '../../diagnostics/types.js';
import type { Graph } from '../../semantics/ir.js';

/** A lint over the finished graph (one rule per file, as graphql-js does validation). */
export type Rule = (g: Graph, report: (d: Diagnostic) => void) => void;
