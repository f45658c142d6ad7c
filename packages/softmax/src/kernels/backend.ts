import type { Algorithm, FloatArray } from '../tensor/types.js';

/** Concrete algorithm after dispatch. */
export type ConcreteAlgorithm = Exclude<Algorithm, 'auto'>;

/** Online-normaliser statistics of one row of z = s·x: max m and Σ exp(z − m). */
export interface RowStats {
  m: number;
  d: number;
}

/**
 * The arithmetic a backend provides, on contiguous rows (`rows` × `n`, C order). No validation and no
 * allocation proportional to the input happens here; `y` may alias `x`. `s` is the inverse temperature.
 */
/**
 * Softmax of length-1 rows: exactly 1 for a finite entry, NaN for ±∞ or NaN (x − x + 1), as PyTorch's
 * exp(x − x)/exp(x − x). Shared by the backends so no kernel has to get 1·(1/1) to round exactly.
 */
export function softmaxLengthOneRows(x: FloatArray, y: FloatArray, rows: number): void {
  for (let r = 0; r < rows; r++) y[r] = x[r] - x[r] + 1;
}

/**
 * One attention head for `Backend.attentionHead` (flash-attention forward, softmax normaliser). All
 * matrices are row-major with contiguous rows; offsets (`qo`, `ko`, …) are element offsets.
 */
export interface AttentionHeadArgs {
  /** Queries [lq, d]. */
  q: FloatArray;
  qo: number;
  /** Keys [lk, d]. */
  k: FloatArray;
  ko: number;
  /** Values [lk, dv]. */
  v: FloatArray;
  vo: number;
  /** Output [lq, dv], written. */
  o: FloatArray;
  oo: number;
  /**
   * [lq] written if non-null: ln Σ_j exp(s_ij) over kept keys, s_ij = scale·q_i·k_j + mask_ij;
   * −Infinity for a row with no kept key.
   */
  lse: FloatArray | null;
  lo: number;
  lq: number;
  lk: number;
  d: number;
  dv: number;
  scale: number;
  /** Query i keeps keys j ≤ i + causalOffset; Infinity = not causal. */
  causalOffset: number;
  /**
   * Additive mask: row i at mo + i·maskRowStride (0 = one row broadcast to all queries), lk entries;
   * −Infinity = masked. null = no mask.
   */
  mask: FloatArray | null;
  mo: number;
  maskRowStride: number;
}

export interface Backend {
  readonly name: 'wasm-simd' | 'reference';
  softmaxRows(x: FloatArray, y: FloatArray, rows: number, n: number, s: number, algorithm: Algorithm): void;
  logSoftmaxRows(x: FloatArray, y: FloatArray, rows: number, n: number, s: number): void;
  /** out[r] = log Σ_i exp(s·x[r, i]). */
  logSumExpRows(x: FloatArray, out: FloatArray, rows: number, n: number, s: number): void;
  /** Statistics of row x[xo .. xo+n) of z = s·x (the online normaliser, one read). */
  rowStats(x: FloatArray, xo: number, n: number, s: number): RowStats;
  /**
   * y[yo + i] = exp(s·x[xo + i] − m)·c + b for i < n: the output pass of the online path and the
   * cross-entropy gradient.
   */
  expScale(x: FloatArray, xo: number, y: FloatArray, yo: number, n: number, s: number, m: number, c: number, b: number): void;
  /**
   * Fused softmax + top-k of one row: fills `indices[io..io+k)` and `values[vo..vo+k)` with the k
   * largest entries' indices (ties by lower index) and their probabilities, in one read of the row.
   * Returns the row's statistics.
   */
  topKRow(x: FloatArray, xo: number, n: number, k: number, s: number, indices: Int32Array, io: number, values: FloatArray, vo: number): RowStats;
  /**
   * C = alpha·op(A)·op(B) + beta·C, row-major; op(A) is m×k, op(B) is k×n; lda/ldb/ldc are row strides
   * (elements) of the stored matrices; transA/transB mean the stored matrix is the transpose.
   * beta = 0 ignores C's previous contents (NaN there does not propagate).
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: FloatArray, ao: number, lda: number, b: FloatArray, bo: number, ldb: number,
    beta: number, c: FloatArray, co: number, ldc: number): void;
  /**
   * Flash-attention forward (softmax) of ONE head: o_i = Σ_j softmax_j(s_i·)·v_j over kept keys, with
   * the online normaliser over key tiles, never an lq×lk buffer. A row with no kept key gets o_i = 0 and
   * lse = −Infinity; NaN in inputs propagates to that row.
   */
  attentionHead(args: AttentionHeadArgs): void;
}
