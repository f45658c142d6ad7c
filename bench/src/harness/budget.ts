/**
 * How long to measure. `quick` is for CI and tests (a few rounds on small inputs), `report` is the
 * modest budget of `npm start` (the whole report in a few minutes on 2 cores), `full` is `npm run bench`.
 */
export type BenchMode = 'quick' | 'report' | 'full';

export interface MeasureBudget {
  /** Wall-clock time for the timed rounds of one case (all implementations together). */
  budgetMs: number;
  /** Wall-clock time for the untimed warm-up of one case. */
  warmupMs: number;
  /** Warm-up calls per implementation, whatever the time (lets the JIT tier up). */
  minWarmupCalls: number;
  /** Timed rounds (one sample per implementation each) at least / at most. */
  minRounds: number;
  maxRounds: number;
  /** Calls faster than this are repeated within one sample so the clock's resolution does not matter. */
  minSampleMs: number;
  /**
   * Within a round, each contender keeps taking samples until they add up to this much timed work, so
   * fast implementations collect many samples while a slow peer sets the pace of the rounds.
   */
  minSliceMs: number;
  /** Collect garbage before each sample, outside the timed region. */
  gcBetweenSamples: boolean;
}

const BUDGETS: Record<BenchMode, MeasureBudget> = {
  quick: { budgetMs: 150, warmupMs: 20, minWarmupCalls: 1, minRounds: 3, maxRounds: 5, minSampleMs: 0.5, minSliceMs: 0, gcBetweenSamples: false },
  report: { budgetMs: 9_000, warmupMs: 400, minWarmupCalls: 2, minRounds: 5, maxRounds: 400, minSampleMs: 2, minSliceMs: 30, gcBetweenSamples: true },
  full: { budgetMs: 20_000, warmupMs: 1_500, minWarmupCalls: 3, minRounds: 10, maxRounds: 2_000, minSampleMs: 5, minSliceMs: 60, gcBetweenSamples: true },
};

export function budgetFor(mode: BenchMode, overrides: Partial<MeasureBudget> = {}): MeasureBudget {
  return { ...BUDGETS[mode], ...overrides };
}

/** Scales the time parts of a budget (a suite whose cases are few but long may want more time each). */
export function scaleBudget(budget: MeasureBudget, factor: number): MeasureBudget {
  return { ...budget, budgetMs: budget.budgetMs * factor, warmupMs: budget.warmupMs * factor };
}
