import type { FloatArray } from '../tensor/types.js';
import { allocLike } from '../tensor/view.js';
import { decodeExactRows, lastVisible, type DecodeProblem } from './decodeExact.js';

/**
 * Half-width W of the window the unified max must keep every row in: the path is taken for a row only
 * if its largest scaled score s_max satisfies −W ≤ s_max − φ ≤ W.
 *
 * - float32: W = 64·ln 2 ≈ 44.36. Every term e^(s−φ) ≤ 2⁶⁴, so sums over up to 2³² keys stay below
 *   2⁹⁶ and products with values up to 2³¹ below float32's 2¹²⁸; the largest term is ≥ 2⁻⁶⁴ (a
 *   normal number), so terms that underflow (< 2⁻¹⁴⁹) are < 2⁻⁸⁵ of it, far below float32's 2⁻²⁴.
 * - float64: W = 512·ln 2 ≈ 354.9, with the same argument against 2¹⁰²⁴ and 2⁻¹⁰⁷⁴.
 *
 * Anything the window does not cover (the sums still overflowing, huge values) is caught after the
 * fact: a non-finite denominator or output row also falls back to the exact path.
 */
export function unifiedWindow(data: FloatArray): number {
  return (data instanceof Float32Array ? 64 : 512) * Math.LN2;
}

/** Cache positions sampled per row by `unifiedMax: 'auto'`. */
export const AUTO_SAMPLES = 32;

/**
 * φ for `unifiedMax: 'auto'` of one query row: the largest masked, scaled score over at most
 * AUTO_SAMPLES visible cache positions evenly spaced from 0 to the last visible one (both included).
 * It is ≤ the row's true max, so the underflow side of the window never triggers; the row falls back
 * only if its true max exceeds this sample max by more than W. When every sampled score is masked (or
 * NaN) φ = 0. O(AUTO_SAMPLES·d).
 */
function autoPhi(p: DecodeProblem, b: number, h: number, i: number): number {
  const last = lastVisible(p, i);
  if (last < 0) return 0;
  const { q, k, d, mask } = p;
  const kv = Math.floor(h / p.group);
  const kBase = (b * p.kvHeads + kv) * p.capacity * d;
  const qo = ((b * p.qHeads + h) * p.lq + i) * d;
  const mo = mask ? b * mask.sb + h * mask.sh + i * mask.si : 0;
  const count = Math.min(AUTO_SAMPLES, last + 1);
  let best = -Infinity;
  for (let t = 0; t < count; t++) {
    const j = count === 1 ? last : Math.round((t * last) / (count - 1));
    const ko = kBase + j * d;
    let dot = 0;
    for (let c = 0; c < d; c++) dot += q[qo + c] * k[ko + c];
    const s = p.scale * dot + (mask ? mask.data[mo + j] : 0);
    if (s > best) best = s;
  }
  return Number.isFinite(best) ? best : 0;
}

/**
 * FlashDecoding++ asynchronised softmax with a unified max value (Hong et al. 2023, arXiv
 * 2311.01282, §3) for every query row of kv group `kv` in batch b (R = group·lq rows, one GEMM per
 * chunk). With one φ per row for all chunks, no chunk needs another's max:
 *
 *   S_c = scale·Q·K_cᵀ + mask (−∞ where causal hides a key),  P_c = e^(S_c − φ),
 *   l = Σ_c rowsum(P_c),  A = Σ_c P_c·V_c,  o = A / l,  lse = φ + ln l.
 *
 * A row leaves this path and is recomputed by the exact split-KV path (`decodeExactRows`) when its
 * max score leaves [φ − W, φ + W] (`unifiedWindow`), when a score is NaN, or when l or A end up
 * non-finite. A row with no kept key gets o = 0, lse = −∞. Result: the exact path's up to float
 * rounding. Uses `backend.gemm` (scores, and P·V accumulated across chunks with beta = 1) and
 * `backend.expScale`. O(R·length·(d + dv)) time, O(R·(chunkSize + dv)) extra memory.
 */
export function decodeUnifiedGroup(p: DecodeProblem, b: number, kv: number, phiOption: number | 'auto',
  out: FloatArray, lse: FloatArray): void {
  const { q, k, v, d, dv, length, lq, chunkSize, mask, backend } = p;
  const h0 = kv * p.group;
  const rows = p.group * lq;
  const rowBase = (b * p.qHeads + h0) * lq; // global row index of local row 0
  const qo = rowBase * d;
  const kBase = (b * p.kvHeads + kv) * p.capacity * d;
  const vBase = (b * p.kvHeads + kv) * p.capacity * dv;
  const width = Math.min(chunkSize, length);
  const scores = allocLike(q, rows * width);
  const acc = allocLike(q, rows * dv);
  const window = unifiedWindow(q);

  const phi = new Float64Array(rows);
  const rowMax = new Float64Array(rows).fill(-Infinity);
  const denom = new Float64Array(rows);
  const fallback = new Uint8Array(rows);
  const last = new Float64Array(rows);
  const maskRow = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const h = h0 + Math.floor(r / lq);
    const i = r % lq;
    phi[r] = phiOption === 'auto' ? autoPhi(p, b, h, i) : phiOption;
    last[r] = lastVisible(p, i);
    maskRow[r] = mask ? b * mask.sb + h * mask.sh + i * mask.si : 0;
  }

  for (let c0 = 0, c = 0; c0 < length; c0 += chunkSize, c++) {
    const n = Math.min(chunkSize, length - c0);
    backend.gemm(false, true, rows, n, d, p.scale, q, qo, d, k, kBase + c0 * d, d, 0, scores, 0, n);
    for (let r = 0; r < rows; r++) {
      const so = r * n;
      if (fallback[r]) {
        scores.fill(0, so, so + n);
        continue;
      }
      // Keys past the row's last visible position are hidden (causal); the mask is added to the rest.
      const visible = Math.max(0, Math.min(n, last[r] - c0 + 1));
      if (mask) {
        const mo = maskRow[r] + c0;
        for (let j = 0; j < visible; j++) scores[so + j] += mask.data[mo + j];
      }
      scores.fill(-Infinity, so + visible, so + n);
      let chunkMax = -Infinity;
      let nan = false;
      for (let j = 0; j < visible; j++) {
        const s = scores[so + j];
        if (s > chunkMax) chunkMax = s;
        else if (s !== s) nan = true;
      }
      if (nan || chunkMax - phi[r] > window) {
        fallback[r] = 1;
        scores.fill(0, so, so + n);
        continue;
      }
      if (chunkMax > rowMax[r]) rowMax[r] = chunkMax;
      backend.expScale(scores, so, scores, so, n, 1, phi[r], 1, 0);
      let sum = 0;
      for (let j = 0; j < n; j++) sum += scores[so + j];
      denom[r] += sum;
    }
    backend.gemm(false, false, rows, dv, n, 1, scores, 0, n, v, vBase + c0 * dv, dv, c === 0 ? 0 : 1, acc, 0, dv);
  }

  for (let r = 0; r < rows; r++) {
    const orow = (rowBase + r) * dv;
    if (!fallback[r] && rowMax[r] === -Infinity) {
      out.fill(0, orow, orow + dv);
      lse[rowBase + r] = -Infinity;
      continue;
    }
    let ok = !fallback[r] && rowMax[r] - phi[r] >= -window && Number.isFinite(denom[r]) && denom[r] > 0;
    if (ok) {
      const l = denom[r];
      for (let t = 0; t < dv; t++) {
        const x = acc[r * dv + t] / l;
        if (!Number.isFinite(x)) {
          ok = false;
          break;
        }
        out[orow + t] = x;
      }
      if (ok) lse[rowBase + r] = phi[r] + Math.log(l);
    }
    if (!ok) decodeExactRows(p, b, h0 + Math.floor(r / lq), 1, r % lq, 1, out, orow, lse, rowBase + r);
  }
}
