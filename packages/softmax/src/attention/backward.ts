/**
 * Backward pass of attention (without the gate, see gate.ts), one (batch, q head) at a time, with
 * qs_i = q_i·scale/τ_i and s_ij = qs_i·k_j + mask_ij:
 *
 *   dA = dO·Vᵀ,  dS = J_norm(S)ᵀ dA,  dV += Aᵀ·dO,  dqs = dS·K,  dK += dSᵀ·qs,
 *   dq_i = dqs_i·scale/τ_i,  dτ_i = −(qs_i·dqs_i)/τ_i.
 *
 * Products run on a tile arena (tiles.ts): float32 inputs on the WebAssembly SIMD GEMM in float32,
 * float64 inputs (or float32 without WebAssembly) in float64. Per kv head, K and V are loaded once and
 * dK, dV accumulate over the q heads that share it (grouped-query attention). Query rows go in blocks;
 * with the causal rule a block only touches keys up to its last row's limit.
 *
 * Softmax (after FlashAttention-2, Dao 2023, arXiv 2307.08691), two regimes:
 * - row blocks (Lk ≤ budget/16): a block of `rows` queries × all its keys: P = softmax(S) row by row,
 *   dP = dO·Vᵀ, D_i = Σ_j P_ij·dP_ij (= dO_i·O_i), dS = P ⊙ (dP − D_i). No forward recompute; memory
 *   two `rows × Lk` tiles (≤ budget elements each). For Lq·Lk ≤ budget this is the whole head at once;
 *   with the causal rule blocks have ≤ 32 rows, so most of the dropped triangle is skipped.
 * - key tiles (longer Lk): the flash kernel recomputes O and the per-row lse of the head, D_i = dO_i·O_i,
 *   then per block of 64 queries and tile of keys P = exp(S − lse), dS = P ⊙ (dP − D_i): O(L·d) memory
 *   plus two tiles, never Lq×Lk.
 * Other normalisers: a block's full score rows are materialised (≈ 32k scores) and the normaliser's own
 * vjp (float64) gives dS.
 *
 * Complexity O(B·Hq·Lq·Lk·(d + dv)) time (five products of that size for softmax); memory O(L·(d + dv))
 * per head plus the tiles.
 */
import type { FloatArray } from '../tensor/types.js';
import type { AttentionCall } from './call.js';
import { runHead } from './flash.js';
import { causalEnd, headOffsets, type AttentionShape } from './layout.js';
import type { RowOp } from './rowOp.js';
import { blockRows } from './scores.js';
import { ArenaLayout, tileMath, type TileMath } from './tiles.js';
import { copyInto, finishScores, loadQueries, needsFinish } from './tilesHead.js';

/** Elements per score tile of the softmax backward (two such tiles are live). */
export const TILE_BUDGET = 65536;
/** Row blocks need at least this many query rows per block (else the key-tile regime runs). */
const MIN_ROWS = 16;
/** Query rows per block of the row-block regime under the causal rule. */
const CAUSAL_ROWS = 32;
/** Query rows per block in the key-tile regime. */
const FLASH_ROWS = 64;

export interface RawGradients {
  dq: Float64Array;
  dk: Float64Array;
  dv: Float64Array;
  /** Per-query ∂/∂τ `[B, Hq, Lq]`, when the call has a temperature. */
  dTemperature: Float64Array | null;
}

/** Arena regions of one call (element offsets) and the block geometry. */
interface Plan {
  q: number;
  dO: number;
  dQ: number;
  k: number;
  v: number;
  dK: number;
  dV: number;
  /** O of the head (key-tile regime only). */
  o: number;
  t1: number;
  t2: number;
  /** Query rows per block. */
  rows: number;
  /** Keys per tile (Lk in the row-block regimes). */
  width: number;
  mode: 'rows' | 'tiles' | 'normalizer';
  /** Factor of the products with Q (scale, or 1 when the queries are stored tempered). */
  alpha: number;
}

function plan(s: AttentionShape, normalizer: boolean, budget: number): { plan: Plan; size: number } {
  const lay = new ArenaLayout();
  let rows: number;
  let width: number;
  let mode: Plan['mode'];
  if (normalizer) {
    mode = 'normalizer';
    rows = blockRows(s.lq, s.lk);
    width = s.lk;
  } else {
    const fit = Math.floor(budget / Math.max(1, s.lk));
    if (fit >= Math.min(s.lq, MIN_ROWS)) {
      mode = 'rows';
      // Causal: smaller blocks skip more of the dropped triangle (work ≈ Lq·Lk/2 + Lq·rows/2).
      rows = Math.max(1, Math.min(s.lq, fit, s.causalOffset === Infinity ? Infinity : CAUSAL_ROWS));
      width = s.lk;
    } else {
      mode = 'tiles';
      rows = Math.max(1, Math.min(s.lq, FLASH_ROWS));
      width = Math.max(1, Math.min(s.lk, Math.floor(budget / rows)));
    }
  }
  const p: Plan = {
    q: lay.take(s.lq * s.d),
    dO: lay.take(s.lq * s.dv),
    dQ: lay.take(s.lq * s.d),
    k: lay.take(s.lk * s.d),
    v: lay.take(s.lk * s.dv),
    dK: lay.take(s.lk * s.d),
    dV: lay.take(s.lk * s.dv),
    o: mode === 'tiles' ? lay.take(s.lq * s.dv) : 0,
    t1: lay.take(rows * width),
    t2: lay.take(rows * width),
    rows,
    width,
    mode,
    alpha: 1,
  };
  return { plan: p, size: lay.size };
}

/**
 * Gradients of q, k, v (and τ) for upstream dO `[B, Hq, Lq, dv]` of the ungated output. `budget`
 * (elements per score tile) is exposed for tests of the two softmax regimes.
 */
export function attentionBackward(call: AttentionCall, dO: FloatArray, budget = TILE_BUDGET): RawGradients {
  const { shape: s, k, v, temperature, normalizer } = call;
  const g: RawGradients = {
    dq: new Float64Array(call.q.data.length),
    dk: new Float64Array(k.data.length),
    dv: new Float64Array(v.data.length),
    dTemperature: temperature ? new Float64Array(s.batch * s.qHeads * s.lq) : null,
  };
  if (s.batch * s.qHeads * s.lq === 0) return g;
  const { plan: p, size } = plan(s, normalizer.kind === 'rows', budget);
  const math = tileMath(call.q.data, size);
  const rowBuffers = normalizer.kind === 'rows' ? new RowBuffers(p.rows * s.lk) : null;
  try {
    for (let b = 0; b < s.batch; b++) {
      for (let kh = 0; kh < s.kvHeads; kh++) {
        const ko = (b * s.kvHeads + kh) * s.lk * s.d;
        const vo = (b * s.kvHeads + kh) * s.lk * s.dv;
        let x = math.data();
        copyInto(x, p.k, k.data, ko, s.lk * s.d);
        copyInto(x, p.v, v.data, vo, s.lk * s.dv);
        x.fill(0, p.dK, p.dK + s.lk * s.d);
        x.fill(0, p.dV, p.dV + s.lk * s.dv);
        for (let h = kh * s.group; h < (kh + 1) * s.group; h++) {
          x = math.data();
          p.alpha = loadQueries(call, b, h, x, p.q);
          copyInto(x, p.dO, dO, headOffsets(s, b, h).oo, s.lq * s.dv);
          if (normalizer.kind === 'rows' && rowBuffers) normalizerHead(call, math, p, b, h, normalizer.op, rowBuffers);
          else if (p.mode === 'rows') softmaxRowsHead(call, math, p, b, h);
          else softmaxTilesHead(call, math, p, b, h);
          writeQueryGradients(call, math.data(), p, b, h, g);
        }
        x = math.data();
        copyInto(g.dk, ko, x, p.dK, s.lk * s.d);
        copyInto(g.dv, vo, x, p.dV, s.lk * s.dv);
      }
    }
  } finally {
    math.release();
  }
  return g;
}

/**
 * dq from the arena's dQ: without a temperature dQ already is scale·dS·K; with one, dQ = dqs and
 * dq_i = dqs_i·scale/τ_i, dτ_i = −(qs_i·dqs_i)/τ_i (Q holds qs).
 */
function writeQueryGradients(call: AttentionCall, x: FloatArray, p: Plan, b: number, h: number, g: RawGradients): void {
  const { shape: s, temperature } = call;
  const qo = headOffsets(s, b, h).qo;
  if (!temperature) {
    copyInto(g.dq, qo, x, p.dQ, s.lq * s.d);
    return;
  }
  const t0 = (b * s.qHeads + h) * s.lq;
  for (let i = 0; i < s.lq; i++) {
    const tau = temperature.values[t0 + i];
    const f = s.scale / tau;
    const r = i * s.d;
    let dot = 0;
    for (let c = 0; c < s.d; c++) {
      const dqs = x[p.dQ + r + c];
      g.dq[qo + r + c] = f * dqs;
      dot += x[p.q + r + c] * dqs;
    }
    if (g.dTemperature) g.dTemperature[t0 + i] = -dot / tau;
  }
}

/**
 * The three accumulating products of a block (query rows [i0, i0 + n), keys [j0, j0 + w)), from A (or
 * P) in t1 and dS in t2, both with row stride w: dV += Aᵀ·dO, dQ (+)= alpha·dS·K, dK += alpha·dSᵀ·Q.
 */
function accumulateBlock(math: TileMath, s: AttentionShape, p: Plan, i0: number, n: number, j0: number, w: number, accumulateDq: boolean): void {
  math.tnAccumulate(w, s.dv, n, 1, p.t1, w, p.dO + i0 * s.dv, s.dv, p.dV + j0 * s.dv, s.dv);
  math.nn(n, s.d, w, p.alpha, p.t2, w, p.k + j0 * s.d, s.d, p.dQ + i0 * s.d, s.d, accumulateDq);
  math.tnAccumulate(w, s.d, n, p.alpha, p.t2, w, p.q + i0 * s.d, s.d, p.dK + j0 * s.d, s.d);
}

/** Softmax, row-block regime: P and dP of `rows` queries × their keys, D from Σ P ⊙ dP. */
function softmaxRowsHead(call: AttentionCall, math: TileMath, p: Plan, b: number, h: number): void {
  const s = call.shape;
  for (let i0 = 0; i0 < s.lq; i0 += p.rows) {
    const n = Math.min(p.rows, s.lq - i0);
    // Keys beyond the block's last causal limit are dropped for every row of the block.
    const w = causalEnd(s, i0 + n - 1);
    if (w === 0) {
      math.data().fill(0, p.dQ + i0 * s.d, p.dQ + (i0 + n) * s.d);
      continue;
    }
    math.nt(n, w, s.d, p.alpha, p.q + i0 * s.d, s.d, p.k, s.d, p.t1, w);
    if (needsFinish(call, i0, w, 0)) finishScores(call, b, h, math.data(), p.t1, w, i0, n, 0, w);
    math.softmaxRows(p.t1, n, w);
    math.nt(n, w, s.dv, 1, p.dO + i0 * s.dv, s.dv, p.v, s.dv, p.t2, w);
    const x = math.data();
    softmaxGrad(x.subarray(p.t1, p.t1 + n * w), x.subarray(p.t2, p.t2 + n * w), n, w);
    accumulateBlock(math, s, p, i0, n, 0, w, false);
  }
}

/** dS = P ⊙ (dP − D) in place of dP for one row [o, o + w); entries with P = 0 (masked) get 0. */
function rowGrad(pm: FloatArray, dp: FloatArray, o: number, w: number, dsum: number): void {
  for (let t = o; t < o + w; t++) dp[t] = pm[t] === 0 ? 0 : pm[t] * (dp[t] - dsum);
}

/**
 * dS = P ⊙ (dP − D) in place of dP, row by row, with D = Σ_j P_j·dP_j (= dO·O). Entries with P = 0
 * (masked) get 0 and add nothing to D even where dP is ±∞ or NaN; the branch-free loop is used unless
 * a row's D is not finite (then that row is redone entry by entry).
 */
function softmaxGrad(pm: FloatArray, dp: FloatArray, n: number, w: number): void {
  for (let r = 0; r < n; r++) {
    const o = r * w;
    const e = o + w;
    // Four partial sums: the loop is bound by the latency of the additions otherwise.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t = o;
    for (; t + 4 <= e; t += 4) {
      s0 += pm[t] * dp[t];
      s1 += pm[t + 1] * dp[t + 1];
      s2 += pm[t + 2] * dp[t + 2];
      s3 += pm[t + 3] * dp[t + 3];
    }
    for (; t < e; t++) s0 += pm[t] * dp[t];
    let dsum = s0 + s1 + (s2 + s3);
    if (Number.isFinite(dsum)) {
      for (let j = o; j < e; j++) dp[j] = pm[j] * (dp[j] - dsum);
      continue;
    }
    dsum = 0;
    for (let j = o; j < e; j++) if (pm[j] !== 0) dsum += pm[j] * dp[j];
    rowGrad(pm, dp, o, w, dsum);
  }
}

/** As `softmaxGrad` with D given per row (delta[d0 + r], from dO·O). */
function softmaxGradRows(pm: FloatArray, dp: FloatArray, n: number, w: number, delta: Float64Array, d0: number): void {
  for (let r = 0; r < n; r++) rowGrad(pm, dp, r * w, w, delta[d0 + r]);
}

/** Softmax, key-tile regime: lse and O from the flash kernel, then P = exp(S − lse) per tile. */
function softmaxTilesHead(call: AttentionCall, math: TileMath, p: Plan, b: number, h: number): void {
  const s = call.shape;
  const lse = new Float64Array(s.lq);
  const delta = new Float64Array(s.lq);
  runHead(math.backend, call, b, h, { q: math.data(), qo: p.q, scale: p.alpha, o: math.data(), oo: p.o, lse, lo: 0 });
  let x = math.data();
  for (let i = 0; i < s.lq; i++) {
    let d = 0;
    for (let c = 0; c < s.dv; c++) d += x[p.dO + i * s.dv + c] * x[p.o + i * s.dv + c];
    delta[i] = d;
  }
  for (let i0 = 0; i0 < s.lq; i0 += p.rows) {
    const n = Math.min(p.rows, s.lq - i0);
    const end = causalEnd(s, i0 + n - 1);
    if (end === 0) x.fill(0, p.dQ + i0 * s.d, p.dQ + (i0 + n) * s.d);
    for (let j0 = 0; j0 < end; j0 += p.width) {
      const w = Math.min(p.width, end - j0);
      math.nt(n, w, s.d, p.alpha, p.q + i0 * s.d, s.d, p.k + j0 * s.d, s.d, p.t1, w);
      if (needsFinish(call, i0, w, j0)) finishScores(call, b, h, math.data(), p.t1, w, i0, n, j0, w);
      math.nt(n, w, s.dv, 1, p.dO + i0 * s.dv, s.dv, p.v + j0 * s.dv, s.dv, p.t2, w);
      math.expRows(p.t1, n, w, lse, i0);
      x = math.data();
      softmaxGradRows(x.subarray(p.t1, p.t1 + n * w), x.subarray(p.t2, p.t2 + n * w), n, w, delta, i0);
      accumulateBlock(math, s, p, i0, n, j0, w, j0 > 0);
      x = math.data();
    }
  }
}

/** Float64 row buffers of the normaliser path: scores, weights, dA and dS of one block. */
class RowBuffers {
  readonly sc: Float64Array;
  readonly a: Float64Array;
  readonly dA: Float64Array;
  readonly dS: Float64Array;

  constructor(size: number) {
    this.sc = new Float64Array(size);
    this.a = new Float64Array(size);
    this.dA = new Float64Array(size);
    this.dS = new Float64Array(size);
  }
}

/** x[to + r·w + t] = src[r·ld + t] for r < n, t < w (a block's first w columns into a packed tile). */
function packColumns(x: FloatArray, to: number, src: Float64Array, ld: number, n: number, w: number): void {
  for (let r = 0; r < n; r++) copyInto(x, to + r * w, src, r * ld, w);
}

/** dst[r·ld + t] = x[from + r·w + t] for t < w, `fill` for w ≤ t < ld (a packed tile into full rows). */
function unpackColumns(dst: Float64Array, ld: number, x: FloatArray, from: number, n: number, w: number, fill: number): void {
  for (let r = 0; r < n; r++) {
    copyInto(dst, r * ld, x, from + r * w, w);
    if (w < ld) dst.fill(fill, r * ld + w, (r + 1) * ld);
  }
}

/**
 * Materialised normaliser: per block the full `n × Lk` score rows (keys past the causal limit −∞) go
 * through `op.forward` and `op.vjp` in float64; the products only touch the first w keys (the op
 * gives masked keys weight 0 and gradient 0).
 */
function normalizerHead(call: AttentionCall, math: TileMath, p: Plan, b: number, h: number, op: RowOp, buf: RowBuffers): void {
  const s = call.shape;
  for (let i0 = 0; i0 < s.lq; i0 += p.rows) {
    const n = Math.min(p.rows, s.lq - i0);
    const w = causalEnd(s, i0 + n - 1);
    if (w > 0) {
      math.nt(n, w, s.d, p.alpha, p.q + i0 * s.d, s.d, p.k, s.d, p.t1, w);
      if (needsFinish(call, i0, w, 0)) finishScores(call, b, h, math.data(), p.t1, w, i0, n, 0, w);
      math.nt(n, w, s.dv, 1, p.dO + i0 * s.dv, s.dv, p.v, s.dv, p.t2, w);
    }
    let x = math.data();
    unpackColumns(buf.sc, s.lk, x, p.t1, n, w, -Infinity);
    unpackColumns(buf.dA, s.lk, x, p.t2, n, w, 0);
    op.forward(buf.sc, buf.a, n, s.lk);
    op.vjp(buf.sc, buf.a, buf.dA, buf.dS, n, s.lk);
    if (w === 0) {
      x.fill(0, p.dQ + i0 * s.d, p.dQ + (i0 + n) * s.d);
      continue;
    }
    x = math.data();
    packColumns(x, p.t1, buf.a, s.lk, n, w);
    packColumns(x, p.t2, buf.dS, s.lk, n, w);
    accumulateBlock(math, s, p, i0, n, 0, w, false);
  }
}
