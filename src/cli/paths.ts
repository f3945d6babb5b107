/** How the CLI shows paths and I/O failures: as the user would write them, in words, without errno jargon. */
import { relative } from 'node:path';

/** A path relative to the working directory when it is inside it, else as given (absolute). */
export function shownPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}

const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
};

/** Why a file operation failed, in words (the errno code when there are none; never a raw message naming temporary files). */
export function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  // (src/cli/read-bytes.ts's own errors: the message says what, in words)
  if (code === 'EDSLC' && e instanceof Error) return e.message;
  return (code && WORDS[code]) ?? code ?? ((e as Error)?.message ?? 'error').split(',')[0]!;
}
