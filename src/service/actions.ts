/** Code actions: the fixes diagnostics carry, and "insert padding to keep size" for shrinking convs. */
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { spanOf } from '../syntax/source.js';
import { sitesOf } from './layers.js';
import type { Analysis } from './service.js';

export interface CodeAction {
  readonly title: string;
  readonly kind: 'quickfix' | 'refactor.rewrite';
  readonly edits: readonly { readonly span: Span; readonly newText: string }[];
  readonly diagnostic?: Diagnostic;
  readonly preferred?: boolean;
}

/** Actions for the range [start, end] of the document. */
export function codeActions(a: Analysis, start: number, end: number): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of a.diagnostics) {
    if (!d.fixes?.length || !d.span || d.span.file !== a.path || d.span.end < start || d.span.start > end) continue;
    d.fixes.forEach((f, i) => out.push({ title: f.title, kind: 'quickfix', edits: f.edits, diagnostic: d, preferred: i === 0 }));
  }
  out.push(...paddingActions(a, start, end));
  return out;
}

/**
 * A stride-1 convolution without padding shrinks the grid by K_eff−1; `padding=(K_eff−1)/2` keeps it when
 * that is whole (odd kernels). Offered on conv calls whose every application shrinks its input.
 */
function paddingActions(a: Analysis, start: number, end: number): CodeAction[] {
  const out: CodeAction[] = [];
  const file = a.result.program.root.file;
  for (const s of sitesOf(a, a.path)) {
    if (s.end < start || s.start > end || s.block) continue;
    const layers = s.apps.map((app) => app[app.length - 1]!);
    const first = layers[0];
    if (!first || first.node.rf.kind !== 'window' || !/conv/.test(first.node.op.name) || first.node.op.name.includes('transpose')) continue;
    const axes = first.node.rf.axes;
    if (!axes.length || axes.some((x) => x.stride !== 1 || x.padBegin !== 0)) continue;
    const pads = axes.map((x) => (x.dilation * (x.kernel - 1)) / 2);
    if (pads.some((p) => !Number.isInteger(p) || p <= 0)) continue;
    const call = file.text.slice(s.start, s.end);
    if (/\bpadding\s*=/.test(call) || !call.endsWith(')')) continue;
    const pad = pads.every((p) => p === pads[0]) ? String(pads[0]) : `(${pads.join(', ')})`;
    const closeAt = s.end - 1;
    const empty = /\(\s*$/.test(call.slice(0, -1));
    out.push({ title: `insert padding=${pad} to keep the size`, kind: 'quickfix', edits: [{ span: spanOf(file, closeAt, closeAt), newText: `${empty ? '' : ', '}padding=${pad}` }] });
  }
  return out;
}
