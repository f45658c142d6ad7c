import { referenceBackend } from '../kernels/reference/backend.js';
import { defineMapping, type MappingSpec } from './defineMapping.js';

export interface SelfAdjustSoftmaxOptions {
  /**
   * Use the normalised variant y = u ⊙ softmax(z), u = (z − lo)/(hi − lo), lo = min(z_min, 0),
   * hi = max(0, z_max), so the factor lies in [0, 1]. Default false (y = z ⊙ softmax(z)).
   */
  normalized?: boolean;
}

interface SelfAdjustParams {
  normalized: boolean;
}

/** The range of the normalised variant over the finite entries: lo, hi and the entries selecting them. */
interface Range {
  lo: number;
  hi: number;
  /** Index of the minimum when lo = z_min < 0, else −1 (lo is the constant 0). */
  argLo: number;
  /** Index of the maximum when hi = z_max > 0, else −1. */
  argHi: number;
}

function rangeOf(z: Float64Array, n: number): Range {
  let lo = 0;
  let hi = 0;
  let argLo = -1;
  let argHi = -1;
  for (let i = 0; i < n; i++) {
    const v = z[i];
    if (v === -Infinity) continue;
    if (v < lo) {
      lo = v;
      argLo = i;
    }
    if (v > hi) {
      hi = v;
      argHi = i;
    }
  }
  return { lo, hi, argLo, argHi };
}

const spec: MappingSpec<SelfAdjustParams> = {
  name: 'selfAdjustSoftmax',
  params: (o) => ({ normalized: o.normalized === true }),
  forward(z, y, { n, params }) {
    if (n === 0) return;
    referenceBackend.softmaxRows(z, y, 1, n, 1, 'three-pass');
    if (Number.isNaN(y[0])) return; // fully masked, +∞ or NaN: the softmax's NaN row
    if (!params.normalized) {
      for (let i = 0; i < n; i++) y[i] = z[i] === -Infinity ? 0 : z[i] * y[i];
      return;
    }
    const { lo, hi } = rangeOf(z, n);
    const w = hi - lo;
    // w = 0 only for an all-zero row (masked entries aside): u = 0/0, defined as 0.
    for (let i = 0; i < n; i++) y[i] = z[i] === -Infinity || w === 0 ? 0 : ((z[i] - lo) / w) * y[i];
  },
  vjp(y, dy, dz, z, { n, params }) {
    if (n === 0) return;
    const zr = z!;
    const p = new Float64Array(n);
    referenceBackend.softmaxRows(zr, p, 1, n, 1, 'three-pass');
    if (Number.isNaN(p[0])) {
      dz.fill(NaN, 0, n);
      return;
    }
    // B = ⟨dy, y⟩ over the unmasked entries (masked y is 0).
    let B = 0;
    for (let i = 0; i < n; i++) if (zr[i] !== -Infinity) B += dy[i] * y[i];
    if (!params.normalized) {
      // y_i = z_i p_i: dz_k = p_k·(dy_k·(1 + z_k) − ⟨dy, y⟩).
      for (let k = 0; k < n; k++) dz[k] = zr[k] === -Infinity ? 0 : p[k] * (dy[k] * (1 + zr[k]) - B);
      return;
    }
    const { lo, hi, argLo, argHi } = rangeOf(zr, n);
    const w = hi - lo;
    if (w === 0) {
      dz.fill(0, 0, n);
      return;
    }
    // y_i = u_i p_i, u_i = (z_i − lo)/w: dz_k = p_k·dy_k/w + p_k·(dy_k·u_k − B) − [k = argLo]·(A − B)/w
    // − [k = argHi]·B/w, A = ⟨dy, p⟩ (lo and hi move with the entries that select them).
    let A = 0;
    for (let i = 0; i < n; i++) if (zr[i] !== -Infinity) A += dy[i] * p[i];
    for (let k = 0; k < n; k++) {
      if (zr[k] === -Infinity) {
        dz[k] = 0;
        continue;
      }
      const u = (zr[k] - lo) / w;
      dz[k] = (p[k] * dy[k]) / w + p[k] * (dy[k] * u - B);
    }
    if (argLo >= 0) dz[argLo] += (B - A) / w;
    if (argHi >= 0) dz[argHi] -= B / w;
  },
  needsX: true,
};

/**
 * Self-adjust softmax (SA-Softmax): y = z ⊙ softmax(z), z = x/τ; with `normalized: true`,
 * y = (z − lo)/(hi − lo) ⊙ softmax(z), lo = min(z_min, 0), hi = max(0, z_max).
 *
 * "Self-Adjust Softmax" (SA-Softmax, 2025; the library's paper notes give only the formulas): scaling each
 * weight by its own score keeps gradients from vanishing when softmax saturates. The plain variant gives signed weights that need not sum to 1
 * (negative scores give negative weights); the normalised variant's factor is in [0, 1], so
 * 0 ≤ y_i ≤ softmax(z)_i. Neither is shift-invariant.
 *
 * - Special values: −∞ (masked) entries give 0 (not −∞·0) and are left out of z_min/z_max. A fully
 *   masked row, or +∞ / NaN in a row, gives NaN for the row (softmax semantics). An all-zero row in
 *   the normalised variant gives 0 (hi = lo = 0; u = 0/0 taken as 0). Length 1: y = z (plain); 1 for
 *   z > 0 and 0 for z ≤ 0 (normalised). Finite rows never give NaN; ±1e4-scale rows are fine.
 * - O(n) per row, float64 inside; float32 in gives float32 out.
 *
 * `selfAdjustSoftmax.vjp(y, dy, { x, ...sameOptions })` needs x. With p = softmax(z) and B = ⟨dy, y⟩:
 * plain dz_k = p_k·(dy_k·(1 + z_k) − B); normalised, with A = ⟨dy, p⟩ and u_k = (z_k − lo)/w,
 * w = hi − lo: dz_k = p_k·dy_k/w + p_k·(dy_k·u_k − B), plus (B − A)/w at the entry that is the minimum
 * when z_min < 0 and −B/w at the maximum when z_max > 0. That is, min and max are treated as piecewise
 * selections of one entry (exact wherever the arg-min/arg-max are unique; on ties the first index is
 * used); where lo or hi is the constant 0 no term is added. An all-zero row (where the normalised map
 * is discontinuous) gets 0. dx = dz/τ; masked entries get 0.
 *
 * @example selfAdjustSoftmax([1, 0]) // [1·e/(e + 1), 0] = Float64Array [0.7310…, 0]
 */
export const selfAdjustSoftmax = defineMapping<SelfAdjustSoftmaxOptions, SelfAdjustParams>(spec);
