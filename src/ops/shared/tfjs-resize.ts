/**
 * TensorFlow.js lowering of `upsample` with PyTorch's `F.interpolate` coordinates, separable per spatial axis on the
 * channels-last value: nearest modes gather rows (GatherV2 with the source index of every output row), the
 * interpolating modes multiply by a constant `out × in` matrix of tap weights (linear: 2 taps, bicubic: 4 with
 * A = −0.75 and clamped borders). tfjs's own resize kernels follow TF's coordinate rules, which differ at borders.
 */
import type { TfjsLowerContext } from '../tfjs-types.js';
import { alongAxis, int32 } from './tfjs.js';

const A = -0.75;
const cubic1 = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
const cubic2 = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;

/** Source coordinate of output index `j`: `scale` is in/out (or 1/scale_factor), as PyTorch computes it. */
function source(j: number, n: number, o: number, scale: number, alignCorners: boolean, clampNegative: boolean): number {
  if (alignCorners) return o > 1 ? (j * (n - 1)) / (o - 1) : 0;
  const s = (j + 0.5) * scale - 0.5;
  return clampNegative ? Math.max(s, 0) : s;
}

/** Interpolation matrix `o × n` for one axis. */
function matrix(mode: string, n: number, o: number, scale: number, alignCorners: boolean): Float32Array {
  const m = new Float32Array(o * n);
  const at = (j: number, i: number, w: number) => (m[j * n + Math.min(Math.max(i, 0), n - 1)]! += w);
  for (let j = 0; j < o; j++) {
    if (mode === 'bicubic') {
      const s = source(j, n, o, scale, alignCorners, false);
      const i = Math.floor(s);
      const t = s - i;
      [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)].forEach((w, q) => at(j, i - 1 + q, w));
    } else {
      const s = source(j, n, o, scale, alignCorners, true);
      const i = Math.min(Math.floor(s), n - 1);
      const l = s - i;
      at(j, i, 1 - l);
      at(j, Math.min(i + 1, n - 1), l);
    }
  }
  return m;
}

/** `upsample` on a channels-last value. */
export function resize(ctx: TfjsLowerContext): void {
  const mode = ctx.attrs.mode as string;
  const align = ctx.attrs.align_corners === true;
  const shape = ctx.inputTypes[0]!.shape;
  const out = ctx.outputTypes[0]!.shape.slice(2);
  const rank = out.length;
  const f = ctx.attrs.scale_factor;
  const factors = f === null || f === undefined ? undefined : ((Array.isArray(f) ? (f.length === 1 ? Array(rank).fill(f[0]) : f) : Array(rank).fill(f)) as number[]);
  let phys = [shape[0]!, ...shape.slice(2), shape[1]!];
  let y = ctx.input(0, 'nhwc');
  for (let i = 0; i < rank; i++) {
    const [n, o, ax] = [shape[i + 2]!, out[i]!, i + 1];
    // PyTorch maps with 1/scale_factor when a factor is given, in/out otherwise (float32, as its kernels do).
    const scale = Math.fround(factors ? 1 / factors[i]! : n / o);
    if (mode === 'nearest' || mode === 'nearest-exact') {
      const idx = Array.from({ length: o }, (_, j) => Math.min(Math.floor(Math.fround((mode === 'nearest' ? j : j + 0.5) * scale)), n - 1));
      if (o === n && idx.every((v, j) => v === j)) continue;
      y = ctx.node('GatherV2', [y, int32(ctx, 'indices', idx), int32(ctx, 'axis', [ax], [])]);
    } else {
      const m = matrix(mode, n, o, scale, align);
      if (o === n && m.every((v, k) => v === (Math.floor(k / n) === k % n ? 1 : 0))) continue;
      y = alongAxis(ctx, y, phys, ax, m, o, 'interpolation');
    }
    phys = phys.map((v, j) => (j === ax ? o : v));
  }
  ctx.output(0, y, 'nhwc');
}
