// Float32 GEMM: C = alpha·op(A)·op(B) + beta·C, row-major, pointers are byte offsets, strides in floats.
//
// Cache blocking in the manner of Goto & van de Geijn (2008, "Anatomy of high-performance matrix
// multiplication"): for each KC-deep slice of the product, a KC×NC block of op(B) is packed into
// micro-panels of NR = 8 columns ([p][8] contiguous) and an MC×KC block of op(A) into micro-panels of
// MR = 4 rows, pre-splatted ([p][row] as 4-lane vectors, so each operand is a plain load with a folded
// offset: V8 spends an extra address instruction on a broadcast load with an offset). The micro-kernel
// computes a 4×8 tile of C in eight f32x4 accumulators (the shared tile of tile.ts: a splatted A scalar
// times two B vectors per row and step, no horizontal sums). Packing absorbs the transposes and zero-pads
// partial panels, so the micro-kernel always runs full tiles; the tile leaves through a small buffer,
// then to C (only the valid corner of a partial tile). The packed B micro-panel (KC·8 floats, 8 KB)
// stays in L1 while the packed A block (MC·KC·4 floats, 256 KB) streams from L2. m ≤ 4 goes to
// gemmSmall.ts (no packing of B).
//
// beta = 0 never reads C (NaN there does not propagate). Later KC slices accumulate into C (beta = 1).

import { packPanel } from './pack';
import { gemmSmallF32 } from './gemmSmall';
import { mac4x8 } from './tile';
import { SLOT_BYTES, workspace } from './workspace';

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 64;
const NC: i32 = 1024;

/** This module's workspace (workspace.ts). */
const work: usize = memory.data(SLOT_BYTES);

/** Expands a packed [p][4] A panel into pre-splatted [p][row] vectors (64 bytes per p). */
function splatPanel(src: usize, kc: i32, dst: usize): void {
  for (let p = 0; p < kc; p++) {
    const v = v128.load(src + (<usize>p << 4));
    const d = dst + (<usize>p << 6);
    v128.store(d, v128.shuffle<f32>(v, v, 0, 0, 0, 0));
    v128.store(d, v128.shuffle<f32>(v, v, 1, 1, 1, 1), 16);
    v128.store(d, v128.shuffle<f32>(v, v, 2, 2, 2, 2), 32);
    v128.store(d, v128.shuffle<f32>(v, v, 3, 3, 3, 3), 48);
  }
}

/** Writes one 4×8 tile: c = alpha·acc + beta·c (beta = 0: c = alpha·acc, C unread). */
// @ts-ignore: decorator
@inline
function storeRow(c: usize, a0: v128, a1: v128, va: v128, vb: v128, beta: f32): void {
  if (beta == 0) {
    v128.store(c, f32x4.mul(a0, va));
    v128.store(c, f32x4.mul(a1, va), 16);
  } else {
    v128.store(c, f32x4.add(f32x4.mul(a0, va), f32x4.mul(v128.load(c), vb)));
    v128.store(c, f32x4.add(f32x4.mul(a1, va), f32x4.mul(v128.load(c, 16), vb)), 16);
  }
}

let tile: usize = 0;

/**
 * The 4×8 micro-kernel: acc[r] = Σ_p pa[p][r]·pb[p][0..8] over kc steps (pa pre-splatted, 64 bytes
 * per p; the shared tile of tile.ts, through the `tile` buffer), then C's rows×cols corner of the
 * tile ← alpha·acc + beta·C. ldc in bytes.
 */
function micro4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, alpha: f32, beta: f32, rows: i32, cols: i32): void {
  const z = f32x4.splat(0);
  const t = tile;
  mac4x8(kc, pa, pb, 32, z, z, z, z, z, z, z, z, t, 32);
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  if (rows == MR && cols == NR) {
    storeRow(c, v128.load(t), v128.load(t, 16), va, vb, beta);
    storeRow(c + ldc, v128.load(t, 32), v128.load(t, 48), va, vb, beta);
    storeRow(c + 2 * ldc, v128.load(t, 64), v128.load(t, 80), va, vb, beta);
    storeRow(c + 3 * ldc, v128.load(t, 96), v128.load(t, 112), va, vb, beta);
    return;
  }
  // Partial tile: the valid corner of the 4×8 buffer.
  for (let r = 0; r < rows; r++) {
    const crow = c + <usize>r * ldc;
    const trow = t + (<usize>r << 5);
    for (let j = 0; j < cols; j++) {
      const o = <usize>j << 2;
      const v = alpha * load<f32>(trow + o);
      store<f32>(crow + o, beta == 0 ? v : v + beta * load<f32>(crow + o));
    }
  }
}

/** C ← beta·C (beta = 0 writes zeros without reading C). */
function scaleC(m: i32, n: i32, beta: f32, c: usize, ldc: i32): void {
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>i * <usize>ldc << 2);
    for (let j = 0; j < n; j++) {
      const o = row + (<usize>j << 2);
      store<f32>(o, beta == 0 ? 0 : beta * load<f32>(o));
    }
  }
}

/**
 * C = alpha·op(A)·op(B) + beta·C for float32 matrices in module memory. op(A) is m×k: A(i, p) at
 * a[i·lda + p], or a[p·lda + i] when transA ≠ 0; op(B) is k×n likewise. alpha = 0 or k = 0 leave
 * C = beta·C without reading A or B (BLAS).
 */
export function gemmF32(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha64: f64,
  a: usize, lda: i32, b: usize, ldb: i32, beta64: f64, c: usize, ldc: i32): void {
  if (m <= 0 || n <= 0) return;
  const alpha = <f32>alpha64;
  const beta = <f32>beta64;
  if (k <= 0 || alpha == 0) {
    scaleC(m, n, beta, c, ldc);
    return;
  }
  if (m <= 4) {
    gemmSmallF32(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // Strides (floats) of op(A) along i and p, of op(B) along j and p.
  const ai = transA ? 1 : lda;
  const ap = transA ? lda : 1;
  const bj = transB ? ldb : 1;
  const bp = transB ? 1 : ldb;
  const kcMax = min(k, KC);
  const mcMax = (min(m, MC) + MR - 1) & ~(MR - 1);
  const ncMax = (min(n, NC) + NR - 1) & ~(NR - 1);
  const base = workspace(work, <usize>(4 * mcMax + ncMax + MR) * <usize>kcMax * 4 + 128);
  const pa = base;
  const pb = pa + <usize>mcMax * <usize>kcMax * 16;
  const staging = pb + <usize>ncMax * <usize>kcMax * 4;
  tile = staging + <usize>MR * <usize>kcMax * 4;
  const ldcb = <usize>ldc << 2;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const betaEff: f32 = pc == 0 ? beta : 1;
      for (let jr = 0; jr < nc; jr += NR) {
        const src = b + ((<usize>(jc + jr) * <usize>bj + <usize>pc * <usize>bp) << 2);
        packPanel(src, bj, bp, min(NR, nc - jr), kc, NR, pb + (<usize>jr * <usize>kc << 2));
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        for (let ir = 0; ir < mc; ir += MR) {
          const src = a + ((<usize>(ic + ir) * <usize>ai + <usize>pc * <usize>ap) << 2);
          packPanel(src, ai, ap, min(MR, mc - ir), kc, MR, staging);
          splatPanel(staging, kc, pa + (<usize>ir * <usize>kc << 4));
        }
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const pbj = pb + (<usize>jr * <usize>kc << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const cij = c + <usize>(ic + ir) * ldcb + (<usize>(jc + jr) << 2);
            micro4x8(kc, pa + (<usize>ir * <usize>kc << 4), pbj, cij, ldcb, alpha, betaEff, min(MR, mc - ir), cols);
          }
        }
      }
    }
  }
}
