/**
 * Reads the data files a user names (`--weights` and its external data, `--weights-map`, `--input`), bounded: a
 * regular file up to Node's limit on one read (2 GiB), anything else (a device such as `/dev/zero`, a pipe, a
 * process substitution `<(…)`) up to MAX_STREAM_BYTES, so that a wrong path fails at once rather than filling the
 * memory.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Most bytes read from a regular file: what Node's own fs reads in one call (2 GiB − 1). */
export const MAX_FILE_BYTES = 2 ** 31 - 1;
/** Most bytes read from a device, pipe or socket, whose size is not known before reading. */
export const MAX_STREAM_BYTES = 2 ** 28;

const mib = (n: number) => (n < 2 ** 20 ? `${n} bytes` : `${Math.round(n / 2 ** 20)} MiB`);

/** The file's bytes. Throws the file system's errors, and an error with code `EDSLC` (and a message in words) past a bound. */
export function readBytes(path: string, maxFile = MAX_FILE_BYTES, maxStream = MAX_STREAM_BYTES): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const regular = st.isFile();
    if (regular && st.size > maxFile) throw tooLarge(`it has ${st.size} bytes, more than the ${mib(maxFile)} read`);
    // A regular file of known size goes straight into one buffer: read in pieces and joined, a 330 MB weights
    // file briefly took 660 MB. (Size 0 may still have content, as files in /proc: read those in pieces.)
    if (regular && st.size > 0) {
      const out = new Uint8Array(st.size);
      let at = 0;
      for (let n; at < out.length && (n = readSync(fd, out, at, out.length - at, null)) > 0; ) at += n;
      return at === out.length ? out : out.subarray(0, at); // (shrunk while read)
    }
    const limit = regular ? st.size : maxStream;
    const chunks: Uint8Array[] = [];
    let total = 0;
    // (a regular file is read to its size, one byte past it for a stream, to tell one that is too long)
    for (;;) {
      const buf = new Uint8Array(Math.max(1, Math.min(1 << 24, limit + (regular ? 0 : 1) - total)));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (!regular && total > maxStream) throw tooLarge(`it is not a regular file and gave more than ${mib(maxStream)}; save the data to a file`);
      if (regular && total >= limit) break;
    }
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) out.set(c, at), (at += c.length);
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * Bytes [offset, offset + length) of a regular file (to its end without a length), read at that position: only
 * what is asked is read, whatever the file's size. `{ size }` when the file is shorter than that.
 */
export function readRange(path: string, offset: number, length: number | undefined, max = MAX_FILE_BYTES): Uint8Array | { size: number } {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) throw tooLarge('it is not a regular file');
    const n = length ?? st.size - offset;
    if (offset + n > st.size || n < 0) return { size: st.size };
    if (n > max) throw tooLarge(`${n} bytes from it are more than the ${mib(max)} read at once`);
    const out = new Uint8Array(n);
    for (let at = 0; at < n; ) {
      const got = readSync(fd, out, at, n - at, offset + at);
      if (got === 0) return { size: offset + at }; // (shrunk while read)
      at += got;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function tooLarge(message: string): Error {
  return Object.assign(new Error(message), { code: 'EDSLC' });
}
