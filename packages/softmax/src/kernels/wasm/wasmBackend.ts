import type { Algorithm, FloatArray } from '../../tensor/types.js';
import { softmaxLengthOneRows, type Backend, type RowStats } from '../backend.js';
import { mergeOnline } from '../reference/online.js';
import { referenceBackend } from '../reference/backend.js';
import { fillUnranked } from '../reference/topK.js';
import { ALGORITHM_CODE, type KernelExports } from './exports.js';
import { MemoryViews, Scratch } from './memory.js';

/**
 * Floats per staging chunk. WebAssembly cannot read JavaScript memory, so ordinary arrays are staged
 * through a chunk of the module's memory: small enough to stay in L2 between the copy in, the kernel
 * and the copy out, large enough to amortise the call overhead.
 */
export const CHUNK = 16384;

/** The top-k buffer lives in WebAssembly memory only up to this k; larger k use the reference path. */
export const MAX_FUSED_K = 1024;

/**
 * The WebAssembly SIMD backend (float32). Float64 arrays are delegated to the reference backend.
 * Arrays that already live in the module's memory (see `allocate`) are processed in place; others are
 * staged through CHUNK-sized copies. Rows longer than CHUNK are copied whole into the module (one
 * growable buffer) for the three-pass and two-pass kernels; 'online' streams them through the chunk
 * twice instead (statistics, then output), which needs no large buffer. 'auto' is three-pass: with
 * WebAssembly's 4-lane SIMD the kernels are compute-bound, and three-pass does the least arithmetic
 * (measured by `npm run bench`; see the README).
 */
export function createWasmBackend(wasm: KernelExports): Backend {
  const views = new MemoryViews(wasm);
  const stage = new Scratch(wasm);
  const aux = new Scratch(wasm);

  const isF32 = (a: FloatArray): a is Float32Array => a instanceof Float32Array;

  /**
   * A caller's array, which may itself live in the module's memory (zero-copy). Staging buffers are
   * allocated during a call and memory growth detaches such views, so the pointer and length are
   * captured up front and `get()` re-creates the view when the memory has moved.
   */
  class Host {
    readonly owned: boolean;
    readonly ptr: number;
    private readonly length: number;
    private view: Float32Array;

    constructor(a: Float32Array) {
      this.owned = views.owns(a);
      this.ptr = a.byteOffset;
      this.length = a.length;
      this.view = a;
    }

    get(): Float32Array {
      if (this.owned && this.view.buffer !== wasm.memory.buffer) {
        this.view = new Float32Array(wasm.memory.buffer, this.ptr, this.length);
      }
      return this.view;
    }
  }

  /**
   * Statistics of a row of any length, merged across chunks (Milakov & Gimelshein's ⊕). The kernel
   * reports the unscaled maximum; RowStats holds m = s·max (exact in float64).
   */
  function stats(x: Host, xo: number, n: number, s: number): RowStats {
    if (x.owned) {
      wasm.onlineStatsF32(x.ptr + xo * 4, n, s);
      return { m: s * wasm.statsM(), d: wasm.statsD() };
    }
    const p = stage.ensure(Math.min(n, CHUNK) * 4);
    const total: RowStats = { m: -Infinity, d: 0 };
    for (let off = 0; off < n; off += CHUNK) {
      const c = Math.min(CHUNK, n - off);
      views.f32.set(x.get().subarray(xo + off, xo + off + c), p >> 2);
      wasm.onlineStatsF32(p, c, s);
      mergeOnline(total, { m: s * wasm.statsM(), d: wasm.statsD() });
    }
    return total;
  }

  /** y = exp(s·x − m)·c + b; m = s·(a float32 maximum), so m/s recovers that maximum exactly. */
  function expScale(x: Host, xo: number, y: Host, yo: number, n: number, s: number, m: number, c: number, b: number): void {
    const mx = Math.fround(m / s);
    if (x.owned && y.owned) {
      wasm.expScaleF32(x.ptr + xo * 4, y.ptr + yo * 4, n, s, mx, c, b);
      return;
    }
    const p = stage.ensure(Math.min(n, CHUNK) * 4);
    for (let off = 0; off < n; off += CHUNK) {
      const len = Math.min(CHUNK, n - off);
      views.f32.set(x.get().subarray(xo + off, xo + off + len), p >> 2);
      wasm.expScaleF32(p, p, len, s, mx, c, b);
      y.get().set(views.f32.subarray(p >> 2, (p >> 2) + len), yo + off);
    }
  }

  /**
   * Runs `kernel(ptrIn, ptrOut, rows)` over row-aligned groups of at most CHUNK floats (or in place when
   * both arrays live in the module's memory). Requires n ≤ CHUNK or a zero-copy pair.
   */
  function staged(x: Host, y: Host, rows: number, n: number, kernel: (px: number, py: number, count: number) => void): void {
    if (x.owned && y.owned) {
      kernel(x.ptr, y.ptr, rows);
      return;
    }
    const per = Math.max(1, Math.floor(CHUNK / n));
    const p = stage.ensure(Math.min(per, rows) * n * 4);
    for (let r = 0; r < rows; r += per) {
      const count = Math.min(per, rows - r);
      const len = count * n;
      views.f32.set(x.get().subarray(r * n, r * n + len), p >> 2);
      kernel(p, p, count);
      y.get().set(views.f32.subarray(p >> 2, (p >> 2) + len), r * n);
    }
  }

  /** Copies each (long) row into the module whole, runs kernel in place, copies it out. */
  function wholeRows(x: Host, y: Host, rows: number, n: number, kernel: (p: number) => void): void {
    const p = stage.ensure(n * 4);
    for (let r = 0; r < rows; r++) {
      views.f32.set(x.get().subarray(r * n, (r + 1) * n), p >> 2);
      kernel(p);
      y.get().set(views.f32.subarray(p >> 2, (p >> 2) + n), r * n);
    }
  }

  return {
    name: 'wasm-simd',

    softmaxRows(x, y, rows, n, s, algorithm: Algorithm) {
      if (!isF32(x) || !isF32(y)) return referenceBackend.softmaxRows(x, y, rows, n, s, algorithm);
      if (rows === 0 || n === 0) return;
      if (n === 1) return softmaxLengthOneRows(x, y, rows);
      const code = ALGORITHM_CODE[algorithm === 'auto' ? 'three-pass' : algorithm];
      const X = new Host(x);
      const Y = new Host(y);
      if (n <= CHUNK || (X.owned && Y.owned)) {
        staged(X, Y, rows, n, (px, py, count) => wasm.softmaxRowsF32(px, py, count, n, s, code));
      } else if (algorithm === 'online') {
        // Streams the row through the staging chunk twice: statistics, then the output pass.
        for (let r = 0; r < rows; r++) {
          const { m, d } = stats(X, r * n, n, s);
          expScale(X, r * n, Y, r * n, n, s, m, 1 / d, 0);
        }
      } else {
        wholeRows(X, Y, rows, n, (p) => wasm.softmaxRowsF32(p, p, 1, n, s, code));
      }
    },

    logSoftmaxRows(x, y, rows, n, s) {
      if (!isF32(x) || !isF32(y)) return referenceBackend.logSoftmaxRows(x, y, rows, n, s);
      if (rows === 0 || n === 0) return;
      const X = new Host(x);
      const Y = new Host(y);
      if (n <= CHUNK || (X.owned && Y.owned)) {
        staged(X, Y, rows, n, (px, py, count) => wasm.logSoftmaxRowsF32(px, py, count, n, s));
      } else {
        wholeRows(X, Y, rows, n, (p) => wasm.logSoftmaxRowsF32(p, p, 1, n, s));
      }
    },

    logSumExpRows(x, out, rows, n, s) {
      if (!isF32(x)) return referenceBackend.logSumExpRows(x, out, rows, n, s);
      if (rows === 0) return;
      const X = new Host(x);
      // Rows per kernel call: all of them in place, else as many as fit the staging chunk.
      const per = X.owned ? CHUNK : Math.max(1, Math.floor(CHUNK / Math.max(n, 1)));
      const q = aux.ensure(Math.min(rows, per) * 8);
      const p = X.owned ? 0 : stage.ensure(Math.max(1, Math.min(per, rows) * n) * 4);
      for (let r = 0; r < rows; r += per) {
        const count = Math.min(per, rows - r);
        if (X.owned) {
          wasm.logSumExpRowsF32(X.ptr + r * n * 4, q, count, n, s);
        } else {
          views.f32.set(X.get().subarray(r * n, (r + count) * n), p >> 2);
          wasm.logSumExpRowsF32(p, q, count, n, s);
        }
        const f64 = views.f64;
        for (let i = 0; i < count; i++) out[r + i] = f64[(q >> 3) + i];
      }
    },

    rowStats(x, xo, n, s) {
      if (!isF32(x)) return referenceBackend.rowStats(x, xo, n, s);
      return stats(new Host(x), xo, n, s);
    },

    expScale(x, xo, y, yo, n, s, m, c, b) {
      if (!isF32(x) || !isF32(y)) return referenceBackend.expScale(x, xo, y, yo, n, s, m, c, b);
      expScale(new Host(x), xo, new Host(y), yo, n, s, m, c, b);
    },

    topKRow(x, xo, n, k, s, indices, io, values, vo) {
      if (!isF32(x) || k > MAX_FUSED_K) return referenceBackend.topKRow(x, xo, n, k, s, indices, io, values, vo);
      const X = new Host(x);
      const buffers = aux.ensure(k * 8);
      const p = X.owned ? 0 : stage.ensure(Math.min(n, CHUNK) * 4);
      wasm.topKBegin(k, buffers, buffers + k * 4);
      if (X.owned) {
        wasm.topKUpdate(X.ptr + xo * 4, n, s, 0);
      } else {
        for (let off = 0; off < n; off += CHUNK) {
          const len = Math.min(CHUNK, n - off);
          views.f32.set(X.get().subarray(xo + off, xo + off + len), p >> 2);
          wasm.topKUpdate(p, len, s, off);
        }
      }
      const mx = wasm.topKMax();
      // A +∞ entry makes the whole row NaN (PyTorch); the kernel's scalar tail alone would not.
      const d = mx === Infinity ? NaN : wasm.topKSum();
      const count = wasm.topKCount();
      const i32 = views.i32;
      for (let j = 0; j < count; j++) indices[io + j] = i32[(buffers >> 2) + k + j];
      fillUnranked(indices, io, k, count);
      // s·x is exact in float64 for float32 x and s: these k exponentials are correctly rounded.
      const xs = X.get();
      for (let j = 0; j < k; j++) values[vo + j] = Math.exp(s * (xs[xo + indices[io + j]] - mx)) / d;
      return { m: s * mx, d };
    },
  };
}
