import type { Metric, MetricTarget } from './result-types.js';

/** Three significant digits, without exponent notation for the magnitudes benchmarks produce. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs >= 0.01) return value.toFixed(3);
  return value.toPrecision(2);
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${formatNumber(value)}×` : '—';
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${formatNumber(value)} ${BYTE_UNITS[unit]}`;
}

export function formatMetricValue(value: number | null, unit: Metric['unit']): string {
  if (value === null) return '—';
  if (unit === 'bytes') return formatBytes(value);
  if (unit === 'GFLOP/s') return `${formatNumber(value)} GFLOP/s`;
  if (unit === 'number') return formatNumber(value);
  return formatRatio(value);
}

/** "≥ 1.5×", "≤ 1 MB". Byte targets are decimal (1 MB = 10⁶ bytes), as they are stated. */
export function formatTarget(target: MetricTarget, unit: Metric['unit']): string {
  const op = target.op === '>=' ? '≥' : '≤';
  if (unit === 'bytes') return `${op} ${target.value >= 1e6 ? `${target.value / 1e6} MB` : `${target.value / 1e3} kB`}`;
  if (unit === 'GFLOP/s') return `${op} ${target.value} GFLOP/s`;
  if (unit === 'number') return `${op} ${target.value}`;
  return `${op} ${target.value}×`;
}

export function passMark(m: Metric): string {
  return m.pass === undefined ? '' : m.pass ? '✓' : '✗';
}

/** The metric with its pass mark, e.g. "3.21× ✓". */
export function formatMetric(m: Metric): string {
  const mark = passMark(m);
  return mark === '' ? formatMetricValue(m.value, m.unit) : `${formatMetricValue(m.value, m.unit)} ${mark}`;
}
