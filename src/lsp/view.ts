/**
 * The last check's analysis seen through the document's current text. Between an edit and its (debounced)
 * check, requests that answer from the last check (hover, highlights, tokens, hints, lenses, symbols, folding)
 * would read positions of the older text: offsets are mapped across the one region where the two texts differ,
 * and whatever falls inside it is left out until the check.
 */
import type { Position, Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../service/index.js';
import { textEdit } from '../syntax/text-edit.js';

export interface View {
  readonly a: Analysis;
  /** A request's offset in the current text as one of the analysis' text; undefined inside the changed region. */
  toOld(offset: number): number | undefined;
  /** An offset of the analysis' text as a position of the current one; undefined inside the changed region. */
  position(offset: number): Position | undefined;
  /**
   * A range of the analysis' text in the current one: undefined when an end is inside the changed region; a range
   * around it (a model holding the edit) grows or shrinks with it.
   */
  range(start: number, end: number): Range | undefined;
  /** Whether the analysis' [start, end) touches the changed region: a token there may no longer be what the text says. */
  touches(start: number, end: number): boolean;
}

/** The view of `a` through `doc`'s current text (the identity when the analysis is of that text). */
export function viewOf(a: Analysis, doc: TextDocument): View {
  const now = doc.getText();
  const same = now === a.text;
  // The analysis' [from, to) became the current [from, to + delta).
  const { from, to, delta } = same ? { from: 0, to: 0, delta: 0 } : textEdit(a.text, now);
  // (An offset at the edge of the changed region belongs to the unchanged side it touches.)
  const toNew = (o: number) => (same || o <= from ? o : o >= to ? o + delta : undefined);
  const position = (o: number) => {
    const n = toNew(o);
    return n === undefined ? undefined : doc.positionAt(n);
  };
  // A range's start at a pure insertion point goes with the text after it (a line typed above `h = …` moves `h`).
  const startPosition = (o: number) => (!same && from === to && o === from ? doc.positionAt(o + delta) : position(o));
  return {
    a,
    toOld: (o) => (same || o <= from ? o : o >= to + delta ? o - delta : undefined),
    position,
    range(start, end) {
      const s = start === end ? position(start) : startPosition(start);
      const e = position(end);
      return s && e ? { start: s, end: e } : undefined;
    },
    touches: (start, end) => !same && end >= from && start <= to,
  };
}
