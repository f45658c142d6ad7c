import { softmaxThreePassRow } from '../kernels/reference/threePass.js';
import { fail } from '../tensor/errors.js';
import type { FloatArray } from '../tensor/types.js';
import { defineMapping, type MappingOptions } from './defineMapping.js';
import { nanRow, sparsemaxRow, sparsemaxVjpRow } from './sparsemax.js';

/** Options of `entmax`. */
export interface EntmaxOptions extends MappingOptions {
  /** α ≥ 1 (finite): 1 is softmax, 2 is sparsemax, larger is sparser. Default 1.5. */
  alpha?: number;
}

/** Options of `entmax.vjp` besides the common ones. */
export interface EntmaxVjpOptions extends EntmaxOptions {
  /** Also return the gradient w.r.t. α: the result is then `{ dx, dAlpha }` (one dAlpha per row). */
  wrtAlpha?: boolean;
}

interface EntmaxParams {
  alpha: number;
  wrtAlpha: boolean;
}

/** Validates α: a finite number ≥ 1 (default 1.5). */
export function entmaxAlpha(value: unknown): number {
  if (value === undefined) return 1.5;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) fail('E_PARAM', 'alpha', 'a finite number ≥ 1', value);
  return value;
}

/** Scratch, reused across rows and calls (grown on demand): candidate values, their indices, weights. */
let cand = new Float64Array(0);
let candIndex = new Int32Array(0);
let weights = new Float64Array(0);
let sortBuf = new Float64Array(0);

function ensureScratch(n: number): void {
  if (cand.length < n) {
    const size = Math.max(n, 2 * cand.length);
    cand = new Float64Array(size);
    candIndex = new Int32Array(size);
    weights = new Float64Array(size);
  }
}

/** Candidates left by the last threshold search: a superset of the support, in cand[0, remaining). */
let remaining = 0;
/** The τ at which the bracketed search last evaluated: weights[j] = (cand[j] − τ)^β where cand[j] > τ. */
let evaluatedAt = NaN;

/**
 * α-entmax of one row of z = s·x, read from x[xo, xo + n) and written to y[yo, yo + n) (any float arrays;
 * float64 arithmetic, one rounding on the store): y_i = [(α−1)z_i − θ]_+^{1/(α−1)} with Σ y = 1
 * (softmax for α = 1, sparsemax for α = 2). Returns θ in the scale of (α−1)·z (NaN for α = 1 and for
 * rows without a distribution). `y` may alias `x` (the candidates are buffered before y is written).
 *
 * With m = max z and u_i = (α−1)(z_i − m) ≤ 0, the threshold τ = θ − (α−1)m lies in [−1, 0): y_max ≤ 1
 * forces τ ≥ −1, so only the candidates u_i > −1 can be in the support. One pass finds the maximum and
 * gathers the entries above a running lower bound of the threshold (the maximum − 1/(α−1), raised from
 * the candidates gathered so far each time their buffer doubles: see `tighten`), with their indices. The
 * rest of the work is on the candidates only, and the output is a fill with 0 plus one store per support
 * entry. α = 1.5: Newton steps on ‖[u − τ]_+‖₂ = 1 from the lower bound (a convex function of τ, so the
 * steps stay below the root and each drops the candidates they pass) until the candidate set is the
 * support; τ is then the exact root of Σ_S (u_i − τ)² = 1, the closed form of the sort-based algorithm
 * (Peters et al. 2019), to which it falls back if the steps stall. Other α: Newton steps on
 * (Σ [u − τ]_+^β)^{1/(β+1)} (β = 1/(α−1); nearly linear in τ near the top of a row), safeguarded by
 * bisection inside a bracket [lo, hi] ⊂ [−1, 0), to float64 precision; the weights of the last
 * evaluation are reused (with a series correction for the last, tiny step) and normalised.
 */
export function entmaxRow(x: FloatArray, xo: number, y: FloatArray, yo: number, n: number, s: number, alpha: number): number {
  if (alpha === 1) {
    softmaxThreePassRow(x, xo, y, yo, n, s);
    return NaN;
  }
  if (alpha === 2) return sparsemaxRow(x, xo, y, yo, n, s);
  if (n === 0) return NaN;
  const a = alpha - 1;
  const width = 1 / a;
  // Lower bound b on the threshold in z units (entries z ≤ b get 0): for any K entries T,
  // b = mean_T z − K^{−min(a,1)}/a is one (see `tighten`); m − 1/a is the one from the maximum alone.
  const expo = a < 1 ? a : 1;
  ensureScratch(n);
  const c = cand;
  const ix = candIndex;
  let k = 0;
  let m = -Infinity;
  let bound = -Number.MAX_VALUE; // −∞ entries never get in
  let check = 64;
  for (let i = 0; i < n; i++) {
    const v = s * x[xo + i];
    // One comparison on the common path: NaN also fails `v < bound`. (≥ rather than >: at |z| beyond
    // 2^52·(α−1)^−1, m − 1/(α−1) rounds to m and ties of the maximum must still get in.)
    if (!(v < bound)) {
      if (v !== v) return nanRow(y, yo, n);
      c[k] = v;
      ix[k++] = i;
      if (v > m) {
        m = v;
        if (m - width > bound) bound = m - width;
      }
      if (k === check) {
        // Raise the bound from the candidates so far (amortised O(1) per candidate: the next check
        // comes after the buffer has doubled again).
        k = tighten(c, ix, k, bound, m, expo, a);
        bound = tightened;
        check = k < 32 ? 64 : 2 * k;
      }
    }
  }
  if (!(m < Infinity) || m === -Infinity) return nanRow(y, yo, n); // +∞, or no entry above −∞
  for (let round = 0; round < 4; round++) {
    const before = k;
    k = tighten(c, ix, k, bound, m, expo, a);
    bound = tightened;
    if (k > 0.9 * before) break; // little left to gain
  }
  // Candidates as u = (α−1)(z − m), and the same bound recomputed in u units (where it cannot round
  // up to the maximum): lo = max(−1, mean u − K^{−min(a,1)}) < 0.
  let sumU = 0;
  for (let j = 0; j < k; j++) {
    const u = a * (c[j] - m);
    c[j] = u;
    sumU += u;
  }
  const jensen = sumU / k - Math.pow(k, -expo);
  const lo = jensen > -1 ? jensen : -1;
  if (alpha === 1.5) {
    const tau = threshold15(c, ix, k, lo);
    const count = remaining;
    y.fill(0, yo, yo + n);
    for (let j = 0; j < count; j++) {
      const d = c[j] - tau;
      if (d > 0) y[yo + ix[j]] = d * d;
    }
    return tau + a * m;
  }
  const beta = 1 / a;
  const w = weights;
  const tau = thresholdBracketed(c, ix, w, k, a, lo);
  const count = remaining;
  const t0 = evaluatedAt;
  const delta = tau - t0;
  let sum = 0;
  for (let j = 0; j < count; j++) {
    const u = c[j];
    const dn = u - tau;
    let e = 0;
    if (dn > 0) {
      // (d − δ)^β = d^β (1 − r)^β with r = δ/d: three series terms when r is tiny (the fourth is below
      // (β+1)⁴r⁴/24 < 1e-17), else exp/log.
      const d = u - t0;
      const r = delta / d;
      if (d > 0 && Math.abs(r) * (beta + 1) < 1e-4) {
        e = w[j] * (1 - beta * r * (1 - ((beta - 1) * r * (1 - ((beta - 2) * r) / 3)) / 2));
      } else {
        e = Math.exp(beta * Math.log(dn));
      }
    }
    w[j] = e;
    sum += e;
  }
  y.fill(0, yo, yo + n);
  for (let j = 0; j < count; j++) if (w[j] > 0) y[yo + ix[j]] = w[j] / sum;
  return tau + a * m;
}

/** The bound left by the last `tighten` call. */
let tightened = -Infinity;

/**
 * One round of raising the lower bound b (z units) of the threshold: keeps the candidates z ≥ b (in
 * place, with their indices; the maximum always stays) and sets `tightened` = max(b, mean − K^{−e}/a) over those K candidates
 * (e = min(a, 1)); returns K. Valid because for any K entries T and β = 1/a ≥ 1, Jensen gives
 * Σ_T [a(z − t)]_+^β ≥ K^{1−β}(Σ_T a(z − t))^β ≥ 1 at t = mean_T − K^{−a}/a, so the threshold is at least
 * there; for β < 1 the same holds with K^{−1} (the sparsemax bound): if every d = a(z − t) ≤ 1 then
 * [d]_+^β ≥ [d]_+, and if some d > 1 that term alone exceeds 1.
 */
function tighten(c: Float64Array, ix: Int32Array, k: number, b: number, m: number, e: number, a: number): number {
  let w = 0;
  let sum = 0;
  for (let j = 0; j < k; j++) {
    // Branch-free compaction (the test is unpredictable): always store, advance when kept.
    const v = c[j];
    const keep = +(v >= b);
    c[w] = v;
    ix[w] = ix[j];
    w += keep;
    sum += keep * Math.max(v - m, -1e300); // (a dropped v − m may overflow to −∞; 0·−∞ would be NaN)
  }
  const next = m + sum / w - Math.pow(w, -e) / a;
  tightened = next > b ? next : b;
  return w;
}

/**
 * τ with Σ [u_j − τ]_+² = 1 over the candidates c[0, k) (max 0, all > lo ≥ −1, lo a lower bound of τ).
 * Compacts c and ix in place, leaving a superset of the support in [0, remaining).
 */
function threshold15(c: Float64Array, ix: Int32Array, k: number, lo: number): number {
  let tau = lo;
  for (let iter = 0; iter < 100; iter++) {
    let w = 0;
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < k; j++) {
      // Branch-free compaction of the candidates above τ (the test is unpredictable).
      const u = c[j];
      const d = u - tau;
      const keep = +(d > 0);
      c[w] = u;
      ix[w] = ix[j];
      w += keep;
      const dk = keep * d;
      s1 += dk;
      s2 += dk * d;
    }
    k = w;
    let dmin = Infinity;
    for (let j = 0; j < k; j++) dmin = Math.min(dmin, c[j] - tau);
    remaining = k;
    // Smaller root t = τ + δ of Σ_C (u − t)² = 1 (rationalised: no cancellation). It bounds the
    // answer from above; when all of C lies at or above it, C is the support and t is the answer.
    const disc = s1 * s1 - k * (s2 - 1);
    if (disc >= 0) {
      const delta = (s2 - 1) / (s1 + Math.sqrt(disc));
      if (dmin >= delta) return tau + delta;
    }
    const next = tau + (s2 - Math.sqrt(s2)) / s1;
    if (!(next > tau)) break;
    tau = next;
  }
  return threshold15Sorted(c, k);
}

/**
 * The sort-based exact algorithm of Peters, Niculae & Martins (2019) on the candidates (a sorted copy):
 * with the j largest (v_1 ≥ … ≥ v_j), τ_j = mean_j − sqrt(max(0, (1 − j·var_j)/j)); the support is the
 * largest j with τ_j ≤ v_j. Values are taken relative to the largest for an exact variance.
 */
function threshold15Sorted(c: Float64Array, k: number): number {
  if (sortBuf.length < k) sortBuf = new Float64Array(Math.max(k, 2 * sortBuf.length));
  const s = sortBuf.subarray(0, k);
  s.set(c.subarray(0, k));
  s.sort();
  const top = s[k - 1];
  let sum = 0;
  let sumSq = 0;
  let best = top - 1;
  for (let j = 1; j <= k; j++) {
    const v = s[k - j] - top;
    sum += v;
    sumSq += v * v;
    const mean = sum / j;
    const delta = (1 - (sumSq - sum * mean)) / j;
    const t = mean - Math.sqrt(delta > 0 ? delta : 0);
    if (t > v) break;
    best = t;
  }
  return best + top;
}

/**
 * τ with Σ [u_j − τ]_+^β = 1 (β = 1/a) over the candidates c[0, k) (max 0, all > lower ≥ −1, a lower
 * bound of τ): Newton steps on
 * φ(τ) = (Σ [u − τ]_+^β)^{1/(β+1)} (linear in τ when the top of the row is evenly spread), started at
 * the upper bound hi and kept inside the bracket [lo, hi] (bisection when a step leaves it). Compacts c
 * and ix, and leaves the weights (u − τ)^β of its last evaluation in wv (see `evaluatedAt`). d^β is
 * computed as exp(β·log d) (half the cost of Math.pow; relative error a few ulps·β|log d|).
 */
function thresholdBracketed(c: Float64Array, ix: Int32Array, wv: Float64Array, k: number, a: number, lower: number): number {
  const beta = 1 / a;
  const alpha = 1 + a;
  const inv = 1 / alpha;
  let lo = lower; // G(lo) ≥ 0
  let hi = -Math.pow(k, -a); // G(hi) ≤ 0: each of the k terms is ≤ 1/k
  evaluatedAt = NaN;
  remaining = k;
  if (!(hi > lo)) return lo; // one candidate (a one-hot row), or a bound already tight (all-equal rows)
  let tau = hi;
  let prevStep = NaN;
  for (let iter = 0; iter < 400; iter++) {
    let w = 0;
    let p = 0;
    let q = 0;
    for (let j = 0; j < k; j++) {
      const u = c[j];
      if (u > lo) {
        const d = u - tau;
        let e = 0;
        if (d > 0) {
          e = Math.exp(beta * Math.log(d));
          p += e;
          q += e / d;
        }
        c[w] = u;
        ix[w] = ix[j];
        wv[w++] = e;
      }
    }
    k = w;
    remaining = k;
    evaluatedAt = tau;
    if (p > 1) lo = tau;
    else if (p < 1) hi = tau;
    else return tau;
    // Newton on φ = P^{1/α} (P = Σ d^β, dP/dτ = −β·Σ d^{β−1}): step = α(P − P^{1/α})/Σ d^{β−1}.
    const step = (alpha * (p - Math.pow(p, inv))) / q;
    // Quadratic convergence, error_{k+1} ≈ C·step_k², with C estimated from the last two steps: stop
    // when the error left after this step is predicted below an ulp of τ.
    const size = Math.abs(step);
    const limit = 2.2e-16 * Math.abs(tau);
    if (size <= limit || (size / (prevStep * prevStep)) * size * size <= limit) return tau + step;
    let next = tau + step;
    prevStep = size;
    if (!(next > lo && next < hi)) {
      next = 0.5 * (lo + hi);
      prevStep = NaN;
    }
    if (next === lo || next === hi) return next;
    tau = next;
  }
  return tau;
}

/**
 * Backward of one row: s_i = y_i^{2−α} on the support (y_i > 0), dz = s ⊙ dy − s·⟨s, dy⟩/Σs, 0 off the
 * support; a row holding NaN gives NaN. Returns d⟨dy, y⟩/dα when `wantAlpha`.
 */
export function entmaxVjpRow(y: Float64Array, dy: Float64Array, dz: Float64Array, n: number, alpha: number, wantAlpha: boolean): number | undefined {
  if (alpha === 2) sparsemaxVjpRow(y, dy, dz, n);
  else {
    const e = 2 - alpha;
    let sumS = 0;
    let dot = 0;
    let bad = false;
    for (let i = 0; i < n; i++) {
      const v = y[i];
      if (v > 0) {
        const s = alpha === 1.5 ? Math.sqrt(v) : alpha === 1 ? v : Math.pow(v, e);
        dz[i] = s;
        sumS += s;
        dot += s * dy[i];
      } else {
        dz[i] = 0;
        if (v !== v) bad = true;
      }
    }
    if (bad) {
      dz.fill(NaN, 0, n);
      return wantAlpha ? NaN : undefined;
    }
    const c = dot / sumS;
    for (let i = 0; i < n; i++) if (y[i] > 0) dz[i] *= dy[i] - c;
  }
  return wantAlpha ? entmaxAlphaGradRow(y, dy, n, alpha) : undefined;
}

/** h(t) = (e^t − 1 − t)/t², h(0) = 1/2: by its series for |t| < 1/2, else directly. */
function h(t: number): number {
  if (Math.abs(t) < 0.5) {
    let term = 0.5;
    let sum = 0.5;
    for (let k = 1; k <= 16; k++) {
      term *= t / (k + 2);
      sum += term;
    }
    return sum;
  }
  return (Math.expm1(t) - t) / (t * t);
}

/**
 * Σ_i dy_i ∂y_i/∂α for one row of entmax output y (z fixed), from the output alone (Correia, Niculae &
 * Martins 2019, "Adaptively Sparse Transformers", appendix B): with ε = α − 1, s_i = y_i^{2−α},
 * p̃ = s/Σs and S = Σ_j y_j log y_j, on the support
 *
 *   ∂y_i/∂α = (y_i − p̃_i)/ε² − (y_i log y_i − p̃_i S)/ε.
 *
 * Derivation: log y_i = log u_i/ε with u_i = εz_i − θ(α); differentiate, use u_i = y_i^ε and
 * y_i/u_i = s_i, and fix θ'(α) by Σ_i ∂y_i/∂α = 0.
 *
 * The two terms cancel to O(1) as α → 1; for ε < 0.1 the same quantity is evaluated in the cancellation-free
 * form ∂y_i/∂α = y_i[(1 + t_i)Φ − φ_i(1 + T)]/Σs with t_i = −ε log y_i, φ_i = log²y_i·h(t_i),
 * T = Σ y t, Φ = Σ y φ, Σs = 1 + T + ε²Φ (expand s_i = y_i e^{t_i}); at α = 1 it is the softmax limit
 * y_i(Σ_j y_j log²y_j − log²y_i)/2. y is renormalised first (a float32 y does not sum to 1 exactly).
 */
export function entmaxAlphaGradRow(y: Float64Array, dy: Float64Array, n: number, alpha: number): number {
  const eps = alpha - 1;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v > 0) total += v;
    else if (v !== v) return NaN;
  }
  const inv = 1 / total;
  ensureScratch(n);
  const logs = weights;
  if (eps >= 0.1) {
    let sumS = 0;
    let ent = 0;
    for (let i = 0; i < n; i++) {
      const v = y[i] * inv;
      if (v > 0) {
        const l = Math.log(v);
        logs[i] = l;
        sumS += Math.exp((1 - eps) * l);
        ent += v * l;
      }
    }
    let g = 0;
    for (let i = 0; i < n; i++) {
      const v = y[i] * inv;
      if (v > 0) {
        const l = logs[i];
        const pt = Math.exp((1 - eps) * l) / sumS;
        g += dy[i] * ((v - pt) / (eps * eps) - (v * l - pt * ent) / eps);
      }
    }
    return g;
  }
  let bigT = 0;
  let phiSum = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i] * inv;
    if (v > 0) {
      const l = Math.log(v);
      logs[i] = l;
      bigT -= v * eps * l;
      phiSum += v * l * l * h(-eps * l);
    }
  }
  const sumS = 1 + bigT + eps * eps * phiSum;
  let g = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i] * inv;
    if (v > 0) {
      const l = logs[i];
      const t = -eps * l;
      g += (dy[i] * v * ((1 + t) * phiSum - l * l * h(t) * (1 + bigT))) / sumS;
    }
  }
  return g;
}

/**
 * α-entmax along an axis (Peters, Niculae & Martins, "Sparse Sequence-to-Sequence Models", ACL 2019;
 * Blondel, Martins & Niculae 2019): the regularised argmax with the Tsallis α-entropy H^T_α,
 *
 *   y = argmax_{p ∈ Δ} ⟨p, z⟩ + H^T_α(p),  H^T_α(p) = Σ_j (p_j − p_j^α)/(α(α−1)),
 *   y_i = [(α−1)z_i − θ]_+^{1/(α−1)},  θ such that Σ y = 1,  z = x/τ.
 *
 * α = 1 is softmax (computed by the softmax kernel), α = 2 is sparsemax (same algorithm); α > 1 gives
 * exact zeros wherever (α−1)z_i ≤ θ, more of them as α grows.
 *
 * - Options: `alpha` (finite, ≥ 1, default 1.5) plus the common ones (`axis`, `temperature`, `mask`, `out`).
 *   Computed in float64 per row; float32 in → float32 out.
 * - Algorithms and complexity per row of length n: one pass for the maximum, one to gather the
 *   candidates (z_i > max − 1/(α−1): only they can be in the support), then on the candidates only:
 *   α = 1.5 exactly (the closed form of the sort-based algorithm once Newton steps have found the
 *   support; no full sort, expected O(n)); other α by bracketed Newton/bisection on θ to float64
 *   precision (as entmax_bisect, then normalised), a few passes with one `pow` per candidate.
 * - Special values: −∞ and masked entries give 0; a row with no entry above −∞ (fully masked) gives NaN,
 *   as softmax; +∞ or NaN anywhere in a row gives NaN for the row. Tied entries get equal weights; a
 *   length-1 row gives [1].
 *
 * `entmax.vjp(y, dy, { alpha })`: with s_i = y_i^{2−α} on the support (y_i > 0), dx = (s ⊙ dy −
 * s·⟨s, dy⟩/Σs)/τ; 0 off the support (softmax's vjp at α = 1, sparsemax's at α = 2). Needs only y.
 * With `wrtAlpha: true` it returns `{ dx, dAlpha }`: dAlpha = Σ_i dy_i ∂y_i/∂α per row (a number for a
 * single row), by the formula of Correia, Niculae & Martins 2019 (Adaptively Sparse Transformers; see
 * `entmaxAlphaGradRow`), stable down to α = 1.
 *
 * @example entmax([0, 1, 3], { alpha: 1.5 }) // Float64Array [0, 0, 1]
 * @example entmax([0, 0.5, 1], { alpha: 1.5 }) // ≈ [0.0841, 0.2917, 0.6242]
 */
export const entmax = defineMapping<EntmaxOptions, EntmaxParams>({
  name: 'entmax',
  params: (opts) => ({ alpha: entmaxAlpha(opts.alpha), wrtAlpha: opts.wrtAlpha === true }),
  forward(z, y, { n, params }) {
    entmaxRow(z, 0, y, 0, n, 1, params.alpha);
  },
  forwardRow(x, xo, y, yo, n, s, { params }) {
    entmaxRow(x, xo, y, yo, n, s, params.alpha);
  },
  vjp(y, dy, dz, _z, { n, params }) {
    return entmaxVjpRow(y, dy, dz, n, params.alpha, params.wrtAlpha);
  },
  needsX: false,
  paramGradient: { flag: 'wrtAlpha', key: 'dAlpha' },
});
