/**
 * The special-value table (PyTorch semantics), on float64, float32 on WebAssembly and float32 on the
 * reference kernels (`setBackend('reference')`), for every softmax algorithm:
 *
 *   input row                  softmax        logSoftmax      logSumExp
 *   −∞ entries                 0 there        −∞ there        over the others
 *   all −∞                     NaN (or 0)     NaN             −∞
 *   a +∞ entry                 NaN row        NaN row         +∞
 *   a NaN entry                NaN row        NaN row         NaN
 *   length 1                   exactly 1      0               x/τ
 *   n = 0                      empty          empty           −∞
 *
 * Expected numbers are written out by hand (e.g. e^1/(e^1 + e^2 + e^3)) or come from the independent
 * formulas of ./helpers.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendInfo, logSoftmax, logSumExp, setBackend, softmax, softmaxTopK } from '../../src/index.js';
import type { Algorithm } from '../../src/index.js';
import { arrayOf, expectClose, expectNear, refLogSoftmax, refLogSumExp, refSoftmax, rng, rounded, uniform, useVariant, VARIANTS, type Variant } from './helpers.js';

const ALGORITHMS: readonly Algorithm[] = ['auto', 'three-pass', 'two-pass', 'online'];
const LENGTHS = [3, 13, 40];

const tolOf = (v: Variant) => (v === 'float64' ? 1e-12 : 2e-6);

/** Probability rows: relative tolerance of the contract. */
function expectProbs(v: Variant, got: ArrayLike<number>, want: ArrayLike<number>, label = ''): void {
  expectClose(got, want, tolOf(v), v === 'float64' ? 1e-300 : 1e-37, label);
}

/** Log-domain values: absolute tolerance tol·max(1, |y|). */
function expectLogs(v: Variant, got: ArrayLike<number>, want: ArrayLike<number>, label = ''): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Number.isFinite(want[i])) expect(got[i], `${label}[${i}]`).toBe(want[i]);
    else expectNear(got[i], want[i], 0, tolOf(v) * Math.max(1, Math.abs(want[i])), `${label}[${i}]`);
  }
}

function allNaN(a: ArrayLike<number>): boolean {
  return Array.from(a).every(Number.isNaN);
}

/** A finite base row of length n (values in [−3, 3]) with `value` written at `positions`. */
function rowWith(n: number, positions: number[], value: number, seed: number): number[] {
  const x = uniform(rng(seed), n, -3, 3);
  for (const p of positions) x[p] = value;
  return x;
}

/** Where to put special values: first, last, middle, and several (never every entry). */
function positionsFor(n: number): number[][] {
  const several = n > 3 ? [0, Math.floor(n / 3), n - 1] : [0, n - 1];
  return [[0], [n - 1], [Math.floor(n / 2)], several];
}

describe.each(VARIANTS)('%s', (variant) => {
  beforeAll(() => useVariant(variant));
  afterAll(() => setBackend('auto'));

  it('runs on the intended backend', () => {
    expect(backendInfo().float32).toBe(variant === 'float32-reference' ? 'reference' : 'wasm-simd');
  });

  describe('−∞ entries', () => {
    it.each(ALGORITHMS)('softmax gives exactly 0 there and the softmax of the rest elsewhere (%s)', (algorithm) => {
      for (const n of LENGTHS) {
        for (const pos of positionsFor(n)) {
          const x = arrayOf(variant, rowWith(n, pos, -Infinity, n));
          const y = softmax(x, { algorithm });
          for (const p of pos) expect(y[p], `n=${n} y[${p}]`).toBe(0);
          expectProbs(variant, y, refSoftmax(x), `n=${n} pos=${pos}`);
        }
      }
    });

    it('logSoftmax gives −∞ there; logSumExp is the log-sum-exp of the other entries', () => {
      for (const n of LENGTHS) {
        for (const pos of positionsFor(n)) {
          const x = arrayOf(variant, rowWith(n, pos, -Infinity, n));
          const ly = logSoftmax(x);
          for (const p of pos) expect(ly[p]).toBe(-Infinity);
          expectLogs(variant, ly, refLogSoftmax(x), `n=${n}`);
          const finite = Array.from(x).filter((v) => v !== -Infinity);
          expectLogs(variant, [logSumExp(x)], [refLogSumExp(finite)], `lse n=${n}`);
        }
      }
    });

    it('known answer: softmax([1, −∞, 2, −∞, 3]) = [e, 0, e², 0, e³]/(e + e² + e³)', () => {
      const d = Math.exp(1) + Math.exp(2) + Math.exp(3);
      const want = [Math.exp(1) / d, 0, Math.exp(2) / d, 0, Math.exp(3) / d];
      for (const algorithm of ALGORITHMS) {
        expectProbs(variant, softmax(arrayOf(variant, [1, -Infinity, 2, -Infinity, 3]), { algorithm }), want, algorithm);
      }
      // log Σ = log(e + e² + e³) = 3 + log(1 + e^−1 + e^−2)
      expectLogs(variant, [logSumExp(arrayOf(variant, [1, -Infinity, 2, -Infinity, 3]))], [3 + Math.log(1 + Math.exp(-1) + Math.exp(-2))]);
    });
  });

  describe('all −∞ rows', () => {
    it.each(ALGORITHMS)('softmax gives NaN, or zeros with fullyMasked: zero (%s)', (algorithm) => {
      for (const n of [1, 2, 3, 8, 13, 40]) {
        const x = arrayOf(variant, new Array<number>(n).fill(-Infinity));
        expect(allNaN(softmax(x, { algorithm })), `n=${n}`).toBe(true);
        expect(Array.from(softmax(x, { algorithm, fullyMasked: 'zero' })), `n=${n}`).toEqual(new Array<number>(n).fill(0));
      }
    });

    it('logSoftmax gives NaN; logSumExp gives −∞', () => {
      for (const n of [1, 2, 3, 8, 13, 40]) {
        const x = arrayOf(variant, new Array<number>(n).fill(-Infinity));
        expect(allNaN(logSoftmax(x)), `n=${n}`).toBe(true);
        expect(logSumExp(x), `n=${n}`).toBe(-Infinity);
      }
    });

    it('in a tensor, only the fully masked row is affected (fullyMasked nan and zero)', () => {
      // Row 0: softmax([1, 2, 3]); row 1: all −∞; row 2: softmax([0, −∞, 0]) = [½, 0, ½].
      const d = Math.exp(1) + Math.exp(2) + Math.exp(3);
      const row0 = [Math.exp(1) / d, Math.exp(2) / d, Math.exp(3) / d];
      const data = arrayOf(variant, [1, 2, 3, -Infinity, -Infinity, -Infinity, 0, -Infinity, 0]);
      for (const algorithm of ALGORITHMS) {
        const nan = softmax({ data, dims: [3, 3] }, { algorithm });
        expectProbs(variant, nan.data.subarray(0, 3), row0);
        expect(allNaN(nan.data.subarray(3, 6))).toBe(true);
        expect(Array.from(nan.data.subarray(6))).toEqual([0.5, 0, 0.5]);
        const zero = softmax({ data, dims: [3, 3] }, { algorithm, fullyMasked: 'zero' });
        expectProbs(variant, zero.data.subarray(0, 3), row0);
        expect(Array.from(zero.data.subarray(3, 6))).toEqual([0, 0, 0]);
        expect(Array.from(zero.data.subarray(6))).toEqual([0.5, 0, 0.5]);
      }
      const lse = logSumExp({ data, dims: [3, 3] });
      expectLogs(variant, lse.data, [3 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), -Infinity, Math.log(2)]);
    });

    it('a mask that drops a whole row gives NaN, or zeros with fullyMasked: zero', () => {
      const data = arrayOf(variant, [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
      const mask = { data: [1, 0], dims: [2, 1] }; // keep row 0, drop row 1 (broadcast along the row)
      const d = 1 + Math.exp(1) + Math.exp(2); // softmax([0.5, 1.5, 2.5]) = [1, e, e²]/(1 + e + e²)
      const row0 = [1 / d, Math.exp(1) / d, Math.exp(2) / d];
      const nan = softmax({ data, dims: [2, 3] }, { mask });
      expectProbs(variant, nan.data.subarray(0, 3), row0);
      expect(allNaN(nan.data.subarray(3))).toBe(true);
      const zero = softmax({ data, dims: [2, 3] }, { mask, fullyMasked: 'zero' });
      expectProbs(variant, zero.data.subarray(0, 3), row0);
      expect(Array.from(zero.data.subarray(3))).toEqual([0, 0, 0]);
      const lse = logSumExp({ data, dims: [2, 3] }, { mask });
      expectLogs(variant, lse.data, [2.5 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), -Infinity]);
    });

    it('fullyMasked: zero also applies along a non-last axis', () => {
      // dims [2, 2], axis 0: column 0 is [−∞, −∞] (fully masked), column 1 is [1, 2].
      const data = arrayOf(variant, [-Infinity, 1, -Infinity, 2]);
      const y = softmax({ data, dims: [2, 2] }, { axis: 0, fullyMasked: 'zero' });
      const d = Math.exp(1) + Math.exp(2); // column 1: [e, e²]/(e + e²)
      expect(y.data[0], 'column 0, row 0').toBe(0);
      expect(y.data[2], 'column 0, row 1').toBe(0);
      expectProbs(variant, [y.data[1], y.data[3]], [Math.exp(1) / d, Math.exp(2) / d]);
    });

    it('fullyMasked: zero also applies in place (out = the input data)', () => {
      const data = arrayOf(variant, [-Infinity, -Infinity, 1, 2]);
      const y = softmax({ data, dims: [2, 2] }, { out: data, fullyMasked: 'zero' });
      expect(y.data).toBe(data);
      const d = Math.exp(1) + Math.exp(2);
      expect(Array.from(data.subarray(0, 2)), 'the fully masked row').toEqual([0, 0]);
      expectProbs(variant, data.subarray(2), [Math.exp(1) / d, Math.exp(2) / d]);
    });
  });

  describe('+∞ entries', () => {
    it.each(ALGORITHMS)('softmax gives a NaN row (%s)', (algorithm) => {
      for (const n of [1, ...LENGTHS]) {
        for (const pos of positionsFor(n)) {
          const x = arrayOf(variant, rowWith(n, pos, Infinity, 7 * n));
          expect(allNaN(softmax(x, { algorithm })), `n=${n} pos=${pos}`).toBe(true);
        }
        // +∞ next to −∞ entries: still NaN.
        const mixed = rowWith(n, [0], Infinity, n);
        if (n > 1) mixed[n - 1] = -Infinity;
        expect(allNaN(softmax(arrayOf(variant, mixed), { algorithm })), `n=${n} mixed`).toBe(true);
      }
    });

    it('logSoftmax gives a NaN row; logSumExp gives +∞', () => {
      for (const n of [1, ...LENGTHS]) {
        for (const pos of positionsFor(n)) {
          const x = arrayOf(variant, rowWith(n, pos, Infinity, 7 * n));
          expect(allNaN(logSoftmax(x)), `n=${n} pos=${pos}`).toBe(true);
          expect(logSumExp(x), `n=${n} pos=${pos}`).toBe(Infinity);
        }
        const mixed = rowWith(n, [n - 1], Infinity, n);
        mixed[0] = -Infinity;
        if (n > 1) expect(logSumExp(arrayOf(variant, mixed)), `n=${n} with −∞`).toBe(Infinity);
      }
    });
  });

  describe('NaN entries', () => {
    it.each(ALGORITHMS)('softmax gives a NaN row (%s)', (algorithm) => {
      for (const n of [1, ...LENGTHS]) {
        for (const pos of positionsFor(n)) {
          const x = arrayOf(variant, rowWith(n, pos, NaN, 11 * n));
          expect(allNaN(softmax(x, { algorithm })), `n=${n} pos=${pos}`).toBe(true);
        }
      }
    });

    it('logSoftmax gives a NaN row; logSumExp gives NaN (also next to ±∞)', () => {
      for (const n of [1, ...LENGTHS]) {
        for (const pos of positionsFor(n)) {
          const x = arrayOf(variant, rowWith(n, pos, NaN, 11 * n));
          expect(allNaN(logSoftmax(x)), `n=${n} pos=${pos}`).toBe(true);
          expect(logSumExp(x), `n=${n} pos=${pos}`).toBeNaN();
        }
      }
      expect(logSumExp(arrayOf(variant, [1, Infinity, NaN]))).toBeNaN();
      expect(logSumExp(arrayOf(variant, [NaN, Infinity, 1]))).toBeNaN();
      expect(logSumExp(arrayOf(variant, [-Infinity, NaN]))).toBeNaN();
      expect(logSumExp(arrayOf(variant, [NaN]))).toBeNaN();
    });
  });

  describe('masks', () => {
    it('a mask equals writing −∞ at the dropped entries (softmax, logSoftmax, logSumExp)', () => {
      for (const n of LENGTHS) {
        const values = uniform(rng(31 * n), n, -4, 4);
        const keep = values.map((_, i) => i % 3 !== 1);
        const x = arrayOf(variant, values);
        const dropped = arrayOf(variant, values.map((v, i) => (keep[i] ? v : -Infinity)));
        for (const algorithm of ALGORITHMS) {
          const a = softmax(x, { algorithm, mask: keep });
          expect(Array.from(a)).toEqual(Array.from(softmax(dropped, { algorithm })));
          expectProbs(variant, a, refSoftmax(dropped));
        }
        const numericMask = keep.map((k) => (k ? 1 : 0));
        expect(Array.from(logSoftmax(x, { mask: numericMask }))).toEqual(Array.from(logSoftmax(dropped)));
        expect(Array.from(softmax(x, { mask: Uint8Array.from(numericMask) }))).toEqual(Array.from(softmax(dropped)));
        expect(logSumExp(x, { mask: keep })).toBe(logSumExp(dropped));
        expectLogs(variant, [logSumExp(x, { mask: keep })], [refLogSumExp(rounded(variant, values).filter((_, i) => keep[i]))]);
      }
    });

    it('a broadcast mask [n] over a [3, n] tensor equals −∞ written in every row', () => {
      const n = 13;
      const values = uniform(rng(5), 3 * n, -4, 4);
      const keep = Array.from({ length: n }, (_, i) => i % 4 !== 0);
      const dropped = arrayOf(variant, values.map((v, i) => (keep[i % n] ? v : -Infinity)));
      const y = softmax({ data: arrayOf(variant, values), dims: [3, n] }, { mask: keep });
      expect(Array.from(y.data)).toEqual(Array.from(softmax({ data: dropped, dims: [3, n] }).data));
      for (let r = 0; r < 3; r++) expectProbs(variant, y.data.subarray(r * n, (r + 1) * n), refSoftmax(dropped.subarray(r * n, (r + 1) * n)));
    });
  });

  describe('length-1 rows', () => {
    const values = [0, 7.5, -7.5, 1e4, -1e4, 1e30, -1e30, -3e38, 3e38];

    it.each(ALGORITHMS)('softmax of a length-1 row is exactly 1, for any finite value and temperature (%s)', (algorithm) => {
      for (const v of values) {
        for (const temperature of [1, 0.3, 0.5, 2]) {
          const y = softmax(arrayOf(variant, [v]), { algorithm, temperature });
          expect(y[0], `softmax([${v}]) τ=${temperature}`).toBe(1);
        }
      }
    });

    it('a [4, 1] tensor gives ones; logSoftmax gives 0; logSumExp gives x/τ', () => {
      for (const algorithm of ALGORITHMS) {
        expect(Array.from(softmax({ data: arrayOf(variant, [3, -2, 1e30, -3e38]), dims: [4, 1] }, { algorithm }).data)).toEqual([1, 1, 1, 1]);
      }
      for (const v of values) {
        for (const temperature of [1, 0.5, 2]) {
          const x = arrayOf(variant, [v]);
          const ly = logSoftmax(x, { temperature });
          expect(Math.abs(ly[0]), `logSoftmax([${v}]) τ=${temperature}`).toBeLessThanOrEqual(tolOf(variant) * Math.max(1, Math.abs(x[0] / temperature)));
          // log exp(x/τ) = x/τ, rounded to the output type (−3e38/0.5 overflows float32 to −∞).
          expectLogs(variant, [logSumExp(x, { temperature })], rounded(variant, [x[0] / temperature]), `lse([${v}]) τ=${temperature}`);
        }
      }
    });
  });

  describe('ties', () => {
    it.each(ALGORITHMS)('equal entries get equal probabilities (%s)', (algorithm) => {
      // [2, 2, 2, 2]: each is e²/(4e²) = 1/4.
      const q = softmax(arrayOf(variant, [2, 2, 2, 2]), { algorithm });
      for (let i = 1; i < 4; i++) expect(q[i]).toBe(q[0]);
      expectProbs(variant, q, [0.25, 0.25, 0.25, 0.25]);
      // [1, 3, 3, 1, 3]: p(3) = e³/(2e + 3e³), p(1) = e/(2e + 3e³).
      const y = softmax(arrayOf(variant, [1, 3, 3, 1, 3]), { algorithm });
      expect(y[1]).toBe(y[2]);
      expect(y[2]).toBe(y[4]);
      expect(y[0]).toBe(y[3]);
      const d = 2 * Math.exp(1) + 3 * Math.exp(3);
      expectProbs(variant, y, [Math.exp(1) / d, Math.exp(3) / d, Math.exp(3) / d, Math.exp(1) / d, Math.exp(3) / d]);
      // 37 equal entries: 1/37 each, all bitwise equal.
      const u = softmax(arrayOf(variant, new Array<number>(37).fill(-0.625)), { algorithm });
      for (let i = 1; i < 37; i++) expect(u[i]).toBe(u[0]);
      expectProbs(variant, [u[0]], [1 / 37]);
    });
  });

  describe('huge and large-scale finite inputs', () => {
    it.each(ALGORITHMS)('±1e30 and −3e38 (%s)', (algorithm) => {
      // e^(−1e30 − 1e30) and e^(0 − 1e30) underflow to 0: the maximum takes everything.
      expect(Array.from(softmax(arrayOf(variant, [1e30, -1e30, 0]), { algorithm }))).toEqual([1, 0, 0]);
      expect(Array.from(softmax(arrayOf(variant, [0, 1e30, -1e30, 1e30]), { algorithm }))).toEqual([0, 0.5, 0, 0.5]);
      expectProbs(variant, softmax(arrayOf(variant, [-1e30, -1e30, -1e30]), { algorithm }), [1 / 3, 1 / 3, 1 / 3]);
      expect(Array.from(softmax(arrayOf(variant, [-3e38, 0]), { algorithm }))).toEqual([0, 1]);
      expect(Array.from(softmax(arrayOf(variant, [-3e38, -3e38]), { algorithm }))).toEqual([0.5, 0.5]);
      expect(Array.from(softmax(arrayOf(variant, [-3e38, 1e30, -1e30, -3e38, 5]), { algorithm }))).toEqual([0, 1, 0, 0, 0]);
    });

    it('logSoftmax and logSumExp at ±1e30', () => {
      const big = rounded(variant, [1e30])[0];
      // log(e^big + e^big) = big + ln 2 = big (ln 2 is far below one ulp of 1e30).
      expect(logSumExp(arrayOf(variant, [1e30, 1e30]))).toBe(big);
      expect(logSumExp(arrayOf(variant, [1e30, -1e30, 0]))).toBe(big);
      expect(logSumExp(arrayOf(variant, [-1e30, -1e30]))).toBe(-big);
      // logSoftmax([1e30, 0]) = [0, −1e30]
      expect(Array.from(logSoftmax(arrayOf(variant, [1e30, 0])))).toEqual([0, -big]);
    });

    it.each(ALGORITHMS)('1e4-scale rows equal the softmax of the differences (%s)', (algorithm) => {
      // softmax([10000, 10001, 10002]) = softmax([0, 1, 2]) = [1, e, e²]/(1 + e + e²)
      const d = 1 + Math.exp(1) + Math.exp(2);
      const want = [1 / d, Math.exp(1) / d, Math.exp(2) / d];
      expectProbs(variant, softmax(arrayOf(variant, [10000, 10001, 10002]), { algorithm }), want, '+1e4');
      expectProbs(variant, softmax(arrayOf(variant, [-10002, -10001, -10000]), { algorithm }), want, '−1e4');
      // τ = 0.5: softmax([2e4, 2e4 + 2, 2e4 + 4]) with the same differences after scaling: [1, e, e²]/d.
      expectProbs(variant, softmax(arrayOf(variant, [10000, 10000.5, 10001]), { algorithm, temperature: 0.5 }), want, 'τ=0.5');
      // 1e6 scale (float64 only: float32 cannot hold 1e6 + 0.5 exactly? it can; 1e6 + 1 certainly).
      expectProbs(variant, softmax(arrayOf(variant, [1e6, 1e6 + 1, 1e6 + 2]), { algorithm }), want, '1e6');
      if (variant === 'float64') {
        // 1e10 + k is exact in float64.
        expectProbs(variant, softmax(arrayOf(variant, [1e10, 1e10 + 1, 1e10 + 2]), { algorithm }), want, '1e10');
      }
    });

    it('logSoftmax and logSumExp on 1e4-scale rows', () => {
      const l = Math.log(1 + Math.exp(-1) + Math.exp(-2)); // log Σ e^(x_i − 10002)
      expectLogs(variant, [logSumExp(arrayOf(variant, [10000, 10001, 10002]))], [10002 + l]);
      expectLogs(variant, logSoftmax(arrayOf(variant, [10000, 10001, 10002])), [-2 - l, -1 - l, -l]);
      expectLogs(variant, [logSumExp(arrayOf(variant, [-10000, -10001, -10002]))], [-10000 + l]);
    });
  });

  describe('empty rows (n = 0)', () => {
    it('softmax and logSoftmax give empty output of the right type and form', () => {
      const Type = variant === 'float64' ? Float64Array : Float32Array;
      for (const algorithm of ALGORITHMS) {
        const y = softmax(arrayOf(variant, []), { algorithm });
        expect(y).toBeInstanceOf(Type);
        expect(y.length).toBe(0);
      }
      expect(logSoftmax(arrayOf(variant, [])).length).toBe(0);
      const t = softmax({ data: arrayOf(variant, []), dims: [3, 0] });
      expect(t.data).toBeInstanceOf(Type);
      expect(t.data.length).toBe(0);
      expect(t.dims).toEqual([3, 0]);
      const t2 = logSoftmax({ data: arrayOf(variant, []), dims: [0, 5] }, { axis: 0 });
      expect(t2.dims).toEqual([0, 5]);
      expect(t2.data.length).toBe(0);
    });

    it('logSumExp of an empty row is −∞ (and of every empty line of a tensor)', () => {
      expect(logSumExp(arrayOf(variant, []))).toBe(-Infinity);
      const t = logSumExp({ data: arrayOf(variant, []), dims: [3, 0] });
      expect(t.dims).toEqual([3]);
      expect(Array.from(t.data)).toEqual([-Infinity, -Infinity, -Infinity]);
      const u = logSumExp({ data: arrayOf(variant, []), dims: [0, 4] }, { axis: 0, keepDims: true });
      expect(u.dims).toEqual([1, 4]);
      expect(Array.from(u.data)).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    });
  });

  describe('softmaxTopK special values', () => {
    it('−∞ entries rank last, lowest index first; NaN or +∞ give NaN probabilities', () => {
      // Finite entries 1 (index 1) and 2 (index 3): probabilities e²/(e + e²) and e/(e + e²).
      const d = Math.exp(1) + Math.exp(2);
      for (const k of [2, 4]) {
        const r = softmaxTopK(arrayOf(variant, [-Infinity, 1, -Infinity, 2]), k);
        expect(Array.from(r.indices)).toEqual([3, 1, 0, 2].slice(0, k));
        expectProbs(variant, r.values, [Math.exp(2) / d, Math.exp(1) / d, 0, 0].slice(0, k));
      }
      const masked = softmaxTopK(arrayOf(variant, [5, 1, 4, 2]), 3, { mask: [false, true, true, true] });
      const dm = Math.exp(1) + Math.exp(4) + Math.exp(2); // kept: 1, 4, 2
      expect(Array.from(masked.indices)).toEqual([2, 3, 1]);
      expectProbs(variant, masked.values, [Math.exp(4) / dm, Math.exp(2) / dm, Math.exp(1) / dm]);
      expect(allNaN(softmaxTopK(arrayOf(variant, [1, NaN, 2]), 2).values)).toBe(true);
      expect(allNaN(softmaxTopK(arrayOf(variant, [1, Infinity, 2]), 2).values)).toBe(true);
    });
  });
});
