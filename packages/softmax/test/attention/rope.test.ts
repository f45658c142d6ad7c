/**
 * rope: against the complex-number form written here ((x_i + i·x_{i+d/2})·e^{i·p·θ_i}), the relative-position
 * property of RoFormer, offsets as slices of a longer sequence, the vjp against central differences and as the
 * inverse rotation, float32, in-place `out`, no mutation, errors.
 */
import { describe, expect, it } from 'vitest';
import { rope } from '../../src/attention/rope.js';
import { rope as ropeOp } from '../../src/train/ops/rope.js';
import { expectClose, expectSoftmaxError, numericGradient, rng } from '../ops/helpers.js';
import { gradCheck, leaf } from '../train/gradcheck.js';

const rand = rng(4401);
const tensor = (dims: number[]) => ({ data: Float64Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1), dims });

/** Rotation of each pair as a complex product, position p = offset + t on axis −2. */
function reference(x: { data: Float64Array; dims: number[] }, base = 10000, offset = 0): Float64Array {
  const d = x.dims[x.dims.length - 1];
  const length = x.dims[x.dims.length - 2];
  const half = d / 2;
  const y = new Float64Array(x.data.length);
  for (let row = 0; row < x.data.length / d; row++) {
    const p = offset + (row % length);
    for (let i = 0; i < half; i++) {
      const angle = p * Math.pow(base, (-2 * i) / d);
      const re = x.data[row * d + i];
      const im = x.data[row * d + half + i];
      y[row * d + i] = re * Math.cos(angle) - im * Math.sin(angle);
      y[row * d + half + i] = re * Math.sin(angle) + im * Math.cos(angle);
    }
  }
  return y;
}

const dot = (a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number) => {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[ao + i] * b[bo + i];
  return s;
};

describe('rope', () => {
  it('matches the complex-product form on awkward shapes, bases and offsets', () => {
    for (const [dims, base, offset] of [
      [[1, 2], 10000, 0],
      [[3, 4], 10000, 0],
      [[2, 3, 5, 8], 10000, 7],
      [[1, 1, 1, 6], 500, 4096],
      [[2, 17, 64], 10000, 0],
      [[0, 4], 10000, 0],
    ] as const) {
      const x = tensor([...dims]);
      expectClose(rope(x, { base, offset }).data, reference(x, base, offset), 1e-12, 1e-12, `${dims}`);
    }
  });

  it('makes ⟨rope(q)_m, rope(k)_n⟩ depend only on m − n', () => {
    const d = 16;
    const q = tensor([1, d]);
    const k = tensor([1, d]);
    const score = (m: number, n: number) => dot(rope(q, { offset: m }).data, 0, rope(k, { offset: n }).data, 0, d);
    for (const [m, n, shift] of [[5, 2, 11], [0, 9, 100], [3, 3, 1000]]) expect(score(m + shift, n + shift)).toBeCloseTo(score(m, n), 9);
    expect(score(0, 0)).toBeCloseTo(dot(q.data, 0, k.data, 0, d), 12); // position 0 is the identity
  });

  it('offset t₀ equals rows t₀… of the rotation of a longer sequence (decoding)', () => {
    const x = tensor([2, 9, 8]);
    const full = rope(x).data;
    const tail = { data: new Float64Array(2 * 4 * 8), dims: [2, 4, 8] };
    for (let b = 0; b < 2; b++) tail.data.set(x.data.subarray((b * 9 + 5) * 8, (b * 9 + 9) * 8), b * 4 * 8);
    const y = rope(tail, { offset: 5 }).data;
    for (let b = 0; b < 2; b++) expectClose(y.subarray(b * 32, (b + 1) * 32), full.subarray((b * 9 + 5) * 8, (b * 9 + 9) * 8), 1e-14, 1e-14);
  });

  it('vjp matches central differences and undoes the rotation', () => {
    const x = tensor([2, 3, 6]);
    const w = tensor([2, 3, 6]);
    const g = rope.vjp(w, { offset: 2, base: 100 }).data;
    const numeric = numericGradient((v) => dot(rope({ data: v, dims: x.dims }, { offset: 2, base: 100 }).data, 0, w.data, 0, v.length), Float64Array.from(x.data));
    expectClose(g, numeric, 1e-7, 1e-9);
    expectClose(rope.vjp(rope(x, { offset: 3 }), { offset: 3 }).data, x.data, 1e-14, 1e-14);
  });

  it('keeps float32, writes in place through out and never mutates its input', () => {
    const x64 = tensor([2, 5, 4]);
    const x32 = { data: Float32Array.from(x64.data), dims: x64.dims };
    const copy = Float32Array.from(x32.data);
    const y = rope(x32, { offset: 1 });
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(x32.data).toEqual(copy);
    expectClose(y.data, reference({ data: Float64Array.from(x32.data), dims: x32.dims }, 10000, 1), 1e-6, 1e-6);
    const same = rope(x32, { offset: 1, out: x32.data });
    expect(same.data).toBe(x32.data);
    expect(x32.data).toEqual(y.data);
  });

  it('rejects bad input by name', () => {
    expectSoftmaxError(() => rope({ data: new Float64Array(4), dims: [4] }), 'E_SHAPE', 'x.dims');
    expectSoftmaxError(() => rope({ data: new Float64Array(6), dims: [2, 3] }), 'E_SHAPE', 'x.dims');
    expectSoftmaxError(() => rope({ data: new Float64Array(4), dims: [2, 3] }), 'E_SHAPE', 'x.dims');
    expectSoftmaxError(() => rope({ data: new Int32Array(4) as never, dims: [2, 2] }), 'E_DTYPE', 'x.data');
    expectSoftmaxError(() => rope(tensor([2, 2]), { base: 1 }), 'E_PARAM', 'base');
    expectSoftmaxError(() => rope(tensor([2, 2]), { offset: -1 }), 'E_PARAM', 'offset');
    expectSoftmaxError(() => rope(tensor([2, 2]), { offset: 0.5 }), 'E_PARAM', 'offset');
    expectSoftmaxError(() => rope(tensor([2, 2]), { out: new Float32Array(4) }), 'E_DTYPE', 'out');
  });

  it('on the tape: gradient matches finite differences', () => {
    gradCheck((x) => ropeOp(x, { offset: 1, base: 50 }), [leaf(rand, [2, 2, 3, 4])]);
  });
});
