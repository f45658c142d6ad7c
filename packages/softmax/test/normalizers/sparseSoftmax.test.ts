/**
 * sparseSoftmax (top-k softmax): known answers, properties against an independent reference (a full sort
 * by value then index, and y_i = 1/Σ_{j∈K} exp(z_j − z_i) over the kept set), the backward pass against
 * central finite differences and the restricted softmax Jacobian, and special values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SoftmaxError } from '../../src/tensor/errors.js';
import { softmax } from '../../src/normalizers/softmax.js';
import { sparseSoftmax } from '../../src/normalizers/sparseSoftmax.js';
import { rng, randomRow, expectClose, dot } from './helpers.js';

const RUNS = { numRuns: 60, seed: Number(process.env.FC_SEED ?? 20250119) };

/** The kept set: the k first entries above −∞ by (value descending, index ascending). */
function keptSet(z: ArrayLike<number>, k: number): number[] {
  const order = Array.from(z, (_, i) => i).filter((i) => z[i] > -Infinity);
  order.sort((i, j) => (z[j] - z[i]) || (i - j));
  return order.slice(0, k);
}

function refSparseSoftmax(z: ArrayLike<number>, k: number): Float64Array {
  const kept = keptSet(z, k);
  const y = new Float64Array(z.length);
  if (kept.length === 0) return y.fill(NaN);
  for (const i of kept) y[i] = 1 / kept.reduce((s, j) => s + Math.exp(z[j] - z[i]), 0);
  return y;
}

describe('sparseSoftmax: known answers', () => {
  it('keeps the k largest, lower index first among ties', () => {
    expectClose(sparseSoftmax([1, 3, 2, 3], { k: 2 }), [0, 0.5, 0, 0.5], 1e-16);
    // Ties at the boundary: the lower indices are kept.
    expectClose(sparseSoftmax([3, 3, 3], { k: 2 }), [0.5, 0.5, 0], 1e-16);
    expectClose(sparseSoftmax([1, 5, 5, 5, 0], { k: 2 }), [0, 0.5, 0.5, 0, 0], 1e-16);
    // softmax([0, ln 3]) = [1/4, 3/4].
    expectClose(sparseSoftmax([0, Math.log(3), -5], { k: 2 }), [0.25, 0.75, 0], 1e-15);
    // k = 1: one-hot of the first maximum.
    expect(Array.from(sparseSoftmax([2, 7, 7, 1], { k: 1 }))).toEqual([0, 1, 0, 0]);
    expect(Array.from(sparseSoftmax([4.5], { k: 3 }))).toEqual([1]);
  });

  it('is exactly softmax when k ≥ n', () => {
    const rand = rng(1);
    for (const n of [1, 2, 9, 64]) {
      const z = randomRow(rand, n, -5, 5);
      expect(Array.from(sparseSoftmax(z, { k: n }))).toEqual(Array.from(softmax(z)));
      expect(Array.from(sparseSoftmax(z, { k: n + 5 }))).toEqual(Array.from(softmax(z)));
    }
  });

  it('validates k (the backward pass does not need it)', () => {
    for (const k of [0, -1, 1.5, NaN, '2', undefined]) {
      let caught: unknown;
      try {
        sparseSoftmax([1, 2, 3], { k: k as number });
      } catch (error) {
        caught = error;
      }
      expect(caught, `k=${String(k)}`).toBeInstanceOf(SoftmaxError);
      expect((caught as SoftmaxError).code).toBe('E_PARAM');
      expect((caught as SoftmaxError).argument).toBe('k');
    }
    expect(() => sparseSoftmax.vjp(Float64Array.from([0.5, 0.5, 0]), Float64Array.from([1, 2, 3]))).not.toThrow();
  });
});

describe('sparseSoftmax: properties', () => {
  // Small integers make ties common; doubles make them rare.
  const valueArb = fc.oneof(fc.double({ min: -20, max: 20, noNaN: true }), fc.integer({ min: -3, max: 3 }));
  const rowArb = fc.array(valueArb, { minLength: 1, maxLength: 80 });

  it('matches the sorted reference and keeps exactly min(k, n) entries', () => {
    fc.assert(fc.property(rowArb, fc.integer({ min: 1, max: 90 }), (values, k) => {
      const y = sparseSoftmax(values, { k });
      expectClose(y, refSparseSoftmax(values, k), 1e-15);
      const kept = keptSet(values, k);
      for (let i = 0; i < values.length; i++) expect(y[i] > 0, `i=${i}`).toBe(kept.includes(i));
      expect(Math.abs(y.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-14);
    }), RUNS);
  });

  it('matches the reference on long rows (the candidate buffer and its quickselect)', () => {
    const rand = rng(2);
    for (const [n, k, lo, hi] of [[4096, 32, -8, 8], [4096, 1, -8, 8], [1000, 3, 0, 1], [1000, 400, -2, 2], [5000, 64, 0, 1], [3000, 100, 0, 4]]) {
      const z = randomRow(rand, n, lo, hi);
      if (hi === 4) for (let i = 0; i < n; i++) z[i] = Math.floor(z[i]); // many ties at every threshold
      expectClose(sparseSoftmax(z, { k }), refSparseSoftmax(z, k), 1e-15, `n=${n} k=${k}`);
    }
    // Increasing and decreasing rows: the threshold rises with every entry, or never.
    const up = Float64Array.from({ length: 2000 }, (_, i) => i / 100);
    expectClose(sparseSoftmax(up, { k: 50 }), refSparseSoftmax(up, 50), 1e-15, 'ascending');
    const down = Float64Array.from({ length: 2000 }, (_, i) => -i / 100);
    expectClose(sparseSoftmax(down, { k: 50 }), refSparseSoftmax(down, 50), 1e-15, 'descending');
  });

  it('is shift-invariant (integer rows and shifts: v + c is exact, so ties stay ties)', () => {
    const intRow = fc.array(fc.integer({ min: -30, max: 30 }), { minLength: 1, maxLength: 80 });
    fc.assert(fc.property(intRow, fc.integer({ min: 1, max: 10 }), fc.integer({ min: -1000, max: 1000 }), (values, k, c) => {
      expectClose(sparseSoftmax(values.map((v) => v + c), { k }), sparseSoftmax(values, { k }), 1e-12);
    }), RUNS);
  });
});

describe('sparseSoftmax: special values and forms', () => {
  it('handles −∞, masks, fully masked rows, NaN and +∞ like softmax', () => {
    // Fewer finite entries than k: those are kept.
    expectClose(sparseSoftmax([-Infinity, 0, -Infinity, Math.log(3)], { k: 3 }), [0, 0.25, 0, 0.75], 1e-15);
    expectClose(sparseSoftmax([9, 0, 1, Math.log(3)], { k: 2, mask: [false, true, false, true] }), [0, 0.25, 0, 0.75], 1e-15);
    expectClose(sparseSoftmax([-Infinity, -Infinity, -Infinity], { k: 2 }), [NaN, NaN, NaN], 0);
    expectClose(sparseSoftmax([1, 2, 3], { k: 1, mask: [0, 0, 0] }), [NaN, NaN, NaN], 0);
    expectClose(sparseSoftmax([1, NaN, 3], { k: 1 }), [NaN, NaN, NaN], 0);
    expectClose(sparseSoftmax([1, Infinity, 3], { k: 2 }), [NaN, NaN, NaN], 0);
    // An entry below the kept set's maximum by ~800 underflows to exactly 0 while kept.
    expect(Array.from(sparseSoftmax([0, -800, -900], { k: 2 }))).toEqual([1, 0, 0]);
  });

  it('float32 agrees with float64 to float32 precision', () => {
    const rand = rng(3);
    for (const [n, k] of [[1, 1], [10, 3], [500, 20]]) {
      const x32 = Float32Array.from(randomRow(rand, n, -4, 4));
      const y32 = sparseSoftmax(x32, { k });
      expect(y32).toBeInstanceOf(Float32Array);
      expectClose(y32, sparseSoftmax(Float64Array.from(x32), { k }), 1e-7, `n=${n}`);
    }
  });

  it('applies axis, temperature and out', () => {
    const rand = rng(4);
    const data = randomRow(rand, 30, -2, 2);
    const t = sparseSoftmax({ data, dims: [2, 5, 3] }, { k: 2, axis: 1, temperature: 0.5 });
    for (let a = 0; a < 2; a++) {
      for (let c = 0; c < 3; c++) {
        const idx = [0, 1, 2, 3, 4].map((b) => a * 15 + b * 3 + c);
        expectClose(idx.map((i) => t.data[i]), refSparseSoftmax(idx.map((i) => data[i] / 0.5), 2), 1e-15);
      }
    }
    const out = new Float64Array(3);
    expect(sparseSoftmax([1, 2, 3], { k: 2, out })).toBe(out);
  });
});

describe('sparseSoftmax: backward pass', () => {
  it('is the softmax Jacobian restricted to the kept set', () => {
    const rand = rng(5);
    const z = randomRow(rand, 12, -2, 2);
    const dy = randomRow(rand, 12, -1, 1);
    const y = sparseSoftmax(z, { k: 4 });
    const kept = keptSet(z, 4);
    const g = sparseSoftmax.vjp(y, dy) as Float64Array;
    for (let i = 0; i < 12; i++) {
      // J_ij = y_i(δ_ij − y_j) for i, j ∈ K, 0 otherwise.
      const want = kept.includes(i) ? kept.reduce((s, j) => s + dy[j] * y[i] * ((i === j ? 1 : 0) - y[j]), 0) : 0;
      expect(Math.abs(g[i] - want)).toBeLessThan(1e-15);
    }
  });

  it('matches central finite differences on rows and on a 3-D tensor (away from ties at the k-th entry)', () => {
    const rand = rng(6);
    const h = 1e-6;
    for (const [n, k] of [[2, 1], [6, 3], [20, 5], [50, 50]]) {
      let z = randomRow(rand, n, -2, 2);
      // The k-th and (k+1)-th largest at least 1e-3 apart, so ±h never changes the kept set.
      for (let tries = 0; tries < 100; tries++) {
        const s = Array.from(z).sort((p, q) => q - p);
        if (k >= n || s[k - 1] - s[k] > 1e-3) break;
        z = randomRow(rand, n, -2, 2);
      }
      const dy = randomRow(rand, n, -1, 1);
      const g = sparseSoftmax.vjp(sparseSoftmax(z, { k }), dy) as Float64Array;
      for (let i = 0; i < n; i++) {
        const zp = Float64Array.from(z);
        const zm = Float64Array.from(z);
        zp[i] += h;
        zm[i] -= h;
        const fd = (dot(sparseSoftmax(zp, { k }), dy) - dot(sparseSoftmax(zm, { k }), dy)) / (2 * h);
        expect(Math.abs(g[i] - fd), `n=${n} k=${k} i=${i}`).toBeLessThan(1e-8);
      }
    }
    const dims = [3, 4, 2];
    const opts = { k: 2, axis: 1, temperature: 1.5 };
    const data = Float64Array.from({ length: 24 }, (_, i) => Math.sin(i * 2.3) * 2);
    const dy = randomRow(rand, 24, -1, 1);
    const g = sparseSoftmax.vjp(sparseSoftmax({ data, dims }, opts), { data: dy, dims }, opts) as { data: Float64Array };
    for (let i = 0; i < 24; i++) {
      const p = Float64Array.from(data);
      const m = Float64Array.from(data);
      p[i] += h;
      m[i] -= h;
      const fd = (dot(sparseSoftmax({ data: p, dims }, opts).data, dy) - dot(sparseSoftmax({ data: m, dims }, opts).data, dy)) / (2 * h);
      expect(Math.abs(g.data[i] - fd), `tensor i=${i}`).toBeLessThan(1e-8);
    }
  });
});
