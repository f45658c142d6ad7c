import os from 'node:os';
import type { MeasureBudget } from '../../harness/budget.js';
import { summarizeCase } from '../../harness/compare.js';
import type { ImplTiming } from '../../harness/compare.js';
import { measureInterleaved } from '../../harness/measure.js';
import type { Contender } from '../../harness/measure.js';
import type { ProgressCallback } from '../../harness/progress.js';
import type { AttentionPeer, AttentionProblem } from '../../peers/attention-peer.js';
import type { MemoryMeasurement, ValidationCheck } from '../../results/result-types.js';
import { maxAbsDiff } from '../validate.js';
import { probeCall } from './memory.js';
import { attentionFlops } from './problems.js';
import { maxDiffOnSampledRows } from './reference.js';

/** A peer's last measured call, to predict its time at the next size from the flops. */
export interface CallRecord {
  ms: number;
  flops: number;
}

export interface AttentionCaseSpec {
  label: string;
  problem: AttentionProblem;
  peers: readonly AttentionPeer[];
  /** Every other output is checked against this one's; it is the timing baseline. */
  baseline: string;
  budget: MeasureBudget;
  maxCallMs: number;
  /** The same limit for the baseline (ours: the subject of the suite may take longer than a peer). */
  baselineMaxCallMs: number;
  /** Largest |Δ| of a peer's output against ours. */
  tolerance: number;
  /** Largest |Δ| of ours against the float64 reference on sampled rows. */
  referenceTolerance: number;
  /** Per peer name, carried across cases of one kind (grows with the size). */
  history: Map<string, CallRecord>;
  /**
   * Peers that hold the [batch, heads, lq, lk] scores (and their softmax) in memory: not run when
   * the machine has less free memory than three such matrices plus a margin.
   */
  materialising: ReadonlySet<string>;
  /** Record each peer's first call in a fresh session as a memory measurement. */
  measureMemory: boolean;
  onProgress?: ProgressCallback;
}

export interface AttentionCaseOutcome {
  timings: ImplTiming[];
  validation: ValidationCheck[];
  /** Peers that threw in setup ("did not load: …", e.g. an ONNX op the build lacks) or in their first call ("failed: …"). */
  failures: Map<string, string>;
  /** Peers left out at this size because one call would take too long, with the reason. */
  skipped: Map<string, string>;
  memory: MemoryMeasurement[];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const check = (name: string, against: string, diff: number, tolerance: number): ValidationCheck => ({ name, against, maxAbsDiff: diff, tolerance, ok: diff <= tolerance });
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const MEMORY_MARGIN_BYTES = 1024 ** 3;

/**
 * A budget for calls of `slowestMs`: long calls get three rounds and no further warm-up beyond the
 * untimed validation call every peer already made (a call of a second or more is long past JIT
 * tier-up), so an 8192-long case costs four calls per peer.
 */
function budgetForCalls(budget: MeasureBudget, slowestMs: number): MeasureBudget {
  if (slowestMs < 200) return budget;
  const warmup = slowestMs < 1000 ? { minWarmupCalls: 1, warmupMs: 0 } : { minWarmupCalls: 0, warmupMs: 0 };
  return { ...budget, ...warmup, minRounds: Math.min(budget.minRounds, 3), minSliceMs: 0, budgetMs: Math.min(budget.budgetMs, slowestMs * 3) };
}

/**
 * One attention case: set each peer up, run it once outside timing (its memory probe and its output
 * check), skip the peers whose call is too long for the budget, then measure the rest interleaved.
 */
export async function runAttentionCase(spec: AttentionCaseSpec): Promise<AttentionCaseOutcome> {
  const { problem, label, onProgress } = spec;
  const flops = attentionFlops(problem);
  const failures = new Map<string, string>();
  const skipped = new Map<string, string>();
  const memory: MemoryMeasurement[] = [];
  const outputs = new Map<string, Float32Array>();
  const active: AttentionPeer[] = [];
  const callMs = new Map<string, number>();
  try {
    for (const [i, peer] of spec.peers.entries()) {
      onProgress?.({ phase: 'validate', done: i, total: spec.peers.length, label: `${label} · ${peer.name}` });
      if (peer.name !== spec.baseline && (!outputs.has(spec.baseline) || skipped.has(spec.baseline))) {
        skipped.set(peer.name, `not run: ${spec.baseline} (the baseline) was not timed at this size`);
        continue;
      }
      const limit = peer.name === spec.baseline ? spec.baselineMaxCallMs : spec.maxCallMs;
      const last = spec.history.get(peer.name);
      if (last !== undefined) {
        const predicted = (last.ms * flops) / last.flops;
        if (predicted > limit) {
          skipped.set(peer.name, `not run: one call would take about ${seconds(predicted)} (from ${seconds(last.ms)} at ${(flops / last.flops).toFixed(0)}× fewer flops), over the ${seconds(limit)} limit of this mode`);
          continue;
        }
      }
      const scoresBytes = problem.batch * problem.heads * problem.lq * problem.lk * 4;
      if (spec.materialising.has(peer.name) && os.freemem() < 3 * scoresBytes + MEMORY_MARGIN_BYTES) {
        skipped.set(peer.name, `not run: it materialises ${(scoresBytes / 2 ** 30).toFixed(1)} GiB score matrices and only ${(os.freemem() / 2 ** 30).toFixed(1)} GiB are free`);
        continue;
      }
      try {
        await peer.setup(problem);
        active.push(peer);
      } catch (error) {
        failures.set(peer.name, `did not load: ${message(error)}`);
        continue;
      }
      try {
        await peer.beforeRun?.();
        const start = performance.now();
        const { result, memory: m } = await probeCall(peer.name, () => peer.run(problem));
        const ms = performance.now() - start;
        callMs.set(peer.name, ms);
        spec.history.set(peer.name, { ms, flops });
        if (spec.measureMemory) memory.push(m);
        outputs.set(peer.name, (peer.toStandard?.(result, problem) ?? result).slice());
        if (ms > limit) skipped.set(peer.name, `ran once (${seconds(ms)}, validated) but not timed: over the ${seconds(limit)} limit of this mode`);
      } catch (error) {
        failures.set(peer.name, `failed: ${message(error)}`);
      }
    }

    const expected = outputs.get(spec.baseline);
    const validation: ValidationCheck[] = [];
    if (expected !== undefined) {
      validation.push(check(spec.baseline, 'float64 reference (8 rows per head)', maxDiffOnSampledRows(problem, expected), spec.referenceTolerance));
      for (const [name, got] of outputs) if (name !== spec.baseline) validation.push(check(name, spec.baseline, maxAbsDiff(got, expected), spec.tolerance));
    }
    outputs.clear();

    const timed = active.filter((p) => !failures.has(p.name) && !skipped.has(p.name));
    if (!timed.some((p) => p.name === spec.baseline)) return { timings: [], validation, failures, skipped, memory };
    const contenders: Contender[] = timed.map((peer) => ({ name: peer.name, run: () => peer.run(problem), beforeSample: peer.beforeRun?.bind(peer) }));
    const slowest = Math.max(...timed.map((p) => callMs.get(p.name) ?? 0));
    const measured = await measureInterleaved(contenders, budgetForCalls(spec.budget, slowest), (done, total) => onProgress?.({ phase: 'measure', done, total, label }));
    const timings = summarizeCase(measured.samplesMs, problem.batch * problem.heads * problem.lq * problem.lk, spec.baseline);
    // Predict the next size from the warm median, not from the first call (which includes compilation).
    for (const t of timings) spec.history.set(t.name, { ms: t.medianMs, flops });
    return { timings, validation, failures, skipped, memory };
  } finally {
    for (const peer of active) await peer.dispose();
  }
}
