/**
 * The matrix product of the chunkwise linear-attention forms: C = alpha·op(A)·op(B) + beta·C on
 * row-major float64 scratch matrices. Delegates to the backend's `gemm` (kernels/backend.ts) when the
 * backend provides it, otherwise runs the plain loops below (same contract).
 */
import { backendFor } from '../kernels/dispatch.js';

/**
 * Reference gemm: op(A) is m×k, op(B) is k×n, lda/ldb/ldc are row strides of the stored matrices,
 * `transA`/`transB` mean the stored matrix is the transpose. beta = 0 ignores C's previous contents.
 * O(m·n·k), float64 accumulation.
 */
function loopGemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float64Array, ao: number, lda: number, b: Float64Array, bo: number, ldb: number,
  beta: number, c: Float64Array, co: number, ldc: number): void {
  if (transB && !transA) {
    // A Bᵀ: contiguous dot products of rows.
    for (let i = 0; i < m; i++) {
      const ar = ao + i * lda;
      const cr = co + i * ldc;
      for (let j = 0; j < n; j++) {
        const br = bo + j * ldb;
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[ar + p] * b[br + p];
        c[cr + j] = beta === 0 ? alpha * sum : beta * c[cr + j] + alpha * sum;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const cr = co + i * ldc;
    if (beta === 0) for (let j = 0; j < n; j++) c[cr + j] = 0;
    else if (beta !== 1) for (let j = 0; j < n; j++) c[cr + j] *= beta;
    for (let p = 0; p < k; p++) {
      const aip = alpha * (transA ? a[ao + p * lda + i] : a[ao + i * lda + p]);
      if (aip === 0) continue;
      if (transB) {
        for (let j = 0; j < n; j++) c[cr + j] += aip * b[bo + j * ldb + p];
      } else {
        const br = bo + p * ldb;
        for (let j = 0; j < n; j++) c[cr + j] += aip * b[br + j];
      }
    }
  }
}

/** C = alpha·op(A)·op(B) + beta·C on float64 matrices (see {@link loopGemm} for the argument order). */
export function gemm64(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float64Array, ao: number, lda: number, b: Float64Array, bo: number, ldb: number,
  beta: number, c: Float64Array, co: number, ldc: number): void {
  if (m === 0 || n === 0) return;
  const backend = backendFor(c);
  if (typeof (backend as { gemm?: unknown }).gemm === 'function') {
    backend.gemm(transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
    return;
  }
  loopGemm(transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
}
