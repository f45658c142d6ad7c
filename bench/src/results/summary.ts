import { metricColumns, timedImplementations } from './columns.js';
import { formatMetric, formatNumber } from './format.js';
import type { SuiteResult } from './result-types.js';

function pad(cells: readonly string[][]): string {
  const widths = cells[0].map((_, col) => Math.max(...cells.map((r) => [...r[col]].length)));
  return cells
    .map((r) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  ').trimEnd())
    .join('\n');
}

/**
 * A plain-text summary for the terminal: per suite, one column per case, one line per implementation
 * (median ns/element) and per metric (✓/✗ against its target). Cases as columns keep it narrow.
 */
export function summaryTable(results: readonly SuiteResult[]): string {
  const blocks: string[] = [];
  for (const result of results) {
    const header = ['ns/element (median)', ...result.cases.map((c) => c.label)];
    const rows: string[][] = [header];
    for (const name of timedImplementations(result)) {
      rows.push([name, ...result.cases.map((c) => {
        const t = c.timings.find((x) => x.name === name);
        return t === undefined ? '—' : formatNumber(t.nsPerElement);
      })]);
    }
    for (const col of metricColumns(result)) {
      rows.push([col.label, ...result.cases.map((c) => {
        const m = c.metrics.find((x) => x.id === col.id);
        return m === undefined ? '' : formatMetric(m);
      })]);
    }
    const failed = result.implementations.filter((i) => i.error !== undefined).map((i) => `  ${i.name} failed: ${i.error}`);
    const notes = result.notes.map((n) => `  note: ${n}`);
    blocks.push([`${result.title} [${result.suite}, ${result.mode}]`, pad(rows), ...failed, ...notes].join('\n'));
  }
  return blocks.join('\n\n') + '\n';
}
