/**
 * Binding call arguments to an op's attributes: positional order, keywords and aliases, defaults, and
 * type checks. Pure: problems come back as data; the elaborator attaches source spans.
 */
import { didYouMean } from '../diagnostics/make.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { type Dim, formatDim, isSymbolic, symbolsOf } from '../symbolic/dim.js';
import type { AttrDef, AttrValue, OpDef } from './types.js';

/** An argument problem: which argument (positional index or keyword) and why. */
export interface ArgProblem {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly hint?: string;
  /** Index into the positional attribute args, or the keyword as written. */
  readonly at?: number | string;
  /** For an unknown keyword: the attribute it probably meant (a quick fix renames it). */
  readonly suggestion?: string;
}

export interface BoundAttrs {
  readonly attrs: Record<string, AttrValue>;
  /** Attributes the user wrote, by canonical name, with where they came from. */
  readonly given: Map<string, number | string>;
  readonly problems: ArgProblem[];
}

const isInt = (v: AttrValue): boolean => (typeof v === 'number' && Number.isInteger(v)) || (v !== null && typeof v === 'object' && !Array.isArray(v) && isSymbolic(v as never));
const describe = (v: AttrValue): string =>
  v === null ? 'none' : Array.isArray(v) ? 'a tuple' : typeof v === 'object' ? 'a symbolic dim' : typeof v === 'number' ? (Number.isInteger(v) ? 'an int' : 'a float') : `a ${typeof v === 'boolean' ? 'bool' : 'string'}`;

const withinMin = (def: AttrDef, x: AttrValue): boolean => def.min === undefined || typeof x !== 'number' || x >= def.min;
const mustBe = (def: AttrDef, what: string, v: AttrValue): string => `${def.name} must be ${what}, got ${describe(v)}`;

/** Checks one value against an attribute definition; returns an error message or undefined. */
export function checkAttr(def: AttrDef, v: AttrValue): string | undefined {
  if (v === null && def.default === null) return undefined;
  // (No closures here: this runs for every attribute of every layer.)
  switch (def.type) {
    case 'int':
      if (!isInt(v)) return mustBe(def, 'an int', v);
      return withinMin(def, v) ? undefined : `${def.name} must be ≥ ${def.min}, got ${v}`;
    case 'float':
      if (typeof v !== 'number') return mustBe(def, 'a number', v);
      return withinMin(def, v) ? undefined : `${def.name} must be ≥ ${def.min}, got ${v}`;
    case 'bool':
      return typeof v === 'boolean' ? undefined : mustBe(def, 'true or false', v);
    case 'string':
      return typeof v === 'string' ? undefined : mustBe(def, 'a string', v);
    case 'enum':
      return typeof v === 'string' && def.choices?.includes(v) ? undefined : `${def.name} must be one of ${def.choices?.map((c) => `'${c}'`).join(', ')}, got ${typeof v === 'string' ? `'${v}'` : describe(v)}`;
    case 'padding':
      if (typeof v === 'string') return ['valid', 'same', 'full'].includes(v) ? undefined : `padding must be an int, a tuple, 'valid', 'same' or 'full', got '${v}'`;
    // falls through: an int or tuple of ints
    case 'ints': {
      const items = Array.isArray(v) ? v : [v];
      if (Array.isArray(v) && v.length === 0) return mustBe(def, 'an int or a non-empty tuple of ints', v);
      for (const x of items) {
        if (typeof x !== 'number' || !Number.isInteger(x)) return mustBe(def, 'an int or a tuple of ints', v);
        if (!withinMin(def, x)) return `${def.name} must be ≥ ${def.min}, got ${x}`;
      }
      return undefined;
    }
    case 'int_list':
      if (!Array.isArray(v)) return mustBe(def, 'a list of ints', v);
      return v.every(isInt) ? undefined : mustBe(def, 'a list of ints', v);
    case 'float_list':
      if (!Array.isArray(v)) return mustBe(def, 'a list of numbers', v);
      return v.every((x) => typeof x === 'number') ? undefined : mustBe(def, 'a list of numbers', v);
  }
}

/** Binds positional attribute values (after the tensor inputs) and keyword values to the op's attributes. */
export function bindAttrs(op: OpDef, positional: readonly AttrValue[], keywords: ReadonlyMap<string, AttrValue>): BoundAttrs {
  const attrs: Record<string, AttrValue> = {};
  const given = new Map<string, number | string>();
  const problems: ArgProblem[] = [];
  if (positional.length > op.attrs.length)
    problems.push({ code: 'E0203', message: `${op.name} takes at most ${op.attrs.length} positional attribute${op.attrs.length === 1 ? '' : 's'} (${op.attrs.map((a) => a.name).join(', ') || 'none'}), got ${positional.length}`, at: op.attrs.length });
  for (let i = 0; i < positional.length; i++) {
    const def = op.attrs[i];
    if (!def) continue;
    attrs[def.name] = positional[i]!;
    given.set(def.name, i);
  }
  for (const [kw, v] of keywords) {
    const def = op.attrs.find((a) => a.name === kw || a.aliases?.includes(kw));
    if (!def) {
      const names = op.attrs.flatMap((a) => [a.name, ...(a.aliases ?? [])]);
      const s = didYouMean(kw, names);
      problems.push({ code: 'E0202', message: `${op.name} has no argument '${kw}'`, hint: s ? `did you mean '${s}'?` : `arguments: ${op.attrs.map((a) => a.name).join(', ') || 'none'}`, at: kw, ...(s ? { suggestion: s } : {}) });
      continue;
    }
    if (given.has(def.name)) {
      problems.push({ code: 'E0204', message: `${op.name}: '${def.name}' is given twice`, at: kw });
      continue;
    }
    attrs[def.name] = v;
    given.set(def.name, kw);
  }
  for (let i = 0; i < op.attrs.length; i++) {
    const def = op.attrs[i]!;
    if (!(def.name in attrs)) {
      if (def.default === undefined) {
        problems.push({ code: 'E0203', message: `${op.name} is missing required argument '${def.name}'`, hint: `${def.name}: ${def.doc}` });
        continue;
      }
      attrs[def.name] = def.default;
    } else if (isSize(def) && isSymbolicValue(attrs[def.name]!)) {
      problems.push(notConcrete(op, def, attrs[def.name] as Dim, given.get(def.name)));
    } else {
      const err = checkAttr(def, attrs[def.name]!);
      if (err) {
        const hint = attrHint(op, def, attrs[def.name]!, err);
        problems.push({ code: err.includes('must be ≥') ? 'E0301' : def.type === 'enum' || (def.type === 'padding' && typeof attrs[def.name] === 'string') ? 'E0301' : 'E0300', message: `${op.name}: ${err}`, ...(hint ? { hint } : {}), at: given.get(def.name) });
      }
    }
  }
  return { attrs, given, problems };
}

/** What a wrong attribute value should be: what the attribute means, and for a number in quotes, the fix. */
function attrHint(op: OpDef, def: AttrDef, v: AttrValue, err: string): string | undefined {
  const what = `${def.name}: ${def.doc.replace(/\.$/, '')}`;
  if (err.includes('must be ≥')) return `${what}; the smallest value is ${def.min}`;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    if ((def.type === 'int' || def.type === 'float' || def.type === 'ints' || def.type === 'padding') && v.trim() !== '' && Number.isFinite(n)) return `write the number without quotes: ${def.name}=${n}`;
    const choices = def.type === 'padding' ? ['valid', 'same', 'full'] : def.type === 'enum' ? (def.choices ?? []) : [];
    const folded = choices.find((c) => c.toLowerCase() === v.trim().toLowerCase());
    if (folded) return `names are lower case: ${def.name}='${folded}'`;
  }
  const example = def.type === 'int' ? (def.min !== undefined && def.min >= 1 ? '64' : '1') : def.type === 'float' ? '0.5' : def.type === 'bool' ? 'true' : def.type === 'ints' ? '3 or (3, 3)' : def.type === 'padding' ? "1 or 'same'" : undefined;
  if (example) return `${what}; e.g. ${op.attrs[0] === def && def.default === undefined ? `${op.name}(${example.split(' or ')[0]}, …)` : `${def.name}=${example.replace(' or ', ` or ${def.name}=`)}`}`;
  return def.type === 'enum' ? undefined : what;
}

/** An int attribute bounded below by 1 is a size or count (channels, features, groups), unlike an axis. */
const isSize = (def: AttrDef): boolean => def.type === 'int' && def.min !== undefined && def.min >= 1;
const isSymbolicValue = (v: AttrValue): boolean => v !== null && typeof v === 'object' && !Array.isArray(v) && isSymbolic(v as Dim);

/**
 * A size attribute decides weight and output shapes (output channels, features, groups): a symbolic
 * dimension there would give weights no shape, so it must be concrete (E0409), whichever op it belongs to.
 */
function notConcrete(op: OpDef, def: AttrDef, v: Dim, at: number | string | undefined): ArgProblem {
  const sym = [...symbolsOf(v)][0] ?? 'N';
  return {
    code: 'E0409',
    message: `${op.name}: ${def.name} is ${formatDim(v)}, a symbolic size, but it must be a concrete int`,
    hint: `bind ${sym} to a size: \`where ${sym} == 64\` after the model's inputs, or --input-shape ${sym}=64`,
    ...(at !== undefined ? { at } : {}),
  };
}
