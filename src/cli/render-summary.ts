/** Text table and Markdown forms of a summary (Keras/torchinfo-like, plus RF). */
import { type Summary, type SummaryLayer, formatBytes, formatCount } from '../checker/summary.js';

/** Exact counts with thousands separators; beyond 2^53 − 1 (E0406) an approximation that does not pretend otherwise. */
const fmtNum = (n: number | string) => (typeof n === 'number' ? formatCount(n) : n);
const fmtShape = (s: (number | string)[]) => `[${s.join(', ')}]`;
const fmtRf = (l: SummaryLayer) => (l.rf ? `${uniq(l.rf.size)}/${uniq(l.rf.jump)}` : '');
const uniq = (xs: number[]) => (xs.every((x) => x === xs[0]) ? fmtFrac(xs[0]!) : xs.map(fmtFrac).join('×'));
const fmtFrac = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3).replace(/0+$/, ''));

/** Bytes with a unit (shared with the language server's hover: checker/summary.ts `formatBytes`). */
export const fmtBytes = formatBytes;

function rows(s: Summary): string[][] {
  return s.layers.map((l) => [l.path + (l.sharedWith ? ' (shared)' : ''), l.op, fmtShape(l.outputShape), fmtNum(l.params), fmtNum(l.macs), fmtRf(l)]);
}

const HEAD = ['Layer', 'Op', 'Output shape', 'Params', 'MACs', 'RF size/jump'];

function totalsLines(s: Summary): [string, string][] {
  const t = s.totals;
  return [
    ['Total params', fmtNum(t.params)],
    ['Trainable params', fmtNum(t.trainableParams)],
    ['Non-trainable params', fmtNum(t.nonTrainableParams)],
    ['MACs', fmtNum(t.macs)],
    ['FLOPs', fmtNum(t.flops)],
    ['Weights', fmtBytes(t.weightBytes)],
    // Per-sample growth 0: the batch size is concrete (declared or --input-shape), so the peak is for that batch.
    [t.peakActivationBytesPerSample === 0 ? 'Peak activations' : 'Peak activations (batch 1)', fmtBytes(t.peakActivationBytes)],
    ...(t.peakActivationBytesPerSample !== null && t.peakActivationBytesPerSample > 0 ? ([['  per extra sample', `+${fmtBytes(t.peakActivationBytesPerSample)}`]] as [string, string][]) : []),
  ];
}

export function renderTable(s: Summary): string {
  const body = rows(s);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const right = new Set([3, 4]);
  const line = (r: string[]) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const io = (label: string, ps: Summary['inputs']) => ps.map((p) => `${label} ${p.name}: ${p.dtype === 'float32' ? '' : p.dtype}${fmtShape(p.shape)}`);
  const out = [`Model: ${s.model}`, ...io('input ', s.inputs), ...io('output', s.outputs), rule, line(HEAD), rule, ...body.map(line), rule];
  const tl = totalsLines(s);
  const tw = Math.max(...tl.map(([k]) => k.length));
  out.push(...tl.map(([k, v]) => `${k.padEnd(tw)}  ${v}`));
  return out.join('\n');
}

export function renderMarkdown(s: Summary): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const out = [`### ${s.model}`, '', `| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i === 3 || i === 4 ? '---:' : '---')).join('|')}|`];
  for (const r of rows(s)) out.push(`| ${r.map((c, i) => (i === 0 || i === 2 ? `\`${esc(c)}\`` : esc(c))).join(' | ')} |`);
  out.push('', '| Total | |', '|---|---:|', ...totalsLines(s).map(([k, v]) => `| ${k.trim()} | ${v} |`));
  return out.join('\n');
}
