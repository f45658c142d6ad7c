// Float32 softmax kernels on rows in linear memory. Pointers are byte offsets; y may equal x (in place).
// `s` is the inverse temperature: the kernels compute softmax(s·x). Row maxima m are of x (unscaled).
//
// Accuracy. An output entry is exp(s·(x_i − m))/d. Forming the argument in float32 rounds it (by up to
// 6e-8·|s·(x_i − m)|, i.e. up to 4e-6 relative error for entries that still matter), so the passes that
// write outputs carry the argument exactly, in one of two forms:
//   A. s = 1, |m| ≤ EXACT_LIMIT: exp(x_i)·2^(−n_m), n_m = round(m·log2 e): the Cody–Waite reduction of x_i
//      itself is exact, and the shift folds into the magic bias (no extra operations). The common factor
//      2^(−n_m)·e^(−(m − n_m·ln2)) cancels in the normalisation or is folded into the output scale.
//   B. otherwise: d + e_d = x_i − m exactly (TwoSum) and u + e_u = s·d exactly (Dekker's TwoProduct),
//      then exp(u + e_u + s·e_d); about twice the arithmetic of A.
// Sums (the normaliser d) use the plain argument: d is dominated by its largest terms, whose arguments
// are small. Exponentials are added in float32 lanes over BLOCK elements and block sums in float64, so d
// stays accurate for rows of millions of elements.

import { expv, exps, expShiftedv, expShiftedErrv, productErrorv, splitHi, MAGIC_BIAS, DENORM_CUTOFF } from './exp';
import { maxF32, laneSum64 } from './reduce';

const BLOCK: i32 = 256;
const LOWEST: f32 = -3.4028234663852886e38;

/**
 * Largest |m| for form A: entries that matter have x ≥ m − 87, so |round(x·log2 e)| < 2^9 and n·ln2_hi
 * (15 significant bits) is exact.
 */
export const EXACT_LIMIT: f32 = 260;

/** Whether form A applies to a row with maximum m and inverse temperature s. */
// @ts-ignore: decorator
@inline
function formA(m: f32, s: f32): bool {
  return s == 1 && abs(m) <= EXACT_LIMIT;
}

/** Form A constants for a row maximum m: the magic bias carrying 2^(−n_m), the cutoff, the scale. */
// @ts-ignore: decorator
@inline
function shiftOf(m: f32): f32 {
  return <f32>Math.round(<f64>m * 1.4426950408889634);
}

/** e^(n_m·ln2 − m): the factor form A leaves in its outputs. */
// @ts-ignore: decorator
@inline
function residualOf(m: f32, nm: f32): f64 {
  return Math.exp(<f64>nm * 0.6931471805599453 - <f64>m);
}

/**
 * Form B: exp(s·(x − m)) with the argument carried exactly. vnm = −m; vs, vsh, vsl = s and its Veltkamp
 * split. Entries with s·(x − m) < −87.34 give 0 (also −∞ entries); NaN propagates.
 */
// @ts-ignore: decorator
@inline
function expDiffv(x: v128, vnm: v128, vs: v128, vsh: v128, vsl: v128): v128 {
  const d = f32x4.add(x, vnm);
  const bb = f32x4.sub(d, x);
  const ed = f32x4.add(f32x4.sub(x, f32x4.sub(d, bb)), f32x4.sub(vnm, bb));
  const u = f32x4.mul(d, vs);
  const err = f32x4.add(productErrorv(d, u, vsh, vsl), f32x4.mul(ed, vs));
  const e = expShiftedErrv(u, err, f32x4.splat(MAGIC_BIAS));
  return v128.andnot(e, f32x4.lt(u, f32x4.splat(DENORM_CUTOFF)));
}

/** Form A: exp(x)·2^(−n_m) for the bias vb = MAGIC_BIAS − n_m, zero below the cutoff vcut = m − 87. */
// @ts-ignore: decorator
@inline
function expShiftedCutv(x: v128, vb: v128, vcut: v128): v128 {
  return v128.andnot(expShiftedv(x, vb), f32x4.lt(x, vcut));
}

/**
 * Stores e_i = K·exp(s·(x_i − m)) into y and returns Σ e_i, where K = e^(m − n_m·ln2) is the common
 * factor form A leaves (it cancels in the normalisation) and K = 1 in form B.
 */
export function expStoreSumF32(x: usize, y: usize, n: i32, m: f32, s: f32): f64 {
  let total: f64 = 0;
  let i = 0;
  if (formA(m, s)) {
    const vb = f32x4.splat(MAGIC_BIAS - shiftOf(m));
    const vcut = f32x4.splat(m - 87.0);
    while (i + 8 <= n) {
      const end = min(n & ~7, i + BLOCK);
      let a0 = f32x4.splat(0);
      let a1 = a0;
      for (; i < end; i += 8) {
        const o = <usize>i << 2;
        const e0 = expShiftedCutv(v128.load(x + o), vb, vcut);
        const e1 = expShiftedCutv(v128.load(x + o, 16), vb, vcut);
        v128.store(y + o, e0);
        v128.store(y + o, e1, 16);
        a0 = f32x4.add(a0, e0);
        a1 = f32x4.add(a1, e1);
      }
      total += laneSum64(f32x4.add(a0, a1));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const e = f32x4.extract_lane(expShiftedCutv(f32x4.splat(load<f32>(x + o)), vb, vcut), 0);
      store<f32>(y + o, e);
      total += <f64>e;
    }
    return total;
  }
  const vnm = f32x4.splat(-m);
  const vs = f32x4.splat(s);
  const sh = splitHi(s);
  const vsh = f32x4.splat(sh);
  const vsl = f32x4.splat(s - sh);
  while (i + 4 <= n) {
    const end = min(n & ~3, i + BLOCK);
    let acc = f32x4.splat(0);
    for (; i < end; i += 4) {
      const o = <usize>i << 2;
      const e = expDiffv(v128.load(x + o), vnm, vs, vsh, vsl);
      v128.store(y + o, e);
      acc = f32x4.add(acc, e);
    }
    total += laneSum64(acc);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const e = f32x4.extract_lane(expDiffv(f32x4.splat(load<f32>(x + o)), vnm, vs, vsh, vsl), 0);
    store<f32>(y + o, e);
    total += <f64>e;
  }
  return total;
}

/** Σ exp(s·(x_i − m)) without storing (log-softmax, log-sum-exp), plain argument, blocked sums. */
export function expSumF32(x: usize, n: i32, m: f32, s: f32): f64 {
  const vm = f32x4.splat(m);
  const vs = f32x4.splat(s);
  let total: f64 = 0;
  let i = 0;
  while (i + 8 <= n) {
    const end = min(n & ~7, i + BLOCK);
    let a0 = f32x4.splat(0);
    let a1 = a0;
    for (; i < end; i += 8) {
      const o = <usize>i << 2;
      a0 = f32x4.add(a0, expv(f32x4.mul(f32x4.sub(v128.load(x + o), vm), vs)));
      a1 = f32x4.add(a1, expv(f32x4.mul(f32x4.sub(v128.load(x + o, 16), vm), vs)));
    }
    total += laneSum64(f32x4.add(a0, a1));
  }
  for (; i < n; i++) total += <f64>exps((load<f32>(x + (<usize>i << 2)) - m) * s);
  return total;
}

/** y_i *= c. */
export function scaleF32(y: usize, n: i32, c: f32): void {
  const vc = f32x4.splat(c);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.mul(v128.load(y + o), vc));
    v128.store(y + o, f32x4.mul(v128.load(y + o, 16), vc), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) * c);
  }
}

/**
 * Three-pass softmax with reloading (XNNPACK's production algorithm): max; exp, store and sum; scale.
 * −∞ entries give 0; an all-(−∞) row, or one holding +∞ or NaN, gives NaN (PyTorch semantics).
 */
export function softmaxThreePassF32(x: usize, y: usize, n: i32, s: f32): void {
  if (n <= 0) return;
  const m = maxF32(x, n);
  scaleF32(y, n, <f32>(1.0 / expStoreSumF32(x, y, n, m, s)));
}

/**
 * y_i = exp(s·(x_i − m))·c + b: the output pass of the online and chunked paths (b ≠ 0 gives the
 * label-smoothed cross-entropy gradient). m is a maximum of x (unscaled).
 */
export function expScaleF32(x: usize, y: usize, n: i32, s: f32, m: f32, c: f32, b: f32): void {
  const vb = f32x4.splat(b);
  let i = 0;
  if (formA(m, s)) {
    const nm = shiftOf(m);
    const vbias = f32x4.splat(MAGIC_BIAS - nm);
    const vcut = f32x4.splat(m - 87.0);
    const vc = f32x4.splat(<f32>(<f64>c * residualOf(m, nm)));
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(f32x4.mul(expShiftedCutv(v128.load(x + o), vbias, vcut), vc), vb));
      v128.store(y + o, f32x4.add(f32x4.mul(expShiftedCutv(v128.load(x + o, 16), vbias, vcut), vc), vb), 16);
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const e = f32x4.add(f32x4.mul(expShiftedCutv(f32x4.splat(load<f32>(x + o)), vbias, vcut), vc), vb);
      store<f32>(y + o, f32x4.extract_lane(e, 0));
    }
    return;
  }
  const vc = f32x4.splat(c);
  const vnm = f32x4.splat(-m);
  const vs = f32x4.splat(s);
  const sh = splitHi(s);
  const vsh = f32x4.splat(sh);
  const vsl = f32x4.splat(s - sh);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(f32x4.mul(expDiffv(v128.load(x + o), vnm, vs, vsh, vsl), vc), vb));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const e = f32x4.add(f32x4.mul(expDiffv(f32x4.splat(load<f32>(x + o)), vnm, vs, vsh, vsl), vc), vb);
    store<f32>(y + o, f32x4.extract_lane(e, 0));
  }
}

// Result slots of onlineStatsF32 (read by the host through statsM()/statsD()).
let statM: f32 = 0;
let statD: f64 = 0;
export function statsM(): f32 { return statM; }
export function statsD(): f64 { return statD; }

/** Lane-wise max of an f32x4 as a scalar. */
// @ts-ignore: decorator
@inline
function laneMax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/**
 * The online normaliser (Milakov & Gimelshein 2018) in one read: per lane m' = max(m, x),
 * d = d·e^(s·(m−m')) + e^(s·(x−m')). The rescale runs only when some lane's maximum grows (rare after
 * the first elements), so the common step costs one exp. Every BLOCK elements the lanes are folded into
 * a float64 pair (M, D) by the associative merge (M, D) ⊕ (m, d) = (M', D·e^(s(M−M')) + d·e^(s(m−M'))),
 * which keeps float32 sums short. Maxima start at −FLT_MAX, not −∞, so masked entries never form
 * −∞ − (−∞); an all-(−∞) row ends with D = 0 and the output pass then yields 0·∞ = NaN, as PyTorch
 * does. Results: statsM() = max x (unscaled), statsD() = Σ exp(s·(x − M)).
 */
export function onlineStatsF32(x: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let M: f32 = LOWEST;
  let D: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n & ~3, i + BLOCK);
    let vm = f32x4.splat(M);
    let vd = f32x4.splat(0);
    for (; i < end; i += 4) {
      const xv = v128.load(x + (<usize>i << 2));
      if (v128.any_true(f32x4.gt(xv, vm))) {
        const nm = f32x4.pmax(vm, xv);
        vd = f32x4.mul(vd, expv(f32x4.mul(f32x4.sub(vm, nm), vs)));
        vm = nm;
      }
      vd = f32x4.add(vd, expv(f32x4.mul(f32x4.sub(xv, vm), vs)));
    }
    const bm = laneMax(vm);
    const bd = laneSum64(f32x4.mul(vd, expv(f32x4.mul(f32x4.sub(vm, f32x4.splat(bm)), vs))));
    if (bm > M) {
      D = D * <f64>exps((M - bm) * s) + bd;
      M = bm;
    } else {
      D += bd;
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v > M) {
      D = D * <f64>exps((M - v) * s) + 1;
      M = v;
    } else {
      D += <f64>exps((v - M) * s);
    }
  }
  // A +∞ entry makes the row NaN (PyTorch); the scalar tail alone would not produce it.
  statM = M;
  statD = M == Infinity ? NaN : D;
}

/** Online-normaliser softmax: one read for (m, d), one read + write for y_i = e^(s·(x_i − m))/d. */
export function softmaxOnlineF32(x: usize, y: usize, n: i32, s: f32): void {
  if (n <= 0) return;
  onlineStatsF32(x, n, s);
  expScaleF32(x, y, n, s, statM, <f32>(1.0 / statD), 0);
}
