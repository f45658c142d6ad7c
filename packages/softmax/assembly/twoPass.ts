// Two-pass softmax (Dukhan & Ablavatski 2020, arXiv 2001.04438).
//
// exp(z_i) is kept as p_i·2^(n_i): n_i = round(z_i·log2 e), p_i = e^(t_i) with the Cody–Waite reduced t_i.
// Pass 1 sums in (v, e) form per lane: e' = max(e, n_i), v = v·2^(e−e') + p_i·2^(n_i−e'), so there is no
// max pass and no overflow; rescaling is an exact power-of-two multiply. Pass 2 recomputes (p_i, n_i) and
// writes y_i = (p_i / V)·2^(n_i − E). Without AVX-512's vscalefps, WebAssembly builds 2^k from exponent
// bits, so pass 1 costs more than an exp; the dispatcher therefore prefers three-pass (see README).
//
// Validity: the reduction is exact while |n| < 2^9 (|z| ≲ 355; ln2_hi has 15 significant bits). Rows
// outside that range, or holding
// ±∞/NaN, are recomputed by the three-pass kernel, which defines the special-value semantics.

import { LOG2E, MINUS_LN2_HI, MINUS_LN2_LO, C1, C2, C3, C4, C5, productErrorv, splitHi } from './exp';
import { laneSum64 } from './reduce';
import { softmaxThreePassF32 } from './softmax';

const ROUND_BIAS: f32 = 12582912.0; // 1.5·2^23: adding it rounds to an integer
const POW2_BIAS: f32 = 12583039.0; // 1.5·2^23 + 127: (bits << 23) of k + POW2_BIAS is 2^k
const LIMIT: f32 = 350.0;
const BLOCK: i32 = 256;

/** 2^k for integer-valued k ≤ 0 (k < −126 gives 0). */
// @ts-ignore: decorator
@inline
function pow2v(k: v128): v128 {
  const kk = f32x4.pmax(k, f32x4.splat(-127));
  return i32x4.shl(f32x4.add(kk, f32x4.splat(POW2_BIAS)), 23);
}

// @ts-ignore: decorator
@inline
function roundv(z: v128): v128 {
  return f32x4.sub(f32x4.add(f32x4.mul(z, f32x4.splat(LOG2E)), f32x4.splat(ROUND_BIAS)), f32x4.splat(ROUND_BIAS));
}

/** e^t on the reduced range, t from z (plus its rounding error err) and n. */
// @ts-ignore: decorator
@inline
function mantissav(z: v128, n: v128, err: v128): v128 {
  let t = f32x4.add(f32x4.mul(n, f32x4.splat(MINUS_LN2_HI)), z);
  t = f32x4.add(f32x4.add(f32x4.mul(n, f32x4.splat(MINUS_LN2_LO)), t), err);
  let p = f32x4.add(f32x4.mul(f32x4.splat(C5), t), f32x4.splat(C4));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(C3));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(C2));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(C1));
  return f32x4.add(f32x4.mul(t, p), f32x4.splat(1));
}

/** z = s·x and its exact rounding error (zero when s = 1). */
// @ts-ignore: decorator
@inline
function errOf(xv: v128, z: v128, exact: bool, vsh: v128, vsl: v128, vslo: v128): v128 {
  return exact ? f32x4.add(productErrorv(xv, z, vsh, vsl), f32x4.mul(xv, vslo)) : f32x4.splat(0);
}

export function softmaxTwoPassF32(x: usize, y: usize, n: i32, s64: f64): void {
  if (n <= 0) return;
  const s = <f32>s64;
  const n4 = n & ~3;
  if (n4 == 0) {
    softmaxThreePassF32(x, y, n, s64);
    return;
  }
  const vs = f32x4.splat(s);
  const exact = s64 != 1;
  const sh = splitHi(s);
  const vsh = f32x4.splat(sh);
  const vsl = f32x4.splat(s - sh);
  const vslo = f32x4.splat(<f32>(s64 - <f64>s));
  let zmin = f32x4.splat(Infinity);
  let zmax = f32x4.splat(-Infinity);
  // (V, E): the running sum V·2^E in float64; lanes accumulate BLOCK elements in float32, then fold.
  let V: f64 = 0;
  let E: f32 = -Infinity; // 2^(−∞) = 0: the first block sets E
  let i = 0;
  while (i < n4) {
    const end = min(n4, i + BLOCK);
    let va = f32x4.splat(0);
    let ve = f32x4.splat(E);
    for (; i < end; i += 4) {
      const xv = v128.load(x + (<usize>i << 2));
      const z = f32x4.mul(xv, vs);
      zmin = f32x4.pmin(zmin, z);
      zmax = f32x4.pmax(zmax, z);
      const k = roundv(z);
      const p = mantissav(z, k, errOf(xv, z, exact, vsh, vsl, vslo));
      const e = f32x4.pmax(ve, k);
      va = f32x4.add(f32x4.mul(va, pow2v(f32x4.sub(ve, e))), f32x4.mul(p, pow2v(f32x4.sub(k, e))));
      ve = e;
    }
    const be = max(max(f32x4.extract_lane(ve, 0), f32x4.extract_lane(ve, 1)), max(f32x4.extract_lane(ve, 2), f32x4.extract_lane(ve, 3)));
    const bv = laneSum64(f32x4.mul(va, pow2v(f32x4.sub(ve, f32x4.splat(be)))));
    if (be > E) {
      V = V * Math.pow(2, <f64>(E - be)) + bv;
      E = be;
    } else {
      V += bv * Math.pow(2, <f64>(be - E));
    }
  }
  const lo = min(min(f32x4.extract_lane(zmin, 0), f32x4.extract_lane(zmin, 1)), min(f32x4.extract_lane(zmin, 2), f32x4.extract_lane(zmin, 3)));
  const hi = max(max(f32x4.extract_lane(zmax, 0), f32x4.extract_lane(zmax, 1)), max(f32x4.extract_lane(zmax, 2), f32x4.extract_lane(zmax, 3)));
  // NaN fails both comparisons, so it also takes the exact path.
  let ok = lo >= -LIMIT && hi <= LIMIT;
  for (let j = n4; j < n && ok; j++) {
    const z = load<f32>(x + (<usize>j << 2)) * s;
    ok = z >= -LIMIT && z <= LIMIT;
  }
  if (!ok) {
    softmaxThreePassF32(x, y, n, s64);
    return;
  }
  let Et = E;
  for (let j = n4; j < n; j++) {
    const xv = f32x4.splat(load<f32>(x + (<usize>j << 2)));
    const z = f32x4.mul(xv, vs);
    const k = roundv(z);
    const kk = f32x4.extract_lane(k, 0);
    const p = <f64>f32x4.extract_lane(mantissav(z, k, errOf(xv, z, exact, vsh, vsl, vslo)), 0);
    if (kk > Et) {
      V = V * Math.pow(2, <f64>(Et - kk)) + p;
      Et = kk;
    } else {
      V += p * Math.pow(2, <f64>(kk - Et));
    }
  }
  const vinv = f32x4.splat(<f32>(1.0 / V));
  const vE = f32x4.splat(Et);
  i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    const z = f32x4.mul(xv, vs);
    const k = roundv(z);
    const p = mantissav(z, k, errOf(xv, z, exact, vsh, vsl, vslo));
    v128.store(y + o, f32x4.mul(f32x4.mul(p, vinv), pow2v(f32x4.sub(k, vE))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const xv = f32x4.splat(load<f32>(x + o));
    const z = f32x4.mul(xv, vs);
    const k = roundv(z);
    const r = f32x4.mul(f32x4.mul(mantissav(z, k, errOf(xv, z, exact, vsh, vsl, vslo)), vinv), pow2v(f32x4.sub(k, vE)));
    store<f32>(y + o, f32x4.extract_lane(r, 0));
  }
}
