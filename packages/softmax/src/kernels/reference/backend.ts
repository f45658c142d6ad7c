import type { Algorithm, FloatArray } from '../../tensor/types.js';
import { softmaxLengthOneRows, type Backend, type RowStats } from '../backend.js';
import { attentionHeadReference } from './attentionHead.js';
import { gemmReference } from './gemm.js';
import { logSoftmaxRow, logSumExpRow } from './logSoftmax.js';
import { onlineStatsRow, softmaxOnlineRow } from './online.js';
import { softmaxThreePassRow } from './threePass.js';
import { topKRowReference } from './topK.js';
import { softmaxTwoPassRow } from './twoPass.js';

function rowKernel(algorithm: Algorithm) {
  if (algorithm === 'two-pass') return softmaxTwoPassRow;
  if (algorithm === 'online') return softmaxOnlineRow;
  return softmaxThreePassRow;
}

/**
 * The plain TypeScript backend: float64 arithmetic on any float array, the definition of correct that
 * the WebAssembly kernels are tested against. `'auto'` means three-pass here.
 */
export const referenceBackend: Backend = {
  name: 'reference',
  softmaxRows(x, y, rows, n, s, algorithm) {
    if (n === 1) return softmaxLengthOneRows(x, y, rows);
    const kernel = rowKernel(algorithm);
    for (let r = 0; r < rows; r++) kernel(x, r * n, y, r * n, n, s);
  },
  logSoftmaxRows(x, y, rows, n, s) {
    for (let r = 0; r < rows; r++) logSoftmaxRow(x, r * n, y, r * n, n, s);
  },
  logSumExpRows(x, out, rows, n, s) {
    for (let r = 0; r < rows; r++) out[r] = logSumExpRow(x, r * n, n, s);
  },
  rowStats(x: FloatArray, xo: number, n: number, s: number): RowStats {
    return onlineStatsRow(x, xo, n, s);
  },
  expScale(x, xo, y, yo, n, s, m, c, b) {
    for (let i = 0; i < n; i++) y[yo + i] = Math.exp(s * x[xo + i] - m) * c + b;
  },
  topKRow: topKRowReference,
  gemm: gemmReference,
  attentionHead: attentionHeadReference,
};
