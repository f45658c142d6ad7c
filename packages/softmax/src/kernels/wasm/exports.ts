/** The functions the kernels module exports (assembly/index.ts); pointers are byte offsets. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  softmaxRowsF32(x: number, y: number, rows: number, n: number, s: number, algorithm: number): void;
  logSoftmaxRowsF32(x: number, y: number, rows: number, n: number, s: number): void;
  logSumExpRowsF32(x: number, out: number, rows: number, n: number, s: number): void;
  onlineStatsF32(x: number, n: number, s: number): void;
  statsM(): number;
  statsD(): number;
  expScaleF32(x: number, y: number, n: number, s: number, m: number, c: number, b: number): void;
  expF32(x: number, y: number, n: number): void;
  topKBegin(k: number, vals: number, idx: number): void;
  topKUpdate(x: number, n: number, s: number, base: number): void;
  topKMax(): number;
  topKSum(): number;
  topKCount(): number;
  gemmF32(transA: number, transB: number, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void;
  attentionHeadF32(q: number, k: number, v: number, o: number, lse: number, lq: number, lk: number, d: number, dv: number,
    scale: number, causal: number, causalOffset: number, mask: number, maskStride: number): void;
}

/** Algorithm codes of softmaxRowsF32 (assembly/index.ts). */
export const ALGORITHM_CODE = { 'three-pass': 0, 'two-pass': 1, online: 2 } as const;
