/**
 * Backward passes against central finite differences, in float64. The differentiated functions are the
 * independent formulas of ./helpers.ts (so a vjp is checked against the true derivative of the true
 * function, not of the library's forward), with h = 1e-6; the tolerance is 1e-6 relative to the
 * gradient's scale (the difference quotient itself is accurate to ~1e-9 here).
 */
import { describe, expect, it } from 'vitest';
import { crossEntropy, logSoftmax, logSumExp, softmax } from '../../src/index.js';
import { numericGradient, linesAlong, pick, refLogSoftmax, refLogSumExp, refSoftmax, rng, uniform } from './helpers.js';

const RTOL = 1e-6;
const LENGTHS = [1, 2, 3, 7, 16, 33, 64];


/** |got − fd| ≤ RTOL·(|fd| + ‖fd‖∞) + 1e-10 elementwise. */
function expectGradient(got: ArrayLike<number>, fd: Float64Array, label: string): void {
  expect(got.length, label).toBe(fd.length);
  let scale = 0;
  for (const v of fd) scale = Math.max(scale, Math.abs(v));
  for (let j = 0; j < fd.length; j++) {
    const tol = RTOL * (Math.abs(fd[j]) + scale) + 1e-10;
    if (!(Math.abs(got[j] - fd[j]) <= tol)) {
      expect.fail(`${label}[${j}]: vjp ${got[j]}, finite difference ${fd[j]} (tol ${tol})`);
    }
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Applies a row function along `axis` of a tensor (independent gathering by strides). */
function alongAxis(data: Float64Array, dims: number[], axis: number, f: (row: number[]) => ArrayLike<number>): Float64Array {
  const out = new Float64Array(data.length);
  for (const line of linesAlong(dims, axis)) {
    const r = f(pick(data, line.offsets));
    line.offsets.forEach((o, j) => (out[o] = r[j]));
  }
  return out;
}

const TEMPERATURES = [1, 0.7, 2.5];

describe.each(TEMPERATURES)('softmax.vjp and logSoftmax.vjp, τ = %s', (temperature) => {
  it.each(LENGTHS)('softmax.vjp matches finite differences on a row of length %i', (n) => {
    const rand = rng(100 + n);
    const x = Float64Array.from(uniform(rand, n, -3, 3));
    const dy = Float64Array.from(uniform(rand, n, -1, 1));
    const y = softmax(x, { temperature });
    const dx = softmax.vjp(y, dy, { temperature });
    expect(dx).toBeInstanceOf(Float64Array);
    expectGradient(dx, numericGradient((v) => dot(dy, refSoftmax(v, temperature)), x), 'softmax dx');
  });

  it.each(LENGTHS)('logSoftmax.vjp matches finite differences on a row of length %i', (n) => {
    const rand = rng(200 + n);
    const x = Float64Array.from(uniform(rand, n, -3, 3));
    const dy = Float64Array.from(uniform(rand, n, -1, 1));
    const y = logSoftmax(x, { temperature });
    const dx = logSoftmax.vjp(y, dy, { temperature });
    expect(dx).toBeInstanceOf(Float64Array);
    expectGradient(dx, numericGradient((v) => dot(dy, refLogSoftmax(v, temperature)), x), 'logSoftmax dx');
  });

  it('softmax.vjp and logSoftmax.vjp match finite differences on a 3-D tensor along axis 1', () => {
    const rand = rng(300);
    const dims = [3, 5, 4];
    const x = Float64Array.from(uniform(rand, 60, -3, 3));
    const dy = Float64Array.from(uniform(rand, 60, -1, 1));
    for (const axis of [1, -2]) {
      const y = softmax({ data: x, dims }, { axis, temperature });
      const dx = softmax.vjp(y, { data: dy, dims }, { axis, temperature });
      expect(dx.dims).toEqual(dims);
      const f = (v: Float64Array) => dot(dy, alongAxis(v, dims, 1, (r) => refSoftmax(r, temperature)));
      expectGradient(dx.data, numericGradient(f, x), `softmax axis ${axis}`);

      const ly = logSoftmax({ data: x, dims }, { axis, temperature });
      const ldx = logSoftmax.vjp(ly, { data: dy, dims }, { axis, temperature });
      expect(ldx.dims).toEqual(dims);
      const lf = (v: Float64Array) => dot(dy, alongAxis(v, dims, 1, (r) => refLogSoftmax(r, temperature)));
      expectGradient(ldx.data, numericGradient(lf, x), `logSoftmax axis ${axis}`);
    }
  });
});

describe('logSumExp.vjp', () => {
  it.each(LENGTHS)('matches finite differences on a row of length %i (τ = 1 and 0.6)', (n) => {
    const rand = rng(400 + n);
    const x = Float64Array.from(uniform(rand, n, -3, 3));
    const dy = 0.37;
    for (const temperature of [1, 0.6]) {
      const y = logSumExp(x, { temperature });
      const dx = logSumExp.vjp(y, dy, { x, temperature });
      expect(dx).toBeInstanceOf(Float64Array);
      expectGradient(dx as Float64Array, numericGradient((v) => dy * refLogSumExp(v, temperature), x), `lse τ=${temperature}`);
    }
  });

  it('matches finite differences on a 3-D tensor along axis 1, with and without keepDims', () => {
    const rand = rng(500);
    const dims = [3, 5, 4];
    const x = Float64Array.from(uniform(rand, 60, -3, 3));
    const dy = Float64Array.from(uniform(rand, 12, -1, 1));
    // Reduced layout [3, 4]: dy[o·4 + i] weighs the line with index (o, ·, i).
    const f = (v: Float64Array) => {
      let s = 0;
      for (const line of linesAlong(dims, 1)) s += dy[line.index[0] * 4 + line.index[2]] * refLogSumExp(pick(v, line.offsets));
      return s;
    };
    const fd = numericGradient(f, x);
    for (const keepDims of [false, true]) {
      const y = logSumExp({ data: x, dims }, { axis: 1, keepDims });
      expect(y.dims).toEqual(keepDims ? [3, 1, 4] : [3, 4]);
      const dx = logSumExp.vjp(y, { data: dy, dims: y.dims }, { x: { data: x, dims }, axis: 1, keepDims });
      expect(Array.isArray(dx) || dx instanceof Float64Array).toBe(false);
      const t = dx as { data: Float64Array; dims: number[] };
      expect(t.dims).toEqual(dims);
      expectGradient(t.data, fd, `lse keepDims=${keepDims}`);
    }
  });

  it('gives 0 at masked entries and the masked softmax elsewhere', () => {
    const x = Float64Array.from([0.3, -1.2, 2.0, 0.7, -0.4]);
    const mask = [true, false, true, true, false];
    const y = logSumExp(x, { mask });
    const dx = logSumExp.vjp(y, 2, { x, mask }) as Float64Array;
    // d/dx_i of 2·log Σ_kept exp(x_j) = 2·softmax over the kept entries.
    const p = refSoftmax([0.3, 2.0, 0.7]);
    const want = [2 * p[0], 0, 2 * p[1], 2 * p[2], 0];
    for (let i = 0; i < 5; i++) expect(Math.abs(dx[i] - want[i])).toBeLessThanOrEqual(1e-15);
  });
});

describe('crossEntropy.vjp', () => {
  /** Independent loss of one row: Σ_c t_c·(−log p_c), t = (1 − ε)·onehot(y) + ε/C (PyTorch). */
  function rowLoss(z: ArrayLike<number>, label: number, eps: number): number {
    const lp = refLogSoftmax(z);
    let loss = 0;
    for (let c = 0; c < z.length; c++) loss -= ((c === label ? 1 - eps : 0) + eps / z.length) * lp[c];
    return loss;
  }

  function losses(x: Float64Array, classes: number, labels: number[], eps: number, ignore = -100): number[] {
    return labels.map((y, r) => (y === ignore ? 0 : rowLoss(x.subarray(r * classes, (r + 1) * classes), y, eps)));
  }

  const CASES: Array<{ name: string; dims: number[]; labels: number[] }> = [
    { name: '2-D logits [4, 6] with an ignored row', dims: [4, 6], labels: [2, -100, 5, 0] },
    { name: '3-D logits [2, 3, 5] with an ignored row', dims: [2, 3, 5], labels: [4, 0, -100, 1, 3, 2] },
    { name: 'a single row of 9 classes', dims: [9], labels: [7] },
  ];

  for (const { name, dims, labels } of CASES) {
    describe(name, () => {
      const classes = dims[dims.length - 1];
      const size = dims.reduce((a, b) => a * b, 1);
      const x = Float64Array.from(uniform(rng(600 + size), size, -3, 3));
      const valid = labels.filter((y) => y !== -100).length;
      const input = dims.length === 1 ? x : { data: x, dims };

      for (const labelSmoothing of [0, 0.1]) {
        it(`reduction 'mean', labelSmoothing ${labelSmoothing}`, () => {
          const loss = crossEntropy(input, labels, { labelSmoothing });
          const dx = crossEntropy.vjp(loss as number, 1.7, { x: input, labels, labelSmoothing });
          const data = dx instanceof Float64Array ? dx : (dx as { data: Float64Array }).data;
          const f = (v: Float64Array) => (1.7 * losses(v, classes, labels, labelSmoothing).reduce((a, b) => a + b, 0)) / valid;
          expectGradient(data, numericGradient(f, x), 'mean');
        });

        it(`reduction 'sum', labelSmoothing ${labelSmoothing}`, () => {
          const loss = crossEntropy(input, labels, { labelSmoothing, reduction: 'sum' });
          const dx = crossEntropy.vjp(loss as number, -0.8, { x: input, labels, labelSmoothing, reduction: 'sum' });
          const data = dx instanceof Float64Array ? dx : (dx as { data: Float64Array }).data;
          const f = (v: Float64Array) => -0.8 * losses(v, classes, labels, labelSmoothing).reduce((a, b) => a + b, 0);
          expectGradient(data, numericGradient(f, x), 'sum');
        });

        it(`reduction 'none', labelSmoothing ${labelSmoothing}`, () => {
          const dy = uniform(rng(700), labels.length, -1, 1);
          const loss = crossEntropy(input, labels, { labelSmoothing, reduction: 'none' });
          const dx = crossEntropy.vjp(loss as Float64Array, dy, { x: input, labels, labelSmoothing, reduction: 'none' });
          const data = dx instanceof Float64Array ? dx : (dx as { data: Float64Array }).data;
          const f = (v: Float64Array) => dot(dy, losses(v, classes, labels, labelSmoothing));
          expectGradient(data, numericGradient(f, x), 'none');
          // Ignored rows get exactly zero gradient.
          labels.forEach((y, r) => {
            if (y !== -100) return;
            for (let c = 0; c < classes; c++) expect(Math.abs(data[r * classes + c])).toBe(0);
          });
        });
      }
    });
  }
});

describe('masked semantics of the backward passes', () => {
  it('softmax.vjp gives 0 at masked entries and the masked derivative elsewhere', () => {
    const rand = rng(800);
    const n = 11;
    const x = Float64Array.from(uniform(rand, n, -2, 2));
    const dy = Float64Array.from(uniform(rand, n, -1, 1));
    const mask = [1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1];
    const y = softmax(x, { mask });
    for (const dx of [softmax.vjp(y, dy), softmax.vjp(y, dy, { mask })]) {
      const masked = (v: Float64Array) => dot(dy, refSoftmax(Array.from(v, (e, i) => (mask[i] ? e : -Infinity))));
      const fd = numericGradient(masked, x);
      for (let i = 0; i < n; i++) {
        if (!mask[i]) expect(Math.abs(dx[i]), `masked dx[${i}]`).toBe(0);
      }
      expectGradient(dx, fd, 'masked softmax dx');
    }
  });

  it('logSoftmax.vjp passes dy through at −∞ entries: dx = dy − softmax·Σdy', () => {
    const x = Float64Array.from([0.5, -Infinity, 1.5, -0.25, -Infinity, 2]);
    const dy = Float64Array.from([0.3, -0.7, 0.2, 0.9, 0.4, -0.1]);
    const y = logSoftmax(x);
    expect(y[1]).toBe(-Infinity);
    expect(y[4]).toBe(-Infinity);
    const dx = logSoftmax.vjp(y, dy);
    const p = refSoftmax(x); // 0 at the −∞ entries
    const total = dy.reduce((a, b) => a + b, 0);
    for (let i = 0; i < 6; i++) expect(Math.abs(dx[i] - (dy[i] - p[i] * total)), `dx[${i}]`).toBeLessThanOrEqual(1e-15);
    expect(dx[1]).toBe(dy[1]);
    expect(dx[4]).toBe(dy[4]);
  });

  it('softmax.vjp at a one-hot output (length-1 row) is exactly 0', () => {
    // softmax of one entry is the constant 1: its derivative is 0 whatever dy is.
    const dx = softmax.vjp(new Float64Array([1]), new Float64Array([5]));
    expect(Math.abs(dx[0])).toBe(0);
  });
});

describe('float32 backward passes', () => {
  it('return Float32Array and agree with the float64 ones to float32 precision', () => {
    const rand = rng(900);
    const n = 37;
    const x64 = Float64Array.from(uniform(rand, n, -3, 3), Math.fround);
    const dy64 = Float64Array.from(uniform(rand, n, -1, 1), Math.fround);
    const x32 = Float32Array.from(x64);
    const dy32 = Float32Array.from(dy64);
    const pairs: Array<[ArrayLike<number>, ArrayLike<number>]> = [
      [softmax.vjp(softmax(x32), dy32), softmax.vjp(softmax(x64), dy64)],
      [logSoftmax.vjp(logSoftmax(x32), dy32), logSoftmax.vjp(logSoftmax(x64), dy64)],
      [logSumExp.vjp(logSumExp(x32), 1.5, { x: x32 }) as Float32Array, logSumExp.vjp(logSumExp(x64), 1.5, { x: x64 }) as Float64Array],
      [crossEntropy.vjp(0, 1, { x: x32, labels: 4 }) as Float32Array, crossEntropy.vjp(0, 1, { x: x64, labels: 4 }) as Float64Array],
    ];
    for (const [g32, g64] of pairs) {
      expect(g32).toBeInstanceOf(Float32Array);
      let scale = 0;
      for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(g64[i]));
      for (let i = 0; i < n; i++) expect(Math.abs(g32[i] - g64[i])).toBeLessThanOrEqual(1e-5 * scale);
    }
  });
});
