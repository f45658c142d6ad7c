import { chartBlock, nsPerElementSeries, ratioSeries, standardTables } from '../blocks.js';
import { lineChart } from '../charts.js';
import type { ReportSection } from '../section.js';
import { leadParagraph } from './text.js';

export const softmaxSection: ReportSection = {
  id: 'softmax',
  title: 'softmax: ns/element against row length',
  suite: 'softmax',
  render(result) {
    const perCall = result.cases[0]?.elements ?? 0;
    return [
      leadParagraph(
        `Each call covers about ${perCall.toLocaleString('en-US')} float32 elements (rows × n). All implementations run ` +
          'interleaved in one process, one thread; lower is better. Speed-ups are the peer\'s median time over ours.',
      ),
      chartBlock(lineChart({ title: 'Median ns per element', xName: 'row length n', yName: 'ns / element', xScale: 'log2', yLog: true, series: nsPerElementSeries(result, 'n') })),
      chartBlock(lineChart({ title: 'Our speed-up (×) and time over the copy floor', xName: 'row length n', yName: '×', xScale: 'log2', yLog: true, series: ratioSeries(result, 'n') })),
      standardTables(result),
    ].join('\n');
  },
};
