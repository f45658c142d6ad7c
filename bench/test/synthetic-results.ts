import { summarizeCase } from '../src/harness/compare.js';
import { machineInfo } from '../src/harness/machine.js';
import { atLeast, atMost, metric, speedupMetric, timeRatioMetric } from '../src/results/metrics.js';
import type { CaseResult, SuiteResult } from '../src/results/result-types.js';

/** Made-up timings with known ratios, shaped like real suite results, for rendering tests. */
function softmaxCase(n: number, oursMs: number, ortMs: number, floorMs: number): CaseResult {
  const samples = new Map<string, number[]>([
    ['softmax (ours)', [oursMs, oursMs * 1.1, oursMs * 0.9]],
    ['onnxruntime-node', [ortMs, ortMs, ortMs]],
    ['copy floor', [floorMs, floorMs, floorMs]],
  ]);
  const timings = summarizeCase(samples, 4096 * 1024, 'softmax (ours)');
  return {
    id: `n=${n}`,
    label: `n = ${n}`,
    params: { n, rows: (4096 * 1024) / n },
    elements: 4096 * 1024,
    baseline: 'softmax (ours)',
    timings,
    metrics: [
      speedupMetric(timings, 'softmax (ours)', 'onnxruntime-node', 'vs onnxruntime-node', atLeast(1.5)),
      timeRatioMetric(timings, 'softmax (ours)', 'copy floor', 'time / copy floor', n >= 4096 ? atMost(2.5) : undefined),
    ],
    validation: [{ name: 'onnxruntime-node', against: 'softmax (ours)', maxAbsDiff: 3e-8, tolerance: 1e-5, ok: true }],
  };
}

export function syntheticResults(): SuiteResult[] {
  const machine = machineInfo(new Date('2026-01-02T03:04:05Z'));
  const base = { mode: 'quick' as const, machine, startedAt: machine.date, durationMs: 1234, notes: [] as string[] };
  const ceTimings = summarizeCase(new Map([['crossEntropy (fused)', [100, 110, 90]], ['materialised', [400, 420, 380]]]), 1 << 27, 'crossEntropy (fused)');
  return [
    {
      ...base,
      suite: 'softmax',
      title: 'softmax over rows of float32',
      implementations: [{ name: 'softmax (ours)', package: 'softmax', version: '0.1.0' }, { name: 'onnxruntime-node' }, { name: 'copy floor' }, { name: 'tfjs-wasm', error: 'no backend' }],
      // ours 1 ms, ORT 3 ms (3× ✓), floor 0.5 ms (2× ✓) at 4096; ORT 1.2 ms (1.2× ✗), floor 0.25 ms (4×, no target) at 128.
      cases: [softmaxCase(128, 1, 1.2, 0.25), softmaxCase(4096, 1, 3, 0.5)],
    },
    {
      ...base,
      suite: 'crossEntropy',
      title: 'cross-entropy over a large vocabulary',
      implementations: [{ name: 'crossEntropy (fused)' }, { name: 'materialised' }],
      notes: ['a note <with> markup'],
      cases: [
        {
          id: '4096x32768',
          label: '4096 × 32768',
          params: { rows: 4096, classes: 32768 },
          elements: 1 << 27,
          baseline: 'crossEntropy (fused)',
          timings: ceTimings,
          metrics: [metric('peak-extra:fused', 'fused peak extra memory', 65_536, 'bytes', atMost(1_000_000))],
          validation: [],
          memory: [
            { name: 'crossEntropy (fused)', peakExtraBytes: 65_536, rssDeltaBytes: 0, arrayBuffersDeltaBytes: 0, externalDeltaBytes: 65_536, wasmMemoryDeltaBytes: 65_536, theoretical: false },
            { name: 'materialised', peakExtraBytes: 1 << 29, rssDeltaBytes: 0, arrayBuffersDeltaBytes: 0, externalDeltaBytes: 0, wasmMemoryDeltaBytes: 0, theoretical: true },
          ],
        },
      ],
    },
    {
      ...base,
      suite: 'unsectioned',
      title: 'a suite without its own section',
      implementations: [{ name: 'softmax (ours)' }, { name: 'onnxruntime-node' }, { name: 'copy floor' }],
      cases: [softmaxCase(1024, 2, 3, 1)],
    },
  ];
}
