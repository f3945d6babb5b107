/**
 * Which occurrences are one symbol (for references and rename), and renaming it without changing what the
 * program means: a block parameter includes its `name=` keyword arguments at calls; an import alias is its
 * own name in its module; a new name that would clash with, hide or be hidden by another is refused.
 */
import type { Span } from '../diagnostics/types.js';
import type { BlockDecl, ModelDecl } from '../syntax/ast.js';
import { type Binding, type ModuleHost, type ModuleInfo, loadProgram } from '../semantics/modules.js';
import { KEYWORD_WORDS } from '../syntax/lexer.js';
import { spanOf } from '../syntax/source.js';
import type { Analysis } from './service.js';
import { type CallSite, type Occurrence, moduleSymbols, occurrenceAt, sameSymbol } from './symbols.js';

const KEYWORDS = new Set(KEYWORD_WORDS);

/** One occurrence of a symbol, in the module it is written in. */
export interface Site {
  readonly mod: ModuleInfo;
  readonly occ: Occurrence;
}

const isParamOf = (d: BlockDecl | ModelDecl | undefined, name: string): d is BlockDecl => d?.kind === 'block' && d.params.some((p) => p.name.text === name);

/**
 * Every occurrence of the symbol `occ` (found in `here`) within the program: undefined for what is not a
 * symbol (a layer's own keyword, a member, an unknown name).
 */
export function symbolSites(a: Analysis, here: ModuleInfo, occ: Occurrence, withAliases = false): Site[] | undefined {
  const mods = [...a.result.program.modules.values()];
  const all = (keep: (o: Occurrence, m: ModuleInfo) => boolean, within: readonly ModuleInfo[] = mods): Site[] => within.flatMap((m) => a.symbols(m).occurrences.filter((o) => keep(o, m)).map((o) => ({ mod: m, occ: o })));
  // A block's parameter: its uses in the block, and the `name=` arguments of calls to the block.
  const param = (m: ModuleInfo, d: BlockDecl, name: string) => [
    ...all((o) => (o.kind === 'param' || o.kind === 'local') && o.decl === d && o.name === name, [m]),
    ...all((o) => o.kind === 'kwarg' && o.name === name && o.binding?.decl === d),
  ];
  switch (occ.kind) {
    case 'kwarg': {
      const b = occ.binding;
      return b?.kind === 'block' && isParamOf(b.decl, occ.name) ? param(b.module, b.decl, occ.name) : undefined;
    }
    case 'local':
    case 'param':
      return isParamOf(occ.decl, occ.name) ? param(here, occ.decl, occ.name) : all((o) => sameSymbol(occ, o), [here]);
    case 'global': {
      const b = occ.binding;
      if (!b || b.kind === 'error') return undefined;
      // References: an alias's uses are uses of the declaration it imports (as highlights have them).
      if (withAliases) return all((o) => o.kind === 'global' && o.binding?.decl === b.decl);
      // Rename: an alias (`import tower as t`) is a name of its own module; the declared name is everyone else's.
      const alias = occ.name !== b.decl.name.text;
      return all((o) => o.kind === 'global' && o.binding?.decl === b.decl && o.name === occ.name, alias ? [here] : mods);
    }
    case 'op':
      return all((o) => sameSymbol(occ, o));
    default:
      return undefined;
  }
}

/**
 * Every occurrence of the symbol at `offset` in the document's program, as spans (the modules it imports
 * included; an imported declaration's aliases too). Files that import it: {@link referencesInImporters}.
 */
export function references(a: Analysis, offset: number, includeDeclaration = true): Span[] {
  const root = a.result.program.root;
  const occ = occurrenceAt(a.symbols(root), offset);
  const sites = occ && symbolSites(a, root, occ, true);
  return (sites ?? []).filter((s) => includeDeclaration || !s.occ.isDef).map((s) => spanOf(s.mod.file, s.occ.start, s.occ.end));
}

export interface RenameResult {
  readonly edits?: readonly { readonly span: Span; readonly newText: string }[];
  readonly error?: string;
}

/** What can be renamed at `offset` (its name's range), or why not. */
export function prepareRename(a: Analysis, offset: number): { start: number; end: number; name: string } | { error: string } {
  const root = a.result.program.root;
  const occ = occurrenceAt(a.symbols(root), offset);
  if (!occ) return { error: 'nothing to rename here' };
  if (occ.kind === 'op' || (occ.kind === 'kwarg' && !occ.binding)) return { error: `'${occ.name}' belongs to the layer catalogue and cannot be renamed` };
  const sites = symbolSites(a, root, occ);
  if (!sites?.length || occ.kind === 'unknown' || occ.kind === 'member') return { error: `'${occ.name}' is not a name defined in this program` };
  const std = sites.find((s) => s.mod.std && (s.occ.isDef || s.occ.kind === 'param'));
  if (std) return { error: `'${occ.name}' is defined in the standard library (${std.mod.path.split('/').pop()})` };
  return { start: occ.start, end: occ.end, name: occ.name };
}

/** Renames the symbol at `offset` everywhere in the program, or says why it would change the program's meaning. */
export function rename(a: Analysis, offset: number, newName: string): RenameResult {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName) || KEYWORDS.has(newName)) return { error: `'${newName}' is not a valid name` };
  const prep = prepareRename(a, offset);
  if ('error' in prep) return prep;
  const root = a.result.program.root;
  const sites = symbolSites(a, root, occurrenceAt(a.symbols(root), offset)!)!;
  if (newName === prep.name) return { edits: [] };
  const clash = clashOf(a, sites, newName);
  if (clash) return { error: `cannot rename '${prep.name}' to '${newName}': ${clash}` };
  return { edits: sites.map((s) => ({ span: spanOf(s.mod.file, s.occ.start, s.occ.end), newText: newName })) };
}

/**
 * Why `newName` cannot take the place of the renamed sites: another name it would merge with or hide
 * where the symbol is used (a tensor of the same block, a block or constant of a module the new name
 * reaches, a layer or builtin called there), or undefined.
 */
function clashOf(a: Analysis, sites: readonly Site[], newName: string): string | undefined {
  const named = (m: ModuleInfo, keep: (o: Occurrence) => boolean) => a.symbols(m).occurrences.find((o) => o.name === newName && o.kind !== 'kwarg' && o.kind !== 'member' && keep(o));
  const kinds: Record<string, string> = { local: 'a tensor or value', param: 'a parameter', global: 'a block, model, constant or import', op: 'a layer of the catalogue', unknown: 'a builtin or unknown name' };
  for (const s of sites) {
    // (A call's `name=` follows its parameter: a clash there is one in the block, found at the parameter,
    // or a call that already passes the new name.)
    if (s.occ.kind === 'kwarg') {
      if (passesAlready(a.symbols(s.mod).calls, s.occ, newName)) return `a call in ${s.mod.path.split('/').pop()} already passes '${newName}='`;
      continue;
    }
    // The declaration the site is in: a name used there would now mean something else.
    const d = s.occ.decl;
    const inDecl = d ? named(s.mod, (o) => o.decl === d) : undefined;
    if (inDecl) return `'${newName}' is already used in ${d!.name.text} (${kinds[inDecl.kind] ?? inDecl.kind})`;
    if (s.occ.kind === 'global') {
      if (s.mod.scope.has(newName)) return `'${newName}' already names ${kinds.global} in ${s.mod.path.split('/').pop()}`;
      const anywhere = named(s.mod, (o) => o.kind === 'op' || o.kind === 'unknown');
      if (anywhere) return `${s.mod.path.split('/').pop()} uses ${kinds[anywhere.kind]} named '${newName}', which the new name would hide`;
    }
  }
  return undefined;
}

/** Whether the call `kwarg` is a keyword argument of already passes `newName=` (it would then pass it twice). */
function passesAlready(calls: readonly CallSite[], kwarg: Occurrence, newName: string): boolean {
  const c = calls.find((x) => x.args.some((g) => g.name?.start === kwarg.start));
  return !!c?.args.some((g) => g.name?.text === newName);
}

/**
 * A block, model or constant declared at the top of a file (what other files may import), by name; with
 * `param`, that block's parameter (what other files' calls name in `param=`).
 */
export interface Exported {
  readonly path: string;
  readonly name: string;
  readonly param?: string;
}

/**
 * The declaration (or block parameter) the symbol at `offset` is, when other files may name it. For a rename
 * (the default), not through an alias (an alias is its own file's name) and not the standard library's; for
 * references (`forReferences`), either.
 */
export function exportedAt(a: Analysis, offset: number, forReferences = false): Exported | undefined {
  const root = a.result.program.root;
  const occ = occurrenceAt(a.symbols(root), offset);
  if (!occ) return undefined;
  const ok = (m: ModuleInfo) => forReferences || !m.std;
  if (occ.kind === 'global') {
    const b = occ.binding;
    if (!b || b.kind === 'error' || !ok(b.module) || (!forReferences && occ.name !== b.decl.name.text)) return undefined;
    return { path: b.module.path, name: b.decl.name.text };
  }
  if (occ.kind === 'kwarg') {
    const b = occ.binding;
    return b?.kind === 'block' && isParamOf(b.decl, occ.name) && ok(b.module) ? { path: b.module.path, name: b.decl.name.text, param: occ.name } : undefined;
  }
  if ((occ.kind === 'param' || occ.kind === 'local') && isParamOf(occ.decl, occ.name) && ok(root)) return { path: root.path, name: occ.decl.name.text, param: occ.name };
  return undefined;
}

/** A workspace file (its editor text when open, else the disk's): only the language server reads them. */
export interface SourceText {
  readonly path: string;
  readonly text: string;
}

/**
 * The occurrences of `target` in each of `files` that imports it (not those in `skip`, which the document's
 * own program covers): the declared name where it is written (with `aliases`, an alias's too), or a
 * parameter's `name=` at calls (through an alias or an instance too).
 */
function* importerSites(host: ModuleHost, files: readonly SourceText[], target: Exported, skip: ReadonlySet<string>, aliases: boolean) {
  const isTarget = (b: Binding | undefined) => !!b && b.kind !== 'error' && b.module.path === target.path && b.decl.name.text === target.name;
  for (const f of files) {
    if (skip.has(f.path) || !f.text.includes(target.name)) continue;
    const program = loadProgram(f.path, f.text, host);
    if (!program.modules.has(target.path)) continue;
    const syms = moduleSymbols(program.root);
    const mine = syms.occurrences.filter((o) =>
      target.param ? o.kind === 'kwarg' && o.name === target.param && o.binding?.kind === 'block' && isTarget(o.binding) : o.kind === 'global' && isTarget(o.binding) && (aliases || o.name === target.name),
    );
    if (mine.length) yield { root: program.root, syms, mine, file: f.path.split('/').pop() };
  }
}

/** The spans of `target` in the files that import it (see {@link importerSites}), aliases' uses included. */
export function referencesInImporters(host: ModuleHost, files: readonly SourceText[], target: Exported, skip: ReadonlySet<string>, includeDeclaration = true): Span[] {
  const out: Span[] = [];
  for (const { root, mine } of importerSites(host, files, target, skip, true)) for (const o of mine) if (includeDeclaration || !o.isDef) out.push(spanOf(root.file, o.start, o.end));
  return out;
}

/**
 * The edits renaming `target` (a declaration, or a block's parameter at its calls) in files outside the
 * document's program that import it, or why that would break one of them. `skip`: the files the document's
 * own rename already covers.
 */
export function renameInImporters(host: ModuleHost, files: readonly SourceText[], target: Exported, newName: string, skip: ReadonlySet<string>): RenameResult {
  const edits: { span: Span; newText: string }[] = [];
  const old = target.param ?? target.name;
  for (const { root, syms, mine, file } of importerSites(host, files, target, skip, false)) {
    if (target.param) {
      if (mine.some((o) => passesAlready(syms.calls, o, newName))) return { error: `cannot rename '${old}' to '${newName}': a call in ${file} already passes '${newName}='` };
    } else {
      if (root.scope.has(newName)) return { error: `cannot rename '${old}' to '${newName}': '${newName}' already names a block, model, constant or import in ${file}` };
      const hidden = syms.occurrences.find((o) => o.name === newName && o.kind !== 'kwarg' && o.kind !== 'member' && (o.kind === 'op' || o.kind === 'unknown' || mine.some((m) => m.decl && m.decl === o.decl)));
      if (hidden) return { error: `cannot rename '${old}' to '${newName}': ${file} already uses '${newName}'` };
    }
    for (const o of mine) edits.push({ span: spanOf(root.file, o.start, o.end), newText: newName });
  }
  return { edits };
}
