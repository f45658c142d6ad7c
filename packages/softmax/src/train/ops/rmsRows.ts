/**
 * The row kernels of RMS normalisation, shared by `rmsNorm` (γ per entry, mean over the row) and
 * `quaternionRmsNorm` (γ per quaternion unit, mean over the units). A row has `width` entries; γ has
 * `period` entries and entry i of a row uses γ[i mod period] (period = width, or the unit count U with
 * width = 4U); the mean square divides by `count`. Entries are visited in index order, so both ops
 * keep their float64 sums exactly.
 */
import type { FloatArray } from '../../tensor/types.js';

/**
 * inv_r = 1/√(Σ_i x_ri²/count + ε) and y_ri = x_ri·inv_r·γ[i mod period] for `rows` rows of `width`
 * entries. O(rows·width).
 */
export function rmsForwardRows(xd: FloatArray, y: FloatArray, inv: Float64Array, rows: number, width: number,
  period: number, count: number, gamma: ArrayLike<number>, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    let ss = 0;
    for (let i = 0; i < width; i++) ss += xd[o + i] * xd[o + i];
    const v = 1 / Math.sqrt(ss / count + eps);
    inv[r] = v;
    for (let c = o; c < o + width; c += period) for (let u = 0; u < period; u++) y[c + u] = xd[c + u] * v * gamma[u];
  }
}

/**
 * Backward of {@link rmsForwardRows}, with ĝ = g ⊙ γ: dx = ĝ·inv − x·(Σ ĝ ⊙ x)·inv³/count (written), and
 * dγ[u] += Σ_rows Σ_{i ≡ u} g_i·x_i·inv when `dw` is given. O(rows·width).
 */
export function rmsBackwardRows(g: FloatArray, xd: FloatArray, inv: Float64Array, rows: number, width: number,
  period: number, count: number, gamma: ArrayLike<number>, dx: FloatArray, dw: FloatArray | null): void {
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    const v = inv[r];
    let dot = 0;
    for (let c = o; c < o + width; c += period) {
      for (let u = 0; u < period; u++) {
        dot += g[c + u] * gamma[u] * xd[c + u];
        if (dw) dw[u] += g[c + u] * xd[c + u] * v;
      }
    }
    const k = (dot / count) * v * v * v;
    for (let c = o; c < o + width; c += period) for (let u = 0; u < period; u++) dx[c + u] = g[c + u] * gamma[u] * v - xd[c + u] * k;
  }
}
