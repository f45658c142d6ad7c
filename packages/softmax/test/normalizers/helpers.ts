/** Test helpers shared by the normalizer tests. */
import { expect } from 'vitest';
import { rng } from '../ops/helpers.js';

export { rng };

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
