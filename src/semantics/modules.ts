/**
 * Modules and imports. File access goes through a {@link ModuleHost} so the core runs in a browser:
 * the CLI passes a file-system host, the LSP one backed by open documents, tests an in-memory one.
 */
import { diag, didYouMean } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { ConstDecl, Decl, ImportDecl, ModelDecl, Module, Name } from '../syntax/ast.js';
import type { WithDiagnostics } from '../diagnostics/types.js';
import { parseByDecls } from '../syntax/chunks.js';
import { type SourceFile, sourceFile, spanOf } from '../syntax/source.js';
import { type StdName, stdNames } from './std-names.js';
import { unusedImports } from './unused-imports.js';

export interface ModuleHost {
  /** Resolves an import (`std.resnet`, `./blocks.nn`) from the importing file to a path, if it exists. */
  resolve(spec: string, fromPath: string): string | undefined;
  /**
   * The path an import names whether or not a file is there: an editor's open document that is not on disk
   * (never saved, or deleted) still resolves. Absent: only what `resolve` finds.
   */
  pathOf?(spec: string, fromPath: string): string | undefined;
  /** Reads a resolved path; undefined if unreadable. */
  read(path: string): string | undefined;
  /** Whether a path is a standard-library file (default: reached through a `std.…` import). */
  isStd?(path: string): boolean;
  /** The standard modules there are (`std.resnet`, …), for E0206's hint; absent: the hint names none. */
  stdModules?(): readonly string[];
  /** The same for hosts that read the same files (a wrapper gives its base's): what caches of library reads key on. */
  readonly id?: object;
  /**
   * The entries of the directory a relative path (`./`, `../blocks/`) names from the importing file: `.nn` files
   * and folders, for completing an import's path; absent or undefined: none.
   */
  list?(dir: string, fromPath: string): readonly { readonly name: string; readonly dir: boolean }[] | undefined;
}

/** What a module-level name refers to. */
export type Binding =
  /** An import that failed (already reported): uses stay silent. */
  | { readonly kind: 'error'; readonly decl: { readonly name: Name }; readonly module: ModuleInfo }
  | { readonly kind: 'block'; readonly decl: Extract<Decl, { kind: 'block' }>; readonly module: ModuleInfo }
  | { readonly kind: 'const'; readonly decl: ConstDecl; readonly module: ModuleInfo }
  | { readonly kind: 'model'; readonly decl: ModelDecl; readonly module: ModuleInfo };

export interface ModuleInfo {
  readonly path: string;
  readonly file: SourceFile;
  readonly ast: Module;
  /** Names defined here and imported, after resolution. */
  readonly scope: Map<string, Binding>;
  /** Names defined in this module (what others may import). */
  readonly own: Map<string, Binding>;
  /** Part of the standard library: imported as `std.…` (or by a module that is). */
  readonly std: boolean;
  /** Where the file has parse errors (E0101): a declaration cut short by one is not also "missing a return". */
  readonly syntaxErrors: readonly number[];
}

/**
 * Whether a syntax error cut declaration `d` short: one inside it (past its first token), or at the next
 * declaration's first token (where a body left open is reported, and where the parser ended a body early).
 */
export function cutShort(m: ModuleInfo, d: Decl): boolean {
  if (!m.syntaxErrors.length) return false;
  const next = m.ast.decls.find((x) => x.range.start > d.range.start)?.range.start;
  return m.syntaxErrors.some((at) => (at > d.range.start && at <= d.range.end) || at === next);
}

export interface Program {
  readonly root: ModuleInfo;
  readonly modules: ReadonlyMap<string, ModuleInfo>;
  readonly diagnostics: readonly Diagnostic[];
  /** The standard library's blocks and constants by name (their modules), read on first use: for unknown names. */
  readonly stdNames?: () => ReadonlyMap<string, readonly StdName[]>;
}

/** Parses one file; the language server passes a caching, per-declaration incremental one. */
export type ParseFn = (file: SourceFile) => WithDiagnostics<Module>;

/** Parses the root text and everything it imports, resolving names; never throws. */
export function loadProgram(path: string, text: string, host: ModuleHost, parse: ParseFn = parseByDecls): Program {
  const modules = new Map<string, ModuleInfo>();
  const diagnostics: Diagnostic[] = [];
  const loading: string[] = [];

  const load = (p: string, t: string, std: boolean): ModuleInfo => {
    const file = sourceFile(p, t);
    const parsed = parse(file);
    diagnostics.push(...parsed.diagnostics);
    const syntaxErrors = parsed.diagnostics.flatMap((d) => (d.span && d.code === 'E0101' ? [d.span.start] : []));
    const info: ModuleInfo = { path: p, file, ast: parsed.result, scope: new Map(), own: new Map(), std, syntaxErrors };
    modules.set(p, info);
    loading.push(p);
    const define = (name: Name, b: Binding, map: Map<string, Binding>) => {
      const prev = map.get(name.text);
      if (prev) {
        diagnostics.push(diag('E0205', `'${name.text}' is defined twice`, spanOf(file, name.start, name.end), { notes: [{ message: 'first defined here', span: spanOf(prev.module.file, prev.decl.name.start, prev.decl.name.end) }] }));
        return;
      }
      map.set(name.text, b);
    };
    for (const d of info.ast.decls) {
      if (d.kind === 'import') continue;
      define(d.name, { kind: d.kind, decl: d, module: info } as Binding, info.own);
    }
    for (const [k, v] of info.own) info.scope.set(k, v);
    for (const d of info.ast.decls) if (d.kind === 'import') resolveImport(info, d);
    loading.pop();
    return info;
  };

  const resolveImport = (info: ModuleInfo, d: ImportDecl) => {
    const target = host.resolve(d.module, info.path);
    const at = spanOf(info.file, d.moduleRange.start, d.moduleRange.end);
    const poison = () => {
      for (const item of d.items) {
        const local = item.alias ?? item.name;
        if (!info.scope.has(local.text)) info.scope.set(local.text, { kind: 'error', decl: { name: local }, module: info });
      }
    };
    if (target === undefined) {
      poison();
      diagnostics.push(diag('E0206', `module '${d.module}' not found`, at, { hint: d.module.startsWith('.') ? 'relative imports are resolved from the importing file' : stdHint(d.module, host.stdModules?.() ?? []) }));
      return;
    }
    if (loading.includes(target)) {
      poison();
      const cycle = [...loading.slice(loading.indexOf(target)), target].map((p) => p.split('/').pop()).join(' → ');
      diagnostics.push(diag('E0207', `import cycle: ${cycle}`, at, { hint: 'move the shared blocks into a module that both import' }));
      return;
    }
    let mod = modules.get(target);
    if (!mod) {
      const text = host.read(target);
      if (text === undefined) {
        diagnostics.push(diag('E0206', `module '${d.module}' could not be read (${target})`, at));
        return;
      }
      mod = load(target, text, host.isStd?.(target) ?? (info.std || d.module.startsWith('std.')));
    }
    for (const item of d.items) {
      const b = mod.own.get(item.name.text);
      const local = item.alias ?? item.name;
      if (!b) {
        if (!info.scope.has(local.text)) info.scope.set(local.text, { kind: 'error', decl: { name: local }, module: info });
        const s = didYouMean(item.name.text, mod.own.keys());
        const at = spanOf(info.file, item.name.start, item.name.end);
        const fix = s ? { fixes: [{ title: `replace with '${s}'`, edits: [{ span: at, newText: s }] }] } : {};
        diagnostics.push(diag('E0209', `module '${d.module}' has no '${item.name.text}'`, at, { hint: s ? `did you mean '${s}'?` : `it defines: ${[...mod.own.keys()].join(', ') || 'nothing'}`, ...fix }));
        continue;
      }
      if (info.scope.has(local.text)) {
        diagnostics.push(diag('E0205', `'${local.text}' is defined twice`, spanOf(info.file, local.start, local.end)));
        continue;
      }
      info.scope.set(local.text, b);
    }
  };

  const root = load(path, text, host.isStd?.(path) ?? false);
  // Only the file being checked: an unused import inside a library it imports is that library's to fix.
  diagnostics.push(...unusedImports(root));
  return { root, modules, diagnostics, stdNames: () => stdNames(host, path) };
}

/** E0206's hint for a module that is not a file: the closest standard module, and the list (read from the host, so it is never stale). */
function stdHint(spec: string, std: readonly string[]): string {
  const own = 'use a quoted relative path for your own files';
  if (std.length === 0) return own;
  // `from resnet import …` means the standard module more often than a file called resnet.
  const near = std.includes(`std.${spec}`) ? `std.${spec}` : didYouMean(spec, std);
  return `${near ? `did you mean ${near}? ` : ''}standard modules are ${std.join(', ')}; ${own}`;
}

/** `std.X` names of the `.nn` paths among `paths` (relative to the stdlib directory, `/`-separated), sorted. */
export function stdModuleNames(paths: Iterable<string>): string[] {
  return [...paths].filter((p) => p.endsWith('.nn')).map((p) => `std.${p.slice(0, -3).replace(/\//g, '.')}`).sort();
}

/** An in-memory host (tests, browser): `files` maps paths to texts; `std.X` resolves to `stdlib/X.nn`. */
export function memoryHost(files: Record<string, string>, stdlibDir = 'stdlib'): ModuleHost {
  return {
    stdModules: () => stdModuleNames(Object.keys(files).filter((p) => p.startsWith(`${stdlibDir}/`)).map((p) => p.slice(stdlibDir.length + 1))),
    resolve(spec, from) {
      if (spec.startsWith('std.')) {
        const p = `${stdlibDir}/${spec.slice(4).replace(/\./g, '/')}.nn`;
        return p in files ? p : undefined;
      }
      const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '.';
      const parts = `${dir}/${spec}`.split('/');
      const out: string[] = [];
      for (const part of parts) {
        if (part === '.' || part === '') continue;
        if (part === '..') out.pop();
        else out.push(part);
      }
      const p = out.join('/');
      return p in files ? p : undefined;
    },
    read: (p) => files[p],
    list(dir, from) {
      const base = normalize(`${from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '.'}/${dir}`);
      const prefix = base ? `${base}/` : '';
      const out = new Map<string, boolean>();
      for (const f of Object.keys(files)) {
        if (!f.startsWith(prefix)) continue;
        const rest = f.slice(prefix.length);
        const slash = rest.indexOf('/');
        if (slash >= 0) out.set(rest.slice(0, slash), true);
        else if (rest.endsWith('.nn')) out.set(rest, false);
      }
      return [...out].map(([name, d]) => ({ name, dir: d }));
    },
  };
}

/** `a/./b/../c` as `a/c` (`/`-separated, no leading `./`). */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '.' || part === '') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}
