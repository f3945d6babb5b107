/** Builtin functions and analysis names usable in expressions and assertions. */
import { type Dim, type DimFacts, add, ceilDiv, floorDiv, formatDim, mul, neg, sub } from '../symbolic/dim.js';
import { possibleSigns, relationCondition } from '../symbolic/order.js';
import { DeferSignal, LIMITS, type State } from './state.js';
import { ERR, type Value, asDim, fromDim, kindName, num, show } from './values.js';

export interface BuiltinInfo {
  readonly doc: string;
  /** A whole-model total (deferred until analysis) rather than a function. */
  readonly value?: boolean;
}

export const BUILTINS: ReadonlyMap<string, BuiltinInfo> = new Map<string, BuiltinInfo>([
  ['params', { value: true, doc: 'Total parameters of the model (shared weights counted once).' }],
  ['trainable_params', { value: true, doc: 'Trainable parameters.' }],
  ['non_trainable_params', { value: true, doc: 'Non-trainable parameters (BatchNorm running statistics, frozen layers).' }],
  ['macs', { value: true, doc: 'Total multiply-accumulates of one forward pass.' }],
  ['flops', { value: true, doc: 'Total floating-point operations of one forward pass.' }],
  ['weight_bytes', { value: true, doc: 'Bytes of all weights.' }],
  ['peak_activation_bytes', { value: true, doc: 'Peak bytes of live activations at inference.' }],
  ['rf', { doc: 'rf(t): receptive-field size of tensor t per spatial axis (a list; compared with a number, every axis must satisfy it).' }],
  ['jump', { doc: 'jump(t): cumulative stride of tensor t per spatial axis.' }],
  ['rf_start', { doc: 'rf_start(t): centre of the first output position’s field, in input pixels (pixel 0 is centred at 0.5).' }],
  ['len', { doc: 'len(list): number of items.' }],
  ['min', { doc: 'min(a, b, …) or min(list).' }],
  ['max', { doc: 'max(a, b, …) or max(list).' }],
  ['sum', { doc: 'sum(list).' }],
  ['prod', { doc: 'prod(list): product, e.g. of a shape.' }],
  ['floor', { doc: 'floor(x).' }],
  ['ceil', { doc: 'ceil(x), or ceil(a / b) for a symbolic a and an int b.' }],
  ['abs', { doc: 'abs(x).' }],
  ['int', { doc: 'int(x): truncates a number.' }],
  ['float', { doc: 'float(x).' }],
  ['str', { doc: 'str(x): text of a value, e.g. to build layer names: name="layer" + str(i).' }],
]);

/** Calls a builtin function; returns a string on a usage error. */
/** The builtins on numbers share names with tensor reductions: what to write for tensors instead. */
const TENSOR_HINT: Readonly<Record<string, string>> = {
  sum: ' (the builtin on numbers and lists; tensors: add(a, b) elementwise, reduce_sum(axes=[…]) over axes)',
  prod: ' (the builtin on numbers and lists; tensors: mul(a, b) elementwise)',
  max: ' (the builtin on numbers and lists; tensors: reduce_max(axes=[…]), alias amax)',
  min: ' (the builtin on numbers and lists; tensors: no reduce_min layer yet)',
};

/** Why min/max cannot choose between two sizes, and where one wins when that is known. */
function unordered(name: string, a: Dim, b: Dim, facts: DimFacts): string {
  const rel = name === 'min' ? '<=' : '>=';
  const cond = relationCondition(b, rel, a, facts);
  const where = cond ? ` (${formatDim(b)} ${rel} ${formatDim(a)}: ${cond})` : '';
  return `${name}() cannot order ${formatDim(a)} and ${formatDim(b)} for every value of the symbolic dimensions${where}; give concrete sizes (\`--input-shape\`) or a \`where\` constraint`;
}

export function callBuiltin(st: State, name: string, args: readonly Value[]): Value | string {
  if (args.some((a) => a.k === 'error')) return ERR;
  const flat = args.length === 1 && args[0]!.k === 'tuple' ? args[0]!.items : args;
  switch (name) {
    case 'rf':
    case 'jump':
    case 'rf_start': {
      const t = args[0];
      if (args.length !== 1 || t?.k !== 'tensor') return `${name}() takes one tensor`;
      if (!st.analysis) {
        // Receptive fields are known once the whole model is built: only an assertion can wait for that.
        if (st.assertDepth > 0) throw new DeferSignal();
        return `${name}() can be used only in an assert (receptive fields are known once the model is built)`;
      }
      const rf = st.analysis.rf(t.id);
      if (!rf) return `${name}(): this tensor has no spatial receptive field (after flatten, dense or a recurrent layer)`;
      return { k: 'tuple', items: rf.map((a) => num(name === 'rf' ? a.size : name === 'jump' ? a.jump : a.start)) };
    }
    case 'len':
      return args.length === 1 && args[0]!.k === 'tuple' ? num(args[0]!.items.length, true) : 'len() takes one list';
    case 'min':
    case 'max': {
      if (!flat.length) return `${name}() needs values`;
      // The item itself, as in Python: min(2.0, 3) is the float 2.0.
      if (flat.every((v) => v.k === 'num')) return flat.reduce((b, v) => ((name === 'min' ? (v as { v: number }).v < (b as { v: number }).v : (v as { v: number }).v > (b as { v: number }).v) ? v : b));
      let best = asDim(flat[0]!);
      for (const v of flat.slice(1)) {
        const d = asDim(v);
        if (d === undefined || best === undefined) return `${name}() needs numbers${flat.some((x) => x.k === 'tensor') ? `, got a tensor${TENSOR_HINT[name]}` : ''}`;
        // d replaces best where it is never worse; ties (equal for some or all sizes) keep either value.
        const s = possibleSigns(sub(d, best), st.facts);
        const better = name === 'min' ? !s.pos : !s.neg;
        const worse = name === 'min' ? !s.neg : !s.pos;
        if (better && !worse) best = d;
        else if (!worse) return unordered(name, best, d, st.facts);
      }
      return best === undefined ? `${name}() needs numbers${flat.some((x) => x.k === 'tensor') ? `, got a tensor${TENSOR_HINT[name]}` : ''}` : fromDim(best);
    }
    case 'sum':
    case 'prod': {
      let acc: Dim = name === 'sum' ? 0 : 1;
      let int = true;
      for (const v of flat) {
        if (v.k === 'num' && !v.int) int = false;
        const d = v.k === 'num' ? v.v : asDim(v);
        if (d === undefined) return `${name}() needs numbers, got ${kindName(v)}${v.k === 'tensor' ? TENSOR_HINT[name] : ''}`;
        acc = name === 'sum' ? add(acc, d) : mul(acc, d);
      }
      return typeof acc === 'number' ? num(acc, int) : fromDim(acc);
    }
    case 'str': {
      if (args.length !== 1) return 'str() takes one value';
      const text = args[0]!.k === 'str' ? args[0]!.v : show(args[0]!);
      return text.length > LIMITS.maxItems ? `str() would make a string of ${text.length} characters; the limit is ${LIMITS.maxItems}` : { k: 'str', v: text };
    }
    case 'floor':
    case 'ceil':
    case 'abs':
    case 'int':
    case 'float': {
      const v = args[0];
      if (args.length !== 1 || !v) return `${name}() takes one number`;
      if (v.k === 'num') {
        const x = name === 'floor' ? Math.floor(v.v) : name === 'ceil' ? Math.ceil(v.v) : name === 'abs' ? Math.abs(v.v) : name === 'int' ? Math.trunc(v.v) : v.v;
        // floor, ceil and int give ints (as in Python 3); abs keeps the kind.
        return num(x, name === 'abs' ? v.int : name !== 'float');
      }
      if (v.k === 'dim' && (name === 'int' || name === 'floor')) return fromDim(floorDiv(v.v, 1, st.facts));
      if (v.k === 'dim' && name === 'ceil') return fromDim(ceilDiv(v.v, 1, st.facts));
      if (v.k === 'dim' && name === 'abs') {
        const s = possibleSigns(v.v, st.facts);
        if (!s.neg) return v;
        if (!s.pos) return fromDim(neg(v.v));
        const cond = relationCondition(v.v, '>=', 0, st.facts);
        return `abs() cannot tell the sign of ${formatDim(v.v)} for every value of the symbolic dimensions${cond ? ` (${formatDim(v.v)} >= 0: ${cond})` : ''}`;
      }
      return `${name}() takes a number, got ${kindName(v)}`;
    }
  }
  return `unknown builtin ${name}`;
}

