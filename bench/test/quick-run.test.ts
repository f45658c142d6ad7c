import { describe, expect, it } from 'vitest';
import { runBenchmarks } from '../src/run-benchmarks.js';
import type { ProgressEvent } from '../src/harness/progress.js';
import { markdownTable } from '../src/results/markdown.js';
import { renderReport } from '../src/report/write-report.js';
import { suites } from '../src/suites/registry.js';

describe('quick benchmark run, end to end', () => {
  it('runs every suite, validates every peer, and renders the report', async () => {
    const events: ProgressEvent[] = [];
    const results = await runBenchmarks({ quick: true, onProgress: (e) => events.push(e) });

    expect(results.map((r) => r.suite)).toEqual(suites.map((s) => s.id));
    for (const result of results) {
      expect(result.mode).toBe('quick');
      expect(result.implementations.filter((i) => i.error !== undefined)).toEqual([]);
      for (const c of result.cases) {
        // Timed cases compare at least two implementations; demonstration cases (training runs) carry
        // measured metrics instead of timings.
        if (c.timings.length === 0) expect(c.metrics.length, `${result.suite} ${c.label}`).toBeGreaterThan(0);
        else expect(c.timings.length).toBeGreaterThanOrEqual(2);
        for (const t of c.timings) expect(t.medianMs).toBeGreaterThan(0);
        for (const v of c.validation) expect(v, `${result.suite} ${c.label} ${v.name}`).toMatchObject({ ok: true });
      }
    }
    const softmax = results.find((r) => r.suite === 'softmax')!;
    expect(softmax.cases[0].timings.map((t) => t.name)).toEqual([
      'softmax (ours)',
      'softmax zero-copy (ours)',
      'onnxruntime-node',
      'tfjs-wasm',
      'tfjs-cpu',
      'transformers.js',
      'plain JS loop',
      'copy floor',
    ]);
    // Every softmax peer (not the copy floor) was checked against ours, and ours against float64.
    expect(softmax.cases[0].validation).toHaveLength(7);

    expect(events.some((e) => e.phase === 'measure')).toBe(true);
    expect(events.at(-1)).toMatchObject({ phase: 'suite', done: suites.length, total: suites.length });

    expect(markdownTable(results)).toContain('vs onnxruntime-node (≥ 1.5×)');
    const html = renderReport(results);
    expect(html).toContain('<svg');
    expect(html).toContain('cross-entropy: time and extra memory');
  });
});
