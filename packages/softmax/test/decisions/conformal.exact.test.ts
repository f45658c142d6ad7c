/**
 * Exact-coverage (randomised quantile) conformal prediction: the quantile pair on hand-worked cases,
 * coverage exactly 1 − α over many seeds (binomial bounds) against the standard method's known excess
 * k/(n + 1) − (1 − α), JSON round trips and argument checks.
 */
import { describe, expect, it } from 'vitest';
import { SoftmaxError } from '../../src/tensor/errors.js';
import { createRng, type Rng } from '../../src/tensor/rng.js';
import {
  classwiseConformal,
  clusteredConformal,
  conformalFromJSON,
  conformalQuantileBounds,
  splitConformal,
} from '../../src/decisions/conformal/index.js';

/** n rows over C classes: logits N(0, 1) + 1.5 at the label (uniform labels), softmax in float64. */
function synth(rng: Rng, n: number, C: number): { probs: { data: Float64Array; dims: number[] }; labels: Int32Array } {
  const data = new Float64Array(n * C);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = rng.nextInt(C);
    labels[i] = y;
    let s = 0;
    for (let j = 0; j < C; j++) {
      const e = Math.exp(rng.normal() + (j === y ? 1.5 : 0));
      data[i * C + j] = e;
      s += e;
    }
    for (let j = 0; j < C; j++) data[i * C + j] /= s;
  }
  return { probs: { data, dims: [n, C] }, labels };
}

describe('conformalQuantileBounds', () => {
  it('hand-worked: n = 14, α = 0.1 → k = ⌈13.5⌉ = 14, q̂_lo = s_(13), q̂_hi = s_(14), θ = 13.5 − 13 = 0.5', () => {
    const scores = [9, 3, 14, 1, 12, 7, 5, 13, 2, 11, 4, 8, 6, 10];
    expect(conformalQuantileBounds(scores, 0.1)).toEqual({ lower: 13, upper: 14, weight: 0.5 });
  });
  it('n = 19, α = 0.1: (n + 1)(1 − α) = 18 is an integer, θ = 1 (the standard quantile is already exact)', () => {
    const scores = Array.from({ length: 19 }, (_, i) => 19 - i);
    expect(conformalQuantileBounds(scores, 0.1)).toEqual({ lower: 17, upper: 18, weight: 1 });
  });
  it('n = 3, α = 0.2: k = ⌈3.2⌉ = 4 > n → q̂_hi = +∞, q̂_lo = s_(3), θ = 3.2 − 3', () => {
    const b = conformalQuantileBounds([0.3, 0.1, 0.2], 0.2);
    expect(b.upper).toBe(Infinity);
    expect(b.lower).toBe(0.3);
    expect(b.weight).toBeCloseTo(0.2, 12);
  });
  it('n = 0: (−∞, +∞, 1 − α)', () => {
    expect(conformalQuantileBounds([], 0.25)).toEqual({ lower: -Infinity, upper: Infinity, weight: 0.75 });
  });
});

describe('exact coverage over many seeds', () => {
  // n = 14, α = 0.1: standard coverage k/(n + 1) = 14/15 ≈ 0.9333 (over by 1/30); exact coverage 0.9.
  const alpha = 0.1;
  const nCal = 14;
  const trials = 6000;
  const C = 4;

  /** One test point per independent trial: each coverage indicator is Bernoulli(c), the mean binomial. */
  function coverage(score: 'lac' | 'aps', method: 'split' | 'classwise', exact: boolean): number {
    let hits = 0;
    for (let t = 0; t < trials; t++) {
      const rng = createRng(90_000 + t);
      const cal = synth(rng, method === 'split' ? nCal : 60, C);
      const test = synth(rng, 1, C);
      const opts = { alpha, score, randomized: score === 'aps', exactCoverage: exact, rng };
      const pred = method === 'split' ? splitConformal(cal.probs, cal.labels, opts) : classwiseConformal(cal.probs, cal.labels, opts);
      if (pred.predict(test.probs, { rng }).sets[0].includes(test.labels[0])) hits++;
    }
    return hits / trials;
  }
  const bound = (p: number): number => 4 * Math.sqrt((p * (1 - p)) / trials);

  for (const score of ['lac', 'aps'] as const) {
    it(`split ${score.toUpperCase()}: exact ≈ 1 − α, standard ≈ 14/15 (within 4 binomial standard errors)`, () => {
      const exact = coverage(score, 'split', true);
      const standard = coverage(score, 'split', false);
      expect(Math.abs(exact - (1 - alpha))).toBeLessThanOrEqual(bound(1 - alpha));
      expect(Math.abs(standard - 14 / 15)).toBeLessThanOrEqual(bound(14 / 15));
      expect(standard).toBeGreaterThan(exact);
    });
  }

  it('class-wise LAC: exact per class makes the marginal coverage exact too', () => {
    const exact = coverage('lac', 'classwise', true);
    expect(Math.abs(exact - (1 - alpha))).toBeLessThanOrEqual(bound(1 - alpha));
  });
});

describe('exact-coverage predictors', () => {
  const rng = createRng(3);
  const cal = synth(rng, 400, 8);
  const test = synth(rng, 100, 8);

  it('carry q̂_lo ≤ q̂_hi and θ ∈ (0, 1] per class, and round-trip through JSON', () => {
    const preds = [
      splitConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac', exactCoverage: true }),
      classwiseConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'aps', randomized: true, exactCoverage: true }),
      clusteredConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'raps', exactCoverage: true, numClusters: 2, clusteringFraction: 0.4 }),
    ];
    for (const p of preds) {
      expect(p.exactCoverage).toBe(true);
      const lo = p.lowerThresholds as Float64Array;
      const w = p.upperWeights as Float64Array;
      for (let c = 0; c < 8; c++) {
        expect(lo[c]).toBeLessThanOrEqual(p.thresholds[c]);
        expect(w[c]).toBeGreaterThan(0);
        expect(w[c]).toBeLessThanOrEqual(1);
      }
      const text = JSON.stringify(p.toJSON());
      const back = conformalFromJSON(text);
      expect(back.exactCoverage).toBe(true);
      expect(back.predict(test.probs, { rng: createRng(8) })).toEqual(p.predict(test.probs, { rng: createRng(8) }));
    }
  });

  it('sets lie between the q̂_lo sets and the q̂_hi sets', () => {
    const p = splitConformal(cal.probs, cal.labels, { alpha: 0.2, score: 'lac', exactCoverage: true });
    const lo = (p.lowerThresholds as Float64Array)[0];
    const hi = p.thresholds[0];
    const { sets } = p.predict(test.probs, { rng: createRng(1) });
    let usedHi = 0;
    sets.forEach((set, r) => {
      const row = test.probs.data.subarray(r * 8, r * 8 + 8);
      const setLo = [...row.keys()].filter((c) => 1 - row[c] <= lo);
      const setHi = [...row.keys()].filter((c) => 1 - row[c] <= hi);
      expect([JSON.stringify(setLo), JSON.stringify(setHi)]).toContain(JSON.stringify(set));
      if (JSON.stringify(set) === JSON.stringify(setHi) && setHi.length > setLo.length) usedHi++;
    });
    expect(usedHi).toBeGreaterThan(0);
  });

  it('predict needs an rng; a non-boolean exactCoverage is rejected', () => {
    const p = splitConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac', exactCoverage: true });
    expect(() => p.predict(test.probs)).toThrow(SoftmaxError);
    expect(() => splitConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac', exactCoverage: 1 as unknown as boolean })).toThrow(SoftmaxError);
  });
});
