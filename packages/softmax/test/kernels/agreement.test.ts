import { describe, expect, it } from 'vitest';
import { referenceBackend } from '../../src/kernels/reference/backend.js';
import { CHUNK } from '../../src/kernels/wasm/wasmBackend.js';
import { allocate } from '../../src/index.js';
import { rng } from '../ops/helpers.js';
import { wasm } from './wasmHelpers.js';

const lengthRng = rng(2024);
/** 0–70, the power-of-two edges, the staging-chunk edges, and random lengths (seeded). */
const LENGTHS = [
  ...Array.from({ length: 71 }, (_, i) => i), 1023, 1024, 1025, 4097, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5,
  ...Array.from({ length: 6 }, () => 71 + Math.floor(lengthRng() * 20000)),
];

/** Rows of awkward values: what each kind of row is, and how to make it. */
const KINDS: Record<string, (n: number, r: () => number) => Float32Array> = {
  uniform: (n, r) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * 10),
  wide: (n, r) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * 80),
  ties: (n) => new Float32Array(n).fill(3.5),
  huge: (n, r) => Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1e30 : -1e30) + r()),
  masked: (n, r) => Float32Array.from({ length: n }, (_, i) => (i % 4 === 1 ? -Infinity : r() * 5)),
  allMasked: (n) => new Float32Array(n).fill(-Infinity),
  plusInf: (n, r) => Float32Array.from({ length: n }, (_, i) => (i === n >> 1 ? Infinity : r())),
  nan: (n, r) => Float32Array.from({ length: n }, (_, i) => (i === n - 1 ? NaN : r())),
  tiny: (n, r) => Float32Array.from({ length: n }, () => -1e30 - r()),
  offset: (n, r) => Float32Array.from({ length: n }, () => 650 + r() * 4),
};

/**
 * Float32 (WebAssembly) vs float64 reference: NaN exactly where the reference has NaN, exact zeros
 * where the reference is exactly 0, and relative error ≤ tol for entries ≥ 1e-30.
 */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    let ok: boolean;
    if (!Number.isFinite(w)) ok = Object.is(g, w);
    else if (Math.abs(w) >= 1e-30) ok = Math.abs(g - w) / Math.abs(w) <= tol;
    else ok = Math.abs(g) < 1e-29;
    if (!ok) expect.fail(`${what}[${i}]: got ${g}, want ${w} (relative error ${Math.abs(g - w) / Math.abs(w)})`);
  }
}

function reference64(x: Float32Array): Float64Array {
  return Float64Array.from(x);
}

describe('WebAssembly kernels agree with the float64 reference', () => {
  for (const algorithm of ['three-pass', 'two-pass', 'online'] as const) {
    it(`softmax ${algorithm} on every awkward length and value`, () => {
      const r = rng(7);
      for (const n of LENGTHS) {
        for (const [kind, make] of Object.entries(KINDS)) {
          const x = make(n, r);
          const want = new Float64Array(n);
          referenceBackend.softmaxRows(reference64(x), want, 1, n, 1, 'three-pass');
          const got = new Float32Array(n);
          wasm.softmaxRows(x, got, 1, n, 1, algorithm);
          expectClose(got, want, 2e-6, `${algorithm} n=${n} ${kind}`);
        }
      }
    });
  }

  it('softmax with temperature (float32 rounding of x/τ bounded by 6e-8·|x − m|/τ, ≤ 2e-6 here)', () => {
    const r = rng(11);
    for (const n of [5, 64, 1025]) {
      for (const s of [0.25, 3]) {
        const x = KINDS.uniform(n, r);
        const want = new Float64Array(n);
        referenceBackend.softmaxRows(reference64(x), want, 1, n, s, 'three-pass');
        for (const algorithm of ['three-pass', 'two-pass', 'online'] as const) {
          const got = new Float32Array(n);
          wasm.softmaxRows(x, got, 1, n, s, algorithm);
          expectClose(got, want, 2e-6, `${algorithm} n=${n} s=${s}`);
        }
      }
    }
  });

  it('batches of rows through the staging chunk, and the zero-copy path', () => {
    const r = rng(3);
    for (const [rows, n] of [[1000, 3], [7, 5000], [3, CHUNK + 7], [300, 128]]) {
      const x = Float32Array.from({ length: rows * n }, () => r() * 20 - 10);
      const want = new Float64Array(rows * n);
      referenceBackend.softmaxRows(reference64(x), want, rows, n, 1, 'three-pass');
      const got = new Float32Array(rows * n);
      wasm.softmaxRows(x, got, rows, n, 1, 'auto');
      expectClose(got, want, 2e-6, `staged ${rows}x${n}`);
      const xin = allocate(rows * n);
      const yout = allocate(rows * n);
      xin.data.set(x);
      wasm.softmaxRows(xin.data, yout.data, rows, n, 1, 'auto');
      expectClose(yout.data, want, 2e-6, `zero-copy ${rows}x${n}`);
      xin.free();
      yout.free();
    }
  });

  it('logSoftmax and logSumExp (absolute error ≤ 2e-6·max(1, |y|))', () => {
    const r = rng(5);
    for (const n of LENGTHS) {
      for (const [kind, make] of Object.entries(KINDS)) {
        const x = make(n, r);
        const want = new Float64Array(n);
        referenceBackend.logSoftmaxRows(reference64(x), want, 1, n, 1);
        const got = new Float32Array(n);
        wasm.logSoftmaxRows(x, got, 1, n, 1);
        for (let i = 0; i < n; i++) {
          const ok = Number.isFinite(want[i])
            ? Math.abs(got[i] - want[i]) <= 2e-6 * Math.max(1, Math.abs(want[i]))
            : Object.is(got[i], want[i]);
          if (!ok) expect.fail(`logSoftmax n=${n} ${kind} [${i}]: got ${got[i]} want ${want[i]}`);
        }
        const lse64 = new Float64Array(1);
        const lse32 = new Float64Array(1);
        referenceBackend.logSumExpRows(reference64(x), lse64, 1, n, 1);
        wasm.logSumExpRows(x, lse32, 1, n, 1);
        const what = `logSumExp n=${n} ${kind}: got ${lse32[0]} want ${lse64[0]}`;
        if (!Number.isFinite(lse64[0])) expect(lse32[0], what).toBe(lse64[0]);
        else expect(Math.abs(lse32[0] - lse64[0]), what).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(lse64[0])));
      }
    }
  });

  it('row statistics and the output pass (online normaliser across chunks)', () => {
    const r = rng(9);
    for (const n of [1, 7, 64, 1000, CHUNK + 3, 2 * CHUNK]) {
      for (const kind of ['uniform', 'masked', 'offset', 'ties'] as const) {
        const x = KINDS[kind](n, r);
        const ref = referenceBackend.rowStats(reference64(x), 0, n, 1);
        const got = wasm.rowStats(x, 0, n, 1);
        // m is the float32 maximum; d is relative to it: compare log-sum-exp m + log d.
        const what = `stats n=${n} ${kind}`;
        expect(Math.abs(got.m + Math.log(got.d) - (ref.m + Math.log(ref.d))), what).toBeLessThan(2e-6 * Math.max(1, Math.abs(ref.m)));
        const y = new Float32Array(n);
        wasm.expScale(x, 0, y, 0, n, 1, got.m, 1 / got.d, 0);
        const want = new Float64Array(n);
        referenceBackend.softmaxRows(reference64(x), want, 1, n, 1, 'three-pass');
        expectClose(y, want, 2e-6, `${what} output`);
      }
    }
  });

  it('fused top-k picks the same indices and probabilities as the reference', () => {
    const r = rng(13);
    for (const n of [1, 5, 63, 64, 65, 1000, CHUNK + 100, 70000]) {
      for (const k of [1, 3, 5, 64]) {
        if (k > n) continue;
        for (const kind of ['uniform', 'masked', 'ties', 'allMasked'] as const) {
          const x = KINDS[kind](n, r);
          const wantI = new Int32Array(k);
          const wantV = new Float64Array(k);
          referenceBackend.topKRow(reference64(x), 0, n, k, 1, wantI, 0, wantV, 0);
          const gotI = new Int32Array(k);
          const gotV = new Float32Array(k);
          wasm.topKRow(x, 0, n, k, 1, gotI, 0, gotV, 0);
          const what = `topK n=${n} k=${k} ${kind}`;
          expect(Array.from(gotI), what).toEqual(Array.from(wantI));
          expectClose(gotV, wantV, 2e-6, what);
        }
      }
    }
  });
});
