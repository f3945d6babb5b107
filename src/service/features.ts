/**
 * Signatures as hover and completion show them, inlay hints and code lenses, answered from the last analysis
 * (hover: hover.ts; completion and signature help: completion.ts).
 */
import type { OpDef } from '../ops/types.js';
import type { BlockDecl, Expr, ImportDecl, ModelDecl, Param } from '../syntax/ast.js';
import type { CheckedModel, LayerReport } from '../checker/analyze.js';
import type { BlockFrame } from '../semantics/ir.js';
import type { ModuleInfo } from '../semantics/modules.js';
import { formatDim } from '../symbolic/dim.js';
import { type SiteApps, appTotals, callRfText, compact, resultRfText, sitesOf, sitesWithin } from './layers.js';
import type { Analysis } from './service.js';

export const attrValue = (v: unknown): string => (v === undefined ? '' : v === null ? 'None' : typeof v === 'string' ? `"${v}"` : Array.isArray(v) ? `(${v.map(attrValue).join(', ')})` : typeof v === 'boolean' ? (v ? 'true' : 'false') : formatDim(v as number));

/** `conv2d(filters: int, kernel: int|tuple, stride=1, …)`. */
export function opSignature(op: OpDef): string {
  const attrs = op.attrs.map((a) => (a.default !== undefined ? `${a.name}=${attrValue(a.default)}` : `${a.name}: ${a.type}`));
  return `${op.name}(${attrs.join(', ')})`;
}

/**
 * `channels: int`, `kernel: int = …`, `x: [4 dims]`: one parameter as signatures show it; with its module's
 * `text`, shapes and defaults as written (`x: [N, 3, H, W]`, `channels: int = C`).
 */
export const paramText = (x: Param, text?: string): string =>
  `${x.name.text}${x.type ? `: ${typeOf(x, text)}` : ''}${x.default ? (text ? ` = ${text.slice(x.default.range.start, x.default.range.end)}` : ' = …') : ''}`;

const typeOf = (x: Param, text?: string) => (text && x.type?.dims ? `${x.type.name?.text ?? ''}[${x.type.dims.map((e) => text.slice(e.range.start, e.range.end)).join(', ')}]` : typeText(x));

/** `block name(params) -> returns`; with the module's `text`, shapes and defaults as written. */
export function blockSignature(d: BlockDecl | ModelDecl, text?: string): string {
  const p = (x: Param) => paramText(x, text);
  const params = d.kind === 'block' ? d.params : d.inputs;
  const rets = d.kind === 'block' ? d.returns : d.outputs;
  // Unnamed results (`-> (Tensor, Tensor)`) show their types alone.
  const ret = (x: Param) => (x.name.text ? p(x) : typeOf(x, text));
  return `${d.kind} ${d.name.text}(${params.map(p).join(', ')})${rets?.length ? ` -> ${rets.length === 1 && !rets[0]!.name.text ? typeOf(rets[0]!, text) : `(${rets.map(ret).join(', ')})`}` : ''}`;
}

export const typeText = (x: Param) => (x.type ? `${x.type.name?.text ?? ''}${x.type.dims ? `[${x.type.dims.length} dims]` : ''}` : '');


/** The call site whose value an expression range produced (its outermost, last-ending one), if any. */
export function lastSiteIn(a: Analysis, file: string, e: Expr): SiteApps | undefined {
  const sites = sitesWithin(sitesOf(a, file), e.range.start, e.range.end);
  if (!sites.length) return undefined;
  // The outermost, last-ending site is the value (the last chain step).
  return sites.reduce((m, s) => (s.end > m.end || (s.end === m.end && s.start < m.start) ? s : m));
}

/** The module the last check loaded for an import of the root file: through its names' bindings, else by the standard path. */
export function importedModule(a: Analysis, d: ImportDecl): ModuleInfo | undefined {
  const root = a.result.program.root;
  const viaItem = d.items.map((it) => root.scope.get((it.alias ?? it.name).text)).find((b) => b && b.kind !== 'error' && b.module !== root);
  if (viaItem) return viaItem.module;
  const std = d.module.startsWith('std.') ? `/${d.module.slice(4).replace(/\./g, '/')}.nn` : undefined;
  return [...a.result.program.modules.values()].find((x) => x !== root && std !== undefined && x.std && x.path.replace(/\\/g, '/').endsWith(std));
}

export interface InlayHint {
  readonly offset: number;
  readonly label: string;
  readonly tooltip?: string;
}

/** The output shape after each layer call and chain step in [start, end) of the document. */
export function inlayHints(a: Analysis, start: number, end: number): InlayHint[] {
  const out: InlayHint[] = [];
  for (const s of sitesOf(a, a.path)) {
    if (s.end < start) continue;
    if (s.start > end) break;
    const shapes = [...new Set(s.shapes)];
    out.push({ offset: s.end, label: `: ${shapes.slice(0, 2).join(' | ')}${shapes.length > 2 ? ' | …' : ''}`, ...(s.apps.length > 1 ? { tooltip: `${s.apps.length} applications` } : {}) });
  }
  return out;
}

export interface CodeLens {
  readonly start: number;
  readonly end: number;
  readonly title: string;
  /** A model's lens: its name (an editor can open the model's layer-by-layer summary from it). */
  readonly model?: string;
}

/** Totals above each model (whole model) and each block (its first application). */
export function codeLenses(a: Analysis): CodeLens[] {
  const out: CodeLens[] = [];
  const root = a.result.program.root;
  const apps = blockApps(a);
  for (const d of root.ast.decls) {
    if (d.kind === 'model') {
      const m = a.result.models.find((x) => x.graph.name === d.name.text);
      if (!m) continue;
      // The RF of what it returns (a classifier's logits have none).
      const rf = resultRfText(m, m.graph.outputs.map((p) => p.tensor), m.graph.outputs.map((p) => p.name));
      out.push({ start: d.range.start, end: d.name.end, title: `${compact(m.totals.params)} params · ${compact(m.totals.macs)} MACs${rf ? ` · ${rf}` : ''}`, model: d.name.text });
    } else if (d.kind === 'block') {
      const calls = [...(apps.get(d.name.text)?.values() ?? [])];
      if (!calls.length) {
        out.push({ start: d.range.start, end: d.name.end, title: 'not used by a model in this file' });
        continue;
      }
      const first = calls[0]!;
      const t = appTotals(first.layers);
      const rf = callRfText(first.model, first.frame);
      out.push({ start: d.range.start, end: d.name.end, title: `${compact(t.params)} params · ${compact(t.macs)} MACs${rf ? ` · ${rf}` : ''} (first of ${calls.length} call${calls.length === 1 ? '' : 's'})` });
    }
  }
  return out;
}

/** One application of a block (its outermost on a call path): the call, its model and the layers it made. */
interface BlockApp {
  readonly frame: BlockFrame;
  readonly model: CheckedModel;
  readonly layers: LayerReport[];
  /** Where it ran among its model's nodes (a call that made none: half a step before the next). */
  readonly pos: number;
}

/**
 * Every block's applications in the order they ran, by the call path that made each: a layer belongs to the
 * outermost call of each block on its call path. One pass over the layers (a pass per block was quadratic: half
 * a second for 100 blocks and 40,000 layers), then the calls that made none.
 */
function blockApps(a: Analysis): Map<string, Map<string, BlockApp>> {
  const byBlock = new Map<string, Map<string, BlockApp>>();
  const add = (model: CheckedModel, path: readonly BlockFrame[], pos: number, layer?: LayerReport) => {
    let key = model.graph.name;
    const seen = new Set<string>();
    for (const f of path) {
      key += `/${f.instance}@${f.span.start}`;
      if (seen.has(f.block)) continue;
      seen.add(f.block);
      let apps = byBlock.get(f.block);
      if (!apps) byBlock.set(f.block, (apps = new Map()));
      let g = apps.get(key);
      if (!g) apps.set(key, (g = { frame: f, model, layers: [], pos }));
      if (layer) g.layers.push(layer);
    }
  };
  const models = a.result.models;
  for (const model of models) for (const layer of model.layers) add(model, layer.node.blockPath, layer.node.id, layer);
  if (!models.some((m) => m.graph.emptyCalls.length)) return byBlock;
  for (const model of models) for (const c of model.graph.emptyCalls) add(model, c.path, c.at - 0.5);
  const order = (x: BlockApp, y: BlockApp) => models.indexOf(x.model) - models.indexOf(y.model) || x.pos - y.pos;
  for (const [block, apps] of byBlock) byBlock.set(block, new Map([...apps].sort(([, x], [, y]) => order(x, y))));
  return byBlock;
}
