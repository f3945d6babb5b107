/** Iterative walks over expressions: hostile input can nest deeper than the call stack allows. */
import type { Expr } from './ast.js';

/** The direct sub-expressions of `e`, in source order. */
export function exprChildren(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'unary':
      return [e.operand];
    case 'binary':
      return [e.left, e.right];
    case 'range':
      return [e.from, e.to];
    case 'call':
      return [e.callee, ...e.args.map((a) => a.value)];
    case 'index':
      return [e.target, e.index];
    case 'member':
      return [e.target];
    case 'chain':
      return [e.head, ...e.steps];
    case 'tuple':
    case 'list':
      return e.items;
    default:
      return [];
  }
}

/** Height of the expression tree (a leaf is 1), computed without recursion. */
export function exprDepth(root: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length) {
    const [e, d] = stack.pop()!;
    if (d > max) max = d;
    for (const c of exprChildren(e)) stack.push([c, d + 1]);
  }
  return max;
}

/** Every expression in `root`, root included (pre-order not guaranteed). */
export function* exprNodes(root: Expr): Generator<Expr> {
  const stack: Expr[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    yield e;
    for (const c of exprChildren(e)) stack.push(c);
  }
}
