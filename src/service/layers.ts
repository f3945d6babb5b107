/**
 * Which layers a source range produced: an index from call-site spans (layer calls and block calls) of
 * one file to the nodes they created, per application. Hover, inlay hints and code lenses read it.
 */
import type { CheckedModel, LayerReport } from '../checker/analyze.js';
import type { Span } from '../diagnostics/types.js';
import type { BlockFrame, IrNode } from '../semantics/ir.js';
import type { Rf } from '../checker/rf.js';
import type { TensorType } from '../ops/types.js';
import { formatCount, isExactCount } from '../checker/summary.js';
import { type Dim, add, formatDim } from '../symbolic/dim.js';
import type { Analysis } from './service.js';

export interface SiteApps {
  readonly start: number;
  readonly end: number;
  /** Block called here, if this is a block-call site. */
  readonly block?: string;
  /** One entry per application, in the order they ran: the layers it made (a layer call one, a block call any). */
  readonly apps: readonly (readonly LayerReport[])[];
  /** Per application, the shape of its value: `[N, 64, 56, 56]`, or `([…], […])` for several outputs. */
  readonly shapes: readonly string[];
  /** Per application: which it was, its model, and the block application it ran in (else its model). */
  readonly runs: readonly AppRun[];
}

export interface AppRun {
  /** The block call's frame, or the layer's node. */
  readonly app: BlockFrame | IrNode;
  readonly model: CheckedModel;
  readonly within: object;
}

const indexes = new WeakMap<Analysis, Map<string, SiteApps[]>>();

/** One application at a site: its layers, and (to order a call that made none) where it ran among the nodes. */
interface RawApp extends AppRun {
  readonly layers: LayerReport[];
  readonly pos: number;
}

/** One model's call sites in `file`, in the spans of when it was elaborated (mapped per analysis). */
interface RawSite {
  readonly span: Span;
  readonly block?: string;
  /** Per application: a block call's frame (one object per application), or a layer's node. */
  readonly apps: Map<object, RawApp>;
}
/** Per checked model (reused across keystrokes while the model is not re-elaborated), per file. */
const rawIndexes = new WeakMap<CheckedModel, Map<string, readonly RawSite[]>>();

/** A number for a span of one file (offsets are below 2^21: files are at most 2 MB). */
const spanKey = (s: Span) => s.start * 4_194_304 + s.end;

function modelSites(model: CheckedModel, file: string): readonly RawSite[] {
  let byFile = rawIndexes.get(model);
  if (!byFile) rawIndexes.set(model, (byFile = new Map()));
  let sites = byFile.get(file);
  if (sites) return sites;
  // Numbers and objects as keys, no strings: this runs over every layer of a model after each keystroke in it.
  const map = new Map<number, RawSite>();
  const put = (span: Span, app: BlockFrame | IrNode, within: object, pos: number, l: LayerReport | undefined, block?: string) => {
    const k = spanKey(span);
    let s = map.get(k);
    if (!s) map.set(k, (s = { span, ...(block ? { block } : {}), apps: new Map() }));
    let r = s.apps.get(app);
    if (!r) s.apps.set(app, (r = { app, model, within, layers: [], pos }));
    if (l) r.layers.push(l);
  };
  for (const layer of model.layers) {
    const n = layer.node;
    const path = n.blockPath;
    for (let i = 0; i < path.length; i++) if (path[i]!.span.file === file) put(path[i]!.span, path[i]!, path[i - 1] ?? model, n.id, layer, path[i]!.block);
    if (n.span.file === file) put(n.span, n, path[path.length - 1] ?? model, n.id, layer);
  }
  // Block calls that made no layer ran after the layers before them (half a step: before the next one).
  const empty = model.graph.emptyCalls;
  for (const { path, at } of empty) for (let i = 0; i < path.length; i++) if (path[i]!.span.file === file) put(path[i]!.span, path[i]!, path[i - 1] ?? model, at - 0.5, undefined, path[i]!.block);
  sites = [...map.values()];
  if (empty.length) for (const s of sites) if (s.block) sortApps(s.apps);
  byFile.set(file, sites);
  return sites;
}

/** Applications in the order they ran. */
function sortApps(apps: Map<object, RawApp>): void {
  const all = [...apps.values()].sort((x, y) => x.pos - y.pos);
  apps.clear();
  for (const r of all) apps.set(r.app, r);
}

/**
 * The sites of `all` (sorted by start, as `sitesOf` gives them) that lie within [start, end]: a binary search for
 * the first (completion and hover ask per statement in files of thousands of sites).
 */
export function sitesWithin(all: readonly SiteApps[], start: number, end: number): SiteApps[] {
  let lo = 0;
  for (let hi = all.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (all[mid]!.start < start) lo = mid + 1;
    else hi = mid;
  }
  const out: SiteApps[] = [];
  for (let i = lo; i < all.length && all[i]!.start <= end; i++) if (all[i]!.end <= end) out.push(all[i]!);
  return out;
}

/**
 * Call sites of `file` with their applications, sorted by start. Each model's sites are indexed once per
 * elaboration and only mapped to the current text here: a keystroke re-indexes the one model it changed.
 */
export function sitesOf(a: Analysis, file: string): SiteApps[] {
  let byFile = indexes.get(a);
  if (!byFile) indexes.set(a, (byFile = new Map()));
  let sites = byFile.get(file);
  if (sites) return sites;
  const map = new Map<number, { start: number; end: number; block?: string; apps: RawApp[] }>();
  for (const model of a.result.models) {
    const span = a.moves.get(model);
    for (const r of modelSites(model, file)) {
      const s = span ? span(r.span) : r.span;
      const k = spanKey(s);
      const m = map.get(k);
      // A site applied by several models (block bodies): each model's applications in turn.
      if (m) m.apps.push(...r.apps.values());
      else map.set(k, { start: s.start, end: s.end, ...(r.block ? { block: r.block } : {}), apps: [...r.apps.values()] });
    }
  }
  sites = [...map.values()]
    .map((s) => ({ start: s.start, end: s.end, ...(s.block ? { block: s.block } : {}), apps: s.apps.map((r) => r.layers), shapes: s.apps.map(valueShape), runs: s.apps }))
    .sort((x, y) => x.start - y.start || y.end - x.end);
  byFile.set(file, sites);
  return sites;
}

/** The innermost site containing `offset`. */
export function siteAt(a: Analysis, file: string, offset: number): SiteApps | undefined {
  let best: SiteApps | undefined;
  for (const s of sitesOf(a, file)) {
    if (s.start > offset) break;
    if (offset <= s.end && (!best || s.end - s.start <= best.end - best.start)) best = s;
  }
  return best;
}

export const shapeText = (s: readonly Dim[] | undefined): string => (s ? `[${s.map(formatDim).join(', ')}]` : '?');

/** A tensor's type as the summary writes it: its shape, after its dtype unless that is float32 (`int64[N, 100]`). */
export const tensorText = (t: TensorType): string => `${t.dtype === 'float32' ? '' : t.dtype}${shapeText(t.shape)}`;

/** A value's text: one tensor's type, or a tuple's `([…], […])`. */
export const valueText = (ts: readonly TensorType[]): string => (ts.length === 1 ? tensorText(ts[0]!) : ts.length ? `(${ts.map(tensorText).join(', ')})` : '?');

/**
 * The tensors of one application's value: what a block call returned (all of a tuple), all outputs of a layer,
 * or (a block application that returned something else) the first output of its last layer.
 */
export function appValue({ app, model }: AppRun, layers: readonly LayerReport[]): readonly TensorType[] {
  if ('block' in app && app.outputs?.length) return app.outputs;
  const node = 'block' in app ? layers[layers.length - 1]?.node : app;
  const outs = node ? ('block' in app ? node.outputs.slice(0, 1) : node.outputs) : [];
  return outs.map((t) => model.graph.tensors[t]!.type);
}

const valueShape = (r: RawApp): string => valueText(appValue(r, r.layers));

export function rfText(rf: Rf | undefined): string | undefined {
  if (!rf?.length) return undefined;
  const sizes = rf.map((x) => fmtNum(x.size));
  const jumps = rf.map((x) => fmtNum(x.jump));
  const same = (xs: string[]) => xs.every((x) => x === xs[0]);
  return `RF ${same(sizes) ? sizes[0] : sizes.join('×')}, jump ${same(jumps) ? jumps[0] : jumps.join('×')}`;
}

const fmtNum = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/\.?0+$/, ''));

/** 11.7M, 1.81G: compact counts for lenses and hints. */
export function compact(d: Dim): string {
  if (typeof d !== 'number') return formatDim(d);
  // Beyond 2^53 − 1 (E0406) the count is not exact: say so, and do not print a long run of digits.
  if (!isExactCount(d)) return `≈${d.toExponential(2)}`;
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  for (const [v, u] of units) if (Math.abs(d) >= v) return `${(d / v).toFixed(d / v >= 100 ? 0 : d / v >= 10 ? 1 : 2)}${u}`;
  return String(d);
}

/** A count in full (`1,234,567`), or `≈1.106e+21` beyond 2^53 − 1 where its digits would be made up. */
export const exact = (d: Dim): string => (typeof d === 'number' ? formatCount(d) : formatDim(d));

/** A layer's name in the summary: its path, `path#k` for the k-th layer with that path (shared weights applied again). */
export function rowName(model: CheckedModel, l: LayerReport): string {
  let k = 0;
  for (const x of model.layers) {
    if (x.path === l.path) k++;
    if (x.node === l.node) break;
  }
  return k > 1 ? `${l.path}#${k}` : l.path;
}

/** Totals of one application: params and MACs. */
export function appTotals(app: readonly LayerReport[]): { params: number; macs: Dim } {
  let params = 0;
  let macs: Dim = 0;
  for (const l of app) {
    params += l.params;
    macs = add(macs, l.macs);
  }
  return { params, macs };
}

/** The receptive field of an application's value: a layer's (its summary row's), or what a block call returned. */
export function appRfText(run: AppRun, layers: readonly LayerReport[]): string | undefined {
  return 'block' in run.app ? callRfText(run.model, run.app) : rfText(layers[0]?.rf);
}

/** The receptive field of what a block call returned (tuple items labelled by the names the block declares, else by index). */
export const callRfText = (model: CheckedModel, f: BlockFrame): string | undefined =>
  f.results ? resultRfText(model, f.results, f.results.map((_, i) => f.resultNames?.[i] || `[${i}]`)) : undefined;

/**
 * The receptive fields of the tensors a model or block call returned (what `rf(t)` gives): nothing for one with no
 * spatial axes (a classifier's logits), 'RF unknown' where the model's fields were lost before it (a reshape).
 * Several that differ are labelled.
 */
export function resultRfText(model: CheckedModel, tensors: readonly number[], labels: readonly string[]): string | undefined {
  let lost: boolean | undefined;
  const texts = tensors.map((t) => {
    if ((model.graph.tensors[t]?.type.shape.length ?? 0) < 3) return undefined;
    const text = rfText(model.rf[t]);
    if (text) return text;
    lost ??= model.rf.some((r) => r?.length);
    return lost ? 'RF unknown' : undefined;
  });
  const shown = texts.flatMap((x, i) => (x ? [[labels[i], x] as const] : []));
  if (!shown.length) return undefined;
  if (shown.length === 1 && tensors.length === 1) return shown[0]![1];
  if (shown.length === tensors.length && shown.every(([, x]) => x === shown[0]![1])) return shown[0]![1];
  return shown.map(([l, x]) => `${l}: ${x}`).join('; ');
}

