/**
 * sparsemax: known answers (hand-derived from the threshold formula of Martins & Astudillo 2016),
 * properties against an independent sort-based reference (the paper's Algorithm 1), the backward pass
 * against central finite differences, and special values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SoftmaxError } from '../../src/tensor/errors.js';
import { sparsemax, sparsemaxRow } from '../../src/normalizers/sparsemax.js';
import { rng, randomRow, expectClose, dot } from './helpers.js';

const RUNS = { numRuns: 80, seed: Number(process.env.FC_SEED ?? 20250117) };

/** mulberry32: a seeded generator so the non-property tests are reproducible. */

/**
 * The paper's Algorithm 1: sort z descending, k(z) = max{k : 1 + k·z_(k) > Σ_{j≤k} z_(j)},
 * θ = (Σ_{j≤k(z)} z_(j) − 1)/k(z), y = [z − θ]_+. −∞ entries are left out of the sort (they get 0).
 */
function refSparsemax(z: ArrayLike<number>): { y: Float64Array; theta: number } {
  const finite = Array.from(z).filter((v) => v > -Infinity).sort((a, b) => b - a);
  let cum = 0;
  let kz = 0;
  let cumK = 0;
  for (let k = 1; k <= finite.length; k++) {
    cum += finite[k - 1];
    if (1 + k * finite[k - 1] > cum) {
      kz = k;
      cumK = cum;
    }
  }
  const theta = (cumK - 1) / kz;
  return { y: Float64Array.from(z, (v) => Math.max(v - theta, 0)), theta };
}

describe('sparsemax: known answers', () => {
  it('matches hand-derived thresholds', () => {
    // θ = (z_(1) + … + z_(k) − 1)/k with k the largest index passing 1 + k z_(k) > Σ_{j≤k} z_(j):
    // [1, 2, 3.5]: k = 1 (k = 2 fails: 1 + 2·2 = 5 ≤ 5.5), θ = 2.5.
    expect(Array.from(sparsemax([1, 2, 3.5]))).toEqual([0, 0, 1]);
    // [0.5, 1, 1.2]: k = 2 (k = 3 fails: 1 + 1.5 = 2.5 ≤ 2.7), θ = (2.2 − 1)/2 = 0.6.
    expectClose(sparsemax([0.5, 1, 1.2]), [0, 0.4, 0.6], 1e-15);
    // [1, 1.5]: k = 2 (1 + 2 = 3 > 2.5), θ = 0.75.
    expectClose(sparsemax([1, 1.5]), [0.25, 0.75], 1e-15);
    // Two classes (the paper's 2-D case): sparsemax([t, 0]) = [(1 + t)/2, (1 − t)/2] for |t| ≤ 1.
    expectClose(sparsemax([0.3, 0]), [0.65, 0.35], 1e-15);
    expect(Array.from(sparsemax([1.2, 0]))).toEqual([1, 0]);
    // All equal: θ = z − 1/n.
    expectClose(sparsemax([2, 2, 2, 2]), [0.25, 0.25, 0.25, 0.25], 1e-15);
    // Length 1: the only distribution.
    expect(Array.from(sparsemax([-7.5]))).toEqual([1]);
  });

  it('returns the threshold it used', () => {
    const y = new Float64Array(3);
    expect(sparsemaxRow(Float64Array.from([0.5, 1, 1.2]), 0, y, 0, 3, 1)).toBeCloseTo(0.6, 15);
  });

  it('handles −∞, masks, fully masked rows, NaN and +∞ like softmax', () => {
    // [−∞, 0, 0.5] is sparsemax([0, 0.5]) with a 0 in front: θ = (0.5 − 1)/2 = −0.25.
    expectClose(sparsemax([-Infinity, 0, 0.5]), [0, 0.25, 0.75], 1e-15);
    expectClose(sparsemax([9, 0, 0.5], { mask: [false, true, true] }), [0, 0.25, 0.75], 1e-15);
    expectClose(sparsemax([-Infinity, -Infinity]), [NaN, NaN], 0);
    expectClose(sparsemax([1, 2, 3], { mask: [0, 0, 0] }), [NaN, NaN, NaN], 0);
    expectClose(sparsemax([1, NaN, 3]), [NaN, NaN, NaN], 0);
    expectClose(sparsemax([NaN, 1, 3]), [NaN, NaN, NaN], 0);
    expectClose(sparsemax([1, Infinity, 3]), [NaN, NaN, NaN], 0);
    expectClose(sparsemax([Infinity]), [NaN], 0);
    expect(sparsemax([]).length).toBe(0);
    // A finite range beyond float64 (z_i − z_j overflows) still gives the right answer, never NaN.
    expect(Array.from(sparsemax([1e308, -1.7e308, 1.5e308]))).toEqual([0, 0, 1]);
  });
});

describe('sparsemax: properties', () => {
  const valueArb = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constantFrom(-1, 0, 0.5, 1));
  const rowArb = fc.array(valueArb, { minLength: 1, maxLength: 40 });

  it('matches the sort-based reference, lies on the simplex, and is zero exactly below θ', () => {
    fc.assert(fc.property(rowArb, (values) => {
      const { y: want, theta } = refSparsemax(values);
      const y = sparsemax(values);
      expectClose(y, want, 1e-12);
      let sum = 0;
      for (let i = 0; i < y.length; i++) {
        expect(y[i]).toBeGreaterThanOrEqual(0);
        sum += y[i];
        // Sparsity pattern: y_i = 0 exactly when z_i ≤ θ (checked away from rounding at θ).
        if (Math.abs(values[i] - theta) > 1e-12) expect(y[i] === 0).toBe(values[i] < theta);
      }
      expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
    }), RUNS);
  });

  it('is shift-invariant and monotone', () => {
    fc.assert(fc.property(rowArb, fc.double({ min: -100, max: 100, noNaN: true }), (values, c) => {
      const y = sparsemax(values);
      expectClose(sparsemax(values.map((v) => v + c)), y, 1e-11);
      for (let i = 0; i < values.length; i++) {
        for (let j = 0; j < values.length; j++) if (values[i] > values[j]) expect(y[i]).toBeGreaterThanOrEqual(y[j]);
      }
    }), RUNS);
  });

  it('matches the reference on long rows (uniform, narrow, Gaussian, tied, ±1e4 scale)', () => {
    const rand = rng(11);
    const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
    const rows: [string, Float64Array, number][] = [
      ['uniform ±8', randomRow(rand, 4096, -8, 8), 1e-12],
      ['uniform [0, 1)', randomRow(rand, 4096, 0, 1), 1e-12],
      ['gaussian', Float64Array.from({ length: 3000 }, gauss), 1e-12],
      ['integers (ties)', Float64Array.from({ length: 1000 }, () => Math.floor(rand() * 4)), 1e-12],
      ['±1e4', randomRow(rand, 2000, -1e4, 1e4), 1e-9],
      ['1e4 + narrow', Float64Array.from({ length: 500 }, () => 1e4 + rand()), 1e-9],
      ['descending', Float64Array.from({ length: 600 }, (_, i) => -i / 100), 1e-12],
      ['ascending', Float64Array.from({ length: 600 }, (_, i) => i / 100), 1e-12],
    ];
    for (const [label, z, tol] of rows) {
      const y = sparsemax(z);
      expectClose(y, refSparsemax(z).y, tol, label);
      expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1), label).toBeLessThan(1e-9);
    }
  });

  it('float32 agrees with float64 to float32 precision', () => {
    const rand = rng(5);
    for (const n of [1, 3, 17, 300]) {
      const x32 = Float32Array.from(randomRow(rand, n, -3, 3));
      const y32 = sparsemax(x32);
      expect(y32).toBeInstanceOf(Float32Array);
      expectClose(y32, sparsemax(Float64Array.from(x32)), 1e-7, `n=${n}`);
    }
  });

  it('applies temperature, axis and out like softmax', () => {
    const rand = rng(3);
    const data = randomRow(rand, 24, -2, 2);
    const t = sparsemax({ data, dims: [2, 3, 4] }, { axis: 1, temperature: 0.5 });
    for (let a = 0; a < 2; a++) {
      for (let c = 0; c < 4; c++) {
        const idx = [0, 1, 2].map((b) => a * 12 + b * 4 + c);
        expectClose(idx.map((i) => t.data[i]), refSparsemax(idx.map((i) => data[i] / 0.5)).y, 1e-12);
      }
    }
    const out = new Float64Array(3);
    expect(sparsemax([0.5, 1, 1.2], { out })).toBe(out);
  });
});

describe('sparsemax: backward pass', () => {
  /** Σ_i dy_i·f(x)_i: the scalar whose gradient the vjp gives. */
  
  it('is dy − mean_S(dy) on the support, 0 off it', () => {
    // y = [0, 0.4, 0.6] (support {1, 2}); dy = [5, 1, 3] → mean_S = 2 → [0, −1, 1].
    expectClose(sparsemax.vjp(Float64Array.from([0, 0.4, 0.6]), Float64Array.from([5, 1, 3])) as Float64Array, [0, -1, 1], 1e-15);
  });

  it('matches central finite differences on random rows of several lengths (away from kinks)', () => {
    const rand = rng(7);
    let checked = 0;
    for (let trial = 0; checked < 24 && trial < 200; trial++) {
      const n = [2, 5, 17, 64][trial % 4];
      const z = randomRow(rand, n, -1.5, 1.5);
      const { theta } = refSparsemax(z);
      // Away from kinks: no entry within 1e-3 of the threshold.
      if (z.some((v) => Math.abs(v - theta) < 1e-3)) continue;
      checked++;
      const dy = randomRow(rand, n, -1, 1);
      const g = sparsemax.vjp(sparsemax(z), dy) as Float64Array;
      const h = 1e-6;
      for (let i = 0; i < n; i++) {
        const zp = Float64Array.from(z);
        const zm = Float64Array.from(z);
        zp[i] += h;
        zm[i] -= h;
        const fd = (dot(sparsemax(zp), dy) - dot(sparsemax(zm), dy)) / (2 * h);
        expect(Math.abs(g[i] - fd), `n=${n} i=${i}`).toBeLessThan(1e-7);
      }
    }
    expect(checked).toBe(24);
  });

  it('matches finite differences on a 3-D tensor along axis 1 with a temperature', () => {
    const rand = rng(9);
    const dims = [2, 5, 3];
    const opts = { axis: 1, temperature: 0.8 };
    let data = randomRow(rand, 30, -1, 1);
    // Re-draw until no line has an entry within 1e-3 of its threshold.
    for (let tries = 0; tries < 100; tries++) {
      let ok = true;
      for (let a = 0; a < 2 && ok; a++) {
        for (let c = 0; c < 3 && ok; c++) {
          const line = [0, 1, 2, 3, 4].map((b) => data[a * 15 + b * 3 + c] / 0.8);
          const { theta } = refSparsemax(line);
          ok = line.every((v) => Math.abs(v - theta) >= 1e-3);
        }
      }
      if (ok) break;
      data = randomRow(rand, 30, -1, 1);
    }
    const dy = randomRow(rand, 30, -1, 1);
    const y = sparsemax({ data, dims }, opts);
    const g = sparsemax.vjp(y, { data: dy, dims }, opts) as { data: Float64Array; dims: number[] };
    expect(g.dims).toEqual(dims);
    const h = 1e-6;
    for (let i = 0; i < 30; i++) {
      const p = Float64Array.from(data);
      const m = Float64Array.from(data);
      p[i] += h;
      m[i] -= h;
      const fd = (dot(sparsemax({ data: p, dims }, opts).data, dy) - dot(sparsemax({ data: m, dims }, opts).data, dy)) / (2 * h);
      expect(Math.abs(g.data[i] - fd), `i=${i}`).toBeLessThan(1e-7);
    }
  });

  it('gives 0 at masked entries and NaN for NaN rows', () => {
    const y = sparsemax([3, 0, 0.5], { mask: [false, true, true] });
    expectClose(sparsemax.vjp(y, Float64Array.from([7, 1, 2])) as Float64Array, [0, -0.5, 0.5], 1e-15);
    expectClose(sparsemax.vjp(Float64Array.from([NaN, NaN]), Float64Array.from([1, 2])) as Float64Array, [NaN, NaN], 0);
  });

  it('rejects mismatched shapes', () => {
    expect(() => sparsemax.vjp(Float64Array.from([0.5, 0.5]), Float64Array.from([1, 2, 3]))).toThrow(SoftmaxError);
  });
});
