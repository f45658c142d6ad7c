import { chartBlock, standardTables } from '../blocks.js';
import { barChart } from '../charts.js';
import { formatNumber } from '../../results/format.js';
import type { ReportSection } from '../section.js';
import { leadParagraph } from './text.js';

export const topKSection: ReportSection = {
  id: 'topk',
  title: 'softmax top-k: fused against softmax + selection',
  suite: 'topk',
  render(result) {
    const names = [...new Set(result.cases.flatMap((c) => c.timings.map((t) => t.name)))];
    const k = result.cases[0]?.params.k ?? 0;
    const rows = result.cases[0]?.params.rows ?? 0;
    const nsPerElement = names.map((name) => result.cases.map((c) => c.timings.find((t) => t.name === name)?.nsPerElement ?? null));
    return [
      leadParagraph(`Top-${k} probabilities of ${rows} rows per call. The fused kernel reads each row once; the unfused path writes the full softmax and scans it again.`),
      chartBlock(
        barChart({
          title: 'Median ns per element (lower is better)',
          categories: result.cases.map((c) => `n=${c.params.n}`),
          valueName: 'ns / element',
          series: names.map((name, i) => ({ name, values: nsPerElement[i] })),
          labels: nsPerElement.map((values) => values.map((v) => (v === null ? '' : formatNumber(v)))),
        }),
      ),
      standardTables(result),
    ].join('\n');
  },
};
