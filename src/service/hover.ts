/** Hover, answered from the last analysis: layers, blocks, tensors, values, size symbols, imports. */
import { getOp } from '../ops/registry.js';
import type { OpDef } from '../ops/types.js';
import type { BlockDecl, Expr, ImportDecl, ModelDecl } from '../syntax/ast.js';
import type { CheckedModel } from '../checker/analyze.js';
import { batchSymbols } from '../checker/memory.js';
import { formatBytes } from '../checker/summary.js';
import { lowerBoundKey } from '../symbolic/facts.js';
import { constText } from '../semantics/consts.js';
import { exprChildren } from '../syntax/walk.js';
import { BUILTINS } from '../semantics/builtins.js';
import type { Binding } from '../semantics/modules.js';
import { formatDim } from '../symbolic/dim.js';
import { attrValue, blockSignature, importedModule, opSignature, paramText, typeText } from './features.js';
import { type SiteApps, appRfText, appTotals, exact, rowName, siteAt, tensorText } from './layers.js';
import type { Analysis } from './service.js';
import { occurrenceAt } from './symbols.js';
import { argsAcrossCalls, defStmt, localValueTexts } from './values.js';

export interface Hover {
  readonly start: number;
  readonly end: number;
  /** Markdown. */
  readonly contents: string;
}

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
      if (port) shapes = [tensorText(m!.graph.tensors[port.tensor]!.type)];
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
      const st = defStmt(occ.decl.body, def.start);
      // A layer instance applied as a chain step (`-> encoder`): what this application made.
      if (site && site.start === occ.start && site.end === occ.end) return siteHover(a, site, `layer instance \`${occ.name}\`: its applications share weights`);
      if (st?.kind === 'assign') {
        // As read here: after the loop that assigned it, its last iteration's value; after an `if` that may not
        // have run, the value before it too.
        shapes = localValueTexts(a, occ.decl, occ.name, occ.start);
        // Not a tensor (a number, string, list or layer instance): the assignment as written.
        if (!shapes.length) return { start: occ.start, end: occ.end, contents: `\`\`\`nn\n${clip(a.text.slice(st.range.start, st.value.range.end))}\n\`\`\`\nlocal of ${occ.decl.kind} ${occ.decl.name.text}` };
      } else if (st?.kind === 'for') return { start: occ.start, end: occ.end, contents: `\`\`\`nn\nfor ${occ.name} in ${clip(a.text.slice(st.iterable.range.start, st.iterable.range.end))}\n\`\`\`\nloop variable of ${occ.decl.kind} ${occ.decl.name.text}` };
    }
    const what = occ.kind === 'param' ? `parameter of ${occ.decl.kind} ${occ.decl.name.text}` : `local of ${occ.decl.kind} ${occ.decl.name.text}`;
    const shape = shapes.length ? `: ${shapes.slice(0, 3).join(' | ')}${shapes.length > 3 ? ' | …' : ''}` : '';
    return { start: occ.start, end: occ.end, contents: `\`\`\`nn\n${occ.name}${shape}\n\`\`\`\n${what}${shapes.length > 1 ? ` (${shapes.length} shapes across ${occ.kind === 'param' ? 'calls' : 'applications'})` : ''}` };
  }
  // A builtin function or whole-model total (`params`, `rf(t)`, `str(i)`).
  const builtin = occ?.kind === 'unknown' ? BUILTINS.get(occ.name) : undefined;
  if (builtin && occ) return { start: occ.start, end: occ.end, contents: `\`\`\`nn\n${occ.name}${builtin.value ? '' : '(…)'}\n\`\`\`\n${builtin.value ? 'whole-model total (in assertions)' : 'builtin function'}: ${builtin.doc}` };
  // A constant inside a layer call: its value says more than the layer (the call's other tokens show the layer).
  if (occ && occ.kind === 'global' && occ.binding && (!site || occ.binding.kind === 'const')) {
    // (An import that did not resolve has nothing to show: no hover rather than an empty box.)
    const doc = bindingDoc(occ.binding, a);
    return doc ? { start: occ.start, end: occ.end, contents: doc } : undefined;
  }
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
  if (site) return siteHover(a, site);
  if (occ?.kind === 'op' && occ.op) return { start: occ.start, end: occ.end, contents: `\`\`\`nn\n${opSignature(occ.op)}\n\`\`\`\n${opDoc(occ.op)}` };
  return undefined;
}

const clip = (t: string) => (t.length > 120 ? `${t.slice(0, 119)}…` : t);

/** A layer or block call: its output shapes, params, MACs, RF, then the op's docs or the block's signature. */
function siteHover(a: Analysis, site: SiteApps, note?: string): Hover {
  const mod = a.result.program.root;
  const apps = site.apps;
  const first = apps[0]!;
  const t = appTotals(first);
  const shapes = [...new Set(site.shapes)];
  const rf = appRfText(site.runs[0]!, first);
  const lines = [`**→ ${shapes.slice(0, 3).join(' | ')}${shapes.length > 3 ? ' | …' : ''}**`, `params ${exact(t.params)} · MACs ${exact(t.macs)}${rf ? ` · ${rf}` : ''}`];
  if (apps.length > 1) lines.push(`applied ${apps.length} times (numbers are for the first)`);
  if (note) lines.push(note);
  let doc = '';
  if (site.block) {
    const b = mod.scope.get(site.block) ?? [...a.result.program.modules.values()].map((m) => m.own.get(site.block!)).find(Boolean);
    if (b) doc = bindingDoc(b);
  } else {
    const l = first[0]!;
    doc = `\`\`\`nn\n${opSignature(l.node.op)}\n\`\`\`\n\`${rowName(site.runs[0]!.model, l)}\`${l.sharedWith ? ` (shares weights with \`${l.sharedWith}\`)` : ''}\n\n${opDoc(l.node.op)}`;
  }
  return { start: site.start, end: site.end, contents: `${lines.join('  \n')}\n\n---\n${doc}` };
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
  // The `where` constraints that name it, as written (an equality binds it, which the facts do not show).
  const facts = d.where.filter((e) => mentions(e, name)).map((e) => a.text.slice(e.range.start, e.range.end));
  const mod = g.facts.get(name);
  const low = g.facts.get(lowerBoundKey(name));
  if (!facts.length && mod && mod > 1) facts.push(`${name} % ${mod} == 0`);
  if (!facts.length && low !== undefined && low > 1) facts.push(`${name} >= ${low}`);
  const bound = g.symbols.get(name);
  const declaredEqual = d.where.some((e) => e.kind === 'binary' && e.op === '==' && mentions(e, name));
  const lines = [
    `\`\`\`nn\n${name}\n\`\`\``,
    `size symbol of model ${d.name.text}${batchSymbols(g).has(name) ? ' (the batch axis: costs are per sample)' : ''}`,
    ...(axes.length ? [`sizes ${axes.join(', ')}`] : []),
    ...(facts.length ? [`declared: ${facts.map((f) => `\`${f}\``).join(', ')}`] : []),
    ...(bound !== undefined ? [`bound to \`${formatDim(bound)}\`${declaredEqual ? '' : ' by the shapes'}`] : []),
  ];
  return { start, end, contents: lines.join('\n\n') };
}

/** Whether an expression refers to `name`. */
function mentions(e: Expr, name: string): boolean {
  return e.kind === 'name' ? e.name.text === name : exprChildren(e).some((x) => mentions(x, name));
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
  const got = tensorText(m.graph.tensors[port.tensor]!.type);
  return { start: p.name.start, end: p.name.end, contents: `\`\`\`nn\n${p.name.text}: ${got}\n\`\`\`\noutput of model ${d.name.text}${declared ? ` (declared \`${declared}\`)` : ''}` };
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

