import { afterEach, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/kernels/dispatch.js';
import { matmul } from '../../src/ops/matmul.js';
import { expectClose, expectSoftmaxError, numericGradient, rng, rounded, stridesOf, useVariant, VARIANTS, type Variant } from './helpers.js';

afterEach(() => setBackend('auto'));

interface Case {
  aDims: number[];
  bDims: number[];
  transposeA?: boolean;
  transposeB?: boolean;
}

/**
 * Independent batched matmul in float64 by explicit indexing: out[..., i, j] = Σ_p A[..., i, p]·B[..., p, j]
 * with NumPy broadcasting of the batch dims (index 0 along a size-1 or missing dim).
 */
function naive(a: ArrayLike<number>, aDims: number[], b: ArrayLike<number>, bDims: number[], tA = false, tB = false) {
  const ra = aDims.length;
  const rb = bDims.length;
  const m = tA ? aDims[ra - 1] : aDims[ra - 2];
  const k = tA ? aDims[ra - 2] : aDims[ra - 1];
  const n = tB ? bDims[rb - 2] : bDims[rb - 1];
  const rank = Math.max(ra, rb) - 2;
  const batch = Array.from({ length: rank }, (_, i) => {
    const da = aDims[i - (rank - (ra - 2))] ?? 1;
    return da === 1 ? (bDims[i - (rank - (rb - 2))] ?? 1) : da;
  });
  const dims = [...batch, m, n];
  const out = new Float64Array(dims.reduce((x, y) => x * y, 1));
  const sa = stridesOf(aDims);
  const sb = stridesOf(bDims);
  const so = stridesOf(dims);
  const index = new Array<number>(rank).fill(0);
  const count = batch.reduce((x, y) => x * y, 1);
  for (let t = 0; t < count; t++) {
    let ao = 0;
    let bo = 0;
    let oo = 0;
    for (let j = 0; j < rank; j++) {
      const ja = j - (rank - (ra - 2));
      const jb = j - (rank - (rb - 2));
      if (ja >= 0 && aDims[ja] !== 1) ao += index[j] * sa[ja];
      if (jb >= 0 && bDims[jb] !== 1) bo += index[j] * sb[jb];
      oo += index[j] * so[j];
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = tA ? a[ao + p * sa[ra - 2] + i] : a[ao + i * sa[ra - 2] + p];
          const bv = tB ? b[bo + j * sb[rb - 2] + p] : b[bo + p * sb[rb - 2] + j];
          s += av * bv;
        }
        out[oo + i * n + j] = s;
      }
    }
    for (let j = rank - 1; j >= 0; j--) {
      if (++index[j] < batch[j]) break;
      index[j] = 0;
    }
  }
  return { data: out, dims };
}

const CASES: Case[] = [
  { aDims: [3, 4], bDims: [4, 5] },
  { aDims: [2, 3, 17, 9], bDims: [9, 6] },
  { aDims: [5, 7], bDims: [2, 3, 7, 4] },
  { aDims: [2, 1, 4, 5], bDims: [3, 5, 6] },
  { aDims: [1, 3, 5], bDims: [4, 1, 2, 5], transposeB: true },
  { aDims: [2, 6, 4], bDims: [6, 3], transposeA: true },
  { aDims: [2, 6, 4], bDims: [2, 5, 6], transposeA: true, transposeB: true },
  { aDims: [0, 3, 4], bDims: [4, 2] },
  { aDims: [3, 0], bDims: [0, 2] },
  { aDims: [1, 65], bDims: [65, 33] },
];

function label(c: Case): string {
  return `a[${c.aDims}]${c.transposeA ? 'ᵀ' : ''} · b[${c.bDims}]${c.transposeB ? 'ᵀ' : ''}`;
}

function size(dims: number[]): number {
  return dims.reduce((x, y) => x * y, 1);
}

describe('matmul', () => {
  for (const variant of VARIANTS) {
    it(`broadcasts batches and handles transposes (${variant})`, () => {
      useVariant(variant);
      const r = rng(17);
      for (const c of CASES) {
        const av = rounded(variant, Array.from({ length: size(c.aDims) }, () => r() * 2 - 1));
        const bv = rounded(variant, Array.from({ length: size(c.bDims) }, () => r() * 2 - 1));
        const make = (v: number[]) => (variant === 'float64' ? Float64Array.from(v) : Float32Array.from(v));
        const a = { data: make(av), dims: c.aDims };
        const b = { data: make(bv), dims: c.bDims };
        const got = matmul(a, b, { transposeA: c.transposeA, transposeB: c.transposeB });
        const want = naive(av, c.aDims, bv, c.bDims, c.transposeA, c.transposeB);
        expect(got.dims, label(c)).toEqual(want.dims);
        expect(got.data).toBeInstanceOf(variant === 'float64' ? Float64Array : Float32Array);
        const k = c.transposeA ? c.aDims.at(-2)! : c.aDims.at(-1)!;
        expectClose(got.data, want.data, 0, (variant === 'float64' ? 1e-15 : 2e-7) * (k + 2), `${variant} ${label(c)}`);
        // Inputs untouched.
        expect(Array.from(a.data)).toEqual(av);
      }
    });
  }

  it('writes into out (array or tensor) and returns it', () => {
    const a = { data: new Float32Array([1, 2, 3, 4]), dims: [2, 2] };
    const b = { data: new Float32Array([5, 6, 7, 8]), dims: [2, 2] };
    const out = new Float32Array(4).fill(NaN);
    const got = matmul(a, b, { out });
    expect(got.data).toBe(out);
    expect(Array.from(out)).toEqual([19, 22, 43, 50]);
    const outTensor = { data: new Float32Array(4), dims: [2, 2] };
    expect(matmul(a, b, { out: outTensor, transposeB: true }).data).toBe(outTensor.data);
    expect(Array.from(outTensor.data)).toEqual([17, 23, 39, 53]);
  });

  it('rejects bad arguments with errors naming them', () => {
    const a = { data: new Float64Array(6), dims: [2, 3] };
    const b = { data: new Float64Array(12), dims: [3, 4] };
    expectSoftmaxError(() => matmul(new Float64Array(4) as never, b), 'E_INPUT', 'a');
    expectSoftmaxError(() => matmul(a, 3 as never), 'E_INPUT', 'b');
    expectSoftmaxError(() => matmul({ data: new Float64Array(3), dims: [3] }, b), 'E_SHAPE', 'a.dims');
    expectSoftmaxError(() => matmul(a, { data: new Float64Array(8), dims: [2, 4] }), 'E_SHAPE', 'b.dims');
    expectSoftmaxError(() => matmul({ data: new Float64Array(12), dims: [2, 2, 3] }, { data: new Float64Array(36), dims: [3, 3, 4] }), 'E_SHAPE', 'b.dims');
    expectSoftmaxError(() => matmul(a, { data: new Float32Array(12), dims: [3, 4] } as never), 'E_DTYPE', 'b.data');
    expectSoftmaxError(() => matmul({ data: new Int32Array(6), dims: [2, 3] } as never, b), 'E_DTYPE', 'a.data');
    expectSoftmaxError(() => matmul(a, { data: new Float64Array(11), dims: [3, 4] }), 'E_SHAPE', 'b.dims');
    expectSoftmaxError(() => matmul(a, b, { transposeA: 1 as never }), 'E_PARAM', 'transposeA');
    expectSoftmaxError(() => matmul(a, b, { out: new Float64Array(7) }), 'E_SHAPE', 'out');
    expectSoftmaxError(() => matmul(a, b, { out: new Float32Array(8) }), 'E_DTYPE', 'out');
    expectSoftmaxError(() => matmul.vjp(a, b, { data: new Float64Array(6), dims: [2, 3] }), 'E_SHAPE', 'dy.dims');
    expectSoftmaxError(() => matmul.vjp(a, b, { data: new Float32Array(8), dims: [2, 4] } as never), 'E_DTYPE', 'dy.data');
  });
});

describe('matmul.vjp', () => {
  const GRAD_CASES: Case[] = [
    { aDims: [3, 4], bDims: [4, 2] },
    { aDims: [2, 3, 4], bDims: [4, 2] },
    { aDims: [3, 4], bDims: [2, 4, 2] },
    { aDims: [2, 1, 3, 4], bDims: [3, 4, 2] },
    { aDims: [2, 4, 3], bDims: [2, 4], transposeA: true, transposeB: true },
    { aDims: [1, 4, 3], bDims: [2, 4, 2], transposeA: true },
    { aDims: [2, 3, 4], bDims: [1, 2, 4], transposeB: true },
  ];

  it.each(GRAD_CASES)('matches central finite differences in float64: %j', (c) => {
    const r = rng(99);
    const av = Float64Array.from({ length: size(c.aDims) }, () => r() * 2 - 1);
    const bv = Float64Array.from({ length: size(c.bDims) }, () => r() * 2 - 1);
    const out = naive(av, c.aDims, bv, c.bDims, c.transposeA, c.transposeB);
    const dy = Float64Array.from({ length: out.data.length }, () => r() * 2 - 1);
    const loss = (x: Float64Array, y: Float64Array) => {
      const o = naive(x, c.aDims, y, c.bDims, c.transposeA, c.transposeB).data;
      let s = 0;
      for (let i = 0; i < o.length; i++) s += o[i] * dy[i];
      return s;
    };
    const opts = { transposeA: c.transposeA, transposeB: c.transposeB };
    const { da, db } = matmul.vjp({ data: av, dims: c.aDims }, { data: bv, dims: c.bDims }, { data: dy, dims: out.dims }, opts);
    expect(da.dims).toEqual(c.aDims);
    expect(db.dims).toEqual(c.bDims);
    expectClose(da.data, numericGradient((x) => loss(x, bv), av), 1e-7, 1e-8, `da ${label(c)}`);
    expectClose(db.data, numericGradient((y) => loss(av, y), bv), 1e-7, 1e-8, `db ${label(c)}`);
  });

  it.each(['float32-wasm', 'float32-reference'] as Variant[])('float32 gradients agree with float64 (%s)', (variant) => {
    useVariant(variant);
    const r = rng(5);
    const c: Case = { aDims: [2, 1, 9, 13], bDims: [3, 11, 13], transposeB: true };
    const av = rounded(variant, Array.from({ length: size(c.aDims) }, () => r() * 2 - 1));
    const bv = rounded(variant, Array.from({ length: size(c.bDims) }, () => r() * 2 - 1));
    const dyv = rounded(variant, Array.from({ length: 2 * 3 * 9 * 11 }, () => r() * 2 - 1));
    const dims = [2, 3, 9, 11];
    const g32 = matmul.vjp({ data: Float32Array.from(av), dims: c.aDims }, { data: Float32Array.from(bv), dims: c.bDims }, { data: Float32Array.from(dyv), dims }, c);
    const g64 = matmul.vjp({ data: Float64Array.from(av), dims: c.aDims }, { data: Float64Array.from(bv), dims: c.bDims }, { data: Float64Array.from(dyv), dims }, c);
    expect(g32.da.data).toBeInstanceOf(Float32Array);
    expectClose(g32.da.data, g64.da.data, 0, 1e-5, 'da');
    expectClose(g32.db.data, g64.db.data, 0, 1e-5, 'db');
  });
});
