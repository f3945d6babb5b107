/** How wide text is drawn in a terminal or an editor's monospace font (for carets and aligned comments). */

/** Wide (two-cell) code points: East Asian wide and fullwidth forms, and emoji. */
const WIDE: readonly [number, number][] = [[0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x20000, 0x3fffd]];

/** Terminal cells `s` takes: two for a wide character, none for a combining mark or a variation selector, else one. */
export function cells(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f)) continue;
    n += WIDE.some(([a, b]) => c >= a && c <= b) ? 2 : 1;
  }
  return n;
}
