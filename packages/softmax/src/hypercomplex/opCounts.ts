import type { QuaternionAttentionOps, QuaternionAttentionVariant } from './quaternionAttentionTypes.js';

/**
 * Analytic operation counts of one quaternion attention forward pass (Yamauchi, Nitta & Tamori, ICML
 * 2026, §3): every (query, key) pair of every head gets
 *   shared:         Re(q ⊗ k*) = Σ_c q_c·k_c                   → 4 real multiplications per quaternion unit,
 *   component-wise: the four components of q ⊗ k (16 products) → 16 per unit,
 * i.e. scoreMultiplications = batch·heads·Lq·Lk·d_h·(4 | 16) (−75%), and
 * softmaxCalls = batch·heads·(1 | 4) score maps normalised (4 → 1). Pairs are counted densely (masked
 * pairs included, as a dense score computation forms them); the scale is not counted (it folds into
 * the exponent). Validated against the instrumented reference `quaternionAttentionReference`.
 */
export function quaternionAttentionOpCounts(variant: QuaternionAttentionVariant, shape: { batch: number; heads: number; lq: number; lk: number; headUnits: number }): QuaternionAttentionOps {
  const maps = variant === 'shared' ? 1 : 4;
  const perUnit = variant === 'shared' ? 4 : 16;
  return {
    scoreMultiplications: shape.batch * shape.heads * shape.lq * shape.lk * shape.headUnits * perUnit,
    softmaxCalls: shape.batch * shape.heads * maps,
  };
}
