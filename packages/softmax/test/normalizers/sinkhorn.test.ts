/**
 * Sinkhorn normalisation: marginals, hand-derived fixed points, an independent plain-domain Sinkhorn
 * (exp, then divide by row and column sums: no log domain, no shared code), and the unrolled backward
 * pass against central finite differences of that independent iteration.
 */
import { describe, expect, it } from 'vitest';
import { sinkhorn } from '../../src/normalizers/sinkhorn.js';
import { expectClose, expectSoftmaxError, rng, uniform } from '../ops/helpers.js';

/** Plain-domain Sinkhorn of one n×n matrix: K = exp(X/τ), then `iterations` × (rows, columns). */
function refSinkhorn(x: ArrayLike<number>, n: number, iterations: number, tau = 1): Float64Array {
  const k = Float64Array.from(x, (v) => Math.exp(v / tau));
  for (let t = 0; t < iterations; t++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += k[i * n + j];
      for (let j = 0; j < n; j++) k[i * n + j] /= s;
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += k[i * n + j];
      for (let i = 0; i < n; i++) k[i * n + j] /= s;
    }
  }
  return k;
}

function marginals(y: ArrayLike<number>, n: number, off = 0): { rows: number[]; cols: number[] } {
  const rows = new Array<number>(n).fill(0);
  const cols = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      rows[i] += y[off + i * n + j];
      cols[j] += y[off + i * n + j];
    }
  }
  return { rows, cols };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe('sinkhorn', () => {
  it('columns sum to 1 after every sweep; rows and columns both within 1e-10 after enough sweeps', () => {
    const rand = rng(41);
    for (const n of [2, 5, 9]) {
      const x = Float64Array.from(uniform(rand, n * n, -2, 2));
      const few = sinkhorn({ data: x, dims: [n, n] }, { iterations: 3 });
      const m3 = marginals(few.data, n);
      for (const c of m3.cols) expect(Math.abs(c - 1)).toBeLessThan(1e-14);
      const many = sinkhorn({ data: x, dims: [n, n] }, { iterations: 200 });
      const m = marginals(many.data, n);
      for (const v of [...m.rows, ...m.cols]) expect(Math.abs(v - 1)).toBeLessThan(1e-10);
      expect(Array.from(many.data).every((v) => v > 0)).toBe(true);
    }
  });

  it('matches the independent plain-domain iteration (batch dims, temperature, default 20 sweeps)', () => {
    const rand = rng(42);
    const dims = [2, 3, 4, 4];
    const x = Float64Array.from(uniform(rand, 96, -3, 3));
    const y = sinkhorn({ data: x, dims }, { temperature: 0.8 });
    expect(y.dims).toEqual(dims);
    for (let b = 0; b < 6; b++) {
      const want = refSinkhorn(x.subarray(b * 16, b * 16 + 16), 4, 20, 0.8);
      expectClose(y.data.subarray(b * 16, b * 16 + 16), want, 1e-12, 1e-15, `matrix ${b}`);
    }
  });

  it('known fixed points (hand-derived)', () => {
    // Rank-one K = u·vᵀ (X_ij = a_i + b_j): one sweep gives the uniform matrix 1/n.
    const x = Float64Array.from([0, 1, 2, 3]); // X_ij = 2i + j
    expectClose(sinkhorn({ data: x, dims: [2, 2] }, { iterations: 1 }).data, [0.5, 0.5, 0.5, 0.5], 1e-15);
    // X = [[a, 0], [0, 0]]: the limit is [[t, 1 − t], [1 − t, t]] with the cross ratio t²/(1 − t)² = e^a
    // preserved, so t = sigmoid(a/2); a = 2: t = e/(1 + e) = 0.7310585786300049.
    const t = Math.E / (1 + Math.E);
    expectClose(sinkhorn({ data: Float64Array.from([2, 0, 0, 0]), dims: [2, 2] }, { iterations: 100 }).data, [t, 1 - t, 1 - t, t], 1e-13);
    // n = 1 gives [[1]]; n = 0 an empty result.
    expect(Array.from(sinkhorn({ data: Float64Array.of(-7), dims: [1, 1] }).data)).toEqual([1]);
    expect(sinkhorn({ data: new Float64Array(0), dims: [3, 0, 0] }).data.length).toBe(0);
  });

  it('is stable at ±1e4 scale (log domain): 1e4·I gives the identity', () => {
    const n = 4;
    const x = new Float64Array(n * n);
    for (let i = 0; i < n; i++) x[i * n + i] = 1e4;
    x[1] = -1e4;
    const y = sinkhorn({ data: x, dims: [n, n] });
    const id = Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
    expectClose(y.data, id, 1e-15, 1e-300);
  });

  it('masked entries get 0; a fully masked row or column, NaN or +∞ make that matrix NaN', () => {
    const x = Float64Array.from(uniform(rng(5), 27, -1, 1));
    const mask = Uint8Array.from({ length: 27 }, () => 1);
    mask[1] = 0; // matrix 0: one entry dropped
    mask[9 + 3] = 0;
    mask[9 + 4] = 0;
    mask[9 + 5] = 0; // matrix 1: row 1 fully masked
    const data = x.slice();
    data[18 + 4] = NaN; // matrix 2: NaN
    const y = sinkhorn({ data, dims: [3, 3, 3] }, { mask: { data: mask, dims: [3, 3, 3] }, iterations: 300 });
    expect(y.data[1]).toBe(0);
    const m = marginals(y.data, 3, 0);
    for (const v of [...m.rows, ...m.cols]) expect(Math.abs(v - 1)).toBeLessThan(1e-9);
    expect(Array.from(y.data.subarray(9, 27)).every(Number.isNaN)).toBe(true);
    const inf = sinkhorn({ data: Float64Array.from([Infinity, 0, 0, 0]), dims: [2, 2] });
    expect(Array.from(inf.data).every(Number.isNaN)).toBe(true);
    // A broadcast mask: −∞ on the diagonal of every matrix (the mask's dims [3, 3]).
    const diag = [0, 1, 1, 1, 0, 1, 1, 1, 0];
    const yd = sinkhorn({ data: x, dims: [3, 3, 3] }, { mask: { data: diag, dims: [3, 3] } });
    for (let b = 0; b < 3; b++) for (let i = 0; i < 3; i++) expect(yd.data[b * 9 + i * 4]).toBe(0);
  });

  it('vjp matches finite differences of the unrolled iteration (batch, τ, several sweep counts)', () => {
    const rand = rng(43);
    const n = 3;
    const dims = [2, n, n];
    const x = Float64Array.from(uniform(rand, 18, -1.5, 1.5));
    const dy = Float64Array.from(uniform(rand, 18, -1, 1));
    for (const iterations of [1, 4, 12]) {
      const opts = { iterations, temperature: 0.7 };
      const y = sinkhorn({ data: x, dims }, opts);
      const dx = sinkhorn.vjp(y, { data: dy, dims }, { ...opts, x: { data: x, dims } });
      expect(dx.dims).toEqual(dims);
      const f = (v: Float64Array) => {
        let s = 0;
        for (let b = 0; b < 2; b++) s += dot(dy.subarray(b * 9, b * 9 + 9), refSinkhorn(v.subarray(b * 9, b * 9 + 9), n, iterations, 0.7));
        return s;
      };
      const h = 1e-6;
      let scale = 0;
      const fd = new Float64Array(18);
      for (let j = 0; j < 18; j++) {
        const xp = x.slice();
        const xm = x.slice();
        xp[j] += h;
        xm[j] -= h;
        fd[j] = (f(xp) - f(xm)) / (2 * h);
        scale = Math.max(scale, Math.abs(fd[j]));
      }
      for (let j = 0; j < 18; j++) {
        expect(Math.abs(dx.data[j] - fd[j]), `iterations ${iterations} [${j}]`).toBeLessThan(1e-6 * (Math.abs(fd[j]) + scale) + 1e-10);
      }
    }
  });

  it('vjp with a mask: 0 at masked entries, finite differences elsewhere', () => {
    const n = 3;
    const x = Float64Array.from(uniform(rng(44), 9, -1, 1));
    const dy = Float64Array.from(uniform(rng(45), 9, -1, 1));
    const mask = [1, 0, 1, 1, 1, 1, 1, 1, 0];
    const opts = { iterations: 6, mask: { data: mask, dims: [n, n] } };
    const y = sinkhorn({ data: x, dims: [n, n] }, opts);
    const dx = sinkhorn.vjp(y, { data: dy, dims: [n, n] }, { ...opts, x: { data: x, dims: [n, n] } });
    expect(dx.data[1]).toBe(0);
    expect(dx.data[8]).toBe(0);
    const f = (v: Float64Array) => dot(dy, refSinkhorn(Float64Array.from(v, (t, k) => (mask[k] ? t : -Infinity)), n, 6));
    const h = 1e-6;
    for (let j = 0; j < 9; j++) {
      if (!mask[j]) continue;
      const xp = x.slice();
      const xm = x.slice();
      xp[j] += h;
      xm[j] -= h;
      const fd = (f(xp) - f(xm)) / (2 * h);
      expect(Math.abs(dx.data[j] - fd), `[${j}]`).toBeLessThan(1e-8);
    }
  });

  it('float32 in gives float32 out, equal to the float64 result to float32 precision', () => {
    const x32 = Float32Array.from(uniform(rng(46), 25, -2, 2));
    const y32 = sinkhorn({ data: x32, dims: [5, 5] });
    const y64 = sinkhorn({ data: Float64Array.from(x32), dims: [5, 5] });
    expect(y32.data).toBeInstanceOf(Float32Array);
    expectClose(y32.data, Array.from(y64.data, Math.fround), 0, 0);
    const dy = Float32Array.from(uniform(rng(47), 25, -1, 1));
    const g32 = sinkhorn.vjp(y32, { data: dy, dims: [5, 5] }, { x: { data: x32, dims: [5, 5] } });
    const g64 = sinkhorn.vjp(y64, { data: Float64Array.from(dy), dims: [5, 5] }, { x: { data: Float64Array.from(x32), dims: [5, 5] } });
    expect(g32.data).toBeInstanceOf(Float32Array);
    expectClose(g32.data, Array.from(g64.data, Math.fround), 0, 0);
  });

  it('validates shapes and options', () => {
    expectSoftmaxError(() => sinkhorn({ data: new Float64Array(6), dims: [2, 3] }), 'E_SHAPE', 'x');
    expectSoftmaxError(() => sinkhorn([1, 2, 3, 4] as never), 'E_SHAPE', 'x');
    expectSoftmaxError(() => sinkhorn({ data: new Float64Array(4), dims: [2, 2] }, { iterations: 0 }), 'E_PARAM', 'iterations');
    expectSoftmaxError(() => sinkhorn({ data: new Float64Array(4), dims: [2, 2] }, { temperature: -1 }), 'E_PARAM', 'temperature');
    const y = sinkhorn({ data: new Float64Array(4), dims: [2, 2] });
    expectSoftmaxError(() => sinkhorn.vjp(y, y, {} as never), 'E_PARAM', 'x');
    expectSoftmaxError(() => sinkhorn.vjp(y, { data: new Float64Array(9), dims: [3, 3] }, { x: y }), 'E_SHAPE', 'dy');
    expectSoftmaxError(() => sinkhorn.vjp(y, { data: new Float32Array(4), dims: [2, 2] }, { x: y }), 'E_DTYPE', 'dy');
  });
});
