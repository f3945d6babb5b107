/**
 * Symbolic tensor dimensions.
 *
 * A dimension is either a plain integer (the fast, common case) or an {@link Expr}: a polynomial with
 * rational coefficients over symbols (`N`, `H`) and floor atoms (`floor((H - 1)/2)`). Every operation
 * returns a canonical form, so two dims are equal exactly when their keys are equal. Facts about symbols
 * (`H % 32 == 0`) let floors simplify (`floor((H - 1)/2) + 1` becomes `H/2`).
 */
import { type Rat, rat, radd, rmul, rneg, risZero, risInt, ONE, gcd } from './rational.js';
import { type Zeros, describeZeros, zerosOf } from './one-symbol.js';
import { type Sign, cheapSign } from './sign.js';

export type { Sign };

interface SymAtom {
  readonly kind: 'sym';
  readonly name: string;
  readonly key: string;
}
interface FloorAtom {
  readonly kind: 'floor';
  readonly num: Expr;
  readonly den: number;
  readonly key: string;
}
type Atom = SymAtom | FloorAtom;
interface Factor {
  readonly atom: Atom;
  readonly exp: number;
}
interface Term {
  readonly c: Rat;
  readonly factors: readonly Factor[];
  /** Monomial key; '' for the constant term. */
  readonly key: string;
}
/** A symbolic dimension in canonical form. */
export interface Expr {
  readonly kind: 'expr';
  readonly terms: readonly Term[];
  readonly key: string;
}
/** A tensor dimension: an integer or a symbolic expression. */
export type Dim = number | Expr;

/**
 * What `where` constraints say about symbols: `H -> 32` means `H % 32 == 0`; a lower bound `where H >= 8` is
 * kept in the same map under `lowerBoundKey` (facts.ts: `>=H`, as no symbol name starts with `>`).
 */
export type DimFacts = ReadonlyMap<string, number>;
const NO_FACTS: DimFacts = new Map();

const monoKey = (fs: readonly Factor[]): string => fs.map((f) => (f.exp === 1 ? f.atom.key : `${f.atom.key}^${f.exp}`)).join('*');

function makeExpr(map: Map<string, Term>): Dim {
  const terms = [...map.values()].filter((t) => !risZero(t.c)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return fromSorted(terms);
}

/** The canonical dim of terms already sorted by monomial key, distinct and non-zero. */
function fromSorted(terms: readonly Term[]): Dim {
  if (terms.length === 0) return 0;
  if (terms.length === 1 && terms[0]!.key === '' && risInt(terms[0]!.c)) return terms[0]!.c.n;
  let key = '';
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i]!;
    key += `${i ? '+' : ''}${t.c.n}/${t.c.d}:${t.key}`;
  }
  return { kind: 'expr', terms, key };
}

function termsOf(d: Dim): readonly Term[] {
  if (typeof d === 'number') return d === 0 ? [] : [{ c: rat(d), factors: [], key: '' }];
  return d.terms;
}

function accumulate(map: Map<string, Term>, t: Term): void {
  const prev = map.get(t.key);
  map.set(t.key, prev ? { ...prev, c: radd(prev.c, t.c) } : t);
}

/** A named symbolic dimension such as `N` or `H`. */
export function sym(name: string): Expr {
  const atom: SymAtom = { kind: 'sym', name, key: name };
  const t: Term = { c: ONE, factors: [{ atom, exp: 1 }], key: name };
  return { kind: 'expr', terms: [t], key: `1/1:${name}` };
}

/** The symbol's name when the dim is exactly one symbol (`N`, not `2*N`, `N^2` or `N + 1`). */
export function symbolName(d: Dim): string | undefined {
  if (typeof d === 'number' || d.terms.length !== 1) return undefined;
  const t = d.terms[0]!;
  const f = t.factors.length === 1 && t.c.n === 1 && t.c.d === 1 ? t.factors[0]! : undefined;
  return f && f.exp === 1 && f.atom.kind === 'sym' ? f.atom.name : undefined;
}

export function isSymbolic(d: Dim): d is Expr {
  return typeof d !== 'number';
}

export function add(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  // Both term lists are sorted by key with distinct keys: merge them in one pass (no map, no sort).
  const x = termsOf(a);
  const y = termsOf(b);
  const out: Term[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    const s = x[i];
    const t = y[j];
    if (t === undefined || (s !== undefined && s.key < t.key)) {
      out.push(s!);
      i++;
    } else if (s === undefined || t.key < s.key) {
      out.push(t);
      j++;
    } else {
      const c = radd(s.c, t.c);
      if (!risZero(c)) out.push({ c, factors: s.factors, key: s.key });
      i++;
      j++;
    }
  }
  return fromSorted(out);
}

/**
 * Products of one expression by integers, remembered: dims are immutable and canonical, and shape rules
 * multiply the same few expressions (`N`, `N*16`…) by the same sizes for every layer of a model.
 */
const scaled = new WeakMap<Expr, Map<number, Dim>>();

function scale(a: Dim, c: Rat): Dim {
  if (typeof a === 'number' && risInt(c)) return a * c.n;
  if (risZero(c)) return 0;
  if (typeof a !== 'number' && risInt(c)) {
    let m = scaled.get(a);
    if (!m) scaled.set(a, (m = new Map()));
    let r = m.get(c.n);
    if (r === undefined) m.set(c.n, (r = scaleTerms(a, c)));
    return r;
  }
  return scaleTerms(a, c);
}

// A non-zero factor keeps every monomial, distinct and in order.
const scaleTerms = (a: Dim, c: Rat): Dim => fromSorted(termsOf(a).map((t) => ({ c: rmul(t.c, c), factors: t.factors, key: t.key })));

export const neg = (a: Dim): Dim => scale(a, rat(-1));
/** `a / d` as an exact fraction (possibly not an integer: callers floor or ceil it). */
export const divBy = (a: Dim, d: number): Dim => scale(a, rat(1, d));
export const sub = (a: Dim, b: Dim): Dim => (typeof a === 'number' && typeof b === 'number' ? a - b : add(a, neg(b)));

function mulFactors(x: readonly Factor[], y: readonly Factor[]): Factor[] {
  const m = new Map<string, Factor>();
  for (const f of [...x, ...y]) {
    const p = m.get(f.atom.key);
    m.set(f.atom.key, p ? { atom: f.atom, exp: p.exp + f.exp } : f);
  }
  return [...m.values()].sort((a, b) => (a.atom.key < b.atom.key ? -1 : 1));
}

export function mul(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (typeof a === 'number') return scale(b, rat(a));
  if (typeof b === 'number') return scale(a, rat(b));
  const m = new Map<string, Term>();
  for (const s of a.terms)
    for (const t of b.terms) {
      const factors = mulFactors(s.factors, t.factors);
      accumulate(m, { c: rmul(s.c, t.c), factors, key: monoKey(factors) });
    }
  return makeExpr(m);
}

/** The largest modulus every value of the monomial is known to be divisible by. */
function monoModulus(fs: readonly Factor[], facts: DimFacts): number {
  let m = 1;
  for (const f of fs) if (f.atom.kind === 'sym') m *= (facts.get(f.atom.name) ?? 1) ** f.exp;
  return m;
}

/** True when the term is an integer for every valid assignment of its symbols. */
function termIsInteger(t: Term, facts: DimFacts): boolean {
  return risInt(t.c) || monoModulus(t.factors, facts) % t.c.d === 0;
}

/** `floor(a / d)` for a positive integer `d`, simplified with the known facts. */
export function floorDiv(a: Dim, d: number, facts: DimFacts = NO_FACTS): Dim {
  if (typeof a === 'number') return Math.floor(a / d);
  if (d === 1 && a.terms.every((t) => termIsInteger(t, facts))) return a;
  // Rational coefficients (from `/`): floor(P/d) == floor(L*P/(L*d)) with L the denominators' lcm.
  const L = a.terms.filter((t) => !termIsInteger(t, facts)).reduce((l, t) => (l * t.c.d) / gcd(l, t.c.d), 1);
  if (L > 1) return floorDiv(scale(a, rat(L)), d * L, facts);
  // floor((floor(q/e) + r)/d) == floor((q + e*r)/(e*d)) for integer r: flatten nested floors.
  const floors = a.terms.filter((t) => t.factors.length === 1 && t.factors[0]!.atom.kind === 'floor' && t.factors[0]!.exp === 1);
  if (floors.length === 1 && floors[0]!.c.n === 1 && floors[0]!.c.d === 1) {
    const fa = floors[0]!.factors[0]!.atom as FloorAtom;
    const rest = a.terms.filter((t) => t !== floors[0]);
    if (rest.every((t) => risInt(t.c))) {
      const m = new Map<string, Term>();
      for (const t of rest) accumulate(m, t);
      return floorDiv(add(fa.num, scale(makeExpr(m), rat(fa.den))), fa.den * d, facts);
    }
  }
  // Split into a part that divides exactly and a remainder with coefficients reduced into [0, d).
  const exact = new Map<string, Term>();
  const rest = new Map<string, Term>();
  for (const t of a.terms) {
    const q = rmul(t.c, rat(1, d));
    if (termIsInteger({ ...t, c: q }, facts)) {
      accumulate(exact, { ...t, c: q });
    } else if (risInt(t.c)) {
      // Constants reduce into [0, d); other coefficients truncate toward zero so that
      // ceil(H/2) stays -floor(-H/2) (printed as ceil) rather than H - floor(H/2).
      const r = t.key === '' ? ((t.c.n % d) + d) % d : t.c.n % d;
      accumulate(exact, { ...t, c: rat((t.c.n - r) / d) });
      if (r !== 0) accumulate(rest, { ...t, c: rat(r) });
    } else {
      accumulate(rest, t);
    }
  }
  const restTerms = [...rest.values()];
  let out = makeExpr(exact);
  if (restTerms.length === 0) return out;
  if (restTerms.every((t) => t.key === '')) return add(out, Math.floor(restTerms.reduce((s, t) => s + t.c.n / t.c.d, 0) / d));
  let den = d;
  if (restTerms.every((t) => risInt(t.c))) {
    const g = restTerms.reduce((g, t) => gcd(g, t.c.n), den);
    if (g > 1) {
      den /= g;
      for (const [k, t] of rest) rest.set(k, { ...t, c: rat(t.c.n / g) });
    }
  }
  const num = makeExpr(rest);
  if (den === 1) return add(out, num);
  // One form per value: floor(-P/d) is written -floor((P + d - 1)/d), so the leading coefficient is positive.
  const lead = typeof num === 'number' ? undefined : num.terms.find((t) => t.key !== '');
  if (lead && lead.c.n < 0 && restTerms.every((t) => risInt(t.c))) return sub(out, floorDiv(add(neg(num), den - 1), den, facts));
  const numKey = typeof num === 'number' ? String(num) : num.key;
  const atom: FloorAtom = { kind: 'floor', num: num as Expr, den, key: `~floor(${numKey})/${den}` };
  const factors = [{ atom, exp: 1 }];
  out = add(out, makeExpr(new Map([[monoKey(factors), { c: ONE, factors, key: monoKey(factors) }]])));
  return out;
}

/** `ceil(a / d)` for a positive integer `d`. */
/**
 * `ceil(a / d)` for a positive integer `d`, as `floor((a + d - 1)/d)` so that it shares one canonical form
 * with the floors users write (`ceil(H/2)` and `floor((H + 1)/2)` are the same dim).
 */
export function ceilDiv(a: Dim, d: number, facts: DimFacts = NO_FACTS): Dim {
  if (typeof a === 'number') return Math.ceil(a / d);
  const L = a.terms.filter((t) => !termIsInteger(t, facts)).reduce((l, t) => (l * t.c.d) / gcd(l, t.c.d), 1);
  return floorDiv(add(scale(a, rat(L)), d * L - 1), d * L, facts);
}

/** Whether a dim is an integer for every valid assignment (false for `H/2` without a fact `H % 2 == 0`). */
export const isIntegral = (a: Dim, facts: DimFacts = NO_FACTS): boolean => typeof a === 'number' ? Number.isInteger(a) : a.terms.every((t) => termIsInteger(t, facts));

/** `a mod d` for a positive integer `d` (result in `[0, d)`). */
export const mod = (a: Dim, d: number, facts: DimFacts = NO_FACTS): Dim => sub(a, mul(d, floorDiv(a, d, facts)));

/**
 * Exact division `a / b`, or undefined when it cannot be shown to be an integer
 * (a constant divisor, or a single-monomial divisor that divides every term).
 */
export function exactDiv(a: Dim, b: Dim, facts: DimFacts = NO_FACTS): Dim | undefined {
  if (typeof b === 'number') {
    if (b === 0) return undefined;
    if (typeof a === 'number') return a % b === 0 ? a / b : undefined;
    const q = scale(a, rat(1, b));
    return termsOf(q).every((t) => termIsInteger(t, facts)) ? q : undefined;
  }
  if (b.terms.length !== 1) return sameKey(a, b) ? 1 : undefined;
  const bt = b.terms[0]!;
  const m = new Map<string, Term>();
  for (const t of termsOf(a)) {
    const fs = new Map(t.factors.map((f) => [f.atom.key, f] as const));
    for (const f of bt.factors) {
      const have = fs.get(f.atom.key);
      if (!have || have.exp < f.exp) return undefined;
      if (have.exp === f.exp) fs.delete(f.atom.key);
      else fs.set(f.atom.key, { atom: f.atom, exp: have.exp - f.exp });
    }
    const factors = [...fs.values()].sort((x, y) => (x.atom.key < y.atom.key ? -1 : 1));
    const nt: Term = { c: rmul(t.c, rat(bt.c.d, bt.c.n)), factors, key: monoKey(factors) };
    if (!termIsInteger(nt, facts)) return undefined;
    accumulate(m, nt);
  }
  return makeExpr(m);
}

function sameKey(a: Dim, b: Dim): boolean {
  return typeof a === 'number' || typeof b === 'number' ? a === b : a.key === b.key;
}

/**
 * Whether two dims are provably equal, provably different, or undecidable without more facts. In one
 * symbol, sums of floors are decided exactly (`floor(H/2) == H` holds for no size; see one-symbol.ts).
 */
export function compareDims(a: Dim, b: Dim, facts: DimFacts = NO_FACTS): 'equal' | 'different' | 'unknown' {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 'equal' : 'different';
  if (typeof a !== 'number' && typeof b !== 'number' && a.key === b.key) return 'equal';
  const d = sub(a, b);
  if (typeof d === 'number') return d === 0 ? 'equal' : 'different';
  const sign = signOf(d, facts);
  if (sign === 'positive' || sign === 'negative') return 'different';
  const z = oneSymbolZeros(d, facts);
  return z?.kind === 'none' ? 'different' : z?.kind === 'all' ? 'equal' : 'unknown';
}

/** The zeros of a dim in exactly one symbol (undefined for several symbols or a form it does not solve). */
export function oneSymbolZeros(d: Dim, facts: DimFacts = NO_FACTS): Zeros | undefined {
  const syms = symbolsOf(d);
  return syms.size === 1 ? zerosOf(d, [...syms][0]!, facts) : undefined;
}

/** For a warning that assumes `a == b`: where it actually holds, when that is known (`it holds only for H = 1, 2`). */
export function equalityCondition(a: Dim, b: Dim, facts: DimFacts = NO_FACTS): string | undefined {
  const z = oneSymbolZeros(sub(a, b), facts);
  return z && describeZeros(z);
}

/**
 * The sign of a dim that holds for every valid assignment (symbols are sizes, ≥ 1, multiples of m under
 * `where H % m == 0`), by a cheap bound (see sign.ts): sound, not complete, and fast enough for shape
 * rules. `H - 1` is `nonnegative`; `H - 2` and `floor(H/2) - 1` are `unknown` (they are negative for H = 1).
 * What it leaves unknown, `possibleSigns` and `decideRelation` (order.ts) decide exactly in one symbol.
 */
export function signOf(a: Dim, facts: DimFacts = NO_FACTS): Sign {
  if (typeof a === 'number') return a > 0 ? 'positive' : a < 0 ? 'negative' : 'zero';
  return cheapSign(a, facts);
}

/** The symbol names a dim mentions. */
export function symbolsOf(a: Dim, out = new Set<string>()): Set<string> {
  if (typeof a === 'number') return out;
  for (const t of a.terms)
    for (const f of t.factors) {
      if (f.atom.kind === 'sym') out.add(f.atom.name);
      else symbolsOf(f.atom.num, out);
    }
  return out;
}

/** Replaces known symbols by values (numbers or other dims) and re-simplifies. */
export function substitute(a: Dim, env: ReadonlyMap<string, Dim>, facts: DimFacts = NO_FACTS): Dim {
  if (typeof a === 'number') return a;
  let acc: Dim = 0;
  for (const t of a.terms) {
    let v: Dim = t.c.d === 1 ? t.c.n : { kind: 'expr', terms: [{ c: t.c, factors: [], key: '' }], key: `${t.c.n}/${t.c.d}:` };
    for (const f of t.factors) {
      const base: Dim = f.atom.kind === 'sym' ? (env.get(f.atom.name) ?? sym(f.atom.name)) : floorDiv(substitute(f.atom.num, env, facts), f.atom.den, facts);
      for (let i = 0; i < f.exp; i++) v = mul(v, base);
    }
    acc = add(acc, v);
  }
  return acc;
}

/** Numeric value of a dim under a full assignment, or undefined if some symbol is unbound. */
export function evaluate(a: Dim, env: ReadonlyMap<string, number>): number | undefined {
  if (typeof a === 'number') return a;
  // Walks the terms without building expressions: this runs for every tensor in memory analysis.
  let acc = 0;
  for (const t of a.terms) {
    let v = t.c.n / t.c.d;
    for (const f of t.factors) {
      const base = f.atom.kind === 'sym' ? env.get(f.atom.name) : floorOf(f.atom, env);
      if (base === undefined) return undefined;
      v *= base ** f.exp;
    }
    acc += v;
  }
  return Math.abs(acc - Math.round(acc)) < 1e-9 ? Math.round(acc) : acc;
}

function floorOf(atom: FloorAtom, env: ReadonlyMap<string, number>): number | undefined {
  const n = evaluate(atom.num, env);
  return n === undefined ? undefined : Math.floor(n / atom.den + 1e-12);
}

function fmtRat(c: Rat): string {
  return c.d === 1 ? String(c.n) : `${c.n}/${c.d}`;
}

function fmtAtom(a: Atom): string {
  if (a.kind === 'sym') return a.name;
  const inner = formatDim(a.num);
  const wrapped = a.num.terms.length > 1 ? `(${inner})` : inner;
  return `floor(${wrapped}/${a.den})`;
}

/** Human form: `floor((H - 1)/2) + 1`, `C*H*W`, `H/2`. Negated floors print as `ceil`. */
export function formatDim(a: Dim): string {
  if (typeof a === 'number') return String(a);
  const parts: { neg: boolean; text: string }[] = [];
  const ordered = [...a.terms.filter((t) => t.key !== ''), ...a.terms.filter((t) => t.key === '')];
  for (const t of ordered) {
    let c = t.c;
    let text: string;
    const only = t.factors.length === 1 ? t.factors[0]! : undefined;
    // -floor(-x/d) is ceil(x/d): print it the way users write it.
    if (only && only.exp === 1 && only.atom.kind === 'floor' && c.n < 0) {
      const negNum = neg(only.atom.num);
      const lead = typeof negNum === 'number' ? negNum > 0 : negNum.terms.some((x) => x.key !== '' && x.c.n > 0);
      if (lead) {
        const inner = formatDim(negNum);
        const wrapped = typeof negNum !== 'number' && negNum.terms.length > 1 ? `(${inner})` : inner;
        c = rneg(c);
        const mag = c.n === 1 && c.d === 1 ? '' : `${fmtRat(c)}*`;
        parts.push({ neg: false, text: `${mag}ceil(${wrapped}/${only.atom.den})` });
        continue;
      }
    }
    const negT = c.n < 0;
    const mag = negT ? rneg(c) : c;
    const mono = t.factors.map((f) => (f.exp === 1 ? fmtAtom(f.atom) : `${fmtAtom(f.atom)}^${f.exp}`)).join('*');
    if (!mono) text = fmtRat(mag);
    else if (mag.n === 1 && mag.d === 1) text = mono;
    else if (mag.n === 1) text = `${mono}/${mag.d}`;
    else if (mag.d === 1) text = `${mag.n}*${mono}`;
    else text = `${mag.n}*${mono}/${mag.d}`;
    parts.push({ neg: negT, text });
  }
  return parts.map((p, i) => (i === 0 ? (p.neg ? `-${p.text}` : p.text) : p.neg ? ` - ${p.text}` : ` + ${p.text}`)).join('');
}

/** JSON form of a dim: a number, or the formatted expression string. */
export const dimToJson = (a: Dim): number | string => (typeof a === 'number' ? a : formatDim(a));
