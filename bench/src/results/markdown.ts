import { metricColumns, timedImplementations } from './columns.js';
import { formatMetric, formatNumber, formatTarget } from './format.js';
import type { SuiteResult } from './result-types.js';

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/**
 * One Markdown table per suite for the README: a row per case, ns/element of each implementation,
 * then the metrics that have targets, each with ✓/✗. Machine and mode are stated under the tables.
 */
export function markdownTable(results: readonly SuiteResult[]): string {
  const parts: string[] = [];
  for (const result of results) {
    const impls = timedImplementations(result);
    const metrics = metricColumns(result, true);
    const header = ['case', ...impls.map((i) => `${i} (ns/el)`), ...metrics.map((m) => `${m.label} (${formatTarget(m.target!, m.unit)})`)];
    const lines = [`### ${result.title}`, '', row(header), row(header.map((_, i) => (i === 0 ? '---' : '---:')))];
    for (const c of result.cases) {
      const cells = [c.label];
      for (const name of impls) {
        const t = c.timings.find((x) => x.name === name);
        cells.push(t === undefined ? '—' : formatNumber(t.nsPerElement));
      }
      for (const col of metrics) {
        const m = c.metrics.find((x) => x.id === col.id);
        cells.push(m === undefined ? '—' : formatMetric(m));
      }
      lines.push(row(cells));
    }
    parts.push(lines.join('\n'));
  }
  const first = results[0];
  if (first !== undefined) {
    const m = first.machine;
    parts.push(`Medians of interleaved runs (${first.mode} mode) on ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}/${m.arch}, ${m.date.slice(0, 10)}.`);
  }
  return parts.join('\n\n') + '\n';
}
