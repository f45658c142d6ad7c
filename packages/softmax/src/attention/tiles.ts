/**
 * Scratch memory and tile arithmetic of the attention backward pass and the materialised paths.
 *
 * Every operand of a product lives in one scratch array (the arena) at an element offset, row-major
 * with an explicit row stride:
 * - float32 inputs with the WebAssembly SIMD backend: the arena is a `WasmFloat32Array` in the kernels'
 *   memory, so `Backend.gemm` runs in place (no staging copies). Memory growth (any allocation inside a
 *   kernel) detaches views, so callers re-read `data()` after every product or kernel call.
 * - everything else (float64, or float32 without WebAssembly): a Float64Array arena and the unrolled
 *   float64 products of matmul64.ts; float32 inputs are then computed in float64 and rounded once.
 *
 * Costs: products O(m·n·k); `softmaxRows` O(rows·n) (WebAssembly: the three-pass softmax kernel).
 */
import type { Backend } from '../kernels/backend.js';
import { backendFor } from '../kernels/dispatch.js';
import { referenceBackend } from '../kernels/reference/backend.js';
import { allocate, type WasmFloat32Array } from '../kernels/wasm/allocate.js';
import type { FloatArray } from '../tensor/types.js';
import { matmulNN, matmulNT, matmulTNAccumulate } from './matmul64.js';

/** Element offsets of named regions in an arena, each rounded up to 4 elements (16-byte alignment in float32). */
export class ArenaLayout {
  size = 0;

  /** Reserves `count` elements and returns their offset. */
  take(count: number): number {
    const at = this.size;
    this.size += Math.ceil(Math.max(0, count) / 4) * 4;
    return at;
  }
}

/** Products and row operations on one arena. All offsets and strides are in elements of `data()`. */
export interface TileMath {
  /** The arena's current view: re-read after every product (WebAssembly memory may have moved). */
  data(): FloatArray;
  /** C = alpha·A·Bᵀ (A m×k, B n×k), overwriting C. */
  nt(m: number, n: number, k: number, alpha: number, ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number): void;
  /** C (+)= alpha·A·B (A m×k, B k×n). */
  nn(m: number, n: number, k: number, alpha: number, ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number, accumulate: boolean): void;
  /** C += alpha·Aᵀ·B (A stored k×m, B k×n). */
  tnAccumulate(m: number, n: number, k: number, alpha: number, ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number): void;
  /**
   * Softmax of each of the `rows` rows of n entries at `off` (row stride n), in place:
   * p_j = exp(s_j − max)/Σ exp(s − max). A row with no kept entry (all −∞) becomes zeros; a NaN or +∞
   * entry makes its row NaN.
   */
  softmaxRows(off: number, rows: number, n: number): void;
  /**
   * p = exp(s − shift[r]) in place for each of the `rows` rows of n entries at `off` (row stride n),
   * shift[r] = shifts[so + r] (a row's lse): 0 for s = −∞ or a shift of −∞ (a row with no kept key),
   * NaN for a NaN shift.
   */
  expRows(off: number, rows: number, n: number, shifts: Float64Array, so: number): void;
  /** The backend whose flash kernel matches this arena's float type (for recomputing lse and O). */
  readonly backend: Backend;
  /** Frees the arena (WebAssembly memory); the object must not be used afterwards. */
  release(): void;
}

/** Float64 softmax of x[off, off + n) in place (see `TileMath.softmaxRows`). */
function softmaxRow64(x: Float64Array, off: number, n: number): void {
  let m = -Infinity;
  let nan = false;
  for (let t = off; t < off + n; t++) {
    const v = x[t];
    if (v > m) m = v;
    else if (v !== v) nan = true;
  }
  if (nan || m === Infinity) {
    x.fill(NaN, off, off + n);
    return;
  }
  if (m === -Infinity) {
    x.fill(0, off, off + n);
    return;
  }
  let sum = 0;
  for (let t = off; t < off + n; t++) {
    const e = Math.exp(x[t] - m);
    x[t] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let t = off; t < off + n; t++) x[t] *= inv;
}

class Float64Tiles implements TileMath {
  private readonly arena: Float64Array;

  constructor(size: number, readonly backend: Backend) {
    this.arena = new Float64Array(size);
  }

  data(): Float64Array {
    return this.arena;
  }

  nt(m: number, n: number, k: number, alpha: number, ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number): void {
    const x = this.arena;
    matmulNT(m, n, k, x, ao, lda, x, bo, ldb, x, co, ldc, alpha);
  }

  nn(m: number, n: number, k: number, alpha: number, ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number, accumulate: boolean): void {
    const x = this.arena;
    matmulNN(m, n, k, x, ao, lda, x, bo, ldb, x, co, ldc, accumulate, alpha);
  }

  tnAccumulate(m: number, n: number, k: number, alpha: number, ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number): void {
    const x = this.arena;
    matmulTNAccumulate(m, n, k, x, ao, lda, x, bo, ldb, x, co, ldc, alpha);
  }

  softmaxRows(off: number, rows: number, n: number): void {
    for (let r = 0; r < rows; r++) softmaxRow64(this.arena, off + r * n, n);
  }

  expRows(off: number, rows: number, n: number, shifts: Float64Array, so: number): void {
    const x = this.arena;
    for (let r = 0; r < rows; r++) {
      const m = shifts[so + r];
      const o = off + r * n;
      if (m === -Infinity) x.fill(0, o, o + n);
      else for (let t = o; t < o + n; t++) x[t] = x[t] === -Infinity ? 0 : Math.exp(x[t] - m);
    }
  }

  release(): void {}
}

class WasmTiles implements TileMath {
  private readonly arena: WasmFloat32Array;

  constructor(size: number, readonly backend: Backend) {
    this.arena = allocate(size);
  }

  data(): Float32Array {
    return this.arena.data;
  }

  nt(m: number, n: number, k: number, alpha: number, ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number): void {
    const x = this.arena.data;
    this.backend.gemm(false, true, m, n, k, alpha, x, ao, lda, x, bo, ldb, 0, x, co, ldc);
  }

  nn(m: number, n: number, k: number, alpha: number, ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number, accumulate: boolean): void {
    const x = this.arena.data;
    this.backend.gemm(false, false, m, n, k, alpha, x, ao, lda, x, bo, ldb, accumulate ? 1 : 0, x, co, ldc);
  }

  tnAccumulate(m: number, n: number, k: number, alpha: number, ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number): void {
    const x = this.arena.data;
    this.backend.gemm(true, false, m, n, k, alpha, x, ao, lda, x, bo, ldb, 1, x, co, ldc);
  }

  softmaxRows(off: number, rows: number, n: number): void {
    if (rows === 0 || n === 0) return;
    let x = this.arena.data;
    // The kernel gives an all-(−∞) row NaN (as PyTorch); attention wants zeros there. Such rows are
    // found first (the scan stops at a row's first kept entry, usually its first).
    let empty: number[] | null = null;
    for (let r = 0; r < rows; r++) {
      const o = off + r * n;
      let t = o;
      while (t < o + n && x[t] === -Infinity) t++;
      if (t === o + n) (empty ??= []).push(r);
    }
    this.backend.softmaxRows(x.subarray(off, off + rows * n), x.subarray(off, off + rows * n), rows, n, 1, 'three-pass');
    if (empty) {
      x = this.arena.data;
      for (const r of empty) x.fill(0, off + r * n, off + (r + 1) * n);
    }
  }

  expRows(off: number, rows: number, n: number, shifts: Float64Array, so: number): void {
    for (let r = 0; r < rows; r++) {
      const m = shifts[so + r];
      const o = off + r * n;
      // The kernel subtracts m rounded to float32 (relative error of p ≤ |m|·2⁻²⁴, below float32
      // noise for any usable lse); −∞ entries underflow to 0.
      if (m === -Infinity) this.arena.data.fill(0, o, o + n);
      else if (Number.isFinite(m)) this.backend.expScale(this.arena.data, o, this.arena.data, o, n, 1, m, 1, 0);
      else this.arena.data.fill(NaN, o, o + n);
    }
  }

  release(): void {
    this.arena.free();
  }
}

/**
 * Tile arithmetic for inputs of `like`'s float type with an arena of `size` elements: float32 on the
 * WebAssembly SIMD backend when it is active, else float64. Call `release()` when done.
 */
export function tileMath(like: FloatArray, size: number): TileMath {
  const backend = backendFor(like);
  if (like instanceof Float32Array && backend.name === 'wasm-simd') return new WasmTiles(size, backend);
  return new Float64Tiles(size, referenceBackend);
}
