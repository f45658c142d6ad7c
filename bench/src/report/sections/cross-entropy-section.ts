import { chartBlock, standardTables } from '../blocks.js';
import { barChart } from '../charts.js';
import { formatBytes, formatNumber } from '../../results/format.js';
import type { ReportSection } from '../section.js';
import { leadParagraph } from './text.js';

const MIB = 2 ** 20;

export const crossEntropySection: ReportSection = {
  id: 'cross-entropy',
  title: 'cross-entropy: time and extra memory',
  suite: 'crossEntropy',
  render(result) {
    const c = result.cases[0];
    if (c === undefined) return standardTables(result);
    const memory = c.memory ?? [];
    const size = { width: 800, height: 220 };
    return [
      leadParagraph(
        `Mean cross-entropy of ${c.params.rows} × ${c.params.classes} float32 logits (${formatBytes(c.elements * 4)}). ` +
          'Extra memory is what one call adds on top of its input.',
      ),
      chartBlock(
        barChart(
          {
            title: 'Peak extra memory of one call',
            categories: memory.map((m) => m.name),
            valueName: 'MiB',
            series: [{ name: 'peak extra', values: memory.map((m) => m.peakExtraBytes / MIB) }],
            labels: [memory.map((m) => `${formatBytes(m.peakExtraBytes)}${m.theoretical ? ' (computed)' : ''}`)],
          },
          size,
        ),
      ),
      chartBlock(
        barChart(
          {
            title: 'Median ms per call',
            categories: c.timings.map((t) => t.name),
            valueName: 'ms',
            series: [{ name: 'median', values: c.timings.map((t) => t.medianMs) }],
            labels: [c.timings.map((t) => `${formatNumber(t.medianMs)} ms`)],
          },
          size,
        ),
      ),
      standardTables(result),
    ].join('\n');
  },
};
