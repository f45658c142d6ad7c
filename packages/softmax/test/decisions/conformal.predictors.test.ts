/**
 * Split, class-wise and clustered conformal predictors: coverage on exchangeable synthetic data, JSON
 * round trips, coverage metrics (hand-computed) and argument validation.
 */
import { describe, expect, it } from 'vitest';
import { SoftmaxError } from '../../src/tensor/errors.js';
import { createRng, type Rng } from '../../src/tensor/rng.js';
import {
  classwiseConformal,
  clusteredConformal,
  clusteringHeuristic,
  conformalFromJSON,
  coverageMetrics,
  splitConformal,
  type ConformalPredictor,
} from '../../src/decisions/conformal/index.js';

interface Data {
  probs: { data: Float64Array; dims: number[] };
  labels: Int32Array;
}

/**
 * Exchangeable synthetic classification data: y drawn from `classWeights`, logits z_j = N(0, 1) + signal_y·1[j = y],
 * p = softmax(z) (computed here in float64, independent of the library).
 */
function synth(rng: Rng, n: number, signal: ArrayLike<number>, classWeights?: ArrayLike<number>): Data {
  const C = signal.length;
  const cum = new Float64Array(C);
  let tot = 0;
  for (let c = 0; c < C; c++) {
    tot += classWeights ? classWeights[c] : 1;
    cum[c] = tot;
  }
  const data = new Float64Array(n * C);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next() * tot;
    let y = 0;
    while (y < C - 1 && cum[y] <= u) y++;
    labels[i] = y;
    let m = -Infinity;
    for (let j = 0; j < C; j++) {
      const z = rng.normal() + (j === y ? signal[y] : 0);
      data[i * C + j] = z;
      m = Math.max(m, z);
    }
    let s = 0;
    for (let j = 0; j < C; j++) {
      data[i * C + j] = Math.exp(data[i * C + j] - m);
      s += data[i * C + j];
    }
    for (let j = 0; j < C; j++) data[i * C + j] /= s;
  }
  return { probs: { data, dims: [n, C] }, labels };
}

function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, sd: Math.sqrt(v) };
}

function expectCode(run: () => unknown, code: string, argument: string): void {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SoftmaxError);
  expect((caught as SoftmaxError).code).toBe(code);
  expect((caught as SoftmaxError).argument ?? '').toContain(argument);
}

describe('splitConformal: marginal coverage', () => {
  const alpha = 0.1;
  const nCal = 300;
  const nTest = 300;
  const signal = [2, 2.5, 1.5, 3, 1, 2, 2.5, 0.5, 1.5, 2];
  for (const score of ['lac', 'aps', 'raps'] as const) {
    it(`${score}: mean coverage over 200 seeds within binomial bounds of [1−α, 1−α + 1/(n+1)]`, () => {
      const covs: number[] = [];
      for (let t = 0; t < 200; t++) {
        const rng = createRng(1000 + t);
        const cal = synth(rng, nCal, signal);
        const test = synth(rng, nTest, signal);
        const randomized = score !== 'lac';
        const pred = splitConformal(cal.probs, cal.labels, { alpha, score, randomized, kReg: 2, rng });
        expect(new Set(pred.thresholds).size).toBe(1);
        const { sets } = pred.predict(test.probs, { rng });
        covs.push(coverageMetrics(sets, test.labels, { alpha, classes: signal.length }).coverage);
      }
      const { mean, sd } = meanSd(covs);
      const se = sd / Math.sqrt(covs.length);
      expect(mean).toBeGreaterThanOrEqual(1 - alpha - 3 * se);
      expect(mean).toBeLessThanOrEqual(1 - alpha + 1 / (nCal + 1) + 3 * se);
    });
  }
});

describe('classwiseConformal: class-conditional coverage (5 classes)', () => {
  it('every class covered at ≈ 1 − α on average over 100 seeds', () => {
    const alpha = 0.1;
    const signal = [0.5, 1, 2, 3, 4];
    const weights = [3, 1, 1, 1, 2];
    const per: number[][] = signal.map(() => []);
    for (let t = 0; t < 100; t++) {
      const rng = createRng(5000 + t);
      const cal = synth(rng, 400, signal, weights);
      const test = synth(rng, 400, signal, weights);
      const pred = classwiseConformal(cal.probs, cal.labels, { alpha, score: 'lac' });
      const m = coverageMetrics(pred.predict(test.probs), test.labels, { alpha, classes: 5 });
      m.perClass.forEach((c, k) => per[k].push(c));
    }
    for (const covs of per) {
      const { mean, sd } = meanSd(covs.filter((c) => !Number.isNaN(c)));
      const se = sd / Math.sqrt(covs.length);
      expect(mean).toBeGreaterThanOrEqual(1 - alpha - 3 * se);
      expect(mean).toBeLessThanOrEqual(1 - alpha + 0.05 + 3 * se);
    }
  });
  it('a class with fewer than n_α calibration points gets +∞', () => {
    const rng = createRng(1);
    const cal = synth(rng, 200, [2, 2, 2], [50, 50, 1]);
    // Keep exactly 3 examples of class 2 (< n_α = 9 for α = 0.1).
    let seen = 0;
    const labels = Int32Array.from(cal.labels, (y) => (y === 2 && ++seen > 3 ? 0 : y));
    const pred = classwiseConformal(cal.probs, labels, { alpha: 0.1, score: 'aps' });
    expect(pred.thresholds[2]).toBe(Infinity);
    expect(Number.isFinite(pred.thresholds[0])).toBe(true);
    expect(pred.predict(cal.probs).sets.every((s) => s.includes(2))).toBe(true);
  });
});

describe('clusteredConformal', () => {
  const C = 100;
  const signal = Array.from({ length: C }, (_, c) => 1 + 4 * ((c * 37) % C) / C);
  it('heuristic sizes follow Ding et al.', () => {
    // n_y = 40 for all 100 classes, α = 0.1: n_min = 40, K' = 100, n_clust = ⌊4000/175⌋ = 22, M = 11, γ = 22/40.
    const h = clusteringHeuristic(new Array<number>(100).fill(40), 0.1);
    expect(h).toEqual({ numClusters: 11, clusteringFraction: 22 / 40, nMin: 40 });
    // Small classes: n_min = max(3, 9) = 9; K' = 99 → n_clust = ⌊891/174⌋ = 5, M = 2.
    const counts = new Array<number>(100).fill(40);
    counts[0] = 3;
    expect(clusteringHeuristic(counts, 0.1)).toEqual({ numClusters: 2, clusteringFraction: 5 / 9, nMin: 9 });
  });
  it('runs end to end on 100 classes; populous classes get finite thresholds; deterministic by seed', () => {
    const alpha = 0.1;
    const rng = createRng(77);
    const weights = Array.from({ length: C }, (_, c) => (c < 5 ? 0.05 : 1));
    const cal = synth(rng, 6000, signal, weights);
    const test = synth(rng, 6000, signal, weights);
    const pred = clusteredConformal(cal.probs, cal.labels, { alpha, score: 'lac', seed: 3 });
    expect(pred.numClusters).toBeGreaterThan(1);
    expect(pred.clusteringFraction).toBeGreaterThan(0);
    expect(pred.clusterOf.length).toBe(C);
    const counts = new Array<number>(C).fill(0);
    cal.labels.forEach((y) => counts[y]++);
    for (let c = 0; c < C; c++) {
      expect(pred.clusterOf[c]).toBeGreaterThanOrEqual(-1);
      expect(pred.clusterOf[c]).toBeLessThan(pred.numClusters);
      if (counts[c] >= 40) expect(Number.isFinite(pred.thresholds[c])).toBe(true);
    }
    const again = clusteredConformal(cal.probs, cal.labels, { alpha, score: 'lac', seed: 3 });
    expect(Array.from(again.clusterOf)).toEqual(Array.from(pred.clusterOf));
    expect(Array.from(again.thresholds)).toEqual(Array.from(pred.thresholds));
    const m = coverageMetrics(pred.predict(test.probs), test.labels, { alpha, classes: C });
    expect(m.coverage).toBeGreaterThan(1 - alpha - 0.03);
    expect(m.covGap).toBeGreaterThan(0);
    expect(m.avgSize).toBeLessThan(C / 4);
    const split = splitConformal(cal.probs, cal.labels, { alpha, score: 'lac' });
    const ms = coverageMetrics(split.predict(test.probs), test.labels, { alpha, classes: C });
    // Class-dependent difficulty: one marginal threshold leaves a large per-class gap that clustering reduces.
    expect(m.covGap).toBeLessThan(ms.covGap);
  });
  it('rare classes form the null cluster: standard threshold, or +∞ with nullPolicy full', () => {
    const rng = createRng(8);
    const cal = synth(rng, 3000, signal.slice(0, 30), Array.from({ length: 30 }, (_, c) => (c < 3 ? 0.03 : 1)));
    const std = clusteredConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'aps', seed: 1, numClusters: 4 });
    const nulls = Array.from(std.clusterOf.keys()).filter((c) => std.clusterOf[c] === -1);
    expect(nulls.length).toBeGreaterThan(0);
    const qn = std.thresholds[nulls[0]];
    expect(Number.isFinite(qn)).toBe(true);
    for (const c of nulls) expect(std.thresholds[c]).toBe(qn);
    const full = clusteredConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'aps', seed: 1, numClusters: 4, nullPolicy: 'full' });
    expect(Array.from(full.clusterOf)).toEqual(Array.from(std.clusterOf));
    for (const c of nulls) expect(full.thresholds[c]).toBe(Infinity);
  });
  it('skips clustering (one cluster, split q̂) when the heuristic gives M ≤ 1', () => {
    const rng = createRng(4);
    const cal = synth(rng, 100, [2, 2, 2]);
    const pred = clusteredConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac' });
    const split = splitConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac' });
    expect(pred.numClusters).toBe(1);
    expect(Array.from(pred.clusterOf)).toEqual([0, 0, 0]);
    expect(Array.from(pred.thresholds)).toEqual(Array.from(split.thresholds));
  });
});

describe('JSON round trip', () => {
  const rng = createRng(21);
  const cal = synth(rng, 800, Array.from({ length: 20 }, (_, c) => 0.5 + (c % 5)), Array.from({ length: 20 }, (_, c) => (c < 2 ? 0.02 : 1)));
  const test = synth(rng, 300, Array.from({ length: 20 }, (_, c) => 0.5 + (c % 5)));
  const cases: [string, () => ConformalPredictor][] = [
    ['split lac', () => splitConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac' })],
    ['split randomized raps', () => splitConformal(cal.probs, cal.labels, { alpha: 0.05, score: 'raps', randomized: true, lambda: 0.05, kReg: 2, seed: 9 })],
    ['classwise aps (+∞ thresholds)', () => classwiseConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'aps' })],
    ['clustered', () => clusteredConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac', seed: 2, numClusters: 3, nullPolicy: 'full' })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: restored predictor gives identical sets`, () => {
      const pred = make();
      const text = JSON.stringify(pred);
      const back = conformalFromJSON(text);
      const back2 = conformalFromJSON(pred.toJSON());
      expect(back.method).toBe(pred.method);
      expect(Array.from(back.thresholds)).toEqual(Array.from(pred.thresholds));
      const a = pred.predict(test.probs, { rng: createRng(5) });
      const b = back.predict(test.probs, { rng: createRng(5) });
      const c = back2.predict(test.probs, { rng: createRng(5) });
      expect(b.sets).toEqual(a.sets);
      expect(Array.from(b.matrix)).toEqual(Array.from(a.matrix));
      expect(c.sets).toEqual(a.sets);
      if (pred.method === 'clustered') expect(Array.from((back as typeof pred & { clusterOf: Int32Array }).clusterOf)).toEqual(Array.from((pred as typeof pred & { clusterOf: Int32Array }).clusterOf));
    });
  }
  it('encodes +∞ as a string', () => {
    const pred = classwiseConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac' });
    expect(pred.thresholds.includes(Infinity)).toBe(true);
    expect(JSON.stringify(pred)).toContain('"Infinity"');
  });
  it('rejects malformed JSON', () => {
    expectCode(() => conformalFromJSON('{'), 'E_INPUT', 'json');
    expectCode(() => conformalFromJSON({ format: 'x' } as never), 'E_INPUT', 'json.format');
  });
});

describe('coverageMetrics (hand-computed)', () => {
  it('coverage, CovGap, AvgSize, FracUnderCov, per-class', () => {
    // Labels 0,0,1,1,2; sets cover rows 0, 2, 3, 4 (not 1). ĉ = [0.5, 1, 1].
    const sets = [[0, 1], [1], [1], [0, 1, 2], [2]];
    const m = coverageMetrics(sets, [0, 0, 1, 1, 2], { alpha: 0.2, classes: 3 });
    expect(m.coverage).toBeCloseTo(4 / 5, 15);
    expect(m.avgSize).toBeCloseTo(8 / 5, 15);
    expect(Array.from(m.perClass)).toEqual([0.5, 1, 1]);
    // CovGap = 100·(|0.5 − 0.8| + 0.2 + 0.2)/3 = 70/3.
    expect(m.covGap).toBeCloseTo(70 / 3, 12);
    // Under-covered: ĉ < 0.8 − 0.1 = 0.7 → class 0 only.
    expect(m.fracUnderCov).toBeCloseTo(1 / 3, 15);
  });
  it('classes without rows are NaN and left out of the averages', () => {
    const m = coverageMetrics({ sets: [[0], [1]] }, [0, 0], { alpha: 0.1, classes: 2 });
    expect(m.perClass[1]).toBeNaN();
    expect(m.covGap).toBeCloseTo(100 * 0.4, 12);
  });
});

describe('validation of the predictors', () => {
  const cal = synth(createRng(2), 50, [1, 1, 1]);
  it('labels, alpha, score, probs, predict shape/rng', () => {
    expectCode(() => splitConformal(cal.probs, cal.labels.slice(1), { alpha: 0.1, score: 'lac' }), 'E_SHAPE', 'calibLabels');
    const bad = Int32Array.from(cal.labels);
    bad[4] = 3;
    expectCode(() => classwiseConformal(cal.probs, bad, { alpha: 0.1, score: 'lac' }), 'E_PARAM', 'calibLabels[4]');
    expectCode(() => splitConformal(cal.probs, cal.labels, { alpha: 1.5, score: 'lac' }), 'E_PARAM', 'alpha');
    expectCode(() => splitConformal(cal.probs, cal.labels, { alpha: 0, score: 'lac' }), 'E_PARAM', 'alpha');
    expectCode(() => clusteredConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'top1' as never }), 'E_PARAM', 'score');
    expectCode(() => clusteredConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac', nullPolicy: 'none' as never }), 'E_PARAM', 'nullPolicy');
    expectCode(() => clusteredConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac', clusteringFraction: 1 }), 'E_PARAM', 'clusteringFraction');
    expectCode(() => splitConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'lac', seed: 0.5 }), 'E_PARAM', 'seed');
    const logits = { data: Float64Array.from(cal.probs.data, (p) => Math.log(p)), dims: cal.probs.dims };
    expectCode(() => splitConformal(logits, cal.labels, { alpha: 0.1, score: 'lac' }), 'E_PARAM', 'calibProbs');
    const pred = splitConformal(cal.probs, cal.labels, { alpha: 0.1, score: 'aps', randomized: true, seed: 1 });
    expectCode(() => pred.predict(cal.probs), 'E_PARAM', 'rng');
    expectCode(() => pred.predict({ data: new Float64Array([0.5, 0.5]), dims: [1, 2] }, { rng: createRng(1) }), 'E_SHAPE', 'probs.dims');
    expectCode(() => coverageMetrics([[0]], [0, 1], { alpha: 0.1, classes: 2 }), 'E_SHAPE', 'labels');
  });
});
