/**
 * Gumbel-softmax: reproducibility under a seed, the sample's formula (noise replayed from a cloned
 * generator, softmax from ../ops/helpers.ts), the Gumbel-max law of hard samples (chi-square against
 * softmax(x)), and the straight-through backward pass (softmax vjp at the soft sample; finite
 * differences with the noise held fixed by re-seeding).
 */
import { describe, expect, it } from 'vitest';
import { gumbelSoftmax } from '../../src/normalizers/gumbelSoftmax.js';
import { softmax } from '../../src/normalizers/softmax.js';
import { createRng } from '../../src/tensor/rng.js';
import { expectClose, expectSoftmaxError, linesAlong, pick, refSoftmax, rng, uniform } from '../ops/helpers.js';

type Tensor = { data: Float64Array | Float32Array; dims: number[] };

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe('gumbelSoftmax', () => {
  it('is reproducible under a seed and differs between seeds', () => {
    const x = Float64Array.from([0.5, -1, 2, 0.1]);
    const a = gumbelSoftmax(x, { rng: createRng(123) });
    const b = gumbelSoftmax(x, { rng: createRng(123) });
    const c = gumbelSoftmax(x, { rng: createRng(124) });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // One generator across calls: the stream moves on, so consecutive samples differ.
    const g = createRng(5);
    expect(Array.from(gumbelSoftmax(x, { rng: g }))).not.toEqual(Array.from(gumbelSoftmax(x, { rng: g })));
  });

  it('is softmax((x + g)/τ) with one Gumbel draw per element in C order (replayed from a clone)', () => {
    const dims = [2, 3, 4];
    const x = Float64Array.from(uniform(rng(3), 24, -2, 2));
    for (const axis of [-1, 1, 0]) {
      for (const temperature of [1, 0.5]) {
        const gen = createRng(99);
        const replay = gen.clone();
        const y = gumbelSoftmax({ data: x, dims }, { rng: gen, axis, temperature }) as Tensor;
        const noisy = Array.from(x, (v) => v + replay.gumbel());
        const ax = axis < 0 ? axis + 3 : axis;
        const want = new Float64Array(24);
        for (const line of linesAlong(dims, ax)) {
          const r = refSoftmax(pick(noisy, line.offsets), temperature);
          line.offsets.forEach((o, j) => (want[o] = r[j]));
        }
        expect(y.dims).toEqual(dims);
        expectClose(y.data, want, 1e-13, 1e-300, `axis ${axis} τ ${temperature}`);
      }
    }
  });

  it('hard samples are one-hot at the arg-max of the soft sample of the same draw', () => {
    const x = Float64Array.from(uniform(rng(8), 30, -1, 1));
    const { y, soft } = gumbelSoftmax.withSoft({ data: x, dims: [5, 6] }, { rng: createRng(1), hard: true, temperature: 0.3 });
    const softOnly = gumbelSoftmax({ data: x, dims: [5, 6] }, { rng: createRng(1), temperature: 0.3 }) as Tensor;
    expectClose(soft.data, softOnly.data, 0, 0, 'soft of withSoft = soft sample');
    for (let r = 0; r < 5; r++) {
      const row = Array.from(y.data.subarray(r * 6, r * 6 + 6));
      const srow = Array.from(soft.data.subarray(r * 6, r * 6 + 6));
      expect(row.filter((v) => v === 1).length).toBe(1);
      expect(row.filter((v) => v === 0).length).toBe(5);
      expect(row.indexOf(1)).toBe(srow.indexOf(Math.max(...srow)));
    }
    // Soft mode: withSoft returns the same array as y.
    const s2 = gumbelSoftmax.withSoft([1, 2], { rng: createRng(2) });
    expect(Array.from(s2.y)).toEqual(Array.from(s2.soft));
  });

  it('hard-sample frequencies match softmax(x) for any τ (Gumbel-max; chi-square, 3 dof, p = 0.001)', () => {
    const x = [1, 0, -1, 0.5];
    const p = refSoftmax(x);
    const N = 20000;
    const data = new Float64Array(N * 4);
    for (let r = 0; r < N; r++) data.set(x, r * 4);
    for (const temperature of [1, 0.25]) {
      const y = gumbelSoftmax({ data, dims: [N, 4] }, { rng: createRng(2024), hard: true, temperature }) as Tensor;
      const counts = [0, 0, 0, 0];
      for (let r = 0; r < N; r++) for (let i = 0; i < 4; i++) counts[i] += y.data[r * 4 + i];
      expect(counts.reduce((a, b) => a + b, 0)).toBe(N);
      let chi2 = 0;
      for (let i = 0; i < 4; i++) chi2 += (counts[i] - N * p[i]) ** 2 / (N * p[i]);
      expect(chi2, `counts ${counts.join(',')} τ=${temperature}`).toBeLessThan(16.27);
    }
  });

  it('vjp: softmax vjp at the soft sample (soft mode uses y; hard mode needs soft)', () => {
    const x = Float64Array.from([0.3, -0.8, 1.2, 0.0, 0.5]);
    const dy = Float64Array.from([0.2, -0.4, 1, 0.3, -0.6]);
    const y = gumbelSoftmax(x, { rng: createRng(7), temperature: 0.6 });
    const gs = gumbelSoftmax.vjp(y, dy, { temperature: 0.6 });
    expectClose(gs, softmax.vjp(y, dy, { temperature: 0.6 }), 0, 0);
    const pair = gumbelSoftmax.withSoft(x, { rng: createRng(7), hard: true, temperature: 0.6 });
    expectClose(pair.soft, y, 0, 0, 'same draw');
    const gh = gumbelSoftmax.vjp(pair.y, dy, { soft: pair.soft, hard: true, temperature: 0.6 });
    expectClose(gh, gs, 0, 0, 'straight-through = soft gradient');
    expectSoftmaxError(() => gumbelSoftmax.vjp(pair.y, dy, { hard: true, temperature: 0.6 }), 'E_PARAM', 'soft');
    expectSoftmaxError(() => gumbelSoftmax.vjp(pair.y, dy, { soft: [1, 2], hard: true }), 'E_SHAPE', 'soft');
  });

  it('vjp matches finite differences of the soft sample with the noise held fixed (a tensor, axis 0)', () => {
    const dims = [4, 3];
    const x = Float64Array.from(uniform(rng(12), 12, -1, 1));
    const dy = Float64Array.from(uniform(rng(13), 12, -1, 1));
    const opts = { axis: 0, temperature: 0.8 };
    const f = (v: Float64Array) => dot(dy, (gumbelSoftmax({ data: v, dims }, { ...opts, rng: createRng(55) }) as Tensor).data);
    const y = gumbelSoftmax({ data: x, dims }, { ...opts, rng: createRng(55) }) as Tensor;
    const dx = gumbelSoftmax.vjp(y, { data: dy, dims }, opts) as Tensor;
    expect(dx.dims).toEqual(dims);
    const h = 1e-6;
    for (let j = 0; j < 12; j++) {
      const xp = x.slice();
      const xm = x.slice();
      xp[j] += h;
      xm[j] -= h;
      const fd = (f(xp) - f(xm)) / (2 * h);
      expect(Math.abs(dx.data[j] - fd), `[${j}]`).toBeLessThan(1e-7);
    }
  });

  it('special rows: masked entries are 0 and never selected; fully masked / +∞ / NaN rows are NaN; length 1 is 1', () => {
    const data = Float64Array.from([5, 0, 1, 2, 3, 4, 1, Infinity, 0, 1, NaN, 0]);
    const mask = { data: Uint8Array.from([0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1]), dims: [4, 3] };
    for (const hard of [false, true]) {
      const y = gumbelSoftmax({ data, dims: [4, 3] }, { rng: createRng(3), mask, hard }) as Tensor;
      expect(y.data[0]).toBe(0);
      expect(y.data[1] + y.data[2]).toBeCloseTo(1, 14);
      for (let i = 3; i < 12; i++) expect(Number.isNaN(y.data[i]), `hard=${hard} [${i}]`).toBe(true);
    }
    // The masked entry with the largest score is never chosen.
    const many = new Float64Array(3 * 200).map((_, i) => [10, 0, 0][i % 3]);
    const yh = gumbelSoftmax({ data: many, dims: [200, 3] }, { rng: createRng(4), mask: [false, true, true], hard: true }) as Tensor;
    for (let r = 0; r < 200; r++) expect(yh.data[r * 3]).toBe(0);
    expect(Array.from(gumbelSoftmax([3.7], { rng: createRng(1), hard: true }))).toEqual([1]);
    expect(Array.from(gumbelSoftmax([3.7], { rng: createRng(1) }))).toEqual([1]);
  });

  it('float32 input: float32 output with the same noise, equal to the float64 sample to float32 precision', () => {
    const x32 = Float32Array.from(uniform(rng(21), 10, -3, 3));
    const y32 = gumbelSoftmax(x32, { rng: createRng(9) });
    const y64 = gumbelSoftmax(Float64Array.from(x32), { rng: createRng(9) });
    expect(y32).toBeInstanceOf(Float32Array);
    expectClose(y32, Array.from(y64, Math.fround), 0, 0);
    const out = new Float32Array(10);
    expect(gumbelSoftmax(x32, { rng: createRng(9), out })).toBe(out);
  });

  it('requires a generator: a missing or malformed rng is an E_PARAM error', () => {
    expectSoftmaxError(() => gumbelSoftmax([1, 2], undefined as never), 'E_PARAM', 'rng');
    expectSoftmaxError(() => gumbelSoftmax([1, 2], {} as never), 'E_PARAM', 'rng');
    expectSoftmaxError(() => gumbelSoftmax([1, 2], { rng: 42 } as never), 'E_PARAM', 'rng');
    expectSoftmaxError(() => gumbelSoftmax([1, 2], { rng: createRng(1), hard: 1 as never }), 'E_PARAM', 'hard');
    // Any { next() } works (the Gumbel draw is then −log(−log next())).
    let k = 0;
    const plain = { next: () => ((k++ * 0.377) % 1) + 1e-9 };
    const y = gumbelSoftmax([1, 2, 3], { rng: plain });
    expect(y.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });
});
