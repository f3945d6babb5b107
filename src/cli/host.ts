/** The file-system module host: `std.X` is `<package>/stdlib/X.nn`, other imports are relative paths. */
import { type Dirent, closeSync, existsSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { LIMITS } from '../syntax/parse.js';
import path, { type PlatformPath, basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ModuleHost, stdModuleNames } from '../semantics/modules.js';

/** `<package>/stdlib`, from dist/cli/host.js or from the bundle dist/dslc.mjs. */
export const STDLIB_DIR = ((here: string) => [resolve(here, '../stdlib'), resolve(here, '../../stdlib')].find((d) => existsSync(join(d, 'resnet.nn'))) ?? resolve(here, '../../stdlib'))(typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url)));

/** The file-system host, which names each file by one path (see `canonical`). */
export interface NodeHost extends ModuleHost {
  /**
   * A file's one path, whichever name reached it: its real path, symbolic links resolved (an absolute path;
   * others are left as they are). Imports resolve to it, so that `lib.nn` and a link to it are one module;
   * the language server keys open documents by it. One not on disk: its folder's real path, and its name.
   */
  canonical(path: string): string;
  /**
   * Forgets what `canonical` learnt of `path` and the paths below it or leading there (a link came, went or
   * changed there). Returns the real paths it had for the links among them.
   */
  forget(path: string): string[];
}

export function nodeHost(): NodeHost {
  // Real paths, looked up once per path (a language server asks for every import of every check).
  const real = new Map<string, string>();
  const canonical = (p: string): string => {
    if (!isAbsolute(p)) return p;
    const hit = real.get(p);
    if (hit !== undefined) return hit;
    try {
      const r = realpathSync(p);
      real.set(p, r);
      return r;
    } catch {
      // (Not cached: the file may be saved there later.)
      try {
        return join(realpathSync(dirname(p)), basename(p));
      } catch {
        return p;
      }
    }
  };
  // Relative imports are read beside the importing file's real path, as Node reads a module reached through a
  // link: the CLI given a link and the editor (which names documents by real path) then agree.
  const named = (spec: string, from: string) => (spec.startsWith('std.') ? join(STDLIB_DIR, `${spec.slice(4).replace(/\./g, '/')}.nn`) : resolve(dirname(canonical(from)), spec));
  return {
    canonical,
    forget(p) {
      const under = (q: string) => q === p || q.startsWith(p.endsWith(sep) ? p : p + sep);
      const links: string[] = [];
      for (const [k, v] of real)
        if (under(k) || under(v)) {
          real.delete(k);
          if (k !== v) links.push(v);
        }
      return links;
    },
    resolve(spec, from) {
      const p = named(spec, from);
      return existsSync(p) ? canonical(p) : undefined;
    },
    pathOf: (spec, from) => canonical(named(spec, from)),
    // (Imports of std.X resolve to real paths: those of the real folder when the package is reached through a link.)
    isStd: (p) => isInside(STDLIB_DIR, p) || isInside(canonical(STDLIB_DIR), p),
    list(dir, from) {
      try {
        const at = resolve(dirname(canonical(from)), dir);
        // (A link is listed as what it leads to.)
        const kind = (e: Dirent) => (e.isSymbolicLink() ? kindOf(join(at, e.name)) : e.isDirectory() ? 'dir' : e.isFile() ? 'file' : undefined);
        return readdirSync(at, { withFileTypes: true }).flatMap((e) => {
          const k = !e.name.startsWith('.') && e.name !== 'node_modules' ? kind(e) : undefined;
          return k === 'dir' || (k === 'file' && e.name.endsWith('.nn')) ? [{ name: e.name, dir: k === 'dir' }] : [];
        });
      } catch {
        return undefined;
      }
    },
    stdModules() {
      try {
        return stdModuleNames(readdirSync(STDLIB_DIR, { recursive: true, encoding: 'utf8' }).map((p) => p.replace(/\\/g, '/')));
      } catch {
        return [];
      }
    },
    read(p) {
      try {
        return readText(p);
      } catch {
        return undefined;
      }
    },
  };
}

function kindOf(p: string): 'dir' | 'file' | undefined {
  try {
    const st = statSync(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `p` lies inside the folder `dir` (not `dir` itself), by `api`'s rules: its separators, and on
 * Windows (`path.win32`) drive letters and case.
 */
export function isInside(dir: string, p: string, api: Pick<PlatformPath, 'relative' | 'isAbsolute' | 'sep'> = path): boolean {
  const rel = api.relative(dir, p);
  return rel !== '' && !api.isAbsolute(rel) && rel.split(api.sep)[0] !== '..';
}

/**
 * Most bytes read of a source file: enough to tell any text over the parser's size limit (UTF-8 spends at most 3 bytes per UTF-16 unit; E0104 reports a
 * longer one), so that `/dev/zero` or a huge file named by mistake does not fill the memory first.
 */
const MAX_READ = 3 * LIMITS.maxBytes + 3;

/** Reads a source file (at most MAX_READ bytes) as text; throws the file system's error. */
export function readText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    return readFd(fd);
  } finally {
    closeSync(fd);
  }
}

/** Standard input as text (`dslc fmt -`), read as a file is. */
export const readStdin = (): string => readFd(0);

function readFd(fd: number): string {
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < MAX_READ) {
    const buf = new Uint8Array(Math.min(1 << 20, MAX_READ - total));
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    total += n;
  }
  return decodeText(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
}

/** Decodes UTF-8: invalid bytes become U+FFFD, which the parser reports as E0105 at their position. */
export function decodeText(buf: Uint8Array): string {
  // Non-fatal decoding keeps the text around the bad bytes, so E0105 points at the right line.
  return new TextDecoder('utf-8').decode(buf);
}
