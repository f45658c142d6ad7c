import type { RngLike } from '../../tensor/rng.js';

export interface WeightedKMeansResult {
  /** Cluster of each point, in [0, k). */
  assignment: Int32Array;
  /** k × dim centroids, row-major. */
  centroids: Float64Array;
  /** Σ_i w_i ‖x_i − c_{a(i)}‖² of the best restart. */
  inertia: number;
}

function dist2(x: Float64Array, i: number, c: Float64Array, j: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const t = x[i * dim + d] - c[j * dim + d];
    s += t * t;
  }
  return s;
}

/** Index drawn with probability ∝ mass[i] (falls back to the last positive entry on rounding). */
function drawProportional(mass: Float64Array, rng: RngLike): number {
  let total = 0;
  for (let i = 0; i < mass.length; i++) total += mass[i];
  if (!(total > 0)) return -1;
  let u = rng.next() * total;
  let last = -1;
  for (let i = 0; i < mass.length; i++) {
    if (mass[i] <= 0) continue;
    last = i;
    u -= mass[i];
    if (u < 0) return i;
  }
  return last;
}

/** Weighted k-means++ seeding (Arthur & Vassilvitskii 2007): P(next centre = i) ∝ w_i·D(x_i)². */
function seedPlusPlus(x: Float64Array, w: Float64Array, n: number, dim: number, k: number, rng: RngLike): Float64Array {
  const c = new Float64Array(k * dim);
  const first = Math.max(0, drawProportional(w, rng));
  c.set(x.subarray(first * dim, first * dim + dim), 0);
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) d2[i] = dist2(x, i, c, 0, dim);
  const mass = new Float64Array(n);
  for (let j = 1; j < k; j++) {
    for (let i = 0; i < n; i++) mass[i] = w[i] * d2[i];
    let pick = drawProportional(mass, rng);
    if (pick < 0) pick = rng.nextInt ? rng.nextInt(n) : Math.min(n - 1, Math.floor(rng.next() * n)); // all points coincide
    c.set(x.subarray(pick * dim, pick * dim + dim), j * dim);
    for (let i = 0; i < n; i++) d2[i] = Math.min(d2[i], dist2(x, i, c, j, dim));
  }
  return c;
}

/** Lloyd iterations from centroids `c` (modified in place) until the assignment is stable. */
function lloyd(x: Float64Array, w: Float64Array, n: number, dim: number, k: number, c: Float64Array, maxIter: number): WeightedKMeansResult {
  const a = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * dim);
  const mass = new Float64Array(k);
  let inertia = 0;
  for (let it = 0; it < maxIter; it++) {
    let changed = false;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < k; j++) {
        const d = dist2(x, i, c, j, dim);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      if (a[i] !== best) changed = true;
      a[i] = best;
      inertia += w[i] * bestD;
    }
    if (!changed) break;
    sums.fill(0);
    mass.fill(0);
    for (let i = 0; i < n; i++) {
      mass[a[i]] += w[i];
      for (let d = 0; d < dim; d++) sums[a[i] * dim + d] += w[i] * x[i * dim + d];
    }
    for (let j = 0; j < k; j++) {
      // An empty cluster keeps its centroid (it may win points back on the next pass).
      if (mass[j] > 0) for (let d = 0; d < dim; d++) c[j * dim + d] = sums[j * dim + d] / mass[j];
    }
  }
  return { assignment: a, centroids: c, inertia };
}

/**
 * Weighted k-means: minimises Σ_i w_i ‖x_i − c_{a(i)}‖² with weighted k-means++ seeding and Lloyd
 * iterations, keeping the best of `restarts` runs (scikit-learn's `KMeans(n_init=…).fit(X,
 * sample_weight=w)` semantics). Deterministic given the generator state.
 *
 * - `x`: n × dim row-major points; `w`: n weights > 0; `k` ≤ n.
 * - Cost O(restarts · maxIter · n · k · dim).
 */
export function weightedKMeans(x: Float64Array, w: Float64Array, dim: number, k: number, rng: RngLike, restarts = 10, maxIter = 300): WeightedKMeansResult {
  const n = w.length;
  let best: WeightedKMeansResult | undefined;
  for (let r = 0; r < restarts; r++) {
    const c = seedPlusPlus(x, w, n, dim, k, rng);
    const res = lloyd(x, w, n, dim, k, c, maxIter);
    if (best === undefined || res.inertia < best.inertia) best = res;
  }
  return best as WeightedKMeansResult;
}
