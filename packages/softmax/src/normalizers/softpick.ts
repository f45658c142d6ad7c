import { finiteInRange } from '../tensor/options.js';
import { defineMapping, type MappingSpec } from './defineMapping.js';

export interface SoftpickOptions {
  /**
   * ε ≥ 0 in the denominator, in the units of the unshifted formula. Default 1e-8, the value of the
   * authors' reference implementation (zaydzuhri/softpick-attention, `naive_softpick_attn.py`).
   */
  eps?: number;
}

interface SoftpickParams {
  eps: number;
}

/** Largest entry of the row; NaN if any entry is NaN or +∞ (the whole row is then NaN). */
function rowMaxOrNaN(z: Float64Array, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = z[i];
    if (Number.isNaN(v) || v === Infinity) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/**
 * e^{z − m} − e^{−m} = e^{−m}·(e^{z} − 1) without overflow (z − m ≤ 0) and without cancellation near
 * z = 0 (expm1 there; the difference of exponentials elsewhere, where it loses at most a factor ~1.6).
 */
function shiftedExpMinusOne(v: number, m: number, c: number): number {
  return Math.abs(v) < 1 ? c * Math.expm1(v) : Math.exp(v - m) - c;
}

/** Denominator D' = Σ_{z_j finite} |e^{z_j − m} − e^{−m}| + ε·e^{−m} (= e^{−m}·D). */
function shiftedDenominator(z: Float64Array, n: number, m: number, c: number, eps: number): number {
  let d = 0;
  for (let i = 0; i < n; i++) {
    if (z[i] === -Infinity) continue;
    d += Math.abs(shiftedExpMinusOne(z[i], m, c));
  }
  return d + eps * c;
}

const spec: MappingSpec<SoftpickParams> = {
  name: 'softpick',
  params(o) {
    return { eps: finiteInRange(o.eps, 'eps', 0, Number.MAX_VALUE, 1e-8) };
  },
  forward(z, y, { n, params }) {
    const m = rowMaxOrNaN(z, n);
    if (Number.isNaN(m)) {
      y.fill(NaN, 0, n);
      return;
    }
    // No positive entry: every numerator ReLU(e^{z} − 1) is 0 (this covers fully masked rows, m = −∞).
    if (!(m > 0)) {
      y.fill(0, 0, n);
      return;
    }
    const c = Math.exp(-m);
    const d = shiftedDenominator(z, n, m, c, params.eps);
    for (let i = 0; i < n; i++) {
      const v = z[i];
      y[i] = v > 0 ? shiftedExpMinusOne(v, m, c) / d : 0;
    }
  },
  vjp(y, dy, dz, z, { n, params }) {
    const zr = z!;
    const m = rowMaxOrNaN(zr, n);
    if (Number.isNaN(m)) {
      dz.fill(NaN, 0, n);
      return;
    }
    if (!(m > 0)) {
      // y ≡ 0 on a neighbourhood (all z ≤ 0; at z_i = 0 the convention below gives 0 too).
      dz.fill(0, 0, n);
      return;
    }
    const c = Math.exp(-m);
    const d = shiftedDenominator(zr, n, m, c, params.eps);
    let dot = 0;
    for (let i = 0; i < n; i++) if (y[i] !== 0) dot += dy[i] * y[i];
    for (let k = 0; k < n; k++) {
      const v = zr[k];
      if (v === -Infinity || v === 0) {
        dz[k] = 0;
        continue;
      }
      const w = Math.exp(v - m) / d; // e^{z_k}/D
      dz[k] = v > 0 ? w * (dy[k] - dot) : w * dot;
    }
  },
  needsX: true,
};

/**
 * Softpick (rectified softmax): y_i = ReLU(e^{z_i} − 1) / (Σ_j |e^{z_j} − 1| + ε), z = x/τ.
 *
 * Zuhri, Fuadi, Aji, "Softpick: No Attention Sink, No Massive Activations with Rectified Softmax" (2025).
 * Entries with z_i ≤ 0 get exactly 0, and rows need not sum to 1: the sum is P/(P + N + ε) with
 * P = Σ_{z>0}(e^z − 1), N = Σ_{z<0}(1 − e^z), so a head can attend to nothing (sum 0 when no z_i > 0).
 *
 * - Computed with max subtraction, m = max_j z_j: numerator ReLU(e^{z_i − m} − e^{−m}), denominator
 *   Σ_j |e^{z_j − m} − e^{−m}| + ε·e^{−m}, which is the unshifted formula exactly (ε keeps its meaning at
 *   every scale; the authors' code adds ε after shifting instead, which differs only when Σ|e^z − 1| is
 *   below ~ε). e^{z} − 1 near 0 uses expm1, so small logits keep full relative accuracy. No overflow for
 *   any finite row (entries ±1e4 are fine).
 * - Special values: −∞ (masked) entries give 0 and are left out of the denominator, as in the authors'
 *   reference code (a masked key is absent, not a key with score −∞). A fully masked row, a row with
 *   no positive entry, and an empty row give all zeros (no NaN: "attend to nothing"). +∞ or NaN
 *   anywhere gives NaN for the row. Length 1: y = (e^z − 1)/(e^z − 1 + ε) for z > 0 (≈ 1), else 0.
 * - Not shift-invariant (z and z + c give different outputs), unlike softmax.
 * - O(n) per row, float64 inside; float32 in gives float32 out.
 *
 * `softpick.vjp(y, dy, { x, ...sameOptions })` needs the forward input x (entries with y = 0 still pass
 * gradient through the denominator): with D = Σ|e^{z_j} − 1| + ε,
 * dz_k = (e^{z_k}/D)·([z_k > 0]·dy_k − sign(z_k)·⟨dy, y⟩), then dx = dz/τ. At the kink z_k = 0 the
 * gradient of entry k is taken as 0 (ReLU′(0) = sign(0) = 0); masked entries get 0.
 *
 * @example softpick([2, 0, -1]) // Float64Array [0.90997…, 0, 0] = [(e² − 1)/((e² − 1) + 0 + (1 − e⁻¹) + ε), 0, 0]
 */
export const softpick = defineMapping<SoftpickOptions, SoftpickParams>(spec);
