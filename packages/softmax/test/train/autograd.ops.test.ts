import { describe, expect, it } from 'vitest';
import { Variable } from '../../src/train/autograd/variable.js';
import { noGrad, isGradEnabled } from '../../src/train/autograd/gradMode.js';
import { add, div, mul, sub } from '../../src/train/ops/elementwise.js';
import { exp, gelu, log, neg, relu, scale, sigmoid, silu, sqrt, square, tanh } from '../../src/train/ops/unary.js';
import { concat, reshape, slice, transpose } from '../../src/train/ops/shape.js';
import { mean, sum } from '../../src/train/ops/reduce.js';
import { layerNorm, rmsNorm } from '../../src/train/ops/norm.js';
import { embedding } from '../../src/train/ops/embedding.js';
import { dropout } from '../../src/train/ops/dropout.js';
import { erf } from '../../src/train/ops/erf.js';
import { createRng } from '../../src/tensor/rng.js';
import { expectSoftmaxError } from '../ops/helpers.js';
import { gradCheck, leaf, rng } from './gradcheck.js';

describe('broadcasting binary ops', () => {
  const rand = rng(1);
  const shapes: Array<[number[], number[]]> = [
    [[2, 3], [2, 3]],
    [[2, 3], [3]],
    [[2, 1, 4], [3, 1]],
    [[1], [2, 2]],
    [[], [3]],
  ];
  for (const [sa, sb] of shapes) {
    it(`add/sub/mul/div gradients for [${sa}] ∘ [${sb}]`, () => {
      for (const op of [add, sub, mul]) gradCheck(op, [leaf(rand, sa), leaf(rand, sb)]);
      gradCheck(div, [leaf(rand, sa), leaf(rand, sb, 0.5, 2)]);
    });
  }

  it('computes broadcast values', () => {
    const a = new Variable(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const b = new Variable(Float64Array.from([10, 20]), [2, 1]);
    const y = add(a, b);
    expect(y.dims).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([11, 12, 13, 24, 25, 26]);
    expect(Array.from(mul(a, 2).data)).toEqual([2, 4, 6, 8, 10, 12]);
  });

  it('rejects shapes that do not broadcast and mixed float types', () => {
    const a = new Variable(new Float64Array(6), [2, 3]);
    expectSoftmaxError(() => add(a, new Variable(new Float64Array(2), [2])), 'E_SHAPE', 'a, b');
    expectSoftmaxError(() => add(a, new Variable(new Float32Array(6), [2, 3])), 'E_DTYPE', 'b');
  });
});

describe('unary ops', () => {
  const rand = rng(2);
  it('gradients match central differences', () => {
    for (const op of [exp, tanh, sigmoid, silu, neg, square, (x: Variable) => gelu(x), (x: Variable) => gelu(x, { approximate: 'tanh' })]) {
      gradCheck(op, [leaf(rand, [7], -3, 3)]);
    }
    gradCheck(log, [leaf(rand, [5], 0.5, 3)]);
    gradCheck(sqrt, [leaf(rand, [5], 0.5, 3)]);
    gradCheck(relu, [new Variable(Float64Array.from([-2, -0.5, 0.3, 1.7]), [4], { requiresGrad: true })]);
    gradCheck((x) => scale(x, -2.5), [leaf(rand, [3])]);
  });

  it('erf matches known values (Abramowitz & Stegun table 7.1) to 1e-15', () => {
    // erf(0.5) = 0.5204998778130465, erf(1) = 0.8427007929497149, erf(2) = 0.9953222650189527,
    // erf(3) = 0.9999779095030014 (A&S 7.1; high-precision values from mpmath).
    const known: Array<[number, number]> = [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [2.5, 0.999593047982555], [3, 0.9999779095030014]];
    for (const [x, want] of known) {
      expect(Math.abs(erf(x) - want)).toBeLessThan(2e-15);
      expect(erf(-x)).toBe(-erf(x));
    }
    expect(erf(0)).toBe(0);
    expect(erf(7)).toBe(1);
  });

  it('GELU’s tanh form matches Math.tanh on float32 (vectorised exp) and float64, including huge inputs', () => {
    const values = [-1e4, -30, -3, -0.5, -1e-6, 0, 1e-6, 0.5, 3, 30, 1e4];
    const want = values.map((v) => 0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))));
    for (const data of [Float32Array.from(values), Float64Array.from(values)]) {
      const y = gelu(new Variable(data, [values.length]), { approximate: 'tanh' });
      y.data.forEach((got, i) => expect(Math.abs(got - want[i])).toBeLessThanOrEqual(2e-7 * Math.max(1, Math.abs(want[i]))));
    }
  });

  it('sigmoid does not overflow and GELU has its known values', () => {
    const y = sigmoid(new Variable(Float64Array.from([-1000, 0, 1000]), [3]));
    expect(Array.from(y.data)).toEqual([0, 0.5, 1]);
    // GELU(1) = Φ(1) = 0.8413447460685429 (standard normal CDF at 1).
    expect(gelu(new Variable(Float64Array.from([1]), [1])).data[0]).toBeCloseTo(0.8413447460685429, 14);
  });
});

describe('shape ops', () => {
  const rand = rng(3);
  it('reshape, transpose, slice and concat move values and gradients', () => {
    gradCheck((x) => reshape(x, [3, -1]), [leaf(rand, [2, 3])]);
    gradCheck((x) => transpose(x, [2, 0, 1]), [leaf(rand, [2, 3, 4])]);
    gradCheck((x) => slice(x, 1, 1, -1), [leaf(rand, [2, 4, 3])]);
    gradCheck((a, b) => concat([a, b], -1), [leaf(rand, [2, 2]), leaf(rand, [2, 3])]);
    const x = new Variable(Float64Array.from([0, 1, 2, 3, 4, 5]), [2, 3]);
    expect(Array.from(transpose(x).data)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(slice(x, 1, 1).data)).toEqual([1, 2, 4, 5]);
    expect(concat([x, x], 0).dims).toEqual([4, 3]);
  });
  it('rejects bad shapes by name', () => {
    const x = new Variable(new Float64Array(6), [2, 3]);
    expectSoftmaxError(() => reshape(x, [4, 2]), 'E_SHAPE', 'dims');
    expectSoftmaxError(() => transpose(x, [0, 0]), 'E_AXIS', 'perm');
    expectSoftmaxError(() => concat([x, new Variable(new Float64Array(4), [4, 1])], 1), 'E_SHAPE', 'inputs[1].dims');
  });
});

describe('reductions and normalisation', () => {
  const rand = rng(4);
  it('sum and mean over axes', () => {
    gradCheck((x) => sum(x), [leaf(rand, [2, 3])]);
    gradCheck((x) => mean(x, { axes: [0, 2], keepDims: true }), [leaf(rand, [2, 3, 2])]);
    gradCheck((x) => sum(x, { axes: -1 }), [leaf(rand, [3, 4])]);
    const x = new Variable(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(Array.from(sum(x, { axes: 1 }).data)).toEqual([6, 15]);
    expect(Array.from(mean(x, { axes: 0 }).data)).toEqual([2.5, 3.5, 4.5]);
  });
  it('layerNorm and rmsNorm: values and gradients (with and without affine parameters)', () => {
    gradCheck((x, w, b) => layerNorm(x, w, b), [leaf(rand, [3, 5]), leaf(rand, [5]), leaf(rand, [5])]);
    gradCheck((x) => layerNorm(x), [leaf(rand, [2, 4])]);
    gradCheck((x, w) => rmsNorm(x, w), [leaf(rand, [3, 5]), leaf(rand, [5])]);
    const y = layerNorm(new Variable(Float64Array.from([1, 2, 3, 4]), [4]), undefined, undefined, 0);
    // (x − 2.5)/√1.25
    expect(y.data[0]).toBeCloseTo(-1.5 / Math.sqrt(1.25), 14);
  });
});

describe('embedding and dropout', () => {
  it('embedding gathers rows and scatter-adds gradients for repeated ids', () => {
    const rand = rng(5);
    const table = leaf(rand, [4, 3]);
    gradCheck((w) => embedding({ data: [1, 3, 1, 0], dims: [2, 2] }, w), [table]);
    const y = embedding([2], table);
    expect(Array.from(y.data)).toEqual(Array.from(table.data.subarray(6, 9)));
    expectSoftmaxError(() => embedding([4], table), 'E_PARAM', 'ids[0]');
  });
  it('dropout is reproducible under a seed, scales kept entries and is the identity in evaluation', () => {
    const x = new Variable(new Float64Array(1000).fill(1), [1000], { requiresGrad: true });
    const a = dropout(x, { p: 0.25, rng: createRng(7) });
    const b = dropout(x, { p: 0.25, rng: createRng(7) });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const kept = Array.from(a.data).filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([1 / 0.75]));
    expect(kept.length).toBeGreaterThan(700);
    expect(kept.length).toBeLessThan(800);
    a.backward(new Float64Array(1000).fill(1));
    expect(Array.from(x.grad!)).toEqual(Array.from(a.data));
    expect(dropout(x, { p: 0.5, rng: createRng(1), training: false })).toBe(x);
  });
});

describe('the tape', () => {
  it('accumulates gradients over uses and calls, and noGrad records nothing', () => {
    const x = new Variable(Float64Array.from([2]), [1], { requiresGrad: true });
    const y = add(mul(x, x), x); // x² + x → 2x + 1 = 5
    y.backward();
    expect(x.grad![0]).toBe(5);
    add(mul(x, x), x).backward();
    expect(x.grad![0]).toBe(10);
    x.zeroGrad();
    const z = noGrad(() => mul(x, x));
    expect(z.requiresGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
    expectSoftmaxError(() => z.backward(), 'E_STATE', 'variable');
  });
  it('handles a shared subexpression used by both operands (diamond) and deep chains', () => {
    const x = new Variable(Float64Array.from([0.3]), [1], { requiresGrad: true });
    const s = sigmoid(x);
    mul(s, s).backward(); // d(σ²)/dx = 2σ·σ(1−σ)
    const sv = 1 / (1 + Math.exp(-0.3));
    expect(x.grad![0]).toBeCloseTo(2 * sv * sv * (1 - sv), 15);
    let v: Variable = new Variable(Float64Array.from([1]), [1], { requiresGrad: true });
    const root = v;
    for (let i = 0; i < 5000; i++) v = add(v, 0);
    v.backward();
    expect(root.grad![0]).toBe(1);
  });
  it('inputs are not mutated by ops or backward', () => {
    const rand = rng(6);
    const a = leaf(rand, [3, 2]);
    const copy = Float64Array.from(a.data);
    sum(layerNorm(mul(a, a))).backward();
    expect(Array.from(a.data)).toEqual(Array.from(copy));
  });
});
