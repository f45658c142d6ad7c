/**
 * α-entmax: known answers (hand-derived closed forms and the KKT conditions of the Tsallis-regularised
 * argmax), properties against two independent references (the sort-based exact algorithm for α = 1.5 of
 * Peters, Niculae & Martins 2019, and plain bisection on θ for any α), the backward pass and the α
 * gradient against central finite differences, and special values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SoftmaxError } from '../../src/tensor/errors.js';
import { entmax, entmaxRow } from '../../src/normalizers/entmax.js';
import { softmax } from '../../src/normalizers/softmax.js';
import { sparsemax } from '../../src/normalizers/sparsemax.js';
import { rng, randomRow, expectClose, dot } from './helpers.js';

const RUNS = { numRuns: 40, seed: Number(process.env.FC_SEED ?? 20250118) };

/**
 * Reference by bisection (entmax_bisect): θ ∈ [(α−1)max − 1, (α−1)max] with Σ [(α−1)z − θ]_+^{1/(α−1)} = 1,
 * halved until the bracket stops shrinking; y normalised. α = 1: softmax as 1/Σ_j exp(z_j − z_i).
 */
function refEntmax(z: ArrayLike<number>, alpha: number): { y: Float64Array; theta: number } {
  const n = z.length;
  if (alpha === 1) {
    return { y: Float64Array.from(z, (zi) => 1 / Array.from(z).reduce((s, zj) => s + Math.exp(zj - zi), 0)), theta: NaN };
  }
  const a = alpha - 1;
  const u = Float64Array.from(z, (v) => a * v);
  const m = Math.max(...u);
  const mass = (t: number) => u.reduce((s, v) => s + (v > t ? Math.pow(v - t, 1 / a) : 0), 0);
  let lo = m - 1;
  let hi = m;
  for (let it = 0; it < 2000; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (mass(mid) >= 1) lo = mid;
    else hi = mid;
  }
  const theta = 0.5 * (lo + hi);
  const y = Float64Array.from(u, (v) => (v > theta ? Math.pow(v - theta, 1 / a) : 0));
  const s = y.reduce((p, v) => p + v, 0);
  for (let i = 0; i < n; i++) y[i] /= s;
  return { y, theta };
}

/**
 * The sort-based exact 1.5-entmax (Peters et al. 2019, entmax15 in the entmax package): u = z/2 sorted
 * descending; for k = 1..n, τ_k = mean_k − sqrt(max(0, (1 − k·(meanSq_k − mean_k²))/k)); the support size is
 * #{k : τ_k ≤ u_(k)} and y = [u − τ]_+².
 */
function refEntmax15Sort(z: ArrayLike<number>): Float64Array {
  const u = Array.from(z, (v) => v / 2);
  const m = Math.max(...u);
  const sorted = u.map((v) => v - m).sort((p, q) => q - p);
  let sum = 0;
  let sumSq = 0;
  const taus: number[] = [];
  let support = 0;
  sorted.forEach((v, j) => {
    sum += v;
    sumSq += v * v;
    const k = j + 1;
    const mean = sum / k;
    const delta = (1 - k * (sumSq / k - mean * mean)) / k;
    const tau = mean - Math.sqrt(Math.max(delta, 0));
    taus.push(tau);
    if (tau <= v) support++;
  });
  const tau = taus[support - 1] + m;
  return Float64Array.from(u, (v) => Math.max(v - tau, 0) ** 2);
}

describe('entmax: known answers', () => {
  it('α = 1.5 on [0, 0.5, 1]: the closed form of the full support', () => {
    // u = z/2 − 1/2 = [−1/2, −1/4, 0]: mean −1/4, variance 1/24, τ = −1/4 − sqrt((1 − 3/24)/3) = −1/4 − sqrt(7/24),
    // all three above τ, so y = (u − τ)² = [(√(7/24) − 1/4)², 7/24, (√(7/24) + 1/4)²].
    const r = Math.sqrt(7 / 24);
    expectClose(entmax([0, 0.5, 1], { alpha: 1.5 }), [(r - 0.25) ** 2, 7 / 24, (r + 0.25) ** 2], 1e-15);
    expectClose(entmax([0, 0.5, 1]), [(r - 0.25) ** 2, 7 / 24, (r + 0.25) ** 2], 1e-15); // α defaults to 1.5
    // A margin of 2 (= 1/(α−1)) over the runner-up gives a one-hot.
    expect(Array.from(entmax([0, 1, 3], { alpha: 1.5 }))).toEqual([0, 0, 1]);
  });

  it('satisfies the KKT conditions of max ⟨p, z⟩ + H^T_α(p): y_i^{α−1} − (α−1)z_i = −θ on the support', () => {
    const rand = rng(1);
    for (const alpha of [1.1, 1.3, 1.5, 1.75, 2.5, 4]) {
      const z = randomRow(rand, 12, -1, 1);
      const y = new Float64Array(12);
      const theta = entmaxRow(z, 0, y, 0, 12, 1, alpha);
      for (let i = 0; i < 12; i++) {
        if (y[i] > 0) expect(Math.abs(y[i] ** (alpha - 1) - (alpha - 1) * z[i] + theta), `α=${alpha} i=${i}`).toBeLessThan(1e-13);
        else expect((alpha - 1) * z[i]).toBeLessThanOrEqual(theta + 1e-15);
      }
    }
  });

  it('α = 1 is softmax and α = 2 is sparsemax, exactly', () => {
    const rand = rng(2);
    for (const n of [1, 2, 7, 50]) {
      const z = randomRow(rand, n, -3, 3);
      expect(Array.from(entmax(z, { alpha: 1 }))).toEqual(Array.from(softmax(z)));
      expect(Array.from(entmax(z, { alpha: 2 }))).toEqual(Array.from(sparsemax(z)));
    }
  });

  it('approaches softmax as α → 1', () => {
    const rand = rng(4);
    const z = randomRow(rand, 30, -2, 2);
    const sm = softmax(z);
    const gap = (alpha: number) => Math.max(...Array.from(entmax(z, { alpha }), (v, i) => Math.abs(v - sm[i])));
    expect(gap(1.001)).toBeLessThan(2e-3);
    expect(gap(1.001)).toBeLessThan(gap(1.01));
    expect(gap(1.01)).toBeLessThan(gap(1.1));
  });

  it('rejects α < 1 and non-numbers', () => {
    for (const alpha of [0.5, -1, NaN, Infinity, '1.5']) {
      let caught: unknown;
      try {
        entmax([1, 2], { alpha: alpha as number });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SoftmaxError);
      expect((caught as SoftmaxError).code).toBe('E_PARAM');
      expect((caught as SoftmaxError).argument).toBe('alpha');
    }
  });
});

describe('entmax: properties', () => {
  const valueArb = fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(-1, 0, 0.5, 1));
  const rowArb = fc.array(valueArb, { minLength: 1, maxLength: 30 });
  const alphaArb = fc.oneof(fc.constantFrom(1.5, 1.25, 1.3, 2.5), fc.double({ min: 1.05, max: 4, noNaN: true }));

  it('matches bisection, lies on the simplex, and is zero exactly where (α−1)z_i ≤ θ', () => {
    fc.assert(fc.property(rowArb, alphaArb, (values, alpha) => {
      const { y: want, theta } = refEntmax(values, alpha);
      const z = Float64Array.from(values);
      const y = new Float64Array(z.length);
      const got = entmaxRow(z, 0, y, 0, z.length, 1, alpha);
      expectClose(y, want, 1e-12, `α=${alpha}`);
      expect(Math.abs(got - theta)).toBeLessThan(1e-12 * Math.max(1, Math.abs(theta)));
      let sum = 0;
      for (let i = 0; i < y.length; i++) {
        expect(y[i]).toBeGreaterThanOrEqual(0);
        sum += y[i];
        const gap = (alpha - 1) * values[i] - theta;
        if (Math.abs(gap) > 1e-9) expect(y[i] > 0, `α=${alpha} i=${i}`).toBe(gap > 0);
      }
      expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
    }), RUNS);
  });

  it('α = 1.5 matches the sort-based exact algorithm', () => {
    fc.assert(fc.property(rowArb, (values) => {
      expectClose(entmax(values, { alpha: 1.5 }), refEntmax15Sort(values), 1e-12);
    }), RUNS);
  });

  it('is shift-invariant and monotone', () => {
    fc.assert(fc.property(rowArb, alphaArb, fc.double({ min: -50, max: 50, noNaN: true }), (values, alpha, c) => {
      const y = entmax(values, { alpha });
      expectClose(entmax(values.map((v) => v + c), { alpha }), y, 1e-10);
      for (let i = 0; i < values.length; i++) {
        for (let j = 0; j < values.length; j++) if (values[i] > values[j]) expect(y[i]).toBeGreaterThanOrEqual(y[j]);
      }
    }), RUNS);
  });

  it('matches the references on long rows (uniform, narrow, Gaussian, tied, ±1e4 scale)', () => {
    const rand = rng(12);
    const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
    const rows: [string, Float64Array, number][] = [
      ['uniform ±8', randomRow(rand, 4096, -8, 8), 1e-12],
      ['uniform [0, 1)', randomRow(rand, 4096, 0, 1), 1e-12],
      ['gaussian', Float64Array.from({ length: 2000 }, gauss), 1e-12],
      ['integers (ties)', Float64Array.from({ length: 1000 }, () => Math.floor(rand() * 4)), 1e-12],
      ['±1e4', randomRow(rand, 1000, -1e4, 1e4), 1e-9],
      ['1e4 + narrow', Float64Array.from({ length: 500 }, () => 1e4 + rand()), 1e-9],
    ];
    for (const [label, z, tol] of rows) {
      expectClose(entmax(z, { alpha: 1.5 }), refEntmax15Sort(z), tol, `${label} α=1.5`);
      for (const alpha of [1.3, 1.7, 3]) expectClose(entmax(z, { alpha }), refEntmax(z, alpha).y, tol, `${label} α=${alpha}`);
    }
  });
});

describe('entmax: special values and forms', () => {
  it('handles length 1, ties, −∞, masks, fully masked rows, NaN, +∞ and huge magnitudes', () => {
    for (const alpha of [1, 1.3, 1.5, 2, 3]) {
      expect(Array.from(entmax([4.2], { alpha }))).toEqual([1]);
      expectClose(entmax([3, 3, 3, 3, 3, 3, 3], { alpha }), new Array(7).fill(1 / 7), 1e-15);
      const ref = alpha === 1 ? refEntmax([0, 0.5], 1).y : refEntmax([0, 0.5], alpha).y;
      expectClose(entmax([-Infinity, 0, 0.5], { alpha }), [0, ...ref], 1e-14);
      expectClose(entmax([7, 0, 0.5], { alpha, mask: [false, true, true] }), [0, ...ref], 1e-14);
      expectClose(entmax([-Infinity, -Infinity], { alpha }), [NaN, NaN], 0);
      expectClose(entmax([1, 2], { alpha, mask: [0, 0] }), [NaN, NaN], 0);
      expectClose(entmax([1, NaN, 2], { alpha }), [NaN, NaN, NaN], 0);
      expectClose(entmax([1, Infinity, 2], { alpha }), [NaN, NaN, NaN], 0);
      if (alpha > 1) {
        // Spreads beyond 2^52 (z − 1/(α−1) rounds to z) and beyond float64 (z_i − z_j overflows).
        expect(Array.from(entmax([1e17, 0], { alpha }))).toEqual([1, 0]);
        expectClose(entmax([1e17, 1e17, 0], { alpha }), [0.5, 0.5, 0], 1e-15);
        expect(Array.from(entmax([1e308, -1.7e308, 1.5e308], { alpha }))).toEqual([0, 0, 1]);
      }
    }
  });

  it('float32 agrees with float64 to float32 precision', () => {
    const rand = rng(6);
    for (const alpha of [1.3, 1.5, 2.5]) {
      for (const n of [1, 5, 40, 700]) {
        const x32 = Float32Array.from(randomRow(rand, n, -4, 4));
        const y32 = entmax(x32, { alpha });
        expect(y32).toBeInstanceOf(Float32Array);
        expectClose(y32, entmax(Float64Array.from(x32), { alpha }), 1e-7, `α=${alpha} n=${n}`);
      }
    }
  });
});

describe('entmax: backward pass', () => {
  /** Re-draws a row until no entry is within `margin` of the threshold (away from the kinks). */
  function smoothRow(rand: () => number, n: number, alpha: number, margin: number): Float64Array {
    for (;;) {
      const z = randomRow(rand, n, -2, 2);
      if (alpha === 1) return z;
      const { theta } = refEntmax(z, alpha);
      if (z.every((v) => Math.abs((alpha - 1) * v - theta) >= margin)) return z;
    }
  }

  it('matches central finite differences for several α and lengths', () => {
    const rand = rng(8);
    const h = 1e-6;
    for (const alpha of [1, 1.25, 1.5, 1.8, 2, 2.5]) {
      for (const n of [2, 5, 17, 40]) {
        const z = smoothRow(rand, n, alpha, 1e-2);
        const dy = randomRow(rand, n, -1, 1);
        const g = entmax.vjp(entmax(z, { alpha }), dy, { alpha }) as Float64Array;
        for (let i = 0; i < n; i++) {
          const zp = Float64Array.from(z);
          const zm = Float64Array.from(z);
          zp[i] += h;
          zm[i] -= h;
          const fd = (dot(entmax(zp, { alpha }), dy) - dot(entmax(zm, { alpha }), dy)) / (2 * h);
          expect(Math.abs(g[i] - fd), `α=${alpha} n=${n} i=${i}: ${g[i]} vs ${fd}`).toBeLessThan(1e-7 * (1 + Math.abs(fd)));
        }
      }
    }
  });

  it('matches finite differences on a 3-D tensor along axis 0 with a temperature', () => {
    const rand = rng(10);
    const dims = [4, 3, 2];
    const opts = { alpha: 1.5, axis: 0, temperature: 0.6 };
    const data = randomRow(rand, 24, -0.6, 0.6);
    const dy = randomRow(rand, 24, -1, 1);
    const y = entmax({ data, dims }, opts);
    const g = entmax.vjp(y, { data: dy, dims }, opts) as { data: Float64Array; dims: number[] };
    expect(g.dims).toEqual(dims);
    const h = 1e-6;
    for (let i = 0; i < 24; i++) {
      const p = Float64Array.from(data);
      const m = Float64Array.from(data);
      p[i] += h;
      m[i] -= h;
      const fd = (dot(entmax({ data: p, dims }, opts).data, dy) - dot(entmax({ data: m, dims }, opts).data, dy)) / (2 * h);
      expect(Math.abs(g.data[i] - fd), `i=${i}`).toBeLessThan(1e-7);
    }
  });

  it('gives 0 off the support and NaN for NaN rows', () => {
    const y = entmax([0, 1, 3], { alpha: 1.5 });
    expect(Array.from(entmax.vjp(y, Float64Array.from([5, -2, 1]), { alpha: 1.5 }) as Float64Array)).toEqual([0, 0, 0]);
    expectClose(entmax.vjp(Float64Array.from([NaN, NaN]), Float64Array.from([1, 2]), { alpha: 1.3 }) as Float64Array, [NaN, NaN], 0);
  });
});

describe('entmax: gradient w.r.t. α', () => {
  const L = (z: Float64Array, dy: Float64Array, alpha: number) => dot(entmax(z, { alpha }), dy);
  const dAlphaOf = (z: Float64Array, dy: Float64Array, alpha: number) =>
    (entmax.vjp(entmax(z, { alpha }), dy, { alpha, wrtAlpha: true }) as { dAlpha: number }).dAlpha;

  it('matches central finite differences in α (away from support changes)', () => {
    const rand = rng(13);
    const h = 1e-6;
    let checked = 0;
    for (let trial = 0; checked < 30 && trial < 300; trial++) {
      const alpha = [1.05, 1.2, 1.5, 2, 2.5, 3.5][trial % 6];
      const n = [3, 8, 25][trial % 3];
      const z = randomRow(rand, n, -1.5, 1.5);
      const { theta } = refEntmax(z, alpha);
      if (z.some((v) => Math.abs((alpha - 1) * v - theta) < 1e-3)) continue;
      checked++;
      const dy = randomRow(rand, n, -1, 1);
      const fd = (L(z, dy, alpha + h) - L(z, dy, alpha - h)) / (2 * h);
      const got = dAlphaOf(z, dy, alpha);
      expect(Math.abs(got - fd), `α=${alpha} n=${n}: ${got} vs ${fd}`).toBeLessThan(1e-7 * (1 + Math.abs(fd)));
    }
    expect(checked).toBe(30);
  });

  it('is right at α = 1 (softmax) and continuous into α > 1 and across the formula switch at α = 1.1', () => {
    const rand = rng(14);
    for (const n of [2, 6, 30]) {
      const z = randomRow(rand, n, -2, 2);
      const dy = randomRow(rand, n, -1, 1);
      // One-sided second-order difference at α = 1: (−3L(1) + 4L(1 + h) − L(1 + 2h))/(2h).
      const h = 1e-4;
      const fd = (-3 * L(z, dy, 1) + 4 * L(z, dy, 1 + h) - L(z, dy, 1 + 2 * h)) / (2 * h);
      const at1 = dAlphaOf(z, dy, 1);
      expect(Math.abs(at1 - fd), `n=${n}`).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
      expect(Math.abs(dAlphaOf(z, dy, 1 + 1e-9) - at1)).toBeLessThan(1e-7 * (1 + Math.abs(at1)));
      const a = dAlphaOf(z, dy, 1.1 - 1e-12);
      const b = dAlphaOf(z, dy, 1.1);
      expect(Math.abs(a - b)).toBeLessThan(1e-9 * (1 + Math.abs(b)));
    }
  });

  it('returns one dAlpha per row for tensors, alongside dx', () => {
    const rand = rng(15);
    const dims = [2, 3, 4];
    const data = randomRow(rand, 24, -1, 1);
    const dy = randomRow(rand, 24, -1, 1);
    const opts = { alpha: 1.4, axis: 1 };
    const y = entmax({ data, dims }, opts);
    const r = entmax.vjp(y, { data: dy, dims }, { ...opts, wrtAlpha: true }) as { dx: { data: Float64Array; dims: number[] }; dAlpha: Float64Array };
    expect(r.dx.dims).toEqual(dims);
    expect(r.dAlpha).toBeInstanceOf(Float64Array);
    expect(r.dAlpha.length).toBe(8);
    // Row (a, c) runs along axis 1: offsets a·12 + b·4 + c, rows in C order of (a, c).
    for (let a = 0; a < 2; a++) {
      for (let c = 0; c < 4; c++) {
        const idx = [0, 1, 2].map((b) => a * 12 + b * 4 + c);
        const row = Float64Array.from(idx, (i) => data[i]);
        const g = Float64Array.from(idx, (i) => dy[i]);
        expect(Math.abs(r.dAlpha[a * 4 + c] - dAlphaOf(row, g, 1.4))).toBeLessThan(1e-14);
      }
    }
    const single = entmax.vjp(entmax([0, 0.3, 0.4], { alpha: 1.4 }), Float64Array.from([1, 0, 0]), { alpha: 1.4, wrtAlpha: true }) as { dx: Float64Array; dAlpha: number };
    expect(typeof single.dAlpha).toBe('number');
  });
});
