import type { Labels } from '../../losses/labelledRows.js';
import { fail } from '../../tensor/errors.js';
import { optionsObject } from '../../tensor/options.js';
import type { Input } from '../../tensor/types.js';
import { confidenceRows } from './confidence.js';

export interface CascadeThresholdOptions {
  /**
   * The largest accepted loss of accuracy, in [0, 1], relative to deferring every row: the fraction of
   * all rows that are accepted and wrong. Required.
   */
  maxAccuracyLoss: number;
  /** Rows with this label are left out. Default −100. */
  ignoreIndex?: number;
}

export interface CascadeThresholdResult {
  /**
   * Accept a row iff its confidence (max probability) ≥ threshold. The smallest such value that meets the
   * budget, always one of the observed confidences; +∞ when even the most confident rows are wrong too
   * often (defer everything).
   */
  threshold: number;
  /** Fraction of rows accepted (answered by this model). */
  coverage: number;
  /** Accuracy on the accepted rows (NaN when none is accepted). */
  acceptedAccuracy: number;
  /** Accepted-and-wrong rows / all rows: the accuracy lost against a fallback that is always right. */
  accuracyLoss: number;
  /** Accuracy of this model on all rows (accepting everything). */
  overallAccuracy: number;
}

/**
 * Threshold of a two-stage confidence cascade (selective prediction; Geifman & El-Yaniv 2017, "Selective
 * Classification for Deep Neural Networks"): this model answers a row when its max-softmax confidence is
 * ≥ t and defers it to a fallback (a larger model, a human) otherwise.
 *
 * Definition: measured against a fallback that is always right, the cascade loses accuracy exactly on the
 * rows it accepts and gets wrong, so
 *   loss(t) = #{r : c_r ≥ t, argmax p_r ≠ y_r} / N,
 * which falls as t rises. `cascadeThreshold` returns the smallest t with loss(t) ≤ maxAccuracyLoss, i.e.
 * the largest coverage (fewest deferrals) within the budget. Equivalently coverage × (1 − acceptedAccuracy)
 * ≤ maxAccuracyLoss (the selective risk weighted by coverage). With a real fallback, the cascade's
 * accuracy is exactly 1 − loss(t) − (deferred rows the fallback gets wrong)/N.
 *
 * - Computed on held-out data; rows with equal confidence are accepted or deferred together, so the
 *   threshold is an observed confidence (any t in (next lower confidence, threshold] accepts the same rows).
 * - `maxAccuracyLoss ≥ 1 − overallAccuracy` accepts every row (threshold = the smallest confidence);
 *   0 accepts only the confident run of rows with no error above it.
 * - O(N·C + N log N). Errors: `E_PARAM` for maxAccuracyLoss missing or outside [0, 1]; input errors as
 *   `expectedCalibrationError`.
 */
export function cascadeThreshold(probs: Input, labels: Labels, opts: CascadeThresholdOptions): CascadeThresholdResult {
  const o = optionsObject(opts);
  const budget = o.maxAccuracyLoss;
  if (typeof budget !== 'number' || !(budget >= 0 && budget <= 1)) fail('E_PARAM', 'maxAccuracyLoss', 'a number in [0, 1]', budget);
  const { confidence, correct } = confidenceRows(probs, labels, o.ignoreIndex);
  const n = confidence.length;
  if (n === 0) fail('E_SHAPE', 'labels', 'at least one labelled row', 0);
  let totalCorrect = 0;
  for (let r = 0; r < n; r++) totalCorrect += correct[r];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[b] - confidence[a] || a - b);
  // Walk runs of equal confidence from the top; the errors only grow, so the feasible runs are a prefix.
  let threshold = Infinity;
  let accepted = 0;
  let acceptedCorrect = 0;
  let j = 0;
  while (j < n) {
    const c = confidence[order[j]];
    let k = j;
    let runCorrect = 0;
    while (k < n && confidence[order[k]] === c) runCorrect += correct[order[k++]];
    const errors = k - (acceptedCorrect + runCorrect);
    if (errors / n > budget) break;
    threshold = c;
    accepted = k;
    acceptedCorrect += runCorrect;
    j = k;
  }
  return {
    threshold,
    coverage: accepted / n,
    acceptedAccuracy: accepted > 0 ? acceptedCorrect / accepted : NaN,
    accuracyLoss: (accepted - acceptedCorrect) / n,
    overallAccuracy: totalCorrect / n,
  };
}
