/**
 * Input and output forms, `out` and in-place use, immutability of inputs, axis handling on 3-D tensors,
 * softmaxTopK and crossEntropy against hand computations. Expected values come from the independent
 * formulas of ./helpers.ts or are written out (e.g. e^1/(e^1 + e^2 + e^3)); never from the library.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, logSoftmax, logSumExp, setBackend, softmax, softmaxTopK } from '../../src/index.js';
import type { Algorithm, FloatArray } from '../../src/index.js';
import {
  arrayOf, expectClose, expectNear, linesAlong, pick, refLogSoftmax, refLogSumExp, refSoftmax, rng, rounded, uniform, useVariant,
  VARIANTS, type Variant,
} from './helpers.js';

const tolOf = (v: Variant) => (v === 'float64' ? 1e-12 : 2e-6);

function expectProbs(v: Variant, got: ArrayLike<number>, want: ArrayLike<number>, label = ''): void {
  expectClose(got, want, tolOf(v), v === 'float64' ? 1e-300 : 1e-37, label);
}

function expectLogs(v: Variant, got: ArrayLike<number>, want: ArrayLike<number>, label = ''): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Number.isFinite(want[i])) expect(got[i], `${label}[${i}]`).toBe(want[i]);
    else expectNear(got[i], want[i], 0, tolOf(v) * Math.max(1, Math.abs(want[i])), `${label}[${i}]`);
  }
}

/** softmax([1, 2, 3]) = [e, e², e³]/(e + e² + e³) ≈ [0.0900, 0.2447, 0.6652]. */
const D123 = Math.exp(1) + Math.exp(2) + Math.exp(3);
const SOFTMAX_123 = [Math.exp(1) / D123, Math.exp(2) / D123, Math.exp(3) / D123];

describe('output form and type', () => {
  it('number[] gives a Float64Array', () => {
    const y = softmax([1, 2, 3]);
    expect(y).toBeInstanceOf(Float64Array);
    expectProbs('float64', y, SOFTMAX_123);
    expect(logSoftmax([1, 2, 3])).toBeInstanceOf(Float64Array);
    expectLogs('float64', logSoftmax([1, 2, 3]), SOFTMAX_123.map(Math.log));
    // log(e + e² + e³)
    expect(logSumExp([1, 2, 3])).toBeCloseTo(Math.log(D123), 14);
  });

  it('Float32Array gives Float32Array; Float64Array gives Float64Array', () => {
    expect(softmax(new Float32Array([1, 2, 3]))).toBeInstanceOf(Float32Array);
    expect(softmax(new Float64Array([1, 2, 3]))).toBeInstanceOf(Float64Array);
    expect(logSoftmax(new Float32Array([1, 2, 3]))).toBeInstanceOf(Float32Array);
    expect(logSoftmax(new Float64Array([1, 2, 3]))).toBeInstanceOf(Float64Array);
    expectProbs('float32-wasm', softmax(new Float32Array([1, 2, 3])), SOFTMAX_123);
    const l32 = logSumExp(new Float32Array([1, 2, 3]));
    expect(typeof l32).toBe('number');
    expect(Math.fround(l32)).toBe(l32); // a float32 value
    expectNear(l32, Math.log(D123), 0, 2e-6 * Math.log(D123));
  });

  it('{ data, dims } gives { data, dims } with the same dims and float type, in new arrays', () => {
    for (const Type of [Float32Array, Float64Array]) {
      const data = new Type([1, 2, 3, 3, 2, 1]);
      const dims = [2, 3];
      for (const op of [softmax, logSoftmax]) {
        const y = op({ data, dims });
        expect(y.data).toBeInstanceOf(Type);
        expect(y.dims).toEqual([2, 3]);
        expect(y.data).not.toBe(data);
        expect(y.dims).not.toBe(dims);
      }
      const y = softmax({ data, dims });
      expectProbs(Type === Float64Array ? 'float64' : 'float32-wasm', y.data, [...SOFTMAX_123, ...[...SOFTMAX_123].reverse()]);
      const l = logSumExp({ data, dims });
      expect(l.data).toBeInstanceOf(Type);
      expect(l.dims).toEqual([2]);
      // A 1-D tensor is still a tensor (not a bare row).
      const one = softmax({ data: new Type([1, 2, 3]), dims: [3] });
      expect(one.dims).toEqual([3]);
      expect(one.data).toBeInstanceOf(Type);
    }
  });

  it('vjp results take the form of y', () => {
    const data = new Float64Array([0.1, 0.2, 0.7, 0.3, 0.3, 0.4]);
    const dy = new Float64Array([1, 0, 0, 0, 1, 0]);
    const t = softmax.vjp({ data, dims: [2, 3] }, { data: dy, dims: [2, 3] });
    expect(t.dims).toEqual([2, 3]);
    expect(t.data).toBeInstanceOf(Float64Array);
    // dx = y ⊙ (dy − ⟨dy, y⟩): row 0: [0.1·(1 − 0.1), 0.2·(0 − 0.1), 0.7·(0 − 0.1)]
    expectClose(t.data.subarray(0, 3), [0.1 * 0.9, -0.2 * 0.1, -0.7 * 0.1], 1e-15, 1e-17);
    const r = softmax.vjp(new Float32Array([0.5, 0.5]), new Float32Array([1, -1]));
    expect(r).toBeInstanceOf(Float32Array);
    // [0.5·(1 − 0), 0.5·(−1 − 0)]
    expect(Array.from(r)).toEqual([0.5, -0.5]);
  });
});

describe('out and in-place', () => {
  it.each(VARIANTS)('out is written and returned (%s)', (variant) => {
    useVariant(variant);
    try {
      const x = arrayOf(variant, [1, 2, 3]);
      const out = arrayOf(variant, [9, 9, 9]);
      const y = softmax(x, { out });
      expect(y).toBe(out);
      expectProbs(variant, out, SOFTMAX_123);
      const lout = arrayOf(variant, [0, 0, 0]);
      expect(logSoftmax(x, { out: lout })).toBe(lout);
      expectLogs(variant, lout, SOFTMAX_123.map(Math.log));

      // Tensor input: out as a bare typed array or as a tensor; the result's data is out's array.
      const data = arrayOf(variant, [1, 2, 3, 3, 2, 1]);
      const bare = arrayOf(variant, new Array<number>(6).fill(0));
      const t1 = softmax({ data, dims: [2, 3] }, { out: bare });
      expect(t1.data).toBe(bare);
      expect(t1.dims).toEqual([2, 3]);
      const tensorOut = { data: arrayOf(variant, new Array<number>(6).fill(0)), dims: [2, 3] };
      const t2 = softmax({ data, dims: [2, 3] }, { out: tensorOut });
      expect(t2.data).toBe(tensorOut.data);
      expectProbs(variant, t2.data, [...SOFTMAX_123, ...[...SOFTMAX_123].reverse()]);

      // logSumExp: out has the reduced size.
      const lse = arrayOf(variant, [0, 0]);
      const r = logSumExp({ data, dims: [2, 3] }, { out: lse });
      expect(r.data).toBe(lse);
      expectLogs(variant, lse, [Math.log(D123), Math.log(D123)]);

      // vjp out.
      const dxOut = arrayOf(variant, [0, 0, 0]);
      expect(softmax.vjp(out, arrayOf(variant, [1, 0, 0]), { out: dxOut })).toBe(dxOut);
      // dx_0 = y_0·(1 − y_0)
      expectNear(dxOut[0], SOFTMAX_123[0] * (1 - SOFTMAX_123[0]), tolOf(variant) * 4);
      const ceOut = arrayOf(variant, [0, 0, 0]);
      expect(crossEntropy.vjp(0, 1, { x, labels: 2, out: ceOut })).toBe(ceOut);
      // d/dz of −log p_2 = p − onehot(2)
      expectClose(ceOut, [SOFTMAX_123[0], SOFTMAX_123[1], SOFTMAX_123[2] - 1], 4 * tolOf(variant), 1e-7);
    } finally {
      setBackend('auto');
    }
  });

  it.each(VARIANTS)('in place (out = the input data) equals the out-of-place result (%s)', (variant) => {
    useVariant(variant);
    try {
      const rand = rng(42);
      for (const n of [1, 5, 37, 1000, 20000]) {
        const values = uniform(rand, n, -5, 5);
        for (const algorithm of ['auto', 'two-pass', 'online'] as Algorithm[]) {
          const want = softmax(arrayOf(variant, values), { algorithm });
          const x = arrayOf(variant, values);
          expect(softmax(x, { algorithm, out: x })).toBe(x);
          expect(Array.from(x), `n=${n} ${algorithm}`).toEqual(Array.from(want));
        }
        const lwant = logSoftmax(arrayOf(variant, values));
        const lx = arrayOf(variant, values);
        logSoftmax(lx, { out: lx });
        expect(Array.from(lx)).toEqual(Array.from(lwant));
      }
      // A tensor along axis 0, with a mask and a temperature.
      const values = uniform(rand, 24, -5, 5);
      const dims = [4, 3, 2];
      const mask = { data: [1, 0, 1], dims: [3, 1] };
      const opts = { axis: 0, mask, temperature: 0.7 };
      const want = softmax({ data: arrayOf(variant, values), dims }, opts).data;
      const data = arrayOf(variant, values);
      const y = softmax({ data, dims }, { ...opts, out: data });
      expect(y.data).toBe(data);
      expect(Array.from(data)).toEqual(Array.from(want));
      // vjp in place: dx written over dy.
      const yv = softmax(arrayOf(variant, [1, 2, 3]));
      const dy = arrayOf(variant, [1, -1, 0.5]);
      const dxWant = softmax.vjp(yv, arrayOf(variant, [1, -1, 0.5]));
      softmax.vjp(yv, dy, { out: dy });
      expect(Array.from(dy)).toEqual(Array.from(dxWant));
    } finally {
      setBackend('auto');
    }
  });
});

describe('inputs are never mutated', () => {
  it.each(['float64', 'float32-wasm'] as Variant[])('by any op, with masks, temperature and axis ≠ −1 (%s)', (variant) => {
    const rand = rng(7);
    const dims = [3, 4, 5];
    const data = arrayOf(variant, uniform(rand, 60, -4, 4));
    data[7] = -Infinity;
    const x = { data, dims };
    const maskData = Array.from({ length: 4 }, (_, i) => i !== 2);
    const mask = { data: maskData, dims: [4, 1] };
    const dyData = arrayOf(variant, uniform(rand, 60, -1, 1));
    const labels = [0, 4, -100, 2, 1, 3, 0, 0, 4, 4, 1, 2];
    const snapshot = () => [Array.from(data), [...dims], [...maskData], [...mask.dims], Array.from(dyData), [...labels]];
    const before = snapshot();
    const opts = { axis: 1, mask, temperature: 0.8 };
    const y = softmax(x, opts);
    const ly = logSoftmax(x, opts);
    const l = logSumExp(x, { ...opts, keepDims: true });
    softmaxTopK(x, 2, opts);
    softmax(x, { ...opts, algorithm: 'online', fullyMasked: 'zero' });
    softmax(x, { axis: 0 });
    softmax(x, { axis: -1, algorithm: 'two-pass' });
    crossEntropy(x, labels, { labelSmoothing: 0.1 });
    crossEntropy(x, labels, { reduction: 'none' });
    const yBefore = Array.from(y.data);
    const lyBefore = Array.from(ly.data);
    const lBefore = Array.from(l.data);
    softmax.vjp(y, { data: dyData, dims }, opts);
    logSoftmax.vjp(ly, { data: dyData, dims }, opts);
    logSumExp.vjp(l, { data: arrayOf(variant, new Array<number>(15).fill(1)), dims: [3, 1, 5] }, { x, ...opts, keepDims: true });
    crossEntropy.vjp(0, 1, { x, labels, labelSmoothing: 0.1 });
    expect(snapshot()).toEqual(before);
    expect(Array.from(y.data)).toEqual(yBefore);
    expect(Array.from(ly.data)).toEqual(lyBefore);
    expect(Array.from(l.data)).toEqual(lBefore);

    // Bare rows too, including number[] and a Uint8Array mask.
    const row = [3, 1, 4, 1, 5, 9, 2, 6];
    const rowCopy = [...row];
    const u8 = Uint8Array.from([1, 1, 0, 1, 1, 1, 0, 1]);
    softmax(row, { mask: u8 });
    logSumExp(row, { mask: u8 });
    softmaxTopK(row, 3, { mask: u8 });
    expect(row).toEqual(rowCopy);
    expect(Array.from(u8)).toEqual([1, 1, 0, 1, 1, 1, 0, 1]);
  });
});

describe.each(VARIANTS)('axis handling on a 3-D tensor (%s)', (variant) => {
  beforeAll(() => useVariant(variant));
  afterAll(() => setBackend('auto'));

  const dims = [2, 3, 4];
  const values = uniform(rng(11), 24, -4, 4);
  const AXES = [0, 1, 2, -1, -2, -3];

  it.each(AXES)('softmax and logSoftmax along axis %i equal the op on the gathered rows', (axis) => {
    const a = axis < 0 ? axis + 3 : axis;
    const x = { data: arrayOf(variant, values), dims };
    for (const temperature of [1, 0.6]) {
      const y = softmax(x, { axis, temperature });
      const ly = logSoftmax(x, { axis, temperature });
      expect(y.dims).toEqual(dims);
      const lines = linesAlong(dims, a);
      expect(lines.length).toBe(24 / dims[a]);
      for (const line of lines) {
        const row = pick(x.data, line.offsets);
        expectProbs(variant, pick(y.data, line.offsets), refSoftmax(row, temperature), `axis ${axis} line ${line.index}`);
        expectLogs(variant, pick(ly.data, line.offsets), refLogSoftmax(row, temperature), `log axis ${axis}`);
        // The same kernel on the row by itself.
        const alone = softmax(arrayOf(variant, row), { temperature });
        expectClose(pick(y.data, line.offsets), alone, variant === 'float64' ? 1e-15 : 1e-7, 0, 'vs row');
      }
    }
  });

  it.each(AXES)('a broadcast mask along axis %i equals −∞ written at the dropped entries', (axis) => {
    const a = axis < 0 ? axis + 3 : axis;
    const mask = { data: [1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1], dims: [3, 4] }; // broadcast over axis 0
    const dropped = values.map((v, i) => (mask.data[i % 12] ? v : -Infinity));
    const y = softmax({ data: arrayOf(variant, values), dims }, { axis, mask });
    for (const line of linesAlong(dims, a)) {
      const row = pick(dropped, line.offsets);
      const got = pick(y.data, line.offsets);
      if (row.every((v) => v === -Infinity)) expect(got.every(Number.isNaN)).toBe(true);
      else expectProbs(variant, got, refSoftmax(rounded(variant, row)), `axis ${axis}`);
    }
  });

  it.each(AXES)('logSumExp reduces axis %i (and keepDims keeps it as 1)', (axis) => {
    const a = axis < 0 ? axis + 3 : axis;
    const x = { data: arrayOf(variant, values), dims };
    const r = logSumExp(x, { axis });
    const k = logSumExp(x, { axis, keepDims: true });
    expect(r.dims).toEqual(dims.filter((_, i) => i !== a));
    expect(k.dims).toEqual(dims.map((d, i) => (i === a ? 1 : d)));
    expect(r.data).toBeInstanceOf(variant === 'float64' ? Float64Array : Float32Array);
    // Lines come in C order of the remaining axes, which is the order of the reduced tensor.
    const want = linesAlong(dims, a).map((line) => refLogSumExp(pick(x.data, line.offsets)));
    expectLogs(variant, r.data, rounded(variant, want));
    expect(Array.from(k.data)).toEqual(Array.from(r.data));
  });
});

describe.each(VARIANTS)('long rows and many rows (%s)', (variant) => {
  beforeAll(() => useVariant(variant));
  afterAll(() => setBackend('auto'));

  /** Shifted formula per row of a [rows, n] array: exp(x_i − m)/Σ_j exp(x_j − m), and m + log Σ. */
  function rowsRef(x: ArrayLike<number>, rows: number, n: number): { p: Float64Array; lse: Float64Array } {
    const p = new Float64Array(rows * n);
    const lse = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, x[r * n + i]);
      let d = 0;
      for (let i = 0; i < n; i++) d += Math.exp(x[r * n + i] - m);
      for (let i = 0; i < n; i++) p[r * n + i] = Math.exp(x[r * n + i] - m) / d;
      lse[r] = m + Math.log(d);
    }
    return { p, lse };
  }

  it('rows longer than 16384 (staged whole, or streamed by the online algorithm)', () => {
    const rows = 2;
    const n = 20000;
    const x = arrayOf(variant, uniform(rng(51), rows * n, -8, 8));
    x[n - 1] = 9; // row 0's maximum in its last chunk
    const { p, lse } = rowsRef(x, rows, n);
    for (const algorithm of ['auto', 'three-pass', 'two-pass', 'online'] as Algorithm[]) {
      const y = softmax({ data: x, dims: [rows, n] }, { algorithm });
      expectProbs(variant, y.data, p, algorithm);
    }
    expectLogs(variant, logSoftmax({ data: x, dims: [rows, n] }).data, Array.from(p, Math.log), 'logSoftmax');
    expectLogs(variant, logSumExp({ data: x, dims: [rows, n] }).data, rounded(variant, lse), 'logSumExp');
  });

  it('more than 16384 short rows (batched staging)', () => {
    const rows = 40000;
    const n = 3;
    const x = arrayOf(variant, uniform(rng(52), rows * n, -8, 8));
    const { p, lse } = rowsRef(x, rows, n);
    expectProbs(variant, softmax({ data: x, dims: [rows, n] }).data, p);
    expectLogs(variant, logSumExp({ data: x, dims: [rows, n] }).data, rounded(variant, lse));
    const ones = logSumExp({ data: x, dims: [rows * n, 1] });
    expect(Array.from(ones.data)).toEqual(Array.from(x)); // log e^x = x for one-element rows
  });

  it('typed arrays that are views at an offset into a larger buffer', () => {
    const big = arrayOf(variant, uniform(rng(53), 103, -5, 5));
    const before = Array.from(big);
    const view = big.subarray(3, 3 + 97);
    const want = refSoftmax(view);
    expectProbs(variant, softmax(view), want);
    const out = arrayOf(variant, new Array<number>(110).fill(7)).subarray(5, 5 + 97);
    softmax(view, { out });
    expectProbs(variant, out, want);
    expect(Array.from(big)).toEqual(before);
    // In place on the view leaves the rest of the buffer alone.
    softmax(view, { out: view });
    expectProbs(variant, view, want);
    expect(Array.from(big.subarray(0, 3))).toEqual(before.slice(0, 3));
    expect(Array.from(big.subarray(100))).toEqual(before.slice(100));
  });
});

/** Indices of the k largest entries, descending, ties by lower index (a stable sort). */
function topKIndices(x: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: x.length }, (_, i) => i)
    .sort((a, b) => (x[b] > x[a] ? 1 : x[b] < x[a] ? -1 : a - b))
    .slice(0, k);
}

/** p_i = exp((x_i − m)/τ) / Σ_j exp((x_j − m)/τ), O(n), for long rows. */
function probsAt(x: ArrayLike<number>, idx: number[], tau = 1): number[] {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i]);
  let d = 0;
  for (let i = 0; i < x.length; i++) d += Math.exp((x[i] - m) / tau);
  return idx.map((i) => Math.exp((x[i] - m) / tau) / d);
}

describe.each(VARIANTS)('softmaxTopK (%s)', (variant) => {
  beforeAll(() => useVariant(variant));
  afterAll(() => setBackend('auto'));

  function check(x: FloatArray, k: number, tau: number, got: { indices: Int32Array; values: FloatArray }, label: string): void {
    expect(got.indices).toBeInstanceOf(Int32Array);
    expect(got.values).toBeInstanceOf(variant === 'float64' ? Float64Array : Float32Array);
    const idx = topKIndices(x, k);
    expect(Array.from(got.indices), `${label} indices`).toEqual(idx);
    expectProbs(variant, got.values, probsAt(x, idx, tau), `${label} values`);
    for (let j = 1; j < k; j++) expect(got.values[j]).toBeLessThanOrEqual(got.values[j - 1]);
  }

  it('known answer: top-2 of [1, 3, 3, 2] is indices [1, 2] with e³/(e + 2e³ + e²) each', () => {
    const r = softmaxTopK(arrayOf(variant, [1, 3, 3, 2]), 2);
    expect(Array.from(r.indices)).toEqual([1, 2]);
    const p = Math.exp(3) / (Math.exp(1) + 2 * Math.exp(3) + Math.exp(2));
    expectProbs(variant, r.values, [p, p]);
  });

  it('rows of many lengths with ties, k = 1, k = n and in between, τ = 1 and 0.5', () => {
    const rand = rng(21);
    for (const n of [1, 2, 3, 7, 8, 31, 64, 65, 100, 257]) {
      // Integer values in [−6, 6]: plenty of ties, ranked by lower index first.
      const x = arrayOf(variant, Array.from({ length: n }, () => Math.floor(rand() * 13) - 6));
      for (const k of new Set([1, Math.ceil(n / 3), n])) {
        for (const temperature of [1, 0.5]) {
          check(x, k, temperature, softmaxTopK(x, k, { temperature }), `n=${n} k=${k} τ=${temperature}`);
        }
      }
    }
  });

  it('property: random rows (lengths across the 64-element blocks), any k, τ ∈ {1, ½, 2}', () => {
    // τ ∈ {1, ½, 2} scale exactly in float32, so ties in x stay ties in x/τ and nothing else ties.
    const value = variant === 'float64' ? fc.double({ min: -20, max: 20, noNaN: true }) : fc.float({ min: -20, max: 20, noNaN: true });
    const arb = fc.tuple(fc.array(fc.oneof(value, fc.integer({ min: -3, max: 3 })), { minLength: 1, maxLength: 300 }), fc.nat(), fc.constantFrom(1, 0.5, 2));
    fc.assert(fc.property(arb, ([values, kSeed, temperature]) => {
      const x = arrayOf(variant, values);
      const k = 1 + (kSeed % x.length);
      check(x, k, temperature, softmaxTopK(x, k, { temperature }), `n=${x.length} k=${k}`);
    }), { numRuns: 100, seed: Number(process.env.FC_SEED ?? 4242) });
  });

  it('values equal the k largest entries of the full softmax', () => {
    const x = arrayOf(variant, uniform(rng(22), 50, -3, 3));
    const full = Array.from(refSoftmax(x)).sort((a, b) => b - a);
    const r = softmaxTopK(x, 10);
    expectProbs(variant, r.values, full.slice(0, 10));
  });

  it('k > 32 (sorting path) and k > 1024 (beyond the fused buffer), with ties', () => {
    const rand = rng(23);
    for (const [n, k] of [[100, 33], [500, 50], [2000, 1025], [3000, 1500]]) {
      const x = arrayOf(variant, Array.from({ length: n }, () => Math.floor(rand() * 200) / 8));
      const idx = topKIndices(x, k);
      const r = softmaxTopK(x, k);
      expect(Array.from(r.indices), `n=${n} k=${k}`).toEqual(idx);
      expectProbs(variant, r.values, probsAt(x, idx), `n=${n} k=${k}`);
    }
  });

  it('rows longer than 16384 (chunked path), including the maximum in the last chunk and ties across chunks', () => {
    const rand = rng(24);
    for (const n of [16390, 40000]) {
      const values = uniform(rand, n, -10, 10);
      values[n - 1] = 12; // maximum in the last chunk
      values[5] = 11.5;
      values[16386] = 11.5; // a tie across the chunk boundary (16384): index 5 first
      const x = arrayOf(variant, values);
      for (const k of [1, 3, 40]) {
        const r = softmaxTopK(x, k);
        const idx = topKIndices(x, k);
        expect(Array.from(r.indices), `n=${n} k=${k}`).toEqual(idx);
        expectProbs(variant, r.values, probsAt(x, idx), `n=${n} k=${k}`);
      }
      expect(Array.from(softmaxTopK(x, 3).indices)).toEqual([n - 1, 5, 16386]);
    }
  });

  it('tensors along axis ≠ −1 put k at the axis', () => {
    const dims = [3, 7, 2];
    const x = arrayOf(variant, Array.from({ length: 42 }, (_, i) => ((i * 37) % 11) - 5));
    for (const [axis, k] of [[1, 3], [-2, 7], [0, 2], [-3, 1], [2, 1], [-1, 2]]) {
      const a = axis < 0 ? axis + 3 : axis;
      const r = softmaxTopK({ data: x, dims }, k, { axis });
      const outDims = dims.map((d, i) => (i === a ? k : d));
      expect(r.indices.dims).toEqual(outDims);
      expect(r.values.dims).toEqual(outDims);
      const inLines = linesAlong(dims, a);
      const outLines = linesAlong(outDims, a);
      inLines.forEach((line, li) => {
        const row = pick(x, line.offsets);
        const idx = topKIndices(row, k);
        expect(pick(r.indices.data, outLines[li].offsets), `axis ${axis} line ${li}`).toEqual(idx);
        expectProbs(variant, pick(r.values.data, outLines[li].offsets), probsAt(row, idx), `axis ${axis}`);
      });
    }
  });
});

describe.each(VARIANTS)('crossEntropy against a hand computation (%s)', (variant) => {
  beforeAll(() => useVariant(variant));
  afterAll(() => setBackend('auto'));

  /** −Σ_c t_c·log p_c with t = (1 − ε)·onehot(y) + ε/C (PyTorch's label_smoothing). */
  function rowLoss(z: ArrayLike<number>, y: number, eps: number): number {
    const lp = refLogSoftmax(z);
    let loss = 0;
    for (let c = 0; c < z.length; c++) loss -= ((c === y ? 1 - eps : 0) + eps / z.length) * lp[c];
    return loss;
  }

  const tol = (want: number) => (variant === 'float64' ? 1e-12 : 2e-6) * Math.max(1, Math.abs(want));

  it('known answer: logits [1, 2, 3], label 2 → −log(e³/(e + e² + e³))', () => {
    const want = -Math.log(Math.exp(3) / D123);
    const got = crossEntropy(arrayOf(variant, [1, 2, 3]), 2);
    expect(typeof got).toBe('number');
    expectNear(got as number, want, 0, tol(want));
    // A one-element label list is the same row.
    expectNear(crossEntropy(arrayOf(variant, [1, 2, 3]), [2]) as number, want, 0, tol(want));
    // 1e4-scale logits: −log(e^0/(e^0 + e^1 + e^2)) = log(1 + e + e²).
    const big = Math.log(1 + Math.exp(1) + Math.exp(2));
    expectNear(crossEntropy(arrayOf(variant, [10000, 10001, 10002]), 0) as number, big, 0, tol(big));
  });

  const dims = [5, 6];
  const logits = uniform(rng(31), 30, -4, 4);
  const labels = [3, -100, 0, 5, 2];

  it.each([0, 0.1, 1])('mean, sum and none with an ignored row, labelSmoothing %s', (eps) => {
    const x = { data: arrayOf(variant, logits), dims };
    const z = rounded(variant, logits);
    const per = labels.map((y, r) => (y === -100 ? 0 : rowLoss(z.slice(r * 6, r * 6 + 6), y, eps)));
    const sum = per.reduce((a, b) => a + b, 0);
    const mean = sum / 4; // 4 rows not ignored
    expectNear(crossEntropy(x, labels, { labelSmoothing: eps }) as number, mean, 0, tol(mean), 'mean');
    expectNear(crossEntropy(x, labels, { labelSmoothing: eps, reduction: 'mean' }) as number, mean, 0, tol(mean), 'mean');
    expectNear(crossEntropy(x, labels, { labelSmoothing: eps, reduction: 'sum' }) as number, sum, 0, tol(sum), 'sum');
    const none = crossEntropy(x, labels, { labelSmoothing: eps, reduction: 'none' });
    expect(none).toBeInstanceOf(variant === 'float64' ? Float64Array : Float32Array);
    const noneArr = none as FloatArray;
    expect(noneArr[1]).toBe(0);
    for (let r = 0; r < 5; r++) expectNear(noneArr[r], per[r], 0, tol(per[r]), `none[${r}]`);
  });

  it('ignoreIndex: a custom value, labels as typed arrays, 3-D logits', () => {
    const x = { data: arrayOf(variant, logits), dims: [5, 3, 2] }; // 15 rows of 2 classes
    const lab = Int32Array.from([0, 1, 1, 0, -1, 1, 0, 0, 1, -1, 1, 0, 1, 1, 0]);
    const z = rounded(variant, logits);
    let sum = 0;
    let count = 0;
    lab.forEach((y, r) => {
      if (y === -1) return;
      sum += rowLoss(z.slice(2 * r, 2 * r + 2), y, 0);
      count++;
    });
    expectNear(crossEntropy(x, lab, { ignoreIndex: -1 }) as number, sum / count, 0, tol(sum / count));
    expectNear(crossEntropy(x, Float64Array.from(lab), { ignoreIndex: -1, reduction: 'sum' }) as number, sum, 0, tol(sum));
    // A valid class can be the ignore index: with ignoreIndex 1, rows labelled 1 are skipped.
    const zeros = Array.from(lab, (y) => (y === -1 ? 0 : y));
    let sum0 = 0;
    zeros.forEach((y, r) => {
      if (y === 0) sum0 += rowLoss(z.slice(2 * r, 2 * r + 2), 0, 0);
    });
    expectNear(crossEntropy(x, zeros, { ignoreIndex: 1, reduction: 'sum' }) as number, sum0, 0, tol(sum0));
  });

  it('mean over rows that are all ignored is NaN (PyTorch); sum is 0', () => {
    const x = { data: arrayOf(variant, [1, 2, 3, 4]), dims: [2, 2] };
    expect(crossEntropy(x, [-100, -100])).toBeNaN();
    expect(crossEntropy(x, [-100, -100], { reduction: 'sum' })).toBe(0);
  });
});
