// Float32 softmax kernels on rows in linear memory. Pointers are byte offsets; y may equal x (in place).
// `s64` is the inverse temperature (float64; kernels use its float32 part s and, where outputs are
// formed, the remainder s64 − s): the kernels compute softmax(s·x). Row maxima m are of x (unscaled).
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

import { exps, expk, expErrk, productErrork, splitHi, MAGIC_BIAS, EXP_K } from './exp';
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
 * Form B: exp(s·(x − m)) with the argument carried exactly. vnm = −m; vs, vsh, vsl = s (float32) and its
 * Veltkamp split; vslo = s64 − s, the part of a float64 inverse temperature float32 cannot hold; the k… are the hoisted constants (EXP_K). Entries with s·(x − m) below the subnormal cutoff
 * give 0 (also −∞ entries); NaN propagates.
 */
// @ts-ignore: decorator
@inline
function expDiffk(x: v128, vnm: v128, vs: v128, vsh: v128, vsl: v128, vslo: v128, kMagic: v128, kCut: v128, kSplit: v128,
  kLog2e: v128, kHi: v128, kLo: v128, k5: v128, k4: v128, k3: v128, k2: v128, k1: v128): v128 {
  const d = f32x4.add(x, vnm);
  const bb = f32x4.sub(d, x);
  const ed = f32x4.add(f32x4.sub(x, f32x4.sub(d, bb)), f32x4.sub(vnm, bb));
  const u = f32x4.mul(d, vs);
  const err = f32x4.add(f32x4.add(productErrork(d, u, vsh, vsl, kSplit), f32x4.mul(ed, vs)), f32x4.mul(d, vslo));
  const e = expErrk(u, err, kMagic, kLog2e, kHi, kLo, k5, k4, k3, k2, k1);
  return v128.andnot(e, f32x4.lt(u, kCut));
}

/** Plain exp on hoisted constants: zero below the subnormal cutoff. */
// @ts-ignore: decorator
@inline
function expCutk(z: v128, kMagic: v128, kCut: v128, kLog2e: v128, kHi: v128, kLo: v128, k5: v128, k4: v128, k3: v128, k2: v128, k1: v128): v128 {
  return v128.andnot(expk(z, kMagic, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(z, kCut));
}

/**
 * Stores e_i = K·exp(s·(x_i − m)) into y and returns Σ e_i, where K = e^(m − n_m·ln2) is the common
 * factor form A leaves (it cancels in the normalisation) and K = 1 in form B.
 */
export function expStoreSumF32(x: usize, y: usize, n: i32, m: f32, s: f32, slo: f32): f64 {
  // Hoisted constants (EXP_K): loaded once so the engine keeps them in registers.
  const kLog2e = v128.load(EXP_K);
  const kHi = v128.load(EXP_K, 16);
  const kLo = v128.load(EXP_K, 32);
  const k5 = v128.load(EXP_K, 48);
  const k4 = v128.load(EXP_K, 64);
  const k3 = v128.load(EXP_K, 80);
  const k2 = v128.load(EXP_K, 96);
  const k1 = v128.load(EXP_K, 112);
  let total: f64 = 0;
  let i = 0;
  if (formA(m, s)) {
    const vb = f32x4.splat(MAGIC_BIAS - shiftOf(m));
    const vcut = f32x4.splat(m - 87.0);
    while (i + 4 <= n) {
      const end = min(n & ~3, i + BLOCK);
      let acc = f32x4.splat(0);
      for (; i < end; i += 4) {
        const o = <usize>i << 2;
        const xv = v128.load(x + o);
        const e = v128.andnot(expk(xv, vb, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(xv, vcut));
        v128.store(y + o, e);
        acc = f32x4.add(acc, e);
      }
      total += laneSum64(acc);
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const xv = f32x4.splat(load<f32>(x + o));
      const e = f32x4.extract_lane(v128.andnot(expk(xv, vb, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(xv, vcut)), 0);
      store<f32>(y + o, e);
      total += <f64>e;
    }
    return total;
  }
  const kMagic = v128.load(EXP_K, 128);
  const kCut = v128.load(EXP_K, 144);
  const kSplit = v128.load(EXP_K, 160);
  const vnm = f32x4.splat(-m);
  const vs = f32x4.splat(s);
  const sh = splitHi(s);
  const vsh = f32x4.splat(sh);
  const vsl = f32x4.splat(s - sh);
  const vslo = f32x4.splat(slo);
  while (i + 4 <= n) {
    const end = min(n & ~3, i + BLOCK);
    let acc = f32x4.splat(0);
    for (; i < end; i += 4) {
      const o = <usize>i << 2;
      const e = expDiffk(v128.load(x + o), vnm, vs, vsh, vsl, vslo, kMagic, kCut, kSplit, kLog2e, kHi, kLo, k5, k4, k3, k2, k1);
      v128.store(y + o, e);
      acc = f32x4.add(acc, e);
    }
    total += laneSum64(acc);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const e = f32x4.extract_lane(expDiffk(f32x4.splat(load<f32>(x + o)), vnm, vs, vsh, vsl, vslo, kMagic, kCut, kSplit, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), 0);
    store<f32>(y + o, e);
    total += <f64>e;
  }
  return total;
}

/** Σ exp(s·(x_i − m)) without storing (log-softmax, log-sum-exp), plain argument, blocked sums. */
export function expSumF32(x: usize, n: i32, m: f32, s: f32): f64 {
  // Hoisted constants (EXP_K): loaded once so the engine keeps them in registers.
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
  const vm = f32x4.splat(m);
  const vs = f32x4.splat(s);
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n & ~3, i + BLOCK);
    let acc = f32x4.splat(0);
    for (; i < end; i += 4) {
      const z = f32x4.mul(f32x4.sub(v128.load(x + (<usize>i << 2)), vm), vs);
      acc = f32x4.add(acc, expCutk(z, kMagic, kCut, kLog2e, kHi, kLo, k5, k4, k3, k2, k1));
    }
    total += laneSum64(acc);
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
export function softmaxThreePassF32(x: usize, y: usize, n: i32, s64: f64): void {
  if (n <= 0) return;
  const m = maxF32(x, n);
  const s = <f32>s64;
  scaleF32(y, n, <f32>(1.0 / expStoreSumF32(x, y, n, m, s, <f32>(s64 - <f64>s))));
}

/**
 * y_i = exp(s·(x_i − m))·c + b: the output pass of the online and chunked paths (b ≠ 0 gives the
 * label-smoothed cross-entropy gradient). m is a maximum of x (unscaled).
 */
export function expScaleF32(x: usize, y: usize, n: i32, s64: f64, m: f32, c: f32, b: f32): void {
  const s = <f32>s64;
  const slo = <f32>(s64 - <f64>s);
  // Hoisted constants (EXP_K): loaded once so the engine keeps them in registers.
  const kLog2e = v128.load(EXP_K);
  const kHi = v128.load(EXP_K, 16);
  const kLo = v128.load(EXP_K, 32);
  const k5 = v128.load(EXP_K, 48);
  const k4 = v128.load(EXP_K, 64);
  const k3 = v128.load(EXP_K, 80);
  const k2 = v128.load(EXP_K, 96);
  const k1 = v128.load(EXP_K, 112);
  const vb = f32x4.splat(b);
  let i = 0;
  if (formA(m, s)) {
    const nm = shiftOf(m);
    const vbias = f32x4.splat(MAGIC_BIAS - nm);
    const vcut = f32x4.splat(m - 87.0);
    const vc = f32x4.splat(<f32>(<f64>c * residualOf(m, nm)));
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const xv = v128.load(x + o);
      const e = v128.andnot(expk(xv, vbias, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(xv, vcut));
      v128.store(y + o, f32x4.add(f32x4.mul(e, vc), vb));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const xv = f32x4.splat(load<f32>(x + o));
      const e = v128.andnot(expk(xv, vbias, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(xv, vcut));
      store<f32>(y + o, f32x4.extract_lane(f32x4.add(f32x4.mul(e, vc), vb), 0));
    }
    return;
  }
  const kMagic = v128.load(EXP_K, 128);
  const kCut = v128.load(EXP_K, 144);
  const kSplit = v128.load(EXP_K, 160);
  const vc = f32x4.splat(c);
  const vnm = f32x4.splat(-m);
  const vs = f32x4.splat(s);
  const sh = splitHi(s);
  const vsh = f32x4.splat(sh);
  const vsl = f32x4.splat(s - sh);
  const vslo = f32x4.splat(slo);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const e = expDiffk(v128.load(x + o), vnm, vs, vsh, vsl, vslo, kMagic, kCut, kSplit, kLog2e, kHi, kLo, k5, k4, k3, k2, k1);
    v128.store(y + o, f32x4.add(f32x4.mul(e, vc), vb));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const e = expDiffk(f32x4.splat(load<f32>(x + o)), vnm, vs, vsh, vsl, vslo, kMagic, kCut, kSplit, kLog2e, kHi, kLo, k5, k4, k3, k2, k1);
    store<f32>(y + o, f32x4.extract_lane(f32x4.add(f32x4.mul(e, vc), vb), 0));
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
export function onlineStatsF32(x: usize, n: i32, s64: f64): void {
  const s = <f32>s64;
  // Hoisted constants (EXP_K): loaded once so the engine keeps them in registers.
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
        vd = f32x4.mul(vd, expCutk(f32x4.mul(f32x4.sub(vm, nm), vs), kMagic, kCut, kLog2e, kHi, kLo, k5, k4, k3, k2, k1));
        vm = nm;
      }
      vd = f32x4.add(vd, expCutk(f32x4.mul(f32x4.sub(xv, vm), vs), kMagic, kCut, kLog2e, kHi, kLo, k5, k4, k3, k2, k1));
    }
    const bm = laneMax(vm);
    const bd = laneSum64(f32x4.mul(vd, expCutk(f32x4.mul(f32x4.sub(vm, f32x4.splat(bm)), vs), kMagic, kCut, kLog2e, kHi, kLo, k5, k4, k3, k2, k1)));
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
export function softmaxOnlineF32(x: usize, y: usize, n: i32, s64: f64): void {
  if (n <= 0) return;
  onlineStatsF32(x, n, s64);
  expScaleF32(x, y, n, s64, statM, <f32>(1.0 / statD), 0);
}
