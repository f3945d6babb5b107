/**
 * A small Wadler/Prettier-style document algebra for the formatter: a group is printed on one line when
 * it fits in the width, otherwise its `line`s become newlines. Layout is iterative (explicit stacks) so
 * that deeply nested expressions cannot exhaust the call stack.
 */

import { declStartsAt } from './chunks.js';
import { cells } from './text-width.js';

export type Doc = string | Doc[] | Group | Indent | Line | LineSuffix | IfBreak;

interface Group {
  readonly t: 'group';
  readonly doc: Doc;
  /** Broken whatever the width (it holds a hard line or a line comment). */
  readonly hard: boolean;
}
interface Indent {
  readonly t: 'indent';
  readonly doc: Doc;
}
interface Line {
  readonly t: 'line';
  /** Printed flat as a space (`line`) or as nothing (`softline`). */
  readonly flat: string;
  readonly hard: boolean;
}
/** Text deferred to the end of the current line (a trailing comment). */
interface LineSuffix {
  readonly t: 'suffix';
  readonly text: string;
}
interface IfBreak {
  readonly t: 'ifbreak';
  readonly broken: Doc;
  readonly flat: Doc;
}

export const line: Doc = { t: 'line', flat: ' ', hard: false };
export const softline: Doc = { t: 'line', flat: '', hard: false };
export const hardline: Doc = { t: 'line', flat: '', hard: true };
export const indent = (doc: Doc): Doc => ({ t: 'indent', doc });
export const ifBreak = (broken: Doc, flat: Doc = ''): Doc => ({ t: 'ifbreak', broken, flat });
/** A trailing `# comment`: printed at the end of the line, and it forces the enclosing groups to break. */
export const lineSuffix = (text: string): Doc => [{ t: 'suffix', text }, { t: 'line', flat: '', hard: true, suffixOnly: true } as Line];
export const group = (doc: Doc, forceBreak = false): Doc => ({ t: 'group', doc, hard: forceBreak || hasHard(doc) });

export function join(sep: Doc, docs: readonly Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i) out.push(sep);
    out.push(d);
  });
  return out;
}

/** Whether a document contains a hard line (so any group around it must break). */
function hasHard(root: Doc): boolean {
  const stack: Doc[] = [root];
  while (stack.length) {
    const d = stack.pop()!;
    if (typeof d === 'string') continue;
    if (Array.isArray(d)) {
      for (const x of d) stack.push(x);
      continue;
    }
    switch (d.t) {
      case 'line':
        if (d.hard) return true;
        break;
      case 'group':
        if (d.hard) return true;
        break;
      case 'indent':
        stack.push(d.doc);
        break;
      case 'ifbreak':
        stack.push(d.broken, d.flat);
        break;
    }
  }
  return false;
}

type Mode = 0 | 1; // 0 flat, 1 broken
interface Cmd {
  ind: number;
  mode: Mode;
  doc: Doc;
}

/** Whether `next` (then `rest`, until its first newline) fits in `width` columns. */
function fits(next: Cmd, rest: readonly Cmd[], width: number): boolean {
  let w = width;
  const stack: Cmd[] = [next];
  let ri = rest.length;
  while (w >= 0) {
    let c = stack.pop();
    if (!c) {
      if (ri === 0) return true;
      c = rest[--ri]!;
    }
    const d = c.doc;
    if (typeof d === 'string') {
      w -= d.length;
      continue;
    }
    if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push({ ind: c.ind, mode: c.mode, doc: d[i]! });
      continue;
    }
    switch (d.t) {
      case 'group':
        if (d.hard && c.mode === 1) return true;
        stack.push({ ind: c.ind, mode: d.hard ? 1 : c.mode, doc: d.doc });
        break;
      case 'indent':
        stack.push({ ind: c.ind, mode: c.mode, doc: d.doc });
        break;
      case 'ifbreak':
        stack.push({ ind: c.ind, mode: c.mode, doc: c.mode === 1 ? d.broken : d.flat });
        break;
      case 'line':
        if (c.mode === 1 || d.hard) return true;
        w -= d.flat.length;
        break;
      case 'suffix':
        break;
    }
  }
  return false;
}

/** Lays out a document in `width` columns with `indentBy` spaces per indentation level. */
export function render(doc: Doc, width = 100, indentBy = 2): string {
  const out: string[] = [];
  let col = 0;
  let suffixes: string[] = [];
  const stack: Cmd[] = [{ ind: 0, mode: 1, doc }];
  const newline = (ind: number) => {
    if (suffixes.length) {
      out.push(SUFFIX + suffixes.join(''));
      suffixes = [];
    }
    // No trailing spaces on any line.
    const last = out.length - 1;
    if (last >= 0) out[last] = out[last]!.replace(/[ \t]+$/, '');
    out.push('\n' + ' '.repeat(ind));
    col = ind;
  };
  while (stack.length) {
    const c = stack.pop()!;
    const d = c.doc;
    if (typeof d === 'string') {
      out.push(d);
      col += d.length;
      continue;
    }
    if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push({ ind: c.ind, mode: c.mode, doc: d[i]! });
      continue;
    }
    switch (d.t) {
      case 'group': {
        if (c.mode === 0 && !d.hard) {
          stack.push({ ind: c.ind, mode: 0, doc: d.doc });
          break;
        }
        const flat: Cmd = { ind: c.ind, mode: 0, doc: d.doc };
        stack.push(!d.hard && fits(flat, stack, width - col) ? flat : { ind: c.ind, mode: 1, doc: d.doc });
        break;
      }
      case 'indent':
        stack.push({ ind: c.ind + indentBy, mode: c.mode, doc: d.doc });
        break;
      case 'ifbreak':
        stack.push({ ind: c.ind, mode: c.mode, doc: c.mode === 1 ? d.broken : d.flat });
        break;
      case 'suffix':
        suffixes.push(d.text);
        break;
      case 'line':
        if ((d as Line & { suffixOnly?: boolean }).suffixOnly) {
          // The hard line of a trailing comment only marks its groups broken; the next real line ends it.
          break;
        }
        if (c.mode === 0 && !d.hard) {
          out.push(d.flat);
          col += d.flat.length;
        } else newline(c.ind);
        break;
    }
  }
  if (suffixes.length) out.push(SUFFIX + suffixes.join(''));
  return alignComments(out.join('').replace(/[ \t]+$/, ''), width);
}

/** Marks where a line's trailing comment begins in the rendered text (NUL: a source never has one). */
const SUFFIX = '\u0000';

/**
 * Trailing comments of consecutive lines start in one column (as gofmt aligns them): two spaces after the
 * longest code of the run. A blank line, a line without one or a new declaration ends a run; a run that
 * would pass `width` keeps its comments two spaces after each line's code.
 */
function alignComments(text: string, width: number): string {
  if (!text.includes(SUFFIX)) return text;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; ) {
    if (!lines[i]!.includes(SUFFIX)) {
      i++;
      continue;
    }
    // (A run stays in one top-level declaration, so that formatting a declaration on its own, as range
    // formatting does, gives what formatting the file does.)
    let j = i + 1;
    while (j < lines.length && lines[j]!.includes(SUFFIX) && !declStartsAt(lines[j]!, 0)) j++;
    const run = lines.slice(i, j).map((l) => {
      const at = l.indexOf(SUFFIX);
      return { code: l.slice(0, at).trimEnd(), comment: l.slice(at + 1).trimStart() };
    });
    // (In cells as drawn: a CJK character takes two.)
    const col = Math.max(...run.map((r) => cells(r.code))) + 2;
    const fits = run.every((r) => col + cells(r.comment) <= width);
    run.forEach((r, k) => (lines[i + k] = fits ? r.code + ' '.repeat(col - cells(r.code)) + r.comment : `${r.code}  ${r.comment}`));
    i = j;
  }
  return lines.join('\n');
}
