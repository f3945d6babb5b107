/**
 * "Did you forget an import?": the blocks and constants the standard library declares, so that an unknown name
 * that is one of them is reported with the import that brings it in (a hint, and a fix the editor applies).
 * Read through the module host once per host, and only when a name is unknown.
 */
import type { Fix } from '../diagnostics/types.js';
import { parseSource } from '../syntax/parse.js';
import { sourceFile, spanOf } from '../syntax/source.js';
import type { ModuleHost, ModuleInfo } from './modules.js';

const cache = new WeakMap<ModuleHost, ReadonlyMap<string, readonly string[]>>();

/** Name → the standard modules (`std.resnet`) that declare a block or constant of that name, sorted. */
export function stdNames(host: ModuleHost, from: string): ReadonlyMap<string, readonly string[]> {
  let index = cache.get(host);
  if (index) return index;
  const out = new Map<string, string[]>();
  for (const spec of host.stdModules?.() ?? []) {
    const path = host.resolve(spec, from);
    const text = path === undefined ? undefined : host.read(path);
    if (text === undefined) continue;
    for (const d of parseSource(sourceFile(path!, text)).result.decls) {
      if ((d.kind !== 'block' && d.kind !== 'const') || !d.name.text) continue;
      const specs = out.get(d.name.text) ?? [];
      if (!specs.includes(spec)) specs.push(spec);
      out.set(d.name.text, specs.sort());
    }
  }
  cache.set(host, (index = out));
  return index;
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
  const eol = /\r\n?/.exec(text)?.[0] ?? '\n';
  if (imports.length) {
    const end = imports[imports.length - 1]!.range.end;
    const nl = text.indexOf('\n', end);
    return nl < 0 ? at(text.length, `${eol}${line}${eol}`) : at(nl + 1, `${line}${eol}`);
  }
  // Above the first declaration, and above the comment lines right over it (its documentation).
  const first = mod.ast.decls[0];
  let start = first ? text.lastIndexOf('\n', first.range.start - 1) + 1 : text.length;
  for (;;) {
    const prev = text.lastIndexOf('\n', start - 2) + 1;
    if (start === 0 || !/^[ \t]*#/.test(text.slice(prev, start))) break;
    start = prev;
  }
  return at(start, first ? `${line}${eol}${eol}` : `${start > 0 && !text.endsWith('\n') ? eol : ''}${line}${eol}`);
}
