/**
 * Conformal scores, the finite-sample quantile, weighted k-means and argument validation. Expected values
 * marked "by hand" were computed on paper from the formulas, not by the library.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SoftmaxError } from '../../src/tensor/errors.js';
import type { SoftmaxErrorCode } from '../../src/tensor/errors.js';
import { createRng } from '../../src/tensor/rng.js';
import { conformalQuantile, conformalScores, minCalibrationSize, weightedKMeans } from '../../src/decisions/conformal/index.js';

function expectError(run: () => unknown, code: SoftmaxErrorCode, argument: string): SoftmaxError {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SoftmaxError);
  const err = caught as SoftmaxError;
  expect(err.code).toBe(code);
  expect(err.argument ?? '').toContain(argument);
  expect(err.message).toContain(argument);
  return err;
}

const probs = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), dims: [rows.length, rows[0].length] });

describe('conformalQuantile (hand-computed cases)', () => {
  const ten = [0.7, 0.1, 0.5, 0.3, 1.0, 0.9, 0.2, 0.6, 0.4, 0.8];
  it('picks the ⌈(n+1)(1−α)⌉-th smallest score', () => {
    // n = 10: α = 0.1 → ⌈9.9⌉ = 10 → 1.0; α = 0.2 → ⌈8.8⌉ = 9 → 0.9; α = 0.5 → ⌈5.5⌉ = 6 → 0.6.
    expect(conformalQuantile(ten, 0.1)).toBe(1.0);
    expect(conformalQuantile(ten, 0.2)).toBe(0.9);
    expect(conformalQuantile(ten, 0.5)).toBe(0.6);
    // α = 0.75 → ⌈2.75⌉ = 3 → 0.3.
    expect(conformalQuantile(ten, 0.75)).toBe(0.3);
  });
  it('is +∞ when ⌈(n+1)(1−α)⌉ > n, exact at integer boundaries', () => {
    // n = 5, α = 0.1 → ⌈5.4⌉ = 6 > 5.
    expect(conformalQuantile([0.1, 0.2, 0.3, 0.4, 0.5], 0.1)).toBe(Infinity);
    expect(conformalQuantile([], 0.5)).toBe(Infinity);
    // n = 9, α = 0.1 → (n+1)(1−α) = 9 exactly → the largest score, finite.
    expect(conformalQuantile([1, 2, 3, 4, 5, 6, 7, 8, 9], 0.1)).toBe(9);
    // n = 19, α = 0.05 → 20·0.95 = 19 → finite; n = 18 → ⌈18.05⌉ = 19 > 18 → ∞.
    const s19 = Array.from({ length: 19 }, (_, i) => i);
    expect(conformalQuantile(s19, 0.05)).toBe(18);
    expect(conformalQuantile(s19.slice(1), 0.05)).toBe(Infinity);
    expect(minCalibrationSize(0.1)).toBe(9);
    expect(minCalibrationSize(0.05)).toBe(19);
  });
  it('property: q̂ is a score and at least ⌈(n+1)(1−α)⌉ scores are ≤ q̂', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 0, maxLength: 60 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (s, alpha) => {
        const q = conformalQuantile(s, alpha);
        const k = Math.ceil((s.length + 1) * (1 - alpha) - 1e-9);
        if (k > s.length) return q === Infinity;
        const below = s.filter((v) => v <= q).length;
        const strictlyBelow = s.filter((v) => v < q).length;
        return s.includes(q) && below >= k && strictlyBelow < k;
      }),
    );
  });
});

describe('conformalScores (hand-computed example)', () => {
  // Row p = [0.5, 0.3, 0.2]: ranking 0, 1, 2.
  const p = probs([[0.5, 0.3, 0.2]]);
  it('LAC = 1 − p_y', () => {
    const m = conformalScores(p, { score: 'lac' });
    expect(Array.from(m)).toEqual([0.5, 1 - 0.3, 1 - 0.2]);
    expect(conformalScores(p, { score: 'lac', labels: [1] })[0]).toBe(1 - 0.3);
  });
  it('APS: mass ranked above y plus p_y', () => {
    // By hand: y=0 → 0.5; y=1 → 0.5 + 0.3 = 0.8; y=2 → 0.5 + 0.3 + 0.2 = 1.
    const m = conformalScores(p, { score: 'aps' });
    expect(m[0]).toBeCloseTo(0.5, 15);
    expect(m[1]).toBeCloseTo(0.8, 15);
    expect(m[2]).toBeCloseTo(1.0, 15);
  });
  it('RAPS: APS + λ·max(0, rank − k_reg)', () => {
    // By hand with λ = 0.1, k_reg = 1: ranks 1, 2, 3 → 0.5, 0.8 + 0.1, 1.0 + 0.2.
    const m = conformalScores(p, { score: 'raps', lambda: 0.1, kReg: 1 });
    expect(m[0]).toBeCloseTo(0.5, 15);
    expect(m[1]).toBeCloseTo(0.9, 15);
    expect(m[2]).toBeCloseTo(1.2, 15);
    // Defaults λ = 0.01, k_reg = 5: no penalty for 3 classes.
    const d = conformalScores(p, { score: 'raps' });
    expect(d[2]).toBeCloseTo(1.0, 15);
    // 7 classes, uniform: rank 7 pays 0.01·(7 − 5) = 0.02 → score 1 + 0.02.
    const u = conformalScores(probs([Array<number>(7).fill(1 / 7)]), { score: 'raps', labels: [6] });
    expect(u[0]).toBeCloseTo(1.02, 12);
  });
  it('ties rank by lower index first', () => {
    // p = [0.25, 0.25, 0.5]: order 2, 0, 1 → APS 0.75, 1.0, 0.5.
    const m = conformalScores(probs([[0.25, 0.25, 0.5]]), { score: 'aps' });
    expect(Array.from(m)).toEqual([0.75, 1.0, 0.5]);
  });
  it('−0 is a probability of 0: tied with 0 by index (float32 and float64)', () => {
    // p = [0, 0.5, −0, 0.5]: order 1, 3, 0, 2 → APS 1.0, 0.5, 1.0, 1.0 by hand (zeros add nothing).
    for (const data of [new Float32Array([0, 0.5, -0, 0.5]), new Float64Array([0, 0.5, -0, 0.5])]) {
      expect(Array.from(conformalScores({ data, dims: [1, 4] }, { score: 'aps' }))).toEqual([1, 0.5, 1, 1]);
      // RAPS λ = 0.1, k_reg = 0: ranks 3 and 4 for classes 0 and 2 → + 0.3 and + 0.4.
      const raps = conformalScores({ data, dims: [1, 4] }, { score: 'raps', lambda: 0.1, kReg: 0 });
      expect(raps[0]).toBeCloseTo(1.3, 15);
      expect(raps[2]).toBeCloseTo(1.4, 15);
    }
  });
  it('randomized APS = mass above + U·p_y, reproducible under a seed', () => {
    const u = createRng(3).next();
    const s = conformalScores(p, { score: 'aps', randomized: true, rng: createRng(3), labels: [1] });
    expect(s[0]).toBeCloseTo(0.5 + u * 0.3, 15);
    const big = probs(Array.from({ length: 20 }, (_, i) => [0.1 + 0.01 * i, 0.6 - 0.01 * i, 0.3]));
    const a = conformalScores(big, { score: 'raps', randomized: true, rng: createRng(11), kReg: 0 });
    const b = conformalScores(big, { score: 'raps', randomized: true, rng: createRng(11), kReg: 0 });
    const c = conformalScores(big, { score: 'raps', randomized: true, rng: createRng(12), kReg: 0 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
  it('property: label scores equal the matching matrix entries; float32 accepted', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 8 }), fc.constantFrom('lac' as const, 'aps' as const, 'raps' as const), (raw, score) => {
        const rows = raw.map((r) => {
          const s = r.reduce((a, b) => a + b, 0);
          return r.map((v) => v / s);
        });
        const pr = { data: Float32Array.from(rows.flat()), dims: [rows.length, 4] };
        const labels = rows.map((_, i) => i % 4);
        const m = conformalScores(pr, { score, kReg: 1 });
        const l = conformalScores(pr, { score, kReg: 1, labels });
        return labels.every((y, i) => l[i] === m[i * 4 + y]);
      }),
    );
  });
});

describe('weightedKMeans', () => {
  const rng = createRng(99);
  const pts: number[] = [];
  const centres = [
    [0, 0],
    [5, 5],
    [0, 8],
  ];
  for (let i = 0; i < 60; i++) {
    const c = centres[i % 3];
    pts.push(c[0] + 0.3 * rng.normal(), c[1] + 0.3 * rng.normal());
  }
  const x = Float64Array.from(pts);
  const w = Float64Array.from({ length: 60 }, (_, i) => 1 + (i % 5));
  it('is deterministic under a seed', () => {
    const a = weightedKMeans(x, w, 2, 3, createRng(5), 4);
    const b = weightedKMeans(x, w, 2, 3, createRng(5), 4);
    expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    expect(a.inertia).toBe(b.inertia);
  });
  it('recovers well-separated blobs', () => {
    const a = weightedKMeans(x, w, 2, 3, createRng(1), 5);
    for (let i = 3; i < 60; i++) expect(a.assignment[i]).toBe(a.assignment[i % 3]);
    expect(new Set(Array.from(a.assignment)).size).toBe(3);
  });
});

describe('validation', () => {
  const p = probs([
    [0.5, 0.5],
    [0.9, 0.1],
  ]);
  it('rejects logits / non-probabilities with a hint', () => {
    const e = expectError(() => conformalScores(probs([[2, -1]]), { score: 'lac' }), 'E_PARAM', 'probs[0');
    expect(e.message).toContain('softmax');
    expectError(() => conformalScores(probs([[0.2, 0.3]]), { score: 'lac' }), 'E_PARAM', 'probs[0]');
    expectError(() => conformalScores(probs([[NaN, 1]]), { score: 'lac' }), 'E_PARAM', 'probs[0, 0]');
  });
  it('shapes, labels, scores, options', () => {
    expectError(() => conformalScores({ data: new Float64Array(3), dims: [2, 2] }, { score: 'lac' }), 'E_SHAPE', 'probs.dims');
    expectError(() => conformalScores({ data: new Float64Array(4), dims: [4] }, { score: 'lac' }), 'E_SHAPE', 'probs.dims');
    expectError(() => conformalScores({ data: [0.5, 0.5] as never, dims: [1, 2] }, { score: 'lac' }), 'E_DTYPE', 'probs.data');
    expectError(() => conformalScores(p, { score: 'lac', labels: [0] }), 'E_SHAPE', 'labels');
    expectError(() => conformalScores(p, { score: 'lac', labels: [0, 2] }), 'E_PARAM', 'labels[1]');
    expectError(() => conformalScores(p, { score: 'lac', labels: [0, 0.5] }), 'E_PARAM', 'labels[1]');
    expectError(() => conformalScores(p, { score: 'softmax' as never }), 'E_PARAM', 'score');
    expectError(() => conformalScores(p, {} as never), 'E_PARAM', 'score');
    expectError(() => conformalScores(p, { score: 'aps', randomized: true }), 'E_PARAM', 'rng');
    expectError(() => conformalScores(p, { score: 'raps', lambda: -1 }), 'E_PARAM', 'lambda');
    expectError(() => conformalScores(p, { score: 'raps', kReg: 1.5 }), 'E_PARAM', 'kReg');
    expectError(() => conformalQuantile([1], 1), 'E_PARAM', 'alpha');
    expectError(() => conformalQuantile([1], 0), 'E_PARAM', 'alpha');
  });
});
