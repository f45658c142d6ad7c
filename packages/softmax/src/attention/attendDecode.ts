import type { FloatArray, TensorLike } from '../tensor/types.js';
import { allocLike } from '../tensor/view.js';
import { decodeExactRows } from './decodeExact.js';
import { parseDecode, type AttendDecodeOptions } from './decodeInputs.js';
import { decodeUnifiedGroup } from './decodeUnified.js';

export type { AttendDecodeOptions } from './decodeInputs.js';
export type { DecodeMask } from './decodeMask.js';

/** The attention output [batch, qHeads, Lq, dv], with the per-row lse [batch, qHeads, Lq] if asked. */
export interface AttendDecodeResult<T extends FloatArray = FloatArray> {
  data: T;
  dims: number[];
  /** ln Σ_j e^(s_ij) over the kept keys of each query row (−∞ for a row with none); with `returnLse`. */
  lse?: { data: T; dims: number[] };
}

/**
 * Attention of a few new queries against a (possibly preallocated) KV cache, for autoregressive
 * decoding: per query row i of head h,
 *
 *   s_ij = scale·q_i·k_j + mask_ij  (j < length; causal: only j ≤ i + length − Lq),
 *   o_i = Σ_j softmax_j(s_i·)·v_j,  lse_i = ln Σ_j e^(s_ij).
 *
 * - Shapes: q [batch, qHeads, Lq, d], kCache [batch, kvHeads, capacity, d], vCache
 *   [batch, kvHeads, capacity, dv]; only cache positions [0, `length`) are read (default capacity).
 *   Grouped-query attention when kvHeads divides qHeads: query head h uses kv head
 *   ⌊h / (qHeads/kvHeads)⌋ (kvHeads = qHeads is multi-head, kvHeads = 1 multi-query attention).
 *   Output [batch, qHeads, Lq, dv] in q's float type; with `returnLse`, `lse` [batch, qHeads, Lq].
 * - Exact path (default; FlashDecoding, Dao, Haziza, Massa & Sizov 2023, "Flash-Decoding for
 *   long-context inference"): the valid cache is split into chunks of `chunkSize`; each
 *   (batch, head, chunk) runs the backend's flash-attention kernel (`attentionHead`, online softmax
 *   over key tiles) giving a normalised o_c and lse_c per row; the chunks merge exactly:
 *   m = max_c lse_c, o = Σ_c e^(lse_c − m)·o_c / Σ_c e^(lse_c − m), lse = m + ln Σ_c e^(lse_c − m).
 *   Heads sharing a kv head are stacked into one kernel call where the layout allows.
 * - `unifiedMax: φ | 'auto'` (FlashDecoding++, Hong, Dai, Xu et al. 2023, arXiv 2311.01282, §3
 *   "asynchronized softmax with unified max value"): every chunk uses the same φ, P = e^(S − φ) with
 *   S = scale·Q·Kᵀ + mask from one GEMM per chunk for all heads of a kv group, and the numerator
 *   Σ P·V (a second GEMM, accumulated) and denominator Σ P need no rescaling or merge:
 *   o = ΣPV / ΣP, lse = φ + ln ΣP. A row is recomputed on the exact path when its max score leaves
 *   [φ − W, φ + W] with W = 64·ln 2 ≈ 44.4 for float32 (every term in [2⁻⁶⁴, 2⁶⁴]) and 512·ln 2 for
 *   float64, when a score is NaN, or when its sums end non-finite. So the result is the exact path's
 *   up to float rounding, whatever φ is; φ only decides how many rows take the fast path.
 *   `'auto'` takes φ per query row as the largest masked, scaled score over ≤ 32 evenly spaced visible
 *   cache positions (first and last included): O(32·d) per row, and since it never exceeds the true max
 *   a row falls back only when some score beats the sample by more than W.
 * - Masks: keep-mask (boolean[]/0-1 number[]/Uint8Array or { data, dims }; 1 = keep) or an additive
 *   mask in q's float type (−∞ = masked), broadcastable to [batch, qHeads, Lq, length]; the key axis
 *   may be `length`, the cache capacity (a mask kept alongside a preallocated cache), or 1.
 * - Accuracy: float64 to float64 accuracy (float64 accumulation throughout); float32 in → float32 out,
 *   within about 1e-6 of the float64 result on the exact path (chunk outputs are rounded to float32,
 *   their lse kept in float64 for the float64 merge), a few 1e-6 on the unified path (float32 GEMMs).
 * - Special values: a row with no kept key (all masked, empty cache) gets o = 0 and lse = −∞, never
 *   NaN; NaN in the inputs (or +∞ scores) gives NaN in the affected row. Inputs are never mutated.
 * - Errors (`SoftmaxError`): E_INPUT (not a tensor), E_DTYPE (non-float data, q/k/v/mask of different
 *   float types), E_SHAPE (rank ≠ 4, batch/head size/capacity mismatch, kvHeads not dividing qHeads,
 *   a causal call with Lq > length, a mask not broadcastable), E_PARAM (length outside [0, capacity],
 *   chunkSize not an integer ≥ 1, non-finite scale or φ, bad flags).
 * - Complexity: O(batch·qHeads·Lq·length·(d + dv)) time; extra memory O(⌈length/chunkSize⌉·rows·dv)
 *   per kv group on the exact path, O(rows·(chunkSize + dv)) on the unified path (rows = heads per
 *   group × Lq); never a full Lq × length score matrix per head beyond one chunk.
 *
 * @example
 * const o = attendDecode(q, kCache, vCache, { length: 17 }); // q [1, 8, 1, 64], caches [1, 2, 4096, 64]
 */
export function attendDecode<T extends FloatArray>(q: TensorLike<T>, kCache: TensorLike<T>, vCache: TensorLike<T>,
  opts: AttendDecodeOptions & { returnLse: true }): Required<AttendDecodeResult<T>>;
export function attendDecode<T extends FloatArray>(q: TensorLike<T>, kCache: TensorLike<T>, vCache: TensorLike<T>,
  opts?: AttendDecodeOptions): AttendDecodeResult<T>;
export function attendDecode<T extends FloatArray>(q: TensorLike<T>, kCache: TensorLike<T>, vCache: TensorLike<T>,
  opts?: AttendDecodeOptions): AttendDecodeResult<T> {
  const { problem: p, unifiedMax, returnLse } = parseDecode(q, kCache, vCache, opts);
  const rows = p.batch * p.qHeads * p.lq;
  const out = allocLike(p.q, rows * p.dv);
  const lse = allocLike(p.q, rows);
  // Stacking the heads of a kv group into one kernel call needs one row stride for q, the output and
  // the mask: always true for Lq = 1; for Lq > 1 only without causal offsets and with a mask whose
  // head stride is Lq query strides.
  const stack = p.group > 1 && (p.lq === 1 || (!p.causal && (!p.mask || p.mask.sh === p.lq * p.mask.si)));
  for (let b = 0; b < p.batch; b++) {
    for (let kv = 0; kv < p.kvHeads; kv++) {
      const h0 = kv * p.group;
      if (unifiedMax !== false) {
        decodeUnifiedGroup(p, b, kv, unifiedMax, out, lse);
      } else if (stack) {
        const row = (b * p.qHeads + h0) * p.lq;
        decodeExactRows(p, b, h0, p.group, 0, p.lq, out, row * p.dv, lse, row);
      } else {
        for (let h = h0; h < h0 + p.group; h++) {
          const row = (b * p.qHeads + h) * p.lq;
          decodeExactRows(p, b, h, 1, 0, p.lq, out, row * p.dv, lse, row);
        }
      }
    }
  }
  const result: AttendDecodeResult<T> = { data: out as T, dims: [p.batch, p.qHeads, p.lq, p.dv] };
  if (returnLse) result.lse = { data: lse as T, dims: [p.batch, p.qHeads, p.lq] };
  return result;
}
