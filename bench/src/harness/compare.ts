import { summarize } from './stats.js';

/** Timing summary of one implementation in one case. */
export interface ImplTiming {
  name: string;
  samples: number;
  medianMs: number;
  p25Ms: number;
  p75Ms: number;
  minMs: number;
  /** Median time per element processed, in nanoseconds. */
  nsPerElement: number;
  /** Median time divided by the baseline's median time (>1: slower than the baseline). */
  timeVsBaseline: number;
}

/**
 * Summarises per-call samples into medians, quartiles and ns/element, each relative to `baseline`
 * (which must be one of the names). Order follows `samplesMs`.
 */
export function summarizeCase(samplesMs: ReadonlyMap<string, readonly number[]>, elements: number, baseline: string): ImplTiming[] {
  const base = samplesMs.get(baseline);
  if (base === undefined) throw new Error(`baseline "${baseline}" was not measured`);
  const baseMedian = summarize(base).median;
  return [...samplesMs].map(([name, samples]) => {
    const s = summarize(samples);
    return {
      name,
      samples: s.count,
      medianMs: s.median,
      p25Ms: s.p25,
      p75Ms: s.p75,
      minMs: s.min,
      nsPerElement: (s.median * 1e6) / elements,
      timeVsBaseline: s.median / baseMedian,
    };
  });
}

/** How many times faster `subject` is than `reference` (ratio of median times); NaN if either is missing. */
export function speedup(timings: readonly ImplTiming[], subject: string, reference: string): number {
  const s = timings.find((t) => t.name === subject);
  const r = timings.find((t) => t.name === reference);
  if (s === undefined || r === undefined) return Number.NaN;
  return r.medianMs / s.medianMs;
}

/** Ratio of median times `subject / reference` (e.g. our time over the copy floor's); NaN if missing. */
export function timeRatio(timings: readonly ImplTiming[], subject: string, reference: string): number {
  return 1 / speedup(timings, subject, reference);
}
