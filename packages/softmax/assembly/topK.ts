// Fused softmax + top-k (Milakov & Gimelshein 2018, §4): one read of the input keeps the online
// normaliser (M, D) and a sorted buffer of the k largest values with their indices. The input is read
// in blocks of 256 floats (1 KiB): the block maximum comes first (one pass from memory), then the
// block, now in
// L1, feeds the exp-sum and — only when its maximum beats the current k-th value — the buffer.
// State persists across calls so a host can stream a long row through in chunks.

import { exps, expk, EXP_K } from './exp';
import { laneSum64 } from './reduce';

const LOWEST: f32 = -3.4028234663852886e38;
const TB: i32 = 256;

let kCap: i32 = 0;
let count: i32 = 0;
let M: f32 = LOWEST;
let D: f64 = 0;
let valPtr: usize = 0;
let idxPtr: usize = 0;

/** Starts a row: buffers of capacity k at vals (f32) and idx (i32), provided by the host. */
export function topKBegin(k: i32, vals: usize, idx: usize): void {
  kCap = k;
  count = 0;
  M = LOWEST;
  D = 0;
  valPtr = vals;
  idxPtr = idx;
}

export function topKMax(): f32 { return M; }
export function topKSum(): f64 { return D; }
export function topKCount(): i32 { return count; }

/** Inserts (v, index) keeping the buffer sorted by value descending, ties by index ascending. */
function insert(v: f32, index: i32): void {
  let j = count < kCap ? count : kCap - 1;
  if (count < kCap) count++;
  while (j > 0 && load<f32>(valPtr + (<usize>(j - 1) << 2)) < v) {
    store<f32>(valPtr + (<usize>j << 2), load<f32>(valPtr + (<usize>(j - 1) << 2)));
    store<i32>(idxPtr + (<usize>j << 2), load<i32>(idxPtr + (<usize>(j - 1) << 2)));
    j--;
  }
  store<f32>(valPtr + (<usize>j << 2), v);
  store<i32>(idxPtr + (<usize>j << 2), index);
}

/** The value an element must exceed to enter the buffer. */
// @ts-ignore: decorator
@inline
function threshold(): f32 {
  return count < kCap ? -Infinity : load<f32>(valPtr + (<usize>(kCap - 1) << 2));
}

/**
 * Feeds n floats at x, whose first element has row index base. M is the running max of x (unscaled)
 * and D = Σ exp(s·(x − M)); the buffer holds unscaled values (s > 0 keeps the order).
 */
export function topKUpdate(x: usize, n: i32, s64: f64, base: i32): void {
  const s = <f32>s64;
  // Hoisted exp constants (see EXP_K in exp.ts).
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
  let i = 0;
  for (; i + TB <= n; i += TB) {
    const p = x + (<usize>i << 2);
    let vm = f32x4.splat(-Infinity);
    for (let j = 0; j < TB; j += 4) vm = f32x4.pmax(vm, v128.load(p + (<usize>j << 2)));
    const bm = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
    if (bm > M) {
      D = D * <f64>exps((M - bm) * s);
      M = bm;
    }
    const vM = f32x4.splat(M);
    let acc = f32x4.splat(0);
    for (let j = 0; j < TB; j += 4) {
      const z = f32x4.mul(f32x4.sub(v128.load(p + (<usize>j << 2)), vM), vs);
      acc = f32x4.add(acc, v128.andnot(expk(z, kMagic, kLog2e, kHi, kLo, k5, k4, k3, k2, k1), f32x4.lt(z, kCut)));
    }
    D += laneSum64(acc);
    // NaN never passes `>`, so NaN rows keep a buffer of the comparable values and a NaN sum.
    if (bm > threshold()) {
      for (let j = 0; j < TB; j++) {
        const v = load<f32>(p + (<usize>j << 2));
        if (v > threshold()) insert(v, base + i + j);
      }
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
    if (v > threshold()) insert(v, base + i);
  }
}
