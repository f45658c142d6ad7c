import { createRng } from 'softmax';
import type { FloatArray, TensorLike } from 'softmax';
import { summarizeCase } from '../harness/compare.js';
import { measureInterleaved } from '../harness/measure.js';
import type { Contender } from '../harness/measure.js';
import { fillUniform } from '../harness/random.js';
import { atMost, speedupMetric, timeRatioMetric } from '../results/metrics.js';
import type { CaseResult, Metric, ValidationCheck } from '../results/result-types.js';
import type { ImplTiming } from '../harness/compare.js';
import { describeImplementations } from './implementations.js';
import { ourBackendDetails } from '../peers/library-info.js';
import { computeIllustration } from './normalizers/illustration.js';
import { ENTMAX_13, ENTMAX_15, SOFTMAX, SORT_SPARSEMAX, SPARSEMAX, libraryMappings } from './normalizers/mappings.js';
import type { NormalizerMapping } from './normalizers/mappings.js';
import { sortSparsemax } from './normalizers/sort-sparsemax.js';
import type { Suite } from './suite.js';
import { resultHeader } from './suite.js';
import { maxAbsDiff, referenceSoftmax } from './validate.js';

const FULL_ROW_LENGTHS = [128, 4096, 262144];
const QUICK_ROW_LENGTHS = [128, 4096];
const FULL_ELEMENTS = 1 << 20;
const QUICK_ELEMENTS = 1 << 16;
/** The case the targets are checked on; the ratios of the other row lengths are reported without one. */
const TARGET_N = 4096;
const SPARSE_K = 32;
const SEED = 0x4e0a;
const GUMBEL_SEED = 0x6b1;
/** Our sparsemax against the sort-based one (float32 outputs). */
const SPARSEMAX_TOLERANCE = 1e-6;
/** |Σ row − 1| of the mappings whose rows sum to one, and our softmax against float64. */
const SUM_TOLERANCE = 1e-5;

/** The ratio targets of the brief: time over our softmax's time, on n = TARGET_N. */
const TIME_RATIO_TARGETS: readonly (readonly [string, string, number])[] = [
  [SPARSEMAX, 'sparsemax / softmax time', 4],
  [ENTMAX_15, 'entmax-1.5 / softmax time', 4],
  [ENTMAX_13, 'entmax-1.3 / softmax time', 10],
];

/** A benchmarked mapping: the library's (with its `NormalizerMapping`) or the plain-JS sort-based sparsemax. */
interface BenchContender {
  name: string;
  details: string;
  library: boolean;
  sumsToOne: boolean;
  run(input: Float32Array, rows: number, n: number): FloatArray;
}

function contenders(): BenchContender[] {
  // Created once, outside timing: every call draws fresh noise from the same stream.
  const rng = createRng(GUMBEL_SEED);
  const library = libraryMappings(rng, SPARSE_K).map(
    (m: NormalizerMapping): BenchContender => ({
      name: m.name,
      details: m.call,
      library: true,
      sumsToOne: m.sumsToOne,
      run: (input, rows, n) => m.apply({ data: input, dims: [rows, n] } satisfies TensorLike<Float32Array>),
    }),
  );
  const sortBased: BenchContender = {
    name: SORT_SPARSEMAX,
    details: 'plain JavaScript written for this benchmark: per row copy, TypedArray sort, cumulative-sum rule, threshold',
    library: false,
    sumsToOne: true,
    run: sortSparsemax,
  };
  return [...library, sortBased];
}

/** Largest |Σ row − 1|. */
function maxRowSumError(y: FloatArray, rows: number, n: number): number {
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let i = r * n; i < (r + 1) * n; i++) sum += y[i];
    const e = Math.abs(sum - 1);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

/** 0 when every entry is finite and ≥ 0, else the largest distance below 0 (Infinity for NaN/±∞). */
function negativeOrNonFinite(y: FloatArray, allowNegative: boolean): number {
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) return Infinity;
    if (!allowNegative && -v > worst) worst = -v;
  }
  return worst;
}

/** How many non-zeros the fullest row has beyond `k` (0 when every row has at most k). */
function nonZerosBeyond(y: FloatArray, rows: number, n: number, k: number): number {
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    let count = 0;
    for (let i = r * n; i < (r + 1) * n; i++) if (y[i] !== 0) count++;
    worst = Math.max(worst, count - k);
  }
  return worst;
}

const check = (name: string, against: string, diff: number, tolerance: number): ValidationCheck => ({ name, against, maxAbsDiff: diff, tolerance, ok: diff <= tolerance });

/**
 * Calls every contender once (outside timing) and checks its output; a contender that throws is dropped
 * from the case with its error recorded. Returns the checks and the contenders that ran.
 */
function validate(all: readonly BenchContender[], input: Float32Array, rows: number, n: number, errors: Map<string, string>): { checks: ValidationCheck[]; ok: BenchContender[] } {
  const checks: ValidationCheck[] = [];
  const ok: BenchContender[] = [];
  let ourSparsemax: FloatArray | undefined;
  let sortBased: FloatArray | undefined;
  for (const c of all) {
    let y: FloatArray;
    try {
      y = c.run(input, rows, n);
    } catch (error) {
      if (!errors.has(c.name)) errors.set(c.name, error instanceof Error ? error.message : String(error));
      continue;
    }
    ok.push(c);
    if (c.name === SPARSEMAX) ourSparsemax = y;
    if (c.name === SORT_SPARSEMAX) sortBased = y;
    if (c.name === SOFTMAX) checks.push(check(c.name, 'float64 softmax', maxAbsDiff(y, referenceSoftmax(input, rows, n)), SUM_TOLERANCE));
    if (c.sumsToOne) checks.push(check(c.name, 'Σ row = 1', maxRowSumError(y, rows, n), SUM_TOLERANCE));
    // selfAdjustSoftmax is x ⊙ softmax(x): negative where x is; the others are non-negative.
    else checks.push(check(c.name, c.name === 'selfAdjustSoftmax' ? 'finite' : 'finite, ≥ 0', negativeOrNonFinite(y, c.name === 'selfAdjustSoftmax'), 0));
    if (c.name === `sparseSoftmax k=${SPARSE_K}`) checks.push(check(c.name, `≤ ${SPARSE_K} non-zeros per row`, nonZerosBeyond(y, rows, n, SPARSE_K), 0));
  }
  if (ourSparsemax !== undefined && sortBased !== undefined) {
    checks.unshift(check(SPARSEMAX, SORT_SPARSEMAX, maxAbsDiff(ourSparsemax, sortBased), SPARSEMAX_TOLERANCE));
  }
  return { checks, ok };
}

function caseMetrics(timings: readonly ImplTiming[], n: number): Metric[] {
  return [
    ...TIME_RATIO_TARGETS.map(([name, label, target]) => timeRatioMetric(timings, name, SOFTMAX, label, n === TARGET_N ? atMost(target) : undefined)),
    speedupMetric(timings, SPARSEMAX, SORT_SPARSEMAX, 'sparsemax speed-up over sort-based'),
  ];
}

export const normalizersSuite: Suite = {
  id: 'normalizers',
  title: 'normalizers: sparsemax, entmax and the softmax variants',
  description:
    'Forward pass (output allocated by the call) of the library\'s normalizers over float32 rows, against our own softmax as the ' +
    'baseline. No JavaScript package offers sparsemax, entmax or these softmax variants, so the only outside reference is a ' +
    'straightforward sort-based sparsemax in plain JavaScript written for this benchmark. Targets (time over softmax) are checked ' +
    `at n = ${TARGET_N} and reported without a target at the other row lengths.`,
  async run({ mode, budget, onProgress }) {
    const startedAt = new Date();
    const rowLengths = mode === 'quick' ? QUICK_ROW_LENGTHS : FULL_ROW_LENGTHS;
    const elements = mode === 'quick' ? QUICK_ELEMENTS : FULL_ELEMENTS;
    const all = contenders();
    const errors = new Map<string, string>();
    const cases: CaseResult[] = [];
    const notes: string[] = [];
    for (const [index, n] of rowLengths.entries()) {
      const rows = elements / n;
      const label = `normalizers · n=${n} (${index + 1}/${rowLengths.length})`;
      const input = fillUniform(new Float32Array(rows * n), SEED + n);
      onProgress?.({ phase: 'validate', done: 0, total: 1, label });
      const { checks, ok } = validate(all, input, rows, n, errors);
      for (const v of checks.filter((c) => !c.ok)) notes.push(`n=${n}: ${v.name} fails "${v.against}" (max |Δ| ${v.maxAbsDiff})`);
      if (!ok.some((c) => c.name === SOFTMAX)) {
        notes.push(`n=${n}: the baseline softmax failed; case skipped`);
        continue;
      }
      const timed: Contender[] = ok.map((c) => ({ name: c.name, run: () => c.run(input, rows, n) }));
      const timings = await measureInterleaved(timed, budget, (done, total) => onProgress?.({ phase: 'measure', done, total, label }));
      const summary = summarizeCase(timings.samplesMs, rows * n, SOFTMAX);
      cases.push({
        id: `n=${n}`,
        label: `n = ${n}`,
        params: { n, rows, k: SPARSE_K },
        elements: rows * n,
        baseline: SOFTMAX,
        timings: summary,
        metrics: caseMetrics(summary, n),
        validation: checks,
      });
    }
    onProgress?.({ phase: 'setup', done: 0, total: 1, label: 'normalizers · illustration' });
    const illustration = computeIllustration();
    const ours = ourBackendDetails();
    const details = new Map(all.map((c) => [c.name, c.name === SOFTMAX ? `${c.details}; kernels: ${ours}` : c.details]));
    const packages = Object.fromEntries(all.filter((c) => c.library).map((c) => [c.name, 'softmax']));
    return {
      ...resultHeader(this, mode, startedAt),
      implementations: describeImplementations(
        all.map((c) => c.name),
        packages,
        errors,
        details,
      ),
      cases,
      notes,
      illustration,
    };
  },
};
