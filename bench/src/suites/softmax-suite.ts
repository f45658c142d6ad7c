import { fillUniform } from '../harness/random.js';
import { OURS, OURS_ZERO_COPY } from '../peers/ours.js';
import { PEER_PACKAGES, softmaxPeers } from '../peers/softmax-peers.js';
import { atLeast, atMost, speedupMetric, timeRatioMetric } from '../results/metrics.js';
import type { CaseResult, Metric } from '../results/result-types.js';
import type { ImplTiming } from '../harness/compare.js';
import { describeImplementations } from './implementations.js';
import { runPeerCase } from './peer-case.js';
import type { Suite } from './suite.js';
import { resultHeader } from './suite.js';

const FULL_ROW_LENGTHS = [128, 1024, 4096, 32768, 262144, 4194304];
/** Every call covers about this many elements, so ns/element compares like with like across row lengths. */
const FULL_ELEMENTS_PER_CALL = 4_194_304;
const QUICK_ROW_LENGTHS = [128, 4096, 65536];
const QUICK_ELEMENTS_PER_CALL = 65_536;
/** The copy-floor target only makes sense once rows are long enough for per-row overhead to vanish. */
const COPY_FLOOR_MIN_N = 4096;
const TOLERANCE = 1e-5;
const SEED = 0x5eed;

/** The ratios reported per row length, with the project's targets. */
function softmaxMetrics(timings: readonly ImplTiming[], n: number): Metric[] {
  return [
    speedupMetric(timings, OURS, 'onnxruntime-node', 'vs onnxruntime-node', atLeast(1.5)),
    speedupMetric(timings, OURS, 'tfjs-wasm', 'vs tfjs-wasm', atLeast(1.5)),
    speedupMetric(timings, OURS, 'tfjs-cpu', 'vs tfjs-cpu'),
    speedupMetric(timings, OURS, 'transformers.js', 'vs transformers.js', atLeast(30)),
    speedupMetric(timings, OURS, 'plain JS loop', 'vs plain loop', atLeast(10)),
    timeRatioMetric(timings, OURS, 'copy floor', 'time / copy floor', n >= COPY_FLOOR_MIN_N ? atMost(2.5) : undefined),
    speedupMetric(timings, OURS_ZERO_COPY, 'onnxruntime-node', 'zero-copy vs onnxruntime-node', atLeast(2.5)),
  ];
}

export const softmaxSuite: Suite = {
  id: 'softmax',
  title: 'softmax over rows of float32',
  description:
    'Row-wise softmax of float32 [rows, n] batches of about 4M elements, against onnxruntime-node, tfjs (wasm, cpu), ' +
    'transformers.js, a plain JavaScript loop and the cost of allocating and copying the same array.',
  async run({ mode, budget, onProgress }) {
    const startedAt = new Date();
    const rowLengths = mode === 'quick' ? QUICK_ROW_LENGTHS : FULL_ROW_LENGTHS;
    const perCall = mode === 'quick' ? QUICK_ELEMENTS_PER_CALL : FULL_ELEMENTS_PER_CALL;
    const errors = new Map<string, string>();
    const details = new Map<string, string>();
    const cases: CaseResult[] = [];
    const notes: string[] = [];
    let names: string[] = [];
    for (const [index, n] of rowLengths.entries()) {
      const rows = Math.max(1, Math.round(perCall / n));
      const label = `softmax · n=${n} (${index + 1}/${rowLengths.length})`;
      const input = fillUniform(new Float32Array(rows * n), SEED + n);
      const peers = softmaxPeers();
      names = peers.map((p) => p.name);
      const outcome = await runPeerCase({ label, input, rows, n, peers, baseline: OURS, tolerance: TOLERANCE, budget, onProgress });
      for (const [name, error] of outcome.failures) if (!errors.has(name)) errors.set(name, error);
      for (const peer of peers) {
        const detail = peer.details?.();
        if (detail !== undefined) details.set(peer.name, detail);
      }
      for (const v of outcome.validation) {
        if (!v.ok) notes.push(`n=${n}: ${v.name} differs from ${v.against} by ${v.maxAbsDiff.toExponential(2)} (> ${v.tolerance})`);
      }
      cases.push({
        id: `n=${n}`,
        label: `n = ${n}`,
        params: { n, rows },
        elements: rows * n,
        baseline: OURS,
        timings: outcome.timings,
        metrics: softmaxMetrics(outcome.timings, n),
        validation: outcome.validation,
      });
    }
    return {
      ...resultHeader(this, mode, startedAt),
      implementations: describeImplementations(names, PEER_PACKAGES, errors, details),
      cases,
      notes,
    };
  },
};
