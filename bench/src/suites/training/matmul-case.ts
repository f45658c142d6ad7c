import type { MeasureBudget } from '../../harness/budget.js';
import { summarizeCase } from '../../harness/compare.js';
import { measureInterleaved } from '../../harness/measure.js';
import type { ProgressCallback } from '../../harness/progress.js';
import { fillUniform } from '../../harness/random.js';
import { metric, timeRatioMetric } from '../../results/metrics.js';
import type { CaseResult, ValidationCheck } from '../../results/result-types.js';

export const MATMUL_FORWARD = 'matmul forward (ours)';
export const MATMUL_BOTH = 'matmul forward+backward (ours)';
const CHECKED_ENTRIES = 64;
const SEED = 0x3a7;

type Matrix = { data: Float32Array; dims: number[] };

/** The library's `matmul` with its `vjp`, as the suite calls them (float32). */
export interface MatmulImplementation {
  (a: Matrix, b: Matrix): { data: Float32Array; dims: number[] };
  vjp(a: Matrix, b: Matrix, dy: Matrix): { da: { data: Float32Array }; db: { data: Float32Array } };
}

/** Float64 dot product of row i of a and column j of b, both n × n row-major. */
function dot(a: Float32Array, b: Float32Array, n: number, i: number, j: number, transposeB: boolean): number {
  let s = 0;
  for (let p = 0; p < n; p++) s += a[i * n + p] * (transposeB ? b[j * n + p] : b[p * n + j]);
  return s;
}

/** Checks sampled entries of C = A·B, dA = dY·Bᵀ and dB = Aᵀ·dY against float64 sums. */
function validateMatmul(matmul: MatmulImplementation, a: Matrix, b: Matrix, dy: Matrix, n: number): ValidationCheck[] {
  const c = matmul(a, b).data;
  const { da, db } = matmul.vjp(a, b, dy);
  const next = (() => {
    let state = SEED;
    return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) % n;
  })();
  const at = new Float32Array(n * n);
  const dyt = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    at[j * n + i] = a.data[i * n + j];
    dyt[j * n + i] = dy.data[i * n + j];
  }
  let dc = 0;
  let dda = 0;
  let ddb = 0;
  let scale = 0;
  for (let t = 0; t < CHECKED_ENTRIES; t++) {
    const i = next();
    const j = next();
    const ref = dot(a.data, b.data, n, i, j, false);
    scale = Math.max(scale, Math.abs(ref));
    dc = Math.max(dc, Math.abs(c[i * n + j] - ref));
    dda = Math.max(dda, Math.abs(da.data[i * n + j] - dot(dy.data, b.data, n, i, j, true)));
    ddb = Math.max(ddb, Math.abs(db.data[i * n + j] - dot(at, dyt, n, i, j, true)));
  }
  // Float32 sums of n products: error grows like √n·ε·|terms|; 1e-6 of √n times the largest magnitude leaves a wide margin.
  const tolerance = 1e-6 * Math.sqrt(n) * Math.max(1, scale);
  return [
    { name: `${MATMUL_FORWARD}: C`, against: 'float64 sums (64 entries)', maxAbsDiff: dc, tolerance, ok: dc <= tolerance },
    { name: `${MATMUL_BOTH}: dA`, against: 'float64 sums (64 entries)', maxAbsDiff: dda, tolerance, ok: dda <= tolerance },
    { name: `${MATMUL_BOTH}: dB`, against: 'float64 sums (64 entries)', maxAbsDiff: ddb, tolerance, ok: ddb <= tolerance },
  ];
}

/**
 * Forward against forward+backward of a square float32 matmul of size n: C = A·B (2n³ flops) and
 * C plus `matmul.vjp` (dA = dY·Bᵀ, dB = Aᵀ·dY; 6n³ flops in all), interleaved. Reports GFLOP/s of both
 * and how their time and throughput compare (ideal: 3× the time, the same GFLOP/s).
 */
export async function runMatmulCase(matmul: MatmulImplementation, n: number, budget: MeasureBudget, onProgress?: ProgressCallback): Promise<CaseResult> {
  const label = `matmul ${n}×${n}`;
  const make = (seed: number): Matrix => ({ data: fillUniform(new Float32Array(n * n), seed, 1), dims: [n, n] });
  const a = make(SEED + n);
  const b = make(SEED + n + 1);
  const dy = make(SEED + n + 2);
  onProgress?.({ phase: 'validate', done: 0, total: 1, label });
  const validation = validateMatmul(matmul, a, b, dy, n);
  const timings = await measureInterleaved(
    [
      { name: MATMUL_FORWARD, run: () => matmul(a, b) },
      {
        name: MATMUL_BOTH,
        run: () => {
          const c = matmul(a, b);
          return [c, matmul.vjp(a, b, dy)];
        },
      },
    ],
    budget,
    (done, total) => onProgress?.({ phase: 'measure', done, total, label }),
  );
  const summary = summarizeCase(timings.samplesMs, n * n, MATMUL_FORWARD);
  const forward = summary.find((t) => t.name === MATMUL_FORWARD)!;
  const both = summary.find((t) => t.name === MATMUL_BOTH)!;
  const forwardGflops = (2 * n ** 3) / (forward.medianMs * 1e6);
  const bothGflops = (6 * n ** 3) / (both.medianMs * 1e6);
  return {
    id: `matmul:${n}`,
    label,
    params: { n, flopsForward: 2 * n ** 3, flopsBoth: 6 * n ** 3 },
    elements: n * n,
    baseline: MATMUL_FORWARD,
    timings: summary,
    metrics: [
      metric('gflops:forward', 'forward GFLOP/s', forwardGflops, 'GFLOP/s'),
      metric('gflops:forward+backward', 'forward+backward GFLOP/s', bothGflops, 'GFLOP/s'),
      metric('gflops-ratio', 'forward+backward / forward GFLOP/s', bothGflops / forwardGflops, 'x'),
      timeRatioMetric(summary, MATMUL_BOTH, MATMUL_FORWARD, 'forward+backward / forward time (3× ideal)'),
    ],
    validation,
  };
}
