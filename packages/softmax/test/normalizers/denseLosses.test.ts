/**
 * Losses on logits: zLoss, maxSupLoss, klDivergence. Expected values are hand-derived (numbers computed
 * in Python float64 where noted) or come from independent per-row formulas written here; gradients are
 * checked against central finite differences of those formulas.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { klDivergence } from '../../src/losses/klDivergence.js';
import { maxSupLoss } from '../../src/losses/maxSupLoss.js';
import { zLoss } from '../../src/losses/zLoss.js';
import { crossEntropy } from '../../src/ops/crossEntropy.js';
import { numericGradient, expectClose, expectSoftmaxError, refLogSoftmax, refSoftmax, rng, uniform } from '../ops/helpers.js';

const RUNS = { numRuns: 40, seed: Number(process.env.FC_SEED ?? 20250102) };

type Grad = Float64Array | Float32Array | { data: Float64Array | Float32Array; dims: number[] };
const dataOf = (g: Grad) => (ArrayBuffer.isView(g) ? g : g.data);


function expectGradient(got: ArrayLike<number>, fd: ArrayLike<number>, label: string): void {
  let scale = 0;
  for (let j = 0; j < fd.length; j++) scale = Math.max(scale, Math.abs(fd[j]));
  for (let j = 0; j < fd.length; j++) {
    const tol = 1e-6 * (Math.abs(fd[j]) + scale) + 1e-10;
    if (!(Math.abs(got[j] - fd[j]) <= tol)) expect.fail(`${label}[${j}]: vjp ${got[j]}, finite difference ${fd[j]} (tol ${tol})`);
  }
}

/** Z-loss of one row, straight from the paper: softplus(a(b − ẑ_c))/a, ẑ = (o − μ)/σ (population σ). */
function refZ(o: readonly number[], c: number, a = 0.1, b = 10): number {
  const n = o.length;
  const mu = o.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(o.reduce((s, v) => s + (v - mu) ** 2, 0) / n);
  const z = sd > 0 ? (o[c] - mu) / sd : 0;
  return Math.log(1 + Math.exp(a * (b - z))) / a;
}

/** MaxSup of one row: −log softmax(o)_c + α·(max o − mean o). */
function refMaxSup(o: readonly number[], c: number, alpha = 0.1): number {
  const mean = o.reduce((s, v) => s + v, 0) / o.length;
  return -refLogSoftmax(o)[c] + alpha * (Math.max(...o) - mean);
}

/** KL(softmax(p/τ) ‖ softmax(q/τ)) of one row, as Σ P (log P − log Q) with the ref log-softmax. */
function refKl(p: readonly number[], q: readonly number[], tau = 1): number {
  const P = refSoftmax(p, tau);
  const lp = refLogSoftmax(p, tau);
  const lq = refLogSoftmax(q, tau);
  let s = 0;
  for (let i = 0; i < p.length; i++) if (P[i] > 0) s += P[i] * (lp[i] - lq[i]);
  return s;
}

function rowsOf(x: ArrayLike<number>, classes: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < x.length / classes; r++) rows.push(Array.from({ length: classes }, (_, i) => x[r * classes + i]));
  return rows;
}

describe('zLoss', () => {
  it('known answer (Python float64): [2, 0, −2], label 0 → ẑ₀ = √1.5, L = 12.25227712166554', () => {
    expect(zLoss([2, 0, -2], [0], { reduction: 'sum' }) as number).toBeCloseTo(12.25227712166554, 12);
    // a = 1, b = 0, ẑ₀ = √1.5: L = log(1 + e^{−√1.5}) = 0.2570…
    expect(zLoss([2, 0, -2], 0, { a: 1, b: 0 }) as number).toBeCloseTo(Math.log1p(Math.exp(-Math.sqrt(1.5))), 14);
    // Constant row (σ = 0) and one class: ẑ := 0, L = softplus(a·b)/a.
    expect(zLoss([3, 3, 3], [1]) as number).toBeCloseTo(Math.log1p(Math.exp(1)) / 0.1, 12);
    expect(zLoss([3], [0]) as number).toBeCloseTo(Math.log1p(Math.exp(1)) / 0.1, 12);
    expectClose(dataOf(zLoss.vjp(0, 1, { x: [3, 3, 3], labels: [1] }) as Grad), [0, 0, 0], 0);
  });

  it('is invariant to shifting and positively scaling the logits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 30 }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (o, c, k) => {
          // Rows that are constant up to rounding have no well-defined z-scores (ẑ := 0 only when σ = 0 exactly).
          fc.pre(Math.max(...o) - Math.min(...o) > 1e-3);
          const label = o.length - 1;
          const base = zLoss(o, [label]) as number;
          expect(zLoss(o.map((v) => k * v + c), [label]) as number).toBeCloseTo(base, 6);
        },
      ),
      RUNS,
    );
  });

  it('reductions, ignoreIndex and float32 per-row losses', () => {
    const x = Float64Array.from(uniform(rng(1), 12, -2, 2));
    const rows = rowsOf(x, 4);
    const labels = [0, -100, 3];
    const per = zLoss({ data: x, dims: [3, 4] }, labels, { reduction: 'none', a: 0.5, b: 2 }) as Float64Array;
    expectClose(per, [refZ(rows[0], 0, 0.5, 2), 0, refZ(rows[2], 3, 0.5, 2)], 1e-13);
    expect(zLoss({ data: x, dims: [3, 4] }, labels, { a: 0.5, b: 2 }) as number).toBeCloseTo((per[0] + per[2]) / 2, 13);
    expect(zLoss({ data: x, dims: [3, 4] }, labels, { a: 0.5, b: 2, reduction: 'sum' }) as number).toBeCloseTo(per[0] + per[2], 13);
    const f32 = zLoss({ data: Float32Array.from(x), dims: [3, 4] }, labels, { reduction: 'none' });
    expect(f32).toBeInstanceOf(Float32Array);
    expect(Number.isNaN(zLoss([1, Infinity], [0]) as number)).toBe(true);
    expectSoftmaxError(() => zLoss([1, 2], [0], { a: 0 }), 'E_PARAM', 'a');
    expectSoftmaxError(() => zLoss([1, 2], [2]), 'E_PARAM', 'labels[0]');
    expectSoftmaxError(() => zLoss.vjp(0, 1, { labels: [0] } as never), 'E_PARAM', 'x');
  });

  it.each(['mean', 'sum', 'none'] as const)('vjp matches finite differences (reduction %s)', (reduction) => {
    const rand = rng(2);
    const classes = 5;
    const x = Float64Array.from(uniform(rand, 15, -3, 3));
    const labels = [4, 0, -100];
    const opts = { reduction, a: 0.7, b: 1.5 };
    const dy = reduction === 'none' ? [0.3, -1.2, 0.8] : 0.9;
    const f = (v: Float64Array) => {
      const rows = rowsOf(v, classes);
      let s = 0;
      rows.forEach((o, r) => {
        if (labels[r] === -100) return;
        const w = typeof dy === 'number' ? (reduction === 'mean' ? dy / 2 : dy) : dy[r];
        s += w * refZ(o, labels[r], 0.7, 1.5);
      });
      return s;
    };
    const g = zLoss.vjp(0, dy, { ...opts, x: { data: x, dims: [3, classes] }, labels }) as Grad;
    expectGradient(dataOf(g), numericGradient(f, x), `zLoss ${reduction}`);
  });
});

describe('maxSupLoss', () => {
  it('known answer (Python float64): [2, 0, −2], label 1 → CE 2.14293… + 0.1·(2 − 0) = 2.3429316284998998', () => {
    expect(maxSupLoss([2, 0, -2], [1]) as number).toBeCloseTo(2.3429316284998998, 13);
    // The top-1 logit is penalised whatever the label: label 0 gives CE 0.14293… + 0.2.
    expect(maxSupLoss([2, 0, -2], [0]) as number).toBeCloseTo(2.1429316284998996 - 2 + 0.2, 13);
    expect(maxSupLoss([5], [0]) as number).toBe(0);
  });

  it('alpha = 0 is cross-entropy (value and gradient)', () => {
    const x = Float64Array.from(uniform(rng(3), 20, -4, 4));
    const labels = [1, 3, 0, 2];
    for (const reduction of ['mean', 'sum'] as const) {
      expect(maxSupLoss({ data: x, dims: [4, 5] }, labels, { alpha: 0, reduction }) as number).toBeCloseTo(crossEntropy({ data: x, dims: [4, 5] }, labels, { reduction }) as number, 13);
      const g = maxSupLoss.vjp(0, 1, { x: { data: x, dims: [4, 5] }, labels, alpha: 0, reduction }) as Grad;
      const c = crossEntropy.vjp(0, 1, { x: { data: x, dims: [4, 5] }, labels, reduction }) as Grad;
      expectClose(dataOf(g), dataOf(c), 1e-13, 1e-16);
    }
  });

  it.each(['mean', 'sum', 'none'] as const)('vjp matches finite differences away from ties (reduction %s)', (reduction) => {
    const classes = 6;
    const x = Float64Array.from(uniform(rng(4), 18, -3, 3));
    const labels = [2, -100, 5];
    const dy = reduction === 'none' ? [1.1, 0.4, -0.7] : 0.6;
    const f = (v: Float64Array) => {
      let s = 0;
      rowsOf(v, classes).forEach((o, r) => {
        if (labels[r] === -100) return;
        const w = typeof dy === 'number' ? (reduction === 'mean' ? dy / 2 : dy) : dy[r];
        s += w * refMaxSup(o, labels[r], 0.25);
      });
      return s;
    };
    const got = maxSupLoss({ data: x, dims: [3, classes] }, labels, { reduction, alpha: 0.25 });
    if (reduction === 'sum') expect(got as number).toBeCloseTo(f(x) / 0.6, 12);
    const g = maxSupLoss.vjp(got, dy, { x: { data: x, dims: [3, classes] }, labels, alpha: 0.25, reduction }) as Grad;
    expectGradient(dataOf(g), numericGradient(f, x), `maxSup ${reduction}`);
  });

  it('validates alpha and needs x and labels for the vjp', () => {
    expectSoftmaxError(() => maxSupLoss([1, 2], [0], { alpha: -0.1 }), 'E_PARAM', 'alpha');
    expectSoftmaxError(() => maxSupLoss.vjp(0, 1, { x: [1, 2] } as never), 'E_PARAM', 'labels');
  });
});

describe('klDivergence', () => {
  it('known answers (hand-derived)', () => {
    // KL([½, ½] ‖ [¾, ¼]) = ½·ln(2/3) + ½·ln 2 = 0.14384103622589042 (Python).
    expect(klDivergence([0, 0], [Math.log(3), 0]) as number).toBeCloseTo(0.14384103622589042, 14);
    // τ = 2 halves the logits: KL(softmax([ln 3, 0]/… )) — p = [2 ln 3, 0], τ = 2 → P = [¾, ¼], Q = [½, ½]:
    // ¾ ln(3/2) + ¼ ln(1/2) = 0.13081203594113694; ×τ² = 0.5232481437645478.
    expect(klDivergence([2 * Math.log(3), 0], [0, 0], { temperature: 2 }) as number).toBeCloseTo(0.13081203594113694, 14);
    expect(klDivergence([2 * Math.log(3), 0], [0, 0], { temperature: 2, scaleByTemperatureSquared: true }) as number).toBeCloseTo(0.5232481437645478, 13);
  });

  it('KL ≥ 0, = 0 for equal or shifted logits', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 1, maxLength: 30 }), fc.double({ min: -50, max: 50, noNaN: true }), (pairs, c) => {
        const p = pairs.map((t) => t[0]);
        const q = pairs.map((t) => t[1]);
        expect(klDivergence(p, q) as number).toBeGreaterThanOrEqual(-1e-12);
        expect(Math.abs(klDivergence(p, p.map((v) => v + c)) as number)).toBeLessThan(1e-10);
      }),
      RUNS,
    );
  });

  it('masked classes: −∞ in both is ignored; −∞ only in Q where P > 0 gives +∞; no distribution gives NaN', () => {
    expect(klDivergence([0, 0, -Infinity], [Math.log(3), 0, -Infinity]) as number).toBeCloseTo(0.14384103622589042, 14);
    expect(klDivergence([0, 0, -Infinity], [Math.log(3), 0, 5]) as number).toBeCloseTo(refKl([0, 0, -Infinity], [Math.log(3), 0, 5]), 14);
    expect(klDivergence([0, 0], [0, -Infinity]) as number).toBe(Infinity);
    expect(Number.isNaN(klDivergence([-Infinity, -Infinity], [0, 0]) as number)).toBe(true);
    expect(Number.isNaN(klDivergence([0, NaN], [0, 0]) as number)).toBe(true);
    const g = klDivergence.vjp(0, 1, { pLogits: [0, -Infinity, 1], qLogits: [1, -Infinity, 0] });
    expect(dataOf(g.dp)[1]).toBe(0);
    expect(dataOf(g.dq)[1]).toBe(0);
  });

  it.each([
    ['mean', 1, false],
    ['sum', 2.5, true],
    ['none', 0.7, false],
  ] as const)('gradients w.r.t. both logit sets match finite differences (reduction %s, τ = %s, τ² scaling %s)', (reduction, tau, scaled) => {
    const rand = rng(6);
    const classes = 4;
    const p = Float64Array.from(uniform(rand, 12, -3, 3));
    const q = Float64Array.from(uniform(rand, 12, -3, 3));
    const dy = reduction === 'none' ? [0.5, -1, 2] : 1.3;
    const opts = { reduction, temperature: tau, scaleByTemperatureSquared: scaled };
    const w = (r: number) => (typeof dy === 'number' ? (reduction === 'mean' ? dy / 3 : dy) : dy[r]) * (scaled ? tau * tau : 1);
    const loss = (pv: Float64Array, qv: Float64Array) => {
      const pr = rowsOf(pv, classes);
      const qr = rowsOf(qv, classes);
      return pr.reduce((s, row, r) => s + w(r) * refKl(row, qr[r], tau), 0);
    };
    const got = klDivergence({ data: p, dims: [3, classes] }, { data: q, dims: [3, classes] }, opts);
    if (reduction === 'none') expectClose(got as Float64Array, rowsOf(p, classes).map((row, r) => (scaled ? tau * tau : 1) * refKl(row, rowsOf(q, classes)[r], tau)), 1e-12);
    const g = klDivergence.vjp(got, dy, { ...opts, pLogits: { data: p, dims: [3, classes] }, qLogits: { data: q, dims: [3, classes] } });
    expectGradient(dataOf(g.dq), numericGradient((v) => loss(p, v), q), 'dq');
    expectGradient(dataOf(g.dp), numericGradient((v) => loss(v, q), p), 'dp');
  });

  it('float32 logits: float32 per-row values and gradients, close to float64', () => {
    const p = Float32Array.from(uniform(rng(7), 8, -2, 2));
    const q = Float32Array.from(uniform(rng(8), 8, -2, 2));
    const r32 = klDivergence({ data: p, dims: [2, 4] }, { data: q, dims: [2, 4] }, { reduction: 'none' }) as Float32Array;
    const r64 = klDivergence({ data: Float64Array.from(p), dims: [2, 4] }, { data: Float64Array.from(q), dims: [2, 4] }, { reduction: 'none' }) as Float64Array;
    expect(r32).toBeInstanceOf(Float32Array);
    expectClose(r32, Array.from(r64, Math.fround), 0, 0);
    const g = klDivergence.vjp(r32, [1, 1], { pLogits: { data: p, dims: [2, 4] }, qLogits: { data: q, dims: [2, 4] }, reduction: 'none' });
    expect(dataOf(g.dp)).toBeInstanceOf(Float32Array);
  });

  it('validates shapes, types and options', () => {
    expectSoftmaxError(() => klDivergence([1, 2], [1, 2, 3]), 'E_SHAPE', 'qLogits');
    expectSoftmaxError(() => klDivergence(Float64Array.of(1, 2), Float32Array.of(1, 2)), 'E_DTYPE', 'qLogits');
    expectSoftmaxError(() => klDivergence([1, 2], [1, 2], { temperature: 0 }), 'E_PARAM', 'temperature');
    expectSoftmaxError(() => klDivergence([1, 2], [1, 2], { scaleByTemperatureSquared: 1 as never }), 'E_PARAM', 'scaleByTemperatureSquared');
    expectSoftmaxError(() => klDivergence.vjp(0, 1, { pLogits: [1, 2] } as never), 'E_PARAM', 'qLogits');
  });
});
