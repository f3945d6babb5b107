/** The `.nn` files of the editor's workspace folders, for edits that reach files not open (rename). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readText } from '../cli/host.js';

/** Most files looked at: a rename in a huge tree stays bounded (and says nothing of files past it). */
const MAX_FILES = 5000;

/** Paths of the `.nn` files under `roots` (not in `node_modules` or hidden folders), up to MAX_FILES. */
export function workspaceFiles(roots: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (out.length >= MAX_FILES || depth > 20 || seen.has(dir)) return;
    seen.add(dir);
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.startsWith('.') || e === 'node_modules') continue;
      const p = join(dir, e);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, depth + 1);
      else if (st.isFile() && e.endsWith('.nn') && out.length < MAX_FILES) out.push(p);
    }
  };
  for (const r of roots) walk(r, 0);
  return out;
}

/** The text of a workspace file: the editor's when it is open, else the disk's (undefined if unreadable). */
export function workspaceText(path: string, openText: (p: string) => string | undefined): string | undefined {
  const t = openText(path);
  if (t !== undefined) return t;
  try {
    return readText(path);
  } catch {
    return undefined;
  }
}
