/** The file-system module host: `std.X` is `<package>/stdlib/X.nn`, other imports are relative paths. */
import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { LIMITS } from '../syntax/parse.js';
import path, { type PlatformPath, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ModuleHost, stdModuleNames } from '../semantics/modules.js';

/** `<package>/stdlib`, from dist/cli/host.js or from the bundle dist/dslc.mjs. */
export const STDLIB_DIR = ((here: string) => [resolve(here, '../stdlib'), resolve(here, '../../stdlib')].find((d) => existsSync(join(d, 'resnet.nn'))) ?? resolve(here, '../../stdlib'))(typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url)));

export function nodeHost(): ModuleHost {
  const pathOf = (spec: string, from: string) => (spec.startsWith('std.') ? join(STDLIB_DIR, `${spec.slice(4).replace(/\./g, '/')}.nn`) : resolve(dirname(from), spec));
  return {
    resolve(spec, from) {
      const p = pathOf(spec, from);
      return existsSync(p) ? p : undefined;
    },
    pathOf,
    isStd: (p) => isInside(STDLIB_DIR, p),
    list(dir, from) {
      try {
        return readdirSync(resolve(dirname(from), dir), { withFileTypes: true })
          .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules' && (e.isDirectory() || (e.isFile() && e.name.endsWith('.nn'))))
          .map((e) => ({ name: e.name, dir: e.isDirectory() }));
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
