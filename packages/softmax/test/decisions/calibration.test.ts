/**
 * Calibration: temperature scaling recovers the temperature synthetic labels were drawn with (labels
 * drawn by inverse CDF from refSoftmax, independent of the library's sampler) and sits at the NLL minimum;
 * ECE/MCE on a hand-computed example (numbers worked out in the comments), ≈ 0 for calibrated synthetic
 * data within a Cauchy–Schwarz bound; the reliability diagram; the cascade threshold on a hand example
 * and against brute force; error codes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cascadeThreshold } from '../../src/decisions/calibration/cascade.js';
import { expectedCalibrationError, reliabilityDiagram } from '../../src/decisions/calibration/ece.js';
import { fitTemperature } from '../../src/decisions/calibration/fitTemperature.js';
import { createRng, type Rng } from '../../src/tensor/rng.js';
import { expectNear, expectSoftmaxError, refLogSumExp, refSoftmax } from '../ops/helpers.js';

/** Draws an index from probabilities p by inverse CDF. */
function draw(p: ArrayLike<number>, rng: Rng): number {
  const u = rng.next();
  let cum = 0;
  for (let i = 0; i < p.length; i++) {
    cum += p[i];
    if (u < cum) return i;
  }
  return p.length - 1;
}

/** Random logits (rows × classes, N(0, scale²)) and labels drawn from softmax(z/T*). */
function synthetic(rows: number, classes: number, scale: number, tStar: number, seed: number) {
  const rng = createRng(seed);
  const data = new Float64Array(rows * classes);
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) labels[r] = draw(refSoftmax(data.subarray(r * classes, (r + 1) * classes), tStar), rng);
  return { logits: { data, dims: [rows, classes] }, labels };
}

/** Reference mean NLL of softmax(z/T). */
function nll(logits: { data: Float64Array; dims: number[] }, labels: ArrayLike<number>, t: number): number {
  const [rows, n] = logits.dims;
  let s = 0;
  for (let r = 0; r < rows; r++) {
    const row = logits.data.subarray(r * n, (r + 1) * n);
    s += refLogSumExp(row, t) - row[labels[r]] / t;
  }
  return s / rows;
}

describe('fitTemperature', () => {
  it('recovers the temperature the labels were drawn with, at the NLL minimum', () => {
    for (const tStar of [0.5, 2.5]) {
      const { logits, labels } = synthetic(8000, 10, 3, tStar, 17);
      const fit = fitTemperature(logits, labels);
      // Asymptotic sd of the MLE here is ~1–2 %; 8 % is a wide, deterministic (seeded) margin.
      expect(Math.abs(fit.temperature / tStar - 1)).toBeLessThan(0.08);
      expect(fit.nllAfter).toBeLessThanOrEqual(fit.nllBefore);
      expectNear(fit.nllBefore, nll(logits, labels, 1), 1e-12);
      expectNear(fit.nllAfter, nll(logits, labels, fit.temperature), 1e-12);
      // A minimum: nudging T either way does not lower the NLL.
      for (const f of [1 - 1e-4, 1 + 1e-4]) expect(nll(logits, labels, fit.temperature * f)).toBeGreaterThanOrEqual(fit.nllAfter - 1e-15);
      expect(fit.iterations).toBeLessThan(50);
    }
  });

  it('is exact to ~1e-10 on a two-row example with a closed form', () => {
    // Two classes, rows (a, 0) labelled 0 and (a, 0) labelled 1 with weights 3:1 (four rows):
    // NLL(β) = mean log(1 + e^{∓βa}); the minimiser has σ(βa) = 3/4, so β = ln 3 / a.
    const a = 2;
    const logits = { data: Float64Array.from([a, 0, a, 0, a, 0, a, 0]), dims: [4, 2] };
    const fit = fitTemperature(logits, [0, 0, 0, 1]);
    expectNear(fit.temperature, a / Math.log(3), 1e-10);
  });

  it('stops at the bounds, handles float32, ignoreIndex, and a flat NLL', () => {
    const { logits, labels } = synthetic(2000, 5, 3, 40, 3);
    expect(fitTemperature(logits, labels).temperature).toBe(20);
    expect(fitTemperature(logits, labels, { max: 100 }).temperature).toBeGreaterThan(20);
    const sharp = synthetic(2000, 5, 1, 0.01, 4);
    expect(fitTemperature(sharp.logits, sharp.labels, { min: 0.2 }).temperature).toBeCloseTo(0.2, 12);
    const f32 = fitTemperature({ data: Float32Array.from(sharp.logits.data), dims: sharp.logits.dims }, sharp.labels);
    expect(f32.temperature).toBeLessThan(0.2);
    // A row labelled ignoreIndex (−100) does not move the fit.
    const withIgnored = { data: Float64Array.from([...sharp.logits.data, 9, -9, 9, 0, 50]), dims: [2001, 5] };
    expectNear(fitTemperature(withIgnored, [...sharp.labels, -100]).temperature, fitTemperature(sharp.logits, sharp.labels).temperature, 1e-12);
    // Constant rows: the NLL does not depend on T; T = 1 is returned.
    expect(fitTemperature({ data: new Float64Array(6).fill(1), dims: [2, 3] }, [0, 2]).temperature).toBe(1);
  });

  it('rejects bad input with codes', () => {
    const logits = { data: Float64Array.from([1, 2, 3, 4]), dims: [2, 2] };
    expectSoftmaxError(() => fitTemperature(logits, [0, 1], { min: 0 }), 'E_PARAM', 'min');
    expectSoftmaxError(() => fitTemperature(logits, [0, 1], { min: 2, max: 1 }), 'E_PARAM', 'max');
    expectSoftmaxError(() => fitTemperature(logits, [0, 2]), 'E_PARAM', 'labels[1]');
    expectSoftmaxError(() => fitTemperature(logits, [0]), 'E_SHAPE', 'labels');
    expectSoftmaxError(() => fitTemperature(logits, [-100, -100]), 'E_SHAPE', 'labels');
    expectSoftmaxError(() => fitTemperature({ data: Float64Array.from([1, -Infinity]), dims: [1, 2] }, [0]), 'E_INPUT', 'logits');
  });
});

/**
 * Hand example (2 classes, 5 equal-width bins (0,.2], (.2,.4], (.4,.6], (.6,.8], (.8,1]):
 *   row  probs        label  confidence  correct  bin
 *   0    (0.9, 0.1)   0      0.9         yes      4
 *   1    (0.85, 0.15) 1      0.85        no       4
 *   2    (0.3, 0.7)   1      0.7         yes      3
 *   3    (0.6, 0.4)   0      0.6         yes      2   (0.6 is the closed upper edge of bin 2)
 * bin 4: n 2, confidence 0.875, accuracy 0.5, gap 0.375; bin 3: n 1, 0.7, 1, gap 0.3; bin 2: n 1, 0.6, 1, 0.4.
 * ECE = 2/4·0.375 + 1/4·0.3 + 1/4·0.4 = 0.3625; MCE = 0.4.
 * Two equal-mass bins: {0.6 ✓, 0.7 ✓} (confidence 0.65, accuracy 1, gap 0.35) and {0.85 ✗, 0.9 ✓}
 * (0.875, 0.5, gap 0.375): ECE = 0.5·0.35 + 0.5·0.375 = 0.3625, MCE = 0.375.
 */
const HAND = { data: Float64Array.from([0.9, 0.1, 0.85, 0.15, 0.3, 0.7, 0.6, 0.4]), dims: [4, 2] };
const HAND_LABELS = [0, 1, 1, 0];

/** Calibrated synthetic data: random probability rows, labels drawn from them. */
function calibrated(rows: number, classes: number, seed: number, sharpen = 1) {
  const rng = createRng(seed);
  const data = new Float64Array(rows * classes);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const z = Array.from({ length: classes }, () => 2 * rng.normal());
    const p = refSoftmax(z);
    data.set(p, r * classes);
    labels[r] = draw(refSoftmax(z, 1 / sharpen), rng);
  }
  return { probs: { data, dims: [rows, classes] }, labels };
}

describe('expectedCalibrationError and reliabilityDiagram', () => {
  it('matches the hand-computed example (width and mass bins)', () => {
    const w = expectedCalibrationError(HAND, HAND_LABELS, { bins: 5 });
    expectNear(w.ece, 0.3625, 1e-12);
    expectNear(w.maxCalibrationError, 0.4, 1e-12);
    expect(w.count).toBe(4);
    expect(w.bins.map((b) => b.count)).toEqual([0, 0, 1, 1, 2]);
    expectNear(w.bins[4].confidence, 0.875, 1e-12);
    expect(w.bins[4].accuracy).toBe(0.5);
    expect(w.bins[0].confidence).toBeNaN();
    expect(w.bins.map((b) => [b.lower, b.upper])).toEqual([[0, 0.2], [0.2, 0.4], [0.4, 0.6], [0.6, 0.8], [0.8, 1]]);
    const m = expectedCalibrationError(HAND, HAND_LABELS, { bins: 2, strategy: 'mass' });
    expectNear(m.ece, 0.3625, 1e-12);
    expectNear(m.maxCalibrationError, 0.375, 1e-12);
    expect(m.bins.map((b) => [b.lower, b.upper, b.count])).toEqual([[0.6, 0.7, 2], [0.85, 0.9, 2]]);
    // More mass bins than rows: one row per bin.
    expect(expectedCalibrationError(HAND, HAND_LABELS, { strategy: 'mass' }).bins.length).toBe(4);
    // One row, ignoreIndex.
    expectNear(expectedCalibrationError([0.25, 0.75], 1).ece, 0.25, 1e-15);
    expectNear(expectedCalibrationError(HAND, [0, -100, 1, 0], { bins: 5 }).ece, (0.1 + 0.3 + 0.4) / 3, 1e-12);
  });

  it('is ≈ 0 for calibrated data (≤ 3·√(B/4N)) and clearly not for miscalibrated data', () => {
    const rows = 40_000;
    const bins = 15;
    // E|acc_b − conf_b| ≤ √(1/(4 n_b)), so E[ECE] ≤ Σ (n_b/N)/√(4 n_b) ≤ √(B/(4N)) (Cauchy–Schwarz).
    const bound = 3 * Math.sqrt(bins / (4 * rows));
    const good = calibrated(rows, 4, 5);
    for (const strategy of ['width', 'mass'] as const) {
      expect(expectedCalibrationError(good.probs, good.labels, { bins, strategy }).ece).toBeLessThan(bound);
    }
    // Labels drawn from a sharper distribution than the reported one: the model is under-confident.
    const under = calibrated(rows, 4, 6, 2);
    const d = reliabilityDiagram(under.probs, under.labels, { bins });
    expect(d.ece).toBeGreaterThan(3 * bound);
    for (const b of d.bins) if (b.count > 500 && b.confidence < 0.9) expect(b.gap).toBeGreaterThan(0);
  });

  it('reliabilityDiagram returns the ECE bins with gap and weight', () => {
    const e = expectedCalibrationError(HAND, HAND_LABELS, { bins: 5 });
    const d = reliabilityDiagram(HAND, HAND_LABELS, { bins: 5 });
    expect(d.ece).toBe(e.ece);
    expect(d.bins.map((b) => b.count)).toEqual(e.bins.map((b) => b.count));
    expectNear(d.bins[2].gap, 0.4, 1e-12);
    expect(d.bins[4].fraction).toBe(0.5);
    let weighted = 0;
    for (const b of d.bins) if (b.count > 0) weighted += b.fraction * Math.abs(b.gap);
    expectNear(weighted, d.ece, 1e-12);
  });

  it('rejects bad input with codes', () => {
    expectSoftmaxError(() => expectedCalibrationError(HAND, HAND_LABELS, { bins: 0 }), 'E_PARAM', 'bins');
    expectSoftmaxError(() => expectedCalibrationError(HAND, HAND_LABELS, { bins: 2.5 }), 'E_PARAM', 'bins');
    expectSoftmaxError(() => expectedCalibrationError(HAND, HAND_LABELS, { strategy: 'quantile' as never }), 'E_PARAM', 'strategy');
    expectSoftmaxError(() => expectedCalibrationError({ data: Float64Array.from([2, -1]), dims: [1, 2] }, [0]), 'E_INPUT', 'probs');
    expectSoftmaxError(() => expectedCalibrationError(HAND, [0, 1]), 'E_SHAPE', 'labels');
    expectSoftmaxError(() => reliabilityDiagram(HAND, [0, 1, 2, 0]), 'E_PARAM', 'labels[2]');
  });
});

describe('cascadeThreshold', () => {
  it('gives the lowest threshold within the accuracy-loss budget (hand example)', () => {
    // Confidences, most confident first: 0.9 ✓, 0.85 ✗, 0.7 ✓, 0.6 ✓ (N = 4); accepting down to 0.85
    // costs one wrong row = 0.25 of all rows.
    const strict = cascadeThreshold(HAND, HAND_LABELS, { maxAccuracyLoss: 0.2 });
    expect(strict).toEqual({ threshold: 0.9, coverage: 0.25, acceptedAccuracy: 1, accuracyLoss: 0, overallAccuracy: 0.75 });
    const loose = cascadeThreshold(HAND, HAND_LABELS, { maxAccuracyLoss: 0.25 });
    expect(loose).toEqual({ threshold: 0.6, coverage: 1, acceptedAccuracy: 0.75, accuracyLoss: 0.25, overallAccuracy: 0.75 });
    // The most confident row wrong and no budget: defer everything.
    const none = cascadeThreshold(HAND, [1, 1, 1, 0], { maxAccuracyLoss: 0 });
    expect(none.threshold).toBe(Infinity);
    expect(none.coverage).toBe(0);
    expect(none.acceptedAccuracy).toBeNaN();
  });

  it('agrees with brute force over observed thresholds (property, ties included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 5, max: 10 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rows, budget) => {
          // Two classes; confidence c/10 on class 0; correct ⇔ label 0.
          const data = new Float64Array(rows.length * 2);
          rows.forEach(([c], r) => data.set([c / 10, 1 - c / 10], 2 * r));
          const labels = rows.map(([, ok]) => (ok ? 0 : 1));
          const got = cascadeThreshold({ data, dims: [rows.length, 2] }, labels, { maxAccuracyLoss: budget });
          const lossAt = (t: number) => rows.filter(([c, ok]) => c / 10 >= t && !ok).length / rows.length;
          const feasible = [...new Set(rows.map(([c]) => c / 10))].filter((t) => lossAt(t) <= budget);
          const want = feasible.length > 0 ? Math.min(...feasible) : Infinity;
          expect(got.threshold).toBe(want);
          if (want !== Infinity) expect(got.accuracyLoss).toBe(lossAt(want));
          expect(got.accuracyLoss).toBeLessThanOrEqual(budget);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects bad budgets with E_PARAM', () => {
    for (const maxAccuracyLoss of [-0.1, 1.5, NaN]) {
      expectSoftmaxError(() => cascadeThreshold(HAND, HAND_LABELS, { maxAccuracyLoss }), 'E_PARAM', 'maxAccuracyLoss');
    }
    expectSoftmaxError(() => cascadeThreshold(HAND, HAND_LABELS, {} as never), 'E_PARAM', 'maxAccuracyLoss');
  });
});
