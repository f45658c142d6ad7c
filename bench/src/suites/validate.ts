/** Largest |a[i] − b[i]|; Infinity if the lengths differ or a value is NaN where the other is not. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
  }
  return max;
}

/** Row-wise softmax in float64, the reference our own output is checked against. */
export function referenceSoftmax(input: Float32Array, rows: number, n: number): Float64Array {
  const out = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const start = r * n;
    let max = -Infinity;
    for (let i = 0; i < n; i++) max = Math.max(max, input[start + i]);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += out[start + i] = Math.exp(input[start + i] - max);
    for (let i = 0; i < n; i++) out[start + i] /= sum;
  }
  return out;
}
