/** `--baseline summary.json`: fail when params, MACs or peak memory grew beyond a tolerance. */
import { type Summary, formatCount } from '../checker/summary.js';
import { diag, short } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';

const METRICS = [
  ['params', 'parameters'],
  ['macs', 'MACs'],
  ['peakActivationBytes', 'peak activation bytes'],
] as const;

export function compareBaseline(path: string, text: string, current: readonly Summary[], tolerance: number): Diagnostic[] {
  let base: Summary[];
  try {
    const parsed = JSON.parse(text) as Summary | Summary[] | { models: Summary[] };
    base = Array.isArray(parsed) ? parsed : 'models' in parsed ? parsed.models : [parsed];
    // Each metric as a summary writes it: a count, a symbolic expression (a string) or null (unknown). A negative
    // count would make the comparison meaningless, an object would not be compared at all.
    const count = (v: unknown) => v === undefined || v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
    if (!Array.isArray(base) || !base.every((b) => typeof b?.model === 'string' && b.totals && typeof b.totals === 'object' && METRICS.every(([k]) => count((b.totals as unknown as Record<string, unknown>)[k]))))
      throw new Error('shape');
  } catch {
    return [diag('E0502', `baseline ${path} is not a dslc summary (produce it with: dslc summary model.nn --format json > ${path})`, undefined)];
  }
  const out: Diagnostic[] = [];
  // A baseline that matches none of the checked models compares nothing: say so rather than pass silently.
  if (current.length && !current.some((s) => base.some((b) => b.model === s.model)))
    out.push(diag('E0502', `baseline ${path} has no summary of ${current.map((s) => s.model).join(', ')} (it has ${base.slice(0, 5).map((b) => short(b.model)).join(', ') || 'none'}${base.length > 5 ? `, … (${base.length})` : ''})`, undefined, { hint: `produce it with: dslc summary model.nn --format json > ${path}` }));
  for (const s of current) {
    const b = base.find((x) => x.model === s.model);
    if (!b) continue;
    for (const [key, label] of METRICS) {
      const was = b.totals[key];
      const now = s.totals[key];
      if (typeof was !== 'number' || typeof now !== 'number') continue;
      if (now > was * (1 + tolerance)) {
        const pct = was ? ((now / was - 1) * 100).toFixed(2) : '∞';
        out.push(diag('E0502', `${s.model}: ${label} grew from ${formatCount(was)} to ${formatCount(now)} (+${pct}%, tolerance ${(tolerance * 100).toFixed(2)}%)`, undefined, { hint: 'if the growth is intended, regenerate the baseline with dslc summary --format json' }));
      }
    }
  }
  return out;
}
