/** dslc's public API. */
export { parseModule, check, summarize, type CheckRequest, type CheckResult } from './api.js';
export type { CheckedModel, LayerReport, Totals } from './checker/analyze.js';
export type { Summary, SummaryLayer } from './checker/summary.js';
export type { Diagnostic, Span, Severity, Note, Fix } from './diagnostics/types.js';
export { CODES, type DiagnosticCode } from './diagnostics/codes.js';
export { type ModuleHost, memoryHost } from './semantics/modules.js';
export type { Graph, IrNode, IrTensor } from './semantics/ir.js';
export { allOps, getOp } from './ops/registry.js';
export type { OpDef } from './ops/types.js';
export { formatDim, type Dim } from './symbolic/dim.js';
export { lowerToTfjs, buildTfjsGraph, TfjsInputError, type TfjsNet, type TfjsOptions, type TfjsTensorData, type TfjsArtifacts, type TfjsGraph } from './lower/tfjs/index.js';
export { readNpy, writeNpy, NpyError, type NpyArray, type NpyDType } from './lower/npy.js';
