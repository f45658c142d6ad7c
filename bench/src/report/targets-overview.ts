import { metricColumns } from '../results/columns.js';
import { formatMetricValue, formatTarget } from '../results/format.js';
import type { SuiteResult } from '../results/result-types.js';
import { htmlTable, num } from './html.js';
import type { Cell } from './html.js';

/**
 * One line per targeted metric of every suite: how many cases meet it and the worst value, so the
 * page opens with the answer before the details.
 */
export function targetsOverview(results: readonly SuiteResult[]): string {
  const rows: Cell[][] = [];
  for (const result of results) {
    for (const col of metricColumns(result, true)) {
      const checked = result.cases.flatMap((c) => c.metrics.filter((m) => m.id === col.id && m.pass !== undefined));
      if (checked.length === 0) continue;
      const passed = checked.filter((m) => m.pass === true).length;
      const values = checked.map((m) => m.value!);
      const worst = col.target!.op === '>=' ? Math.min(...values) : Math.max(...values);
      const ok = passed === checked.length;
      rows.push([
        result.title,
        col.label,
        formatTarget(col.target!, col.unit),
        num(formatMetricValue(worst, col.unit)),
        { text: `${passed}/${checked.length} ${ok ? '✓' : '✗'}`, className: ok ? 'pass' : 'fail' },
      ]);
    }
  }
  if (rows.length === 0) return '';
  return htmlTable(['suite', 'metric', 'target', 'worst case', 'cases meeting it'], rows);
}
