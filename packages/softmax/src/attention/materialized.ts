/**
 * The materialised path (every normaliser except softmax): per (batch, q head) and block of query
 * rows, the scores S = Q·Kᵀ·scale/τ + mask are computed on a tile arena (tiles.ts: float32 WebAssembly
 * GEMM for float32 inputs, float64 otherwise), widened to a `rows × Lk` float64 block, normalised row by
 * row (`RowOp`, float64), and multiplied by V on the arena. With the causal rule the products stop at
 * the block's last causal limit (later keys are −∞ for every row, weight 0). Memory O(rows·Lk + L·d)
 * per call; time O(Lq·Lk·(d + dv)).
 */
import type { FloatArray } from '../tensor/types.js';
import type { AttentionCall } from './call.js';
import { causalEnd, headOffsets } from './layout.js';
import type { RowOp } from './rowOp.js';
import { blockRows } from './scores.js';
import { ArenaLayout, tileMath } from './tiles.js';
import { copyInto, finishScores, loadQueries, needsFinish } from './tilesHead.js';

/** Attention with a row-wise normaliser into `out` (ungated); `weights` receives A when given. */
export function materializedForward(call: AttentionCall, op: RowOp, out: FloatArray, weights: FloatArray | null): void {
  const { shape: s, k, v } = call;
  if (s.batch * s.qHeads * s.lq === 0) return;
  const rows = blockRows(s.lq, s.lk);
  const lay = new ArenaLayout();
  const pq = lay.take(s.lq * s.d);
  const pk = lay.take(s.lk * s.d);
  const pv = lay.take(s.lk * s.dv);
  const pt = lay.take(rows * s.lk);
  const po = lay.take(rows * s.dv);
  const math = tileMath(call.q.data, lay.size);
  const scores = new Float64Array(rows * s.lk);
  const a = new Float64Array(rows * s.lk);
  try {
    for (let b = 0; b < s.batch; b++) {
      for (let h = 0; h < s.qHeads; h++) {
        const { oo, ko, vo } = headOffsets(s, b, h);
        let x = math.data();
        if (h % s.group === 0) {
          copyInto(x, pk, k.data, ko, s.lk * s.d);
          copyInto(x, pv, v.data, vo, s.lk * s.dv);
        }
        const alpha = loadQueries(call, b, h, x, pq);
        for (let i0 = 0; i0 < s.lq; i0 += rows) {
          const n = Math.min(rows, s.lq - i0);
          const w = causalEnd(s, i0 + n - 1);
          if (w > 0) {
            math.nt(n, w, s.d, alpha, pq + i0 * s.d, s.d, pk, s.d, pt, w);
            if (needsFinish(call, i0, w, 0)) finishScores(call, b, h, math.data(), pt, w, i0, n, 0, w);
          }
          x = math.data();
          for (let r = 0; r < n; r++) {
            copyInto(scores, r * s.lk, x, pt + r * w, w);
            scores.fill(-Infinity, r * s.lk + w, (r + 1) * s.lk);
          }
          op.forward(scores, a, n, s.lk);
          x = math.data();
          const ob = oo + i0 * s.dv;
          if (w > 0) {
            // O_block = A·V over the first w keys (A is 0 past them), rounded into the output type.
            for (let r = 0; r < n; r++) copyInto(x, pt + r * w, a, r * s.lk, w);
            math.nn(n, s.dv, w, 1, pt, w, pv, s.dv, po, s.dv, false);
            copyInto(out, ob, math.data(), po, n * s.dv);
          } else {
            out.fill(0, ob, ob + n * s.dv);
          }
          if (weights) copyInto(weights, ((b * s.qHeads + h) * s.lq + i0) * s.lk, a, 0, n * s.lk);
        }
      }
    }
  } finally {
    math.release();
  }
}
