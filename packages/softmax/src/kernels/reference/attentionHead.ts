import type { AttentionHeadArgs } from '../backend.js';

/** Keys per tile of the online normaliser. */
const KEY_TILE = 64;

/**
 * Reference flash-attention forward of one head (float64 internally), the definition the WebAssembly
 * kernel is tested against. For each query row i, over key tiles T of the kept keys
 * (j ≤ i + causalOffset), with s_ij = scale·q_i·k_j + mask_ij:
 *
 *   m' = max(m, max_{j∈T} s_ij),  l ← l·e^(m−m') + Σ_{j∈T} e^(s_ij−m'),
 *   acc ← acc·e^(m−m') + Σ_{j∈T} e^(s_ij−m')·v_j,  m ← m',
 *
 * then o_i = acc/l and lse_i = m + ln l (the online normaliser of Milakov & Gimelshein 2018,
 * arXiv 1805.02867, applied to attention as in FlashAttention, Dao et al. 2022, arXiv 2205.14135).
 * Tiles that hold no kept key so far (m' = −∞) are skipped, so a row with no kept key gets o_i = 0
 * and lse_i = −∞. NaN (or +∞ scores) make the row NaN. O(lq·lk·(d + dv)) time, O(KEY_TILE + dv) memory:
 * no lq×lk buffer.
 */
export function attentionHeadReference(args: AttentionHeadArgs): void {
  const { q, qo, k, ko, v, vo, o, oo, lse, lo, lq, lk, d, dv, scale, causalOffset, mask, mo, maskRowStride } = args;
  const scores = new Float64Array(KEY_TILE);
  const acc = new Float64Array(dv);
  for (let i = 0; i < lq; i++) {
    const qrow = qo + i * d;
    const mrow = mo + i * maskRowStride;
    // Kept keys are [0, end): j ≤ i + causalOffset.
    const end = causalOffset === Infinity ? lk : Math.max(0, Math.min(lk, Math.floor(i + causalOffset) + 1));
    let m = -Infinity;
    let l = 0;
    acc.fill(0);
    for (let j0 = 0; j0 < end; j0 += KEY_TILE) {
      const width = Math.min(KEY_TILE, end - j0);
      let tileMax = -Infinity;
      for (let t = 0; t < width; t++) {
        const krow = ko + (j0 + t) * d;
        let dot = 0;
        for (let p = 0; p < d; p++) dot += q[qrow + p] * k[krow + p];
        let s = scale * dot;
        if (mask) s += mask[mrow + j0 + t];
        scores[t] = s;
        // NaN never compares greater: record it explicitly (and nothing compares greater than it after).
        if (s !== s) tileMax = NaN;
        else if (s > tileMax) tileMax = s;
      }
      const next = tileMax !== tileMax ? NaN : Math.max(m, tileMax);
      if (next === -Infinity) continue;
      const factor = m === next ? 1 : Math.exp(m - next);
      if (factor !== 1) {
        l *= factor;
        for (let c = 0; c < dv; c++) acc[c] *= factor;
      }
      m = next;
      for (let t = 0; t < width; t++) {
        const p = Math.exp(scores[t] - m);
        l += p;
        const vrow = vo + (j0 + t) * dv;
        for (let c = 0; c < dv; c++) acc[c] += p * v[vrow + c];
      }
    }
    const orow = oo + i * dv;
    if (m === -Infinity) {
      for (let c = 0; c < dv; c++) o[orow + c] = 0;
      if (lse) lse[lo + i] = -Infinity;
      continue;
    }
    for (let c = 0; c < dv; c++) o[orow + c] = acc[c] / l;
    if (lse) lse[lo + i] = m + Math.log(l);
  }
}
