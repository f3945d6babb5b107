/**
 * The summary as stable plain data (schema/summary.schema.json): what `dslc summary --format json`
 * prints and what CI and later tools read. Shapes are arrays of numbers or dim-expression strings.
 */
import { type Dim, dimToJson } from '../symbolic/dim.js';
import type { CheckedModel, LayerReport } from './analyze.js';
import type { Rf } from './rf.js';

/**
 * Counts are doubles: beyond 2^53 − 1 they are no longer exact (E0406 is reported), so such a count is
 * printed as an approximation (`≈1.106e+21`) rather than with made-up digits (`1,105,919,955,763,200,400,000`).
 */
export const isExactCount = (n: number): boolean => Number.isSafeInteger(n);
/** A count for people: `1,234,567`, or `≈1.106e+21` where it is not exact. */
export const formatCount = (n: number): string => (isExactCount(n) ? n.toLocaleString('en-US') : `≈${n.toExponential(3)}`);

/** Bytes with a binary unit (`2.00 KB`); null when symbolic; an approximation past 2^53 that says so. */
export function formatBytes(b: number | null): string {
  if (b === null) return 'symbolic (use --input-shape)';
  if (!isExactCount(b)) return `≈${b.toExponential(3)} B`;
  if (b < 1024) return `${b} B`;
  const u = ['KB', 'MB', 'GB', 'TB'];
  let v = b / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)} ${u[i]}`;
}

/** Count fields that may be marked as inexact (listed in `inexact`). */
export type CountField = 'params' | 'trainableParams' | 'nonTrainableParams' | 'macs' | 'flops' | 'outputBytes' | 'weightBytes' | 'peakActivationBytes' | 'peakActivationBytesPerSample';

/**
 * The fields of `o` that hold a number beyond 2^53 − 1: still written as the nearest number (so readers
 * that sum or compare keep working), but only approximate; `inexact` lists them (absent when none).
 */
function withInexact<T extends object>(o: T): T & { inexact?: CountField[] } {
  const bad = (Object.keys(o) as (keyof T & string)[]).filter((k) => typeof o[k] === 'number' && !isExactCount(o[k] as number)) as CountField[];
  return bad.length ? { ...o, inexact: bad } : o;
}

export interface SummaryRf {
  readonly size: number[];
  readonly jump: number[];
  readonly start?: number[];
}
export interface SummaryLayer {
  readonly path: string;
  readonly op: string;
  readonly outputShape: (number | string)[];
  readonly params: number;
  readonly trainableParams: number;
  readonly macs: number | string;
  readonly flops: number | string;
  /** Bytes of the layer's output tensor(s) (per sample when the batch is symbolic). */
  readonly outputBytes: number | string;
  readonly rf?: SummaryRf;
  readonly sharedWith?: string;
  /** Number of primitive layers collapsed into this row (with --depth). */
  readonly layers?: number;
  /** Count fields whose number is beyond 2^53 − 1, hence approximate (E0406 is reported). */
  readonly inexact?: CountField[];
}
export interface Summary {
  readonly schemaVersion: 1;
  readonly model: string;
  readonly inputs: { name: string; shape: (number | string)[]; dtype: string }[];
  readonly outputs: { name: string; shape: (number | string)[]; dtype: string }[];
  readonly layers: SummaryLayer[];
  readonly totals: {
    params: number;
    trainableParams: number;
    nonTrainableParams: number;
    macs: number | string;
    flops: number | string;
    weightBytes: number;
    peakActivationBytes: number | null;
    peakActivationBytesPerSample: number | null;
    /** Count fields whose number is beyond 2^53 − 1, hence approximate (E0406 is reported). */
    inexact?: CountField[];
  };
}

const shape = (s: readonly Dim[]) => s.map(dimToJson);

export function rfJson(rf: Rf): SummaryRf | undefined {
  if (!rf || !rf.length) return undefined;
  const start = rf.map((a) => a.start);
  return { size: rf.map((a) => a.size), jump: rf.map((a) => a.jump), ...(start.every((s) => s !== undefined) ? { start: start as number[] } : {}) };
}

function row(l: LayerReport): SummaryLayer {
  const r = rfJson(l.rf);
  return withInexact({
    path: l.path, op: l.op, outputShape: shape(l.outputShapes[0] ?? []), params: l.params, trainableParams: l.trainableParams,
    macs: dimToJson(l.macs), flops: dimToJson(l.flops), outputBytes: dimToJson(l.outputBytes), ...(r ? { rf: r } : {}), ...(l.sharedWith ? { sharedWith: l.sharedWith } : {}),
  });
}

/**
 * The `sharedWith` of a collapsed row whose layers all reuse weights: the row of the first application
 * when they are its (`key`), the owner when there is one, else `shared`.
 */
function sharedOwner(key: string, items: readonly LayerReport[]): { sharedWith: string } | undefined {
  if (!items.every((l) => l.sharedWith)) return undefined;
  const owners = new Set(items.map((l) => l.sharedWith!));
  if ([...owners].every((o) => o === key || o.startsWith(`${key}.`))) return { sharedWith: key };
  return { sharedWith: owners.size === 1 ? [...owners][0]! : 'shared' };
}

/** Builds the summary; with `depth`, layers inside blocks nested `depth` deep collapse into one row per block call. */
export function summarize(m: CheckedModel, opts: { depth?: number } = {}): Summary {
  const g = m.graph;
  const rows: SummaryLayer[] = [];
  const depth = opts.depth;
  // Paths are unique: the k-th application of shared weights is `path#k`.
  const seen = new Map<string, number>();
  const unique = (p: string) => {
    const n = (seen.get(p) ?? 0) + 1;
    seen.set(p, n);
    return n === 1 ? p : `${p}#${n}`;
  };
  // One group per application: two calls of one shared instance in a row have equal keys, not equal frames.
  let group: { key: string; frame: object; block: string; items: LayerReport[] } | undefined;
  const flush = () => {
    if (!group) return;
    const last = group.items[group.items.length - 1]!;
    const sumDims = (f: (l: LayerReport) => Dim) => dimToJson(group!.items.map(f).reduce<Dim>((a, b) => addDim(a, b), 0));
    const r = rfJson(last.rf);
    rows.push(withInexact({
      path: unique(group.key), op: group.block, outputShape: shape(last.outputShapes[0] ?? []),
      params: group.items.reduce((a, l) => a + l.params, 0), trainableParams: group.items.reduce((a, l) => a + l.trainableParams, 0),
      macs: sumDims((l) => l.macs), flops: sumDims((l) => l.flops), outputBytes: dimToJson(last.outputBytes), ...(r ? { rf: r } : {}), layers: group.items.length,
      ...(sharedOwner(group.key, group.items) ?? {}),
    }));
    group = undefined;
  };
  for (const l of m.layers) {
    const frames = l.node.blockPath;
    if (depth === undefined || frames.length < depth || depth < 1) {
      flush();
      const r = row(l);
      rows.push({ ...r, path: unique(r.path) });
      continue;
    }
    const key = frames.slice(0, depth).map((f) => f.label).join('.');
    if (group && (group.key !== key || group.frame !== frames[depth - 1])) flush();
    group ??= { key, frame: frames[depth - 1]!, block: frames[depth - 1]!.block, items: [] };
    group.items.push(l);
  }
  flush();
  const port = (p: { name: string; tensor: number }) => ({ name: p.name, shape: shape(g.tensors[p.tensor]!.type.shape), dtype: g.tensors[p.tensor]!.type.dtype });
  const t = m.totals;
  return {
    schemaVersion: 1,
    model: g.name,
    inputs: g.inputs.map(port),
    outputs: g.outputs.map(port),
    layers: rows,
    totals: withInexact({
      params: t.params, trainableParams: t.trainableParams, nonTrainableParams: t.nonTrainableParams, macs: dimToJson(t.macs), flops: dimToJson(t.flops),
      weightBytes: t.weightBytes, peakActivationBytes: t.peakActivationBytes ?? null, peakActivationBytesPerSample: t.peakActivationBytesPerSample ?? null,
    }),
  };
}
import { add as addDim } from '../symbolic/dim.js';
