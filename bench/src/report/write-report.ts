import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../results/format.js';
import type { SuiteResult } from '../results/result-types.js';
import { escapeHtml, page } from './html.js';
import type { ReportSection } from './section.js';
import { genericSection } from './sections/generic-section.js';
import { reportSections } from './sections/index.js';
import { targetsOverview } from './targets-overview.js';

function machineBlock(results: readonly SuiteResult[]): string {
  const m = results[0]?.machine;
  if (m === undefined) return '';
  const items: [string, string][] = [
    ['CPU', `${m.cpu} (${m.cores} cores)`],
    ['memory', formatBytes(m.totalMemoryBytes)],
    ['Node', `${m.node} (V8 ${m.v8})`],
    ['platform', `${m.platform}/${m.arch}`],
    ['measured', m.date],
    ['mode', [...new Set(results.map((r) => r.mode))].join(', ')],
  ];
  return `<dl class="machine">${items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

/** Pairs each result with its section (or a generic one), in section order, then results without a section. */
function arrange(results: readonly SuiteResult[], sections: readonly ReportSection[]): [ReportSection, SuiteResult][] {
  const pairs: [ReportSection, SuiteResult][] = [];
  for (const section of sections) {
    const result = results.find((r) => r.suite === section.suite);
    if (result !== undefined) pairs.push([section, result]);
  }
  for (const result of results) {
    if (!sections.some((s) => s.suite === result.suite)) pairs.push([genericSection(result.suite, result.title), result]);
  }
  return pairs;
}

/** The whole report as one self-contained HTML document (inline CSS and SVG, no scripts, no network). */
export function renderReport(results: readonly SuiteResult[], sections: readonly ReportSection[] = reportSections): string {
  const pairs = arrange(results, sections);
  const nav = `<nav><ul>${pairs.map(([s]) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`).join('')}</ul></nav>`;
  const body = pairs.map(([section, result]) => `<section id="${escapeHtml(section.id)}">\n<h2>${escapeHtml(section.title)}</h2>\n${section.render(result)}\n</section>`);
  const overview = targetsOverview(pairs.map(([, result]) => result));
  return page(
    'softmax benchmarks',
    [
      '<h1>softmax benchmarks</h1>',
      '<p class="lead">Medians of interleaved measurements in one Node.js process; every implementation on one thread.</p>',
      machineBlock(results),
      overview === '' ? '' : `<h2 id="targets">Targets</h2>\n${overview}`,
      nav,
      ...body,
    ].join('\n'),
  );
}

/** Writes `<outDir>/index.html` and returns its path. */
export async function writeReport(results: readonly SuiteResult[], outDir = 'report', sections: readonly ReportSection[] = reportSections): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, 'index.html');
  await writeFile(file, renderReport(results, sections));
  return file;
}
