import { fail } from '../../tensor/errors.js';

/** A learning-rate schedule: the rate at optimisation step t (0-based). */
export type LearningRateSchedule = (step: number) => number;

function positive(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail('E_PARAM', name, 'a finite number ≥ 0', value);
  return value;
}

/** The same rate at every step. */
export function constantSchedule(rate: number): LearningRateSchedule {
  positive(rate, 'rate');
  return () => rate;
}

export interface CosineScheduleOptions {
  /** Peak learning rate (reached at the end of warm-up). */
  rate: number;
  /** Total number of steps (the cosine reaches `minRate` here and stays). */
  steps: number;
  /** Linear warm-up steps from 0 to `rate` (default 0). */
  warmup?: number;
  /** Floor of the decay (default 0). */
  minRate?: number;
}

/**
 * Linear warm-up then cosine decay (Loshchilov & Hutter 2017, without restarts):
 * η_t = η·(t+1)/W for t < W; then η_min + ½(η − η_min)(1 + cos(π·(t − W)/(T − W))), η_min after T.
 */
export function cosineSchedule(options: CosineScheduleOptions): LearningRateSchedule {
  const rate = positive(options.rate, 'rate');
  const steps = positive(options.steps, 'steps');
  const warmup = positive(options.warmup ?? 0, 'warmup');
  const minRate = positive(options.minRate ?? 0, 'minRate');
  if (warmup > steps) fail('E_PARAM', 'warmup', `at most steps (${steps})`, warmup);
  return (t) => {
    if (t < warmup) return (rate * (t + 1)) / warmup;
    if (t >= steps) return minRate;
    const progress = (t - warmup) / Math.max(1, steps - warmup);
    return minRate + 0.5 * (rate - minRate) * (1 + Math.cos(Math.PI * progress));
  };
}

/** Linear warm-up to `rate` over `warmup` steps, then constant. */
export function warmupSchedule(rate: number, warmup: number): LearningRateSchedule {
  positive(rate, 'rate');
  positive(warmup, 'warmup');
  return (t) => (t < warmup ? (rate * (t + 1)) / warmup : rate);
}
