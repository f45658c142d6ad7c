// Flash-attention forward of one head, float32 (softmax normaliser), never an lq×lk buffer.
//
// Online normaliser over key tiles (Milakov & Gimelshein 2018; FlashAttention, Dao et al. 2022): for
// query row i and key tile T, with s_ij = scale·q_i·k_j + mask_ij over kept keys (j ≤ i + causalOffset),
//   m' = max(m, max_T s),  l ← l·e^(m−m') + Σ_T e^(s−m'),  O ← O·e^(m−m') + Σ_T e^(s−m')·v_j,
// and finally o_i = O/l, lse_i = m + ln l (o = 0 and lse = −∞ for a row with no kept key).
//
// Layout. Queries go in groups of 4 rows; one f32x4 lane per query row, so the row maxima, sums and
// rescale factors are plain vector operations (no horizontal reductions). K is packed once per head into
// panels of 8 keys ([p][8], the GEMM's B panels) and V into rows padded to a multiple of 8 columns.
// Scores of a group and 8 keys come from a 4×8 register tile (per step: four pre-splatted scaled query
// scalars × two K vectors, eight accumulators), get the mask added row-wise and are stored transposed,
// [key][row], in a tile buffer; the exponentials then run on 4 rows at once and are stored pre-splatted,
// and P·V is a second 4×8 register-tiled product over the tile's keys (P splats × two V vectors) into the
// group's O rows. Pre-splatting makes every operand a plain load with a folded offset (a broadcast load
// with an offset costs V8 an extra address instruction per row and step).
// A block of GROUPS groups (128 query rows) shares each key tile (K and V, 32 KB at d = dv = 64), which
// stays in L1 across them, so K and V stream from memory once per 128 queries rather than once per 4.

import { expk, EXP_K } from './exp';
import { packPanel, storeTransposed4 } from './pack';
import { mac1x8, mac4x8 } from './tile';
import { SLOT_BYTES, workspace } from './workspace';

/** Keys per tile (multiple of 8). */
const KT: i32 = 64;
/** Groups of 4 query rows per block (share a key tile). */
const GROUPS: i32 = 32;
const QB: i32 = GROUPS * 4;
/** Bytes of per-group state: m (f32x4), l (two f64x2), key limits (i32x4). */
const STATE: usize = 64;

/** This module's workspace (workspace.ts). */
const work: usize = memory.data(SLOT_BYTES);

/** Mask entries of row `row` for keys j..j+7 as two vectors (0 past lk, where keys are cut anyway). */
// @ts-ignore: decorator
@inline
function maskLoad(row: usize, j: i32, lk: i32, tmp: usize): usize {
  if (j + 8 <= lk) return row + (<usize>j << 2);
  for (let t = 0; t < 8; t++) store<f32>(tmp + (<usize>t << 2), j + t < lk ? load<f32>(row + (<usize>(j + t) << 2)) : 0);
  return tmp;
}

/**
 * Scores of one group (4 packed query rows, scale folded in) against one K panel of 8 keys:
 * st[key][row] = q_row·k_key (+ mask[row][key] when mask ≠ 0). mrow0..3 are the rows' mask pointers;
 * tmp: 160 bytes of scratch (the mask tail, then the tile of tile.ts).
 */
function scores4x8(d: i32, pq: usize, pk: usize, st: usize, mask: usize, m0: usize, m1: usize, m2: usize, m3: usize,
  j: i32, lk: i32, tmp: usize): void {
  // Pre-splatted queries: every operand is a plain load with a folded offset. (Unrolling the shared
  // tile by two makes TurboFan hoist all twelve loads and spill accumulators: slower.)
  const z = f32x4.splat(0);
  const acc = tmp + 32;
  mac4x8(d, pq, pk, 32, z, z, z, z, z, z, z, z, acc, 32);
  let c00 = v128.load(acc);
  let c01 = v128.load(acc, 16);
  let c10 = v128.load(acc, 32);
  let c11 = v128.load(acc, 48);
  let c20 = v128.load(acc, 64);
  let c21 = v128.load(acc, 80);
  let c30 = v128.load(acc, 96);
  let c31 = v128.load(acc, 112);
  if (mask) {
    let p = maskLoad(m0, j, lk, tmp);
    c00 = f32x4.add(c00, v128.load(p));
    c01 = f32x4.add(c01, v128.load(p, 16));
    p = maskLoad(m1, j, lk, tmp);
    c10 = f32x4.add(c10, v128.load(p));
    c11 = f32x4.add(c11, v128.load(p, 16));
    p = maskLoad(m2, j, lk, tmp);
    c20 = f32x4.add(c20, v128.load(p));
    c21 = f32x4.add(c21, v128.load(p, 16));
    p = maskLoad(m3, j, lk, tmp);
    c30 = f32x4.add(c30, v128.load(p));
    c31 = f32x4.add(c31, v128.load(p, 16));
  }
  storeTransposed4(c00, c10, c20, c30, st, 16);
  storeTransposed4(c01, c11, c21, c31, st + 64, 16);
}

/**
 * scores4x8 for a group with one real row (lane 0; the other lanes get 0). Even and odd steps go to
 * separate accumulators so the additions' latency overlaps.
 */
function scores1x8(d: i32, pq: usize, pk: usize, st: usize, mask: usize, m0: usize, j: i32, lk: i32, tmp: usize): void {
  const z = f32x4.splat(0);
  const acc = tmp + 32;
  mac1x8(d, pq, 64, pk, 32, z, z, acc);
  let c0 = v128.load(acc);
  let c1 = v128.load(acc, 16);
  if (mask) {
    const p = maskLoad(m0, j, lk, tmp);
    c0 = f32x4.add(c0, v128.load(p));
    c1 = f32x4.add(c1, v128.load(p, 16));
  }
  storeTransposed4(c0, z, z, z, st, 16);
  storeTransposed4(c1, z, z, z, st + 64, 16);
}

/** pv4x8 for a group with one real row (row 0 of O), even and odd keys in separate accumulators. */
function pv1x8(w: i32, pp: usize, vp: usize, vs: usize, op: usize, f: v128): void {
  const f0 = f32x4.splat(f32x4.extract_lane(f, 0));
  mac1x8(w, pp, 64, vp, vs, f32x4.mul(v128.load(op), f0), f32x4.mul(v128.load(op, 16), f0), op);
}

/**
 * O[r][c..c+8) ← f_r·O[r][c..c+8) + Σ_{j<w} P[j][r]·V[j][c..c+8) for the group's 4 rows; pp = P[0],
 * vp = V[0][c] (row stride vs bytes), op = O[0][c] (row stride os bytes).
 */
function pv4x8(w: i32, pp: usize, vp: usize, vs: usize, op: usize, os: usize, f: v128): void {
  const f0 = f32x4.splat(f32x4.extract_lane(f, 0));
  const f1 = f32x4.splat(f32x4.extract_lane(f, 1));
  const f2 = f32x4.splat(f32x4.extract_lane(f, 2));
  const f3 = f32x4.splat(f32x4.extract_lane(f, 3));
  mac4x8(w, pp, vp, vs,
    f32x4.mul(v128.load(op), f0), f32x4.mul(v128.load(op, 16), f0),
    f32x4.mul(v128.load(op + os), f1), f32x4.mul(v128.load(op + os, 16), f1),
    f32x4.mul(v128.load(op + 2 * os), f2), f32x4.mul(v128.load(op + 2 * os, 16), f2),
    f32x4.mul(v128.load(op + 3 * os), f3), f32x4.mul(v128.load(op + 3 * os, 16), f3), op, os);
}

/** Stores the four lanes of v as four splat vectors (the P·V kernel's A operand, one load per row). */
// @ts-ignore: decorator
@inline
function storeSplats(dst: usize, v: v128): void {
  v128.store(dst, v128.shuffle<f32>(v, v, 0, 0, 0, 0));
  v128.store(dst, v128.shuffle<f32>(v, v, 1, 1, 1, 1), 16);
  v128.store(dst, v128.shuffle<f32>(v, v, 2, 2, 2, 2), 32);
  v128.store(dst, v128.shuffle<f32>(v, v, 3, 3, 3, 3), 48);
}

/**
 * The online-normaliser step of one group over w keys of a tile (st = scores [key][row]): cuts keys
 * j0 + j ≥ limit_r to −∞ when `cut`, updates m and l in `state`, overwrites st with
 * p = e^(s − m') and returns the rescale factors e^(m − m') (one lane per row).
 * A lane whose maximum is still −∞ uses 0 as its shift, so masked keys give p = 0 (no −∞ − −∞);
 * NaN scores give NaN p and so a NaN row.
 */
function softmaxStep(st: usize, pp: usize, w: i32, j0: i32, cut: bool, state: usize): v128 {
  const negInf = f32x4.splat(-Infinity);
  let tmax = negInf;
  if (cut) {
    const lim = v128.load(state, 48);
    let jv = i32x4.splat(j0);
    const one = i32x4.splat(1);
    for (let j = 0; j < w; j++) {
      const p = st + (<usize>j << 4);
      const s = v128.bitselect(v128.load(p), negInf, i32x4.lt_s(jv, lim));
      v128.store(p, s);
      tmax = f32x4.pmax(tmax, s);
      jv = i32x4.add(jv, one);
    }
  } else {
    for (let j = 0; j < w; j++) tmax = f32x4.pmax(tmax, v128.load(st + (<usize>j << 4)));
  }
  const mOld = v128.load(state);
  const mNew = f32x4.pmax(mOld, tmax);
  const shift = v128.andnot(mNew, f32x4.eq(mNew, negInf));
  const kLog2e = v128.load(EXP_K);
  const kHi = v128.load(EXP_K, 16);
  const kLo = v128.load(EXP_K, 32);
  const k5 = v128.load(EXP_K, 48);
  const k4 = v128.load(EXP_K, 64);
  const k3 = v128.load(EXP_K, 80);
  const k2 = v128.load(EXP_K, 96);
  const k1 = v128.load(EXP_K, 112);
  const kMagic = v128.load(EXP_K, 128);
  const kCut = v128.load(EXP_K, 144);
  let sum0 = f32x4.splat(0);
  let sum1 = sum0;
  let j = 0;
  for (; j + 2 <= w; j += 2) {
    const p = st + (<usize>j << 4);
    const z0 = f32x4.sub(v128.load(p), shift);
    const z1 = f32x4.sub(v128.load(p, 16), shift);
    const e0 = v128.andnot(expk(z0, kMagic, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(z0, kCut));
    const e1 = v128.andnot(expk(z1, kMagic, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(z1, kCut));
    storeSplats(pp + (<usize>j << 6), e0);
    storeSplats(pp + (<usize>j << 6) + 64, e1);
    sum0 = f32x4.add(sum0, e0);
    sum1 = f32x4.add(sum1, e1);
  }
  if (j < w) {
    const p = st + (<usize>j << 4);
    const z0 = f32x4.sub(v128.load(p), shift);
    const e0 = v128.andnot(expk(z0, kMagic, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(z0, kCut));
    storeSplats(pp + (<usize>j << 6), e0);
    sum0 = f32x4.add(sum0, e0);
  }
  const zf = f32x4.sub(mOld, shift);
  const factor = v128.andnot(expk(zf, kMagic, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(zf, kCut));
  const sum = f32x4.add(sum0, sum1);
  // l ← l·factor + Σ p, in float64 lanes.
  const lLo = f64x2.add(f64x2.mul(v128.load(state, 16), f64x2.promote_low_f32x4(factor)), f64x2.promote_low_f32x4(sum));
  const fHi = v128.shuffle<f32>(factor, factor, 2, 3, 0, 1);
  const sHi = v128.shuffle<f32>(sum, sum, 2, 3, 0, 1);
  const lHi = f64x2.add(f64x2.mul(v128.load(state, 32), f64x2.promote_low_f32x4(fHi)), f64x2.promote_low_f32x4(sHi));
  v128.store(state, mNew);
  v128.store(state, lLo, 16);
  v128.store(state, lHi, 32);
  return factor;
}

/**
 * One attention head in module memory. q [lq, d], k [lk, d], v [lk, dv], o [lq, dv] (contiguous rows,
 * byte pointers); lse (float64 [lq]) written when ≠ 0. Query i keeps keys j < limit_i where
 * limit_i = min(lk, max(0, i + causalOffset + 1)) when `causal`, else lk. mask ≠ 0: additive float32
 * mask, row i at mask + i·maskStride floats (0 = one row for all queries).
 */
export function attentionHeadF32(q: usize, k: usize, v: usize, o: usize, lse: usize, lq: i32, lk: i32, d: i32, dv: i32,
  scale64: f64, causal: i32, causalOffset: i32, mask: usize, maskStride: i32): void {
  if (lq <= 0) return;
  const scale = <f32>scale64;
  const panels = (lk + 7) >> 3;
  const dvPad = (dv + 7) & ~7;
  const kpBytes = <usize>panels * <usize>d * 32;
  // V is read in place when its rows are already a multiple of 8 floats; else copied, zero padded.
  const copyV = dv != dvPad;
  const vpBytes = copyV ? <usize>lk * <usize>dvPad * 4 : 0;
  const qpBytes = <usize>QB * <usize>d * 16;
  const stBytes = <usize>KT * 16 + <usize>KT * 64;
  const opBytes = <usize>QB * <usize>dvPad * 4;
  const base = workspace(work, kpBytes + vpBytes + qpBytes + stBytes + opBytes + <usize>GROUPS * STATE + 160);
  const kp = base;
  const vCopy = kp + kpBytes;
  const vp = copyV ? vCopy : v;
  const qp = vCopy + vpBytes;
  const stBase = qp + qpBytes;
  const opBase = stBase + stBytes;
  const stateBase = opBase + opBytes;
  const tmp = stateBase + <usize>GROUPS * STATE;

  // Pack K into panels of 8 keys (and V, if needed, into rows of dvPad floats).
  for (let jp = 0; jp < panels; jp++) {
    const j = jp << 3;
    packPanel(k + (<usize>j * <usize>d << 2), d, 1, min(8, lk - j), d, 8, kp + <usize>jp * <usize>d * 32);
  }
  if (copyV) for (let j = 0; j < lk; j++) {
    const src = v + (<usize>j * <usize>dv << 2);
    const dst = vCopy + (<usize>j * <usize>dvPad << 2);
    let c = 0;
    for (; c + 4 <= dv; c += 4) v128.store(dst + (<usize>c << 2), v128.load(src + (<usize>c << 2)));
    for (; c < dvPad; c++) store<f32>(dst + (<usize>c << 2), c < dv ? load<f32>(src + (<usize>c << 2)) : 0);
  }
  const osb = <usize>dvPad << 2;
  const vsb = <usize>dvPad << 2;
  const maskRowBytes = <usize>maskStride << 2;

  for (let i0 = 0; i0 < lq; i0 += QB) {
    const rows = min(QB, lq - i0);
    const groups = (rows + 3) >> 2;
    // Per group: state, packed scaled queries, zeroed O rows; the block's furthest key limit.
    let blockLimit = 0;
    for (let g = 0; g < groups; g++) {
      const state = stateBase + <usize>g * STATE;
      v128.store(state, f32x4.splat(-Infinity));
      v128.store(state, f64x2.splat(0), 16);
      v128.store(state, f64x2.splat(0), 32);
      const limits = state + 48;
      for (let r = 0; r < 4; r++) {
        const i = i0 + (g << 2) + r;
        // Rows past lq copy the last real row's limit (their results are discarded).
        const ii = min(i, lq - 1);
        let lim = lk;
        if (causal) lim = <i32>min(<i64>lk, max(<i64>0, <i64>ii + <i64>causalOffset + 1));
        store<i32>(limits + (<usize>r << 2), lim);
        if (lim > blockLimit) blockLimit = lim;
        // Pre-splatted: q̃[p][r] as a 4-lane vector, so the score kernel loads it with a folded offset.
        const pq = qp + (<usize>g * <usize>d << 6) + (<usize>r << 4);
        for (let p = 0; p < d; p++) {
          const x: f32 = i < lq ? scale * load<f32>(q + ((<usize>i * <usize>d + <usize>p) << 2)) : 0;
          v128.store(pq + (<usize>p << 6), f32x4.splat(x));
        }
      }
      const og = opBase + <usize>g * 4 * osb;
      for (let c = 0; c < dvPad * 4; c += 4) v128.store(og + (<usize>c << 2), f32x4.splat(0));
    }

    for (let j0 = 0; j0 < blockLimit; j0 += KT) {
      for (let g = 0; g < groups; g++) {
        const state = stateBase + <usize>g * STATE;
        const gMax = load<i32>(state + 48 + 12);
        const gMin = load<i32>(state + 48);
        if (j0 >= gMax) continue;
        const w = min(KT, gMax - j0);
        const st = stBase;
        const pp = stBase + <usize>KT * 16;
        const ig = i0 + (g << 2);
        const m0 = mask + <usize>min(ig, lq - 1) * maskRowBytes;
        const m1 = mask + <usize>min(ig + 1, lq - 1) * maskRowBytes;
        const m2 = mask + <usize>min(ig + 2, lq - 1) * maskRowBytes;
        const m3 = mask + <usize>min(ig + 3, lq - 1) * maskRowBytes;
        const pq = qp + (<usize>g * <usize>d << 6);
        // A group holding one real row (lq = 1, e.g. decoding, or the last of lq ≡ 1 mod 4) uses the
        // one-row kernels instead of computing three padding rows.
        const single = rows - (g << 2) == 1;
        for (let jj = 0; jj < w; jj += 8) {
          const j = j0 + jj;
          const pk = kp + <usize>(j >> 3) * <usize>d * 32;
          if (single) scores1x8(d, pq, pk, st + (<usize>jj << 4), mask, m0, j, lk, tmp);
          else scores4x8(d, pq, pk, st + (<usize>jj << 4), mask, m0, m1, m2, m3, j, lk, tmp);
        }
        const factor = softmaxStep(st, pp, w, j0, j0 + w > gMin, state);
        const og = opBase + <usize>g * 4 * osb;
        const vj = vp + <usize>j0 * vsb;
        if (single) for (let c = 0; c < dvPad; c += 8) pv1x8(w, pp, vj + (<usize>c << 2), vsb, og + (<usize>c << 2), factor);
        else for (let c = 0; c < dvPad; c += 8) pv4x8(w, pp, vj + (<usize>c << 2), vsb, og + (<usize>c << 2), osb, factor);
      }
    }

    // o = O / l; lse = m + ln l; rows with no kept key (l = 0) get 0 and −∞.
    for (let g = 0; g < groups; g++) {
      const state = stateBase + <usize>g * STATE;
      const og = opBase + <usize>g * 4 * osb;
      for (let r = 0; r < 4; r++) {
        const i = i0 + (g << 2) + r;
        if (i >= lq) break;
        const l = load<f64>(state + 16 + (<usize>r << 3));
        const m = <f64>load<f32>(state + (<usize>r << 2));
        const orow = o + (<usize>i * <usize>dv << 2);
        const src = og + <usize>r * osb;
        if (l == 0) {
          for (let c = 0; c < dv; c++) store<f32>(orow + (<usize>c << 2), 0);
          if (lse) store<f64>(lse + (<usize>i << 3), -Infinity);
          continue;
        }
        const lv = f32x4.splat(<f32>l);
        let c = 0;
        for (; c + 4 <= dv; c += 4) v128.store(orow + (<usize>c << 2), f32x4.div(v128.load(src + (<usize>c << 2)), lv));
        for (; c < dv; c++) store<f32>(orow + (<usize>c << 2), load<f32>(src + (<usize>c << 2)) / <f32>l);
        if (lse) store<f64>(lse + (<usize>i << 3), m + Math.log(l));
      }
    }
  }
}
