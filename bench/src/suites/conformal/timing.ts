import { clusteredConformal, createRng } from 'softmax';
import type { ClusteredConformalPredictor } from 'softmax';
import type { ImplTiming } from '../../harness/compare.js';
import { atMost, metric } from '../../results/metrics.js';
import type { CaseResult } from '../../results/result-types.js';
import type { ConformalTimingRun } from './illustration-types.js';
import { timingSet } from './synthetic.js';

export const ALPHA = 0.1;
const SCORES = ['lac', 'aps'] as const;
const CHUNK_ROWS = 10_000;
export const CALIBRATE = 'clustered conformal · calibrate';
export const PREDICT = 'clustered conformal · predict';
/** Marginal coverage of the timing test set within this of 1 − α (a sanity check, not a target). */
const COVERAGE_TOLERANCE = 0.05;

export interface TimingSize {
  classes: number;
  perClass: number;
  testRows: number;
  targets: boolean;
}

export function timingSize(mode: string): TimingSize {
  return mode === 'quick' ? { classes: 100, perClass: 20, testRows: 5_000, targets: false } : { classes: 1000, perClass: 50, testRows: 100_000, targets: true };
}

export const CALIBRATE_TARGET_S = 2;
export const PREDICT_TARGET_S = 1;

function single(name: string, ms: number, elements: number, baselineMs: number): ImplTiming {
  return { name, samples: 1, medianMs: ms, p25Ms: ms, p75Ms: ms, minMs: ms, nsPerElement: (ms * 1e6) / elements, timeVsBaseline: ms / baselineMs };
}

/**
 * One timed run per score: clustered calibration on classes × perClass points, then prediction of the test
 * rows generated and predicted in chunks of 10,000 rows (prediction times summed, generation untimed).
 */
export function runTiming(mode: string, onStep?: (label: string) => void): { cases: CaseResult[]; runs: ConformalTimingRun[] } {
  const size = timingSize(mode);
  const { classes, perClass, testRows } = size;
  const rng = createRng(7);
  onStep?.('calibration set');
  const calib = timingSet(rng, classes * perClass, classes);
  const predictors = new Map<string, { p: ClusteredConformalPredictor; ms: number }>();
  for (const score of SCORES) {
    onStep?.(`calibrate ${score}`);
    const t0 = performance.now();
    const p = clusteredConformal(calib.probs, calib.labels, { alpha: ALPHA, score, seed: 1 });
    predictors.set(score, { p, ms: performance.now() - t0 });
  }
  const predictMs = new Map<string, number>(SCORES.map((s) => [s, 0]));
  const sizes = new Map<string, number>(SCORES.map((s) => [s, 0]));
  const covered = new Map<string, number>(SCORES.map((s) => [s, 0]));
  for (let first = 0; first < testRows; first += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, testRows - first);
    onStep?.(`predict rows ${first}–${first + rows}`);
    const chunk = timingSet(rng, rows, classes, first);
    for (const score of SCORES) {
      const { p } = predictors.get(score)!;
      const predictRng = createRng(first + 1);
      const t0 = performance.now();
      const { sets } = p.predict(chunk.probs, { rng: predictRng });
      predictMs.set(score, predictMs.get(score)! + performance.now() - t0);
      let size = 0;
      let hit = 0;
      for (let r = 0; r < rows; r++) {
        size += sets[r].length;
        if (sets[r].includes(chunk.labels[r])) hit++;
      }
      sizes.set(score, sizes.get(score)! + size);
      covered.set(score, covered.get(score)! + hit);
    }
  }
  const cases: CaseResult[] = [];
  const runs: ConformalTimingRun[] = [];
  for (const score of SCORES) {
    const calMs = predictors.get(score)!.ms;
    const predMs = predictMs.get(score)!;
    const per100k = (predMs / 1000) * (100_000 / testRows);
    const coverage = covered.get(score)! / testRows;
    const run: ConformalTimingRun = {
      score,
      classes,
      perClass,
      testRows,
      calibrateS: calMs / 1000,
      predictS: predMs / 1000,
      predictPer100kS: per100k,
      meanSetSize: sizes.get(score)! / testRows,
      coverage,
    };
    if (size.targets) {
      run.calibrateTargetS = CALIBRATE_TARGET_S;
      run.predictPer100kTargetS = PREDICT_TARGET_S;
    }
    runs.push(run);
    const coverageDiff = Math.abs(coverage - (1 - ALPHA));
    cases.push({
      id: `clustered-${score}`,
      label: `clustered ${score.toUpperCase()}, ${classes} classes × ${perClass}, ${testRows.toLocaleString('en-US')} test rows`,
      params: { classes, perClass, testRows },
      elements: testRows * classes,
      baseline: CALIBRATE,
      // One timed run each; ns/element over the calibration (n·C) and test (rows·C) probabilities respectively.
      timings: [single(CALIBRATE, calMs, classes * perClass * classes, calMs), single(PREDICT, predMs, testRows * classes, calMs)],
      metrics: [
        metric(`calibrate-vs-target:${score}`, `calibration time ÷ ${CALIBRATE_TARGET_S} s`, calMs / 1000 / CALIBRATE_TARGET_S, 'x', size.targets ? atMost(1) : undefined),
        metric(`predict-vs-target:${score}`, `prediction time per 100k rows ÷ ${PREDICT_TARGET_S} s`, per100k / PREDICT_TARGET_S, 'x', size.targets ? atMost(1) : undefined),
      ],
      validation: [{ name: `clustered ${score}`, against: `marginal coverage ≈ ${1 - ALPHA}`, maxAbsDiff: coverageDiff, tolerance: COVERAGE_TOLERANCE, ok: coverageDiff <= COVERAGE_TOLERANCE }],
    });
  }
  return { cases, runs };
}
