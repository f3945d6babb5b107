/**
 * Code actions: the fixes diagnostics carry, "insert padding to keep size" for shrinking convs, `bias=false`
 * for W0101, the `where` bound W0108 asks for.
 */
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { getOp } from '../ops/registry.js';
import type { OpDef } from '../ops/types.js';
import type { Arg, BlockDecl, ConstDecl, Expr, ModelDecl, Stmt } from '../syntax/ast.js';
import type { LayerReport } from '../checker/analyze.js';
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
 * one (attributes follow the `inputs` tensor inputs written first: those of the op in a direct call, none in a
 * chain step or where an instance is created); undefined when not written.
 */
function attrArg(op: OpDef, call: CallSite, name: string, inputs = call.inChain ? 0 : op.inputs.length): Arg | undefined {
  const def = op.attrs.find((x) => x.name === name);
  if (!def) return undefined;
  const named = call.args.find((x) => x.name && (x.name.text === name || def.aliases?.includes(x.name.text)));
  if (named) return named;
  const positional = call.args.filter((x) => !x.name).slice(inputs);
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

/** A conv call written in this file, with the last layer of each application of it (a chain step, a direct call, an instance). */
interface PadTarget {
  readonly call: CallSite;
  readonly op: OpDef;
  /** Tensor inputs written before its attributes (see attrArg). */
  readonly inputs: number;
  readonly layers: LayerReport[];
  /** Where it is applied (and created): the action is offered over any of these. */
  readonly spans: { start: number; end: number }[];
}

/**
 * The call that created the layer instance `name` applied at `at`: the one `name = op(…)` of the block or
 * model around it (none when it has several, or is a parameter or loop variable), else a `const name = op(…)`.
 */
function creationCall(a: Analysis, at: number, name: string): CallSite | undefined {
  const decls = a.result.program.root.ast.decls;
  const d = decls.find((x) => (x.kind === 'block' || x.kind === 'model') && x.range.start <= at && at <= x.range.end) as BlockDecl | ModelDecl | undefined;
  let value: Expr | undefined;
  if (d) {
    const params = d.kind === 'block' ? d.params : d.inputs;
    if (params.some((p) => p.name.text === name)) return undefined;
    const assigns: Expr[] = [];
    let shadowed = false;
    const walk = (ss: readonly Stmt[]) => {
      for (const s of ss) {
        if (s.kind === 'assign' && s.target.text === name) assigns.push(s.value);
        if (s.kind === 'for' && s.variable.text === name) shadowed = true;
        if (s.kind === 'if') walk([...s.then, ...(s.else ?? [])]);
        else if (s.kind === 'for' || s.kind === 'repeat' || s.kind === 'frozen') walk(s.body);
      }
    };
    walk(d.body);
    if (shadowed || assigns.length > 1) return undefined;
    value = assigns[0];
  }
  value ??= decls.find((x): x is ConstDecl => x.kind === 'const' && x.name.text === name)?.value;
  return value?.kind === 'call' ? callAt(a, value.range.start, value.range.end) : undefined;
}

/** The conv calls of this file whose applications the padding fix may concern, by call. */
function padTargets(a: Analysis): PadTarget[] {
  const text = a.result.program.root.file.text;
  const targets = new Map<number, PadTarget>();
  for (const s of sitesOf(a, a.path)) {
    if (s.block) continue;
    const layers = s.apps.map((app) => app[app.length - 1]!);
    const op = layers[0]?.node.op;
    if (!op || !/conv/.test(op.name) || op.name.includes('transpose')) continue;
    const written = text.slice(s.start, s.end).endsWith(')') ? callAt(a, s.start, s.end) : undefined;
    let call: CallSite | undefined;
    let inputs = 0;
    if (written && getOp(written.callee) === op) {
      call = written;
      inputs = call.inChain ? 0 : op.inputs.length;
    } else {
      // An instance applied here (`-> enc`, `enc(x)`): the fix goes where it was created, with only attributes.
      const name = written?.callee ?? text.slice(s.start, s.end);
      const made = /^[A-Za-z_]\w*$/.test(name) ? creationCall(a, s.start, name) : undefined;
      if (made && getOp(made.callee) === op) call = made;
    }
    if (!call) continue;
    let t = targets.get(call.range.start);
    if (!t) targets.set(call.range.start, (t = { call, op, inputs, layers: [], spans: [call.range] }));
    t.layers.push(...layers);
    t.spans.push({ start: s.start, end: s.end });
  }
  return [...targets.values()];
}

/** The padding of an even kernel (asymmetric; W0102 says so). */
const SAME = "'same'";

const ATOM = /^(?:[A-Za-z_]\w*(?:\.\w+)*|\d+)$/;
const atom = (s: string) => (ATOM.test(s) ? s : `(${s})`);

/**
 * The padding that keeps the size of every application of a target, as source text: a number or tuple when
 * they all need the same; else an expression of the call's own kernel (and dilation) arguments, when these are
 * single numbers in every application; undefined when no padding fits or none is needed.
 */
function keepPadding(t: PadTarget, text: string): string | undefined {
  const needs: number[][] = [];
  let even = false;
  for (const l of t.layers) {
    const rf = l.node.rf;
    if (rf.kind !== 'window' || !rf.axes.length || rf.axes.some((x) => x.stride !== 1 || x.padBegin !== 0)) return undefined;
    const pads = rf.axes.map((x) => (x.dilation * (x.kernel - 1)) / 2);
    even ||= pads.some((p) => !Number.isInteger(p));
    needs.push(pads);
  }
  if (!needs.some((p) => p.some((x) => x > 0))) return undefined;
  // An even kernel needs one more row after than before: only 'same' (SAME_UPPER) pads unevenly.
  if (even) return SAME;
  const first = needs[0]!;
  if (needs.every((p) => p.join() === first.join())) return first.every((p) => p === first[0]) ? String(first[0]) : `(${first.join(', ')})`;
  // Different needs (a block parameter, a loop variable): `d * (k - 1) // 2` written with the arguments' text.
  const source = (name: string) => {
    const arg = attrArg(t.op, t.call, name, t.inputs);
    const s = arg && text.slice(arg.value.range.start, arg.value.range.end);
    return s && !/[\r\n#]/.test(s) ? s : undefined;
  };
  const ks = t.layers.map((l) => l.node.attrs.kernel_size);
  const ds = t.layers.map((l) => l.node.attrs.dilation ?? 1);
  const k = source('kernel_size');
  if (!k || !ks.every((x) => typeof x === 'number') || !ds.every((x) => typeof x === 'number')) return undefined;
  // Dilation 1 everywhere: kernels are odd (the needs are whole), so (k - 1) / 2 is k // 2.
  if (ds.every((x) => x === 1)) return `${atom(k)} // 2`;
  const d = source('dilation');
  if (!d) return undefined;
  if (!/^\d+$/.test(k)) return `${atom(d)} * (${atom(k)} - 1) // 2`;
  const m = Number(k) - 1;
  return m % 2 ? `${atom(d)} * ${m} // 2` : m === 2 ? d : `${atom(d)} * ${m / 2}`;
}

/**
 * A stride-1 convolution without padding shrinks the grid by K_eff−1; `padding=(K_eff−1)/2` keeps it when
 * that is whole. Offered on conv calls whose every application shrinks its input, with a padding that keeps
 * every one (see keepPadding); an instance's applications are fixed where it was created. The padding
 * written (by keyword or position) is replaced, or one is added.
 */
function paddingActions(a: Analysis, start: number, end: number): CodeAction[] {
  const out: CodeAction[] = [];
  const file = a.result.program.root.file;
  for (const t of padTargets(a)) {
    if (!t.spans.some((s) => s.end >= start && s.start <= end) || !file.text.slice(t.call.range.start, t.call.range.end).endsWith(')')) continue;
    const pad = keepPadding(t, file.text);
    if (!pad) continue;
    const given = attrArg(t.op, t.call, 'padding', t.inputs);
    const why = pad === SAME ? ' (asymmetric for an even kernel)' : '';
    if (given) {
      // A written padding of zero (`padding=0`, or positionally): its value is replaced.
      out.push({ title: `set padding=${pad} to keep the size${why}`, kind: 'quickfix', edits: [{ span: spanOf(file, given.value.range.start, given.value.range.end), newText: pad }] });
      continue;
    }
    const edits = appendArg(a, t.call.range.start, t.call.range.end, `padding=${pad}`).map((e) => ({ span: spanOf(file, e.at, e.at), newText: e.newText }));
    out.push({ title: `insert padding=${pad} to keep the size${why}`, kind: 'quickfix', edits });
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
