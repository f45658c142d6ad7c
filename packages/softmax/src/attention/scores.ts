/**
 * Float64 score tiles of one head: S[r, t] = qs_{i0+r}·k_{j0+t} + mask, −∞ where the causal rule drops
 * the key, with qs_i = q_i·scale/τ_i precomputed in float64 — used for the weights the softmax path
 * returns (flash.ts). The materialised forward and the backward pass compute their scores on a tile
 * arena instead (tiles.ts, tilesHead.ts; both with the same blocks, so they see identical scores).
 * `blockRows` sizes the materialised blocks of all of them.
 */
import type { AttentionCall } from './call.js';
import { maskRow } from './attentionMask.js';
import { causalEnd, headOffsets } from './layout.js';
import { matmulNT } from './matmul64.js';

/** K `[lk × d]` and V `[lk × dv]` of one kv head as float64 arrays with offsets. */
export interface KvHead {
  k: Float64Array;
  ko: number;
  v: Float64Array;
  vo: number;
}

/** Reusable float64 copies of a kv head (float32 inputs are widened once per kv head). */
export class KvScratch {
  private last = -1;
  private kf = new Float64Array(0);
  private vf = new Float64Array(0);

  /** K and V of the kv head that q head (b, h) reads, as float64. */
  head(call: AttentionCall, b: number, h: number): KvHead {
    const { shape: s, k, v } = call;
    const { ko, vo, kvHead } = headOffsets(s, b, h);
    if (k.data instanceof Float64Array && v.data instanceof Float64Array) return { k: k.data, ko, v: v.data, vo };
    const id = b * s.kvHeads + kvHead;
    if (id !== this.last) {
      if (this.kf.length < s.lk * s.d) this.kf = new Float64Array(s.lk * s.d);
      if (this.vf.length < s.lk * s.dv) this.vf = new Float64Array(s.lk * s.dv);
      for (let t = 0; t < s.lk * s.d; t++) this.kf[t] = k.data[ko + t];
      for (let t = 0; t < s.lk * s.dv; t++) this.vf[t] = v.data[vo + t];
      this.last = id;
    }
    return { k: this.kf, ko: 0, v: this.vf, vo: 0 };
  }
}

/** qs = q·scale/τ for rows [0, lq) of head (b, h), float64, row-major `lq × d`. */
export function scaledQueries(call: AttentionCall, b: number, h: number, qs: Float64Array): void {
  const { shape: s, q, temperature } = call;
  const { qo } = headOffsets(s, b, h);
  const tBase = (b * s.qHeads + h) * s.lq;
  for (let i = 0; i < s.lq; i++) {
    const f = temperature ? s.scale / temperature.values[tBase + i] : s.scale;
    for (let c = 0; c < s.d; c++) qs[i * s.d + c] = f * q.data[qo + i * s.d + c];
  }
}

/**
 * Writes the `rows × width` score tile of head (b, h) for query rows [i0, i0 + rows) and keys
 * [j0, j0 + width) into `out` (row stride `width`), from the head's scaled queries `qs` and its kv
 * head `kv`.
 */
export function scoreTile(call: AttentionCall, b: number, h: number, qs: Float64Array, kv: KvHead, i0: number, rows: number, j0: number, width: number, out: Float64Array): void {
  const { shape: s, mask } = call;
  if (rows === 0 || width === 0) return;
  matmulNT(rows, width, s.d, qs, i0 * s.d, s.d, kv.k, kv.ko + j0 * s.d, s.d, out, 0, width);
  for (let r = 0; r < rows; r++) {
    const row = r * width;
    if (mask) {
      const mo = maskRow(mask, b, h, i0 + r) + j0 * mask.sk;
      for (let t = 0; t < width; t++) out[row + t] += mask.data[mo + t * mask.sk];
    }
    const end = causalEnd(s, i0 + r) - j0;
    for (let t = Math.max(0, end); t < width; t++) out[row + t] = -Infinity;
  }
}

/** Query rows per materialised block: about 32k scores, at most 64 rows, at least 1. */
export function blockRows(lq: number, width: number): number {
  return Math.max(1, Math.min(64, lq, Math.floor(32768 / Math.max(1, width))));
}
