// Vectorised float32 exp for the softmax kernels (the XNNPACK "rr2-p5" recipe, our own coefficients).
//
//   n = round(x·log2 e)                  via the magic-bias trick: x·log2e + (1.5·2^23 + 127) leaves n + 127
//                                        in the low mantissa bits, so (bits << 23) is the float 2^n
//   t = x − n·ln2_hi − n·ln2_lo          Cody–Waite reduction, t ∈ [−ln2/2, ln2/2]; exact for |n| < 2^9
//   exp(x) = 2^n · (1 + t·p(t)),  p(t) = c1 + t·(c2 + t·(c3 + t·(c4 + t·c5)))
//   x < −87.336544 (2^n would be subnormal) gives 0.
//
// c1..c5 minimise the maximum relative error of 1 + t·p(t) against e^t on [−ln2/2, ln2/2] (Lawson's
// iteratively reweighted least squares, scripts/fit-exp-coefficients.mjs; 9.1e-8 in exact arithmetic).
// The float32 evaluation's measured error is stated in the README (test/kernels/exp.test.ts measures it).
// Domain used by the kernels: x ≤ 0 (softmax subtracts the row maximum first). −∞ → 0, NaN → NaN.

export const LOG2E: f32 = 1.44269502;
export const MAGIC_BIAS: f32 = 12583039.0; // 0x1.8000FEp23 = 1.5·2^23 + 127
export const MINUS_LN2_HI: f32 = -0.693145752; // −0x1.62E400p−1 (15 significant bits: n·ln2_hi is exact for |n| < 2^9)
export const MINUS_LN2_LO: f32 = -1.42860677e-6; // −0x1.7F7D1Cp−20
export const C1: f32 = 0.999999702;
export const C2: f32 = 0.499991506;
export const C3: f32 = 0.166676357;
export const C4: f32 = 0.0418979302;
export const C5: f32 = 0.00829031505;
export const DENORM_CUTOFF: f32 = -87.3365448; // below this 2^n is subnormal: flush to 0

/**
 * Exact error of the float32 product u = fl(x·s), by Dekker's TwoProduct without FMA: x and s are split
 * into 12-bit halves (Veltkamp, factor 2^12 + 1; sh/sl precomputed) so every partial product is exact.
 * Valid for |x| < 8e34; callers mask entries outside the range they use.
 */
// @ts-ignore: decorator
@inline
export function productErrorv(x: v128, u: v128, sh: v128, sl: v128): v128 {
  const cx = f32x4.mul(x, f32x4.splat(4097));
  const xh = f32x4.sub(cx, f32x4.sub(cx, x));
  const xl = f32x4.sub(x, xh);
  const e = f32x4.add(f32x4.sub(f32x4.mul(xh, sh), u), f32x4.mul(xh, sl));
  return f32x4.add(f32x4.add(e, f32x4.mul(xl, sh)), f32x4.mul(xl, sl));
}

/** productErrorv with the Veltkamp factor 4097 passed in (hoisted; see EXP_K). */
// @ts-ignore: decorator
@inline
export function productErrork(x: v128, u: v128, sh: v128, sl: v128, k4097: v128): v128 {
  const cx = f32x4.mul(x, k4097);
  const xh = f32x4.sub(cx, f32x4.sub(cx, x));
  const xl = f32x4.sub(x, xh);
  const e = f32x4.add(f32x4.sub(f32x4.mul(xh, sh), u), f32x4.mul(xh, sl));
  return f32x4.add(f32x4.add(e, f32x4.mul(xl, sh)), f32x4.mul(xl, sl));
}

/** Veltkamp split of a scalar: [hi, lo] with hi holding the top 12 significant bits. */
export function splitHi(s: f32): f32 {
  const c: f32 = s * 4097;
  return c - (c - s);
}

// ---------------------------------------------------------------------------------------------------
// Hoisted constants. V8 materialises every v128.const inside loops (three instructions each: ~30 extra
// instructions per 4 exponentials), so the hot kernels load the constants from linear memory once per
// call into locals, which the engine keeps in registers: the exp loop drops from ~54 to ~28
// machine instructions per vector (node --print-wasm-code; timing: scripts/kernel-timing.mjs).
// AssemblyScript has no multi-value locals, so each kernel repeats the eight loads at its top
// (`const kLog2e = v128.load(EXP_K)`, …, as in expF32) and passes them to expk.

/**
 * [log2e, −ln2_hi, −ln2_lo, c5, c4, c3, c2, c1, magic bias, subnormal cutoff, Veltkamp factor 4097, 0],
 * each splatted to 4 lanes (offsets 0, 16, …, 176).
 */
export const EXP_K: usize = memory.data<f32>([
  LOG2E, LOG2E, LOG2E, LOG2E,
  MINUS_LN2_HI, MINUS_LN2_HI, MINUS_LN2_HI, MINUS_LN2_HI,
  MINUS_LN2_LO, MINUS_LN2_LO, MINUS_LN2_LO, MINUS_LN2_LO,
  C5, C5, C5, C5,
  C4, C4, C4, C4,
  C3, C3, C3, C3,
  C2, C2, C2, C2,
  C1, C1, C1, C1,
  MAGIC_BIAS, MAGIC_BIAS, MAGIC_BIAS, MAGIC_BIAS,
  DENORM_CUTOFF, DENORM_CUTOFF, DENORM_CUTOFF, DENORM_CUTOFF,
  4097, 4097, 4097, 4097,
  0, 0, 0, 0,
], 16);

/**
 * exp(x)·2^(−k) for the bias b = MAGIC_BIAS − k (b = MAGIC_BIAS: plain exp), with the constants in
 * locals (see EXP_K). No cutoff: callers mask what underflows.
 */
// @ts-ignore: decorator
@inline
export function expk(x: v128, b: v128, kLog2e: v128, kHi: v128, kLo: v128, k5: v128, k4: v128, k3: v128, k2: v128, k1: v128): v128 {
  let n = f32x4.add(f32x4.mul(x, kLog2e), b);
  const s = i32x4.shl(n, 23);
  n = f32x4.sub(n, b);
  let t = f32x4.add(f32x4.mul(n, kHi), x);
  t = f32x4.add(f32x4.mul(n, kLo), t);
  let p = f32x4.add(f32x4.mul(k5, t), k4);
  p = f32x4.add(f32x4.mul(p, t), k3);
  p = f32x4.add(f32x4.mul(p, t), k2);
  p = f32x4.add(f32x4.mul(p, t), k1);
  t = f32x4.mul(t, s);
  return f32x4.add(f32x4.mul(t, p), s);
}

/** expk of x + err, err a small exact correction of the argument (form B of softmax.ts). */
// @ts-ignore: decorator
@inline
export function expErrk(x: v128, err: v128, b: v128, kLog2e: v128, kHi: v128, kLo: v128, k5: v128, k4: v128, k3: v128, k2: v128, k1: v128): v128 {
  let n = f32x4.add(f32x4.mul(x, kLog2e), b);
  const s = i32x4.shl(n, 23);
  n = f32x4.sub(n, b);
  let t = f32x4.add(f32x4.mul(n, kHi), x);
  t = f32x4.add(f32x4.add(f32x4.mul(n, kLo), t), err);
  let p = f32x4.add(f32x4.mul(k5, t), k4);
  p = f32x4.add(f32x4.mul(p, t), k3);
  p = f32x4.add(f32x4.mul(p, t), k2);
  p = f32x4.add(f32x4.mul(p, t), k1);
  t = f32x4.mul(t, s);
  return f32x4.add(f32x4.mul(t, p), s);
}

/** The same operations as expk on one lane (bit-identical results), for row tails and rescale factors. */
// @ts-ignore: decorator
@inline
export function exps(x: f32): f32 {
  let n: f32 = x * LOG2E + MAGIC_BIAS;
  const s = reinterpret<f32>(reinterpret<i32>(n) << 23);
  n = n - MAGIC_BIAS;
  let t: f32 = n * MINUS_LN2_HI + x;
  t = n * MINUS_LN2_LO + t;
  let p: f32 = C5 * t + C4;
  p = p * t + C3;
  p = p * t + C2;
  p = p * t + C1;
  t = t * s;
  const f: f32 = t * p + s;
  return x < DENORM_CUTOFF ? 0 : f;
}

/** y[i] = exp(x[i]) for n floats (the kernel's exp, exported so tests can measure its ulp error). */
export function expF32(x: usize, y: usize, n: i32): void {
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
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    v128.store(y + o, v128.andnot(expk(xv, kMagic, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(xv, kCut)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, exps(load<f32>(x + o)));
  }
}
