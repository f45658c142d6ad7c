import { sparsemax } from 'softmax';
import { describe, expect, it } from 'vitest';
import { fillUniform } from '../src/harness/random.js';
import { rowEntropy, rowSparsity } from '../src/suites/normalizers/row-stats.js';
import { sortSparsemax } from '../src/suites/normalizers/sort-sparsemax.js';
import { maxAbsDiff } from '../src/suites/validate.js';

describe('sort-based sparsemax (plain JS, benchmark reference)', () => {
  it('matches hand-computed examples', () => {
    // By hand with the cumulative-sum rule of Martins & Astudillo (2016), k = max{j : 1 + j·z(j) > Σ_{i≤j} z(i)}:
    // row 1, z = [0.5, 1.2, −0.3, 0.9] sorted 1.2, 0.9, 0.5, −0.3: j=1: 2.2 > 1.2 ✓; j=2: 2.8 > 2.1 ✓;
    //   j=3: 2.5 > 2.6 ✗ → k = 2, τ = (2.1 − 1)/2 = 0.55, y = [0, 0.65, 0, 0.35].
    // row 2, z = [2, −∞, 1.5, 0]: j=1: 3 > 2 ✓; j=2: 4 > 3.5 ✓; j=3: 1 > 3.5 ✗ → k = 2, τ = 1.25,
    //   y = [0.75, 0, 0.25, 0].
    // row 3, z = [1, 1, 1, 1]: every j passes (1 + j > j) → k = 4, τ = 0.75, y = 0.25 each.
    const x = Float32Array.from([0.5, 1.2, -0.3, 0.9, 2, -Infinity, 1.5, 0, 1, 1, 1, 1]);
    const y = sortSparsemax(x, 3, 4);
    const expected = [0, 0.65, 0, 0.35, 0.75, 0, 0.25, 0, 0.25, 0.25, 0.25, 0.25];
    // float32 inputs (1.2 is 1.2000000477) and outputs: agreement to float32 precision.
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-6);
    // Exact zeros off the support, not tiny values.
    expect([y[0], y[2], y[5], y[7]]).toEqual([0, 0, 0, 0]);
  });

  it('gives the example row of the report its 3-entry support (τ = (3.2 + 3.0 + 2.7 − 1)/3)', () => {
    const x = Float32Array.from([3.2, 3.0, 2.7, 1.9, 1.6, 1.4, 1.0, 0.5, 0.0, -0.8, -2.0, -Infinity]);
    const y = sortSparsemax(x, 1, 12);
    const tau = (3.2 + 3.0 + 2.7 - 1) / 3;
    expect(maxAbsDiff(y.subarray(0, 3), [3.2 - tau, 3.0 - tau, 2.7 - tau])).toBeLessThan(1e-6);
    expect(Array.from(y.subarray(3))).toEqual(new Array(9).fill(0));
  });

  it('agrees with the library sparsemax on random rows (|Δ| ≤ 1e-6)', () => {
    for (const [rows, n, scale] of [[64, 7, 8], [32, 128, 8], [4, 4096, 8], [16, 300, 0.05], [8, 1000, 100]] as const) {
      const x = fillUniform(new Float32Array(rows * n), 0xabc + n, scale);
      const ours = sparsemax({ data: x, dims: [rows, n] }).data;
      expect(maxAbsDiff(sortSparsemax(x, rows, n), ours), `rows=${rows} n=${n} scale=${scale}`).toBeLessThanOrEqual(1e-6);
    }
  });
});

describe('row statistics of the illustration', () => {
  it('counts exact zeros among unmasked entries and takes the entropy of y / Σy', () => {
    const x = Float64Array.from([1, 0, -Infinity, 2]);
    const y = Float64Array.from([0.5, 0, 0, 0.5]);
    expect(rowSparsity(y, x, 0, 4)).toBeCloseTo(1 / 3, 12);
    expect(rowEntropy(y, 0, 4)).toBeCloseTo(Math.log(2), 12);
    // Not summing to one: normalised first ([0.2, 0.2] → uniform over 2).
    expect(rowEntropy(Float64Array.from([0.2, 0.2]), 0, 2)).toBeCloseTo(Math.log(2), 12);
    // Negative entries or an all-zero row: no distribution.
    expect(rowEntropy(Float64Array.from([0.6, -0.1]), 0, 2)).toBeNull();
    expect(rowEntropy(Float64Array.from([0, 0]), 0, 2)).toBeNull();
  });
});
