/**
 * Code actions: the fixes diagnostics carry, "insert padding to keep size" for shrinking convs, `bias=false`
 * for W0101, the `where` bound W0108 asks for.
 */
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { getOp } from '../ops/registry.js';
import type { OpDef } from '../ops/types.js';
import type { Arg, ModelDecl, Stmt } from '../syntax/ast.js';
import { spanOf } from '../syntax/source.js';
import type { CallSite } from './symbols.js';
import { sitesOf } from './layers.js';
import type { Analysis } from './service.js';

export interface CodeAction {
  readonly title: string;
  readonly kind: 'quickfix' | 'refactor.rewrite' | 'source.organizeImports';
  readonly edits: readonly { readonly span: Span; readonly newText: string }[];
  readonly diagnostic?: Diagnostic;
  readonly preferred?: boolean;
}

/** Actions for the range [start, end] of the document. */
export function codeActions(a: Analysis, start: number, end: number): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of a.diagnostics) {
    if (!d.fixes?.length || !d.span || d.span.file !== a.path || d.span.end < start || d.span.start > end) continue;
    d.fixes.forEach((f, i) => out.push({ title: f.title, kind: 'quickfix', edits: f.edits, diagnostic: d, preferred: i === 0 }));
  }
  for (const d of a.diagnostics) if (d.span && d.span.file === a.path && d.span.end >= start && d.span.start <= end) out.push(...biasActions(a, d), ...boundActions(a, d));
  out.push(...paddingActions(a, start, end));
  return out;
}

/** The call written at [start, end) of the document (its arguments), if one. */
function callAt(a: Analysis, start: number, end: number): CallSite | undefined {
  return a.symbols(a.result.program.root).calls.find((c) => c.range.start === start && c.range.end === end);
}

/**
 * Where an attribute of `op` is written in a call: its keyword argument (by name or alias), or its positional
 * one (attributes follow the tensor inputs a direct call passes first); undefined when not written.
 */
function attrArg(op: OpDef, call: CallSite, name: string): Arg | undefined {
  const def = op.attrs.find((x) => x.name === name);
  if (!def) return undefined;
  const named = call.args.find((x) => x.name && (x.name.text === name || def.aliases?.includes(x.name.text)));
  if (named) return named;
  const positional = call.args.filter((x) => !x.name).slice(call.inChain ? 0 : op.inputs.length);
  return positional[op.attrs.indexOf(def)];
}

/** The innermost statement of the file's blocks and models containing `offset`, if any. */
function statementAt(a: Analysis, offset: number): Stmt | undefined {
  const inside = (r: { start: number; end: number }) => r.start <= offset && offset <= r.end;
  let found: Stmt | undefined;
  let list: readonly Stmt[] = a.result.program.root.ast.decls.flatMap((d) => (d.kind === 'block' || d.kind === 'model') && inside(d.range) ? d.body : []);
  for (;;) {
    const s = list.find((x) => inside(x.range));
    if (!s) return found;
    found = s;
    list = s.kind === 'if' ? [...s.then, ...(s.else ?? [])] : s.kind === 'for' || s.kind === 'repeat' || s.kind === 'frozen' ? s.body : [];
  }
}

/**
 * An argument `arg` added to the call at [start, end) (which ends with `)`): after a trailing comma, or on a
 * line of its own when the `)` is (the layout `dslc fmt` gives long calls). A `name=` at the start of a line
 * at or left of its statement's column would begin a new statement: then it goes after the last argument,
 * on that argument's line.
 */
function appendArg(a: Analysis, start: number, end: number, arg: string): { at: number; newText: string }[] {
  const text = a.result.program.root.file.text;
  const close = end - 1;
  const inner = text.slice(start, close);
  // (A comment after the last argument: `# …` up to the line's end is skipped to find what comes last.)
  const last = inner.replace(/#[^\r\n]*/g, (c) => ' '.repeat(c.length)).trimEnd();
  const lastEnd = start + last.length;
  if (last.endsWith('(')) return [{ at: lastEnd, newText: arg }];
  const lineOf = (at: number) => text.lastIndexOf('\n', at - 1) + 1;
  const lineStart = lineOf(close);
  if (lineStart > start && text.slice(lineStart, close).trim() === '') {
    // `)` alone on its line: the new argument goes on a line above it, indented as the last argument's line,
    // when that line is one of the call's own and deeper than the statement.
    const argLine = lineOf(lastEnd);
    const indent = /^[ \t]*/.exec(text.slice(argLine))![0];
    const stmt = statementAt(a, start);
    const column = stmt ? stmt.range.start - lineOf(stmt.range.start) : -1;
    if (argLine > start && indent.length > column) {
      const own = { at: lineStart, newText: `${indent}${arg},\n` };
      return last.endsWith(',') ? [own] : [{ at: lastEnd, newText: ',' }, own];
    }
    return [{ at: lastEnd, newText: last.endsWith(',') ? ` ${arg},` : `, ${arg}` }];
  }
  return [{ at: close, newText: last.endsWith(',') ? ` ${arg}` : `, ${arg}` }];
}

/**
 * A stride-1 convolution without padding shrinks the grid by K_eff−1; `padding=(K_eff−1)/2` keeps it when
 * that is whole (odd kernels). Offered on conv calls whose every application shrinks its input: the
 * padding written (by keyword or position) is replaced, or one is added.
 */
function paddingActions(a: Analysis, start: number, end: number): CodeAction[] {
  const out: CodeAction[] = [];
  const file = a.result.program.root.file;
  for (const s of sitesOf(a, a.path)) {
    if (s.end < start || s.start > end || s.block) continue;
    const layers = s.apps.map((app) => app[app.length - 1]!);
    const first = layers[0];
    if (!first || first.node.rf.kind !== 'window' || !/conv/.test(first.node.op.name) || first.node.op.name.includes('transpose')) continue;
    const axes = first.node.rf.axes;
    if (!axes.length || axes.some((x) => x.stride !== 1 || x.padBegin !== 0)) continue;
    const pads = axes.map((x) => (x.dilation * (x.kernel - 1)) / 2);
    if (pads.some((p) => !Number.isInteger(p) || p <= 0)) continue;
    const call = callAt(a, s.start, s.end);
    if (!call || !file.text.slice(s.start, s.end).endsWith(')')) continue;
    const pad = pads.every((p) => p === pads[0]) ? String(pads[0]) : `(${pads.join(', ')})`;
    const title = `insert padding=${pad} to keep the size`;
    const given = attrArg(first.node.op, call, 'padding');
    if (given) {
      // A written padding of zero (`padding=0`, or positionally): its value is replaced.
      out.push({ title: `set padding=${pad} to keep the size`, kind: 'quickfix', edits: [{ span: spanOf(file, given.value.range.start, given.value.range.end), newText: pad }] });
      continue;
    }
    const edits = appendArg(a, s.start, s.end, `padding=${pad}`).map((e) => ({ span: spanOf(file, e.at, e.at), newText: e.newText }));
    out.push({ title, kind: 'quickfix', edits });
  }
  return out;
}

/** W0101 (a bias cancelled by the norm after it): `bias=false` added to that layer's call, where it is written. */
function biasActions(a: Analysis, d: Diagnostic): CodeAction[] {
  const file = a.result.program.root.file;
  if (d.code !== 'W0101' || !d.span || d.span.file !== a.path || !file.text.slice(d.span.start, d.span.end).endsWith(')')) return [];
  const call = callAt(a, d.span.start, d.span.end);
  const op = call && getOp(call.callee);
  if (!call || !op || attrArg(op, call, 'bias')) return [];
  const edits = appendArg(a, d.span.start, d.span.end, 'bias=false').map((e) => ({ span: spanOf(file, e.at, e.at), newText: e.newText }));
  return [{ title: 'pass bias=false', kind: 'quickfix', edits, diagnostic: d, preferred: true }];
}

/**
 * W0108 (a size that is at least 1 only from some size of a symbol on): the bound added to the `where` of
 * the model of this file whose inputs have that symbol (after its constraints, or as a new `where` before
 * the body). Not offered when several models have it and the layer is not inside one of them.
 */
function boundActions(a: Analysis, d: Diagnostic): CodeAction[] {
  const b = d.code === 'W0108' ? d.bound : undefined;
  if (!b || !d.span) return [];
  const { symbol, least: bound } = b;
  const file = a.result.program.root.file;
  const models = a.result.program.root.ast.decls.filter((x): x is ModelDecl => x.kind === 'model' && x.inputs.some((p) => p.type?.dims?.some((e) => e.kind === 'name' && e.name.text === symbol)));
  const model = models.find((x) => x.range.start <= d.span!.start && d.span!.end <= x.range.end) ?? (models.length === 1 ? models[0] : undefined);
  if (!model) return [];
  const constraint = `${symbol} >= ${bound}`;
  let edit: { at: number; newText: string };
  if (model.where.length) edit = { at: model.where[model.where.length - 1]!.range.end, newText: `, ${constraint}` };
  else {
    // Before the body's `{` (the header has no brace of its own; a comment in it would be unusual).
    const last = model.outputs?.at(-1)?.range.end ?? model.inputs.at(-1)?.range.end ?? model.name.end;
    const brace = file.text.indexOf('{', last);
    if (brace < 0) return [];
    edit = file.text[brace - 1] === ' ' ? { at: brace, newText: `where ${constraint} ` } : { at: brace, newText: ` where ${constraint} ` };
  }
  return [{ title: `add \`where ${constraint}\` to ${model.name.text}`, kind: 'quickfix', edits: [{ span: spanOf(file, edit.at, edit.at), newText: edit.newText }], diagnostic: d, preferred: true }];
}
