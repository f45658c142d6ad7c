/**
 * The three float64 matrix products of the attention tile arena (tiles.ts) and the score tiles, on
 * row-major Float64Array blocks with explicit offsets and row strides, C (+)= alpha·op(A)·op(B).
 * Float64-only and register-blocked (A·Bᵀ: 2 rows × 4 columns of dot products per sweep; A·B and Aᵀ·B:
 * four rank-1 updates per sweep of a C row), which measured 2–4× faster than the generic
 * mixed-type `gemm` of the reference backend on these shapes. Each c entry is a float64 sum in index
 * order of p (up to the unrolling's pairing); zeros are multiplied like any value, so NaN and ±∞
 * propagate as in BLAS-free reference arithmetic. O(m·n·k), no allocation.
 */

/** C[i, j] = alpha·Σ_p A[i, p]·B[j, p]  (C = alpha·A·Bᵀ, overwrites C). */
export function matmulNT(m: number, n: number, k: number, a: Float64Array, ao: number, lda: number,
  b: Float64Array, bo: number, ldb: number, c: Float64Array, co: number, ldc: number, alpha = 1): void {
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = ao + i * lda;
    const a1 = a0 + lda;
    const c0 = co + i * ldc;
    const c1 = c0 + ldc;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = bo + j * ldb;
      const b1 = b0 + ldb;
      const b2 = b1 + ldb;
      const b3 = b2 + ldb;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[a0 + p];
        const y = a[a1 + p];
        const v0 = b[b0 + p];
        const v1 = b[b1 + p];
        const v2 = b[b2 + p];
        const v3 = b[b3 + p];
        s00 += x * v0;
        s01 += x * v1;
        s02 += x * v2;
        s03 += x * v3;
        s10 += y * v0;
        s11 += y * v1;
        s12 += y * v2;
        s13 += y * v3;
      }
      c[c0 + j] = alpha * s00;
      c[c0 + j + 1] = alpha * s01;
      c[c0 + j + 2] = alpha * s02;
      c[c0 + j + 3] = alpha * s03;
      c[c1 + j] = alpha * s10;
      c[c1 + j + 1] = alpha * s11;
      c[c1 + j + 2] = alpha * s12;
      c[c1 + j + 3] = alpha * s13;
    }
    for (; j < n; j++) {
      const br = bo + j * ldb;
      let s0 = 0;
      let s1 = 0;
      for (let p = 0; p < k; p++) {
        const v = b[br + p];
        s0 += a[a0 + p] * v;
        s1 += a[a1 + p] * v;
      }
      c[c0 + j] = alpha * s0;
      c[c1 + j] = alpha * s1;
    }
  }
  for (; i < m; i++) {
    const ar = ao + i * lda;
    const cr = co + i * ldc;
    for (let j = 0; j < n; j++) {
      const br = bo + j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ar + p] * b[br + p];
      c[cr + j] = alpha * s;
    }
  }
}

/**
 * C row cr (n entries) += Σ_{p<k} x_p·B[bo + p·ldb ..], x_p = alpha·a[ar + p·as]: four rank-1
 * updates per sweep of the row.
 */
function rowUpdate(n: number, k: number, alpha: number, a: Float64Array, ar: number, as: number,
  b: Float64Array, bo: number, ldb: number, c: Float64Array, cr: number): void {
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const x0 = alpha * a[ar + p * as];
    const x1 = alpha * a[ar + (p + 1) * as];
    const x2 = alpha * a[ar + (p + 2) * as];
    const x3 = alpha * a[ar + (p + 3) * as];
    const b0 = bo + p * ldb;
    const b1 = b0 + ldb;
    const b2 = b1 + ldb;
    const b3 = b2 + ldb;
    for (let j = 0; j < n; j++) c[cr + j] += x0 * b[b0 + j] + x1 * b[b1 + j] + x2 * b[b2 + j] + x3 * b[b3 + j];
  }
  for (; p < k; p++) {
    const x = alpha * a[ar + p * as];
    const br = bo + p * ldb;
    for (let j = 0; j < n; j++) c[cr + j] += x * b[br + j];
  }
}

/**
 * C rows c0 and c1 (n entries each) += Σ_{p<k} x_p·B[bo + p·ldb ..] with x_p = alpha·a[a0 + p·as] for
 * row c0 and alpha·a[a1 + p·as] for row c1: two rows share each load of B, two p per sweep.
 */
function rowPairUpdate(n: number, k: number, alpha: number, a: Float64Array, a0: number, a1: number, as: number,
  b: Float64Array, bo: number, ldb: number, c: Float64Array, c0: number, c1: number): void {
  let p = 0;
  for (; p + 2 <= k; p += 2) {
    const x0 = alpha * a[a0 + p * as];
    const x1 = alpha * a[a0 + (p + 1) * as];
    const y0 = alpha * a[a1 + p * as];
    const y1 = alpha * a[a1 + (p + 1) * as];
    const b0 = bo + p * ldb;
    const b1 = b0 + ldb;
    for (let j = 0; j < n; j++) {
      const u = b[b0 + j];
      const v = b[b1 + j];
      c[c0 + j] += x0 * u + x1 * v;
      c[c1 + j] += y0 * u + y1 * v;
    }
  }
  if (p < k) {
    const x = alpha * a[a0 + p * as];
    const y = alpha * a[a1 + p * as];
    const br = bo + p * ldb;
    for (let j = 0; j < n; j++) {
      const u = b[br + j];
      c[c0 + j] += x * u;
      c[c1 + j] += y * u;
    }
  }
}

/** C[i, j] (= or +=) alpha·Σ_p A[i, p]·B[p, j]  (C = alpha·A·B, or C += alpha·A·B when `accumulate`). */
export function matmulNN(m: number, n: number, k: number, a: Float64Array, ao: number, lda: number,
  b: Float64Array, bo: number, ldb: number, c: Float64Array, co: number, ldc: number, accumulate: boolean, alpha = 1): void {
  if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, co + i * ldc, co + i * ldc + n);
  let i = 0;
  for (; i + 2 <= m; i += 2) rowPairUpdate(n, k, alpha, a, ao + i * lda, ao + (i + 1) * lda, 1, b, bo, ldb, c, co + i * ldc, co + (i + 1) * ldc);
  if (i < m) rowUpdate(n, k, alpha, a, ao + i * lda, 1, b, bo, ldb, c, co + i * ldc);
}

/** C[i, j] += alpha·Σ_p A[p, i]·B[p, j]  (C += alpha·Aᵀ·B; A is stored k × m). */
export function matmulTNAccumulate(m: number, n: number, k: number, a: Float64Array, ao: number, lda: number,
  b: Float64Array, bo: number, ldb: number, c: Float64Array, co: number, ldc: number, alpha = 1): void {
  let i = 0;
  for (; i + 2 <= m; i += 2) rowPairUpdate(n, k, alpha, a, ao + i, ao + i + 1, lda, b, bo, ldb, c, co + i * ldc, co + (i + 1) * ldc);
  if (i < m) rowUpdate(n, k, alpha, a, ao + i, lda, b, bo, ldb, c, co + i * ldc);
}
