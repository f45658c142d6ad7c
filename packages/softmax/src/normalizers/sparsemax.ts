import type { FloatArray } from '../tensor/types.js';
import { defineMapping, type MappingOptions } from './defineMapping.js';

/** Options of `sparsemax`: only the common ones (axis, temperature, mask, out). */
export type SparsemaxOptions = MappingOptions;

/** Scratch for the threshold search, reused across rows and calls (grown on demand, never shrunk). */
let scratch = new Float64Array(0);

function scratchOf(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, 2 * scratch.length));
  return scratch;
}

/** Fills y[yo, yo + n) with NaN and returns NaN (the threshold of a row with no distribution). */
export function nanRow(y: FloatArray, yo: number, n: number): number {
  y.fill(NaN, yo, yo + n);
  return NaN;
}

/**
 * Sparsemax of one row of z = s·x, read from x[xo, xo + n) and written to y[yo, yo + n) (any float
 * arrays; computed in float64, rounded once on the store): y_i = [z_i − θ]_+ with Σ y = 1. Returns θ
 * (NaN for a row without a distribution). `y` may alias `x` (each x_i is read before y_i is written).
 *
 * The support is found by Condat's algorithm (L. Condat, "Fast projection onto the simplex and the l1
 * ball", Math. Programming 2016): one pass over the row that keeps a running candidate set and its
 * threshold, then a few passes over the (small) candidate set. Expected O(n), no sort. The threshold is
 * then recomputed from the final support relative to its largest entry, θ = m + (Σ_S (z_j − m) − 1)/|S|,
 * so that large offsets (±1e4) do not cost precision.
 */
export function sparsemaxRow(x: FloatArray, xo: number, y: FloatArray, yo: number, n: number, s: number): number {
  if (n === 0) return NaN;
  // First entry above −∞ (−∞ entries can never be in the support).
  let i0 = 0;
  for (; i0 < n; i0++) {
    const v = s * x[xo + i0];
    if (v > -Infinity) break;
    if (v !== v) return nanRow(y, yo, n);
  }
  if (i0 === n) return nanRow(y, yo, n); // all −∞: no distribution, as softmax
  // Relative to the first entry (values near each other keep their precision even at large |z|).
  let theta = condatThreshold(x, xo, n, s, i0, s * x[xo + i0]);
  if (theta !== theta) {
    // NaN or +∞ in the row, or a spread float64 cannot follow (z_i − z_j overflowing, or beyond 2^52 so
    // that z − 1 rounds to z): once more relative to the maximum, where only −1 ≤ z − max ≤ 0 matters.
    let m = -Infinity;
    for (let i = i0; i < n; i++) m = Math.max(m, s * x[xo + i]); // NaN propagates
    if (!(m < Infinity)) return nanRow(y, yo, n);
    theta = condatThreshold(x, xo, n, s, i0, m);
    if (theta !== theta) return nanRow(y, yo, n);
  }
  const m = thresholdShift;
  const t = thresholdOffset;
  // Output pass relative to the support's maximum m (z_i − m is exact near the top).
  for (let i = 0; i < n; i++) {
    const d = s * x[xo + i] - m - t;
    y[yo + i] = d > 0 ? d : 0;
  }
  return theta;
}

/** The support maximum m and the offset t = θ − m of the last `condatThreshold` call (exact: θ = m + t may round). */
let thresholdShift = 0;
let thresholdOffset = 0;

/**
 * Condat's algorithm on z = s·x from entry i0 (the first entry > −∞), with `shift` subtracted from every
 * entry. Returns θ and leaves the support's maximum in `thresholdShift`; returns NaN for a row holding
 * NaN or +∞ and when rounding defeats the algorithm (the caller then retries relative to the maximum).
 */
function condatThreshold(x: FloatArray, xo: number, n: number, s: number, i0: number, shift: number): number {
  const buf = scratchOf(2 * n);
  // v = buf[vs, ve): the current candidate set; ṽ = buf[0, vs): the entries it replaced (Condat's step 2).
  // The buffer keeps the entries themselves; ρ and the comparisons use them relative to `shift`.
  const z0 = s * x[xo + i0];
  buf[0] = z0;
  let vs = 0;
  let ve = 1;
  let rho = z0 - shift - 1;
  for (let i = i0 + 1; i < n; i++) {
    const z = s * x[xo + i];
    const v = z - shift;
    // One comparison on the common path: NaN also fails `v <= rho`.
    if (!(v <= rho)) {
      if (v !== v) return NaN;
      rho += (v - rho) / (ve - vs + 1);
      if (rho > v - 1) {
        buf[ve++] = z;
      } else {
        vs = ve;
        buf[ve++] = z;
        rho = v - 1;
      }
    }
  }
  if (!(rho < Infinity)) return NaN; // +∞ in the row, or an overflowing spread
  // Step 3: entries of ṽ still above ρ rejoin v (appended after ve; the buffer holds 2n).
  let count = ve - vs;
  for (let j = 0; j < vs; j++) {
    const v = buf[j] - shift;
    if (v > rho) {
      buf[ve++] = buf[j];
      count++;
      rho += (v - rho) / count;
    }
  }
  // Step 4: drop entries of v at or below ρ until none is.
  let changed = true;
  while (changed) {
    changed = false;
    let w = vs;
    for (let j = vs; j < ve; j++) {
      const v = buf[j] - shift;
      if (v > rho) {
        buf[w++] = buf[j];
      } else {
        // The maximum always stays in exact arithmetic; losing it means rounding beat the algorithm.
        if (--count === 0) return NaN;
        rho += (rho - v) / count;
        changed = true;
      }
    }
    ve = w;
  }
  // Exact threshold from the support, relative to its maximum m (an entry of the row, so z − m is
  // exact near the top); drop any entry that falls to ≤ θ.
  let m = -Infinity;
  for (let j = vs; j < ve; j++) m = Math.max(m, buf[j]);
  let t = 0;
  for (;;) {
    let sum = 0;
    for (let j = vs; j < ve; j++) sum += buf[j] - m;
    t = (sum - 1) / (ve - vs);
    let w = vs;
    for (let j = vs; j < ve; j++) if (buf[j] - m > t) buf[w++] = buf[j];
    if (w === ve) break;
    ve = w; // never empties: t = (Σ (z − m) − 1)/|S| < 0 = (the maximum) − m
  }
  thresholdShift = m;
  thresholdOffset = t;
  return m + t;
}

/**
 * Sparsemax along an axis (Martins & Astudillo, "From Softmax to Sparsemax", ICML 2016): the Euclidean
 * projection of z = x/τ onto the probability simplex,
 *
 *   y = argmin_{p ∈ Δ} ‖p − z‖²,  y_i = [z_i − θ(z)]_+,  θ such that Σ_i y_i = 1.
 *
 * Unlike softmax, entries with z_i ≤ θ get exactly 0. θ is the paper's (z_(1) + … + z_(k) − 1)/k over the
 * k = max{ j : 1 + j·z_(j) > Σ_{i ≤ j} z_(i) } largest entries; it is found here without sorting.
 *
 * - Input forms, `axis`, `temperature`, `mask` and `out` as every normalizer (see `softmax`); computed in
 *   float64 per row, float32 in → float32 out.
 * - Complexity: O(n) expected per row (Condat 2016: one pass over the row plus passes over a small
 *   candidate set; worst case O(n²) on contrived inputs), no sort, no allocation per row.
 * - Special values: −∞ and masked entries give 0; a row with no entry above −∞ (fully masked) gives NaN,
 *   as softmax; +∞ or NaN anywhere in a row gives NaN for the row. Ties are harmless (y is continuous in
 *   z and tied entries get equal weights). A length-1 row gives [1] (for a finite entry).
 * - Shift-invariant: sparsemax(z + c) = sparsemax(z). Scale matters: a small temperature makes it sparser.
 *
 * `sparsemax.vjp(y, dy, opts)`: on the support S = {i : y_i > 0}, dx_i = (dy_i − mean_{j∈S} dy_j)/τ;
 * 0 off S. Needs only the output y. (At a kink, z_i = θ exactly, this is the one-sided derivative that
 * treats i as outside the support.)
 *
 * @example sparsemax([1, 2, 3.5]) // Float64Array [0, 0, 1]
 * @example sparsemax([0.5, 1, 1.2]) // Float64Array [0, 0.4, 0.6]  (θ = (1.2 + 1 − 1)/2 = 0.6)
 */
export const sparsemax = defineMapping<SparsemaxOptions, null>({
  name: 'sparsemax',
  params: () => null,
  forward(z, y, { n }) {
    sparsemaxRow(z, 0, y, 0, n, 1);
  },  forwardRow(x, xo, y, yo, n, s) {
    sparsemaxRow(x, xo, y, yo, n, s);
  },

  vjp(y, dy, dz, _z, { n }) {
    sparsemaxVjpRow(y, dy, dz, n);
  },
  needsX: false,
});

/** dz = dy − mean_S dy on the support S = {y > 0}, 0 elsewhere; a row holding NaN gives NaN. */
export function sparsemaxVjpRow(y: Float64Array, dy: Float64Array, dz: Float64Array, n: number): void {
  let sum = 0;
  let k = 0;
  let bad = false;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v > 0) {
      sum += dy[i];
      k++;
    } else if (v !== v) {
      bad = true;
    }
  }
  if (bad) {
    dz.fill(NaN, 0, n);
    return;
  }
  const mean = k > 0 ? sum / k : 0;
  for (let i = 0; i < n; i++) dz[i] = y[i] > 0 ? dy[i] - mean : 0;
}
