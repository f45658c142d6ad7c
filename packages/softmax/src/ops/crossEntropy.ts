import { backendFor } from '../kernels/dispatch.js';
import { finiteInRange, optionsObject } from '../tensor/options.js';
import { labelledRowsLoss, labelledRowsVjp, type Labels } from '../losses/labelledRows.js';
import type { FloatArray, Input, TensorLike } from '../tensor/types.js';

export type { Labels } from '../losses/labelledRows.js';

export interface CrossEntropyOptions {
  /** `'mean'` (default; over rows not ignored), `'sum'`, or `'none'` (one loss per row). */
  reduction?: 'mean' | 'sum' | 'none';
  /** ε ∈ [0, 1]: the target is (1 − ε)·onehot + ε/C (PyTorch's label_smoothing). Default 0. */
  labelSmoothing?: number;
  /** Rows with this label contribute no loss and no gradient. Default −100 (PyTorch). */
  ignoreIndex?: number;
}

export interface CrossEntropyVjpOptions extends CrossEntropyOptions {
  /** The logits the loss was computed from (required). */
  x: Input;
  /** The labels the loss was computed with (required). */
  labels: Labels;
  /** Write the gradient here (the logits' float type and size). */
  out?: FloatArray | TensorLike;
}

function crossEntropyForward(logits: Input, labels: Labels, opts?: CrossEntropyOptions): number | FloatArray {
  const o = optionsObject(opts);
  const eps = finiteInRange(o.labelSmoothing, 'labelSmoothing', 0, 1, 0);
  // One read of each row for the statistics (plus one for Σz when ε > 0); O(1) memory per row.
  return labelledRowsLoss(logits, labels, o, (x, off, n, y) => {
    const { m, d } = backendFor(x).rowStats(x, off, n, 1);
    const lse = m + Math.log(d);
    if (eps === 0) return lse - x[off + y];
    let sum = 0;
    for (let i = off; i < off + n; i++) sum += x[i];
    return lse - (1 - eps) * x[off + y] - (eps / n) * sum;
  });
}

/**
 * Gradient of the loss w.r.t. the logits: scale_r·(softmax(z_r) − (1 − ε)·onehot(y_r) − ε/C), with
 * scale_r = dy (sum), dy / (rows not ignored) (mean) or dy[r] (none); ignored rows get 0. Recomputes the
 * row statistics (flash-style) and writes the gradient row by row: extra memory O(1) per row.
 */
function crossEntropyVjp(_y: number | Input, dy: number | ArrayLike<number>, opts: CrossEntropyVjpOptions): FloatArray | { data: FloatArray; dims: number[] } {
  const o = optionsObject(opts);
  const eps = finiteInRange(o.labelSmoothing, 'labelSmoothing', 0, 1, 0);
  return labelledRowsVjp('crossEntropy', dy, o, (x, off, n, y, scale, g) => {
    const backend = backendFor(x);
    const { m, d } = backend.rowStats(x, off, n, 1);
    backend.expScale(x, off, g, off, n, 1, m, scale / d, (-scale * eps) / n);
    g[off + y] -= scale * (1 - eps);
  });
}

/**
 * Fused cross-entropy from logits: loss_r = logSumExp(z_r) − (1 − ε)·z_{r,y_r} − (ε/C)·Σ_j z_{r,j}, computed
 * row by row with the online normaliser, so the probability matrix is never stored: extra memory is
 * O(rows) (the per-row losses; O(1) for 'mean'/'sum' beyond those), never O(rows × classes).
 *
 * - `logits`: `{ data, dims: [..., classes] }` (rows = product of the leading dims) or one row.
 * - `labels`: one integer per row in [0, classes), or `ignoreIndex` (default −100, PyTorch).
 * - Returns a number for `'mean'` (NaN if every row is ignored, as PyTorch) and `'sum'`, or per-row
 *   losses in the logits' float type for `'none'`.
 *
 * `crossEntropy.vjp(y, dy, { x: logits, labels, ...options })` returns d loss / d logits.
 */
export const crossEntropy = Object.assign(crossEntropyForward, { vjp: crossEntropyVjp });
