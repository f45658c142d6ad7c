import { fail } from '../../tensor/errors.js';
import { integerInRange, optionsObject } from '../../tensor/options.js';
import { checkAlpha } from './quantile.js';
import { parseLabels, type ClassLabels } from './scores.js';

export interface CoverageMetricsOptions {
  /** The α the sets were built for. Required. */
  alpha: number;
  /** Number of classes |Y|. Required. */
  classes: number;
}

export interface CoverageMetrics {
  /** Marginal coverage: mean of 1[y_i ∈ C(x_i)]. */
  coverage: number;
  /** CovGap = (100/|Y'|)·Σ_{y ∈ Y'} |ĉ_y − (1 − α)| (Ding et al. 2023), in percentage points. */
  covGap: number;
  /** AvgSize: mean |C(x_i)|. */
  avgSize: number;
  /** FracUnderCov: fraction of classes y ∈ Y' with ĉ_y < 1 − α − 0.1 (Ding et al. 2023). */
  fracUnderCov: number;
  /** ĉ_y: coverage among rows labelled y; NaN for a class with no rows. */
  perClass: Float64Array;
}

/** Fixed slack of FracUnderCov (Ding et al. 2023): a class is under-covered if ĉ_y < 1 − α − 0.1. */
export const UNDER_COVERAGE_SLACK = 0.1;

/**
 * Coverage metrics of prediction sets on labelled held-out data, with the definitions of Ding et al.,
 * "Class-conditional conformal prediction with many classes" (NeurIPS 2023):
 * - coverage = (1/n)·Σ_i 1[y_i ∈ C(x_i)];
 * - ĉ_y = coverage among the rows with label y;
 * - CovGap = 100·(1/|Y'|)·Σ_{y ∈ Y'} |ĉ_y − (1 − α)|;
 * - AvgSize = (1/n)·Σ_i |C(x_i)|;
 * - FracUnderCov = (1/|Y'|)·#{y ∈ Y' : ĉ_y < 1 − α − 0.1}.
 * Y' is the set of classes with at least one row: the paper's Y when every class occurs in the test data;
 * classes without rows get ĉ_y = NaN and are left out of both averages.
 *
 * - `sets`: one array of class indices per row (e.g. `predictor.predict(probs).sets`), or the object
 *   `predict` returns. Duplicate entries count once for membership but every entry counts for the size.
 * - O(Σ|C(x_i)| + |Y|). With no rows, coverage and AvgSize are NaN.
 */
export function coverageMetrics(sets: readonly (readonly number[])[] | { sets: readonly (readonly number[])[] }, labels: ClassLabels, opts: CoverageMetricsOptions): CoverageMetrics {
  const o = optionsObject(opts);
  const alpha = checkAlpha(o.alpha);
  const classes = integerInRange(o.classes, 'classes', 1, 2 ** 31 - 1);
  const list = Array.isArray(sets) ? sets : (sets as { sets?: unknown } | null)?.sets;
  if (!Array.isArray(list)) fail('E_INPUT', 'sets', 'an array of prediction sets (arrays of class indices)', sets);
  const n = list.length;
  const y = parseLabels(labels, n, classes, 'labels');
  const hits = new Float64Array(classes);
  const totals = new Float64Array(classes);
  let covered = 0;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const set = list[i] as unknown;
    if (!Array.isArray(set)) fail('E_INPUT', `sets[${i}]`, 'an array of class indices', set);
    size += set.length;
    const hit = set.includes(y[i]);
    totals[y[i]]++;
    if (hit) {
      covered++;
      hits[y[i]]++;
    }
  }
  const perClass = new Float64Array(classes);
  let gap = 0;
  let under = 0;
  let present = 0;
  const target = 1 - alpha;
  for (let k = 0; k < classes; k++) {
    if (totals[k] === 0) {
      perClass[k] = NaN;
      continue;
    }
    const ck = hits[k] / totals[k];
    perClass[k] = ck;
    present++;
    gap += Math.abs(ck - target);
    if (ck < target - UNDER_COVERAGE_SLACK) under++;
  }
  return {
    coverage: covered / n,
    covGap: (100 * gap) / present,
    avgSize: size / n,
    fracUnderCov: under / present,
    perClass,
  };
}
