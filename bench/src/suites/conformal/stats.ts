import type { MeanStd } from './illustration-types.js';

/** Mean and sample standard deviation (0 for fewer than two values; mean 0 for none). */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: 0, std: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

/** counts[s] = number of sets of size s, s = 0 … classes. */
export function histogramOf(sets: readonly (readonly number[])[], classes: number): number[] {
  const counts = new Array<number>(classes + 1).fill(0);
  for (const s of sets) counts[Math.min(s.length, classes)]++;
  return counts;
}
