import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownTable } from '../src/results/markdown.js';
import { summaryTable } from '../src/results/summary.js';
import { readResults, writeResults } from '../src/results/write-results.js';
import { renderReport, writeReport } from '../src/report/write-report.js';
import { reportSections } from '../src/report/sections/index.js';
import { powerOfTwoLabel } from '../src/report/charts.js';
import { syntheticResults } from './synthetic-results.js';

const results = syntheticResults();

describe('markdown table', () => {
  const md = markdownTable(results);

  it('has a row per case, ns/element per implementation and targeted ratios with ✓/✗', () => {
    expect(md).toContain('### softmax over rows of float32');
    expect(md).toContain('| case | softmax (ours) (ns/el) | onnxruntime-node (ns/el) | copy floor (ns/el) | vs onnxruntime-node (≥ 1.5×) | time / copy floor (≤ 2.5×) |');
    // 1 ms over 4,194,304 elements = 0.238 ns/element.
    expect(md).toContain('| n = 4096 | 0.238 | 0.715 | 0.119 | 3.00× ✓ | 2.00× ✓ |');
    // At n = 128 the copy-floor ratio has no target, so no mark.
    expect(md).toContain('| n = 128 | 0.238 | 0.286 | 0.060 | 1.20× ✗ | 4.00× |');
    expect(md).toContain('fused peak extra memory (≤ 1 MB)');
    expect(md).toContain('64.0 KiB ✓');
    expect(md).toMatch(/quick mode\) on .+ cores, Node v\d+/);
  });
});

describe('terminal summary', () => {
  it('lists implementations and metrics per suite, with failures and notes', () => {
    const text = summaryTable(results);
    expect(text).toContain('softmax over rows of float32 [softmax, quick]');
    expect(text).toMatch(/vs onnxruntime-node\s+1\.20× ✗\s+3\.00× ✓/);
    expect(text).toContain('tfjs-wasm failed: no backend');
    expect(text).toContain('note: a note <with> markup');
  });
});

describe('HTML report', () => {
  const html = renderReport(results);

  it('renders every section with server-side SVG charts and no external resources', () => {
    for (const section of reportSections.filter((s) => results.some((r) => r.suite === s.suite))) {
      expect(html).toContain(`<h2>${section.title.replace(/&/g, '&amp;')}</h2>`);
    }
    expect(html).toContain('<h2>a suite without its own section</h2>');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html).toContain('a note &lt;with&gt; markup');
    expect(html).toContain('3.00× ✓');
    expect(html).toMatch(/cases meeting it/);
  });

  it('labels a log2 axis with compact powers of two', () => {
    expect([128, 1024, 4096, 262144, 4194304, 3000].map(powerOfTwoLabel)).toEqual(['128', '1K', '4K', '256K', '4M', '3000']);
  });

  it('writes report/index.html, and results round-trip through JSON files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'softmax-bench-'));
    try {
      const file = await writeReport(results, path.join(dir, 'report'));
      expect(await readFile(file, 'utf8')).toContain('<svg');
      const written = await writeResults(results, path.join(dir, 'results'));
      expect(written.map((f) => path.basename(f))).toEqual(['softmax.json', 'crossEntropy.json', 'unsectioned.json']);
      const back = await readResults(path.join(dir, 'results'));
      expect(back.map((r) => r.suite).sort()).toEqual(['crossEntropy', 'softmax', 'unsectioned']);
      expect(back.find((r) => r.suite === 'softmax')).toEqual(results[0]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
