/** Order statistics of timing samples. Medians and quartiles, never means: timings on a shared machine are skewed by outliers. */

/** Linear-interpolated quantile (the "type 7" definition used by NumPy and R) of an ascending-sorted array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface SampleSummary {
  count: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}

export function summarize(samples: readonly number[]): SampleSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    median: quantileSorted(sorted, 0.5),
    p25: quantileSorted(sorted, 0.25),
    p75: quantileSorted(sorted, 0.75),
    min: sorted.length > 0 ? sorted[0] : Number.NaN,
    max: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
  };
}
