import { metricColumns, timedImplementations } from '../results/columns.js';
import { formatBytes, formatMetricValue, formatNumber, formatRatio, formatTarget, passMark } from '../results/format.js';
import type { SuiteResult } from '../results/result-types.js';
import { escapeHtml, htmlTable, num } from './html.js';
import type { Cell } from './html.js';
import type { LineSeries } from './charts.js';

/** Reusable pieces of a report section; each takes a suite result and returns HTML. */

const OURS_PATTERN = /\(ours\)|fused/;

/** ns/element per implementation against a numeric case parameter (e.g. row length n). */
export function nsPerElementSeries(result: SuiteResult, param: string): LineSeries[] {
  return timedImplementations(result).map((name) => ({
    name,
    emphasis: OURS_PATTERN.test(name),
    points: result.cases.flatMap((c) => {
      const t = c.timings.find((x) => x.name === name);
      return t === undefined ? [] : [[c.params[param], t.nsPerElement] as const];
    }),
  }));
}

/** Ratio metrics (unit ×) against a numeric case parameter, one line per metric. */
export function ratioSeries(result: SuiteResult, param: string): LineSeries[] {
  return metricColumns(result)
    .filter((col) => col.unit === 'x')
    .map((col) => ({
      name: col.label,
      points: result.cases.flatMap((c) => {
        const m = c.metrics.find((x) => x.id === col.id);
        return m === undefined || m.value === null ? [] : [[c.params[param], m.value] as const];
      }),
    }));
}

/** Medians with quartiles, ns/element and time relative to the baseline, one row per case × implementation. */
export function timingTable(result: SuiteResult): string {
  const rows: Cell[][] = [];
  for (const c of result.cases) {
    for (const t of c.timings) {
      rows.push([
        c.label,
        t.name,
        num(formatNumber(t.medianMs)),
        num(`${formatNumber(t.p25Ms)} – ${formatNumber(t.p75Ms)}`),
        num(formatNumber(t.nsPerElement)),
        num(formatRatio(t.timeVsBaseline)),
        num(String(t.samples)),
      ]);
    }
  }
  const baseline = result.cases[0]?.baseline ?? '';
  return htmlTable(['case', 'implementation', 'median ms', 'p25 – p75 ms', 'ns/element', `time vs ${baseline}`, 'samples'], rows, 'Timings (per call)');
}

/** Every metric of every case, with its target and ✓/✗. */
export function metricTable(result: SuiteResult): string {
  const columns = metricColumns(result);
  if (columns.length === 0) return '';
  const header: Cell[] = ['case', ...columns.map((m) => (m.target === undefined ? m.label : `${m.label} (${formatTarget(m.target, m.unit)})`))];
  const rows = result.cases.map((c): Cell[] => [
    c.label,
    ...columns.map((col): Cell => {
      const m = c.metrics.find((x) => x.id === col.id);
      if (m === undefined) return num('');
      const mark = passMark(m);
      const text = `${formatMetricValue(m.value, m.unit)}${mark === '' ? '' : ` ${mark}`}`;
      return { text, className: m.pass === undefined ? 'num' : m.pass ? 'pass' : 'fail' };
    }),
  ]);
  return htmlTable(header, rows, 'Ratios and targets (speed-ups are ratios of median times)');
}

export function validationTable(result: SuiteResult): string {
  const rows = result.cases.flatMap((c) =>
    c.validation.map((v): Cell[] => [
      c.label,
      v.name,
      v.against,
      num(Number.isFinite(v.maxAbsDiff) ? v.maxAbsDiff.toExponential(2) : 'mismatch'),
      num(v.tolerance.toExponential(0)),
      { text: v.ok ? '✓' : '✗', className: v.ok ? 'pass' : 'fail' },
    ]),
  );
  if (rows.length === 0) return '';
  return htmlTable(['case', 'output of', 'checked against', 'max |Δ|', 'tolerance', 'ok'], rows, 'Validation (once per case, outside timing)');
}

export function memoryTable(result: SuiteResult): string {
  const rows = result.cases.flatMap((c) =>
    (c.memory ?? []).map((m): Cell[] => [
      c.label,
      m.name,
      num(`${formatBytes(m.peakExtraBytes)}${m.theoretical ? ' (computed, not run)' : ''}`),
      num(formatBytes(m.externalDeltaBytes)),
      num(formatBytes(m.arrayBuffersDeltaBytes)),
      num(formatBytes(m.wasmMemoryDeltaBytes)),
      num(formatBytes(m.rssDeltaBytes)),
    ]),
  );
  if (rows.length === 0) return '';
  return htmlTable(['case', 'implementation', 'peak extra', 'Δ external', 'Δ arrayBuffers', 'Δ WebAssembly memory', 'Δ rss'], rows, 'Extra memory of one call');
}

export function implementationList(result: SuiteResult): string {
  const items = result.implementations.map((i) => {
    const version = i.package === undefined ? '' : ` — ${i.package}${i.version === undefined ? '' : `@${i.version}`}`;
    const details = i.details === undefined ? '' : ` (${i.details})`;
    const error = i.error === undefined ? '' : ` <span class="error">failed: ${escapeHtml(i.error)}</span>`;
    return `<li><strong>${escapeHtml(i.name)}</strong>${escapeHtml(version + details)}${error}</li>`;
  });
  return `<ul class="impls">${items.join('')}</ul>`;
}

export function notesList(result: SuiteResult): string {
  if (result.notes.length === 0) return '';
  return `<ul class="notes">${result.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
}

export function chartBlock(svg: string): string {
  return `<div class="chart">${svg}</div>`;
}

/** The tables every section ends with. */
export function standardTables(result: SuiteResult): string {
  return [metricTable(result), timingTable(result), validationTable(result), memoryTable(result), implementationList(result), notesList(result)]
    .filter((s) => s !== '')
    .join('\n');
}
