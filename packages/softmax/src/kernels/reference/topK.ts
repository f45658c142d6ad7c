import type { FloatArray } from '../../tensor/types.js';
import type { RowStats } from '../backend.js';
import { onlineStatsRow } from './online.js';

/**
 * Reference fused softmax + top-k of one row, float64: online statistics (m, d) and a sorted buffer of
 * the k largest z = s·x (descending; ties keep the lower index) in one read; then
 * values_j = exp(z_{i_j} − m)/d. NaN and −∞ entries never enter the buffer (with NaN the statistics are
 * NaN, so every value is NaN); if fewer than k entries enter, the rest are filled with the smallest
 * unused indices. O(n·k) worst case, O(n + k log n) expected on random rows.
 */
export function topKRowReference(x: FloatArray, xo: number, n: number, k: number, s: number, indices: Int32Array, io: number, values: FloatArray, vo: number): RowStats {
  const stats = { m: -Infinity, d: 0 };
  const count = k > SORT_FROM_K ? rankBySort(x, xo, n, k, s, indices, io) : rankByInsertion(x, xo, n, k, s, indices, io);
  onlineStatsRow(x, xo, n, s, stats);
  fillUnranked(indices, io, k, count);
  for (let j = 0; j < k; j++) values[vo + j] = Math.exp(s * x[xo + indices[io + j]] - stats.m) / stats.d;
  return stats;
}

/** Above this k, sorting the row (O(n log n)) beats the insertion buffer's O(n·k) worst case. */
const SORT_FROM_K = 32;

function rankBySort(x: FloatArray, xo: number, n: number, k: number, s: number, indices: Int32Array, io: number): number {
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (s * x[xo + i] > -Infinity) order.push(i);
  order.sort((a, b) => x[xo + b] - x[xo + a] || a - b);
  const count = Math.min(k, order.length);
  for (let j = 0; j < count; j++) indices[io + j] = order[j];
  return count;
}

function rankByInsertion(x: FloatArray, xo: number, n: number, k: number, s: number, indices: Int32Array, io: number): number {
  const bufV = new Float64Array(k);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const z = s * x[xo + i];
    // Enter iff z beats the current k-th value (−∞ while the buffer is not full): NaN and −∞ never enter.
    if (z > (count < k ? -Infinity : bufV[k - 1])) {
      let j = count < k ? count++ : k - 1;
      while (j > 0 && bufV[j - 1] < z) {
        bufV[j] = bufV[j - 1];
        indices[io + j] = indices[io + j - 1];
        j--;
      }
      bufV[j] = z;
      indices[io + j] = i;
    }
  }
  return count;
}

/** Completes a top-k index list that holds only `count` < k entries with the smallest unused indices. */
export function fillUnranked(indices: Int32Array, io: number, k: number, count: number): void {
  if (count >= k) return;
  const used = new Set<number>();
  for (let j = 0; j < count; j++) used.add(indices[io + j]);
  let next = 0;
  for (let j = count; j < k; j++) {
    while (used.has(next)) next++;
    indices[io + j] = next++;
  }
}
