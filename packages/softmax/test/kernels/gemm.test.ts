import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/kernels/backend.js';
import { referenceBackend } from '../../src/kernels/reference/backend.js';
import { allocate } from '../../src/kernels/wasm/allocate.js';
import type { FloatArray } from '../../src/tensor/types.js';
import { rng } from '../ops/helpers.js';
import { wasm } from './wasmHelpers.js';

/** A stored matrix with its placement: rows×cols at offset `off`, row stride `ld`. */
interface Stored {
  data: Float64Array;
  off: number;
  ld: number;
}

function randomStored(r: () => number, rows: number, cols: number): Stored {
  const off = Math.floor(r() * 3);
  const ld = cols + Math.floor(r() * 3);
  const data = new Float64Array(off + rows * ld + 2);
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(r() * 2 - 1);
  return { data, off, ld };
}

/**
 * Independent float64 GEMM by the definition (triple loop), with its error scale per entry:
 * want = alpha·Σ_p a_ip·b_pj + beta·c_ij (beta = 0: C unread), bound = |alpha|·Σ_p |a_ip·b_pj| + |beta·c_ij|.
 */
function naive(tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number, A: Stored, B: Stored, beta: number, C: Stored) {
  const want = Float64Array.from(C.data);
  const bound = new Float64Array(C.data.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let sa = 0;
      for (let p = 0; p < k; p++) {
        const a = tA ? A.data[A.off + p * A.ld + i] : A.data[A.off + i * A.ld + p];
        const b = tB ? B.data[B.off + j * B.ld + p] : B.data[B.off + p * B.ld + j];
        s += a * b;
        sa += Math.abs(a * b);
      }
      const idx = C.off + i * C.ld + j;
      const c = C.data[idx];
      const product = alpha === 0 || k === 0 ? 0 : alpha * s;
      want[idx] = beta === 0 ? product : product + beta * c;
      bound[idx] = Math.abs(alpha) * sa + (beta === 0 ? 0 : Math.abs(beta * c));
    }
  }
  return { want, bound };
}

function run(backend: Backend, type: 'f32' | 'f64', tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number,
  A: Stored, B: Stored, beta: number, C: Stored): FloatArray {
  const make = (x: Float64Array) => (type === 'f32' ? Float32Array.from(x) : Float64Array.from(x));
  const c = make(C.data);
  backend.gemm(tA, tB, m, n, k, alpha, make(A.data), A.off, A.ld, make(B.data), B.off, B.ld, beta, c, C.off, C.ld);
  return c;
}

/** |got − want| ≤ tol·(k + 2)·bound entrywise (exact where the bound is 0); untouched entries stay equal. */
function expectGemm(got: FloatArray, want: Float64Array, bound: Float64Array, tol: number, k: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    const allowed = tol * (k + 2) * bound[i] + (bound[i] === 0 ? 0 : tol * Math.abs(want[i]));
    if (!(err <= allowed) && !Object.is(got[i], want[i])) expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (error ${err}, allowed ${allowed})`);
  }
}

const SIZES = [0, 1, 3, 4, 5, 15, 16, 17, 63, 65, 130];
const TRANSPOSES: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

describe('gemm: WebAssembly SIMD and reference vs the definition', () => {
  it('agrees on every mix of awkward m, n, k, all four transposes, strides and offsets', () => {
    const r = rng(11);
    let cases = 0;
    for (const [tA, tB] of TRANSPOSES) {
      for (const m of SIZES) {
        for (const n of SIZES) {
          for (const k of SIZES) {
            // Every mix with a zero or small dimension; a seeded sample of the large ones.
            if (m * n * k > 20000 && r() > 0.08) continue;
            const alpha = [1, -0.75, 2][cases % 3];
            const beta = [0, 1, 0.5, -2][cases % 4];
            const A = randomStored(r, tA ? k : m, tA ? m : k);
            const B = randomStored(r, tB ? n : k, tB ? k : n);
            const C = randomStored(r, m, n);
            const { want, bound } = naive(tA, tB, m, n, k, alpha, A, B, beta, C);
            const what = `tA=${tA} tB=${tB} m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta}`;
            expectGemm(run(wasm, 'f32', tA, tB, m, n, k, alpha, A, B, beta, C), want, bound, 1.2e-7, k, `wasm ${what}`);
            expectGemm(run(referenceBackend, 'f32', tA, tB, m, n, k, alpha, A, B, beta, C), want, bound, 6e-8, 0, `reference f32 ${what}`);
            expectGemm(run(referenceBackend, 'f64', tA, tB, m, n, k, alpha, A, B, beta, C), want, bound, 2.5e-16, k, `reference f64 ${what}`);
            cases++;
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(2000);
  });

  it('crosses every cache block edge (k > 256, m > 128, n > 1024)', () => {
    const r = rng(5);
    for (const [tA, tB] of TRANSPOSES) {
      for (const [m, n, k] of [[131, 9, 300], [5, 1030, 19], [129, 17, 513]]) {
        const A = randomStored(r, tA ? k : m, tA ? m : k);
        const B = randomStored(r, tB ? n : k, tB ? k : n);
        const C = randomStored(r, m, n);
        const { want, bound } = naive(tA, tB, m, n, k, 0.5, A, B, 0.25, C);
        expectGemm(run(wasm, 'f32', tA, tB, m, n, k, 0.5, A, B, 0.25, C), want, bound, 1.2e-7, k, `wasm ${tA} ${tB} ${m}×${n}×${k}`);
      }
    }
  });

  it('beta = 0 ignores NaN in C; alpha = 0 and k = 0 ignore A and B (BLAS)', () => {
    for (const backend of [wasm, referenceBackend]) {
      for (const type of ['f32', 'f64'] as const) {
        const make = (n: number, v: number) => (type === 'f32' ? new Float32Array(n).fill(v) : new Float64Array(n).fill(v));
        const a = make(15, 1);
        const b = make(15, 2);
        const c = make(9, NaN);
        backend.gemm(false, false, 3, 3, 5, 1, a, 0, 5, b, 0, 3, 0, c, 0, 3);
        expect(Array.from(c)).toEqual(new Array(9).fill(10));
        const nanA = make(15, NaN);
        const c2 = make(9, 4);
        backend.gemm(false, false, 3, 3, 5, 0, nanA, 0, 5, b, 0, 3, 0.5, c2, 0, 3);
        expect(Array.from(c2)).toEqual(new Array(9).fill(2));
        const c3 = make(9, NaN);
        backend.gemm(true, true, 3, 3, 0, 1, nanA, 0, 3, b, 0, 0, 0, c3, 0, 3);
        expect(Array.from(c3)).toEqual(new Array(9).fill(0));
        // NaN in A does reach C when alpha ≠ 0; NaN in C does with beta ≠ 0.
        const c4 = make(9, 0);
        backend.gemm(false, false, 3, 3, 5, 1, nanA, 0, 5, b, 0, 3, 0, c4, 0, 3);
        expect(Array.from(c4).every(Number.isNaN)).toBe(true);
        const c5 = make(9, NaN);
        backend.gemm(false, false, 3, 3, 5, 1, a, 0, 5, b, 0, 3, 1, c5, 0, 3);
        expect(Array.from(c5).every(Number.isNaN)).toBe(true);
      }
    }
  });

  it('writes only the m×n block of C (row stride and offset respected)', () => {
    const r = rng(3);
    const A = randomStored(r, 17, 9);
    const B = randomStored(r, 9, 13);
    const c = new Float32Array(3 + 17 * 20).fill(7);
    wasm.gemm(false, false, 17, 13, 9, 1, Float32Array.from(A.data), A.off, A.ld, Float32Array.from(B.data), B.off, B.ld, 0, c, 3, 20);
    for (let i = 0; i < c.length; i++) {
      const inside = i >= 3 && (i - 3) % 20 < 13;
      if (!inside) expect(c[i]).toBe(7);
    }
  });

  it('zero-copy arrays (allocate) give the same bits as staged ones', () => {
    const r = rng(9);
    const [m, n, k] = [37, 29, 45];
    const A = randomStored(r, k, m);
    const B = randomStored(r, n, k);
    const C = randomStored(r, m, n);
    const staged = run(wasm, 'f32', true, true, m, n, k, 1.5, A, B, 0.5, C);
    const handles = [A, B, C].map((s) => {
      const h = allocate(s.data.length);
      h.data.set(s.data);
      return h;
    });
    wasm.gemm(true, true, m, n, k, 1.5, handles[0].data, A.off, A.ld, handles[1].data, B.off, B.ld, 0.5, handles[2].data, C.off, C.ld);
    expect(Array.from(handles[2].data)).toEqual(Array.from(staged));
    for (const h of handles) h.free();
  });

  it('float64 arrays on the WebAssembly backend are computed by the reference (float64 accuracy)', () => {
    const r = rng(21);
    const A = randomStored(r, 7, 6);
    const B = randomStored(r, 6, 5);
    const C = randomStored(r, 7, 5);
    expect(Array.from(run(wasm, 'f64', false, false, 7, 5, 6, 1, A, B, 1, C))).toEqual(Array.from(run(referenceBackend, 'f64', false, false, 7, 5, 6, 1, A, B, 1, C)));
  });
});
