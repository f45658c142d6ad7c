// Float32 softmax kernels on rows in linear memory. Pointers are byte offsets; y may equal x (in place).
// `s` is the inverse temperature: the kernels compute softmax(s·x).
//
// Summation: exponentials are added in float32 lanes over blocks of BLOCK elements, and block sums in
// float64, so the normaliser's relative error stays near 1e-7 even for rows of millions of elements.

import { expv, exps, expShiftedv, expShiftedErrv, productErrorv, splitHi, MAGIC_BIAS } from './exp';
import { maxF32, laneSum64 } from './reduce';

const BLOCK: i32 = 256;

/**
 * Stores e_i = exp(s·(x_i − m)) into y and returns Σ e_i (float64 accumulation of float32 block sums).
 */
export function expStoreSumF32(x: usize, y: usize, n: i32, m: f32, s: f32): f64 {
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
      const e0 = expv(f32x4.mul(f32x4.sub(v128.load(x + o), vm), vs));
      const e1 = expv(f32x4.mul(f32x4.sub(v128.load(x + o, 16), vm), vs));
      v128.store(y + o, e0);
      v128.store(y + o, e1, 16);
      a0 = f32x4.add(a0, e0);
      a1 = f32x4.add(a1, e1);
    }
    total += laneSum64(f32x4.add(a0, a1));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const e = exps((load<f32>(x + o) - m) * s);
    store<f32>(y + o, e);
    total += <f64>e;
  }
  return total;
}

/**
 * The exact-argument form of the exp pass, for s = 1: e_i = exp(x_i)·2^(−n_m), n_m = round(m·log2 e).
 * Subtracting the maximum in float32 rounds x_i − m (up to 4e-6 relative error in e_i for entries that
 * still matter); reducing x_i itself is exact (Cody–Waite), and the shift by 2^(−n_m) folds into the
 * magic bias, so this costs no more than the plain pass. The common factor 2^(−n_m)·e^(−(m − n_m·ln2))
 * cancels in the normalisation. Requires |m| ≤ EXACT_LIMIT (then |n| < 2^10 and n·ln2_hi is exact).
 * Entries with x_i < m − 87 give 0 (they are below 1e-37 of the maximum).
 */
export function expShiftedStoreSumF32(x: usize, y: usize, n: i32, m: f32): f64 {
  const nm: f32 = <f32>Math.round(<f64>m * 1.4426950408889634);
  const vb = f32x4.splat(MAGIC_BIAS - nm);
  const vcut = f32x4.splat(m - 87.0);
  let total: f64 = 0;
  let i = 0;
  while (i + 8 <= n) {
    const end = min(n & ~7, i + BLOCK);
    let a0 = f32x4.splat(0);
    let a1 = a0;
    for (; i < end; i += 8) {
      const o = <usize>i << 2;
      const x0 = v128.load(x + o);
      const x1 = v128.load(x + o, 16);
      const e0 = v128.andnot(expShiftedv(x0, vb), f32x4.lt(x0, vcut));
      const e1 = v128.andnot(expShiftedv(x1, vb), f32x4.lt(x1, vcut));
      v128.store(y + o, e0);
      v128.store(y + o, e1, 16);
      a0 = f32x4.add(a0, e0);
      a1 = f32x4.add(a1, e1);
    }
    total += laneSum64(f32x4.add(a0, a1));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    const e: f32 = v < m - 87.0 ? <f32>0 : f32x4.extract_lane(expShiftedv(f32x4.splat(v), vb), 0);
    store<f32>(y + o, e);
    total += <f64>e;
  }
  return total;
}

/**
 * expShiftedStoreSumF32 for any inverse temperature s: e_i = exp(s·x_i)·2^(−n_m) with n_m = round(s·m·log2 e),
 * the product s·x_i carried exactly (rounded value + Dekker error), so temperature costs accuracy nothing.
 * About 12 more vector operations per 4 elements than the s = 1 pass.
 */
export function expScaledShiftedStoreSumF32(x: usize, y: usize, n: i32, m: f32, s: f32): f64 {
  const sm: f32 = s * m;
  const nm: f32 = <f32>Math.round(<f64>sm * 1.4426950408889634);
  const vb = f32x4.splat(MAGIC_BIAS - nm);
  const vcut = f32x4.splat(sm - 87.0);
  const vs = f32x4.splat(s);
  const sh = splitHi(s);
  const vsh = f32x4.splat(sh);
  const vsl = f32x4.splat(s - sh);
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n & ~3, i + BLOCK);
    let acc = f32x4.splat(0);
    for (; i < end; i += 4) {
      const o = <usize>i << 2;
      const xv = v128.load(x + o);
      const u = f32x4.mul(xv, vs);
      const e = v128.andnot(expShiftedErrv(u, productErrorv(xv, u, vsh, vsl), vb), f32x4.lt(u, vcut));
      v128.store(y + o, e);
      acc = f32x4.add(acc, e);
    }
    total += laneSum64(acc);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const xv = f32x4.splat(load<f32>(x + o));
    const u = f32x4.mul(xv, vs);
    const e = f32x4.extract_lane(v128.andnot(expShiftedErrv(u, productErrorv(xv, u, vsh, vsl), vb), f32x4.lt(u, vcut)), 0);
    store<f32>(y + o, e);
    total += <f64>e;
  }
  return total;
}

/**
 * Largest |s·m| for which the exact-argument passes are exact: entries that matter have s·x ≥ s·m − 87, so
 * |round(s·x·log2 e)| < 2^9 and n·ln2_hi (15 significant bits) is exact.
 */
export const EXACT_LIMIT: f32 = 260;

/** Σ exp(s·(x_i − m)) without storing (log-softmax, log-sum-exp); same blocking as expStoreSumF32. */
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
  let d: f64;
  if (abs(s * m) > EXACT_LIMIT) d = expStoreSumF32(x, y, n, m, s); // also the ±∞/NaN maximum: PyTorch semantics
  else if (s == 1) d = expShiftedStoreSumF32(x, y, n, m);
  else d = expScaledShiftedStoreSumF32(x, y, n, m, s);
  scaleF32(y, n, <f32>(1.0 / d));
}

/**
 * y_i = exp(s·x_i − m)·c + b: the output pass shared by the online and chunked paths (b ≠ 0 gives the
 * label-smoothed cross-entropy gradient).
 */
export function expScaleF32(x: usize, y: usize, n: i32, s: f32, m: f32, c: f32, b: f32): void {
  const vc0 = f32x4.splat(c);
  const vb = f32x4.splat(b);
  let i = 0;
  if (s == 1 && abs(m) <= EXACT_LIMIT) {
    // Exact-argument form (see expShiftedStoreSumF32): exp(x − m)·c = exp(x)·2^(−n_m) · c·e^(n_m·ln2 − m).
    const nm: f32 = <f32>Math.round(<f64>m * 1.4426950408889634);
    const vbias = f32x4.splat(MAGIC_BIAS - nm);
    const vcut = f32x4.splat(m - 87.0);
    const vc = f32x4.splat(<f32>(<f64>c * Math.exp(<f64>nm * 0.6931471805599453 - <f64>m)));
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const x0 = v128.load(x + o);
      const x1 = v128.load(x + o, 16);
      const e0 = v128.andnot(expShiftedv(x0, vbias), f32x4.lt(x0, vcut));
      const e1 = v128.andnot(expShiftedv(x1, vbias), f32x4.lt(x1, vcut));
      v128.store(y + o, f32x4.add(f32x4.mul(e0, vc), vb));
      v128.store(y + o, f32x4.add(f32x4.mul(e1, vc), vb), 16);
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const xv = f32x4.splat(load<f32>(x + o));
      const e = v128.andnot(expShiftedv(xv, vbias), f32x4.lt(xv, vcut));
      store<f32>(y + o, f32x4.extract_lane(f32x4.add(f32x4.mul(e, vc), vb), 0));
    }
  } else if (abs(m) <= EXACT_LIMIT) {
    // Same with the product s·x carried exactly (see expScaledShiftedStoreSumF32); here m = max s·x.
    const nm: f32 = <f32>Math.round(<f64>m * 1.4426950408889634);
    const vbias = f32x4.splat(MAGIC_BIAS - nm);
    const vcut = f32x4.splat(m - 87.0);
    const vc = f32x4.splat(<f32>(<f64>c * Math.exp(<f64>nm * 0.6931471805599453 - <f64>m)));
    const vs = f32x4.splat(s);
    const sh = splitHi(s);
    const vsh = f32x4.splat(sh);
    const vsl = f32x4.splat(s - sh);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const xv = v128.load(x + o);
      const u = f32x4.mul(xv, vs);
      const e = v128.andnot(expShiftedErrv(u, productErrorv(xv, u, vsh, vsl), vbias), f32x4.lt(u, vcut));
      v128.store(y + o, f32x4.add(f32x4.mul(e, vc), vb));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const xv = f32x4.splat(load<f32>(x + o));
      const u = f32x4.mul(xv, vs);
      const e = v128.andnot(expShiftedErrv(u, productErrorv(xv, u, vsh, vsl), vbias), f32x4.lt(u, vcut));
      store<f32>(y + o, f32x4.extract_lane(f32x4.add(f32x4.mul(e, vc), vb), 0));
    }
  } else {
    const vs = f32x4.splat(s);
    const vm = f32x4.splat(m);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const e0 = expv(f32x4.sub(f32x4.mul(v128.load(x + o), vs), vm));
      const e1 = expv(f32x4.sub(f32x4.mul(v128.load(x + o, 16), vs), vm));
      v128.store(y + o, f32x4.add(f32x4.mul(e0, vc0), vb));
      v128.store(y + o, f32x4.add(f32x4.mul(e1, vc0), vb), 16);
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, exps(load<f32>(x + o) * s - m) * c + b);
    }
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

const LOWEST: f32 = -3.4028234663852886e38;

/**
 * The online normaliser (Milakov & Gimelshein 2018) over z = s·x in one read: per lane
 * m' = max(m, z), d = d·e^(m−m') + e^(z−m'). The rescale runs only when some lane's maximum grows
 * (rare after the first elements), so the common step costs one exp. Every BLOCK elements the lanes
 * are folded into a float64 pair (M, D) by the associative merge
 * (M, D) ⊕ (m, d) = (M', D·e^(M−M') + d·e^(m−M')), which keeps float32 sums short (accuracy).
 * Maxima start at −FLT_MAX, not −∞, so masked entries never form −∞ − (−∞); an all-(−∞) row ends with
 * D = 0 and the output pass then yields 0·∞ = NaN, as PyTorch does. Results in statsM()/statsD().
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
      const z = f32x4.mul(v128.load(x + (<usize>i << 2)), vs);
      if (v128.any_true(f32x4.gt(z, vm))) {
        const nm = f32x4.pmax(vm, z);
        vd = f32x4.mul(vd, expv(f32x4.sub(vm, nm)));
        vm = nm;
      }
      vd = f32x4.add(vd, expv(f32x4.sub(z, vm)));
    }
    const bm = laneMax(vm);
    const bd = laneSum64(f32x4.mul(vd, expv(f32x4.sub(vm, f32x4.splat(bm)))));
    if (bm > M) {
      D = D * <f64>exps(M - bm) + bd;
      M = bm;
    } else {
      D += bd;
    }
  }
  for (; i < n; i++) {
    const z = load<f32>(x + (<usize>i << 2)) * s;
    if (z > M) {
      D = D * <f64>exps(M - z) + 1;
      M = z;
    } else {
      D += <f64>exps(z - M);
    }
  }
  // A +∞ entry makes the row NaN (PyTorch); the scalar tail alone would not produce it.
  statM = M;
  statD = M == Infinity ? NaN : D;
}

/** Online-normaliser softmax: one read for (m, d), one read + write for y_i = e^(s·x_i − m)/d. */
export function softmaxOnlineF32(x: usize, y: usize, n: i32, s: f32): void {
  if (n <= 0) return;
  onlineStatsF32(x, n, s);
  expScaleF32(x, y, n, s, statM, <f32>(1.0 / statD), 0);
}
