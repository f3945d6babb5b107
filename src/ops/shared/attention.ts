/** What both lowerings of `multihead_attention` read from its attributes and input types. */
import type { AttrValue, TensorType } from '../types.js';

export interface AttentionGeometry {
  /** Embedding size E, heads, and per-head size d = E / heads. */
  readonly E: number;
  readonly heads: number;
  readonly d: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  /** Index of the input that holds query (0), key (1) and value (2): key/value default to the one before. */
  readonly at: (i: number) => number;
  /** Feature sizes of key and value. */
  readonly kd: number;
  readonly vd: number;
  /** PyTorch packs the projections as in_proj_weight [3E, E] when key and value have E features; else q/k/v_proj_weight. */
  readonly packed: boolean;
}

export function attentionGeometry(attrs: Readonly<Record<string, AttrValue>>, types: readonly TensorType[]): AttentionGeometry {
  const E = attrs.embed_dim as number;
  const heads = attrs.num_heads as number;
  const at = (i: number) => Math.min(i, types.length - 1);
  const kd = types[at(1)]!.shape[2] as number;
  const vd = types[at(2)]!.shape[2] as number;
  return { E, heads, d: E / heads, bias: attrs.bias as boolean, batchFirst: attrs.batch_first as boolean, at, kd, vd, packed: kd === E && vd === E };
}
