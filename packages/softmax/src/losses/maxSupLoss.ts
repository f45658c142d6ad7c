import type { Labels } from '../ops/crossEntropy.js';
import { finiteInRange, optionsObject } from '../tensor/options.js';
import type { FloatArray, Input, TensorLike } from '../tensor/types.js';
import { labelledRowsLoss, labelledRowsVjp } from './labelledRows.js';

export interface MaxSupLossOptions {
  /** Weight α ≥ 0 of the MaxSup term. Default 0.1 (the start of the authors' 0.1 → 0.2 schedule). */
  alpha?: number;
  /** `'mean'` (default; over rows not ignored), `'sum'`, or `'none'` (one loss per row). */
  reduction?: 'mean' | 'sum' | 'none';
  /** Rows with this label contribute no loss and no gradient. Default −100 (as crossEntropy). */
  ignoreIndex?: number;
}

export interface MaxSupLossVjpOptions extends MaxSupLossOptions {
  /** The logits the loss was computed from (required). */
  x: Input;
  /** The labels the loss was computed with (required). */
  labels: Labels;
  /** Write the gradient here (the logits' float type and size). */
  out?: FloatArray | TensorLike;
}

/** Row statistics: max, its first index, log-sum-exp and mean. */
function rowStats(x: FloatArray, o: number, n: number): { max: number; arg: number; lse: number; mean: number } {
  let max = -Infinity;
  let arg = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = x[o + i];
    if (Number.isNaN(v)) return { max: NaN, arg: 0, lse: NaN, mean: NaN };
    if (v > max) {
      max = v;
      arg = i;
    }
    sum += v;
  }
  // ±∞ max: the log-sum-exp is that infinity (the loss is then ±∞ or NaN, as for crossEntropy).
  if (max === Infinity || max === -Infinity) return { max, arg, lse: max, mean: sum / n };
  let d = 0;
  for (let i = 0; i < n; i++) d += Math.exp(x[o + i] - max);
  return { max, arg, lse: max + Math.log(d), mean: sum / n };
}

function maxSupLossForward(logits: Input, labels: Labels, opts?: MaxSupLossOptions): number | FloatArray {
  const o = optionsObject(opts);
  const alpha = finiteInRange(o.alpha, 'alpha', 0, Number.MAX_VALUE, 0.1);
  return labelledRowsLoss(logits, labels, o, (x, off, n, y) => {
    const { max, lse, mean } = rowStats(x, off, n);
    return lse - x[off + y] + (alpha === 0 ? 0 : alpha * (max - mean));
  });
}

/**
 * Gradient w.r.t. the logits: scale_r·(softmax(z) − onehot(y) + α·(onehot(argmax z) − 1/C)), the
 * arg-max taken at its first index on ties (a subgradient). Ignored rows get 0. O(C) per row.
 */
function maxSupLossVjp(_y: number | Input, dy: number | ArrayLike<number>, opts: MaxSupLossVjpOptions): FloatArray | { data: FloatArray; dims: number[] } {
  const o = optionsObject(opts);
  const alpha = finiteInRange(o.alpha, 'alpha', 0, Number.MAX_VALUE, 0.1);
  return labelledRowsVjp('maxSupLoss', dy, o, (x, off, n, y, scale, g) => {
    const { arg, lse } = rowStats(x, off, n);
    for (let i = 0; i < n; i++) {
      let v = Math.exp(x[off + i] - lse) - (i === y ? 1 : 0);
      if (alpha !== 0) v += alpha * ((i === arg ? 1 : 0) - 1 / n);
      g[off + i] = scale * v;
    }
  });
}

/**
 * MaxSup loss: cross-entropy plus Max Suppression, loss_r = logSumExp(z_r) − z_{r,y_r} + α·(max_j z_{r,j} −
 * mean_j z_{r,j}).
 *
 * Zhou et al., "MaxSup: Overcoming Representation Collapse in Label Smoothing" (2025). Label smoothing
 * with weight ε equals cross-entropy + ε·(z_true − mean z); MaxSup penalises the top-1 logit instead of
 * the true one, so it regularises confident mistakes too and keeps intra-class feature variation. The
 * export is the whole training objective (cross-entropy + α·regulariser), a drop-in replacement for
 * `crossEntropy(…, { labelSmoothing: ε })`, as in the authors' code; α = 0 is plain cross-entropy.
 * Default α = 0.1 (the authors' code schedules α linearly from 0.1 to 0.2 over training: pass the
 * scheduled value per step).
 *
 * - `logits`: `{ data, dims: [..., classes] }` or one row; `labels` and reductions as crossEntropy
 *   (`ignoreIndex` default −100; `'mean'` over rows not ignored, NaN if every row is ignored).
 * - Edge cases: ties for the max use the first index in the gradient (a subgradient). A −∞ logit makes
 *   the mean −∞, so the loss is +∞ (do not mask classes with −∞ here); NaN gives NaN. One class: 0.
 * - O(C) per row, float64 accumulation; `'none'` returns per-row losses in the logits' float type.
 *
 * `maxSupLoss.vjp(y, dy, { x: logits, labels, ...options })` returns d loss / d logits.
 *
 * @example maxSupLoss([2, 0, -2], [1], { reduction: 'sum' }) // 2.1429… (CE) + 0.1·(2 − 0) = 2.3429…
 */
export const maxSupLoss = Object.assign(maxSupLossForward, { vjp: maxSupLossVjp });
