import type { Metric, SuiteResult } from './result-types.js';

/** Implementations that have timings in at least one case, in the suite's display order. */
export function timedImplementations(result: SuiteResult): string[] {
  const timed = new Set(result.cases.flatMap((c) => c.timings.map((t) => t.name)));
  return result.implementations.map((i) => i.name).filter((name) => timed.has(name));
}

/** Metrics by id in first-seen order; `withTargetOnly` keeps those that have a target in some case. */
export function metricColumns(result: SuiteResult, withTargetOnly = false): { id: string; label: string; unit: Metric['unit']; target?: Metric['target'] }[] {
  const columns = new Map<string, { id: string; label: string; unit: Metric['unit']; target?: Metric['target'] }>();
  for (const c of result.cases) {
    for (const m of c.metrics) {
      const existing = columns.get(m.id);
      if (existing === undefined) columns.set(m.id, { id: m.id, label: m.label, unit: m.unit, target: m.target });
      else if (existing.target === undefined && m.target !== undefined) existing.target = m.target;
    }
  }
  return [...columns.values()].filter((c) => !withTargetOnly || c.target !== undefined);
}
