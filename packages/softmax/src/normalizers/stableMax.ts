import { defineMapping, type MappingSpec } from './defineMapping.js';

/** S(t) = t + 1 for t ≥ 0, 1/(1 − t) for t < 0; S(−∞) = 0. Positive, increasing, C¹. */
function stable(t: number): number {
  return t >= 0 ? t + 1 : 1 / (1 - t);
}

const spec: MappingSpec<null> = {
  name: 'stableMax',
  params: () => null,
  forward(z, y, { n }) {
    if (n === 0) return;
    let top = 0;
    for (let i = 0; i < n; i++) {
      const v = z[i];
      if (Number.isNaN(v) || v === Infinity) {
        y.fill(NaN, 0, n);
        return;
      }
      y[i] = stable(v);
      if (y[i] > top) top = y[i];
    }
    // A fully masked row has every S = 0: no distribution (0/0), NaN as softmax.
    if (top === 0) {
      y.fill(NaN, 0, n);
      return;
    }
    // Scale by the largest S before summing, so rows near ±MAX_VALUE cannot overflow the sum.
    let d = 0;
    for (let i = 0; i < n; i++) d += y[i] / top;
    for (let i = 0; i < n; i++) y[i] = y[i] / top / d;
  },
  vjp(y, dy, dz, z, { n }) {
    // dz_k = (S′(z_k)/Σ S)·(dy_k − ⟨dy, y⟩) = y_k·r(z_k)·(dy_k − ⟨dy, y⟩), r(t) = S′(t)/S(t) = 1/(1 + |t|).
    let dot = 0;
    for (let i = 0; i < n; i++) if (y[i] !== 0) dot += dy[i] * y[i];
    for (let k = 0; k < n; k++) {
      const v = z![k];
      dz[k] = y[k] === 0 ? 0 : (y[k] / (1 + Math.abs(v))) * (dy[k] - dot);
    }
    if (Number.isNaN(dot)) dz.fill(NaN, 0, n);
  },
  needsX: true,
};

/**
 * StableMax: y_i = S(z_i) / Σ_j S(z_j), S(t) = t + 1 for t ≥ 0 and 1/(1 − t) for t < 0, z = x/τ.
 *
 * Prieto, Barsbey, Mediano, Birdal, "Grokking at the Edge of Numerical Stability" (ICLR 2025). S grows
 * linearly instead of exponentially, so float rounding cannot collapse a row to an exact one-hot
 * ("softmax collapse") at realistic logit scales. S is positive, increasing and C¹ (S(0) = 1,
 * S′(0) = 1 on both sides), so the outputs are on the simplex and order-preserving. Not shift- or
 * scale-invariant: StableMax(z + c) ≠ StableMax(z).
 *
 * - Special values: −∞ (masked) entries give S = 0, so y = 0. A fully masked row gives NaN (0/0, as
 *   softmax); +∞ or NaN anywhere gives NaN for the row. Length 1: y = [1]. Finite rows never give NaN,
 *   up to ±MAX_VALUE (the sum is taken after dividing by the largest S).
 * - O(n) per row, float64 inside; float32 in gives float32 out.
 *
 * `stableMax.vjp(y, dy, { x, ...sameOptions })` needs x (S′/S depends on z, not only on y):
 * dz_k = y_k/(1 + |z_k|)·(dy_k − ⟨dy, y⟩), dx = dz/τ; masked entries get 0.
 *
 * @example stableMax([1, 0, -1]) // S = [2, 1, 0.5] → Float64Array [4/7, 2/7, 1/7]
 */
export const stableMax = defineMapping<object, null>(spec);
