import { fail } from '../../tensor/errors.js';

/** Guards ⌈·⌉ against float noise such as 100·0.93 = 93.00000000000001. */
const CEIL_SLACK = 1e-9;

/** Validates α ∈ (0, 1). */
export function checkAlpha(alpha: unknown): number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0 || alpha >= 1) fail('E_PARAM', 'alpha', 'a number in (0, 1)', alpha);
  return alpha;
}

/** k = ⌈(n + 1)(1 − α)⌉, the order statistic the conformal quantile picks (may exceed n). */
export function conformalRank(n: number, alpha: number): number {
  return Math.ceil((n + 1) * (1 - alpha) - CEIL_SLACK);
}

/** n_α = ⌈(1 − α)/α⌉: the fewest calibration points for which the conformal quantile is finite. */
export function minCalibrationSize(alpha: number): number {
  return Math.ceil((1 - alpha) / alpha - CEIL_SLACK);
}

/**
 * The finite-sample-corrected conformal quantile: q̂ = the ⌈(n + 1)(1 − α)⌉-th smallest of the n scores
 * (the "inverted CDF" empirical quantile at level ⌈(n + 1)(1 − α)⌉/n), or +∞ when that rank exceeds n
 * (including n = 0). Then P(s_{n+1} ≤ q̂) ≥ 1 − α for exchangeable scores (Vovk et al. 2005; Angelopoulos &
 * Bates, "A gentle introduction to conformal prediction", 2021).
 *
 * Computed in float64 on a sorted copy; O(n log n). The scores must not be NaN.
 */
export function conformalQuantile(scores: ArrayLike<number>, alpha: number): number {
  checkAlpha(alpha);
  const n = scores.length;
  const k = conformalRank(n, alpha);
  if (k > n) return Infinity;
  const sorted = Float64Array.from(scores).sort();
  return sorted[Math.max(k, 1) - 1];
}

/**
 * NumPy's default ("linear", type 7) quantile of sorted values at level q ∈ [0, 1]:
 * h = (n − 1)q, v[⌊h⌋] + (h − ⌊h⌋)(v[⌊h⌋ + 1] − v[⌊h⌋]). Used for the clustered-conformal class embeddings
 * (Ding et al. use `np.quantile`).
 */
export function linearQuantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
