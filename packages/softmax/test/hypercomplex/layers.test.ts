/**
 * QuaternionLinear against the explicit real block matrix, PHM (n = 4, Hamilton rules) against
 * QuaternionLinear, parameter counts, polar init statistics, QuaternionRMSNorm values, and gradients
 * of every tape op vs central differences in float64.
 */
import { describe, expect, it } from 'vitest';
import { hamiltonRules } from '../../src/hypercomplex/hamiltonRules.js';
import { kroneckerSum } from '../../src/hypercomplex/kroneckerSum.js';
import { PHMLinear } from '../../src/hypercomplex/phmLinear.js';
import { quaternionPolarInit } from '../../src/hypercomplex/quaternionInit.js';
import { QuaternionLinear, quaternionWeightMatrix } from '../../src/hypercomplex/quaternionLinear.js';
import { QuaternionRMSNorm, quaternionRmsNorm } from '../../src/hypercomplex/quaternionRmsNorm.js';
import { Variable } from '../../src/train/autograd/variable.js';
import { Linear } from '../../src/train/modules/layers.js';
import { createRng } from '../../src/tensor/rng.js';
import { expectClose, expectSoftmaxError } from '../ops/helpers.js';
import { gradCheck, leaf, rng } from '../train/gradcheck.js';

/** The paper's real block matrix [[Wr, −Wi, −Wj, −Wk], [Wi, Wr, −Wk, Wj], [Wj, Wk, Wr, −Wi], [Wk, −Wj, Wi, Wr]], written out here. */
function explicitBlockMatrix(w: ArrayLike<number>, o: number, i: number): number[][] {
  const block = (c: number, r: number, s: number): number => w[(c * o + r) * i + s];
  const layout: Array<Array<[number, number]>> = [
    [[0, 1], [1, -1], [2, -1], [3, -1]],
    [[1, 1], [0, 1], [3, -1], [2, 1]],
    [[2, 1], [3, 1], [0, 1], [1, -1]],
    [[3, 1], [2, -1], [1, 1], [0, 1]],
  ];
  const m = Array.from({ length: 4 * o }, () => new Array<number>(4 * i).fill(0));
  layout.forEach((row, a) => row.forEach(([c, sign], b) => {
    for (let r = 0; r < o; r++) for (let s = 0; s < i; s++) m[a * o + r][b * i + s] = sign * block(c, r, s);
  }));
  return m;
}

/** y = W ⊗ x per quaternion unit written with the Hamilton product (x, y interleaved per unit pair). */
function hamiltonLayer(w: ArrayLike<number>, x: ArrayLike<number>, o: number, i: number): number[] {
  const y = new Array<number>(4 * o).fill(0);
  for (let r = 0; r < o; r++) {
    for (let s = 0; s < i; s++) {
      const [pr, pi, pj, pk] = [0, 1, 2, 3].map((c) => w[(c * o + r) * i + s]);
      const [qr, qi, qj, qk] = [0, 1, 2, 3].map((c) => x[c * i + s]);
      y[r] += pr * qr - pi * qi - pj * qj - pk * qk;
      y[o + r] += pr * qi + pi * qr + pj * qk - pk * qj;
      y[2 * o + r] += pr * qj - pi * qk + pj * qr + pk * qi;
      y[3 * o + r] += pr * qk + pi * qj - pj * qi + pk * qr;
    }
  }
  return y;
}

describe('QuaternionLinear', () => {
  it('equals the explicit real block matrix and the unit-wise Hamilton product W ⊗ x', () => {
    const layer = new QuaternionLinear(12, 8, { dtype: 'float64', rng: createRng(3) });
    layer.bias!.data.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    const rand = rng(5);
    const x = leaf(rand, [3, 12]);
    const y = layer.forward(x);
    const m = explicitBlockMatrix(layer.weight.data, 2, 3);
    expectClose(quaternionWeightMatrix(layer.weight).data, m.flat(), 0, 0);
    for (let r = 0; r < 3; r++) {
      const xr = Array.from(x.data.subarray(12 * r, 12 * r + 12));
      const want = m.map((row, a) => row.reduce((s, v, b) => s + v * xr[b], 0) + layer.bias!.data[a]);
      expectClose(y.data.subarray(8 * r, 8 * r + 8), want, 1e-13, 1e-14);
      const viaHamilton = hamiltonLayer(layer.weight.data, xr, 2, 3).map((v, a) => v + layer.bias!.data[a]);
      expectClose(y.data.subarray(8 * r, 8 * r + 8), viaHamilton, 1e-13, 1e-14);
    }
  });

  it('has a quarter of the weights of a real Linear of the same size', () => {
    const q = new QuaternionLinear(64, 32, { bias: false });
    const real = new Linear(64, 32, { bias: false });
    expect(q.parameterCount()).toBe(64 * 32 / 4);
    expect(q.parameterCount() / real.parameterCount()).toBe(0.25);
    expect([...q.namedParameters().keys()]).toEqual(['weight']);
    expect(q.weight.dims).toEqual([4, 8, 16]);
  });

  it('is float32 by default and rejects widths that are not multiples of 4', () => {
    const q = new QuaternionLinear(8, 4);
    expect(q.weight.data).toBeInstanceOf(Float32Array);
    expect(q.forward(new Variable(new Float32Array(8), [1, 8])).data).toBeInstanceOf(Float32Array);
    expectSoftmaxError(() => new QuaternionLinear(6, 4), 'E_PARAM', 'inFeatures');
  });

  it('polar init: E|w|² = 4σ² with σ = 1/√(2·fan_in), phases spread over all four components', () => {
    const fanIn = 16;
    const w = quaternionPolarInit(fanIn, 256, { dtype: 'float64', rng: createRng(11) });
    const n = fanIn * 256;
    let sq = 0;
    const perComponent = [0, 0, 0, 0];
    for (let c = 0; c < 4; c++) for (let e = 0; e < n; e++) {
      sq += w[c * n + e] ** 2;
      perComponent[c] += w[c * n + e] ** 2 / n;
    }
    const sigma2 = 1 / (2 * fanIn);
    expect(sq / n).toBeGreaterThan(4 * sigma2 * 0.95);
    expect(sq / n).toBeLessThan(4 * sigma2 * 1.05);
    // cos²θ averages 1/2 (real part); the imaginary parts share the other half equally (1/6 each).
    expect(perComponent[0] / (4 * sigma2)).toBeCloseTo(0.5, 1);
    for (let c = 1; c < 4; c++) expect(perComponent[c] / (4 * sigma2)).toBeCloseTo(1 / 6, 1);
  });
});

describe('PHMLinear', () => {
  it('with n = 4 and fixed Hamilton rules equals QuaternionLinear on the same filters', () => {
    const q = new QuaternionLinear(16, 8, { dtype: 'float64', rng: createRng(1) });
    const phm = new PHMLinear(16, 8, { n: 4, rules: 'hamilton', dtype: 'float64' });
    phm.filters.data.set(q.weight.data);
    const x = leaf(rng(2), [2, 5, 16]);
    expectClose(phm.forward(x).data, q.forward(x).data, 0, 0);
    expect(phm.parameterCount()).toBe(q.parameterCount());
  });

  it('has n³ + in·out/n weights (≈ 1/n of a real layer) and learns its rules', () => {
    for (const n of [2, 4, 8]) {
      const phm = new PHMLinear(64, 32, { n, bias: false });
      expect(phm.parameterCount()).toBe(n ** 3 + (64 * 32) / n);
      expect([...phm.namedParameters().keys()]).toEqual(['rules', 'filters']);
    }
    expectSoftmaxError(() => new PHMLinear(16, 8, { n: 2, rules: 'hamilton' }), 'E_PARAM', 'n');
    expectSoftmaxError(() => new PHMLinear(10, 8, { n: 4 }), 'E_PARAM', 'inFeatures');
  });

  it('kroneckerSum with the Hamilton rules builds the quaternion block matrix', () => {
    const w = Float64Array.from({ length: 4 * 2 * 3 }, (_, i) => i + 1);
    const m = kroneckerSum({ data: hamiltonRules(), dims: [4, 4, 4] }, { data: w, dims: [4, 2, 3] });
    expect(m.dims).toEqual([8, 12]);
    expect(Array.from(m.data)).toEqual(explicitBlockMatrix(w, 2, 3).flat());
  });
});

/** Runs `f` with `fields` put on `target` (e.g. a layer's parameters swapped for gradient-check leaves), restoring them after. */
function withFields<T extends object, R>(target: T, fields: Partial<T>, f: () => R): R {
  const saved = Object.fromEntries(Object.keys(fields).map((key) => [key, target[key as keyof T]]));
  Object.assign(target, fields);
  try {
    return f();
  } finally {
    Object.assign(target, saved);
  }
}

describe('gradients vs central differences (float64)', () => {
  it('kroneckerSum: rules and filters', () => {
    const rand = rng(21);
    gradCheck((a, f) => kroneckerSum(a, f), [leaf(rand, [3, 3, 3]), leaf(rand, [3, 2, 2])]);
  });

  it('QuaternionLinear: input, weight and bias', () => {
    const layer = new QuaternionLinear(8, 12, { dtype: 'float64', rng: createRng(4) });
    const x = leaf(rng(22), [2, 3, 8]);
    gradCheck((xx) => layer.forward(xx), [x]);
    gradCheck((w, b) => withFields(layer, { weight: w, bias: b }, () => layer.forward(x)), [leaf(rng(23), [4, 3, 2]), leaf(rng(24), [12])]);
  });

  it('PHMLinear with learned rules: input, rules, filters', () => {
    const phm = new PHMLinear(6, 9, { n: 3, dtype: 'float64', rng: createRng(6) });
    const x = leaf(rng(25), [4, 6]);
    gradCheck((xx, a, f) => withFields(phm, { rules: a, filters: f }, () => phm.forward(xx)), [x, leaf(rng(26), [3, 3, 3]), leaf(rng(27), [3, 3, 2])]);
  });

  it('quaternionRmsNorm: input and per-unit γ, with and without γ', () => {
    const rand = rng(28);
    gradCheck((x, w) => quaternionRmsNorm(x, w), [leaf(rand, [3, 12]), leaf(rand, [3], 0.5, 1.5)]);
    gradCheck((x) => quaternionRmsNorm(x), [leaf(rand, [2, 2, 8])]);
  });
});

describe('QuaternionRMSNorm', () => {
  it('divides by the root mean squared quaternion modulus and scales units, not components', () => {
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // U = 2: unit 0 = (1, 3, 5, 7), unit 1 = (2, 4, 6, 8)
    const meanModulus2 = (1 + 9 + 25 + 49 + 4 + 16 + 36 + 64) / 2;
    const rho = Math.sqrt(meanModulus2 + 1e-6);
    const norm = new QuaternionRMSNorm(8, 1e-6, { dtype: 'float64' });
    norm.weight.data.set([2, 3]);
    const y = norm.forward(new Variable(x, [1, 8]));
    expectClose(y.data, Array.from(x, (v, i) => (v / rho) * (i % 2 === 0 ? 2 : 3)), 1e-14);
    expect(norm.parameterCount()).toBe(2);
    const zero = quaternionRmsNorm(new Variable(new Float64Array(8), [1, 8]));
    expect(Array.from(zero.data)).toEqual(new Array(8).fill(0));
    expectSoftmaxError(() => quaternionRmsNorm(new Variable(new Float64Array(6), [1, 6])), 'E_SHAPE', 'x.dims');
  });
});
