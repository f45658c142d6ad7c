/** Option and result types of `quaternionAttention` (semantics in quaternionAttention.ts). */
import type { AttentionMask } from '../attention/attentionTypes.js';
import type { Normalizer } from '../normalizers/registry.js';
import type { FloatArray } from '../tensor/types.js';

/** `'shared'`: one real score Re(Q ⊗ K*) per pair, one softmax; `'componentwise'`: four maps of Q ⊗ K, four softmaxes. */
export type QuaternionAttentionVariant = 'shared' | 'componentwise';

export interface QuaternionAttentionOptions {
  /** Default `'shared'`. */
  variant?: QuaternionAttentionVariant;
  /** Heads splitting the quaternion units (default 1); must divide dModel/4. */
  heads?: number;
  /** Causal mask, bottom-right aligned as in `attention`. Default false. */
  causal?: boolean;
  /** Boolean (1 = keep) or additive mask broadcastable to `[batch, heads, Lq, Lk]`, as in `attention`. */
  mask?: AttentionMask;
  /** Score scale; default 1/√(4·d_h) (d_h quaternion units per head, i.e. the head's real width). */
  scale?: number;
  /** Any attention normaliser (default `'softmax'`, flash path); used for every score map. */
  normalizer?: string | Normalizer;
  normalizerOptions?: Record<string, unknown>;
  /**
   * Component-wise value aggregation: `'concat'` (default, Tay et al. 2019: O_c = A_c·V_c) or
   * `'hamilton'` (O = A ⊗ V, the Hamilton product of the quaternion weight map with V).
   */
  valueProduct?: 'concat' | 'hamilton';
  /** Component-wise maps of Q ⊗ K* instead of Q ⊗ K (default false: Tay et al.'s unconjugated product). */
  conjugate?: boolean;
  /** Also return analytic operation counts (see `quaternionAttentionOpCounts`). */
  countOps?: boolean;
  /** Also return the attention weights `[batch, heads, maps, Lq, Lk]` (maps = 1 shared, 4 component-wise; materialised). */
  returnWeights?: boolean;
}

/** Operation counts of one forward pass. */
export interface QuaternionAttentionOps {
  /** Real multiplications forming the scores: (query, key) pairs × 4·d_h (shared) or × 16·d_h (component-wise). */
  scoreMultiplications: number;
  /** Score maps normalised: batch × heads × 1 (shared) or × 4 (component-wise). */
  softmaxCalls: number;
}

export interface QuaternionAttentionResult<T extends FloatArray = FloatArray> {
  /** `[batch, Lq, dModel]` in `[r | i | j | k]` blocks, the inputs' float type. */
  output: { data: T; dims: number[] };
  ops?: QuaternionAttentionOps;
  /** With `returnWeights`: A `[batch, heads, maps, Lq, Lk]`, component maps in r, i, j, k order. */
  weights?: { data: T; dims: number[] };
}

export interface QuaternionAttentionGradients<T extends FloatArray = FloatArray> {
  dq: { data: T; dims: number[] };
  dk: { data: T; dims: number[] };
  dv: { data: T; dims: number[] };
}
