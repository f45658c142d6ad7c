/**
 * Option and result types of `attention` and `attention.vjp` (see attention.ts for the semantics).
 */
import type { Normalizer } from '../normalizers/registry.js';
import type { FloatArray, MaskInput, TensorLike } from '../tensor/types.js';

/**
 * A mask broadcastable (right-aligned, NumPy rules) to `[batch, qHeads, Lq, Lk]`:
 * - boolean: `{ data: Uint8Array | boolean[] | number[], dims }` or a bare array (dims `[length]`),
 *   1/true = keep;
 * - additive: `{ data: Float32Array | Float64Array, dims }` (or a bare float array, dims `[length]`) of
 *   q's float type, added to the scaled scores; −Infinity = masked, finite values are biases.
 */
export type AttentionMask = MaskInput | FloatArray | { data: FloatArray; dims: readonly number[] };

/** The score maps only attention has (no row normalisation, or their own). */
export type AttentionScoreMapName = 'sigmoid' | 'relu' | 'softplus';

/** Options of the `'sigmoid'` score map: A = sigmoid(s + bias). */
export interface SigmoidAttentionOptions {
  /** Additive bias b. Default −ln Lk (Ramapuram et al. 2024); 0 when Lk = 0. */
  bias?: number;
}

/** Options of the `'softplus'` score map (LSSA / LSSAR, Gao & Spratling 2025). */
export interface SoftplusAttentionOptions {
  /** Multiply the scores by λ = ln n (n = kept keys of the row, or `length`). Default true. */
  lengthScale?: boolean;
  /** Fix n of λ = ln n instead of counting the row's kept keys. */
  length?: number;
  /** Re-weighting power p ≥ 1: A ∝ softplus(λ·s)^p. Default 1 (no re-weighting). */
  power?: number;
}

/**
 * Per-query temperature τ (selective attention): scores are divided by it. Either learned values
 * `{ data, dims: [batch, qHeads, Lq] }` (or a bare float array of that many entries, C order) of q's
 * float type, or a function of (q head index, query row index i in [0, Lq), the query vector) — the
 * function's result is a constant to the backward pass, and it must not mutate `qRow`.
 */
export type AttentionTemperature =
  | TensorLike
  | FloatArray
  | ((qHeadIndex: number, queryPosition: number, qRow: FloatArray) => number);

/**
 * Output gate: head h's output is multiplied by sigmoid(G). `x` is `[batch, Lq, dModel]` (the layer
 * input at each query position), all arrays in q's float type.
 * - `'input'` (Bondarenko et al. 2023): x is split into qHeads chunks of dModel/qHeads; G_h = x_h·w_h + b_h,
 *   `weight` `[qHeads, dModel/qHeads]`, `bias` `[qHeads]`. One gate per (token, head).
 * - `'query'` (Qiu et al. 2025, "Gated Attention for LLMs"): G = x·W + b with `weight` `[dModel, qHeads]`
 *   (headwise: one gate per token and head, `bias` `[qHeads]`) or `[dModel, qHeads·dv]` (elementwise:
 *   channel h·dv + c gates output channel c of head h, `bias` `[qHeads·dv]`).
 */
export interface AttentionGate {
  x: TensorLike;
  weight: TensorLike;
  /** Optional; zero when omitted. */
  bias?: TensorLike | FloatArray;
  mode: 'input' | 'query';
}

/** Options of `attention` (and `attention.vjp`, which takes the same ones). */
export interface AttentionOptions {
  /** Score scale. Default 1/√headDim (1 when headDim = 0). Any finite number. */
  scale?: number;
  /** Causal mask, bottom-right aligned: query i sees keys j ≤ i + Lk − Lq. Default false. */
  causal?: boolean;
  /** Boolean (1 = keep) or additive mask, broadcastable to `[batch, qHeads, Lq, Lk]`. */
  mask?: AttentionMask;
  /**
   * The score normaliser: `'softmax'` (default, flash path), a score map (`'sigmoid'`, `'relu'`,
   * `'softplus'`), any registry name (`'sparsemax'`, `'entmax'`, `'clippedSoftmax'`,
   * `'scalableSoftmax'`, `'softpick'`, …) or a `Normalizer` object.
   */
  normalizer?: AttentionScoreMapName | string | Normalizer;
  /**
   * Options of the normaliser or score map, e.g. `{ alpha: 1.5 }` for entmax, `{ gamma }` / `{ alpha }`
   * for clippedSoftmax (γ = −α/Lk), `{ s }` for scalableSoftmax, `{ bias }` for sigmoid,
   * `{ power, lengthScale, length }` for softplus. Not for softmax.
   */
  normalizerOptions?: Record<string, unknown> | SigmoidAttentionOptions | SoftplusAttentionOptions;
  /** Per-query temperature (selective attention). */
  temperature?: AttentionTemperature;
  /** Output gate (gated attention). */
  gate?: AttentionGate;
  /** Also return the attention weights `[batch, qHeads, Lq, Lk]` (materialises them). Default false. */
  returnWeights?: boolean;
  /** Write the output here (q's float type, batch·qHeads·Lq·dv entries; must not overlap an input). */
  out?: FloatArray | TensorLike;
}

/** A result tensor in the inputs' float type. */
export interface AttentionTensor<T extends FloatArray = FloatArray> {
  data: T;
  dims: number[];
}

/** The output `[batch, qHeads, Lq, dv]`, plus the weights when `returnWeights` is set. */
export interface AttentionResult<T extends FloatArray = FloatArray> extends AttentionTensor<T> {
  weights?: AttentionTensor<T>;
}

/** Gradients of the gate's parameters and input. */
export interface AttentionGateGradients<T extends FloatArray = FloatArray> {
  weight: AttentionTensor<T>;
  /** Present when the gate has a bias. */
  bias?: AttentionTensor<T>;
  x: AttentionTensor<T>;
}

/** What `attention.vjp` returns. */
export interface AttentionGradients<T extends FloatArray = FloatArray> {
  dq: AttentionTensor<T>;
  dk: AttentionTensor<T>;
  dv: AttentionTensor<T>;
  /** ∂/∂τ `[batch, qHeads, Lq]`, when `temperature` is an array. */
  dTemperature?: AttentionTensor<T>;
  /** When `gate` is given. */
  dGate?: AttentionGateGradients<T>;
}
