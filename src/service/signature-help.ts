/**
 * Signature help: the signature of the call around the cursor, read from the current text (context.ts),
 * and the parameter the argument at the cursor binds.
 */
import type { OpDef } from '../ops/types.js';
import { BUILTINS } from '../semantics/builtins.js';
import { type CallContext, callContext, lexicalState } from './context.js';
import { attrValue, blockSignature, paramText } from './features.js';
import { blockTensors, calleeOf, tensorArgTest } from './scope-names.js';
import type { Analysis } from './service.js';

export interface SignatureHelp {
  readonly label: string;
  readonly params: readonly { readonly label: string; readonly doc?: string }[];
  /** Index into `params`; undefined where no parameter applies (none, or an unknown keyword). */
  readonly activeParam?: number;
  readonly doc?: string;
}

/**
 * Signature of the call around `offset`. A chain step's tensor inputs come from the arrow, so an op's
 * signature shows only the inputs still to be given (none, mostly) before its attributes; a block's shows
 * every parameter, and the active one counts the piped tensors. Keyword arguments select by name. In a
 * tuple, list or index inside an argument (`conv2d(8, (1, |`), the call's, that argument active; in a
 * builtin's call (`max(8, |`), the builtin's.
 */
export function signatureHelp(a: Analysis | undefined, text: string, offset: number): SignatureHelp | undefined {
  if (lexicalState(text, offset) !== 'code') return undefined;
  const call = callContext(text, offset);
  if (!call || call.header) return undefined;
  const callee = calleeOf(a, call.callee);
  if (!callee) return undefined;
  if ('builtin' in callee) return builtinSignature(callee.builtin, call.argIndex);
  const isTensorArg = tensorArgTest(a, text, call);
  if ('block' in callee) {
    const bd = callee.block;
    const nIn = a ? blockTensors(a, bd).length : 1;
    const params = bd.params.map((x) => ({ label: paramText(x) }));
    const active = activeIndex(call, Math.max(0, nIn - call.piped), isTensorArg, (k) => bd.params.findIndex((x) => x.name.text === k), (n) => call.piped + n, nIn);
    return { label: blockSignature(bd), params, ...(active !== undefined && active < params.length ? { activeParam: active } : {}), ...(bd.doc ? { doc: bd.doc } : {}) };
  }
  const op = callee.op;
  const variadic = op.inputs.some((x) => x.variadic);
  // The tensor inputs still to be given in the parentheses.
  const inputs = variadic ? (call.piped ? [] : op.inputs.slice(0, 1)) : op.inputs.slice(Math.min(call.piped, op.inputs.length));
  const inputLabel = (x: (typeof op.inputs)[number]) => `${x.name}${x.variadic ? '…' : ''}: Tensor`;
  const attrLabel = (x: OpDef['attrs'][number]) => (x.default !== undefined ? `${x.name}=${attrValue(x.default)}` : `${x.name}: ${x.type}`);
  const params = [...inputs.map((x) => ({ label: inputLabel(x) })), ...op.attrs.map((x) => ({ label: attrLabel(x), doc: x.doc }))];
  const label = `${op.name}(${params.map((x) => x.label).join(', ')})`;
  const byName = (k: string) => {
    const i = op.attrs.findIndex((x) => x.name === k || x.aliases?.includes(k));
    return i < 0 ? -1 : inputs.length + i;
  };
  const slots = variadic && inputs.length ? Infinity : inputs.length;
  const active = activeIndex(call, slots, isTensorArg, byName, (n) => (variadic ? 0 : n), inputs.length);
  return { label, params, ...(active !== undefined && active < params.length ? { activeParam: active } : {}), doc: op.doc };
}

/**
 * The parameter the argument at the cursor binds: a keyword by its name; positionally, the leading tensor
 * arguments fill the tensor slots still open (`slots`, after the piped ones) and the rest the parameters
 * from `firstArg` on. `slotIndex` maps the n-th tensor given to its parameter.
 */
function activeIndex(call: CallContext, slots: number, isTensorArg: (s: string, prefix?: boolean) => boolean, byName: (k: string) => number, slotIndex: (n: number) => number, firstArg: number): number | undefined {
  if (call.keyword) {
    const i = byName(call.keyword);
    return i < 0 ? undefined : i;
  }
  const named = call.args.some((x) => /^[A-Za-z_]\w*\s*=(?!=)/.test(x));
  if (named) return undefined; // a positional argument after keyword ones is an error (E0203)
  let k = 0;
  while (k < call.args.length && k < slots && isTensorArg(call.args[k]!)) k++;
  const i = call.args.length;
  if (k === i && k < slots && (isTensorArg(call.current) || call.current.trim() === '' || isTensorArg(call.current, true))) return slotIndex(k);
  return firstArg + (i - k);
}

/**
 * A builtin function's signature, read from its doc (`rf(t): …`, `min(a, b, …) or min(list).`); the last
 * parameter of a variadic one (`…`) stays active past it. None for a whole-model total (not a function).
 */
function builtinSignature(name: string, argIndex: number): SignatureHelp | undefined {
  const info = BUILTINS.get(name);
  const m = info && !info.value ? /^(\w+)\(([^)]*)\)/.exec(info.doc) : undefined;
  if (!info || !m) return undefined;
  const params = m[2]!.split(',').map((x) => ({ label: x.trim() }));
  const variadic = params.at(-1)!.label === '…';
  const active = variadic ? Math.min(argIndex, params.length - 1) : argIndex;
  return { label: m[0], params, ...(active < params.length ? { activeParam: active } : {}), doc: info.doc };
}
