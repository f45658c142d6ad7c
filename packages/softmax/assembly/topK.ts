// Fused softmax + top-k (Milakov & Gimelshein 2018, §4): the online normaliser (M, D) and a sorted
// buffer of the k largest values with their indices, without writing any probabilities. The input is
// taken in 64 KiB segments (one read from memory; the later passes hit L2): block maxima, then the
// exp-sum, then a scan of only the 64-float blocks whose maximum beats the current k-th value.
// State persists across calls so a host can stream a long row through in chunks.

import { exps } from './exp';
import { expSumF32 } from './softmax';

const LOWEST: f32 = -3.4028234663852886e38;
const TB: i32 = 64;

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

/** Per-block maxima of the current segment (pass 1), read back by the buffer pass (pass 3). */
const SEG: i32 = 16384;
const BLOCK_MAX: usize = memory.data(<i32>((SEG / TB) << 2), 16);

/**
 * Feeds n floats at x, whose first element has row index base. M is the running max of x (unscaled)
 * and D = Σ exp(s·(x − M)); the buffer holds unscaled values (s > 0 keeps the order).
 * Per segment of SEG floats (64 KiB, in L2 after the first touch): (1) block maxima and the segment
 * maximum; (2) the exp-sum, by the same kernel as log-sum-exp, after rescaling D to the new maximum;
 * (3) only blocks whose maximum beats the current k-th value are scanned for the buffer.
 */
export function topKUpdate(x: usize, n: i32, s64: f64, base: i32): void {
  const s = <f32>s64;
  for (let seg = 0; seg < n; seg += SEG) {
    const len = min(SEG, n - seg);
    const p = x + (<usize>seg << 2);
    const blocks = (len + TB - 1) / TB;
    let segMax: f32 = -Infinity;
    for (let b = 0; b < blocks; b++) {
      const lo = b * TB;
      const hi = min(len, lo + TB);
      let vm = f32x4.splat(-Infinity);
      let j = lo;
      for (; j + 4 <= hi; j += 4) vm = f32x4.pmax(vm, v128.load(p + (<usize>j << 2)));
      let bm = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
      for (; j < hi; j++) bm = max(bm, load<f32>(p + (<usize>j << 2)));
      store<f32>(BLOCK_MAX + (<usize>b << 2), bm);
      if (bm > segMax) segMax = bm;
    }
    if (segMax > M) {
      D = D * <f64>exps((M - segMax) * s);
      M = segMax;
    }
    D += expSumF32(p, len, M, s);
    // NaN never passes `>`, so NaN rows keep a buffer of the comparable values (and a NaN sum).
    for (let b = 0; b < blocks; b++) {
      if (load<f32>(BLOCK_MAX + (<usize>b << 2)) > threshold()) {
        const lo = b * TB;
        const hi = min(len, lo + TB);
        for (let j = lo; j < hi; j++) {
          const v = load<f32>(p + (<usize>j << 2));
          if (v > threshold()) insert(v, base + seg + j);
        }
      }
    }
  }
}
