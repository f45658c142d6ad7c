import { softmax, softmaxTopK } from 'softmax';
import { summarizeCase } from '../harness/compare.js';
import { measureInterleaved } from '../harness/measure.js';
import { fillUniform } from '../harness/random.js';
import { atLeast, speedupMetric } from '../results/metrics.js';
import type { CaseResult, ValidationCheck } from '../results/result-types.js';
import { describeImplementations } from './implementations.js';
import { ourBackendDetails } from '../peers/library-info.js';
import type { Suite } from './suite.js';
import { resultHeader } from './suite.js';
import { selectTopK } from './top-k-select.js';
import { maxAbsDiff } from './validate.js';

const K = 5;
const FUSED = 'softmaxTopK (fused)';
const UNFUSED = 'softmax + top-k selection';
const FULL_ROW_LENGTHS = [32768, 65536, 131072, 262144];
const QUICK_ROW_LENGTHS = [4096, 32768];
const FULL_ROWS = 8;
const QUICK_ROWS = 4;
const TOLERANCE = 1e-5;
const SEED = 0x70bc;

interface TopK {
  indices: Int32Array;
  values: Float32Array;
}

/** softmaxTopK on a [rows, n] tensor, flattened to row-major [rows, k] arrays. */
function fusedTopK(input: Float32Array, rows: number, n: number): TopK {
  const result = softmaxTopK({ data: input, dims: [rows, n] }, K);
  return { indices: result.indices.data, values: result.values.data as Float32Array };
}

function unfusedTopK(input: Float32Array, rows: number, n: number): TopK {
  const probs = softmax({ data: input, dims: [rows, n] }).data;
  return selectTopK(probs, rows, n, K);
}

function validate(input: Float32Array, rows: number, n: number): ValidationCheck {
  const fused = fusedTopK(input, rows, n);
  const unfused = unfusedTopK(input, rows, n);
  const sameIndices = fused.indices.length === unfused.indices.length && fused.indices.every((v, i) => v === unfused.indices[i]);
  const diff = sameIndices ? maxAbsDiff(fused.values, unfused.values) : Infinity;
  return { name: FUSED, against: UNFUSED, maxAbsDiff: diff, tolerance: TOLERANCE, ok: diff <= TOLERANCE };
}

export const topKSuite: Suite = {
  id: 'topk',
  title: `softmax top-${K}`,
  description:
    `Probabilities of the ${K} most likely classes of long rows: the fused softmaxTopK (one read of the input) ` +
    `against softmax followed by a JavaScript top-${K} selection over its output.`,
  async run({ mode, budget, onProgress }) {
    const startedAt = new Date();
    const rowLengths = mode === 'quick' ? QUICK_ROW_LENGTHS : FULL_ROW_LENGTHS;
    const rows = mode === 'quick' ? QUICK_ROWS : FULL_ROWS;
    const cases: CaseResult[] = [];
    const notes: string[] = [];
    for (const [index, n] of rowLengths.entries()) {
      const label = `top-${K} · n=${n} (${index + 1}/${rowLengths.length})`;
      const input = fillUniform(new Float32Array(rows * n), SEED + n);
      onProgress?.({ phase: 'validate', done: 0, total: 1, label });
      const validation = [validate(input, rows, n)];
      if (!validation[0].ok) notes.push(`n=${n}: fused and unfused top-${K} disagree (max |Δ| ${validation[0].maxAbsDiff})`);
      const timings = await measureInterleaved(
        [
          { name: FUSED, run: () => fusedTopK(input, rows, n) },
          { name: UNFUSED, run: () => unfusedTopK(input, rows, n) },
        ],
        budget,
        (done, total) => onProgress?.({ phase: 'measure', done, total, label }),
      );
      const summary = summarizeCase(timings.samplesMs, rows * n, FUSED);
      cases.push({
        id: `n=${n}`,
        label: `n = ${n}`,
        params: { n, rows, k: K },
        elements: rows * n,
        baseline: FUSED,
        timings: summary,
        metrics: [speedupMetric(summary, FUSED, UNFUSED, 'fused speed-up', atLeast(3))],
        validation,
      });
    }
    const ours = ourBackendDetails();
    return {
      ...resultHeader(this, mode, startedAt),
      implementations: describeImplementations([FUSED, UNFUSED], { [FUSED]: 'softmax', [UNFUSED]: 'softmax' }, new Map(), new Map([[FUSED, ours], [UNFUSED, ours]])),
      cases,
      notes,
    };
  },
};
