import { chartBlock, standardTables } from '../blocks.js';
import { heatmapChart, powerOfTwoTickAxis, renderChart } from '../charts.js';
import type { LineSeries } from '../charts.js';
import { escapeHtml, htmlTable, num } from '../html.js';
import type { Cell } from '../html.js';
import { targetsOverview } from '../targets-overview.js';
import { timedImplementations } from '../../results/columns.js';
import { formatBytes, formatNumber, formatRatio } from '../../results/format.js';
import type { CaseResult, SuiteResult } from '../../results/result-types.js';
import type { AttentionIllustration } from '../../suites/attention/illustration-types.js';
import type { ReportSection } from '../section.js';
import { leadParagraph } from './text.js';

const MIB = 2 ** 20;
const OURS_PATTERN = /\(ours\)/;

/** One colour per implementation in every chart of the section; others take the spare colours in order. */
const COLORS: Readonly<Record<string, string>> = {
  'attention (ours)': '#1f4e9c',
  'attention zero-copy (ours)': '#6baed6',
  'attendDecode (ours)': '#08306b',
  'onnxruntime-node MatMul–Softmax–MatMul': '#d62728',
  'onnxruntime-node MultiHeadAttention (contrib)': '#ff7f0e',
  'onnxruntime-node Attention (opset 23)': '#e377c2',
  'tfjs-wasm': '#2ca02c',
  '@ruvector/attention MultiHeadAttention': '#9467bd',
  '@ruvector/attention DotProductAttention ×heads': '#8c564b',
};
const SPARE_COLORS = ['#7f7f7f', '#bcbd22', '#17becf'];

interface LogLogSpec {
  title: string;
  xName: string;
  yName: string;
  series: readonly LineSeries[];
}

/**
 * Lines on log–log axes (x: powers of two, one tick each), the legend in a column at the right: the
 * implementation names are long, and a legend above the plot overlaps in server-side rendering.
 */
function logLogChart(spec: LogLogSpec): string {
  const exponents = spec.series.flatMap((s) => s.points.map((p) => Math.log2(p[0])));
  const width = 1060;
  const legendWidth = 380;
  let spare = 0;
  return renderChart(
    {
      title: { text: spec.title, left: 'center', top: 4, textStyle: { fontSize: 14 } },
      legend: { orient: 'vertical', left: width - legendWidth + 16, top: 50, itemGap: 10, textStyle: { fontSize: 11 } },
      grid: { left: 70, right: legendWidth, top: 50, bottom: 55 },
      xAxis: powerOfTwoTickAxis(spec.xName, exponents),
      yAxis: { type: 'log', name: spec.yName, nameLocation: 'middle', nameGap: 50 },
      series: spec.series.map((s) => ({
        name: s.name,
        type: 'line',
        color: COLORS[s.name] ?? SPARE_COLORS[spare++ % SPARE_COLORS.length],
        symbolSize: 6,
        lineStyle: { width: s.emphasis === true ? 3.5 : 1.5, type: s.name.includes('(computed)') ? 'dashed' : 'solid' },
        data: s.points.map((p) => [Math.log2(p[0]), p[1]]),
      })),
    },
    { width, height: 400 },
  );
}

const forwardCases = (r: SuiteResult, causal: boolean) => r.cases.filter((c) => c.params.decode === 0 && c.params.causal === (causal ? 1 : 0));
const decodeCases = (r: SuiteResult) => r.cases.filter((c) => c.params.decode === 1);

function gflops(c: CaseResult, medianMs: number): number {
  return c.params.flops / (medianMs * 1e6);
}

/** One line per implementation: f(case, timing) against the case's L. */
function seriesOver(result: SuiteResult, cases: readonly CaseResult[], value: (c: CaseResult, ms: number) => number): LineSeries[] {
  return timedImplementations(result)
    .map((name) => ({
      name,
      emphasis: OURS_PATTERN.test(name),
      points: cases.flatMap((c) => {
        const t = c.timings.find((x) => x.name === name);
        return t === undefined ? [] : [[c.params.L, value(c, t.medianMs)] as const];
      }),
    }))
    .filter((s) => s.points.length > 0);
}

/** Peak extra memory against L, one line per implementation measured, plus one score matrix for scale. */
function memorySeries(result: SuiteResult): LineSeries[] {
  const cases = forwardCases(result, false).filter((c) => (c.memory ?? []).length > 0);
  const names = [...new Set(cases.flatMap((c) => (c.memory ?? []).map((m) => m.name)))];
  const measured = names.map((name) => ({
    name,
    emphasis: OURS_PATTERN.test(name),
    points: cases.flatMap((c) => {
      const m = c.memory!.find((x) => x.name === name);
      return m === undefined || m.peakExtraBytes <= 0 ? [] : [[c.params.L, m.peakExtraBytes / MIB] as const];
    }),
  }));
  const scores = {
    name: 'score matrix B·H·L² float32 (computed)',
    points: cases.map((c) => [c.params.L, (c.elements * 4) / MIB] as const),
  };
  return [...measured.filter((s) => s.points.length > 0), scores];
}

/** Median ms, GFLOP/s and time relative to ours, one row per case × implementation. */
function speedTable(result: SuiteResult): string {
  const rows: Cell[][] = [];
  for (const c of result.cases) {
    for (const t of c.timings) {
      rows.push([c.label, t.name, num(formatNumber(t.medianMs)), num(`${formatNumber(t.p25Ms)} – ${formatNumber(t.p75Ms)}`), num(formatNumber(gflops(c, t.medianMs))), num(formatRatio(t.timeVsBaseline)), num(String(t.samples))]);
    }
  }
  return htmlTable(['case', 'implementation', 'median ms', 'p25 – p75 ms', 'GFLOP/s', 'time vs ours', 'samples'], rows, 'Speed (per call; GFLOP/s = 4·B·H·Lq·Lk·d / time, causal counts the kept pairs)');
}

function memoryNumbers(result: SuiteResult): string {
  const cases = forwardCases(result, false).filter((c) => (c.memory ?? []).length > 0);
  const names = [...new Set(cases.flatMap((c) => (c.memory ?? []).map((m) => m.name)))];
  if (names.length === 0) return '';
  const rows = names.map((name): Cell[] => [
    name,
    ...cases.map((c) => {
      const m = c.memory!.find((x) => x.name === name);
      return num(m === undefined ? '—' : formatBytes(m.peakExtraBytes));
    }),
  ]);
  rows.push(['one score matrix (computed)', ...cases.map((c) => num(formatBytes(c.elements * 4)))]);
  return htmlTable(['peak extra memory of one call', ...cases.map((c) => `L = ${c.params.L}`)], rows, 'Memory against L (non-causal forward)');
}

/**
 * The highest throughput any implementation reached (a lower bound of one core's attainable peak) and
 * ours at its best against it, so the distance to the machine's peak is stated, not only drawn.
 */
function peakLine(result: SuiteResult): string {
  let best: { name: string; label: string; g: number } | undefined;
  let ours: { label: string; g: number } | undefined;
  for (const c of result.cases) {
    for (const t of c.timings) {
      const g = gflops(c, t.medianMs);
      if (best === undefined || g > best.g) best = { name: t.name, label: c.label, g };
      if (OURS_PATTERN.test(t.name) && (ours === undefined || g > ours.g)) ours = { label: c.label, g };
    }
  }
  if (best === undefined || ours === undefined) return '';
  return leadParagraph(
    `Highest throughput measured: ${formatNumber(best.g)} GFLOP/s (${best.name}, ${best.label}), a lower bound of what one core of this machine sustains; ` +
      `ours at best ${formatNumber(ours.g)} GFLOP/s (${ours.label}), ${formatNumber((100 * ours.g) / best.g)}% of it.`,
  );
}

/** Targeted metrics that could not be checked in some cases (a peer or ours not timed there), named. */
function uncheckedTargets(result: SuiteResult): string {
  const missing = new Map<string, string[]>();
  for (const c of result.cases) {
    for (const m of c.metrics) {
      if (m.target === undefined || m.value !== null) continue;
      missing.set(m.label, [...(missing.get(m.label) ?? []), c.label]);
    }
  }
  if (missing.size === 0) return '';
  const items = [...missing].map(([label, cases]) => `<li>${escapeHtml(label)}: not checked at ${escapeHtml(cases.join('; '))} (not timed there, see the notes)</li>`);
  return `<ul class="notes">${items.join('')}</ul>`;
}

function isIllustration(value: SuiteResult['illustration']): value is AttentionIllustration {
  return value !== undefined && value.kind === 'attention' && Array.isArray(value.maps);
}

/** The weight maps as a grid of heatmaps, each with its call and a caption. */
function heatmaps(ill: AttentionIllustration): string {
  const labels = ill.tokens.map((t, i) => `${t} ${i}`);
  const figures = ill.maps.map((m) => {
    const values = m.weights.map((row, i) => row.map((w, j) => (ill.causal && j > i ? null : w)));
    const svg = heatmapChart({ title: m.name, rows: labels, columns: labels, values, xName: 'key', yName: 'query' });
    const stats = `${(m.zeroFraction * 100).toFixed(0)}% of kept weights exactly 0; row sums ${formatNumber(m.rowSum[0])} – ${formatNumber(m.rowSum[1])}.`;
    return `<figure class="heatmap">${svg}<figcaption><code>${escapeHtml(m.call)}</code><br>${escapeHtml(m.caption)} ${escapeHtml(stats)}</figcaption></figure>`;
  });
  return `<h3>Attention weights on one example</h3>${ill.notes.map((n) => leadParagraph(n)).join('')}<div class="heatmaps">${figures.join('')}</div>`;
}

export const attentionSection: ReportSection = {
  id: 'attention',
  title: 'attention: speed and memory against length, and what the weights look like',
  suite: 'attention',
  render(result) {
    const first = result.cases[0];
    const parts: string[] = [
      leadParagraph(
        'Multi-head attention, float32, batch 1, 8 heads, head dimension 64. Every implementation runs on one thread, interleaved in one process; ' +
          'outputs are checked against ours (and ours against float64) before timing. GFLOP/s beside the times show the distance to the machine\u2019s peak. ' +
          'A peer whose single call would exceed this mode\u2019s limit is not run at that length (see the notes).',
      ),
    ];
    parts.push(peakLine(result));
    const overview = targetsOverview([result]);
    if (overview !== '') parts.push('<h3>Targets</h3>', overview, uncheckedTargets(result));
    if (first !== undefined) {
      for (const causal of [false, true]) {
        const cases = forwardCases(result, causal);
        if (cases.length === 0) continue;
        parts.push(chartBlock(logLogChart({ title: `Forward${causal ? ', causal' : ''}: median ms per call (lower is better)`, xName: 'sequence length L', yName: 'ms (log scale)', series: seriesOver(result, cases, (_, ms) => ms) })));
      }
      const forward = forwardCases(result, false);
      if (forward.length > 0) {
        parts.push(chartBlock(logLogChart({ title: 'Forward: GFLOP/s (higher is better)', xName: 'sequence length L', yName: 'GFLOP/s (log scale)', series: seriesOver(result, forward, gflops) })));
      }
      const decode = decodeCases(result);
      if (decode.length > 0) {
        parts.push(chartBlock(logLogChart({ title: 'Decode (one query per head): median ms per call (lower is better)', xName: 'cache length', yName: 'ms (log scale)', series: seriesOver(result, decode, (_, ms) => ms) })));
      }
      const memory = memorySeries(result);
      if (memory.length > 1) {
        parts.push(chartBlock(logLogChart({ title: 'Peak extra memory of one forward call (lower is better)', xName: 'sequence length L', yName: 'MiB (log scale)', series: memory })));
        parts.push(memoryNumbers(result));
      }
      parts.push(speedTable(result));
    }
    if (isIllustration(result.illustration)) parts.push(heatmaps(result.illustration));
    parts.push(standardTables(result));
    return parts.filter((p) => p !== '').join('\n');
  },
};
