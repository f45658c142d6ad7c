import { chartBlock, implementationList, metricTable, notesList, timingTable, validationTable } from '../blocks.js';
import { powerOfTwoTickAxis, renderChart } from '../charts.js';
import { escapeHtml, htmlTable, num } from '../html.js';
import type { Cell } from '../html.js';
import { timedImplementations } from '../../results/columns.js';
import { formatNumber } from '../../results/format.js';
import type { SuiteResult } from '../../results/result-types.js';
import type { NormalizersIllustration } from '../../suites/normalizers/illustration-types.js';
import type { ReportSection } from '../section.js';
import { leadParagraph } from './text.js';

/**
 * Colours by mapping, the same in every chart of the section (ECharts' default palette has 9 colours,
 * too few for 13 lines). Mappings not listed take the spare colours in order.
 */
const MAPPING_COLORS: Readonly<Record<string, string>> = {
  softmax: '#1f4e9c',
  sparsemax: '#d62728',
  'entmax α=1.5': '#2ca02c',
  'entmax α=1.3': '#98c94a',
  'sparseSoftmax k=32': '#ff7f0e',
  'sparseSoftmax k=3': '#ff7f0e',
  softpick: '#9467bd',
  clippedSoftmax: '#8c564b',
  scalableSoftmax: '#e377c2',
  stableMax: '#17becf',
  selfAdjustSoftmax: '#bcbd22',
  'selfAdjustSoftmax (normalized)': '#8a8b12',
  gumbelSoftmax: '#393b79',
  adaptiveTemperatureSoftmax: '#ad494a',
  'sort-based sparsemax (plain JS)': '#7f7f7f',
};
const SPARE_COLORS = ['#6b6ecf', '#637939', '#e7969c', '#3182bd', '#31a354'];

function colorOf(name: string, index: number): string {
  return MAPPING_COLORS[name] ?? SPARE_COLORS[index % SPARE_COLORS.length];
}

const TITLE = { left: 'center', top: 4, textStyle: { fontSize: 14 } };
const BASELINE = 'softmax';

/** A logit as written in the example row ("−0.8", "−∞"). */
function formatLogit(v: number | null): string {
  return v === null ? '−∞' : String(v).replace('-', '−');
}
const PLAIN_JS = 'sort-based sparsemax (plain JS)';

/** ns/element against row length: log2 x over exponents (a tick per power of two), log y, legend at the right. */
function nsPerElementChart(result: SuiteResult): string {
  const names = timedImplementations(result);
  const exponents = result.cases.map((c) => Math.log2(c.params.n));
  const width = 1000;
  const legendWidth = 260;
  return renderChart(
    {
      title: { ...TITLE, text: 'Median ns per element against row length (lower is better)' },
      legend: { orient: 'vertical', left: width - legendWidth + 20, top: 50, itemGap: 9, textStyle: { fontSize: 12 } },
      grid: { left: 70, right: legendWidth, top: 50, bottom: 55 },
      xAxis: powerOfTwoTickAxis('row length n (log scale)', exponents),
      yAxis: { type: 'log', name: 'ns / element (log scale)', nameLocation: 'middle', nameGap: 45 },
      series: names.map((name, i) => ({
        name,
        type: 'line',
        color: colorOf(name, i),
        symbolSize: 6,
        lineStyle: { width: name === BASELINE ? 3.5 : 1.5, type: name === PLAIN_JS ? 'dashed' : 'solid' },
        data: result.cases.flatMap((c) => {
          const t = c.timings.find((x) => x.name === name);
          return t === undefined ? [] : [[Math.log2(c.params.n), t.nsPerElement]];
        }),
      })),
    },
    { width, height: 460 },
  );
}

/** Viridis stops: a ramp that stays distinguishable in order (no grey middle) and in greyscale. */
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const rgb = (hex: string) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  const a = rgb(VIRIDIS[i]);
  const b = rgb(VIRIDIS[i + 1]);
  return `rgb(${a.map((v, k) => Math.round(v + (b[k] - v) * f)).join(',')})`;
}

/**
 * Each mapping's output on the example row, side by side: one group of bars per mapping, one bar per
 * entry (shaded from the largest logit, dark, to the smallest, light), so a sparse mapping's group
 * visibly loses its right-hand bars. The masked entry is 0 under every mapping and left out.
 */
function exampleOutputChart(ill: NormalizersIllustration): string {
  const entries = ill.exampleLogits.flatMap((v, i) => (v === null ? [] : [{ v, i }]));
  return renderChart(
    {
      title: { ...TITLE, text: 'Output of each mapping on the example row (bars: logits from largest to smallest; the masked entry, 0 everywhere, left out)' },
      legend: { top: 32, left: 'center', itemGap: 16, itemWidth: 16, textStyle: { fontSize: 11 }, data: entries.map(({ v }) => `x = ${formatLogit(v)}`) },
      grid: { left: 60, right: 20, top: 80, bottom: 115 },
      xAxis: {
        type: 'category',
        data: ill.mappings.map((m) => m.name),
        axisLabel: { interval: 0, rotate: 25, fontSize: 11 },
      },
      // Tight below zero: only selfAdjustSoftmax (x ⊙ softmax(x)) goes slightly negative.
      yAxis: { type: 'value', name: 'y', nameLocation: 'middle', nameGap: 40, min: (r: { min: number }) => (r.min < 0 ? Math.floor(r.min * 20) / 20 : 0) },
      series: entries.map(({ v, i }, e) => ({
        name: `x = ${formatLogit(v)}`,
        type: 'bar',
        color: viridis(entries.length <= 1 ? 0 : e / (entries.length - 1)),
        barGap: '10%',
        data: ill.mappings.map((m) => m.output[i] ?? null),
      })),
    },
    { width: 1060, height: 520 },
  );
}

/** Entropy and sparsity of the example row's output against the temperature τ, side by side. */
function sweepChart(ill: NormalizersIllustration): string {
  const { temperatures, series } = ill.sweep;
  const maxEntropy = Math.log(ill.exampleLogits.filter((v) => v !== null).length);
  const logAxis = (gridIndex: number) => ({
    type: 'log',
    logBase: 2,
    gridIndex,
    min: Math.min(...temperatures),
    max: Math.max(...temperatures),
    name: 'temperature τ (log scale)',
    nameLocation: 'middle',
    nameGap: 30,
    axisLabel: { formatter: (v: number) => String(v) },
  });
  const line = (s: (typeof series)[number], i: number, values: readonly number[], axis: number) => ({
    name: s.name,
    type: 'line',
    xAxisIndex: axis,
    yAxisIndex: axis,
    color: colorOf(s.name, i),
    symbolSize: 7,
    lineStyle: { width: s.name === BASELINE ? 3 : 2 },
    data: temperatures.map((t, k) => [t, Number.isFinite(values[k]) ? values[k] : null]),
  });
  return renderChart(
    {
      title: [
        { ...TITLE, left: '25%', textAlign: 'center', text: 'Entropy of the output (nats) against τ' },
        { ...TITLE, left: '75%', textAlign: 'center', text: 'Sparsity (fraction of exact zeros) against τ' },
      ],
      legend: { top: 34, left: 'center', itemGap: 30, textStyle: { fontSize: 12 }, data: series.map((s) => s.name) },
      grid: [
        { left: 65, right: '54%', top: 80, bottom: 55 },
        { left: '56%', right: 25, top: 80, bottom: 55 },
      ],
      xAxis: [logAxis(0), logAxis(1)],
      yAxis: [
        { type: 'value', gridIndex: 0, min: 0, max: Math.ceil(maxEntropy * 2) / 2, name: 'entropy (nats)', nameLocation: 'middle', nameGap: 40 },
        { type: 'value', gridIndex: 1, min: 0, max: 1, name: 'sparsity', nameLocation: 'middle', nameGap: 40, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      ],
      series: [
        ...series.map((s, i) => ({
          ...line(s, i, s.entropy, 0),
          // The uniform distribution over the unmasked entries: the ceiling every curve approaches as τ grows.
          markLine:
            i === 0
              ? { silent: true, symbol: 'none', lineStyle: { type: 'dotted', color: '#59636e' }, label: { formatter: `ln ${Math.round(Math.exp(maxEntropy))} (uniform)`, position: 'insideStartTop' }, data: [{ yAxis: maxEntropy }] }
              : undefined,
        })),
        ...series.map((s, i) => line(s, i, s.sparsity, 1)),
      ],
    },
    { width: 1060, height: 400 },
  );
}

const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;
const nats = (v: number | null, normalised: boolean): string => (v === null ? '— (negative outputs)' : `${v.toFixed(3)}${normalised ? ' *' : ''}`);

/** Sparsity and entropy per mapping, on the example row and on average over the random rows. */
function statsTable(ill: NormalizersIllustration): string {
  const rows = ill.mappings.map((m): Cell[] => {
    const undefinedRows = m.random.rowsWithoutEntropy;
    const randomEntropy =
      m.random.meanEntropy === null
        ? '— (negative outputs)'
        : `${nats(m.random.meanEntropy, !m.sumsToOne)}${undefinedRows > 0 ? ` (${undefinedRows} all-zero rows left out)` : ''}`;
    return [
      m.name,
      m.sumsToOne ? 'yes' : 'no',
      num(formatNumber(m.outputSum)),
      num(percent(m.sparsity)),
      num(nats(m.entropy, !m.sumsToOne)),
      num(formatNumber(m.random.meanSum)),
      num(percent(m.random.meanSparsity)),
      num(randomEntropy),
    ];
  });
  const { rows: count, n, distribution } = ill.randomRows;
  return htmlTable(
    ['mapping', 'rows sum to 1', 'example: Σy', 'example: sparsity', 'example: entropy (nats)', `random: mean Σy`, 'random: mean sparsity', 'random: mean entropy (nats)'],
    rows,
    `Sparsity and entropy on the example row and on ${count.toLocaleString('en-US')} random rows of length ${n} (${distribution}). * entropy of the row-normalised output y / Σy (the mapping's rows do not sum to one).`,
  );
}

/** The outputs behind the bar chart, exact zeros shown as 0. */
function outputTable(ill: NormalizersIllustration): string {
  const fmt = (v: number): string => (v === 0 ? '0' : Math.abs(v) < 0.0005 ? v.toExponential(1) : v.toFixed(3));
  const rows = ill.mappings.map((m): Cell[] => [m.name, ...m.output.map((v) => num(fmt(v)))]);
  return htmlTable(['mapping \\ logit', ...ill.exampleLogits.map(formatLogit)], rows, 'Outputs on the example row');
}

function sinkhornTable(ill: NormalizersIllustration): string {
  const s = ill.sinkhorn;
  if (s === undefined || s.output.length === 0) return '';
  const side = s.output.length;
  const fmt = (v: number): string => v.toFixed(3);
  const rows: Cell[][] = s.output.map((row, r) => [`row ${r + 1}`, ...row.map((v, c) => num(`${fmt(v)} (x = ${formatLogit(s.input[r][c])})`)), num(fmt(row.reduce((a, b) => a + b, 0)))]);
  rows.push(['column Σ', ...Array.from({ length: side }, (_, c) => num(fmt(s.output.reduce((a, row) => a + row[c], 0)))), num('')]);
  return htmlTable(
    ['', ...Array.from({ length: side }, (_, c) => `column ${c + 1}`), 'row Σ'],
    rows,
    `sinkhorn on a ${side} × ${side} matrix (${s.iterations} iterations): output (input logit); rows and columns sum to one. Square matrices only, so not in the row-length benchmark.`,
  );
}

function isNormalizersIllustration(value: SuiteResult['illustration']): value is NormalizersIllustration {
  return value !== undefined && value.kind === 'normalizers' && Array.isArray(value.mappings);
}

function illustrationBlocks(ill: NormalizersIllustration): string[] {
  const notes = `<ul class="notes">${ill.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
  const logits = ill.exampleLogits.map(formatLogit).join(', ');
  return [
    '<h3>What the mappings do</h3>',
    leadParagraph(`Untimed. The example row of ${ill.exampleLogits.length} logits: [${logits}].`),
    ill.mappings.length > 0 ? chartBlock(exampleOutputChart(ill)) : '',
    outputTable(ill),
    ill.sweep.series.length > 0 ? chartBlock(sweepChart(ill)) : '',
    statsTable(ill),
    sinkhornTable(ill),
    notes,
  ];
}

export const normalizersSection: ReportSection = {
  id: 'normalizers',
  title: 'normalizers: sparsemax, entmax and the softmax variants',
  suite: 'normalizers',
  render(result) {
    const perCall = result.cases[0]?.elements ?? 0;
    const ill = isNormalizersIllustration(result.illustration) ? result.illustration : undefined;
    return [
      leadParagraph(
        `Forward pass of each mapping over float32 rows, about ${perCall.toLocaleString('en-US')} elements per call (rows × n), output ` +
          'allocated by the call, all interleaved in one process on one thread. No JavaScript package offers these mappings, so the ' +
          'baseline is our own softmax and the only outside reference a straightforward sort-based sparsemax in plain JavaScript ' +
          'written for this benchmark. Targets (time over softmax) are checked at n = 4096.',
      ),
      result.cases.length > 0 ? chartBlock(nsPerElementChart(result)) : '',
      metricTable(result),
      timingTable(result),
      ...(ill === undefined ? [] : illustrationBlocks(ill)),
      validationTable(result),
      implementationList(result),
      notesList(result),
    ]
      .filter((s) => s !== '')
      .join('\n');
  },
};
