import type { FloatArray } from '../../tensor/types.js';
import { rowMax } from './rowMax.js';

/**
 * Reference three-pass ("safe", reloading) softmax of one row, in float64 arithmetic:
 * m = max x; e_i = exp(s·(x_i − m)); y_i = e_i / Σ e. `s` is the inverse temperature.
 * Special values follow PyTorch: −∞ entries give 0; a row that is all −∞, or holds +∞ or NaN, gives NaN.
 * O(n) time, no allocation; `y` may alias `x`.
 */
export function softmaxThreePassRow(x: FloatArray, xo: number, y: FloatArray, yo: number, n: number, s: number): void {
  if (n === 0) return;
  const m = rowMax(x, xo, n);
  if (y instanceof Float64Array) {
    let d = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(s * (x[xo + i] - m));
      y[yo + i] = e;
      d += e;
    }
    const inv = 1 / d;
    for (let i = 0; i < n; i++) y[yo + i] *= inv;
    return;
  }
  // Float32 output: recompute e_i instead of storing it, so the only float32 rounding is the final one
  // (and so y may alias x: each x_i is read before y_i is written).
  let d = 0;
  for (let i = 0; i < n; i++) d += Math.exp(s * (x[xo + i] - m));
  for (let i = 0; i < n; i++) y[yo + i] = Math.exp(s * (x[xo + i] - m)) / d;
}
