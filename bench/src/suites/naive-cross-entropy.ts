import { softmax } from 'softmax';

/**
 * Cross-entropy the way it is usually composed: materialise the [rows, classes] probability matrix
 * with `softmax`, then average −log p[label]. Same kernels as the fused version, so the difference
 * measured is the fusion (and the matrix it avoids), not the exp.
 */
export function materialisedCrossEntropy(logits: Float32Array, labels: Int32Array, rows: number, classes: number): number {
  const probs = softmax({ data: logits, dims: [rows, classes] }).data;
  let total = 0;
  for (let r = 0; r < rows; r++) total -= Math.log(probs[r * classes + labels[r]]);
  return total / rows;
}
