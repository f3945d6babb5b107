/**
 * Random edits for the editor's property tests (incremental parse, resumed and kept checks): what people
 * type, at uniformly drawn places inside declaration bodies.
 */
import fc from 'fast-check';

/** An edit: where (a fraction of the eligible offsets), how many characters it deletes, what it inserts. */
export interface RandomEdit {
  readonly at: number;
  readonly del: number;
  readonly ins: readonly string[];
}

/** Edits built from `piece`s. (Uniform positions: fast-check's doubles crowd near 0 and 1.) */
export const randomEdit = (piece: fc.Arbitrary<string>, maxDelete: number): fc.Arbitrary<RandomEdit> =>
  fc.record({ at: fc.integer({ min: 0, max: 1_000_000 }).map((i) => i / 1_000_000), del: fc.nat(maxDelete), ins: fc.array(piece, { maxLength: 3 }) });

/** Offsets inside the bodies of the declarations that `header` matches at a line start (`model`, `model|block`). */
function bodyOffsets(text: string, header: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(new RegExp(`^(?:${header})\\b[^{]*\\{`, 'gm'))) {
    const start = m.index + m[0].length;
    const end = text.indexOf('\n}', start);
    for (let i = start; i < (end < 0 ? text.length : end); i++) out.push(i);
  }
  return out;
}

/** `text` after the edit `e`, placed inside a body of a `header` declaration (anywhere when there is none). */
export function applyEdit(text: string, e: RandomEdit, header: string): string {
  const offs = bodyOffsets(text, header);
  const at = offs.length ? offs[Math.floor(e.at * (offs.length - 1))]! : Math.floor(e.at * text.length);
  return text.slice(0, at) + e.ins.join('') + text.slice(Math.min(text.length, at + e.del));
}
