/**
 * Shared helpers of the ops tests: independent float64 formulas (never the library), a seeded PRNG,
 * tensor gathering by explicit strides, tolerance assertions and error capture.
 */
import { expect } from 'vitest';
import { SoftmaxError, setBackend } from '../../src/index.js';
import type { SoftmaxErrorCode } from '../../src/index.js';

/**
 * Independent softmax in float64: y_i = 1 / Σ_j exp((x_j − x_i)/τ). No max subtraction and no shared
 * normaliser, so it shares no code path with the library's kernels; it is accurate to a few ulps for
 * finite rows (each term is exact up to the rounding of x_j − x_i). −∞ entries give 0 naturally
 * (exp(+∞) in the sum); an all-(−∞) row gives NaN. For finite rows only, plus −∞ entries.
 */
export function refSoftmax(x: ArrayLike<number>, tau = 1): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (x[i] === -Infinity) continue; // exp(−∞) = 0 over a positive sum
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp((x[j] - x[i]) / tau);
    y[i] = 1 / sum;
  }
  // A row with no entry above −∞ has no distribution: NaN (PyTorch).
  if (n > 0 && Array.prototype.every.call(x, (v: number) => v === -Infinity)) y.fill(NaN);
  return y;
}

/** Independent log-softmax: y_i = −log Σ_j exp((x_j − x_i)/τ) (the log of refSoftmax's denominator). */
export function refLogSoftmax(x: ArrayLike<number>, tau = 1): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (x[i] === -Infinity) {
      y[i] = -Infinity;
      continue;
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp((x[j] - x[i]) / tau);
    y[i] = -Math.log(sum);
  }
  return y;
}

/** log Σ exp(x_i/τ) by the textbook shifted formula m + log Σ exp(x_i/τ − m), m = max x_i/τ. */
export function refLogSumExp(x: ArrayLike<number>, tau = 1): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i] / tau);
  if (m === -Infinity || m === Infinity || Number.isNaN(m)) return m;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i] / tau - m);
  return m + Math.log(sum);
}

/** Deterministic PRNG (mulberry32) so the non-property tests are reproducible. */
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

/** n uniform values in [lo, hi). */
export function uniform(rand: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** C-order strides of a shape. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * dims[i + 1];
  return strides;
}

/** One line along `axis` of a C-ordered tensor: its flat offsets, and the index of the other axes. */
export interface Line {
  /** Flat offsets of the line's elements, in axis order. */
  offsets: number[];
  /** The multi-index with the axis entry set to 0. */
  index: number[];
}

/** Every line along `axis` (0 ≤ axis < rank), in C order of the remaining axes. */
export function linesAlong(dims: readonly number[], axis: number): Line[] {
  const strides = stridesOf(dims);
  const others = dims.map((_, i) => i).filter((i) => i !== axis);
  const lines: Line[] = [];
  const total = others.reduce((p, i) => p * dims[i], 1);
  for (let k = 0; k < total; k++) {
    const index = new Array<number>(dims.length).fill(0);
    let rest = k;
    for (let j = others.length - 1; j >= 0; j--) {
      index[others[j]] = rest % dims[others[j]];
      rest = Math.floor(rest / dims[others[j]]);
    }
    const base = index.reduce((p, v, i) => p + v * strides[i], 0);
    const offsets = Array.from({ length: dims[axis] }, (_, j) => base + j * strides[axis]);
    lines.push({ offsets, index });
  }
  return lines;
}

export function pick(data: ArrayLike<number>, offsets: readonly number[]): number[] {
  return offsets.map((o) => data[o]);
}

/**
 * Asserts |got_i − want_i| ≤ rtol·|want_i| + atol elementwise; NaN must match NaN, ±∞ must match
 * exactly. The message names the first offending index.
 */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol = 0, label = ''): void {
  expect(got.length, `${label} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      expect(g, `${label}[${i}]`).toBe(w);
      continue;
    }
    const tol = rtol * Math.abs(w) + atol;
    if (!(Math.abs(g - w) <= tol)) {
      expect.fail(`${label}[${i}]: got ${g}, want ${w} (|diff| ${Math.abs(g - w)} > tol ${tol})`);
    }
  }
}

/** The same check for one number. */
export function expectNear(got: number, want: number, rtol: number, atol = 0, label = ''): void {
  expectClose([got], [want], rtol, atol, label);
}

/** Runs `run`, requires a SoftmaxError with `code`, whose message and `.argument` mention `argument`. */
export function expectSoftmaxError(run: () => unknown, code: SoftmaxErrorCode, argument: string): SoftmaxError {
  let caught: unknown = undefined;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a SoftmaxError ${code} naming ${argument}`).toBeInstanceOf(SoftmaxError);
  const err = caught as SoftmaxError;
  expect(err.code).toBe(code);
  expect(err.message).toContain(argument);
  expect(err.argument ?? '').toContain(argument);
  return err;
}

/** The three ways a float row can be computed: float64, float32 on WebAssembly, float32 on the reference. */
export type Variant = 'float64' | 'float32-wasm' | 'float32-reference';
export const VARIANTS: readonly Variant[] = ['float64', 'float32-wasm', 'float32-reference'];

/** Selects the backend of a variant (the float64 path ignores it). Restore with `setBackend('auto')`. */
export function useVariant(v: Variant): void {
  setBackend(v === 'float32-reference' ? 'reference' : 'auto');
}

export function arrayOf(v: Variant, values: ArrayLike<number>): Float32Array | Float64Array {
  return v === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
}

/** Values as the variant stores them (float32 rounding for the float32 variants). */
export function rounded(v: Variant, values: ArrayLike<number>): number[] {
  return Array.from(values, (x) => (v === 'float64' ? x : Math.fround(x)));
}

/** Central difference (f(x + h·e_j) − f(x − h·e_j)) / 2h of f at x along every coordinate, in float64. */
export function numericGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const xp = x.slice();
    const xm = x.slice();
    xp[j] += h;
    xm[j] -= h;
    g[j] = (f(xp) - f(xm)) / (2 * h);
  }
  return g;
}
