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
 *   When that fails, the match goes block by block (matchByBlocks): each block application (`layers_0`)
 *   pairs with a file prefix of the same contents (`layers.0`) by the same rule, then its layers with that
 *   prefix's groups. Only orders inside a block and among blocks then count, so torch's
 *   nn.TransformerEncoder (each layer registering linear1, linear2 before norm1, norm2) loads, while a
 *   block whose layers of equal shapes the file lists in another order is still refused.
 *
 * PyTorch's `num_batches_tracked` (a training counter of BatchNorm, unused at inference) is ignored.
 */
import type { CheckedModel } from '../checker/analyze.js';
import { diag, short } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { IrNode } from '../semantics/ir.js';
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

/** One side of a pairing: a model layer or block application, or a file group or prefix, with its signature. */
interface Item {
  readonly sig: string;
  /** Full name, for messages. */
  readonly label: string;
  /** Place in the model's graph order or in the file's order. */
  readonly at: number;
}
interface Layer extends Item {
  readonly node: IrNode;
  /** The path below the scope being matched. */
  readonly rel: string;
}
interface FileGroup extends Item, Group {
  readonly rel: string;
}
interface Pairing {
  pairs: [Layer, FileGroup][];
  missing: Layer[];
  ambiguity?: string;
}

const tally = (items: Iterable<Item>) => {
  const t = new Map<string, number>();
  for (const { sig } of items) t.set(sig, (t.get(sig) ?? 0) + 1);
  return t;
};

/**
 * Each of ours, in order, takes the first free one of theirs with its signature. Position pairs items of
 * equal signature only if theirs come in our order: when they do not (a pair crosses) and some signature
 * repeats, the pairing is ambiguous. An item whose signature is unique on both sides pairs by signature
 * alone, so its place is no evidence either way (ViT's class token is registered first in torch, yet
 * applied after the patch convolution).
 */
function pairInOrder<A extends Item, B extends Item>(ours: readonly A[], theirs: readonly B[], free: (b: B) => boolean, take: (b: B) => void): { pairs: [A, B][]; missing: A[]; ambiguity?: string } {
  const [ourCount, theirCount] = [tally(ours), tally(theirs)];
  const pairs: [A, B][] = [];
  const missing: A[] = [];
  let last: [A, B] | undefined;
  let crossing: string | undefined;
  for (const a of ours) {
    const b = theirs.find((t) => t.sig === a.sig && free(t));
    if (!b) {
      missing.push(a);
      continue;
    }
    if ((ourCount.get(a.sig) ?? 0) > 1 || (theirCount.get(a.sig) ?? 0) > 1) {
      if (last && b.at < last[1].at) crossing ??= `${a.label} takes '${short(b.label)}', which the file lists before '${short(last[1].label)}' (taken by ${last[0].label})`;
      last = [a, b];
    }
    take(b);
    pairs.push([a, b]);
  }
  const repeated = ours.some((a) => ourCount.get(a.sig)! > 1);
  return { pairs, missing, ...(crossing && repeated ? { ambiguity: crossing } : {}) };
}

/** A multiset of layer signatures (a block's, or a file prefix's). */
const unitSig = (items: readonly Item[]) => items.map((i) => `(${i.sig})`).sort().join(' ');
const below = (rel: string, prefix: string) => rel.slice(prefix.length + 1);

/**
 * The match block by block, for files that list a block's layers in another order than it applies them
 * (torch registers nn.TransformerEncoderLayer's linear1, linear2 before norm1, norm2, which post-norm
 * applies between). The block applications of the scope (`layers_0` of `layers_0.norm1`) pair with file
 * prefixes of equal contents (`layers.0`, whose groups have the block's signatures; a prefix of any depth
 * of the file's names) by the same rule as layers: a unique contents pairs wherever it is, repeated ones
 * in order. Each pair is then matched inside, recursively; the scope's own layers, and those of blocks
 * that found no prefix, pair with the groups left. Only orders inside a block (or among blocks) must
 * agree, never the interleaving of different blocks' layers.
 */
function matchByBlocks(layers: readonly Layer[], groups: readonly FileGroup[]): Pairing {
  const taken = new Set<FileGroup>();
  const units = new Map<string, Layer[]>();
  for (const l of layers) {
    const dot = l.rel.indexOf('.');
    if (dot > 0) units.get(l.rel.slice(0, dot))?.push(l) ?? units.set(l.rel.slice(0, dot), [l]);
  }
  const ours = [...units].map(([name, ls]) => ({ sig: unitSig(ls), label: ls[0]!.label.slice(0, ls[0]!.label.length - ls[0]!.rel.length) + name, at: ls[0]!.at, name, layers: ls }));
  const wanted = new Set(ours.map((u) => u.sig));
  const byPrefix = new Map<string, FileGroup[]>();
  for (const g of groups)
    for (let dot = g.rel.indexOf('.'); dot > 0; dot = g.rel.indexOf('.', dot + 1)) {
      const p = g.rel.slice(0, dot);
      byPrefix.get(p)?.push(g) ?? byPrefix.set(p, [g]);
    }
  // (the deepest of prefixes holding the same groups: `wrapper` and `wrapper.block` are one candidate)
  const seen = new Set<string>();
  const theirs = [...byPrefix]
    .filter(([, gs]) => wanted.has(unitSig(gs)))
    .sort(([a], [b]) => b.length - a.length)
    .filter(([, gs]) => !seen.has(gs.map((g) => g.at).join()) && !!seen.add(gs.map((g) => g.at).join()))
    .map(([prefix, gs]) => ({ sig: unitSig(gs), label: gs[0]!.label.slice(0, gs[0]!.label.length - gs[0]!.rel.length) + prefix, at: gs[0]!.at, prefix, groups: gs }))
    .sort((a, b) => a.at - b.at);
  const blocks = pairInOrder(ours, theirs, (c) => c.groups.every((g) => !taken.has(g)), (c) => c.groups.forEach((g) => taken.add(g)));
  const out: Pairing = { pairs: [], missing: [], ...(blocks.ambiguity ? { ambiguity: blocks.ambiguity } : {}) };
  for (const [u, c] of blocks.pairs) {
    const inner = matchScope(
      u.layers.map((l) => ({ ...l, rel: below(l.rel, u.name) })),
      c.groups.map((g) => ({ ...g, rel: below(g.rel, c.prefix) })),
    );
    out.pairs.push(...inner.pairs);
    out.missing.push(...inner.missing);
    out.ambiguity ??= inner.ambiguity;
  }
  const rest = layers.filter((l) => !l.rel.includes('.') || blocks.missing.some((u) => u.layers.includes(l)));
  const flat = pairInOrder(rest, groups, (g) => !taken.has(g), (g) => taken.add(g));
  out.pairs.push(...flat.pairs);
  out.missing.push(...flat.missing);
  out.ambiguity ??= flat.ambiguity;
  return out;
}

/** Layers in order, then block by block when that fails (matchByBlocks). */
function matchScope(layers: readonly Layer[], groups: readonly FileGroup[]): Pairing {
  const taken = new Set<FileGroup>();
  const flat = pairInOrder(layers, groups, (g) => !taken.has(g), (g) => taken.add(g));
  if ((!flat.missing.length && !flat.ambiguity) || !layers.some((l) => l.rel.includes('.'))) return flat;
  const scoped = matchByBlocks(layers, groups);
  if (!scoped.missing.length && !scoped.ambiguity) return scoped;
  // (the first failure's errors name the layers; why the blocks did not pair either is worth saying)
  return flat.ambiguity && scoped.ambiguity && !scoped.missing.length ? { ...flat, ambiguity: `${flat.ambiguity}; block by block, ${scoped.ambiguity}` } : flat;
}

/**
 * The structural match (`--weights-map auto`): returns the file's tensors renamed to the model's keys, with
 * the table; errors (E0601) for every layer that finds no group, W0107 for groups no layer takes.
 */
export function matchByStructure(m: CheckedModel, file: string, tensors: ReadonlyMap<string, WeightTensor>): { tensors: Map<string, WeightTensor>; table: MappedName[]; diagnostics: Diagnostic[] } {
  const raw: Group[] = [];
  const byPrefix = new Map<string, Group>();
  for (const [name, t] of tensors) {
    if (isIgnoredTensor(name)) continue;
    const dot = name.lastIndexOf('.');
    const [prefix, role] = dot < 0 ? ['', name] : [name.slice(0, dot), name.slice(dot + 1)];
    let gr = byPrefix.get(prefix);
    if (!gr) raw.push((gr = { prefix, names: new Map(), shapes: [] })), byPrefix.set(prefix, gr);
    gr.names.set(role, name);
    gr.shapes.push([role, t.dims]);
  }
  mergeDottedRoles(m, raw, byPrefix);
  const groups: FileGroup[] = raw.map((g, at) => ({ ...g, sig: sig(g.shapes), label: g.prefix, at, rel: g.prefix }));
  const layers: Layer[] = m.graph.nodes
    .filter((n) => n.sharedWith === undefined && n.params.length > 0)
    .map((node, at) => ({ node, sig: sig(node.params.map((p) => [p.name, p.shape])), label: node.path, at, rel: node.path }));

  const r = matchScope(layers, groups);
  const out = new Map<string, WeightTensor>();
  const table: MappedName[] = [];
  const used = new Set<FileGroup>();
  for (const [l, g] of r.pairs) {
    used.add(groups[g.at]!);
    for (const p of l.node.params) {
      const name = g.names.get(p.name)!;
      out.set(paramKey(l.node, p), tensors.get(name)!);
      table.push({ file: name, key: paramKey(l.node, p) });
    }
  }
  const diagnostics: Diagnostic[] = [];
  const [ourCount, theirCount] = [tally(layers), tally(groups)];
  for (const l of r.missing)
    diagnostics.push(diag('E0601', `${file}: no layer of the file left for ${l.label} (${l.sig}): the model has ${ourCount.get(l.sig) ?? 0} layer(s) with these parameters, the file ${theirCount.get(l.sig) ?? 0}`, l.node.span, {
      hint: 'the structural match (--weights-map auto) pairs layers of equal parameter names and shapes in order; give rename rules instead (--weights-map rules.json)',
    }));
  if (r.ambiguity)
    diagnostics.push(diag('E0601', `${file}: ambiguous structural match: the file does not list its layers in the model's order (${r.ambiguity}), and layers with equal parameter shapes could then be paired either way`, m.graph.span, {
      hint: 'give rename rules instead (--weights-map rules.json); --verbose prints the pairing',
    }));
  const left = groups.filter((g) => !used.has(g));
  if (left.length && !diagnostics.length)
    diagnostics.push(diag('W0107', `${file} has ${left.length} layer(s) of tensors the model does not use: ${left.slice(0, 5).map((g) => `${short(g.prefix) || '(top level)'} (${short(g.sig)})`).join('; ')}${left.length > 5 ? '; …' : ''}`, m.graph.span));
  return { tensors: out, table, diagnostics };
}

/** The mapping as a two-column table (for `--verbose`). */
export function formatMapping(table: readonly MappedName[]): string {
  const w = Math.max(9, ...table.map((r) => r.file.length));
  return [`${'file name'.padEnd(w)}  dslc parameter`, ...table.map((r) => `${r.file.padEnd(w)}  ${r.key}`)].join('\n') + '\n';
}
