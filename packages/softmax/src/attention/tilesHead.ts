/**
 * Moving one head's operands into a tile arena (see tiles.ts) and finishing score tiles: scaled
 * queries, K and V rows, and the additive mask plus the causal rule on a block of scores.
 * All O(rows·width) (or O(L·d)); no allocation.
 */
import type { FloatArray } from '../tensor/types.js';
import { maskRow } from './attentionMask.js';
import type { AttentionCall } from './call.js';
import { causalEnd, headOffsets } from './layout.js';

/** x[xo + t] = src[so + t] for t < count (converting between float types as needed). */
export function copyInto(x: FloatArray, xo: number, src: FloatArray, so: number, count: number): void {
  if (count > 0) x.set(src.subarray(so, so + count), xo);
}

/**
 * Loads the queries of head (b, h) into x[xo ..] (`lq × d`, row-major) and returns the factor the
 * products must still apply: without a temperature the raw queries and `scale` (folded into the GEMM's
 * alpha), with one the tempered queries qs_i = q_i·scale/τ_i and 1.
 */
export function loadQueries(call: AttentionCall, b: number, h: number, x: FloatArray, xo: number): number {
  const { shape: s, q, temperature } = call;
  const { qo } = headOffsets(s, b, h);
  if (!temperature) {
    copyInto(x, xo, q.data, qo, s.lq * s.d);
    return s.scale;
  }
  const t0 = (b * s.qHeads + h) * s.lq;
  for (let i = 0; i < s.lq; i++) {
    const f = s.scale / temperature.values[t0 + i];
    const src = qo + i * s.d;
    const dst = xo + i * s.d;
    for (let c = 0; c < s.d; c++) x[dst + c] = f * q.data[src + c];
  }
  return 1;
}

/**
 * Adds the mask to the score block at x[xo ..] (row stride `ld`) of head (b, h), query rows
 * [i0, i0 + rows) and keys [j0, j0 + width), and sets the keys the causal rule drops to −∞.
 */
export function finishScores(call: AttentionCall, b: number, h: number, x: FloatArray, xo: number, ld: number,
  i0: number, rows: number, j0: number, width: number): void {
  const { shape: s, mask } = call;
  for (let r = 0; r < rows; r++) {
    const row = xo + r * ld;
    if (mask) {
      const md = mask.data;
      const sk = mask.sk;
      const mo = maskRow(mask, b, h, i0 + r) + j0 * sk;
      if (sk === 1) for (let t = 0; t < width; t++) x[row + t] += md[mo + t];
      else for (let t = 0; t < width; t++) x[row + t] += md[mo + t * sk];
    }
    const end = causalEnd(s, i0 + r) - j0;
    if (end < width) x.fill(-Infinity, row + Math.max(0, end), row + width);
  }
}

/** Whether the scores of a block need `finishScores` (a mask, or causal keys dropped inside it). */
export function needsFinish(call: AttentionCall, i0: number, width: number, j0: number): boolean {
  return call.mask !== null || causalEnd(call.shape, i0) < j0 + width;
}
