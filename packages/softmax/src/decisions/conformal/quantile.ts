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

/** The randomised ("exact coverage") conformal threshold pair; see `conformalQuantileBounds`. */
export interface ConformalQuantileBounds {
  /** q̂_lo = the (k − 1)-th smallest score (−∞ when k = 1): always in the set below it. */
  lower: number;
  /** q̂_hi = the k-th smallest score (+∞ when k = n + 1): the standard conformal quantile. */
  upper: number;
  /** θ = (n + 1)(1 − α) − (k − 1) ∈ (0, 1]: the probability of using q̂_hi instead of q̂_lo. */
  weight: number;
}

/**
 * The randomised split-conformal quantile, exact coverage 1 − α in expectation (the threshold form of
 * Vovk's smoothed conformal p-value; Vovk, Gammerman & Shafer 2005, §2.4; Angelopoulos & Bates 2021, §3).
 *
 * With k = ⌈(n + 1)(1 − α)⌉ and s_(1) ≤ … ≤ s_(n) the sorted scores (s_(0) = −∞, s_(n+1) = +∞):
 * q̂_lo = s_(k−1), q̂_hi = s_(k), θ = (n + 1)(1 − α) − (k − 1) ∈ (0, 1]. A test point with score s and an
 * independent V ~ Uniform[0, 1) is covered iff s ≤ q̂_lo, or s ≤ q̂_hi and V < θ: the threshold is q̂_hi with
 * probability θ, else q̂_lo. If the n + 1 scores are exchangeable and almost surely distinct, the rank of
 * the test score is uniform on {1, …, n + 1} and P(covered) = (k − 1)/(n + 1) + θ/(n + 1) = 1 − α exactly,
 * where the standard q̂ = s_(k) gives k/(n + 1) (over by up to 1/(n + 1)). With ties in the scores the
 * coverage is ≥ 1 − α, not exact.
 *
 * n = 0 gives q̂_lo = −∞, q̂_hi = +∞, θ = 1 − α. O(n log n) on a sorted copy; scores must not be NaN.
 */
export function conformalQuantileBounds(scores: ArrayLike<number>, alpha: number): ConformalQuantileBounds {
  checkAlpha(alpha);
  const n = scores.length;
  const target = (n + 1) * (1 - alpha);
  const k = conformalRank(n, alpha);
  const sorted = Float64Array.from(scores).sort();
  const lower = k - 1 >= 1 ? sorted[k - 2] : -Infinity;
  const upper = k <= n ? sorted[k - 1] : Infinity;
  // θ ∈ (0, 1]; the CEIL_SLACK guard of conformalRank can put target a hair below k − 1.
  const weight = Math.min(1, Math.max(Number.EPSILON, target - (k - 1)));
  return { lower, upper, weight };
}
