// WebAssembly SIMD kernels of the softmax package. Built by scripts/build-wasm.mjs with AssemblyScript
// (--runtime minimal: the TLSF allocator behind alloc/free, no automatic collection).
// Every pointer is a byte offset into this module's memory; the host owns all buffers it allocates.

import { softmaxThreePassF32, softmaxOnlineF32, onlineStatsF32, expScaleF32, statsM, statsD } from './softmax';
import { softmaxTwoPassF32 } from './twoPass';
import { logSoftmaxF32, logSumExpF32 } from './logSoftmax';
import { expF32 } from './exp';
import { maxF32 } from './reduce';

export { softmaxThreePassF32, softmaxOnlineF32, softmaxTwoPassF32, onlineStatsF32, expScaleF32, statsM, statsD };
export { logSoftmaxF32, logSumExpF32, expF32, maxF32 };
export { topKBegin, topKUpdate, topKMax, topKSum, topKCount } from './topK';
export { gemmF32 } from './gemm';
export { attentionHeadF32 } from './attention';

/** Allocates `bytes` bytes, 16-byte aligned; may grow memory (the host then refreshes its views). */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Algorithm codes shared with the host (src/kernels/wasm/backend.ts). */
const THREE_PASS = 0;
const TWO_PASS = 1;
const ONLINE = 2;

/** Softmax of `rows` contiguous rows of n floats; one call per batch keeps host overhead out of small rows. */
export function softmaxRowsF32(x: usize, y: usize, rows: i32, n: i32, s: f64, algorithm: i32): void {
  const stride = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * stride;
    if (algorithm == TWO_PASS) softmaxTwoPassF32(x + o, y + o, n, s);
    else if (algorithm == ONLINE) softmaxOnlineF32(x + o, y + o, n, s);
    else softmaxThreePassF32(x + o, y + o, n, s);
  }
}

export function logSoftmaxRowsF32(x: usize, y: usize, rows: i32, n: i32, s: f64): void {
  const stride = <usize>n << 2;
  for (let r = 0; r < rows; r++) logSoftmaxF32(x + <usize>r * stride, y + <usize>r * stride, n, s);
}

/** out[r] (float64) = log Σ exp(s·x_r). */
export function logSumExpRowsF32(x: usize, out: usize, rows: i32, n: i32, s: f64): void {
  const stride = <usize>n << 2;
  for (let r = 0; r < rows; r++) store<f64>(out + (<usize>r << 3), logSumExpF32(x + <usize>r * stride, n, s));
}

/** Online statistics of `rows` rows: m into mOut (f32), d into dOut (f64). */
export function onlineStatsRowsF32(x: usize, mOut: usize, dOut: usize, rows: i32, n: i32, s: f64): void {
  const stride = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    onlineStatsF32(x + <usize>r * stride, n, s);
    store<f32>(mOut + (<usize>r << 2), statsM());
    store<f64>(dOut + (<usize>r << 3), statsD());
  }
}
