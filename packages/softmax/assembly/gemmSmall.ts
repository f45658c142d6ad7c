// GEMM for a few rows (m ≤ 4: matrix–vector products, decoding): C = alpha·op(A)·op(B) + beta·C with no
// packing of B, whose cost would equal the product's when m is 1. Pointers are byte offsets, strides in
// floats, as gemmF32.
//
// op(B) not transposed: the rows of op(A) are pre-splatted into a small buffer ([p][row] vectors) and a
// 4×8 (or, for one row, 1×8) register tile runs over k reading B's rows in place, two vectors per step.
// op(B) transposed (B's rows are op(B)'s columns, contiguous along k): four dot products at a time over
// k in f32x4 lanes, reduced with one 4×4 transpose-and-add into the four results.

import { packPanel } from './pack';
import { mac1x8, mac4x8 } from './tile';
import { SLOT_BYTES, workspace } from './workspace';

/** This module's workspace (workspace.ts). */
const work: usize = memory.data(SLOT_BYTES);

/** Stores acc lanes into C row `c` (cols ≤ 8 values from two vectors) as alpha·acc + beta·c. */
// @ts-ignore: decorator
@inline
function storeRow8(c: usize, v0: v128, v1: v128, cols: i32, alpha: f32, beta: f32, tmp: usize): void {
  const va = f32x4.splat(alpha);
  if (cols == 8) {
    if (beta == 0) {
      v128.store(c, f32x4.mul(v0, va));
      v128.store(c, f32x4.mul(v1, va), 16);
    } else {
      const vb = f32x4.splat(beta);
      v128.store(c, f32x4.add(f32x4.mul(v0, va), f32x4.mul(v128.load(c), vb)));
      v128.store(c, f32x4.add(f32x4.mul(v1, va), f32x4.mul(v128.load(c, 16), vb)), 16);
    }
    return;
  }
  v128.store(tmp, v0);
  v128.store(tmp, v1, 16);
  for (let j = 0; j < cols; j++) {
    const o = <usize>j << 2;
    const v = alpha * load<f32>(tmp + o);
    store<f32>(c + o, beta == 0 ? v : v + beta * load<f32>(c + o));
  }
}

/**
 * Σ_p pa[p][r]·b[p][0..8) for 4 pre-splatted rows (pa: 64 bytes per p), b rows `bs` bytes apart (the
 * shared tile of tile.ts), into C's rows×cols corner; tmp: 160 bytes of scratch.
 */
function tile4x8(k: i32, pa: usize, b: usize, bs: usize, c: usize, cs: usize, rows: i32, cols: i32, alpha: f32, beta: f32, tmp: usize): void {
  // The accumulators go through acc (4×8 floats) behind the 8-float tmp of storeRow8.
  const z = f32x4.splat(0);
  const acc = tmp + 32;
  mac4x8(k, pa, b, bs, z, z, z, z, z, z, z, z, acc, 32);
  storeRow8(c, v128.load(acc), v128.load(acc, 16), cols, alpha, beta, tmp);
  if (rows > 1) storeRow8(c + cs, v128.load(acc, 32), v128.load(acc, 48), cols, alpha, beta, tmp);
  if (rows > 2) storeRow8(c + 2 * cs, v128.load(acc, 64), v128.load(acc, 80), cols, alpha, beta, tmp);
  if (rows > 3) storeRow8(c + 3 * cs, v128.load(acc, 96), v128.load(acc, 112), cols, alpha, beta, tmp);
}

/** tile4x8 for one row (pa: 16 bytes per p), even and odd steps in separate accumulators. */
function tile1x8(k: i32, pa: usize, b: usize, bs: usize, c: usize, cols: i32, alpha: f32, beta: f32, tmp: usize): void {
  const z = f32x4.splat(0);
  const acc = tmp + 32;
  mac1x8(k, pa, 16, b, bs, z, z, acc);
  storeRow8(c, v128.load(acc), v128.load(acc, 16), cols, alpha, beta, tmp);
}

/** [Σ lanes of x0, Σ x1, Σ x2, Σ x3]. */
// @ts-ignore: decorator
@inline
function reduce4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), v128.shuffle<f32>(x0, x1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), v128.shuffle<f32>(x2, x3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}

/** Dot products of the contiguous row `a` (k floats) with 4 rows of B (bs bytes apart). */
function dot4(k: i32, a: usize, b: usize, bs: usize): v128 {
  let x0 = f32x4.splat(0);
  let x1 = x0;
  let x2 = x0;
  let x3 = x0;
  const b1 = b + bs;
  const b2 = b + 2 * bs;
  const b3 = b + 3 * bs;
  const k4 = <usize>(k & ~3) << 2;
  for (let o: usize = 0; o < k4; o += 16) {
    const av = v128.load(a + o);
    x0 = f32x4.add(x0, f32x4.mul(av, v128.load(b + o)));
    x1 = f32x4.add(x1, f32x4.mul(av, v128.load(b1 + o)));
    x2 = f32x4.add(x2, f32x4.mul(av, v128.load(b2 + o)));
    x3 = f32x4.add(x3, f32x4.mul(av, v128.load(b3 + o)));
  }
  let r = reduce4(x0, x1, x2, x3);
  for (let p = k & ~3; p < k; p++) {
    const o = <usize>p << 2;
    const av = f32x4.splat(load<f32>(a + o));
    let bv = f32x4.splat(load<f32>(b + o));
    bv = f32x4.replace_lane(bv, 1, load<f32>(b1 + o));
    bv = f32x4.replace_lane(bv, 2, load<f32>(b2 + o));
    bv = f32x4.replace_lane(bv, 3, load<f32>(b3 + o));
    r = f32x4.add(r, f32x4.mul(av, bv));
  }
  return r;
}

/** Scalar dot product of two contiguous rows (float32 sums, as the vector paths). */
function dot1(k: i32, a: usize, b: usize): f32 {
  let s: f32 = 0;
  for (let p = 0; p < k; p++) s += load<f32>(a + (<usize>p << 2)) * load<f32>(b + (<usize>p << 2));
  return s;
}

/**
 * gemmF32 for m ≤ 4 (caller guarantees 1 ≤ m ≤ 4, n ≥ 1, k ≥ 1, alpha ≠ 0): no packing of B.
 */
export function gemmSmallF32(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32): void {
  const ai = transA ? 1 : lda;
  const ap = transA ? lda : 1;
  const ldcb = <usize>ldc << 2;
  const ldbb = <usize>ldb << 2;
  if (transB) {
    // Rows of op(A), contiguous (copied: k·m floats), then dot products with B's rows.
    const rowsBuf = workspace(work, <usize>m * <usize>k * 4 + 32);
    for (let r = 0; r < m; r++) {
      for (let p = 0; p < k; p++) {
        store<f32>(rowsBuf + ((<usize>r * <usize>k + <usize>p) << 2), load<f32>(a + ((<usize>r * <usize>ai + <usize>p * <usize>ap) << 2)));
      }
    }
    const va = f32x4.splat(alpha);
    const vb = f32x4.splat(beta);
    for (let r = 0; r < m; r++) {
      const ar = rowsBuf + (<usize>r * <usize>k << 2);
      const cr = c + <usize>r * ldcb;
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const d = f32x4.mul(dot4(k, ar, b + <usize>j * ldbb, ldbb), va);
        const cj = cr + (<usize>j << 2);
        v128.store(cj, beta == 0 ? d : f32x4.add(d, f32x4.mul(v128.load(cj), vb)));
      }
      for (; j < n; j++) {
        const cj = cr + (<usize>j << 2);
        const v = alpha * dot1(k, ar, b + <usize>j * ldbb);
        store<f32>(cj, beta == 0 ? v : v + beta * load<f32>(cj));
      }
    }
    return;
  }
  // Pre-splatted rows of op(A): [p][row] vectors (one row: 16 bytes per p, else 64 with zero rows).
  const width: i32 = m == 1 ? 1 : 4;
  const paBytes = <usize>k * <usize>width * 16;
  const pa = workspace(work, paBytes + <usize>k * 32 + 160);
  const panel = pa + paBytes;
  const tmp = panel + <usize>k * 32;
  for (let p = 0; p < k; p++) {
    for (let r = 0; r < width; r++) {
      const x: f32 = r < m ? load<f32>(a + ((<usize>r * <usize>ai + <usize>p * <usize>ap) << 2)) : 0;
      v128.store(pa + ((<usize>p * <usize>width + <usize>r) << 4), f32x4.splat(x));
    }
  }
  for (let j = 0; j < n; j += 8) {
    const cols = min(8, n - j);
    let bj = b + (<usize>j << 2);
    let bs = ldbb;
    if (cols < 8) {
      // Column tail: its k×cols block packed (zero padded) so the tile never reads past B's rows.
      packPanel(bj, 1, ldb, cols, k, 8, panel);
      bj = panel;
      bs = 32;
    }
    const cj = c + (<usize>j << 2);
    if (m == 1) tile1x8(k, pa, bj, bs, cj, cols, alpha, beta, tmp);
    else tile4x8(k, pa, bj, bs, cj, ldcb, m, cols, alpha, beta, tmp);
  }
}
