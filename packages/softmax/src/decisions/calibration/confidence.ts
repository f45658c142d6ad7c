import { parseLabelledRows, type Labels } from '../../losses/labelledRows.js';
import { fail } from '../../tensor/errors.js';
import type { Input } from '../../tensor/types.js';

/** Per-row top-label confidence and correctness of the labelled rows (ignored rows left out). */
export interface ConfidenceRows {
  /** max_j p_{r,j}. */
  confidence: Float64Array;
  /** 1 when argmax_j p_{r,j} (ties: lowest index) equals the label, else 0. */
  correct: Uint8Array;
}

/**
 * Validates probabilities `{ data, dims: [..., classes] }` (or one row) and one label per row, and reduces
 * each labelled row to (confidence, correct). Entries must be finite and in [0, 1] (rows are not required
 * to sum to 1: the confidence is the largest entry as given). Rows labelled `ignoreIndex` are dropped.
 */
export function confidenceRows(probs: Input, labels: Labels, ignoreIndex: unknown): ConfidenceRows {
  const c = parseLabelledRows(probs, labels, { ignoreIndex });
  const n = c.classes;
  if (n === 0) fail('E_SHAPE', 'probs', 'at least one class', 0);
  const p = c.view.data;
  const confidence = new Float64Array(c.valid);
  const correct = new Uint8Array(c.valid);
  let k = 0;
  for (let r = 0; r < c.rows; r++) {
    if (c.labels[r] === c.ignoreIndex) continue;
    let best = -1;
    let arg = 0;
    for (let i = 0; i < n; i++) {
      const v = p[r * n + i];
      if (!(v >= 0 && v <= 1)) fail('E_INPUT', `probs row ${r}`, 'probabilities in [0, 1] (pass softmax(logits), not logits)', v);
      if (v > best) {
        best = v;
        arg = i;
      }
    }
    confidence[k] = best;
    correct[k] = arg === c.labels[r] ? 1 : 0;
    k++;
  }
  return { confidence, correct };
}
