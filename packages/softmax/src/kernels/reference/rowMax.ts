import type { FloatArray } from '../../tensor/types.js';

/**
 * max_i x[xo + i], propagating NaN (a NaN anywhere gives NaN, as PyTorch's max does); −∞ for n = 0.
 */
export function rowMax(x: FloatArray, xo: number, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[xo + i];
    if (v > m || v !== v) {
      m = v;
      if (v !== v) return NaN;
    }
  }
  return m;
}
