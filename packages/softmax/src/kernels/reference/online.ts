import type { FloatArray } from '../../tensor/types.js';

/**
 * The online normaliser's state: running max `m` and running sum `d` of exp(z − m).
 * Pairs merge associatively (Milakov & Gimelshein 2018, arXiv 1805.02867):
 * (m_a, d_a) ⊕ (m_b, d_b) = (M, d_a·e^(m_a−M) + d_b·e^(m_b−M)), M = max(m_a, m_b).
 */
export interface OnlineState {
  m: number;
  d: number;
}

/** e^(a − M) with the convention that −∞ − (−∞) contributes nothing (an empty or all-masked part). */
function rescale(d: number, a: number, M: number): number {
  return a === M ? d : d * Math.exp(a - M);
}

/** Merges `b` into `a` (in place) and returns `a`. NaN in either side propagates. */
export function mergeOnline(a: OnlineState, b: OnlineState): OnlineState {
  if (a.m !== a.m || b.m !== b.m) {
    a.m = NaN;
    a.d = NaN;
    return a;
  }
  const M = Math.max(a.m, b.m);
  a.d = rescale(a.d, a.m, M) + rescale(b.d, b.m, M);
  a.m = M;
  return a;
}

/**
 * One read of z_i = s·x_i: m_j = max(m_{j−1}, z_j); d_j = d_{j−1}·e^(m_{j−1}−m_j) + e^(z_j−m_j).
 * Returns (m, d) with m = −∞, d = 0 for an empty or all-(−∞) row and NaN for rows holding NaN or +∞
 * (matching PyTorch, where +∞ − +∞ poisons the sum).
 */
export function onlineStatsRow(x: FloatArray, xo: number, n: number, s: number, state: OnlineState = { m: -Infinity, d: 0 }): OnlineState {
  let m = state.m;
  let d = state.d;
  for (let i = 0; i < n; i++) {
    const z = s * x[xo + i];
    if (z > m) {
      d = d * Math.exp(m - z) + 1;
      m = z;
    } else if (z === z) {
      // z ≤ m here, so m = −∞ means z = −∞ too: a masked entry before any kept one adds nothing.
      if (m !== -Infinity) d += Math.exp(z - m);
    } else {
      m = NaN;
      d = NaN;
      break;
    }
  }
  if (m === Infinity) d = NaN;
  state.m = m;
  state.d = d;
  return state;
}

/** Reference online-normaliser softmax of one row: stats in one read, then y_i = e^(s·x_i − m)/d. */
export function softmaxOnlineRow(x: FloatArray, xo: number, y: FloatArray, yo: number, n: number, s: number): void {
  if (n === 0) return;
  const { m, d } = onlineStatsRow(x, xo, n, s);
  for (let i = 0; i < n; i++) y[yo + i] = Math.exp(s * x[xo + i] - m) / d;
}
