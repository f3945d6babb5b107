/**
 * Completion in an import (`from std.res|`, `from std.resnet import b|`): the standard modules, then the names
 * the module exports (its blocks and constants, with their signatures and docs), not the layer catalogue.
 * Read from the current line; the module from the last check when it loaded it, else through the module host.
 */
import type { ModuleHost } from '../semantics/modules.js';
import type { Decl } from '../syntax/ast.js';
import { parseSource } from '../syntax/parse.js';
import { sourceFile } from '../syntax/source.js';
import type { Completion } from './completion.js';
import { lineStartOf } from './context.js';
import { blockSignature } from './features.js';
import type { Analysis } from './service.js';

const SPEC = /^[ \t]*from[ \t]+([A-Za-z_][\w]*(?:\.[\w]*)*)?$/;
const AFTER_SPEC = /^[ \t]*from[ \t]+("[^"\n\r]*"|[A-Za-z_][\w.]*)[ \t]+(\w*)$/;
const ITEMS = /^[ \t]*from[ \t]+("[^"\n\r]*"|[A-Za-z_][\w.]*)[ \t]+import[ \t]+([\w \t,]*)$/;

/**
 * Completion items when `offset` is in an import's module name or name list (undefined elsewhere: the caller
 * completes as usual). `path` is the importing file (relative imports resolve from it).
 */
export function importCompletion(a: Analysis | undefined, text: string, offset: number, path: string | undefined, host: ModuleHost | undefined): Completion[] | undefined {
  const line = text.slice(lineStartOf(text, offset), offset);
  const spec = SPEC.exec(line);
  if (spec) {
    // `from std.re|`: the modules under what is typed before the last dot (the word after it is being completed).
    const typed = spec[1] ?? '';
    const head = typed.slice(0, typed.lastIndexOf('.') + 1);
    const names = host?.stdModules?.() ?? [];
    const out: Completion[] = [];
    const seen = new Set<string>();
    for (const m of names) {
      if (!m.startsWith(head)) continue;
      // After `from std.`: `resnet`; before any dot: the whole `std.resnet`.
      const label = head ? m.slice(head.length) : m;
      if (seen.has(label)) continue;
      seen.add(label);
      out.push({ label, kind: 'module', detail: `${m} (standard library)`, rank: 0 });
    }
    return out;
  }
  const after = AFTER_SPEC.exec(line);
  if (after && after[2] !== 'import') return 'import'.startsWith(after[2]!) ? [{ label: 'import', kind: 'keyword', rank: 0 }] : [];
  const items = ITEMS.exec(line);
  if (!items) return undefined;
  const list = items[2]!;
  const current = list.slice(list.lastIndexOf(',') + 1);
  // `import a as b|`: a new name goes there; `import a a|`: only `as` can follow.
  if (/\bas\s/.test(current)) return [];
  const afterName = /^\s*\w+\s+(\w*)$/.exec(current);
  if (afterName) return 'as'.startsWith(afterName[1]!) ? [{ label: 'as', kind: 'keyword', rank: 0 }] : [];
  const given = new Set(list.split(',').map((x) => x.trim().split(/\s+/)[0]).filter(Boolean));
  const from = path ?? a?.path;
  const decls = from !== undefined ? exported(a, items[1]!.replace(/^"|"$/g, ''), from, host) : undefined;
  if (!decls) return [];
  const out: Completion[] = [];
  for (const d of decls) {
    if (d.kind === 'import' || d.kind === 'model' || !d.name.text || (given.has(d.name.text) && !current.trim().startsWith(d.name.text))) continue;
    if (d.kind === 'block') out.push({ label: d.name.text, kind: 'block', detail: blockSignature(d), ...(d.doc ? { doc: d.doc } : {}), rank: 0 });
    else out.push({ label: d.name.text, kind: 'constant', detail: 'const', rank: 0 });
  }
  return out;
}

/** The declarations of the module `spec` names from `from`: the last check's copy, else read through the host. */
function exported(a: Analysis | undefined, spec: string, from: string, host: ModuleHost | undefined): readonly Decl[] | undefined {
  const target = host?.resolve(spec, from);
  if (target === undefined) return undefined;
  const loaded = a?.result.program.modules.get(target);
  if (loaded) return loaded.ast.decls;
  const text = host?.read(target);
  return text === undefined ? undefined : parseSource(sourceFile(target, text)).result.decls;
}

const PATH = /^[ \t]*from[ \t]+"([^"\n\r]*)$/;

/**
 * Completion inside an import's quoted path (`from "./bl|`): the `.nn` files and folders of the directory typed so
 * far, relative to the importing file (not the file itself). Undefined elsewhere.
 */
export function importPathCompletion(text: string, offset: number, path: string | undefined, host: ModuleHost | undefined): Completion[] | undefined {
  const line = text.slice(lineStartOf(text, offset), offset);
  const m = PATH.exec(line);
  if (!m || !path) return undefined;
  const typed = m[1]!;
  const dir = typed.slice(0, typed.lastIndexOf('/') + 1);
  const self = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const out: Completion[] = [];
  for (const e of host?.list?.(dir || '.', path) ?? []) {
    if (!dir.replace(/^(\.\/)+/, '') && !e.dir && e.name === self) continue;
    out.push(e.dir ? { label: `${e.name}/`, kind: 'module', detail: 'folder', rank: 1 } : { label: e.name, kind: 'module', detail: `${dir}${e.name}`, rank: 0 });
  }
  return out.sort((a, b) => a.rank - b.rank || (a.label < b.label ? -1 : 1));
}
