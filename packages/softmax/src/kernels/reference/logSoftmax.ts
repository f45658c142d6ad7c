import type { FloatArray } from '../../tensor/types.js';
import { rowMax } from './rowMax.js';

/**
 * Reference log-sum-exp of z = s·x over one row, float64: m + log Σ exp(z_i − m), m = max z.
 * Empty or all-(−∞) rows give −∞; a +∞ entry gives +∞; NaN gives NaN (torch.logsumexp semantics).
 */
export function logSumExpRow(x: FloatArray, xo: number, n: number, s: number): number {
  const m = s * rowMax(x, xo, n);
  if (m !== m) return NaN;
  if (m === Infinity || m === -Infinity) return m;
  let d = 0;
  for (let i = 0; i < n; i++) d += Math.exp(s * x[xo + i] - m);
  return m + Math.log(d);
}

/**
 * Reference log-softmax of one row: y_i = (s·x_i − m) − log Σ exp(s·x_j − m), m = max s·x. −∞ entries stay −∞; a row that is
 * all −∞, or holds +∞ or NaN, gives NaN everywhere (PyTorch). `y` may alias `x`.
 */
export function logSoftmaxRow(x: FloatArray, xo: number, y: FloatArray, yo: number, n: number, s: number): void {
  if (n === 0) return;
  const m = s * rowMax(x, xo, n);
  if (!Number.isFinite(m)) {
    for (let i = 0; i < n; i++) y[yo + i] = NaN;
    return;
  }
  let d = 0;
  for (let i = 0; i < n; i++) d += Math.exp(s * x[xo + i] - m);
  // (z_i − m) − log d, not z_i − (m + log d): the latter loses log d when |m| is huge.
  const c = Math.log(d);
  for (let i = 0; i < n; i++) y[yo + i] = s * x[xo + i] - m - c;
}
