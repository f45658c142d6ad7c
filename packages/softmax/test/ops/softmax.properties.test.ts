/**
 * Property tests (fast-check) of softmax, logSoftmax and logSumExp on float64 rows, float32 rows on the
 * WebAssembly SIMD kernels, and float32 rows on the reference kernels. Expected values come from the
 * independent float64 formulas in ./helpers.ts (y_i = 1/Σ_j exp((x_j − x_i)/τ), …), never from the library.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendInfo, logSoftmax, logSumExp, setBackend, softmax } from '../../src/index.js';
import type { Algorithm } from '../../src/index.js';
import { arrayOf, expectClose, expectNear, refLogSumExp, refSoftmax, useVariant, VARIANTS, type Variant } from './helpers.js';

const ALGORITHMS: readonly Algorithm[] = ['auto', 'three-pass', 'two-pass', 'online'];
/** Fixed seed: the suite is reproducible. Set FC_SEED to explore more of the input space. */
const RUNS = { numRuns: 60, seed: Number(process.env.FC_SEED ?? 20240601) };

/** Row values as the variant can represent them exactly (float32 arbitraries for float32 variants). */
function rowArb(v: Variant, lo: number, hi: number, minLength = 1, maxLength = 200): fc.Arbitrary<number[]> {
  const value = v === 'float64'
    ? fc.double({ min: lo, max: hi, noNaN: true })
    : fc.float({ min: Math.fround(lo), max: Math.fround(hi), noNaN: true });
  return fc.array(value, { minLength, maxLength });
}

/** A temperature: mostly 1, sometimes an arbitrary value in [0.25, 4]. */
const temperatureArb = fc.oneof(fc.constant(1), fc.double({ min: 0.25, max: 4, noNaN: true }));

/** Sum tolerance of the contract: 1e-12 in float64, 1e-5 in float32. */
const sumTol = (v: Variant) => (v === 'float64' ? 1e-12 : 1e-5);
/** Elementwise relative accuracy of the contract: 1e-12 in float64, 2e-6 in float32 (entries ≥ 1e-30). */
const relTol = (v: Variant) => (v === 'float64' ? 1e-12 : 2e-6);
/** Below this the float32 contract does not apply (denormals and flushed entries). */
const floor32 = 1e-30;

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Relative accuracy check restricted to the entries the contract covers. */
function expectAccurate(v: Variant, got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  const tol = relTol(v);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (v !== 'float64' && w < floor32) {
      // Outside the relative contract: must still be a tiny non-negative number.
      expect(got[i]).toBeGreaterThanOrEqual(0);
      expect(got[i]).toBeLessThan(2 * floor32);
      continue;
    }
    expectNear(got[i], w, tol, 1e-300, `${label}[${i}]`);
  }
}

describe.each(VARIANTS)('%s', (variant) => {
  beforeAll(() => useVariant(variant));
  afterAll(() => setBackend('auto'));

  it('runs on the intended backend', () => {
    // float64 always runs on the reference kernels; the float32 variants select the backend.
    const want = variant === 'float32-reference' ? 'reference' : 'wasm-simd';
    expect(backendInfo().float32).toBe(want);
  });

  describe.each(ALGORITHMS)('algorithm %s', (algorithm) => {
    it('rows sum to 1', () => {
      fc.assert(fc.property(rowArb(variant, -60, 60), temperatureArb, (values, temperature) => {
        const y = softmax(arrayOf(variant, values), { algorithm, temperature });
        expect(Math.abs(sum(y) - 1)).toBeLessThanOrEqual(sumTol(variant));
      }), RUNS);
    });

    it('is within the accuracy contract of an independent float64 computation (τ = 1)', () => {
      fc.assert(fc.property(rowArb(variant, -80, 80), (values) => {
        const x = arrayOf(variant, values);
        const want = refSoftmax(x);
        expectAccurate(variant, softmax(x, { algorithm }), want, 'softmax');
      }), RUNS);
    });

    it('is within the accuracy contract with a temperature ≠ 1', () => {
      fc.assert(fc.property(rowArb(variant, -40, 40), fc.double({ min: 0.3, max: 3, noNaN: true }), (values, temperature) => {
        const x = arrayOf(variant, values);
        expectAccurate(variant, softmax(x, { algorithm, temperature }), refSoftmax(x, temperature), `softmax τ=${temperature}`);
      }), RUNS);
    });

    it('is within the accuracy contract on large-magnitude rows (a shared offset up to 1e6)', () => {
      // Rows c + δ_i with |c| ≤ 1e6 and |δ_i| ≤ 30: the result depends only on the differences.
      const arb = fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), rowArb('float64', -30, 30, 1, 64));
      fc.assert(fc.property(arb, ([c, deltas]) => {
        const x = arrayOf(variant, deltas.map((d) => c + d));
        expectAccurate(variant, softmax(x, { algorithm }), refSoftmax(x), 'softmax');
      }), RUNS);
    });

    it('is shift invariant: softmax(x + c) = softmax(x)', () => {
      // x_i = k_i/64 and integer c, so x + c is exact in float32 and float64: only the kernel can differ.
      const arb = fc.tuple(
        fc.array(fc.integer({ min: -64 * 40, max: 64 * 40 }), { minLength: 1, maxLength: 100 }),
        fc.integer({ min: -1000, max: 1000 }),
      );
      fc.assert(fc.property(arb, ([ks, c]) => {
        const x = ks.map((k) => k / 64);
        const a = softmax(arrayOf(variant, x), { algorithm });
        const b = softmax(arrayOf(variant, x.map((v) => v + c)), { algorithm });
        const want = refSoftmax(x);
        const tol = variant === 'float64' ? 1e-12 : 4e-6;
        for (let i = 0; i < x.length; i++) {
          if (want[i] < floor32) continue;
          expectNear(b[i], a[i], tol, 1e-300, `shifted[${i}]`);
        }
      }), RUNS);
    });

    it('temperature → 0 approaches the one-hot of a unique argmax', () => {
      const arb = fc.tuple(rowArb(variant, -20, 20, 0, 40), fc.nat(), fc.double({ min: 0.01, max: 5, noNaN: true }));
      fc.assert(fc.property(arb, ([rest, at, gapWanted]) => {
        const top = rest.length === 0 ? 0 : Math.max(...rest);
        const values = [...rest];
        const argmax = at % (rest.length + 1);
        values.splice(argmax, 0, top + gapWanted);
        const x = arrayOf(variant, values);
        const second = rest.length === 0 ? -Infinity : Math.max(...Array.from(x).filter((_, i) => i !== argmax));
        const gap = x[argmax] - second;
        // With τ = gap/50 every other entry is at most e^(−50)·y_max ≈ 1.9e-22.
        const temperature = Number.isFinite(gap) ? gap / 50 : 1;
        const y = softmax(x, { algorithm, temperature });
        expect(Math.abs(y[argmax] - 1)).toBeLessThanOrEqual(relTol(variant));
        for (let i = 0; i < y.length; i++) if (i !== argmax) expect(y[i]).toBeLessThanOrEqual(2e-22);
      }), RUNS);
    });

    it('temperature → ∞ approaches the uniform distribution', () => {
      fc.assert(fc.property(rowArb(variant, -50, 50, 1, 100), (values) => {
        const x = arrayOf(variant, values);
        const range = Math.max(...x) - Math.min(...x);
        // Every z_i = x_i/τ lies within 1e-6 of the others, so n·y_i ∈ [e^(−1e-6), e^(1e-6)].
        const temperature = 1e6 * (range + 1);
        const y = softmax(x, { algorithm, temperature });
        const tol = variant === 'float64' ? 1.1e-6 : 4e-6;
        for (let i = 0; i < y.length; i++) expect(Math.abs(y[i] * y.length - 1)).toBeLessThanOrEqual(tol);
      }), RUNS);
    });

    it('preserves order: x_i < x_j ⇒ y_i ≤ y_j and x_i = x_j ⇒ y_i = y_j', () => {
      fc.assert(fc.property(rowArb(variant, -30, 30, 1, 100), temperatureArb, (values, temperature) => {
        const x = arrayOf(variant, values);
        const y = softmax(x, { algorithm, temperature });
        const order = Array.from(x.keys()).sort((a, b) => x[a] - x[b]);
        for (let k = 1; k < order.length; k++) {
          const i = order[k - 1];
          const j = order[k];
          if (x[i] === x[j]) expect(y[j], `tie ${i},${j}`).toBe(y[i]);
          else expect(y[j], `x[${i}]=${x[i]} < x[${j}]=${x[j]}`).toBeGreaterThanOrEqual(y[i]);
        }
      }), RUNS);
    });

    it('never gives NaN for finite inputs, including ±1e30, ±3e38 and the extremes of the type', () => {
      const special = fc.constantFrom(1e30, -1e30, -3e38, 3e38, 0, -0, 1, -1);
      const any = variant === 'float64'
        ? fc.double({ noNaN: true, noDefaultInfinity: true })
        : fc.float({ noNaN: true, noDefaultInfinity: true });
      const arb = fc.array(fc.oneof(special, any, fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 1, maxLength: 40 });
      fc.assert(fc.property(arb, (values) => {
        const x = arrayOf(variant, values);
        const y = softmax(x, { algorithm });
        for (let i = 0; i < y.length; i++) expect(Number.isNaN(y[i]), `y[${i}] of [${Array.from(x)}]`).toBe(false);
        expect(Math.abs(sum(y) - 1)).toBeLessThanOrEqual(sumTol(variant));
      }), RUNS);
    });

    it('never gives NaN for finite inputs with a temperature ≠ 1 (±1e30 and −3e38 entries)', () => {
      const special = fc.constantFrom(1e30, -1e30, -3e38, 0, 1, -1);
      const arb = fc.tuple(fc.array(fc.oneof(special, fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 1, maxLength: 40 }),
        fc.constantFrom(0.5, 0.25, 2));
      fc.assert(fc.property(arb, ([values, temperature]) => {
        const x = arrayOf(variant, values);
        const y = softmax(x, { algorithm, temperature });
        for (let i = 0; i < y.length; i++) expect(Number.isNaN(y[i]), `y[${i}] of [${Array.from(x)}], τ=${temperature}`).toBe(false);
        expect(Math.abs(sum(y) - 1)).toBeLessThanOrEqual(sumTol(variant));
      }), RUNS);
    });
  });

  it('meets the accuracy contract with a temperature whose reciprocal is far from a float32 (τ = 1.989)', () => {
    // 1/1.989 is 5.9e-8 (relative) away from the nearest float32. For x = [0, x1] with x1/τ ≈ −68.5
    // the small probability is y1 = 1/(1 + e^(−x1/τ)) ≈ 1.8e-30, inside the contract (≥ 1e-30), and a
    // kernel that used s = float32(1/τ) would be off by 68.5·5.9e-8 ≈ 4e-6 relative.
    const temperature = 1.989;
    const x = arrayOf(variant, [0, Math.fround(-68.5 * temperature)]);
    const want = [1 / (1 + Math.exp(x[1] / temperature)), 1 / (1 + Math.exp(-x[1] / temperature))];
    for (const algorithm of ALGORITHMS) {
      expectAccurate(variant, softmax(x, { algorithm, temperature }), want, `${algorithm} τ=${temperature}`);
    }
  });

  it('softmax(x) = exp(logSoftmax(x))', () => {
    fc.assert(fc.property(rowArb(variant, -60, 60), temperatureArb, (values, temperature) => {
      const x = arrayOf(variant, values);
      const y = softmax(x, { temperature });
      const ly = logSoftmax(x, { temperature });
      for (let i = 0; i < y.length; i++) {
        const e = Math.exp(ly[i]);
        if (variant === 'float64') expectNear(y[i], e, 1e-12, 1e-300, `[${i}]`);
        else if (e >= floor32) expectNear(y[i], e, 2e-6 + 2e-6 * Math.max(1, Math.abs(ly[i])), 0, `[${i}]`);
      }
    }), RUNS);
  });

  it('logSoftmax is within its contract of an independent computation: 1e-12 (float64) / 2e-6·max(1, |y|) (float32)', () => {
    fc.assert(fc.property(rowArb(variant, -60, 60), temperatureArb, (values, temperature) => {
      const x = arrayOf(variant, values);
      const ly = logSoftmax(x, { temperature });
      for (let i = 0; i < x.length; i++) {
        // Independent: log y_i = x_i/τ − log Σ_j exp(x_j/τ), written with the pairwise differences.
        let s = 0;
        for (let j = 0; j < x.length; j++) s += Math.exp((x[j] - x[i]) / temperature);
        const want = -Math.log(s);
        const tol = variant === 'float64' ? 1e-12 : 2e-6;
        expectNear(ly[i], want, 0, tol * Math.max(1, Math.abs(want)), `logSoftmax[${i}]`);
      }
    }), RUNS);
  });

  it('logSumExp(x) = log Σ exp(x_i) computed directly in float64 (moderate values)', () => {
    fc.assert(fc.property(rowArb(variant, -30, 30, 1, 200), temperatureArb, (values, temperature) => {
      const x = arrayOf(variant, values);
      // No shift needed: |x/τ| ≤ 120, so exp neither overflows nor underflows.
      let s = 0;
      for (let i = 0; i < x.length; i++) s += Math.exp(x[i] / temperature);
      const want = Math.log(s);
      const got = logSumExp(x, { temperature });
      expect(typeof got).toBe('number');
      const tol = variant === 'float64' ? 1e-12 : 2e-6;
      expectNear(got, want, 0, tol * Math.max(1, Math.abs(want)), 'logSumExp');
    }), RUNS);
  });

  it('logSumExp matches the shifted formula on large-magnitude rows', () => {
    const arb = fc.tuple(fc.double({ min: -1e4, max: 1e4, noNaN: true }), rowArb('float64', -30, 30, 1, 64));
    fc.assert(fc.property(arb, ([c, deltas]) => {
      const x = arrayOf(variant, deltas.map((d) => c + d));
      const want = refLogSumExp(x);
      const tol = variant === 'float64' ? 1e-12 : 2e-6;
      expectNear(logSumExp(x), want, 0, tol * Math.max(1, Math.abs(want)), 'logSumExp');
    }), RUNS);
  });

  it('is monotone on a dense grid crossing many exp range-reduction boundaries', () => {
    // x_i = −6 + i/1024 for i < 6144: strictly increasing, exactly representable in float32.
    const n = 6144;
    const x = arrayOf(variant, Array.from({ length: n }, (_, i) => -6 + i / 1024));
    for (const algorithm of ALGORITHMS) {
      const y = softmax(x, { algorithm });
      for (let i = 1; i < n; i++) {
        if (!(y[i] >= y[i - 1])) expect.fail(`${algorithm}: y[${i}] = ${y[i]} < y[${i - 1}] = ${y[i - 1]} though x[${i}] > x[${i - 1}]`);
      }
      // The largest entries by the shifted formula: y_i = exp(x_i − x_max) / Σ_j exp(x_j − x_max).
      let d = 0;
      for (let j = 0; j < n; j++) d += Math.exp(x[j] - x[n - 1]);
      const want = Array.from(x.subarray(n - 4), (v) => Math.exp(v - x[n - 1]) / d);
      expectClose(y.subarray(n - 4), want, relTol(variant), 0, algorithm);
    }
  });
});
