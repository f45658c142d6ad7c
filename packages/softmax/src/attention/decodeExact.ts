import type { Backend } from '../kernels/backend.js';
import type { FloatArray } from '../tensor/types.js';
import { allocLike } from '../tensor/view.js';
import type { DecodeMaskLayout } from './decodeMask.js';
import { mergeByLse } from './decodeMerge.js';

/** A validated decode call: flat C-order arrays and their sizes (see `attendDecode`). */
export interface DecodeProblem {
  q: FloatArray;
  k: FloatArray;
  v: FloatArray;
  batch: number;
  qHeads: number;
  kvHeads: number;
  /** Query heads per kv head, qHeads / kvHeads. */
  group: number;
  lq: number;
  capacity: number;
  /** Valid cache positions [0, length). */
  length: number;
  d: number;
  dv: number;
  scale: number;
  causal: boolean;
  mask: DecodeMaskLayout | null;
  chunkSize: number;
  backend: Backend;
}

/**
 * Last cache position query i may see: i + length − lq under the causal alignment (the queries are
 * the last lq positions of the sequence), else length − 1.
 */
export function lastVisible(p: DecodeProblem, i: number): number {
  return p.causal ? i + p.length - p.lq : p.length - 1;
}

/**
 * Exact split-KV attention (FlashDecoding) of `heads` consecutive query heads h0.. (one kv group) ×
 * `nq` consecutive queries i0.. of batch b: the valid cache is cut into chunks of `chunkSize`; each
 * chunk runs `backend.attentionHead` on all R = heads·nq rows at once, giving a normalised output o_c
 * and lse_c per row; then `mergeByLse` combines the chunks exactly. Writes R rows of dv at
 * `out[oo ..]` and R lse values at `lse[lo ..]`.
 *
 * The rows must be one affine block for the kernel: either heads = 1 (any nq), or nq = 1 with
 * lq = 1 (stacked heads); with heads > 1 and nq = lq > 1 the caller guarantees non-causal and a mask
 * whose head stride is lq times its query stride. O(R·length·(d + dv)) time,
 * O(chunks·R·dv) extra memory.
 */
export function decodeExactRows(p: DecodeProblem, b: number, h0: number, heads: number, i0: number, nq: number,
  out: FloatArray, oo: number, lse: FloatArray, lo: number): void {
  const { q, k, v, d, dv, length, chunkSize, mask } = p;
  const rows = heads * nq;
  const kv = Math.floor(h0 / p.group);
  const kBase = (b * p.kvHeads + kv) * p.capacity * d;
  const vBase = (b * p.kvHeads + kv) * p.capacity * dv;
  const qo = ((b * p.qHeads + h0) * p.lq + i0) * d;
  const chunks = Math.ceil(length / chunkSize);
  // Causal offsets only matter for a single head: with stacked heads lq = 1 (sees the whole cache)
  // or the call is not causal.
  const causalFrom = p.causal && heads === 1 ? lastVisible(p, i0) : Infinity;
  const maskBase = mask ? b * mask.sb + h0 * mask.sh + i0 * mask.si : 0;
  const maskRowStride = mask ? (heads > 1 && nq === 1 ? mask.sh : mask.si) : 0;
  const partOut = allocLike(q, chunks * rows * dv);
  // The chunks' lse stay in float64 whatever q's type: they set the merge weights e^(lse_c − m).
  const partLse = new Float64Array(chunks * rows);
  const offsets: number[] = [];
  const lseOffsets: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const c0 = c * chunkSize;
    p.backend.attentionHead({
      q, qo,
      k, ko: kBase + c0 * d,
      v, vo: vBase + c0 * dv,
      o: partOut, oo: c * rows * dv,
      lse: partLse, lo: c * rows,
      lq: rows, lk: Math.min(chunkSize, length - c0), d, dv,
      scale: p.scale,
      causalOffset: causalFrom - c0,
      mask: mask ? mask.data : null, mo: maskBase + c0, maskRowStride,
    });
    offsets.push(c * rows * dv);
    lseOffsets.push(c * rows);
  }
  mergeByLse(chunks, rows, dv, offsets.map(() => partOut), offsets, lseOffsets.map(() => partLse), lseOffsets, out, oo, lse, lo);
}
