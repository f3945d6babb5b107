/** AST comparison modulo source positions (and doc comments), for the formatter's safety check and tests. */
import type { Decl } from './ast.js';

const POSITION_KEYS = new Set(['range', 'opRange', 'moduleRange', 'start', 'end', 'doc']);

/** The AST as plain data without positions: two texts that mean the same program give equal values. */
export function stripPositions(value: unknown): unknown {
  // Iterative copy: expressions may nest 200 levels and more.
  const root: { v?: unknown } = {};
  const stack: [unknown, Record<string, unknown> | unknown[], string | number][] = [[value, root as Record<string, unknown>, 'v']];
  while (stack.length) {
    const [v, parent, key] = stack.pop()!;
    let copy: unknown = v;
    if (Array.isArray(v)) {
      const arr: unknown[] = new Array(v.length);
      v.forEach((x, i) => stack.push([x, arr, i]));
      copy = arr;
    } else if (v && typeof v === 'object') {
      const obj: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!POSITION_KEYS.has(k)) stack.push([x, obj, k]);
      copy = obj;
    }
    (parent as Record<string | number, unknown>)[key] = copy;
  }
  return root.v;
}

/** Whether two declaration lists are the same program (positions and doc comments aside). */
export function astEqual(a: readonly Decl[], b: readonly Decl[]): boolean {
  return canonical(stripPositions(a)) === canonical(stripPositions(b));
}

/** A canonical string of plain data (sorted keys), built without recursion. */
function canonical(v: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [v];
  const MARK = Symbol('text');
  while (stack.length) {
    const x = stack.pop();
    if (x && typeof x === 'object' && (x as { [MARK]?: string })[MARK] !== undefined) {
      out.push((x as { [MARK]: string })[MARK]);
      continue;
    }
    if (Array.isArray(x)) {
      const parts: unknown[] = [{ [MARK]: '[' }];
      x.forEach((y, i) => parts.push(...(i ? [{ [MARK]: ',' }] : []), y));
      parts.push({ [MARK]: ']' });
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else if (x && typeof x === 'object') {
      const keys = Object.keys(x).sort();
      const parts: unknown[] = [{ [MARK]: '{' }];
      keys.forEach((k, i) => parts.push({ [MARK]: `${i ? ',' : ''}${JSON.stringify(k)}:` }, (x as Record<string, unknown>)[k]));
      parts.push({ [MARK]: '}' });
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else out.push(x === undefined ? 'undefined' : typeof x === 'number' && Object.is(x, -0) ? '-0' : JSON.stringify(x));
  }
  return out.join('');
}
