import { CODES, type DiagnosticCode } from './codes.js';
import type { Diagnostic, Fix, Note, Span } from './types.js';

/** Extra parts of a diagnostic beyond code, message and span. */
export interface DiagExtra {
  notes?: Note[];
  hint?: string;
  fixes?: Fix[];
  blockPath?: string[];
  bound?: { symbol: string; least: number };
}

/** Builds a diagnostic whose severity comes from the code table. */
export function diag(code: DiagnosticCode, message: string, span: Span | undefined, extra: DiagExtra = {}): Diagnostic {
  return {
    code,
    severity: CODES[code].severity,
    message,
    ...(span ? { span } : {}),
    notes: extra.notes ?? [],
    ...(extra.hint ? { hint: extra.hint } : {}),
    ...(extra.fixes?.length ? { fixes: extra.fixes } : {}),
    ...(extra.blockPath?.length ? { blockPath: extra.blockPath } : {}),
    ...(extra.bound ? { bound: extra.bound } : {}),
  };
}

/** Edit distance, for did-you-mean suggestions. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagPrev = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diagPrev + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagPrev = tmp;
    }
  }
  return prev[b.length]!;
}

/** Edit-distance work (cells) one suggestion may cost: a file with many names must stay fast. */
const MAX_SUGGEST_WORK = 200_000;

/**
 * The closest candidate within a distance proportional to the name's length, if any. Candidates whose
 * length alone puts them out of reach are skipped, and the total work is bounded.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const maxD = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = maxD + 1;
  let work = 0;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    // The distance is at least the difference in length.
    if (Math.abs(c.length - name.length) > Math.min(maxD, bestD)) continue;
    work += (name.length + 1) * (c.length + 1);
    if (work > MAX_SUGGEST_WORK) break;
    const d = levenshtein(lower, c.toLowerCase());
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  // (A suggestion must keep something of the name: any one-letter name is one edit from `q`.)
  return best !== undefined && bestD <= maxD && bestD < name.length ? best : undefined;
}

/**
 * The same problem reached through several block expansions (or checks) is reported once; a call's
 * arguments are not counted (E0203) where a syntax error cuts the call short (`conv2d(` while typing): the
 * syntax error says what is wrong there; and a keyword the parser read as a name (`return model`, an E0101
 * there) is not also an unknown name.
 */
export function dedupe(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  // (Cut short: the parse error is at the call's end, on its last token or just after it; one inside an
  // argument's own call leaves the outer call whole.)
  const cuts = ds.filter((d) => d.span && d.code === 'E0101');
  const cutShort = (d: Diagnostic) => d.code === 'E0203' && cuts.some((c) => c.span!.file === d.span!.file && (c.span!.start === d.span!.end || (c.span!.end === d.span!.end && c.span!.start >= d.span!.start)));
  const keyword = (d: Diagnostic) => (d.code === 'E0200' || d.code === 'E0201') && cuts.some((c) => c.span!.file === d.span!.file && c.span!.start === d.span!.start && c.span!.end === d.span!.end);
  return ds.filter((d) => {
    if (cuts.length && d.span && (cutShort(d) || keyword(d))) return false;
    const k = `${d.code}|${d.span?.file}|${d.span?.start}|${d.span?.end}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A name from a file as messages show it: a name of a megabyte would still be one line, but not a readable one. */
export const short = (name: string): string => (name.length > 100 ? `${name.slice(0, 99)}…` : name);

/** Dimensions from a file as messages show them (the first 8). */
export const dimsText = (dims: readonly unknown[]): string => `[${dims.slice(0, 8).join(', ')}${dims.length > 8 ? `, … (${dims.length} dimensions)` : ''}]`;
