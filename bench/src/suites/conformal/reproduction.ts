import { classwiseConformal, clusteredConformal, coverageMetrics, splitConformal } from 'softmax';
import type { ConformalPredictor } from 'softmax';
import type { ClaimVerdict, ConformalIllustration, ConformalMethodName, ReproductionRow, SetSizeHistogram } from './illustration-types.js';
import { GENERATOR_DESCRIPTION, difficultySet } from './synthetic.js';
import type { SyntheticSet } from './synthetic.js';
import { histogramOf, meanStd } from './stats.js';

export const ALPHA = 0.1;
export const SCORE = 'lac' as const;
export const TEST_PER_CLASS = 20;
/** "Set sizes close to standard's": clustered's mean AvgSize at most this multiple of standard's. */
export const SIZE_TOLERANCE = 1.25;
export const METHODS: readonly ConformalMethodName[] = ['standard', 'classwise', 'clustered'];
export const CLAIM =
  'Clustered conformal gives better class-conditional coverage (lower CovGap) than standard and class-wise conformal when data ' +
  `per class is scarce, with set sizes close to standard's (here: clustered's mean AvgSize ≤ ${SIZE_TOLERANCE}× standard's).`;

export interface ReproductionPlan {
  classes: number;
  nAvg: readonly number[];
  /** Fixed seed count, or a time budget (ms, counted from the start of the reproduction; ~40 s plus slack for the last seed) with bounds. */
  seeds: number | { budgetMs: number; min: number; max: number };
}

export function plansFor(mode: string): ReproductionPlan[] {
  if (mode === 'quick') return [{ classes: 100, nAvg: [10, 50], seeds: 2 }];
  return [
    { classes: 100, nAvg: [10, 20, 50, 75], seeds: 10 },
    { classes: 1000, nAvg: [10, 20, 50, 75], seeds: { budgetMs: 42_000, min: 1, max: 10 } },
  ];
}

interface Sample {
  classes: number;
  nAvg: number;
  method: ConformalMethodName;
  covGap: number;
  avgSize: number;
  fracUnderCov: number;
}

function calibrate(method: ConformalMethodName, calib: SyntheticSet, seed: number): ConformalPredictor {
  const opts = { alpha: ALPHA, score: SCORE, seed };
  if (method === 'standard') return splitConformal(calib.probs, calib.labels, opts);
  if (method === 'classwise') return classwiseConformal(calib.probs, calib.labels, opts);
  return clusteredConformal(calib.probs, calib.labels, opts);
}

/** One seed of one |Y|: a test set, then for every n_avg a calibration set and the three methods. */
/** The representative setting of the set-size histograms: the first plan's |Y|, its smallest n_avg, seed 0. */
export function histogramSetting(mode: string): { classes: number; nAvg: number } {
  const first = plansFor(mode)[0];
  return { classes: first.classes, nAvg: Math.min(...first.nAvg) };
}

function runSeed(classes: number, nAvg: readonly number[], seed: number, histograms?: { nAvg: number; out: SetSizeHistogram[] }): Sample[] {
  const base = 0xc0f + classes * 7919 + seed * 104729;
  const test = difficultySet(base, classes, TEST_PER_CLASS);
  const out: Sample[] = [];
  for (const n of nAvg) {
    const calib = difficultySet(base + n, classes, n, false);
    for (const method of METHODS) {
      const sets = calibrate(method, calib, seed).predict(test.probs).sets;
      const m = coverageMetrics(sets, test.labels, { alpha: ALPHA, classes });
      if (histograms && n === histograms.nAvg) {
        histograms.out.push({ method, score: SCORE, setting: `synthetic, |Y| = ${classes}, n_avg = ${n}, seed ${seed}`, counts: histogramOf(sets, classes) });
      }
      out.push({ classes, nAvg: n, method, covGap: m.covGap, avgSize: m.avgSize, fracUnderCov: m.fracUnderCov });
    }
  }
  return out;
}

export function verdictFor(rows: readonly ReproductionRow[], classes: number, nAvg: number): ClaimVerdict {
  const get = (method: ConformalMethodName) => rows.find((r) => r.classes === classes && r.nAvg === nAvg && r.method === method);
  const std = get('standard');
  const cw = get('classwise');
  const cl = get('clustered');
  if (std === undefined || cw === undefined || cl === undefined) return { classes, nAvg, holds: false, detail: 'missing method' };
  const lowerGap = cl.covGap.mean < std.covGap.mean && cl.covGap.mean < cw.covGap.mean;
  const sizeRatio = cl.avgSize.mean / std.avgSize.mean;
  const closeSize = sizeRatio <= SIZE_TOLERANCE;
  const f = (v: number) => v.toFixed(2);
  const detail =
    `CovGap clustered ${f(cl.covGap.mean)} vs standard ${f(std.covGap.mean)}, class-wise ${f(cw.covGap.mean)}` +
    `${lowerGap ? ' (lowest)' : ' (not lowest)'}; AvgSize clustered / standard = ${f(sizeRatio)}${closeSize ? '' : ` > ${SIZE_TOLERANCE}`}` +
    ` (class-wise ${f(cw.avgSize.mean / std.avgSize.mean)})`;
  return { classes, nAvg, holds: lowerGap && closeSize, detail };
}

/** Which half of the claim the numbers support: clustered against standard, and against class-wise. */
function partialFindings(rows: readonly ReproductionRow[], verdicts: readonly ClaimVerdict[]): string {
  const get = (v: ClaimVerdict, method: ConformalMethodName) => rows.find((r) => r.classes === v.classes && r.nAvg === v.nAvg && r.method === method);
  let beatsStandard = 0;
  let beatsClasswise = 0;
  let smallerThanClasswise = 0;
  for (const v of verdicts) {
    const std = get(v, 'standard');
    const cw = get(v, 'classwise');
    const cl = get(v, 'clustered');
    if (std === undefined || cw === undefined || cl === undefined) continue;
    if (cl.covGap.mean < std.covGap.mean && cl.avgSize.mean <= SIZE_TOLERANCE * std.avgSize.mean) beatsStandard++;
    if (cl.covGap.mean < cw.covGap.mean) beatsClasswise++;
    if (cl.avgSize.mean < cw.avgSize.mean) smallerThanClasswise++;
  }
  const n = verdicts.length;
  return (
    `Clustered has a lower CovGap than standard at close set sizes in ${beatsStandard} of ${n}, a lower CovGap than class-wise in ` +
    `${beatsClasswise} of ${n}, and smaller sets than class-wise in ${smallerThanClasswise} of ${n}.`
  );
}

/** Runs the plans; `onSeed` reports progress. Returns the illustration's `reproduction` part. */
export function runReproduction(mode: string, onSeed?: (label: string) => void): ConformalIllustration['reproduction'] {
  const started = performance.now();
  const samples: Sample[] = [];
  const seedsByClasses: { classes: number; seeds: number }[] = [];
  const histogramAt = histogramSetting(mode);
  const setSizes: SetSizeHistogram[] = [];
  for (const plan of plansFor(mode)) {
    let done = 0;
    const planStart = performance.now();
    for (;;) {
      if (typeof plan.seeds === 'number') {
        if (done >= plan.seeds) break;
      } else {
        if (done >= plan.seeds.max) break;
        const elapsed = performance.now() - started;
        const perSeed = done > 0 ? (performance.now() - planStart) / done : 0;
        if (done >= plan.seeds.min && elapsed + perSeed > plan.seeds.budgetMs) break;
      }
      onSeed?.(`|Y|=${plan.classes} seed ${done + 1}`);
      const wantHistograms = done === 0 && plan.classes === histogramAt.classes;
      samples.push(...runSeed(plan.classes, plan.nAvg, done, wantHistograms ? { nAvg: histogramAt.nAvg, out: setSizes } : undefined));
      done++;
    }
    seedsByClasses.push({ classes: plan.classes, seeds: done });
  }
  const rows: ReproductionRow[] = [];
  const verdicts: ClaimVerdict[] = [];
  for (const plan of plansFor(mode)) {
    const seeds = seedsByClasses.find((s) => s.classes === plan.classes)?.seeds ?? 0;
    for (const nAvg of plan.nAvg) {
      for (const method of METHODS) {
        const s = samples.filter((x) => x.classes === plan.classes && x.nAvg === nAvg && x.method === method);
        rows.push({
          classes: plan.classes,
          nAvg,
          method,
          seeds,
          covGap: meanStd(s.map((x) => x.covGap)),
          avgSize: meanStd(s.map((x) => x.avgSize)),
          fracUnderCov: meanStd(s.map((x) => x.fracUnderCov)),
        });
      }
      verdicts.push(verdictFor(rows, plan.classes, nAvg));
    }
  }
  const holding = verdicts.filter((v) => v.holds);
  const scarce = verdicts.filter((v) => v.nAvg <= 20);
  const summary =
    `The claim holds in ${holding.length} of ${verdicts.length} settings` +
    (holding.length > 0 ? ` (${holding.map((v) => `|Y|=${v.classes}, n_avg=${v.nAvg}`).join('; ')})` : '') +
    `; in the scarce settings (n_avg ≤ 20) it holds in ${scarce.filter((v) => v.holds).length} of ${scarce.length}. ` +
    partialFindings(rows, verdicts);
  return {
    alpha: ALPHA,
    score: SCORE,
    generator: GENERATOR_DESCRIPTION,
    testPerClass: TEST_PER_CLASS,
    seedsByClasses,
    rows,
    claim: CLAIM,
    sizeTolerance: SIZE_TOLERANCE,
    verdicts,
    summary,
    setSizes,
  };
}
