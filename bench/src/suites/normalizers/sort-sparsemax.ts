/**
 * Sparsemax written the straightforward way, for the benchmark only: what a JavaScript user without
 * the library would write from the paper (Martins & Astudillo, "From Softmax to Sparsemax", ICML 2016,
 * Algorithm 1). Per row: copy, sort descending, find the support size k by the cumulative-sum rule
 *   k = max { j : 1 + j·z₍ⱼ₎ > Σ_{i ≤ j} z₍ᵢ₎ }   (z₍₁₎ ≥ z₍₂₎ ≥ … sorted),
 * then threshold τ = (Σ_{i ≤ k} z₍ᵢ₎ − 1) / k and y = max(z − τ, 0). O(n log n) per row; the output is
 * allocated by the call. −∞ entries (masked) get 0; NaN is not handled (the benchmark's inputs are finite).
 */
export function sortSparsemax(input: Float32Array, rows: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const off = r * n;
    // TypedArray#sort is a numeric ascending sort; reversed, it is the descending order of the paper.
    const sorted = input.slice(off, off + n).sort().reverse();
    let cumulative = 0;
    let supportSum = 0;
    let k = 0;
    for (let j = 1; j <= n; j++) {
      const z = sorted[j - 1];
      cumulative += z;
      // The rule holds for a prefix of j (then fails for good), so the first failure ends the search.
      if (1 + j * z > cumulative) {
        k = j;
        supportSum = cumulative;
      } else {
        break;
      }
    }
    const tau = (supportSum - 1) / k;
    for (let i = 0; i < n; i++) {
      const d = input[off + i] - tau;
      out[off + i] = d > 0 ? d : 0;
    }
  }
  return out;
}
