import { implementationList, notesList, validationTable } from '../blocks.js';
import { renderChart } from '../charts.js';
import { escapeHtml, htmlTable, num } from '../html.js';
import type { Cell } from '../html.js';
import type { SuiteResult } from '../../results/result-types.js';
import type { ConformalIllustration, ConformalMethodName, FashionMnistResult, MeanStd, ReproductionRow, SetSizeHistogram } from '../../suites/conformal/illustration-types.js';
import type { ReportSection } from '../section.js';
import { leadParagraph } from './text.js';

const METHOD_COLORS: Readonly<Record<ConformalMethodName, string>> = { standard: '#7f7f7f', classwise: '#ff7f0e', clustered: '#1f4e9c' };
const METHOD_ORDER: readonly ConformalMethodName[] = ['standard', 'classwise', 'clustered'];
const TITLE = { left: 'center', top: 4, textStyle: { fontSize: 14 } };

function isConformalIllustration(value: SuiteResult['illustration']): value is ConformalIllustration {
  return value !== undefined && value.kind === 'conformal' && Array.isArray(value.timing);
}

const seconds = (v: number): string => `${v.toFixed(v < 0.1 ? 3 : 2)} s`;
const mark = (value: number, target: number | undefined): string => (target === undefined ? '' : value <= target ? ' ✓' : ' ✗');
const pm = (v: MeanStd, digits: number): string => `${v.mean.toFixed(digits)} ± ${v.std.toFixed(digits)}`;

function timingTable(ill: ConformalIllustration): string {
  const rows = ill.timing.map((r): Cell[] => [
    `clustered ${r.score.toUpperCase()}`,
    num(`${r.classes} × ${r.perClass}`),
    num(`${seconds(r.calibrateS)}${mark(r.calibrateS, r.calibrateTargetS)}`),
    num(r.testRows.toLocaleString('en-US')),
    num(seconds(r.predictS)),
    num(`${seconds(r.predictPer100kS)}${mark(r.predictPer100kS, r.predictPer100kTargetS)}`),
    num(r.meanSetSize.toFixed(2)),
    num(`${(r.coverage * 100).toFixed(1)}%`),
  ]);
  const targeted = ill.timing.some((r) => r.calibrateTargetS !== undefined);
  const first = ill.timing[0];
  const target = targeted && first !== undefined ? `calibration ≤ ${first.calibrateTargetS} s, prediction ≤ ${first.predictPer100kTargetS} s per 100,000 rows` : 'not applicable at these (quick-mode) sizes';
  return htmlTable(
    ['score', 'calibration classes × points', 'calibration time', 'test rows', 'prediction time', 'prediction per 100k rows', 'mean set size', 'marginal coverage'],
    rows,
    `Clustered conformal, one timed run each, α = 0.1. Targets: ${target}. Test rows generated and predicted in chunks of 10,000 (generation untimed).`,
  );
}

function reproductionTable(ill: ConformalIllustration): string {
  const rep = ill.reproduction;
  const rows = rep.rows.map((r): Cell[] => [num(String(r.classes)), num(String(r.nAvg)), r.method, num(String(r.seeds)), num(pm(r.covGap, 2)), num(pm(r.avgSize, 2)), num(pm(r.fracUnderCov, 3))]);
  return htmlTable(
    ['|Y|', 'n_avg', 'method', 'seeds', 'CovGap (pp)', 'AvgSize', 'FracUnderCov'],
    rows,
    `Mean ± standard deviation over seeds; α = ${rep.alpha}, score ${rep.score.toUpperCase()}, ${rep.testPerClass} test points per class. Generator: ${rep.generator}.`,
  );
}

/** One line per method of `value` against n_avg, for one |Y|. */
function methodChart(rows: readonly ReproductionRow[], classes: number, title: string, yName: string, value: (r: ReproductionRow) => MeanStd): string {
  const mine = rows.filter((r) => r.classes === classes);
  const nAvg = [...new Set(mine.map((r) => r.nAvg))].sort((a, b) => a - b);
  return renderChart(
    {
      title: { ...TITLE, text: title },
      legend: { top: 32, left: 'center', itemGap: 30, textStyle: { fontSize: 12 } },
      grid: { left: 70, right: 30, top: 75, bottom: 55 },
      xAxis: { type: 'value', name: 'calibration points per class n_avg', nameLocation: 'middle', nameGap: 30, min: 0, max: Math.max(...nAvg) + 5 },
      yAxis: { type: 'value', name: yName, nameLocation: 'middle', nameGap: 45, min: 0 },
      series: METHOD_ORDER.map((method) => ({
        name: method,
        type: 'line',
        color: METHOD_COLORS[method],
        symbolSize: 7,
        lineStyle: { width: method === 'clustered' ? 3 : 2 },
        data: nAvg.flatMap((n) => {
          const r = mine.find((x) => x.nAvg === n && x.method === method);
          return r === undefined ? [] : [[n, value(r).mean]];
        }),
      })),
    },
    { width: 520, height: 360 },
  );
}

function chartsRow(charts: readonly string[]): string {
  return `<div class="chart" style="display:flex;flex-wrap:wrap;gap:12px">${charts.map((c) => `<div>${c}</div>`).join('')}</div>`;
}

/** Bars of set-size frequencies, one series per method (sizes 0 … the largest that occurs). */
function setSizeChart(histograms: readonly SetSizeHistogram[], title: string): string {
  let largest = 0;
  for (const h of histograms) h.counts.forEach((c, size) => (c > 0 ? (largest = Math.max(largest, size)) : undefined));
  const sizes = Array.from({ length: largest + 1 }, (_, s) => String(s));
  return renderChart(
    {
      title: { ...TITLE, text: title },
      legend: { top: 32, left: 'center', itemGap: 30, textStyle: { fontSize: 12 } },
      grid: { left: 70, right: 30, top: 75, bottom: 55 },
      xAxis: { type: 'category', data: sizes, name: 'set size |C(x)|', nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: 'value', name: 'fraction of test points', nameLocation: 'middle', nameGap: 45, min: 0 },
      series: METHOD_ORDER.flatMap((method) => {
        const h = histograms.find((x) => x.method === method);
        if (h === undefined) return [];
        const total = h.counts.reduce((a, b) => a + b, 0) || 1;
        return [{ name: method, type: 'bar', color: METHOD_COLORS[method], barGap: '10%', data: sizes.map((_, s) => (h.counts[s] ?? 0) / total) }];
      }),
    },
    { width: 520, height: 360 },
  );
}

function fashionMnistBlocks(fm: FashionMnistResult | undefined): string[] {
  if (fm === undefined) return [];
  if (!fm.available) return ['<h3>Fashion-MNIST</h3>', `<p class="lead">Skipped: ${escapeHtml(fm.reason)}</p>`];
  const rows = fm.rows.map((r): Cell[] => [
    num(String(r.nAvg)),
    r.score.toUpperCase(),
    r.method,
    num(String(r.seeds)),
    num(pm(r.covGap, 2)),
    num(pm(r.avgSize, 2)),
    num(pm(r.fracUnderCov, 3)),
    num(`${(r.coverage.mean * 100).toFixed(1)}%`),
  ]);
  const scores = [...new Set(fm.histograms.map((h) => h.score))];
  const setting = fm.histograms[0]?.setting ?? '';
  return [
    '<h3>Fashion-MNIST</h3>',
    leadParagraph(
      `A softmax classifier trained with the library (${fm.model}; forward and weight gradient with matmul, loss gradient with ` +
        `crossEntropy.vjp) in ${fm.trainSeconds.toFixed(1)} s: final training loss ${fm.finalLoss.toFixed(3)}, test accuracy ` +
        `${(fm.testAccuracy * 100).toFixed(1)}% on ${fm.testRows.toLocaleString('en-US')} test images. Its test-set softmax outputs are split ` +
        'at random (per seed) into n_avg·10 calibration points and the rest held out; α = 0.1, APS randomized.',
    ),
    htmlTable(
      ['n_avg', 'score', 'method', 'seeds', 'CovGap (pp)', 'AvgSize', 'FracUnderCov', 'marginal coverage'],
      rows,
      `Mean ± standard deviation over seeds; data: ${escapeHtml(fm.dir)}.`,
    ),
    chartsRow(scores.map((score) => setSizeChart(fm.histograms.filter((h) => h.score === score), `Set sizes, ${score.toUpperCase()}: ${setting}`))),
  ];
}

function verdictBlock(ill: ConformalIllustration): string {
  const rep = ill.reproduction;
  const items = rep.verdicts.map((v) => `<li>${v.holds ? '✓' : '✗'} |Y| = ${v.classes}, n_avg = ${v.nAvg}: ${escapeHtml(v.detail)}</li>`).join('');
  return [`<p class="lead"><strong>Claim checked.</strong> ${escapeHtml(rep.claim)}</p>`, `<ul class="notes">${items}</ul>`, `<p class="lead"><strong>Verdict.</strong> ${escapeHtml(rep.summary)}</p>`].join('\n');
}

function illustrationBlocks(ill: ConformalIllustration): string[] {
  const rep = ill.reproduction;
  const classes = [...new Set(rep.rows.map((r) => r.classes))];
  const seeds = rep.seedsByClasses.map((s) => `${s.seeds} seed${s.seeds === 1 ? '' : 's'} for |Y| = ${s.classes}`).join(', ');
  return [
    '<h3>Timing</h3>',
    timingTable(ill),
    '<h3>Reproduction of Ding et al. (NeurIPS 2023)</h3>',
    leadParagraph(
      `"Class-conditional conformal prediction with many classes": standard (split), class-wise and clustered conformal on synthetic ` +
        'softmax outputs with class-dependent difficulty; n_avg·|Y| calibration points with uniformly random labels (class counts ' +
        `vary around n_avg, as in the paper's random split) and a balanced test set; ${seeds}. CovGap is the mean ` +
        '|class coverage − (1 − α)| in percentage points, FracUnderCov the fraction of classes covered below 1 − α − 0.1.',
    ),
    ...classes.map((c) =>
      chartsRow([
        methodChart(rep.rows, c, `CovGap vs n_avg, |Y| = ${c} (lower is better)`, 'CovGap (pp)', (r) => r.covGap),
        methodChart(rep.rows, c, `AvgSize vs n_avg, |Y| = ${c}`, 'mean set size', (r) => r.avgSize),
      ]),
    ),
    reproductionTable(ill),
    ...(rep.setSizes !== undefined && rep.setSizes.length > 0
      ? [chartsRow([setSizeChart(rep.setSizes, `Set sizes, ${rep.score.toUpperCase()}: ${rep.setSizes[0].setting}`)])]
      : []),
    verdictBlock(ill),
    ...fashionMnistBlocks(ill.fashionMnist),
  ];
}

export const conformalSection: ReportSection = {
  id: 'conformal',
  title: 'conformal: clustered conformal timing, the Ding et al. (2023) reproduction and Fashion-MNIST',
  suite: 'conformal',
  render(result) {
    const ill = isConformalIllustration(result.illustration) ? result.illustration : undefined;
    return [
      leadParagraph(
        'Clustered conformal prediction (Ding et al. 2023) from the library: calibration and prediction time on synthetic softmax ' +
          'outputs (the generator of bench/scripts/conformal-timing.mjs), then the paper\'s comparison of standard, class-wise and ' +
          'clustered conformal in its many-classes, few-points-per-class regime, with set-size distributions, and the same comparison on ' +
          'the outputs of a Fashion-MNIST classifier trained with the library. Everything runs in one process on one thread.',
      ),
      ...(ill === undefined ? [] : illustrationBlocks(ill)),
      validationTable(result),
      implementationList(result),
      notesList(result),
    ]
      .filter((s) => s !== '')
      .join('\n');
  },
};
