import type { FloatArray } from '../../tensor/types.js';
import { softmaxThreePassRow } from './threePass.js';

const LOG2E = Math.LOG2E;
// fdlibm's split of ln 2: LN2_HI has 32 trailing zero bits, so k·LN2_HI is exact for |k| < 2^20.
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
/** Above this |z| the reduction would lose accuracy (and far above it, overflow): use three-pass. */
const LIMIT = 700;

/**
 * Reference two-pass softmax (Dukhan & Ablavatski 2020, arXiv 2001.04438), float64 arithmetic.
 * Each exp(s·x_i) is held as p_i·2^(n_i) with n_i = round(s·x_i·log2 e), p_i = exp(s·x_i − n_i·ln 2) ∈ [1/√2, √2].
 * Pass 1 accumulates Σ as (v, e) with exponent tracking: e' = max(e, n_i), v = v·2^(e−e') + p_i·2^(n_i−e').
 * Pass 2 writes y_i = (p_i / v)·2^(n_i − e). No max pass; rescaling is an exact power-of-two multiply.
 * Rows with |s·x_i| > 700 or non-finite entries take the three-pass path (which defines the
 * special-value semantics), as the WebAssembly kernel does.
 */
export function softmaxTwoPassRow(x: FloatArray, xo: number, y: FloatArray, yo: number, n: number, s: number): void {
  if (n === 0) return;
  let v = 0;
  let e = -Infinity;
  for (let i = 0; i < n; i++) {
    const z = s * x[xo + i];
    if (!(Math.abs(z) <= LIMIT)) {
      softmaxThreePassRow(x, xo, y, yo, n, s);
      return;
    }
    const k = Math.round(z * LOG2E);
    const p = Math.exp(z - k * LN2_HI - k * LN2_LO);
    if (k > e) {
      v = v * 2 ** (e - k) + p;
      e = k;
    } else {
      v += p * 2 ** (k - e);
    }
  }
  const inv = 1 / v;
  for (let i = 0; i < n; i++) {
    const z = s * x[xo + i];
    const k = Math.round(z * LOG2E);
    y[yo + i] = Math.exp(z - k * LN2_HI - k * LN2_LO) * inv * 2 ** (k - e);
  }
}
