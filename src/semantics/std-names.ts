/**
 * "Did you forget an import?": the blocks and constants the standard library declares, so that an unknown name
 * that is one of them is reported with the import that brings it in (a hint, and a fix the editor applies).
 * Read through the module host once per host, and only when a name is unknown.
 */
import type { Fix } from '../diagnostics/types.js';
import type { BlockDecl, ConstDecl } from '../syntax/ast.js';
import { parseSource } from '../syntax/parse.js';
import { lineStartOf, sourceFile, spanOf } from '../syntax/source.js';
import type { ModuleHost, ModuleInfo } from './modules.js';

/** A block or constant the standard library declares, and the module (`std.resnet`) that does. */
export interface StdName {
  readonly spec: string;
  readonly decl: BlockDecl | ConstDecl;
}

const cache = new WeakMap<object, ReadonlyMap<string, readonly StdName[]>>();

/** Name → the standard modules that declare a block or constant of that name (by module name). */
export function stdNames(host: ModuleHost, from: string): ReadonlyMap<string, readonly StdName[]> {
  // (Per host files: the language server's services wrap one host, and the first unknown name reads the library.)
  const key = host.id ?? host;
  let index = cache.get(key);
  if (index) return index;
  const out = new Map<string, StdName[]>();
  for (const spec of [...(host.stdModules?.() ?? [])].sort()) {
    const path = host.resolve(spec, from);
    const text = path === undefined ? undefined : host.read(path);
    if (text === undefined) continue;
    for (const d of parseSource(sourceFile(path!, text)).result.decls) {
      if ((d.kind !== 'block' && d.kind !== 'const') || !d.name.text) continue;
      const list = out.get(d.name.text) ?? [];
      if (!list.some((x) => x.spec === spec)) list.push({ spec, decl: d });
      out.set(d.name.text, list);
    }
  }
  cache.set(key, (index = out));
  return index;
}

/**
 * The file's line ending, from its first line break (reading the whole file for it would cost a completion
 * list per name): `\r\n`, a lone `\r` or `\n`.
 */
function eolOf(text: string): string {
  const b = /\r\n?|\n/.exec(text.slice(0, 4096));
  return b ? b[0] : '\n';
}

/** The offset just after the line break that ends the line `from` is on; undefined on the last line. */
function nextBreak(text: string, from: number): number | undefined {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return i + 1;
    if (c === 13) return text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
  }
  return undefined;
}

/**
 * The edit that imports `name` from `spec` into `mod`: appended to an import of that module already there, else a
 * new import line after the last import, else above the first declaration (and its doc comment).
 */
export function importFix(mod: ModuleInfo, spec: string, name: string): Fix {
  const text = mod.file.text;
  const imports = mod.ast.decls.filter((d) => d.kind === 'import');
  const same = imports.find((d) => d.module === spec && d.items.length);
  const at = (o: number, newText: string): Fix => ({ title: `import '${name}' from ${spec}`, edits: [{ span: spanOf(mod.file, o, o), newText }] });
  if (same?.kind === 'import') {
    const last = same.items[same.items.length - 1]!;
    return at((last.alias ?? last.name).end, `, ${name}`);
  }
  const line = `from ${spec} import ${name}`;
  const eol = eolOf(text);
  if (imports.length) {
    const b = nextBreak(text, imports[imports.length - 1]!.range.end);
    return b === undefined ? at(text.length, `${eol}${line}${eol}`) : at(b, `${line}${eol}`);
  }
  // Above the first declaration, and above the comment lines right over it (its documentation).
  const first = mod.ast.decls[0];
  let start = first ? lineStartOf(text, first.range.start) : text.length;
  while (start > 0) {
    const prev = lineStartOf(text, start - (text[start - 1] === '\n' && text[start - 2] === '\r' ? 2 : 1));
    if (!/^[ \t]*#/.test(text.slice(prev, start))) break;
    start = prev;
  }
  return at(start, first ? `${line}${eol}${eol}` : `${start > 0 && !/[\r\n]$/.test(text) ? eol : ''}${line}${eol}`);
}
