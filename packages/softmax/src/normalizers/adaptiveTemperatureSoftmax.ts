import { referenceBackend } from '../kernels/reference/backend.js';
import { fail } from '../tensor/errors.js';
import { finiteInRange, oneOf } from '../tensor/options.js';
import { defineMapping, type MappingSpec } from './defineMapping.js';

/**
 * Veličković et al.'s fit of the inverse temperature as a quartic in the entropy H (nats), highest
 * degree first: β(H) = −0.037H⁴ + 0.481H³ − 2.3H² + 4.917H − 1.791 (the JAX listing of "softmax is not
 * enough", arXiv 2410.01104, "see Figure 5").
 */
export const VELICKOVIC_COEFFICIENTS: readonly number[] = Object.freeze([-0.037, 0.481, -2.3, 4.917, -1.791]);

export interface AdaptiveTemperatureSoftmaxOptions {
  /**
   * Instead of the paper's polynomial rule, choose β per row so that H(softmax(β·z)) equals this
   * entropy (nats, ≥ 0), solved by safeguarded Newton/bisection to ~1e-14. Clamped: β = 0 (uniform)
   * when the target is ≥ ln(#unmasked), β = ∞ (uniform over the arg-max ties) when ≤ ln(#ties).
   */
  targetEntropy?: number;
  /** Polynomial rule: coefficients of β(H), highest degree first. Default `VELICKOVIC_COEFFICIENTS`. */
  coefficients?: readonly number[];
  /** Polynomial rule: rows with H ≤ this keep β = 1 ("don't overcorrect low-entropy heads"). Default 0.5. */
  entropyThreshold?: number;
  /**
   * vjp: `'stop'` (default) treats β as a constant (stop-gradient, as the paper's inference-time use and
   * its reference code, which compute the entropy outside the gradient); `'full'` also differentiates
   * through β's dependence on z.
   */
  gradient?: 'stop' | 'full';
}

interface AdaptiveParams {
  target: number | undefined;
  coefficients: readonly number[];
  threshold: number;
  full: boolean;
}

/** Row statistics of q = softmax(β·z) over the finite entries, relative to m = max z. */
interface Stats {
  /** Entropy of q (nats). */
  h: number;
  /** Variance of z under q. */
  v: number;
}

function statsAt(z: Float64Array, n: number, m: number, beta: number): Stats {
  let s = 0;
  let t = 0;
  let t2 = 0;
  for (let i = 0; i < n; i++) {
    if (z[i] === -Infinity) continue;
    const d = z[i] - m;
    const e = Math.exp(beta * d);
    s += e;
    t += e * d;
    t2 += e * d * d;
  }
  const mean = t / s;
  // H = −Σ q log q = log S − β·E_q[z − m]; Var_q z = E_q[(z − m)²] − E_q[z − m]².
  return { h: Math.log(s) - beta * mean, v: Math.max(0, t2 / s - mean * mean) };
}

function polyval(c: readonly number[], x: number): number {
  let v = 0;
  for (const k of c) v = v * x + k;
  return v;
}

function polyDerivative(c: readonly number[], x: number): number {
  let v = 0;
  const deg = c.length - 1;
  for (let i = 0; i < deg; i++) v = v * x + c[i] * (deg - i);
  return v;
}

/** Max, count of finite entries and of entries equal to the max; null when NaN/+∞ makes the row NaN. */
function scan(z: Float64Array, n: number): { m: number; count: number; ties: number } | null {
  let m = -Infinity;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = z[i];
    if (Number.isNaN(v) || v === Infinity) return null;
    if (v === -Infinity) continue;
    count++;
    if (v > m) m = v;
  }
  let ties = 0;
  for (let i = 0; i < n; i++) if (z[i] === m) ties++;
  return { m, count, ties };
}

/** β with H(softmax(β z)) = target, for ln(ties) < target < ln(count). */
function solveBeta(z: Float64Array, n: number, m: number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 2100 && statsAt(z, n, m, hi).h > target; k++) {
    lo = hi;
    hi *= 2;
  }
  let beta = 0.5 * (lo + hi);
  for (let iter = 0; iter < 200; iter++) {
    const { h, v } = statsAt(z, n, m, beta);
    const f = h - target;
    if (Math.abs(f) <= 1e-14 * Math.max(1, target)) break;
    if (f > 0) lo = beta;
    else hi = beta;
    // Newton on H(β) − target with dH/dβ = −β·Var_q(z); fall back to bisection outside (lo, hi).
    const step = beta + f / (beta * v);
    beta = Number.isFinite(step) && step > lo && step < hi ? step : 0.5 * (lo + hi);
    if (hi - lo <= 1e-15 * hi) break;
  }
  return beta;
}

/** The row's inverse temperature β (0 and ∞ possible for the target rule), or NaN for a NaN row. */
function betaOf(z: Float64Array, n: number, p: AdaptiveParams): { beta: number; m: number; h0: number } {
  const info = scan(z, n);
  if (!info || info.count === 0) return { beta: NaN, m: NaN, h0: NaN };
  const { m, count, ties } = info;
  if (p.target !== undefined) {
    if (p.target >= Math.log(count)) return { beta: 0, m, h0: NaN };
    if (p.target <= Math.log(ties)) return { beta: Infinity, m, h0: NaN };
    return { beta: solveBeta(z, n, m, p.target), m, h0: NaN };
  }
  const h0 = statsAt(z, n, m, 1).h;
  return { beta: h0 > p.threshold ? Math.max(polyval(p.coefficients, h0), 1) : 1, m, h0 };
}

/** y = softmax(β z) with β ∈ [0, ∞]: uniform over the unmasked entries at 0, over the arg-max ties at ∞. */
function scaledSoftmax(z: Float64Array, y: Float64Array, n: number, beta: number, m: number): void {
  if (beta === 0 || beta === Infinity) {
    let k = 0;
    for (let i = 0; i < n; i++) if (beta === 0 ? z[i] !== -Infinity : z[i] === m) k++;
    for (let i = 0; i < n; i++) y[i] = (beta === 0 ? z[i] !== -Infinity : z[i] === m) ? 1 / k : 0;
    return;
  }
  referenceBackend.softmaxRows(z, y, 1, n, beta, 'three-pass');
}

const spec: MappingSpec<AdaptiveParams> = {
  name: 'adaptiveTemperatureSoftmax',
  params(o) {
    if (o.targetEntropy !== undefined && (o.coefficients !== undefined || o.entropyThreshold !== undefined)) {
      fail('E_PARAM', 'targetEntropy', 'either targetEntropy or the polynomial rule (coefficients, entropyThreshold), not both', o.targetEntropy);
    }
    const target = o.targetEntropy === undefined ? undefined : finiteInRange(o.targetEntropy, 'targetEntropy', 0, Number.MAX_VALUE, 0);
    let coefficients = VELICKOVIC_COEFFICIENTS;
    if (o.coefficients !== undefined) {
      const c = o.coefficients as unknown;
      if (!Array.isArray(c) || c.length === 0 || c.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
        fail('E_PARAM', 'coefficients', 'a non-empty array of finite numbers (highest degree first)', c);
      }
      coefficients = c as number[];
    }
    const threshold = finiteInRange(o.entropyThreshold, 'entropyThreshold', 0, Number.MAX_VALUE, 0.5);
    const full = oneOf(o.gradient, 'gradient', ['stop', 'full'] as const, 'stop') === 'full';
    return { target, coefficients, threshold, full };
  },
  forward(z, y, { n, params }) {
    if (n === 0) return;
    const { beta, m } = betaOf(z, n, params);
    if (Number.isNaN(beta)) {
      y.fill(NaN, 0, n);
      return;
    }
    scaledSoftmax(z, y, n, beta, m);
  },
  vjp(_y, dy, dz, z, { n, params }) {
    if (n === 0) return;
    const zr = z!;
    const { beta, m, h0 } = betaOf(zr, n, params);
    if (Number.isNaN(beta)) {
      dz.fill(NaN, 0, n);
      return;
    }
    if (beta === Infinity) {
      dz.fill(0, 0, n); // a hard arg-max: locally constant
      return;
    }
    // The output recomputed in float64 from z (the given y may be float32-rounded, and the β terms below
    // take differences z_i − E_y[z] that rounding of a peaked y would spoil).
    const y = new Float64Array(n);
    scaledSoftmax(zr, y, n, beta, m);
    let dot = 0;
    for (let i = 0; i < n; i++) dot += dy[i] * y[i];
    for (let i = 0; i < n; i++) dz[i] = beta * y[i] * (dy[i] - dot);
    if (!params.full || beta === 0) return;
    // dL/dβ = Σ dy_i y_i (z_i − z̄), z̄ = E_y[z] (masked entries have y = 0 and are skipped).
    let zbar = 0;
    for (let i = 0; i < n; i++) if (y[i] !== 0) zbar += y[i] * zr[i];
    let dLdBeta = 0;
    for (let i = 0; i < n; i++) if (y[i] !== 0) dLdBeta += dy[i] * y[i] * (zr[i] - zbar);
    if (params.target !== undefined) {
      // Implicit function: H(softmax(βz)) = target ⇒ dβ/dz_k = −β·y_k·(z_k − z̄)/Var_y(z).
      const { v } = statsAt(zr, n, m, beta);
      for (let k = 0; k < n; k++) if (y[k] !== 0) dz[k] += (dLdBeta * -beta * y[k] * (zr[k] - zbar)) / v;
      return;
    }
    // Polynomial rule: β = poly(H₀) where H₀ > threshold and poly(H₀) > 1, else the constant 1.
    if (!(h0 > params.threshold) || !(polyval(params.coefficients, h0) > 1)) return;
    // dH₀/dz_k = −p_k·(z_k − E_p[z]), p = softmax(z).
    const p = new Float64Array(n);
    referenceBackend.softmaxRows(zr, p, 1, n, 1, 'three-pass');
    let pbar = 0;
    for (let i = 0; i < n; i++) if (p[i] !== 0) pbar += p[i] * zr[i];
    const dBetadH = polyDerivative(params.coefficients, h0);
    for (let k = 0; k < n; k++) if (p[k] !== 0) dz[k] += dLdBeta * dBetadH * -p[k] * (zr[k] - pbar);
  },
  needsX: true,
};

/**
 * Adaptive-temperature softmax: y = softmax(β·z), z = x/τ, with an inverse temperature β chosen per row
 * from the entropy of the row's distribution, so outputs stay sharp as rows grow longer.
 *
 * Veličković, Perivolaropoulos, Barbero, Pascanu, "softmax is not enough (for sharp out-of-distribution)"
 * (2024): for bounded logits, softmax must disperse toward 1/n as n grows; sharpening by an entropy-
 * dependent temperature at inference time mitigates it. Default rule (the paper's JAX listing):
 * H = entropy of softmax(z) in nats; β = max(poly(H), 1) if H > 0.5, else 1, with the quartic
 * `VELICKOVIC_COEFFICIENTS` (β ≥ 1: it never increases entropy). The listing adds 1e-9 inside the log
 * of its entropy; here H is exact (0·log 0 = 0), a difference below ~1e-8 in H. Alternative rule:
 * `targetEntropy` solves H(softmax(β z)) = target per row.
 *
 * - Special values: −∞ (masked) entries give 0 and do not count in the entropy. A fully masked row, or
 *   +∞ / NaN in a row, gives NaN for the row (softmax semantics). Length 1: y = [1]. Finite rows never
 *   give NaN.
 * - O(n) per row for the polynomial rule; O(n·k) for `targetEntropy` (k ≲ 60 Newton/bisection steps).
 *   Float64 inside; float32 in gives float32 out.
 *
 * `adaptiveTemperatureSoftmax.vjp(y, dy, { x, ...sameOptions })` needs x (to recompute β). With the
 * default `gradient: 'stop'`, β is a constant: dz = β·y ⊙ (dy − ⟨dy, y⟩). With `gradient: 'full'` it adds
 * (dL/dβ)·∇_z β, dL/dβ = Σ dy_i y_i (z_i − E_y z): for the polynomial rule ∇β = poly′(H)·∇H with
 * ∂H/∂z_k = −p_k (z_k − E_p z) (0 where β is clamped at 1); for the target rule, by the implicit function
 * theorem, ∂β/∂z_k = −β y_k (z_k − E_y z)/Var_y(z) (0 when β is clamped at 0 or ∞). dx = dz/τ.
 *
 * @example adaptiveTemperatureSoftmax([1, 0, 0, 0]) // H = 1.2683 > 0.5 → β = 1.6311: Float64Array [0.6301…, 0.1233…, 0.1233…, 0.1233…]
 */
export const adaptiveTemperatureSoftmax = defineMapping<AdaptiveTemperatureSoftmaxOptions, AdaptiveParams>(spec);
