/**
 * Quaternion algebra: known answers (Hamilton's i² = j² = k² = ijk = −1), fast-check properties
 * (associativity, norm multiplicativity, conjugate rules, inner product = Re(p ⊗ q*)), layouts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hamiltonProduct, quaternionConjugate, quaternionInner, quaternionNorm } from '../../src/hypercomplex/algebra.js';
import { blocksToInterleaved, interleavedToBlocks } from '../../src/hypercomplex/layout.js';
import { expectClose, expectSoftmaxError } from '../ops/helpers.js';

const unit = (c: number): number[] => [0, 1, 2, 3].map((i) => (i === c ? 1 : 0));
const arr = (x: unknown): number[] => Array.from((x as { data?: ArrayLike<number> }).data ?? (x as ArrayLike<number>));
const component = fc.double({ min: -10, max: 10, noNaN: true });
const quat = fc.array(component, { minLength: 4, maxLength: 4 });
/** Several quaternions at once (batched), interleaved. */
const batch = (n: number) => fc.array(component, { minLength: 4 * n, maxLength: 4 * n });

describe('hamiltonProduct known answers', () => {
  it('multiplies the units as Hamilton did: ij = k, jk = i, ki = j, ji = −k, i² = −1, ijk = −1', () => {
    const [one, i, j, k] = [0, 1, 2, 3].map(unit);
    expect(arr(hamiltonProduct(i, j))).toEqual(k);
    expect(arr(hamiltonProduct(j, k))).toEqual(i);
    expect(arr(hamiltonProduct(k, i))).toEqual(j);
    expect(arr(hamiltonProduct(j, i))).toEqual([0, 0, 0, -1]);
    expect(arr(hamiltonProduct(i, i))).toEqual([-1, 0, 0, 0]);
    expect(arr(hamiltonProduct(hamiltonProduct(i, j) as Float64Array, k))).toEqual([-1, 0, 0, 0]);
    expect(arr(hamiltonProduct(one, [1, 2, 3, 4]))).toEqual([1, 2, 3, 4]);
  });

  it('computes (1 + 2i + 3j + 4k)(5 + 6i + 7j + 8k) = −60 + 12i + 30j + 24k (hand expansion)', () => {
    expect(arr(hamiltonProduct([1, 2, 3, 4], [5, 6, 7, 8]))).toEqual([-60, 12, 30, 24]);
  });

  it('is batched over tensors, broadcasts a single quaternion, keeps float32', () => {
    const p = { data: Float32Array.from([1, 2, 3, 4, 0, 1, 0, 0]), dims: [2, 4] };
    const y = hamiltonProduct(p, Float32Array.from([0, 0, 1, 0])) as { data: Float32Array; dims: number[] };
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(y.dims).toEqual([2, 4]);
    expect(Array.from(y.data.subarray(4))).toEqual([0, 0, 0, 1]); // i·j = k
    expect(Array.from(y.data.subarray(0, 4))).toEqual(arr(hamiltonProduct([1, 2, 3, 4], [0, 0, 1, 0])));
  });

  it('rejects widths that are not multiples of 4, mismatched shapes and mixed float types', () => {
    expectSoftmaxError(() => hamiltonProduct([1, 2, 3], [1, 2, 3]), 'E_SHAPE', 'p.dims');
    expectSoftmaxError(() => hamiltonProduct({ data: new Float64Array(8), dims: [2, 4] }, { data: new Float64Array(12), dims: [3, 4] }), 'E_SHAPE', 'q.dims');
    expectSoftmaxError(() => hamiltonProduct(new Float32Array(4), new Float64Array(4)), 'E_DTYPE', 'q');
    expectSoftmaxError(() => quaternionNorm([1, 2, 3, 4], { layout: 'rows' as 'blocks' }), 'E_PARAM', 'layout');
  });
});

describe('quaternion algebra properties (fast-check)', () => {
  it('the Hamilton product is associative: (p ⊗ q) ⊗ r = p ⊗ (q ⊗ r), batched', () => {
    fc.assert(fc.property(batch(3), batch(3), batch(3), (p, q, r) => {
      const left = hamiltonProduct(hamiltonProduct(p, q) as Float64Array, r) as Float64Array;
      const right = hamiltonProduct(p, hamiltonProduct(q, r) as Float64Array) as Float64Array;
      expectClose(left, right, 1e-12, 1e-9);
    }));
  });

  it('the norm is multiplicative: |p ⊗ q| = |p|·|q|', () => {
    fc.assert(fc.property(quat, quat, (p, q) => {
      const lhs = (quaternionNorm(hamiltonProduct(p, q) as Float64Array) as Float64Array)[0];
      const rhs = (quaternionNorm(p) as Float64Array)[0] * (quaternionNorm(q) as Float64Array)[0];
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * Math.max(1, rhs));
    }));
  });

  it('conjugate rules: (p ⊗ q)* = q* ⊗ p*, q ⊗ q* = |q|², (q*)* = q', () => {
    fc.assert(fc.property(quat, quat, (p, q) => {
      const c = (x: ArrayLike<number>): Float64Array => quaternionConjugate(Array.from(x)) as Float64Array;
      expectClose(c(hamiltonProduct(p, q) as Float64Array), hamiltonProduct(c(q), c(p)) as Float64Array, 1e-12, 1e-10);
      const n2 = p.reduce((s, x) => s + x * x, 0);
      expectClose(hamiltonProduct(p, c(p)) as Float64Array, [n2, 0, 0, 0], 1e-12, 1e-10);
      expect(Array.from(c(c(q)))).toEqual(q);
    }));
  });

  it('inner product = Re(p ⊗ q*), per quaternion, in both layouts', () => {
    fc.assert(fc.property(batch(3), batch(3), (p, q) => {
      const inner = quaternionInner(p, q) as Float64Array;
      const prod = hamiltonProduct(p, quaternionConjugate(q) as Float64Array) as Float64Array;
      expectClose(inner, [prod[0], prod[4], prod[8]], 1e-12, 1e-10);
      const blocksInner = quaternionInner(interleavedToBlocks(p), interleavedToBlocks(q), { layout: 'blocks' }) as Float64Array;
      expectClose(blocksInner, inner, 0, 0);
    }));
  });

  it('block layout: the product of block-laid features is the block layout of the interleaved product', () => {
    fc.assert(fc.property(batch(4), batch(4), (p, q) => {
      const x = { data: Float64Array.from(p), dims: [2, 8] };
      const y = { data: Float64Array.from(q), dims: [2, 8] };
      const viaBlocks = hamiltonProduct(interleavedToBlocks(x), interleavedToBlocks(y), { layout: 'blocks' }) as { data: Float64Array; dims: number[] };
      const direct = interleavedToBlocks(hamiltonProduct(x, y)) as { data: Float64Array };
      expect(Array.from(viaBlocks.data)).toEqual(Array.from(direct.data));
      expect(Array.from((blocksToInterleaved(interleavedToBlocks(x)) as { data: Float64Array }).data)).toEqual(p);
      const norms = quaternionNorm(interleavedToBlocks(x), { layout: 'blocks' }) as { data: Float64Array; dims: number[] };
      expect(norms.dims).toEqual([2, 2]);
      expectClose(norms.data, (quaternionNorm(x) as { data: Float64Array }).data, 1e-15);
    }));
  });
});

describe('layouts', () => {
  it('blocks ↔ interleaved: out[4u + c] = x[c·U + u]', () => {
    // U = 2: blocks [r0 r1 | i0 i1 | j0 j1 | k0 k1]
    expect(Array.from(blocksToInterleaved([1, 2, 3, 4, 5, 6, 7, 8]) as Float64Array)).toEqual([1, 3, 5, 7, 2, 4, 6, 8]);
    expect(Array.from(interleavedToBlocks([1, 3, 5, 7, 2, 4, 6, 8]) as Float64Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('the norm does not overflow for huge components', () => {
    expect((quaternionNorm([3e200, 4e200, 0, 0]) as Float64Array)[0]).toBeCloseTo(5e200, -190);
  });
});
