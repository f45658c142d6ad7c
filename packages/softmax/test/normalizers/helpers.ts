/** Test helpers shared by the normalizer tests. */
import { expect } from 'vitest';

/** Deterministic uniform generator in [0, 1) (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n values uniform in [lo, hi). */
export function randomRow(rand: () => number, n: number, lo: number, hi: number): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** Elementwise |got − want| ≤ atol; NaN where want is NaN. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, label = ''): void {
  expect(got.length, `${label} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) {
      expect(got[i], `${label}[${i}]`).toBeNaN();
      continue;
    }
    if (!(Math.abs(got[i] - want[i]) <= atol)) expect.fail(`${label}[${i}]: got ${got[i]}, want ${want[i]} (atol ${atol})`);
  }
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);
