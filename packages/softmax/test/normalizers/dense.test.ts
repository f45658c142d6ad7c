/**
 * The dense row mappings built on defineMapping: softpick, clippedSoftmax, scalableSoftmax, stableMax,
 * selfAdjustSoftmax, adaptiveTemperatureSoftmax.
 *
 * Expected values come from the independent float64 formulas below (direct transcriptions of each
 * paper's formula: no max subtraction, no shared code with src/), from refSoftmax of ../ops/helpers.ts,
 * or are derived by hand where noted. Backward passes are checked against central finite differences of
 * those independent formulas (h = 1e-6, tolerance 1e-6 relative to the gradient's scale), away from kinks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adaptiveTemperatureSoftmax, VELICKOVIC_COEFFICIENTS } from '../../src/normalizers/adaptiveTemperatureSoftmax.js';
import { clippedSoftmax } from '../../src/normalizers/clippedSoftmax.js';
import { scalableSoftmax } from '../../src/normalizers/scalableSoftmax.js';
import { selfAdjustSoftmax } from '../../src/normalizers/selfAdjustSoftmax.js';
import { softmax } from '../../src/normalizers/softmax.js';
import { softpick } from '../../src/normalizers/softpick.js';
import { stableMax } from '../../src/normalizers/stableMax.js';
import type { Input } from '../../src/tensor/types.js';
import { numericGradient, expectClose, expectSoftmaxError, linesAlong, pick, refSoftmax, rng, uniform } from '../ops/helpers.js';

const RUNS = { numRuns: 40, seed: Number(process.env.FC_SEED ?? 20250101) };
const NINF = -Infinity;

// ---------------------------------------------------------------------------------------------------
// Independent formulas (float64, straight from the papers; fine for |z| ≲ 30).
// ---------------------------------------------------------------------------------------------------

/** Softpick: ReLU(e^z − 1)/(Σ_{finite}|e^z − 1| + ε) (−∞ left out of the sum, as the authors' code). */
function refSoftpick(z: readonly number[], eps = 1e-8): number[] {
  let den = eps;
  for (const v of z) if (v !== NINF) den += Math.abs(Math.exp(v) - 1);
  return z.map((v) => (v > 0 ? (Math.exp(v) - 1) / den : 0));
}

function refClipped(z: readonly number[], zeta: number, gamma: number): number[] {
  return Array.from(refSoftmax(z), (p) => Math.min(1, Math.max(0, (zeta - gamma) * p + gamma)));
}

function refScalable(z: readonly number[], s: number, length?: number): number[] {
  const count = z.filter((v) => v !== NINF).length;
  const a = s * Math.log(length ?? count);
  return Array.from(refSoftmax(z.map((v) => (v === NINF ? NINF : a * v))));
}

function refStableMax(z: readonly number[]): number[] {
  const S = z.map((t) => (t === NINF ? 0 : t >= 0 ? t + 1 : 1 / (1 - t)));
  const d = S.reduce((a, b) => a + b, 0);
  return S.map((v) => v / d);
}

function refSelfAdjust(z: readonly number[], normalized: boolean): number[] {
  const p = refSoftmax(z);
  if (!normalized) return z.map((v, i) => (v === NINF ? 0 : v * p[i]));
  const finite = z.filter((v) => v !== NINF);
  const lo = Math.min(Math.min(...finite), 0);
  const hi = Math.max(0, Math.max(...finite));
  return z.map((v, i) => (v === NINF || hi === lo ? 0 : ((v - lo) / (hi - lo)) * p[i]));
}

function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

/** The paper's JAX listing (with the exact entropy): β = H > 0.5 ? max(polyval(c, H), 1) : 1. */
function refAdaptiveBeta(z: readonly number[]): number {
  const h = entropy(refSoftmax(z));
  const [c4, c3, c2, c1, c0] = [-0.037, 0.481, -2.3, 4.917, -1.791];
  const poly = c4 * h ** 4 + c3 * h ** 3 + c2 * h ** 2 + c1 * h + c0;
  return h > 0.5 ? Math.max(poly, 1) : 1;
}

function refAdaptive(z: readonly number[]): number[] {
  const b = refAdaptiveBeta(z);
  return Array.from(refSoftmax(z.map((v) => b * v)));
}

/** Plain bisection (no Newton) for H(softmax(βz)) = target on β ∈ [0, 1e4]. */
function refTargetBeta(z: readonly number[], target: number): number {
  let lo = 0;
  let hi = 1e4;
  for (let k = 0; k < 200; k++) {
    const mid = 0.5 * (lo + hi);
    if (entropy(refSoftmax(z.map((v) => mid * v))) > target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// ---------------------------------------------------------------------------------------------------
// Finite differences.
// ---------------------------------------------------------------------------------------------------

const H = 1e-6;


function expectGradient(got: ArrayLike<number>, fd: ArrayLike<number>, label: string, rtol = 1e-6): void {
  expect(got.length, label).toBe(fd.length);
  let scale = 0;
  for (let j = 0; j < fd.length; j++) scale = Math.max(scale, Math.abs(fd[j]));
  for (let j = 0; j < fd.length; j++) {
    const tol = rtol * (Math.abs(fd[j]) + scale) + 1e-10;
    if (!(Math.abs(got[j] - fd[j]) <= tol)) expect.fail(`${label}[${j}]: vjp ${got[j]}, finite difference ${fd[j]} (tol ${tol})`);
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function alongAxis(data: ArrayLike<number>, dims: number[], axis: number, f: (row: number[]) => ArrayLike<number>): Float64Array {
  const out = new Float64Array(data.length);
  for (const line of linesAlong(dims, axis)) {
    const r = f(pick(data, line.offsets));
    line.offsets.forEach((o, j) => (out[o] = r[j]));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The cases.
// ---------------------------------------------------------------------------------------------------

type Tensor = { data: Float64Array | Float32Array; dims: number[] };
type AnyMapping = ((x: Input, o?: object) => unknown) & { vjp: (y: Input, dy: Input, o?: object) => unknown };

interface Case {
  name: string;
  fn: AnyMapping;
  opts: Record<string, unknown>;
  /** Independent forward on z = x/τ. */
  ref: (z: readonly number[]) => number[];
  /** A random row away from the mapping's kinks. */
  row: (rand: () => number, n: number) => number[];
  /** The vjp needs opts.x. */
  needsX: boolean;
  /** What a fully masked row gives. */
  fullyMasked?: 'zero' | 'nan';
}

/** Distinct values in ±[lo, hi] (no ties, no value near 0): away from every kink of the mappings. */
function awayFromKinks(rand: () => number, n: number, lo = 0.2, hi = 3): number[] {
  for (;;) {
    const r = Array.from({ length: n }, () => (rand() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rand()));
    const sorted = [...r].sort((a, b) => a - b);
    if (sorted.every((v, i) => i === 0 || v - sorted[i - 1] > 1e-3)) return r;
  }
}

const GAMMA = -0.05;

/** A row for clipped softmax whose pre-clip values stay ≥ 1e-4 from the clip boundaries 0 and 1. */
function clippedRow(rand: () => number, n: number): number[] {
  if (n === 1) return [rand()]; // softmax is 1: the pre-clip value is exactly 1 − γ + γ = 1 (gradient 0 anyway)
  for (;;) {
    const r = uniform(rand, n, -3, 3);
    const pre = Array.from(refSoftmax(r), (p) => (1 - GAMMA) * p + GAMMA);
    if (pre.every((v) => Math.abs(v) > 1e-4 && Math.abs(v - 1) > 1e-4)) return r;
  }
}

/** A row away from the adaptive rule's kinks: H = 0.5 (threshold) and poly(H) = 1 (the max with 1). */
function adaptiveRow(rand: () => number, n: number): number[] {
  for (;;) {
    const r = uniform(rand, n, -3, 3);
    const h = entropy(refSoftmax(r));
    const poly = VELICKOVIC_COEFFICIENTS.reduce((acc, c) => acc * h + c, 0);
    if (Math.abs(h - 0.5) > 1e-3 && Math.abs(poly - 1) > 1e-3) return r;
  }
}

function refAdaptiveTarget(target: number): (z: readonly number[]) => number[] {
  return (z) => {
    const b = refTargetBeta(z, target);
    return Array.from(refSoftmax(z.map((v) => b * v)));
  };
}

const CASES: Case[] = [
  { name: 'softpick', fn: softpick as AnyMapping, opts: {}, ref: (z) => refSoftpick(z), row: awayFromKinks, needsX: true, fullyMasked: 'zero' },
  { name: 'softpick eps=1e-3', fn: softpick as AnyMapping, opts: { eps: 1e-3 }, ref: (z) => refSoftpick(z, 1e-3), row: awayFromKinks, needsX: true, fullyMasked: 'zero' },
  { name: 'clippedSoftmax γ=−0.05', fn: clippedSoftmax as AnyMapping, opts: { gamma: GAMMA }, ref: (z) => refClipped(z, 1, GAMMA), row: clippedRow, needsX: true },
  { name: 'clippedSoftmax ζ=1.2', fn: clippedSoftmax as AnyMapping, opts: { zeta: 1.2, gamma: 0 }, ref: (z) => refClipped(z, 1.2, 0), row: (r, n) => uniform(r, n, -3, 3), needsX: true },
  { name: 'scalableSoftmax s=0.8', fn: scalableSoftmax as AnyMapping, opts: { s: 0.8 }, ref: (z) => refScalable(z, 0.8), row: (r, n) => uniform(r, n, -3, 3), needsX: false },
  { name: 'stableMax', fn: stableMax as AnyMapping, opts: {}, ref: refStableMax, row: (r, n) => awayFromKinks(r, n, 1e-3, 4), needsX: true },
  { name: 'selfAdjustSoftmax', fn: selfAdjustSoftmax as AnyMapping, opts: {}, ref: (z) => refSelfAdjust(z, false), row: (r, n) => uniform(r, n, -3, 3), needsX: true },
  { name: 'selfAdjustSoftmax normalized', fn: selfAdjustSoftmax as AnyMapping, opts: { normalized: true }, ref: (z) => refSelfAdjust(z, true), row: (r, n) => awayFromKinks(r, n, 0.05, 3), needsX: true },
  { name: 'adaptiveTemperatureSoftmax (full gradient)', fn: adaptiveTemperatureSoftmax as AnyMapping, opts: { gradient: 'full' }, ref: refAdaptive, row: adaptiveRow, needsX: true },
  { name: 'adaptiveTemperatureSoftmax targetEntropy 0.6', fn: adaptiveTemperatureSoftmax as AnyMapping, opts: { targetEntropy: 0.6, gradient: 'full' }, ref: refAdaptiveTarget(0.6), row: (r, n) => uniform(r, n, -3, 3), needsX: true },
];

const LENGTHS = [1, 2, 3, 7, 16];

describe.each(CASES)('$name', ({ fn, opts, ref, row, needsX, fullyMasked = 'nan' }) => {
  it('matches the independent formula on random rows of several lengths and temperatures', () => {
    const rand = rng(11);
    for (const n of LENGTHS) {
      for (const temperature of [1, 0.7]) {
        const x = row(rand, n);
        const y = fn(Float64Array.from(x), { ...opts, temperature }) as Float64Array;
        expect(y).toBeInstanceOf(Float64Array);
        expectClose(y, ref(x.map((v) => v / temperature)), 1e-12, 1e-15, `n=${n} τ=${temperature}`);
      }
    }
  });

  it.each(LENGTHS)('vjp matches finite differences on a row of length %i', (n) => {
    const rand = rng(1000 + n);
    const x = Float64Array.from(row(rand, n));
    const dy = Float64Array.from(uniform(rand, n, -1, 1));
    for (const temperature of [1, 0.7]) {
      const o = { ...opts, temperature };
      const y = fn(x, o) as Float64Array;
      const dx = fn.vjp(y, dy, { ...o, x }) as Float64Array;
      expect(dx).toBeInstanceOf(Float64Array);
      const f = (v: Float64Array) => dot(dy, ref(Array.from(v, (t) => t / temperature)));
      expectGradient(dx, numericGradient(f, x), `τ=${temperature}`);
    }
  });

  it('vjp matches finite differences on a 3-D tensor along axis 1 (and −2)', () => {
    const rand = rng(77);
    const dims = [2, 4, 3];
    // Lines along axis 1 are 4 long: build the data line by line so every line is away from kinks.
    const x = new Float64Array(24);
    for (const line of linesAlong(dims, 1)) row(rand, 4).forEach((v, j) => (x[line.offsets[j]] = v));
    const dy = Float64Array.from(uniform(rand, 24, -1, 1));
    for (const axis of [1, -2]) {
      const o = { ...opts, axis, temperature: 1.3 };
      const y = fn({ data: x, dims }, o) as Tensor;
      expect(y.dims).toEqual(dims);
      expectClose(y.data, alongAxis(x, dims, 1, (r) => ref(r.map((v) => v / 1.3))), 1e-12, 1e-15, `forward axis ${axis}`);
      const dx = fn.vjp(y, { data: dy, dims }, { ...o, x: { data: x, dims } }) as Tensor;
      expect(dx.dims).toEqual(dims);
      const f = (v: Float64Array) => dot(dy, alongAxis(v, dims, 1, (r) => ref(r.map((t) => t / 1.3))));
      expectGradient(dx.data, numericGradient(f, x), `axis ${axis}`);
    }
  });

  it('float32 in gives float32 out, equal to the float64 result to float32 precision', () => {
    const rand = rng(5);
    for (const n of [1, 5, 33]) {
      const x32 = Float32Array.from(row(rand, n));
      const y32 = fn(x32, opts) as Float32Array;
      expect(y32).toBeInstanceOf(Float32Array);
      const y64 = fn(Float64Array.from(x32), opts) as Float64Array;
      // One float32 rounding of a float64 result: within half an ulp (2^-24 relative).
      expectClose(y32, Array.from(y64, (v) => Math.fround(v)), 0, 0, `n=${n}`);
      expectClose(y32, y64, 2 ** -24, 1e-45, `n=${n}`);
      const dy = Float32Array.from(uniform(rand, n, -1, 1));
      const g32 = fn.vjp(y32, dy, { ...opts, x: x32 }) as Float32Array;
      const g64 = fn.vjp(y64, Float64Array.from(dy), { ...opts, x: Float64Array.from(x32) }) as Float64Array;
      expect(g32).toBeInstanceOf(Float32Array);
      // y32 is rounded before the backward pass: agreement to float32 precision of the gradient scale.
      // Components that cancel (dy_k − ⟨dy, y⟩ with y ≈ 1) are resolved only to float32 rounding of dy·y.
      let scale = 0;
      for (const v of g64) scale = Math.max(scale, Math.abs(v));
      let dyMax = 0;
      for (const v of dy) dyMax = Math.max(dyMax, Math.abs(v));
      expectClose(g32, g64, 1e-6, 1e-6 * Math.max(scale, dyMax) + 1e-30, `vjp n=${n}`);
    }
  });

  it('masked entries act as −∞ (mask option = −∞ in the data) and a pre-masked x gives the masked vjp', () => {
    const x = Float64Array.from([0.8, -1.3, 2.1, 0.4, -0.6]);
    const keep = [true, false, true, true, false];
    const masked = Float64Array.from(x, (v, i) => (keep[i] ? v : NINF));
    const a = fn(x, { ...opts, mask: keep }) as Float64Array;
    const b = fn(masked, opts) as Float64Array;
    expectClose(a, b, 0, 0, 'mask vs −∞');
    expect(a[1]).toBe(0);
    expect(a[4]).toBe(0);
    const dy = Float64Array.from([0.3, -0.2, 0.5, -0.7, 0.9]);
    const ga = fn.vjp(a, dy, { ...opts, mask: keep, x: masked }) as Float64Array;
    expect(Math.abs(ga[1])).toBe(0);
    expect(Math.abs(ga[4])).toBe(0);
    // Gradient on the kept entries equals the gradient of the mapping on the kept entries alone (where
    // the mapping treats masked entries as absent, as all of these do, except clipped softmax's γ = −α/n).
    if ((fn as unknown) !== clippedSoftmax) {
      const kept = Float64Array.from(x.filter((_, i) => keep[i]));
      const yk = fn(kept, opts) as Float64Array;
      expectClose(a.filter((_, i) => keep[i]), yk, 1e-14, 1e-300, 'kept entries');
      const gk = fn.vjp(yk, Float64Array.from(dy.filter((_, i) => keep[i])), { ...opts, x: kept }) as Float64Array;
      expectClose(ga.filter((_, i) => keep[i]), gk, 1e-13, 1e-15, 'kept gradient');
    }
  });

  it('+∞ or NaN in a row gives NaN for that row only', () => {
    for (const bad of [Infinity, NaN]) {
      const y = fn({ data: Float64Array.from([1, bad, 0, 0.5, -1, 2]), dims: [2, 3] }, opts) as Tensor;
      expect(Array.from(y.data.subarray(0, 3)).every(Number.isNaN)).toBe(true);
      expect(Array.from(y.data.subarray(3)).some(Number.isNaN)).toBe(false);
    }
  });

  it('±1e4-scale rows: finite outputs equal to the formula, finite gradients', () => {
    const x = Float64Array.from([1e4, -1e4, 0, 5e3, -3]);
    const y = fn(x, opts) as Float64Array;
    expect(Array.from(y).every(Number.isFinite)).toBe(true);
    // refSoftpick overflows (e^{1e4}); its answer at this scale is the known [1, 0, 0, 0, 0] (see below).
    const want = fn === (softpick as unknown) ? [1, 0, 0, 0, 0] : ref(Array.from(x));
    expectClose(y, want, 1e-12, 1e-300);
    const g = fn.vjp(y, Float64Array.from([1, 2, 3, 4, 5]), { ...opts, x }) as Float64Array;
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });

  it('ties: equal entries get equal outputs, as the formula', () => {
    const x = [0.7, 0.7, 0.7, 0.7];
    const y = fn(x, opts) as Float64Array;
    for (let i = 1; i < 4; i++) expect(y[i]).toBe(y[0]);
    expectClose(y, ref(x), 1e-14);
  });

  it(`a fully masked row gives ${fullyMasked === 'zero' ? 'zeros (attends to nothing)' : 'NaN (as softmax)'}; other rows are unaffected`, () => {
    const y = fn({ data: Float64Array.from([NINF, NINF, NINF, 1, 2, 3]), dims: [2, 3] }, opts) as Tensor;
    const first = Array.from(y.data.subarray(0, 3));
    if (fullyMasked === 'zero') expect(first).toEqual([0, 0, 0]);
    else expect(first.every(Number.isNaN)).toBe(true);
    expectClose(y.data.subarray(3), ref([1, 2, 3]), 1e-12, 1e-300);
    const masked = fn({ data: Float64Array.from([5, 6, 7]), dims: [1, 3] }, { ...opts, mask: [false, false, false] }) as Tensor;
    expectClose(masked.data, first, 0, 0);
  });

  if (needsX) {
    it('vjp without x is an E_PARAM error naming x', () => {
      const y = fn(Float64Array.from([1, 2]), opts) as Float64Array;
      expectSoftmaxError(() => fn.vjp(y, Float64Array.from([1, 0])), 'E_PARAM', 'x');
    });
  }
});

// vjpRows applies the mask to opts.x too, so the raw x works as well (maskedVjp.test.ts).

// ---------------------------------------------------------------------------------------------------
// Per-mapping known answers, special rows and properties.
// ---------------------------------------------------------------------------------------------------

describe('softpick', () => {
  it('known answers (hand-derived)', () => {
    // (e² − 1)/((e² − 1) + 0 + (1 − e⁻¹) + 1e-8) = 6.38905609893065/7.021177... (Python, float64).
    expectClose(softpick([2, 0, -1]), [0.909969425533584, 0, 0], 1e-14);
    // Ties: each (e − 1)/(3(e − 1) + ε).
    const e1 = Math.E - 1;
    expectClose(softpick([1, 1, 1]), [e1 / (3 * e1 + 1e-8), e1 / (3 * e1 + 1e-8), e1 / (3 * e1 + 1e-8)], 1e-14);
    // Length 1.
    expectClose(softpick([2]), [(Math.exp(2) - 1) / (Math.exp(2) - 1 + 1e-8)], 1e-15);
    expectClose(softpick([-0.5]), [0], 0);
    expectClose(softpick([0]), [0], 0);
    // Huge scale: e^{−1e4} terms vanish next to the top entry: exactly [1, 0, 0].
    expectClose(softpick([1e4, -1e4, 0]), [1, 0, 0], 1e-15);
  });

  it('attends to nothing: rows with no positive entry, fully masked and empty rows give zeros', () => {
    expectClose(softpick([-1, -2, 0]), [0, 0, 0], 0);
    expectClose(softpick([NINF, NINF]), [0, 0], 0);
    expectClose(softpick([1, 2], { mask: [false, false] }), [0, 0], 0);
    expect(softpick([]).length).toBe(0);
    const g = softpick.vjp([0, 0], [1, 2], { x: [NINF, -3] }) as Float64Array;
    expectClose(g, [0, 0], 0);
  });

  it('small logits keep relative accuracy (expm1 path): y ∝ z for |z| ≪ 1', () => {
    const y = softpick([1e-9, -1e-9], { eps: 0 });
    // (e^{1e-9} − 1)/(|e^{1e-9} − 1| + |e^{−1e-9} − 1|) = 0.5 to ~1e-9 (cancellation would give garbage).
    expectClose(y, [0.5, 0], 1e-8);
  });

  it('properties: entries in [0, 1], sum ≤ 1, zero exactly where z ≤ 0, order preserved', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 40 }), (x) => {
        const y = softpick(x);
        let sum = 0;
        for (let i = 0; i < x.length; i++) {
          expect(y[i]).toBeGreaterThanOrEqual(0);
          if (x[i] <= 0) expect(y[i]).toBe(0);
          sum += y[i];
          for (let j = 0; j < x.length; j++) if (x[i] > x[j]) expect(y[i]).toBeGreaterThanOrEqual(y[j]);
        }
        expect(sum).toBeLessThanOrEqual(1 + 1e-12);
      }),
      RUNS,
    );
  });

  it('rejects a negative or non-finite eps', () => {
    expectSoftmaxError(() => softpick([1], { eps: -1 }), 'E_PARAM', 'eps');
    expectSoftmaxError(() => softpick([1], { eps: NaN }), 'E_PARAM', 'eps');
  });
});

describe('clippedSoftmax', () => {
  it('ζ = 1, γ = 0 is softmax', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 40 }), (x) => {
        expectClose(clippedSoftmax(x, { gamma: 0 }), softmax(x), 1e-15, 1e-300);
      }),
      RUNS,
    );
    const x = Float64Array.from([0.3, -1, 2]);
    const dy = Float64Array.from([1, -2, 0.5]);
    expectClose(clippedSoftmax.vjp(clippedSoftmax(x, { gamma: 0 }), dy, { gamma: 0, x }) as Float64Array, softmax.vjp(softmax(x), dy), 1e-15, 1e-17);
  });

  it('reaches exact zeros and ones (hand-derived)', () => {
    // softmax([10, 0, 0]) = [0.99990921…, 4.5396e-5, 4.5396e-5]; ζ = 1.1, γ = −0.1: 1.2·p − 0.1 gives
    // [1.0999 → 1, −0.09995 → 0, → 0].
    const y = clippedSoftmax([10, 0, 0], { zeta: 1.1, gamma: -0.1 });
    expect(Array.from(y)).toEqual([1, 0, 0]);
    // Clipped entries pass no gradient; here every entry is clipped.
    const g = clippedSoftmax.vjp(y, [1, 2, 3], { zeta: 1.1, gamma: -0.1, x: [10, 0, 0] }) as Float64Array;
    expect(Array.from(g)).toEqual([0, 0, 0]);
    // [3, 0, −3], γ = −0.1: 1.1·softmax − 0.1 = [0.94536…, −0.048 → 0, → 0] (Python).
    expectClose(clippedSoftmax([3, 0, -3], { gamma: -0.1 }), [0.9453632328671174, 0, 0], 1e-14);
  });

  it('defaults: ζ = 1, γ = −4/n (α = 4, T = the row length); alpha and length override', () => {
    const x = [0.5, 0, -0.5, 1];
    expectClose(clippedSoftmax(x), refClipped(x, 1, -1), 1e-14);
    expectClose(clippedSoftmax(x, { alpha: 2 }), refClipped(x, 1, -0.5), 1e-14);
    expectClose(clippedSoftmax(x, { alpha: 2, length: 100 }), refClipped(x, 1, -0.02), 1e-14);
    expectSoftmaxError(() => clippedSoftmax(x, { alpha: 2, gamma: -0.1 }), 'E_PARAM', 'gamma');
    expectSoftmaxError(() => clippedSoftmax(x, { gamma: 0.1 }), 'E_PARAM', 'gamma');
    expectSoftmaxError(() => clippedSoftmax(x, { zeta: 0.5 }), 'E_PARAM', 'zeta');
    expectSoftmaxError(() => clippedSoftmax(x, { length: 0 }), 'E_PARAM', 'length');
  });

  it('special rows: length 1 gives 1, ties are uniform, fully masked gives NaN', () => {
    expectClose(clippedSoftmax([7]), [1], 0);
    expectClose(clippedSoftmax([2, 2, 2], { gamma: -0.1 }), [1.1 / 3 - 0.1, 1.1 / 3 - 0.1, 1.1 / 3 - 0.1], 1e-15);
    expect(Array.from(clippedSoftmax([NINF, NINF])).every(Number.isNaN)).toBe(true);
  });

  it('properties: entries in [0, 1], shift invariance, order preserved', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.double({ min: -100, max: 100, noNaN: true }), (x, c) => {
        const y = clippedSoftmax(x, { gamma: -0.02 });
        const ys = clippedSoftmax(x.map((v) => v + c), { gamma: -0.02 });
        expectClose(ys, y, 1e-9, 1e-12);
        for (let i = 0; i < x.length; i++) {
          expect(y[i] >= 0 && y[i] <= 1).toBe(true);
          for (let j = 0; j < x.length; j++) if (x[i] > x[j]) expect(y[i]).toBeGreaterThanOrEqual(y[j]);
        }
      }),
      RUNS,
    );
  });
});

describe('scalableSoftmax', () => {
  it('known answers (hand-derived): e^{ln n · z} = n^z', () => {
    // softmax(ln 2·[1, 0]) = [2, 1]/3.
    expectClose(scalableSoftmax([1, 0]), [2 / 3, 1 / 3], 1e-15);
    // softmax(ln 4·[1, 0, 0, 0]) = [4, 1, 1, 1]/7.
    expectClose(scalableSoftmax([1, 0, 0, 0]), [4 / 7, 1 / 7, 1 / 7, 1 / 7], 1e-15);
    // n counts the unmasked entries: [1, 0, masked, masked] → [2/3, 1/3, 0, 0]; length: 4 → [4, 1]/5.
    expectClose(scalableSoftmax([1, 0, NINF, NINF]), [2 / 3, 1 / 3, 0, 0], 1e-15);
    expectClose(scalableSoftmax([1, 0, 5, 5], { mask: [1, 1, 0, 0] }), [2 / 3, 1 / 3, 0, 0], 1e-15);
    expectClose(scalableSoftmax([1, 0, NINF, NINF], { length: 4 }), [0.8, 0.2, 0, 0], 1e-15);
    // s = 0 and n = 1: uniform over the unmasked entries.
    expectClose(scalableSoftmax([3, -1, NINF], { s: 0 }), [0.5, 0.5, 0], 0);
    expectClose(scalableSoftmax([42]), [1], 0);
    expectClose(scalableSoftmax([42, NINF]), [1, 0], 0);
    expect(Array.from(scalableSoftmax([NINF, NINF])).every(Number.isNaN)).toBe(true);
  });

  it('s = 1/ln n is softmax', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 2, maxLength: 40 }), (x) => {
        expectClose(scalableSoftmax(x, { s: 1 / Math.log(x.length) }), softmax(x), 1e-12, 1e-300);
      }),
      RUNS,
    );
  });

  it('properties: simplex, shift invariance, order preserved (s > 0)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.double({ min: -50, max: 50, noNaN: true }), (x, c) => {
        const y = scalableSoftmax(x, { s: 0.7 });
        expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
        expectClose(scalableSoftmax(x.map((v) => v + c), { s: 0.7 }), y, 1e-9, 1e-12);
        for (let i = 0; i < x.length; i++) for (let j = 0; j < x.length; j++) if (x[i] > x[j]) expect(y[i]).toBeGreaterThanOrEqual(y[j]);
      }),
      RUNS,
    );
  });

  it('dS matches a finite difference in s, for a row and per row of a tensor along axis 0', () => {
    const rand = rng(9);
    const x = Float64Array.from(uniform(rand, 6, -2, 2));
    const dy = Float64Array.from(uniform(rand, 6, -1, 1));
    for (const s of [0.8, -0.4, 0]) {
      for (const temperature of [1, 0.6]) {
        const y = scalableSoftmax(x, { s, temperature });
        const r = scalableSoftmax.vjp(y, dy, { s, temperature, x, wrtS: true }) as { dx: Float64Array; dS: number };
        const f = (t: number) => dot(dy, refScalable(Array.from(x, (v) => v / temperature), t));
        const fd = (f(s + H) - f(s - H)) / (2 * H);
        expect(Math.abs(r.dS - fd)).toBeLessThan(1e-7 * (1 + Math.abs(fd)));
        expectClose(r.dx, scalableSoftmax.vjp(y, dy, { s, temperature }) as Float64Array, 0, 0, 'dx unchanged');
      }
    }
    const dims = [3, 4];
    const t = Float64Array.from(uniform(rand, 12, -2, 2));
    const g = Float64Array.from(uniform(rand, 12, -1, 1));
    const y = scalableSoftmax({ data: t, dims }, { axis: 0, s: 1.5 });
    const r = scalableSoftmax.vjp(y, { data: g, dims }, { axis: 0, s: 1.5, x: { data: t, dims }, wrtS: true }) as { dx: Tensor; dS: Float64Array };
    expect(r.dS.length).toBe(4);
    for (const line of linesAlong(dims, 0)) {
      const col = line.index[1];
      const f = (sv: number) => dot(pick(g, line.offsets), refScalable(pick(t, line.offsets), sv));
      const fd = (f(1.5 + H) - f(1.5 - H)) / (2 * H);
      expect(Math.abs(r.dS[col] - fd)).toBeLessThan(1e-7 * (1 + Math.abs(fd)));
    }
  });

  it('vjp needs x (or length) when a row has zero outputs, and for wrtS', () => {
    const y = scalableSoftmax([1, NINF, 0]);
    expectSoftmaxError(() => scalableSoftmax.vjp(y, [1, 2, 3]), 'E_PARAM', 'x');
    expectClose(scalableSoftmax.vjp(y, [1, 2, 3], { length: 2 }) as Float64Array, scalableSoftmax.vjp(y, [1, 2, 3], { x: [1, NINF, 0] }) as Float64Array, 0, 0);
    const y2 = scalableSoftmax([1, 2]);
    expectSoftmaxError(() => scalableSoftmax.vjp(y2, [1, 2], { wrtS: true }), 'E_PARAM', 'x');
    expectSoftmaxError(() => scalableSoftmax([1], { s: Infinity }), 'E_PARAM', 's');
  });
});

describe('stableMax', () => {
  it('known answers (hand-derived): S(1) = 2, S(0) = 1, S(−1) = 1/2', () => {
    expectClose(stableMax([1, 0, -1]), [4 / 7, 2 / 7, 1 / 7], 1e-15);
    // S(3) = 4, S(−3) = 1/4: [16/17, 1/17].
    expectClose(stableMax([3, -3]), [16 / 17, 1 / 17], 1e-15);
    expectClose(stableMax([5]), [1], 0);
    expectClose(stableMax([2, 2, 2, NINF]), [1 / 3, 1 / 3, 1 / 3, 0], 1e-15);
    expect(Array.from(stableMax([NINF, NINF])).every(Number.isNaN)).toBe(true);
    // Near ±MAX_VALUE the sum does not overflow: S = [1.5e308 + 1, 1.5e308 + 1].
    expectClose(stableMax([1.5e308, 1.5e308]), [0.5, 0.5], 1e-15);
    // [1e4, −1e4, 0]: S = [10001, 1/10001, 1].
    const d = 10001 + 1 / 10001 + 1;
    expectClose(stableMax([1e4, -1e4, 0]), [10001 / d, 1 / 10001 / d, 1 / d], 1e-15);
  });

  it('no float collapse where softmax collapses: softmax([40, 0]) rounds to [1, 4e-18], stableMax keeps 1/41²', () => {
    expectClose(stableMax([40, 0]), [41 / 42, 1 / 42], 1e-15);
  });

  it('properties: simplex and order preserved', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }), (x) => {
        const y = stableMax(x);
        expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
        for (let i = 0; i < x.length; i++) {
          expect(y[i]).toBeGreaterThan(0);
          for (let j = 0; j < x.length; j++) if (x[i] > x[j]) expect(y[i]).toBeGreaterThanOrEqual(y[j]);
        }
      }),
      RUNS,
    );
  });
});

describe('selfAdjustSoftmax', () => {
  it('known answers (hand-derived)', () => {
    const e = Math.E;
    expectClose(selfAdjustSoftmax([1, 0]), [e / (e + 1), 0], 1e-15);
    // [2, −1]: y = [2·e³/(e³ + 1), −1/(e³ + 1)].
    const e3 = Math.exp(3);
    expectClose(selfAdjustSoftmax([2, -1]), [(2 * e3) / (e3 + 1), -1 / (e3 + 1)], 1e-15);
    // Normalised [2, −2]: lo = −2, hi = 2, u = [1, 0] → [e⁴/(e⁴ + 1), 0].
    const e4 = Math.exp(4);
    expectClose(selfAdjustSoftmax([2, -2], { normalized: true }), [e4 / (e4 + 1), 0], 1e-15);
    // Normalised [1, 0.5]: lo = 0, hi = 1, u = [1, 0.5].
    const p = refSoftmax([1, 0.5]);
    expectClose(selfAdjustSoftmax([1, 0.5], { normalized: true }), [p[0], 0.5 * p[1]], 1e-15);
    // Length 1 and the all-zero row.
    expectClose(selfAdjustSoftmax([5]), [5], 0);
    expectClose(selfAdjustSoftmax([5], { normalized: true }), [1], 0);
    expectClose(selfAdjustSoftmax([-5], { normalized: true }), [0], 0);
    expectClose(selfAdjustSoftmax([0, 0, 0], { normalized: true }), [0, 0, 0], 0);
    expectClose(selfAdjustSoftmax.vjp([0, 0, 0], [1, 2, 3], { normalized: true, x: [0, 0, 0] }) as Float64Array, [0, 0, 0], 0);
    // Masked entries: 0, not −∞·0.
    expectClose(selfAdjustSoftmax([1, NINF]), [1, 0], 0);
    expect(Array.from(selfAdjustSoftmax([NINF, NINF])).every(Number.isNaN)).toBe(true);
  });

  it('properties: normalised variant satisfies 0 ≤ y ≤ softmax and preserves order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 40 }), (x) => {
        const y = selfAdjustSoftmax(x, { normalized: true });
        const p = softmax(x);
        for (let i = 0; i < x.length; i++) {
          expect(y[i]).toBeGreaterThanOrEqual(0);
          expect(y[i]).toBeLessThanOrEqual(p[i] * (1 + 1e-15));
          for (let j = 0; j < x.length; j++) if (x[i] > x[j]) expect(y[i]).toBeGreaterThanOrEqual(y[j]);
        }
      }),
      RUNS,
    );
  });
});

describe('adaptiveTemperatureSoftmax', () => {
  it('uses the paper coefficients', () => {
    expect(VELICKOVIC_COEFFICIENTS).toEqual([-0.037, 0.481, -2.3, 4.917, -1.791]);
  });

  it('known answers: [1, 0, 0, 0] (H = 1.26830, β = 1.63107, Python float64) and a low-entropy row (β = 1)', () => {
    expectClose(adaptiveTemperatureSoftmax([1, 0, 0, 0]), [0.6300559728579286, 0.12331467571402378, 0.12331467571402378, 0.12331467571402378], 1e-13);
    // softmax([10, 0]): H ≈ 5e-4 < 0.5, so β = 1 and the output is softmax.
    expectClose(adaptiveTemperatureSoftmax([10, 0]), softmax([10, 0]), 1e-15);
    // The listing's log(p + 1e-9) changes H by < 1e-8: same β to ~1e-8.
    const p = refSoftmax([1, 0, 0, 0]);
    let h9 = 0;
    for (const v of p) h9 -= v * Math.log(v + 1e-9);
    expect(Math.abs(h9 - entropy(p))).toBeLessThan(1e-8);
    expectClose(adaptiveTemperatureSoftmax([3]), [1], 0);
    expectClose(adaptiveTemperatureSoftmax([0.2, NINF, 0.1]), refAdaptive([0.2, 0.1]).flatMap((v, i) => (i === 0 ? [v, 0] : [v])), 1e-14);
    expect(Array.from(adaptiveTemperatureSoftmax([NINF, NINF])).every(Number.isNaN)).toBe(true);
  });

  it('never increases entropy and is shift invariant', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 60 }), fc.double({ min: -20, max: 20, noNaN: true }), (x, c) => {
        const y = adaptiveTemperatureSoftmax(x);
        expect(entropy(y)).toBeLessThanOrEqual(entropy(softmax(x)) + 1e-12);
        expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
        expectClose(adaptiveTemperatureSoftmax(x.map((v) => v + c)), y, 1e-9, 1e-12);
      }),
      RUNS,
    );
  });

  it('targetEntropy: reaches the target (vs plain bisection) and clamps at ln n and ln(#ties)', () => {
    const z = [1.5, 0.3, -0.7, 0.9, -2];
    for (const target of [0.3, 0.9, 1.4]) {
      const y = adaptiveTemperatureSoftmax(z, { targetEntropy: target });
      expect(Math.abs(entropy(y) - target)).toBeLessThan(1e-12);
      const beta = refTargetBeta(z, target);
      expectClose(y, refSoftmax(z.map((v) => beta * v)), 1e-9, 1e-15);
    }
    // β = 2 for [1, 0] gives H(softmax([2, 0])): the solver finds β = 2 (hand-checkable target).
    const target = entropy(refSoftmax([2, 0]));
    expectClose(adaptiveTemperatureSoftmax([1, 0], { targetEntropy: target }), refSoftmax([2, 0]), 1e-12);
    // Target ≥ ln 3 (uniform over the unmasked) and ≤ ln 2 (two tied maxima).
    expectClose(adaptiveTemperatureSoftmax([1, 0, NINF, 1], { targetEntropy: 5 }), [1 / 3, 1 / 3, 0, 1 / 3], 1e-15);
    expectClose(adaptiveTemperatureSoftmax([1, 0, NINF, 1], { targetEntropy: 0.1 }), [0.5, 0, 0, 0.5], 0);
    expectClose(adaptiveTemperatureSoftmax.vjp([0.5, 0, 0, 0.5], [1, 2, 3, 4], { targetEntropy: 0.1, x: [1, 0, NINF, 1] }) as Float64Array, [0, 0, 0, 0], 0);
    expectSoftmaxError(() => adaptiveTemperatureSoftmax(z, { targetEntropy: -1 }), 'E_PARAM', 'targetEntropy');
    expectSoftmaxError(() => adaptiveTemperatureSoftmax(z, { targetEntropy: 1, coefficients: [1] }), 'E_PARAM', 'targetEntropy');
    expectSoftmaxError(() => adaptiveTemperatureSoftmax(z, { gradient: 'exact' as 'full' }), 'E_PARAM', 'gradient');
  });

  it("vjp 'stop' is softmax's vjp at fixed β; 'full' matches finite differences of the whole map", () => {
    const rand = rng(31);
    for (const n of [3, 8, 20]) {
      const x = Float64Array.from(uniform(rand, n, -2, 2));
      const dy = Float64Array.from(uniform(rand, n, -1, 1));
      const beta = refAdaptiveBeta(Array.from(x));
      expect(beta).toBeGreaterThan(1); // these rows are in the polynomial's active region
      const y = adaptiveTemperatureSoftmax(x);
      const stop = adaptiveTemperatureSoftmax.vjp(y, dy, { x }) as Float64Array;
      expectGradient(stop, numericGradient((v) => dot(dy, refSoftmax(Array.from(v, (t) => beta * t))), x), `stop n=${n}`);
      const full = adaptiveTemperatureSoftmax.vjp(y, dy, { x, gradient: 'full' }) as Float64Array;
      expectGradient(full, numericGradient((v) => dot(dy, refAdaptive(Array.from(v))), x), `full n=${n}`);
      for (const target of [0.5, 1.0]) {
        const yt = adaptiveTemperatureSoftmax(x, { targetEntropy: target });
        const ft = adaptiveTemperatureSoftmax.vjp(yt, dy, { x, targetEntropy: target, gradient: 'full', temperature: 1 }) as Float64Array;
        const f = (v: Float64Array) => {
          const b = refTargetBeta(Array.from(v), target);
          return dot(dy, refSoftmax(Array.from(v, (t) => b * t)));
        };
        expectGradient(ft, numericGradient(f, x), `target ${target} n=${n}`, 1e-5);
      }
    }
  });
});
