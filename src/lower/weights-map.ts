/**
 * `--weights-map`: loading weights whose tensor names are not dslc's parameter keys (`<layer path>.<param>`),
 * e.g. PyTorch's (`layer1.0.conv1.weight`, `bn1.running_mean`). Two ways, both ending in the usual
 * name/shape/dtype check (`matchWeights`):
 *
 * - rename rules: a JSON list `[{"from": "^layer(\\d)\\.0\\.", "to": "layer$1."}, ...]` (or `[from, to]` pairs);
 *   each tensor name goes through every rule in order, as a sed script would (JavaScript regular expressions,
 *   `$1` for groups); a name no rule matches is kept.
 * - `auto`: a structural match. File tensors are grouped by their name up to the last dot (one group per
 *   layer, the part after the dot its role: `weight`, `bias`, `running_mean`, ...; a group `P.out_proj` joins `P`
 *   when the model has roles `out_proj.weight`, ..., as attention does); the model's layers are
 *   taken in graph order, and each gets the first unused group of the file, in file order, whose roles and
 *   shapes equal its own. Among layers of identical shapes the file's order therefore decides: files
 *   written from `state_dict()` or by `torch.onnx.export` list layers in registration order, which is the
 *   forward order for torchvision's models. Errors name every layer left without a group; when the file's
 *   order is not the model's (two pairs of layers whose shapes repeat cross) while some layers have equal
 *   shapes, the match is ambiguous and refused (E0601): rename rules must say it. A layer whose shapes occur
 *   once in the model and once in the file pairs wherever the file lists it.
 *
 * PyTorch's `num_batches_tracked` (a training counter of BatchNorm, unused at inference) is ignored.
 */
import type { CheckedModel } from '../checker/analyze.js';
import { diag, short } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { WeightTensor } from './weights-file.js';
import { paramKey } from './weights.js';

export interface RenameRule {
  readonly from: RegExp;
  readonly to: string;
}

/** One row of the mapping: file name → dslc parameter key. */
export interface MappedName {
  readonly file: string;
  readonly key: string;
}

/** Tensors PyTorch saves that no inference graph needs. */
export const isIgnoredTensor = (name: string): boolean => name === 'num_batches_tracked' || name.endsWith('.num_batches_tracked');

/** Parses a rules file; a string is the error. */
export function parseRenameRules(text: string): RenameRule[] | string {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  if (!Array.isArray(j)) return 'expected a JSON list of rules like {"from": "^layer(\\\\d)\\\\.0\\\\.", "to": "layer$1."}';
  const rules: RenameRule[] = [];
  for (const [i, r] of j.entries()) {
    const [from, to] = Array.isArray(r) ? r : r && typeof r === 'object' ? [(r as Record<string, unknown>).from, (r as Record<string, unknown>).to] : [];
    if (typeof from !== 'string' || typeof to !== 'string') return `rule ${i + 1}: expected {"from": REGEX, "to": REPLACEMENT} or [REGEX, REPLACEMENT]`;
    try {
      rules.push({ from: new RegExp(from), to });
    } catch (e) {
      return `rule ${i + 1}: ${(e as Error).message}`;
    }
  }
  return rules;
}

/** Renames every tensor through the rules; two tensors renamed to one name is an error (a string). */
export function renameTensors(tensors: ReadonlyMap<string, WeightTensor>, rules: readonly RenameRule[]): { tensors: Map<string, WeightTensor>; table: MappedName[] } | string {
  const out = new Map<string, WeightTensor>();
  const table: MappedName[] = [];
  const from = new Map<string, string>();
  for (const [name, t] of tensors) {
    if (isIgnoredTensor(name)) continue;
    const key = rules.reduce((n, r) => n.replace(r.from, r.to), name);
    const prev = from.get(key);
    if (prev !== undefined) return `'${short(prev)}' and '${short(name)}' are both renamed to '${short(key)}'`;
    from.set(key, name);
    out.set(key, t);
    table.push({ file: name, key });
  }
  return { tensors: out, table };
}

const sig = (entries: readonly (readonly [string, readonly number[]])[]) =>
  entries.map(([role, shape]) => `${role}[${shape.join('×')}]`).sort().join(', ');

interface Group {
  prefix: string;
  names: Map<string, string>;
  shapes: [string, readonly number[]][];
}

/**
 * Some ops name parameters with a dot (attention's `out_proj.weight`, as PyTorch's `nn.MultiheadAttention` does), so
 * a file's `enc.attn.out_proj.weight` splits at its last dot into a group of its own. Folds such a group `P.X` into
 * `P` when `P` is a group too and the model has a parameter named `X.<role>` for each of its roles.
 */
function mergeDottedRoles(m: CheckedModel, groups: Group[], byPrefix: Map<string, Group>): void {
  const dotted = new Set(m.graph.nodes.flatMap((n) => n.params.map((p) => p.name)).filter((n) => n.includes('.')));
  if (!dotted.size) return;
  for (const gr of [...groups]) {
    const dot = gr.prefix.lastIndexOf('.');
    if (dot < 0) continue;
    const parent = byPrefix.get(gr.prefix.slice(0, dot));
    const sub = gr.prefix.slice(dot + 1);
    if (!parent || ![...gr.names.keys()].every((r) => dotted.has(`${sub}.${r}`))) continue;
    for (const [role, name] of gr.names) parent.names.set(`${sub}.${role}`, name);
    for (const [role, shape] of gr.shapes) parent.shapes.push([`${sub}.${role}`, shape]);
    groups.splice(groups.indexOf(gr), 1);
    byPrefix.delete(gr.prefix);
  }
}

/**
 * The structural match (`--weights-map auto`): returns the file's tensors renamed to the model's keys, with
 * the table; errors (E0601) for every layer that finds no group, W0107 for groups no layer takes.
 */
export function matchByStructure(m: CheckedModel, file: string, tensors: ReadonlyMap<string, WeightTensor>): { tensors: Map<string, WeightTensor>; table: MappedName[]; diagnostics: Diagnostic[] } {
  const groups: (Group & { sig: string; used: boolean })[] = [];
  const byPrefix = new Map<string, (typeof groups)[number]>();
  for (const [name, t] of tensors) {
    if (isIgnoredTensor(name)) continue;
    const dot = name.lastIndexOf('.');
    const [prefix, role] = dot < 0 ? ['', name] : [name.slice(0, dot), name.slice(dot + 1)];
    let gr = byPrefix.get(prefix);
    if (!gr) groups.push((gr = { prefix, names: new Map(), shapes: [], sig: '', used: false })), byPrefix.set(prefix, gr);
    gr.names.set(role, name);
    gr.shapes.push([role, t.dims]);
  }
  mergeDottedRoles(m, groups, byPrefix);
  for (const gr of groups) gr.sig = sig(gr.shapes);

  const out = new Map<string, WeightTensor>();
  const table: MappedName[] = [];
  const diagnostics: Diagnostic[] = [];
  const layers = m.graph.nodes.filter((n) => n.sharedWith === undefined && n.params.length > 0);
  const layerSig = new Map(layers.map((n) => [n, sig(n.params.map((p) => [p.name, p.shape]))]));
  const tally = (sigs: Iterable<string>) => {
    const t = new Map<string, number>();
    for (const s of sigs) t.set(s, (t.get(s) ?? 0) + 1);
    return t;
  };
  const [ourCount, theirCount] = [tally(layerSig.values()), tally(groups.map((g) => g.sig))];
  const count = (s: string) => [ourCount.get(s) ?? 0, theirCount.get(s) ?? 0] as const;
  // Position pairs layers of equal shapes only if the file lists layers in the model's order: when it
  // does not (a pair of matched layers crosses), and some shapes repeat, the pairing is ambiguous. A layer
  // whose shapes are unique on both sides pairs by shape alone, so its place is no evidence either way
  // (ViT's class token is registered first in torch, yet applied after the patch convolution).
  let last: { at: number; layer: string; group: string } | undefined;
  let crossing: string | undefined;
  for (const n of layers) {
    const s = layerSig.get(n)!;
    const gr = groups.find((g) => !g.used && g.sig === s);
    const [ours, theirs] = count(s);
    if (gr && (ours > 1 || theirs > 1)) {
      const at = groups.indexOf(gr);
      if (last && at < last.at) crossing ??= `${n.path} takes '${short(gr.prefix)}', which the file lists before '${short(last.group)}' (taken by ${last.layer})`;
      last = { at, layer: n.path, group: gr.prefix };
    }
    if (!gr) {
      diagnostics.push(diag('E0601', `${file}: no layer of the file left for ${n.path} (${s}): the model has ${ours} layer(s) with these parameters, the file ${theirs}`, n.span, {
        hint: 'the structural match (--weights-map auto) pairs layers of equal parameter names and shapes in order; give rename rules instead (--weights-map rules.json)',
      }));
      continue;
    }
    gr.used = true;
    for (const p of n.params) {
      const name = gr.names.get(p.name)!;
      out.set(paramKey(n, p), tensors.get(name)!);
      table.push({ file: name, key: paramKey(n, p) });
    }
  }
  const repeated = layers.some((n) => count(layerSig.get(n)!)[0] > 1);
  if (crossing && repeated)
    diagnostics.push(diag('E0601', `${file}: ambiguous structural match: the file does not list its layers in the model's order (${crossing}), and layers with equal parameter shapes could then be paired either way`, m.graph.span, {
      hint: 'give rename rules instead (--weights-map rules.json); --verbose prints the pairing',
    }));
  const left = groups.filter((g) => !g.used);
  if (left.length && !diagnostics.length)
    diagnostics.push(diag('W0107', `${file} has ${left.length} layer(s) of tensors the model does not use: ${left.slice(0, 5).map((g) => `${short(g.prefix) || '(top level)'} (${short(g.sig)})`).join('; ')}${left.length > 5 ? '; …' : ''}`, m.graph.span));
  return { tensors: out, table, diagnostics };
}

/** The mapping as a two-column table (for `--verbose`). */
export function formatMapping(table: readonly MappedName[]): string {
  const w = Math.max(9, ...table.map((r) => r.file.length));
  return [`${'file name'.padEnd(w)}  dslc parameter`, ...table.map((r) => `${r.file.padEnd(w)}  ${r.key}`)].join('\n') + '\n';
}
