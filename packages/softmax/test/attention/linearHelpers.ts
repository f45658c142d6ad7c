/**
 * Helpers of the linear-attention tests (linearAttention, gla, gatedDeltaNet): seeded tensors, a
 * `Σ dOut ⊙ f(x)` finite-difference check, and deep snapshots to prove inputs are not mutated.
 */
import { expect } from 'vitest';
import { expectClose, numericGradient, rng } from '../ops/helpers.js';

export { expectClose, rng };

/** A float64 tensor of `dims` with entries uniform in [lo, hi). */
export function randTensor(rand: () => number, dims: number[], lo = -1, hi = 1): { data: Float64Array; dims: number[] } {
  const n = dims.reduce((p, d) => p * d, 1);
  return { data: Float64Array.from({ length: n }, () => lo + (hi - lo) * rand()), dims };
}

/** The same tensor as float32. */
export function as32(t: { data: ArrayLike<number>; dims: number[] }): { data: Float32Array; dims: number[] } {
  return { data: Float32Array.from(t.data), dims: [...t.dims] };
}

/** Σ_i w_i·y_i. */
export function weighted(w: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * y[i];
  return s;
}

/**
 * Checks `analytic` against central differences of x ↦ Σ w ⊙ f(x) in float64. The tolerance is
 * relative to the largest gradient entry (finite differences carry O(h²) truncation plus O(ε/h) rounding).
 */
export function expectGradient(f: (x: Float64Array) => ArrayLike<number>, x: Float64Array, w: ArrayLike<number>, analytic: ArrayLike<number>, label: string, rtol = 1e-6, h = 1e-5): void {
  const num = numericGradient((xx) => weighted(w, f(xx)), x, h);
  let scale = 0;
  for (const g of num) scale = Math.max(scale, Math.abs(g));
  expectClose(analytic, num, 0, rtol * Math.max(scale, 1e-3), label);
}

/** Max |a_i − b_i| / max(max|b|, tiny). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-300);
}

/** Copies every typed array reachable in `args` (one level of { data }) for a later {@link expectUnchanged}. */
export function snapshot(...args: ({ data: ArrayLike<number> } | undefined)[]): number[][] {
  return args.map((a) => (a ? Array.from(a.data) : []));
}

export function expectUnchanged(snap: number[][], ...args: ({ data: ArrayLike<number> } | undefined)[]): void {
  args.forEach((a, i) => expect(a ? Array.from(a.data) : []).toEqual(snap[i]));
}
