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

/** Rounds a byte count up to a multiple of 16 (SIMD alignment of staged operands). */
function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/**
 * The WebAssembly SIMD backend (float32). Float64 arrays are delegated to the reference backend.
 * Arrays that already live in the module's memory (see `allocate`) are processed in place; others are
 * staged through CHUNK-sized copies. Rows longer than CHUNK are copied whole into the module (one
 * growable buffer) for the three-pass and two-pass kernels; 'online' streams them through the chunk
 * twice instead (statistics, then output), which needs no large buffer. 'auto' is three-pass: with
 * WebAssembly's 4-lane SIMD the kernels are compute-bound, and three-pass does the least arithmetic
 * (measured by `npm run bench`; see the README).
 *
 * `gemm` and `attentionHead` stage each operand that does not live in module memory into one growable
 * arena (rows packed contiguously), run the kernel (assembly/gemm.ts, gemmSmall.ts, attention.ts) and
 * copy the output back; zero-copy operands are used in place.
 */
export function createWasmBackend(wasm: KernelExports): Backend {
  const views = new MemoryViews(wasm);
  const stage = new Scratch(wasm);
  const aux = new Scratch(wasm);
  const arena = new Scratch(wasm);

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

  /** A matrix operand in module memory: byte pointer and row stride (floats). */
  interface Placed {
    ptr: number;
    ld: number;
  }

  /**
   * Where the kernel finds a rows×cols matrix stored at `off` with row stride `ld`: in place for a
   * zero-copy array, else copied (rows packed, ld = cols) to `dst` when `copyIn`. Returns the next free
   * byte after its staging area.
   */
  function place(h: Host, off: number, rows: number, cols: number, ld: number, dst: number, copyIn: boolean, out: Placed): number {
    if (h.owned) {
      out.ptr = h.ptr + off * 4;
      out.ld = ld;
      return dst;
    }
    out.ptr = dst;
    out.ld = Math.max(cols, 1);
    if (copyIn && rows > 0 && cols > 0) {
      const src = h.get();
      const f32 = views.f32;
      const base = dst >> 2;
      if (ld === cols) f32.set(src.subarray(off, off + rows * cols), base);
      else for (let r = 0; r < rows; r++) f32.set(src.subarray(off + r * ld, off + r * ld + cols), base + r * cols);
    }
    return dst + align16(rows * cols * 4);
  }

  /** Copies a staged rows×cols matrix back to the caller's array (no-op for zero-copy arrays). */
  function unplace(h: Host, off: number, rows: number, cols: number, ld: number, placed: Placed): void {
    if (h.owned || rows === 0 || cols === 0) return;
    const dst = h.get();
    const f32 = views.f32;
    const base = placed.ptr >> 2;
    if (ld === cols) dst.set(f32.subarray(base, base + rows * cols), off);
    else for (let r = 0; r < rows; r++) dst.set(f32.subarray(base + r * cols, base + (r + 1) * cols), off + r * ld);
  }

  /** Staged bytes of a rows×cols operand (0 when it is used in place). */
  const stagedBytes = (h: Host, rows: number, cols: number): number => (h.owned ? 0 : align16(rows * cols * 4));

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

    gemm(transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc) {
      if (!isF32(a) || !isF32(b) || !isF32(c)) {
        return referenceBackend.gemm(transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
      }
      if (m === 0 || n === 0) return;
      const A = new Host(a);
      const B = new Host(b);
      const C = new Host(c);
      // BLAS: alpha = 0 or k = 0 never reads A or B, so they are not staged either.
      const product = k > 0 && alpha !== 0;
      const [ar, ac] = transA ? [k, m] : [m, k];
      const [br, bc] = transB ? [n, k] : [k, n];
      const total = (product ? stagedBytes(A, ar, ac) + stagedBytes(B, br, bc) : 0) + stagedBytes(C, m, n);
      let next = total > 0 ? arena.ensure(total) : 0;
      const pa: Placed = { ptr: 0, ld: 1 };
      const pb: Placed = { ptr: 0, ld: 1 };
      const pc: Placed = { ptr: 0, ld: 1 };
      if (product) {
        next = place(A, ao, ar, ac, lda, next, true, pa);
        next = place(B, bo, br, bc, ldb, next, true, pb);
      }
      place(C, co, m, n, ldc, next, beta !== 0, pc);
      wasm.gemmF32(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa.ptr, pa.ld, pb.ptr, pb.ld, beta, pc.ptr, pc.ld);
      unplace(C, co, m, n, ldc, pc);
    },

    attentionHead(args) {
      const { q, k, v, o, lse, mask, lq, lk, d, dv } = args;
      if (!isF32(q) || !isF32(k) || !isF32(v) || !isF32(o) || (mask !== null && !isF32(mask))) {
        return referenceBackend.attentionHead(args);
      }
      if (lq === 0) return;
      const Q = new Host(q);
      const K = new Host(k);
      const V = new Host(v);
      const O = new Host(o);
      const M = mask !== null && lk > 0 ? new Host(mask) : null;
      // An lse array in module memory may be detached by growth during the call: captured up front.
      const LSE = lse !== null && isF32(lse) ? new Host(lse) : null;
      const maskRows = args.maskRowStride === 0 ? 1 : lq;
      const total = stagedBytes(Q, lq, d) + stagedBytes(K, lk, d) + stagedBytes(V, lk, dv) + stagedBytes(O, lq, dv) +
        (M ? stagedBytes(M, maskRows, lk) : 0) + align16(lq * 8);
      let next = arena.ensure(total);
      const pq: Placed = { ptr: 0, ld: 1 };
      const pk: Placed = { ptr: 0, ld: 1 };
      const pv: Placed = { ptr: 0, ld: 1 };
      const po: Placed = { ptr: 0, ld: 1 };
      const pm: Placed = { ptr: 0, ld: 0 };
      next = place(Q, args.qo, lq, d, d, next, true, pq);
      next = place(K, args.ko, lk, d, d, next, true, pk);
      next = place(V, args.vo, lk, dv, dv, next, true, pv);
      next = place(O, args.oo, lq, dv, dv, next, false, po);
      if (M) next = place(M, args.mo, maskRows, lk, args.maskRowStride, next, true, pm);
      const maskStride = M === null || args.maskRowStride === 0 ? 0 : pm.ld;
      const plse = next;
      // Query i keeps keys j ≤ i + offset: an offset ≥ lk − 1 keeps every key, one ≤ −lq none (NaN: none).
      const offset = args.causalOffset;
      const causal = !(offset >= lk - 1);
      const clamped = causal ? (offset === offset ? Math.max(Math.floor(offset), -lq - 1) : -lq - 1) : 0;
      wasm.attentionHeadF32(pq.ptr, pk.ptr, pv.ptr, po.ptr, lse ? plse : 0, lq, lk, d, dv, args.scale, causal ? 1 : 0, clamped,
        M ? pm.ptr : 0, maskStride);
      unplace(O, args.oo, lq, dv, dv, po);
      if (lse) {
        const out = LSE ? LSE.get() : lse;
        const f64 = views.f64;
        for (let i = 0; i < lq; i++) out[args.lo + i] = f64[(plse >> 3) + i];
      }
    },
  };
}
