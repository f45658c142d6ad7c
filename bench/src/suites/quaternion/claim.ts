import type { QualityRow } from './illustration-types.js';

/** The check of "quality maintained" for one task: shared vs component-wise accuracy over seeds. */
export interface QualityClaim {
  task: string;
  /** mean(shared) − mean(component-wise) test/eval accuracy. */
  difference: number;
  /** Pooled standard deviation √((s_shared² + s_componentwise²)/2) of the per-seed accuracies. */
  pooledStd: number;
  /** 'within noise': |difference| ≤ 2·pooledStd; otherwise which variant is better beyond it. */
  verdict: 'within noise' | 'shared better' | 'shared worse';
}

/** Noise band of the check, in pooled standard deviations. */
export const NOISE_FACTOR = 2;

/**
 * For every task with both variants, the accuracy difference shared − component-wise and its verdict:
 * within seed noise when |Δ| ≤ 2·s_p with s_p = √((s_a² + s_b²)/2) (equal seed counts), else the sign
 * decides. Both variants at one identical accuracy (s_p = 0, Δ = 0) count as within noise. O(rows).
 */
export function qualityClaims(rows: readonly QualityRow[]): QualityClaim[] {
  const tasks = [...new Set(rows.map((r) => r.task))];
  const out: QualityClaim[] = [];
  for (const task of tasks) {
    const shared = rows.find((r) => r.task === task && r.variant === 'shared');
    const componentwise = rows.find((r) => r.task === task && r.variant === 'componentwise');
    if (!shared || !componentwise) continue;
    const difference = shared.evalAccuracy.mean - componentwise.evalAccuracy.mean;
    const pooledStd = Math.sqrt((shared.evalAccuracy.std ** 2 + componentwise.evalAccuracy.std ** 2) / 2);
    const verdict = Math.abs(difference) <= NOISE_FACTOR * pooledStd ? 'within noise' : difference > 0 ? 'shared better' : 'shared worse';
    out.push({ task, difference, pooledStd, verdict });
  }
  return out;
}

/** "quality maintained" holds when no task has the shared variant worse beyond seed noise. */
export function qualityMaintained(claims: readonly QualityClaim[]): boolean {
  return claims.length > 0 && claims.every((c) => c.verdict !== 'shared worse');
}
