import { referenceBackend } from '../kernels/reference/backend.js';
import { fail } from '../tensor/errors.js';
import { finiteInRange, integerInRange } from '../tensor/options.js';
import { defineMapping, type MappingSpec } from './defineMapping.js';

export interface ClippedSoftmaxOptions {
  /** Stretch ζ ≥ 1 (the upper end of the stretched range). Default 1 (the paper's choice in practice). */
  zeta?: number;
  /** Stretch γ ≤ 0 (the lower end). Default −alpha/T. Give either `gamma` or `alpha`, not both. */
  gamma?: number;
  /** α ≥ 0 of the rule γ = −α/T. Default 4 (the top of Bondarenko et al.'s recommended range [2, 4]). */
  alpha?: number;
  /** T of the rule γ = −α/T (the sequence length the rule is stated for). Default: the row length n. */
  length?: number;
}

interface ClippedParams {
  zeta: number;
  /** γ per row length (fixed when `gamma` or `length` is given). */
  gamma: (n: number) => number;
}

const spec: MappingSpec<ClippedParams> = {
  name: 'clippedSoftmax',
  params(o) {
    const zeta = finiteInRange(o.zeta, 'zeta', 1, Number.MAX_VALUE, 1);
    if (o.gamma !== undefined && o.alpha !== undefined) {
      fail('E_PARAM', 'gamma', 'either gamma or alpha (γ = −α/T), not both', o.gamma);
    }
    if (o.gamma !== undefined) {
      const g = finiteInRange(o.gamma, 'gamma', -Number.MAX_VALUE, 0, 0);
      return { zeta, gamma: () => g };
    }
    const alpha = finiteInRange(o.alpha, 'alpha', 0, Number.MAX_VALUE, 4);
    const length = o.length === undefined ? undefined : integerInRange(o.length, 'length', 1, Number.MAX_SAFE_INTEGER);
    return { zeta, gamma: (n) => ((length ?? n) > 0 ? -alpha / (length ?? n) : 0) };
  },
  forward(z, y, { n, params }) {
    if (n === 0) return;
    const gamma = params.gamma(n);
    const c = params.zeta - gamma;
    referenceBackend.softmaxRows(z, y, 1, n, 1, 'three-pass');
    // clip((ζ − γ)·p + γ, 0, 1); NaN (fully masked, +∞, NaN rows) passes through Math.min/max.
    for (let i = 0; i < n; i++) y[i] = Math.min(1, Math.max(0, c * y[i] + gamma));
  },
  vjp(_y, dy, dz, z, { n, params }) {
    if (n === 0) return;
    const gamma = params.gamma(n);
    const c = params.zeta - gamma;
    const p = dz; // softmax(z) first, then overwritten by the gradient
    referenceBackend.softmaxRows(z!, p, 1, n, 1, 'three-pass');
    // g = c·dy where the pre-clip value is inside [0, 1], else 0; dz = p ⊙ (g − ⟨g, p⟩).
    let dot = 0;
    for (let i = 0; i < n; i++) {
      const v = c * p[i] + gamma;
      if (v >= 0 && v <= 1) dot += c * dy[i] * p[i];
    }
    for (let i = 0; i < n; i++) {
      const v = c * p[i] + gamma;
      const g = v >= 0 && v <= 1 ? c * dy[i] : 0;
      dz[i] = p[i] * (g - dot);
    }
  },
  needsX: true,
};

/**
 * Clipped softmax: y = clip((ζ − γ)·softmax(z) + γ, 0, 1), z = x/τ, ζ ≥ 1, γ ≤ 0.
 *
 * Bondarenko, Nagel, Blankevoort, "Quantizable Transformers: Removing Outliers by Helping Attention Heads
 * Do Nothing" (NeurIPS 2023). Stretching the softmax range to [γ, ζ] and clipping makes exact 0 (and,
 * with ζ > 1, exact 1) reachable with finite logits, so a head can do nothing without pushing its logits
 * to extremes. The paper uses ζ = 1 and γ = −α/T with α ∈ [2, 4], T the sequence length; here α
 * defaults to 4 and T to the row length n (pass `length` to fix T, or `gamma` directly). ζ = 1, γ = 0 is
 * plain softmax. Rows sum to 1 only when nothing is clipped.
 *
 * - Special values: −∞ (masked) entries give softmax 0, so γ ≤ 0 and the clip give 0. A fully masked
 *   row, or +∞ / NaN in a row, gives NaN for the row (softmax semantics). Length 1: softmax is 1, so
 *   y = min(1, ζ) = 1. Finite rows never give NaN; ±1e4-scale rows are fine (max-subtracted softmax).
 * - O(n) per row, float64 inside; float32 in gives float32 out.
 *
 * `clippedSoftmax.vjp(y, dy, { x, ...sameOptions })`: the softmax backward of g = (ζ − γ)·dy with g
 * zeroed where the pre-clip value (ζ − γ)·p + γ lies outside [0, 1] (clipped entries pass no gradient;
 * at the boundary it passes). It needs x (softmax p is not recoverable from clipped outputs):
 * dz = p ⊙ (g − ⟨g, p⟩), dx = dz/τ.
 *
 * @example clippedSoftmax([3, 0, -3], { gamma: -0.1 }) // Float64Array [0.94536…, 0, 0] (1.1·softmax − 0.1, clipped)
 */
export const clippedSoftmax = defineMapping<ClippedSoftmaxOptions, ClippedParams>(spec);
