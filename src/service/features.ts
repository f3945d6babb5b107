/** Hover, inlay hints and code lenses, answered from the last analysis (completion and signature help: completion.ts). */
import { getOp } from '../ops/registry.js';
import type { OpDef } from '../ops/types.js';
import type { BlockDecl, Expr, ImportDecl, ModelDecl, Param, Stmt } from '../syntax/ast.js';
import type { BlockFrame } from '../semantics/ir.js';
import type { CheckedModel } from '../checker/analyze.js';
import { batchSymbols } from '../checker/memory.js';
import { formatBytes } from '../checker/summary.js';
import { lowerBoundKey } from '../symbolic/facts.js';
import { constText } from '../semantics/consts.js';
import type { Binding, ModuleInfo } from '../semantics/modules.js';
import { formatDim } from '../symbolic/dim.js';
import { type SiteApps, appShape, appTotals, compact, exact, rfText, siteAt, sitesOf, shapeText } from './layers.js';
import type { Analysis } from './service.js';
import { occurrenceAt } from './symbols.js';

export interface Hover {
  readonly start: number;
  readonly end: number;
  /** Markdown. */
  readonly contents: string;
}

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
  return `${d.kind} ${d.name.text}(${params.map(p).join(', ')})${rets?.length ? ` -> ${rets.length === 1 && !rets[0]!.name.text ? typeOf(rets[0]!, text) : `(${rets.map(p).join(', ')})`}` : ''}`;
}

export const typeText = (x: Param) => (x.type ? `${x.type.name?.text ?? ''}${x.type.dims ? `[${x.type.dims.length} dims]` : ''}` : '');


function opDoc(op: OpDef): string {
  const attrs = op.attrs.map((a) => `- \`${a.name}\`${a.default !== undefined ? ` = \`${attrValue(a.default)}\`` : ''}: ${a.doc}`).join('\n');
  return `${op.doc}\n\n${attrs}${op.costDoc ? `\n\n*Cost:* ${op.costDoc}` : ''}`;
}

function bindingDoc(b: Binding, a?: Analysis): string {
  if (b.kind === 'block' || b.kind === 'model') {
    const doc = `\`\`\`nn\n${blockSignature(b.decl, b.module.file.text)}\n\`\`\`${b.decl.doc ? `\n\n${b.decl.doc}` : ''}`;
    const m = b.kind === 'model' && b.module === a?.result.program.root ? a.result.models.find((x) => x.graph.name === b.decl.name.text) : undefined;
    return m ? `${doc}\n\n---\n${modelTotals(m)}` : doc;
  }
  if (b.kind === 'const') {
    // As written, and its value when that says more (`4 * 16` is 64).
    const written = b.module.file.text.slice(b.decl.value.range.start, b.decl.value.range.end);
    const value = a ? constText(a.result.program, b) : undefined;
    const same = (x: string) => x.replace(/[\s()[\]]/g, '');
    return `\`\`\`nn\nconst ${b.decl.name.text} = ${written}\n\`\`\`${value !== undefined && same(value) !== same(written) ? `\n= \`${value}\`` : ''}`;
  }
  return '';
}

/** A checked model's totals: parameters (trainable or not), MACs, FLOPs, weight and peak activation bytes. */
function modelTotals(m: CheckedModel): string {
  const t = m.totals;
  const frozen = t.nonTrainableParams ? ` (${exact(t.trainableParams)} trainable)` : '';
  const peak = t.peakActivationBytes === undefined ? 'symbolic' : t.peakActivationBytesPerSample ? `${formatBytes(t.peakActivationBytes)} at batch 1 (+${formatBytes(t.peakActivationBytesPerSample)} per extra sample)` : formatBytes(t.peakActivationBytes);
  return [`params ${exact(t.params)}${frozen} · MACs ${exact(t.macs)} · FLOPs ${exact(t.flops)}`, `weights ${formatBytes(t.weightBytes)} · peak activations ${peak}`].join('  \n');
}

/** Finds the assignment statement whose target starts at `start`. */
function assignAt(ss: readonly Stmt[], start: number): Extract<Stmt, { kind: 'assign' }> | undefined {
  for (const s of ss) {
    if (s.kind === 'assign' && s.target.start === start) return s;
    const inner = s.kind === 'if' ? [...s.then, ...(s.else ?? [])] : s.kind === 'for' || s.kind === 'repeat' || s.kind === 'frozen' ? s.body : undefined;
    if (inner) {
      const r = assignAt(inner, start);
      if (r) return r;
    }
  }
  return undefined;
}

/** Shapes of the value an expression range produced (one per distinct application). */
export function shapesIn(a: Analysis, file: string, e: Expr): string[] {
  const last = lastSiteIn(a, file, e);
  return last ? [...new Set(last.apps.map(appShape))] : [];
}

/** The call site whose value an expression range produced (its outermost, last-ending one), if any. */
export function lastSiteIn(a: Analysis, file: string, e: Expr): SiteApps | undefined {
  // Sites are sorted by start: a binary search for the first one in the range (completion asks per statement).
  const all = sitesOf(a, file);
  let lo = 0;
  for (let hi = all.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (all[mid]!.start < e.range.start) lo = mid + 1;
    else hi = mid;
  }
  const sites = [];
  for (let i = lo; i < all.length && all[i]!.start <= e.range.end; i++) if (all[i]!.end <= e.range.end) sites.push(all[i]!);
  if (!sites.length) return undefined;
  // The outermost, last-ending site is the value (the last chain step).
  return sites.reduce((m, s) => (s.end > m.end || (s.end === m.end && s.start < m.start) ? s : m));
}

/**
 * What the calls of a block in this document's models gave one of its parameters: distinct shapes (tensor
 * parameters) or values, in order of first application. Calls from other files are not seen here.
 */
function argsAcrossCalls(a: Analysis, decl: BlockDecl, name: string): { tensor: boolean; texts: string[] } {
  const seen = new Set<BlockFrame>();
  const texts = new Set<string>();
  let tensor = false;
  for (const m of a.result.models) {
    const move = a.moves.get(m);
    for (const l of m.layers) {
      const path = l.node.blockPath;
      for (let i = 0; i < path.length; i++) {
        const f = path[i]!;
        if (f.block !== decl.name.text || seen.has(f)) continue;
        // The application is of this declaration when what it ran (the next call, or the layer) lies in its body.
        const inner = move ? move(i + 1 < path.length ? path[i + 1]!.span : l.node.span) : i + 1 < path.length ? path[i + 1]!.span : l.node.span;
        if (inner.file !== a.path || inner.start < decl.range.start || inner.end > decl.range.end) continue;
        seen.add(f);
        const arg = f.args?.find((x) => x.name === name);
        if (arg?.type) (tensor = true), texts.add(shapeText(arg.type.shape));
        else if (arg?.value !== undefined) texts.add(arg.value);
      }
    }
  }
  return { tensor, texts: [...texts] };
}

/** Hover at an offset of an open document. */
export function hover(a: Analysis, offset: number): Hover | undefined {
  const mod = a.result.program.root;
  const imp = mod.ast.decls.find((d) => d.kind === 'import' && d.moduleRange.start <= offset && offset <= d.moduleRange.end);
  if (imp?.kind === 'import') return moduleHover(a, imp);
  const occ = occurrenceAt(a.symbols(mod), offset);
  // A model's size symbol (a parameter of it that is no input), in its header or its body.
  if (occ?.kind === 'param' && occ.decl?.kind === 'model' && !occ.decl.inputs.some((p) => p.name.text === occ.name)) {
    const h = sizeHover(a, occ.decl, occ.name, occ.start, occ.end);
    if (h) return h;
  }
  const port = outputPortAt(a, offset);
  if (port) return port;
  const site = siteAt(a, a.path, offset);
  if (occ && (occ.kind === 'local' || occ.kind === 'param') && occ.decl) {
    const defs = a.symbols(mod).occurrences.filter((o) => o.isDef && o.name === occ.name && o.decl === occ.decl && o.start <= occ.start);
    const def = defs[defs.length - 1] ?? a.symbols(mod).occurrences.find((o) => o.isDef && o.name === occ.name && o.decl === occ.decl);
    let shapes: string[] = [];
    if (def && occ.kind === 'param' && occ.decl.kind === 'model') {
      const m = a.result.models.find((x) => x.graph.name === occ.decl!.name.text);
      const port = m?.graph.inputs.find((p) => p.name === occ.name);
      if (port) shapes = [shapeText(m!.graph.tensors[port.tensor]!.type.shape)];
    } else if (def && occ.kind === 'param' && occ.decl.kind === 'block') {
      const p = occ.decl.params.find((x) => x.name.text === occ.name);
      const args = argsAcrossCalls(a, occ.decl, occ.name);
      if (p && !args.tensor) {
        // A number, string or layer parameter: its declaration, then the values the calls gave it.
        const vals = args.texts.length ? ` = ${args.texts.slice(0, 3).join(' | ')}${args.texts.length > 3 ? ' | …' : ''}` : '';
        const many = args.texts.length > 1 ? ` (${args.texts.length} values across calls)` : '';
        const decl = vals ? `${p.name.text}${p.type ? `: ${typeText(p)}` : ''}` : paramText(p, a.text);
        return { start: occ.start, end: occ.end, contents: `\`\`\`nn\n${decl}${vals}\n\`\`\`\nparameter of block ${occ.decl.name.text}${many}` };
      }
      shapes = args.texts;
    } else if (def) {
      const st = assignAt(occ.decl.body, def.start);
      if (st) shapes = shapesIn(a, a.path, st.value);
    }
    const what = occ.kind === 'param' ? `parameter of ${occ.decl.kind} ${occ.decl.name.text}` : `local of ${occ.decl.kind} ${occ.decl.name.text}`;
    const shape = shapes.length ? `: ${shapes.slice(0, 3).join(' | ')}${shapes.length > 3 ? ' | …' : ''}` : '';
    return { start: occ.start, end: occ.end, contents: `\`\`\`nn\n${occ.name}${shape}\n\`\`\`\n${what}${shapes.length > 1 ? ` (${shapes.length} shapes across calls)` : ''}` };
  }
  // A constant inside a layer call: its value says more than the layer (the call's other tokens show the layer).
  if (occ && occ.kind === 'global' && occ.binding && (!site || occ.binding.kind === 'const')) return { start: occ.start, end: occ.end, contents: bindingDoc(occ.binding, a) };
  if (occ && occ.kind === 'kwarg' && occ.binding?.kind === 'block') {
    // A keyword argument of a block call: the parameter it sets.
    const d = occ.binding.decl;
    const p = d.params.find((x) => x.name.text === occ.name);
    const src = occ.binding.module.file.text;
    if (p) return { start: occ.start, end: occ.end, contents: `\`\`\`nn\n${src.slice(p.range.start, p.range.end)}\n\`\`\`\nparameter of block ${d.name.text}` };
  }
  if (occ && occ.kind === 'kwarg') {
    const op = getOp(occ.callee ?? '');
    const attr = op?.attrs.find((x) => x.name === occ.name || x.aliases?.includes(occ.name));
    if (attr) return { start: occ.start, end: occ.end, contents: `\`${attr.name}\`: ${attr.type}${attr.default !== undefined ? ` = \`${attrValue(attr.default)}\`` : ''}\n\n${attr.doc}` };
  }
  if (site) {
    const apps = site.apps;
    const first = apps[0]!;
    const t = appTotals(first);
    const shapes = [...new Set(apps.map(appShape))];
    const rf = rfText(t.rf);
    const lines = [`**→ ${shapes.slice(0, 3).join(' | ')}${shapes.length > 3 ? ' | …' : ''}**`, `params ${exact(t.params)} · MACs ${exact(t.macs)}${rf ? ` · ${rf}` : ''}`];
    if (apps.length > 1) lines.push(`applied ${apps.length} times (numbers are for the first)`);
    let doc = '';
    if (site.block) {
      const b = mod.scope.get(site.block) ?? [...a.result.program.modules.values()].map((m) => m.own.get(site.block!)).find(Boolean);
      if (b) doc = bindingDoc(b);
    } else {
      const l = first[0]!;
      doc = `\`\`\`nn\n${opSignature(l.node.op)}\n\`\`\`\n\`${l.path}\`${l.sharedWith ? ` (shares weights with \`${l.sharedWith}\`)` : ''}\n\n${opDoc(l.node.op)}`;
    }
    return { start: site.start, end: site.end, contents: `${lines.join('  \n')}\n\n---\n${doc}` };
  }
  if (occ?.kind === 'op' && occ.op) return { start: occ.start, end: occ.end, contents: `\`\`\`nn\n${opSignature(occ.op)}\n\`\`\`\n${opDoc(occ.op)}` };
  return undefined;
}

/**
 * Hover on a size symbol of a model (`N` of `x: [N, 3, H, W]`; in its header, `where` or body): which inputs and
 * axes it sizes, whether it is the batch axis, what it is declared to be (`where`) or was bound to.
 */
function sizeHover(a: Analysis, d: ModelDecl, name: string, start: number, end: number): Hover | undefined {
  const m = a.result.models.find((x) => x.graph.name === d.name.text);
  if (!m || !m.graph.symbols.has(name)) return undefined;
  const g = m.graph;
  const axes = d.inputs.flatMap((p) => (p.type?.dims ?? []).flatMap((e, i) => (e.kind === 'name' && e.name.text === name ? [`\`${p.name.text}\` axis ${i}`] : [])));
  const facts: string[] = [];
  const mod = g.facts.get(name);
  if (mod && mod > 1) facts.push(`${name} % ${mod} == 0`);
  const low = g.facts.get(lowerBoundKey(name));
  if (low !== undefined && low > 1) facts.push(`${name} >= ${low}`);
  const bound = g.symbols.get(name);
  const lines = [
    `\`\`\`nn\n${name}\n\`\`\``,
    `size symbol of model ${d.name.text}${batchSymbols(g).has(name) ? ' (the batch axis: costs are per sample)' : ''}`,
    ...(axes.length ? [`sizes ${axes.join(', ')}`] : []),
    ...(facts.length ? [`declared: ${facts.map((f) => `\`${f}\``).join(', ')}`] : []),
    ...(bound !== undefined ? [`bound to \`${formatDim(bound)}\` by the shapes`] : []),
  ];
  return { start, end, contents: lines.join('\n\n') };
}

/** Hover on an output's name in a model's header: the shape declared and the shape the model returns there. */
function outputPortAt(a: Analysis, offset: number): Hover | undefined {
  const d = a.result.program.root.ast.decls.find((x) => x.kind === 'model' && x.range.start <= offset && offset <= x.range.end);
  if (d?.kind !== 'model') return undefined;
  const p = d.outputs?.find((x) => x.name.start <= offset && offset <= x.name.end);
  const m = p && a.result.models.find((x) => x.graph.name === d.name.text);
  const port = m?.graph.outputs.find((x) => x.name === p!.name.text);
  if (!p || !m || !port) return undefined;
  const declared = p.type ? a.text.slice(p.type.range.start, p.type.range.end) : undefined;
  const got = shapeText(m.graph.tensors[port.tensor]!.type.shape);
  return { start: p.name.start, end: p.name.end, contents: `\`\`\`nn\n${p.name.text}: ${got}\n\`\`\`\noutput of model ${d.name.text}${declared ? ` (declared \`${declared}\`)` : ''}` };
}

/** The module the last check loaded for an import of the root file: through its names' bindings, else by the standard path. */
export function importedModule(a: Analysis, d: ImportDecl): ModuleInfo | undefined {
  const root = a.result.program.root;
  const viaItem = d.items.map((it) => root.scope.get((it.alias ?? it.name).text)).find((b) => b && b.kind !== 'error' && b.module !== root);
  if (viaItem) return viaItem.module;
  const std = d.module.startsWith('std.') ? `/${d.module.slice(4).replace(/\./g, '/')}.nn` : undefined;
  return [...a.result.program.modules.values()].find((x) => x !== root && std !== undefined && x.std && x.path.replace(/\\/g, '/').endsWith(std));
}

/** Hover on an import's module: where it is, its header comment, and what it declares. */
function moduleHover(a: Analysis, d: ImportDecl): Hover | undefined {
  const m = importedModule(a, d);
  if (!m) return undefined;
  const text = m.file.text;
  // The comment lines the file opens with (up to the first blank line), as its description.
  const head: string[] = [];
  for (const l of text.split(/\r?\n|\r/)) {
    if (!l.startsWith('#')) break;
    head.push(l.replace(/^# ?/, ''));
  }
  const kinds = (k: 'block' | 'const' | 'model') => [...m.own.values()].filter((b) => b.kind === k).map((b) => `\`${b.decl.name.text}\``);
  const lists = ([['blocks', kinds('block')], ['constants', kinds('const')], ['models', kinds('model')]] as const).filter(([, xs]) => xs.length).map(([what, xs]) => `${what}: ${xs.join(', ')}`);
  const where = m.std ? 'standard library' : m.path;
  return { start: d.moduleRange.start, end: d.moduleRange.end, contents: [`\`\`\`nn\nfrom ${d.module}\n\`\`\``, `module (${where})`, ...(head.length ? [head.join('\n').trim()] : []), ...lists].join('\n\n') };
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
    const shapes = [...new Set(s.apps.map(appShape))];
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
  const apps = a.layers.length ? blockApps(a) : new Map<string, LayerApps>();
  for (const d of root.ast.decls) {
    if (d.kind === 'model') {
      const m = a.result.models.find((x) => x.graph.name === d.name.text);
      if (!m) continue;
      // The output's RF, or (after flatten/dense, which have none) the last one the model has.
      const withRf = [...m.layers].reverse().find((l) => l.rf?.length && l.node.rf.kind !== 'global');
      const rf = withRf ? rfText(withRf.rf) : undefined;
      out.push({ start: d.range.start, end: d.name.end, title: `${compact(m.totals.params)} params · ${compact(m.totals.macs)} MACs${rf ? ` · ${rf}` : ''}`, model: d.name.text });
    } else if (d.kind === 'block') {
      const calls = [...(apps.get(d.name.text)?.values() ?? [])];
      if (!calls.length) {
        out.push({ start: d.range.start, end: d.name.end, title: 'not used by a model in this file' });
        continue;
      }
      const t = appTotals(calls[0]!);
      const rf = rfText(t.rf);
      out.push({ start: d.range.start, end: d.name.end, title: `${compact(t.params)} params · ${compact(t.macs)} MACs${rf ? ` · ${rf}` : ''} (first of ${calls.length} call${calls.length === 1 ? '' : 's'})` });
    }
  }
  return out;
}

/** The applications of one block, each its layers, by the call path that made it. */
type LayerApps = Map<string, Analysis['layers'][number]['layer'][]>;

/**
 * Every block's applications: a layer belongs to the outermost call of each block on its call path. One pass
 * over the layers (a pass per block was quadratic: half a second for 100 blocks and 40,000 layers).
 */
function blockApps(a: Analysis): Map<string, LayerApps> {
  const byBlock = new Map<string, LayerApps>();
  for (const { model, layer } of a.layers) {
    const path = layer.node.blockPath;
    let key = model.graph.name;
    const seen = new Set<string>();
    for (const f of path) {
      key += `/${f.instance}@${f.span.start}`;
      if (seen.has(f.block)) continue;
      seen.add(f.block);
      let apps = byBlock.get(f.block);
      if (!apps) byBlock.set(f.block, (apps = new Map()));
      let g = apps.get(key);
      if (!g) apps.set(key, (g = []));
      g.push(layer);
    }
  }
  return byBlock;
}
