/**
 * The obvious top-k a user writes after `softmax`: one pass over each row keeping a descending buffer
 * of k (value, index) pairs, inserting by shifting. Ties keep the lower index (strict comparison).
 */
export function selectTopK(probs: Float32Array, rows: number, n: number, k: number): { indices: Int32Array; values: Float32Array } {
  const indices = new Int32Array(rows * k);
  const values = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const v = probs[r * n + i];
      if (count === k && !(v > values[base + k - 1])) continue;
      let j = count < k ? count++ : k - 1;
      while (j > 0 && v > values[base + j - 1]) {
        values[base + j] = values[base + j - 1];
        indices[base + j] = indices[base + j - 1];
        j--;
      }
      values[base + j] = v;
      indices[base + j] = i;
    }
  }
  return { indices, values };
}
