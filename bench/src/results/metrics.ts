import { speedup, timeRatio } from '../harness/compare.js';
import type { ImplTiming } from '../harness/compare.js';
import type { Metric, MetricTarget } from './result-types.js';

export function meetsTarget(value: number, target: MetricTarget): boolean {
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

/** Builds a metric, turning NaN into null and checking the target when there is a value. */
export function metric(id: string, label: string, value: number, unit: Metric['unit'], target?: MetricTarget): Metric {
  const finite = Number.isFinite(value) ? value : null;
  const m: Metric = { id, label, value: finite, unit };
  if (target !== undefined) {
    m.target = target;
    if (finite !== null) m.pass = meetsTarget(finite, target);
  }
  return m;
}

/** "subject is value× faster than reference" (ratio of median times). */
export function speedupMetric(timings: readonly ImplTiming[], subject: string, reference: string, label: string, target?: MetricTarget): Metric {
  return metric(`speedup:${subject}:${reference}`, label, speedup(timings, subject, reference), 'x', target);
}

/** "subject takes value× the time of reference". */
export function timeRatioMetric(timings: readonly ImplTiming[], subject: string, reference: string, label: string, target?: MetricTarget): Metric {
  return metric(`time-ratio:${subject}:${reference}`, label, timeRatio(timings, subject, reference), 'x', target);
}

export const atLeast = (value: number): MetricTarget => ({ op: '>=', value });
export const atMost = (value: number): MetricTarget => ({ op: '<=', value });
