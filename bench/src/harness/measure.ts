import type { MeasureBudget } from './budget.js';
import { collectGarbage } from './gc.js';
import { summarize } from './stats.js';

/** One implementation taking part in an interleaved measurement. */
export interface Contender {
  name: string;
  /** The timed call. A returned promise is awaited inside the timed region. */
  run: () => unknown;
  /** Untimed hook before every warm-up call and sample (e.g. switching the tfjs backend). */
  beforeSample?: () => void | Promise<void>;
}

export interface InterleavedTimings {
  /** Per-call times in milliseconds, one entry per sample, by contender name. */
  samplesMs: Map<string, number[]>;
  /** Calls per sample, chosen during warm-up so that a sample lasts at least `minSampleMs`. */
  callsPerSample: Map<string, number>;
  rounds: number;
}

/** Called after each timed round with the rounds done and the current estimate of the total. */
export type RoundCallback = (done: number, expected: number) => void;

/** Keeps results reachable so no engine can consider the timed calls dead. */
let sink: unknown;
export function lastSink(): unknown {
  return sink;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Times `calls` back-to-back calls and returns milliseconds per call. */
async function timeCalls(contender: Contender, calls: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const result = contender.run();
    sink = isThenable(result) ? await result : result;
  }
  const end = process.hrtime.bigint();
  return Number(end - start) / 1e6 / calls;
}

function elapsedMs(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

/** Warm-up in round-robin order; returns the median warm-up call time per contender. */
async function warmUp(contenders: readonly Contender[], budget: MeasureBudget): Promise<Map<string, number>> {
  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const start = process.hrtime.bigint();
  let calls = 0;
  while (calls < budget.minWarmupCalls || elapsedMs(start) < budget.warmupMs) {
    for (const contender of contenders) {
      await contender.beforeSample?.();
      times.get(contender.name)!.push(await timeCalls(contender, 1));
    }
    calls++;
  }
  return new Map([...times].map(([name, t]) => [name, summarize(t).median]));
}

/**
 * Measures several implementations of the same operation in one process, interleaved: every round
 * takes a slice of samples of each (one sample, or more until `minSliceMs` of work), with the starting
 * contender rotating from round to round, so drifts of a shared, noisy machine (frequency, other
 * tenants, heap state) hit all of them alike.
 * Rounds continue until the budget is spent (and at least `minRounds`, at most `maxRounds`).
 */
export async function measureInterleaved(
  contenders: readonly Contender[],
  budget: MeasureBudget,
  onRound?: RoundCallback,
): Promise<InterleavedTimings> {
  const warmMedians = await warmUp(contenders, budget);
  const callsPerSample = new Map<string, number>();
  for (const c of contenders) {
    // Without warm-up calls (minWarmupCalls = 0, warmupMs = 0: calls long enough that the caller already
    // ran each once) there is no estimate, and a sample is one call.
    const warm = warmMedians.get(c.name) ?? Number.NaN;
    const perCall = Number.isFinite(warm) ? Math.max(warm, 1e-6) : Infinity;
    callsPerSample.set(c.name, Math.max(1, Math.ceil(budget.minSampleMs / perCall)));
  }
  const samplesMs = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const start = process.hrtime.bigint();
  let rounds = 0;
  let expected = budget.minRounds;
  while (rounds < budget.maxRounds && (rounds < budget.minRounds || elapsedMs(start) < budget.budgetMs)) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(i + rounds) % contenders.length];
      const calls = callsPerSample.get(contender.name)!;
      const samples = samplesMs.get(contender.name)!;
      let sliceMs = 0;
      do {
        await contender.beforeSample?.();
        if (budget.gcBetweenSamples) collectGarbage();
        const perCall = await timeCalls(contender, calls);
        samples.push(perCall);
        sliceMs += perCall * calls;
      } while (sliceMs < budget.minSliceMs);
    }
    rounds++;
    const perRound = elapsedMs(start) / rounds;
    expected = Math.min(budget.maxRounds, Math.max(budget.minRounds, rounds, Math.ceil(budget.budgetMs / perRound)));
    onRound?.(rounds, expected);
  }
  return { samplesMs, callsPerSample, rounds };
}
