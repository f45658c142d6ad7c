import type { FloatArray } from '../../tensor/types.js';

/** Columns of C accumulated at once in float64 when B is not transposed (a fixed, reused buffer). */
const TILE = 256;
const rowAcc = new Float64Array(TILE);

/**
 * Reference GEMM, float64 accumulation: C = alpha·op(A)·op(B) + beta·C (row-major, BLAS semantics).
 * op(A)[i, p] = A[ao + i·lda + p] (or A[ao + p·lda + i] when `transA`), op(B)[p, j] likewise.
 *
 * Each c_ij = alpha·Σ_p op(A)_ip·op(B)_pj (summed in float64, then rounded once into C's type) +
 * beta·c_ij. beta = 0 never reads C (NaN there does not propagate); alpha = 0 or k = 0 never reads A
 * or B, as in BLAS. Without `transB` the loop order is i–p–j over TILE columns (contiguous rows of B);
 * with `transB` each entry is a dot product of two rows. O(m·n·k) time, O(1) extra memory.
 */
export function gemmReference(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: FloatArray, ao: number, lda: number, b: FloatArray, bo: number, ldb: number,
  beta: number, c: FloatArray, co: number, ldc: number): void {
  if (m === 0 || n === 0) return;
  // Stride of op(A) along i and along p; likewise op(B) along p and j.
  const ai = transA ? 1 : lda;
  const ap = transA ? lda : 1;
  const bp = transB ? 1 : ldb;
  const bj = transB ? ldb : 1;
  const skipProduct = alpha === 0 || k === 0;
  for (let i = 0; i < m; i++) {
    const crow = co + i * ldc;
    const arow = ao + i * ai;
    if (skipProduct) {
      for (let j = 0; j < n; j++) c[crow + j] = beta === 0 ? 0 : beta * c[crow + j];
      continue;
    }
    if (transB) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        const bcol = bo + j * bj;
        for (let p = 0; p < k; p++) sum += a[arow + p * ap] * b[bcol + p * bp];
        c[crow + j] = beta === 0 ? alpha * sum : alpha * sum + beta * c[crow + j];
      }
      continue;
    }
    for (let j0 = 0; j0 < n; j0 += TILE) {
      const width = Math.min(TILE, n - j0);
      rowAcc.fill(0, 0, width);
      for (let p = 0; p < k; p++) {
        const aip = a[arow + p * ap];
        const brow = bo + p * bp + j0;
        for (let j = 0; j < width; j++) rowAcc[j] += aip * b[brow + j];
      }
      for (let j = 0; j < width; j++) {
        const idx = crow + j0 + j;
        c[idx] = beta === 0 ? alpha * rowAcc[j] : alpha * rowAcc[j] + beta * c[idx];
      }
    }
  }
}
