import type { FloatArray } from 'softmax';

/**
 * Fraction of the entries y[off, off + n) that are exactly 0, counting only the positions whose logit is
 * not −∞ (a masked entry is 0 under every mapping, so it says nothing about sparsity).
 */
export function rowSparsity(y: FloatArray, x: FloatArray, off: number, n: number): number {
  let zeros = 0;
  let counted = 0;
  for (let i = off; i < off + n; i++) {
    if (x[i] === -Infinity) continue;
    counted++;
    if (y[i] === 0) zeros++;
  }
  return counted === 0 ? 0 : zeros / counted;
}

/**
 * Shannon entropy in nats, −Σ p ln p, of p = y / Σy over y[off, off + n) (so also of outputs that do
 * not sum to one); 0 ln 0 = 0. Null when an entry is negative, NaN, or the sum is not positive (no
 * distribution to normalise to).
 */
export function rowEntropy(y: FloatArray, off: number, n: number): number | null {
  let sum = 0;
  for (let i = off; i < off + n; i++) {
    const v = y[i];
    if (!(v >= 0)) return null;
    sum += v;
  }
  if (!(sum > 0) || !Number.isFinite(sum)) return null;
  let h = 0;
  for (let i = off; i < off + n; i++) {
    const p = y[i] / sum;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

export function rowSum(y: FloatArray, off: number, n: number): number {
  let sum = 0;
  for (let i = off; i < off + n; i++) sum += y[i];
  return sum;
}
