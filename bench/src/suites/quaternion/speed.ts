import { createRng, noGrad, Variable } from 'softmax';
import type { BenchMode, MeasureBudget } from '../../harness/budget.js';
import { summarizeCase } from '../../harness/compare.js';
import { measureInterleaved, type Contender } from '../../harness/measure.js';
import type { CaseResult, Metric } from '../../results/result-types.js';
import { quaternionAttention, QuaternionTransformerBlock, type QuaternionAttentionVariant } from 'softmax';
import type { SpeedRow } from './illustration-types.js';

/** The paper's bottleneck set-up: 2 layers, 4 heads, d_model 64 (16 quaternion units, d_h = 4). */
export const SPEED_MODEL = { dModel: 64, heads: 4, layers: 2 } as const;
/** Reduction of attention time the paper reports on a CPU (58.1 %), the target at L ≥ 1000. */
export const TARGET_REDUCTION = 0.58;
const TARGET_FROM_LENGTH = 1000;

export function speedLengths(mode: BenchMode): number[] {
  return mode === 'quick' ? [32, 96] : [100, 1100, 2048, 8192];
}

/** Whether the 2-block model is timed at this length (the 8192 model case only in full mode: ~15 s per call pair). */
export function modelTimedAt(mode: BenchMode, length: number): boolean {
  return mode === 'full' || length <= 2048;
}

function input(length: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: length * SPEED_MODEL.dModel }, () => rng.normal());
}

/** Long calls: 2–5 rounds by call time, no warm-up beyond the untimed calls (as the attention suite does). */
function budgetFor(budget: MeasureBudget, slowestMs: number): MeasureBudget {
  if (slowestMs < 200) return { ...budget, budgetMs: budget.budgetMs / 3, warmupMs: budget.warmupMs / 2 };
  const rounds = slowestMs > 3000 ? 2 : slowestMs > 1000 ? 3 : 5;
  return { ...budget, minWarmupCalls: 0, warmupMs: 0, minRounds: rounds, maxRounds: rounds, minSliceMs: 0, budgetMs: 0 };
}

function contenders(scope: SpeedRow['scope'], length: number): Contender[] {
  const { dModel, heads, layers } = SPEED_MODEL;
  const dims = [1, length, dModel];
  if (scope === 'attention') {
    const q = { data: input(length, 1), dims };
    const k = { data: input(length, 2), dims };
    const v = { data: input(length, 3), dims };
    return (['componentwise', 'shared'] as const).map((variant) => ({ name: variant, run: () => quaternionAttention(q, k, v, { variant, heads }).output.data }));
  }
  const x = new Variable(input(length, 4), dims);
  return (['componentwise', 'shared'] as const).map((variant: QuaternionAttentionVariant) => {
    // Same seed, so both models hold the same weights; non-causal, as in speech enhancement.
    const rng = createRng(7);
    const blocks = Array.from({ length: layers }, () => new QuaternionTransformerBlock(dModel, heads, { variant, causal: false, rng }));
    blocks.forEach((b) => b.eval());
    return { name: variant, run: () => noGrad(() => blocks.reduce((h, b) => b.forward(h), x)).data };
  });
}

/**
 * Inference time of component-wise vs shared quaternion attention, float32, batch 1, in one process,
 * interleaved (medians): the attention op of one layer alone, and 2 pre-norm quaternion blocks
 * (projections, attention, MLP). Returns the rows of the report and standard case results.
 */
export async function runSpeed(mode: BenchMode, budget: MeasureBudget, onCase: (label: string) => void): Promise<{ rows: SpeedRow[]; cases: CaseResult[] }> {
  const rows: SpeedRow[] = [];
  const cases: CaseResult[] = [];
  for (const length of speedLengths(mode)) {
    for (const scope of ['attention', 'model'] as const) {
      if (scope === 'model' && !modelTimedAt(mode, length)) continue;
      const label = `${scope === 'attention' ? 'attention op' : `${SPEED_MODEL.layers} quaternion blocks`}, L = ${length}`;
      onCase(label);
      const cs = contenders(scope, length);
      // Untimed calls: the first compiles; a second (when the first took < 1 s) gives the per-call estimate.
      let slowest = 0;
      for (const c of cs) {
        let t0 = performance.now();
        c.run();
        let took = performance.now() - t0;
        if (took < 1000) {
          t0 = performance.now();
          c.run();
          took = performance.now() - t0;
        }
        slowest = Math.max(slowest, took);
      }
      const timings = await measureInterleaved(cs, budgetFor(budget, slowest));
      const summary = summarizeCase(timings.samplesMs, length * SPEED_MODEL.dModel, 'componentwise');
      const median = (name: string): number => summary.find((t) => t.name === name)!.medianMs;
      const reduction = 1 - median('shared') / median('componentwise');
      const target = scope === 'attention' && length >= TARGET_FROM_LENGTH && mode !== 'quick' ? TARGET_REDUCTION : undefined;
      rows.push({ length, scope, sharedMs: median('shared'), componentwiseMs: median('componentwise'), reduction, target });
      const metric: Metric = { id: 'reduction', label: 'time saved by shared scores', value: reduction, unit: 'number' };
      if (target !== undefined) {
        metric.target = { op: '>=', value: target };
        metric.pass = reduction >= target;
      }
      cases.push({ id: `${scope}-${length}`, label, params: { length }, elements: length * SPEED_MODEL.dModel, baseline: 'componentwise', timings: summary, metrics: [metric], validation: [] });
    }
  }
  return { rows, cases };
}
