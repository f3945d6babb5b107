/** The file-system module host: `std.X` is `<package>/stdlib/X.nn`, other imports are relative paths. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleHost } from '../semantics/modules.js';

/** `<package>/stdlib`, from dist/cli/host.js or from the bundle dist/dslc.mjs. */
export const STDLIB_DIR = ((here: string) => [resolve(here, '../stdlib'), resolve(here, '../../stdlib')].find((d) => existsSync(join(d, 'resnet.nn'))) ?? resolve(here, '../../stdlib'))(typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url)));

export function nodeHost(): ModuleHost {
  return {
    resolve(spec, from) {
      const p = spec.startsWith('std.') ? join(STDLIB_DIR, `${spec.slice(4).replace(/\./g, '/')}.nn`) : resolve(dirname(from), spec);
      return existsSync(p) ? p : undefined;
    },
    read(p) {
      try {
        return decodeText(readFileSync(p));
      } catch {
        return undefined;
      }
    },
  };
}

/** Decodes UTF-8: invalid bytes become U+FFFD, which the parser reports as E0105 at their position. */
export function decodeText(buf: Uint8Array): string {
  // Non-fatal decoding keeps the text around the bad bytes, so E0105 points at the right line.
  return new TextDecoder('utf-8').decode(buf);
}
