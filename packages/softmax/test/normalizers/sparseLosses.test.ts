/**
 * The Fenchel–Young losses of sparsemax and entmax: values against independent closed forms (the
 * sparsemax paper's −z_y + ½Σ_{j∈S}(z_j² − θ²) + ½, cross-entropy at α = 1, the Tsallis entropy at
 * α = 1.5 on a hand-solved row), non-negativity and exact zeros at a large margin, gradients against
 * central finite differences, reductions and argument errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entmaxLoss } from '../../src/losses/entmaxLoss.js';
import { sparsemaxLoss } from '../../src/losses/sparsemaxLoss.js';
import { entmax } from '../../src/normalizers/entmax.js';
import { crossEntropy } from '../../src/ops/crossEntropy.js';
import { SoftmaxError } from '../../src/tensor/errors.js';
import { rng, randomRow } from './helpers.js';

const RUNS = { numRuns: 60, seed: Number(process.env.FC_SEED ?? 20250120) };

function expectError(run: () => unknown, code: string, argument: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SoftmaxError);
  expect((caught as SoftmaxError).code).toBe(code);
  expect((caught as SoftmaxError).argument ?? '').toContain(argument);
}

/** The sparsemax paper's loss: −z_y + ½ Σ_{j∈S} (z_j² − θ²) + ½, with S and θ from its Algorithm 1. */
function paperSparsemaxLoss(z: ArrayLike<number>, label: number): number {
  const sorted = Array.from(z).sort((a, b) => b - a);
  let cum = 0;
  let kz = 0;
  let cumK = 0;
  sorted.forEach((v, j) => {
    cum += v;
    if (1 + (j + 1) * v > cum) {
      kz = j + 1;
      cumK = cum;
    }
  });
  const theta = (cumK - 1) / kz;
  let s = 0;
  for (let i = 0; i < z.length; i++) if (z[i] > theta) s += z[i] * z[i] - theta * theta;
  return -z[label] + 0.5 * s + 0.5;
}

describe('sparsemaxLoss', () => {
  it('matches a hand-computed value', () => {
    // p = sparsemax([0.5, 1, 1.2]) = [0, 0.4, 0.6] (θ = 0.6); L = ⟨z, p⟩ − ½‖p‖² + ½ − z_1 = 1.12 − 0.26 + 0.5 − 1.
    expect(sparsemaxLoss([0.5, 1, 1.2], 1, { reduction: 'sum' })).toBeCloseTo(0.36, 15);
    // The paper's form gives the same: −1 + ½((1 − 0.36) + (1.44 − 0.36)) + ½.
    expect(paperSparsemaxLoss([0.5, 1, 1.2], 1)).toBeCloseTo(0.36, 15);
  });

  it('matches the paper’s closed form, is ≥ 0, and is 0 exactly at a margin of 1', () => {
    const row = fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 30 });
    fc.assert(fc.property(row, fc.nat(), (values, pick) => {
      const label = pick % values.length;
      const loss = sparsemaxLoss(values, label, { reduction: 'sum' }) as number;
      const want = paperSparsemaxLoss(values, label);
      expect(Math.abs(loss - Math.max(want, 0))).toBeLessThan(1e-12 * (1 + Math.abs(want)));
      expect(loss).toBeGreaterThanOrEqual(0);
      // z_y ≥ z_j + 1 for all j ≠ y makes sparsemax(z) = e_y: loss and gradient exactly 0 (the extra
      // 1e-9 keeps the margin ≥ 1 after rounding of max + 1).
      const wide = values.map((v, i) => (i === label ? Math.max(...values) + 1 + 1e-9 : v));
      expect(sparsemaxLoss(wide, label, { reduction: 'sum' })).toBe(0);
      const g = sparsemaxLoss.vjp(0, 1, { x: wide, labels: [label], reduction: 'sum' }) as Float64Array;
      expect(Array.from(g).every((v) => v === 0)).toBe(true);
    }), RUNS);
  });
});

describe('entmaxLoss', () => {
  it('is cross-entropy at α = 1 and the sparsemax loss at α = 2', () => {
    const rand = rng(1);
    const data = randomRow(rand, 4 * 7, -3, 3);
    const logits = { data, dims: [4, 7] };
    const labels = [0, 6, 3, 3];
    const ce = crossEntropy(logits, labels, { reduction: 'none' }) as Float64Array;
    const l1 = entmaxLoss(logits, labels, { alpha: 1, reduction: 'none' }) as Float64Array;
    const l2 = entmaxLoss(logits, labels, { alpha: 2, reduction: 'none' }) as Float64Array;
    const sp = sparsemaxLoss(logits, labels, { reduction: 'none' }) as Float64Array;
    for (let r = 0; r < 4; r++) {
      expect(Math.abs(l1[r] - ce[r])).toBeLessThan(1e-12);
      expect(l2[r]).toBe(sp[r]);
    }
  });

  it('matches the Tsallis form on a hand-solved α = 1.5 row', () => {
    // entmax15([0, 0.5, 1]) = [(r − 1/4)², r², (r + 1/4)²] with r = √(7/24) (see entmax.test.ts);
    // L = Σ p_j (z_j − z_y) + (1 − Σ p_j^1.5)/(1.5·0.5).
    const r = Math.sqrt(7 / 24);
    const p = [(r - 0.25) ** 2, r * r, (r + 0.25) ** 2];
    const z = [0, 0.5, 1];
    for (const label of [0, 1, 2]) {
      const want = p.reduce((s, pj, j) => s + pj * (z[j] - z[label]), 0) + (1 - p.reduce((s, pj) => s + pj ** 1.5, 0)) / 0.75;
      expect(Math.abs((entmaxLoss(z, label, { alpha: 1.5, reduction: 'sum' }) as number) - want)).toBeLessThan(1e-15);
    }
    expect(entmaxLoss(z, 2, { reduction: 'sum' })).toBe(entmaxLoss(z, 2, { alpha: 1.5, reduction: 'sum' }));
  });

  it('is ≥ 0, and 0 exactly at a margin of 1/(α−1)', () => {
    const row = fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 2, maxLength: 25 });
    const alphaArb = fc.constantFrom(1.2, 1.5, 1.8, 3);
    fc.assert(fc.property(row, fc.nat(), alphaArb, (values, pick, alpha) => {
      const label = pick % values.length;
      expect(entmaxLoss(values, label, { alpha, reduction: 'sum' })).toBeGreaterThanOrEqual(0);
      const wide = values.map((v, i) => (i === label ? Math.max(...values) + 1 / (alpha - 1) + 1e-9 : v));
      expect(entmaxLoss(wide, label, { alpha, reduction: 'sum' })).toBe(0);
    }), RUNS);
  });
});

describe('Fenchel–Young losses: gradients', () => {
  const cases: [string, (x: Float64Array, labels: number[]) => number, (x: Float64Array, labels: number[]) => Float64Array, number][] = [];
  for (const alpha of [1, 1.3, 1.5, 2.5]) {
    cases.push([
      `entmax α=${alpha}`,
      (x, labels) => entmaxLoss({ data: x, dims: [3, 6] }, labels, { alpha, reduction: 'sum' }) as number,
      (x, labels) => (entmaxLoss.vjp(0, 1, { x: { data: x, dims: [3, 6] }, labels, alpha, reduction: 'sum' }) as { data: Float64Array }).data,
      alpha,
    ]);
  }
  cases.push([
    'sparsemax',
    (x, labels) => sparsemaxLoss({ data: x, dims: [3, 6] }, labels, { reduction: 'sum' }) as number,
    (x, labels) => (sparsemaxLoss.vjp(0, 1, { x: { data: x, dims: [3, 6] }, labels, reduction: 'sum' }) as { data: Float64Array }).data,
    2,
  ]);

  it('match central finite differences and equal entmax_α(z) − e_y', () => {
    const rand = rng(2);
    const labels = [1, 5, 0];
    const h = 1e-6;
    for (const [label, loss, grad, alpha] of cases) {
      const x = randomRow(rand, 18, -1.5, 1.5);
      const g = grad(x, labels);
      for (let i = 0; i < 18; i++) {
        const p = Float64Array.from(x);
        const m = Float64Array.from(x);
        p[i] += h;
        m[i] -= h;
        const fd = (loss(p, labels) - loss(m, labels)) / (2 * h);
        expect(Math.abs(g[i] - fd), `${label} i=${i}`).toBeLessThan(1e-7);
      }
      for (let r = 0; r < 3; r++) {
        const pr = entmax(x.subarray(r * 6, r * 6 + 6), { alpha });
        for (let j = 0; j < 6; j++) expect(Math.abs(g[r * 6 + j] - (pr[j] - (j === labels[r] ? 1 : 0)))).toBeLessThan(1e-15);
      }
    }
  });
});

describe('Fenchel–Young losses: reductions, forms and errors', () => {
  const data = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i * 1.3) * 2);
  const logits = { data, dims: [3, 4] };

  it('reduce by mean over rows not ignored, sum, or none; ignored rows get no gradient', () => {
    const none = sparsemaxLoss(logits, [0, -100, 3], { reduction: 'none' }) as Float64Array;
    expect(none[1]).toBe(0);
    expect(sparsemaxLoss(logits, [0, -100, 3], { reduction: 'sum' })).toBeCloseTo(none[0] + none[2], 15);
    expect(sparsemaxLoss(logits, [0, -100, 3])).toBeCloseTo((none[0] + none[2]) / 2, 15);
    expect(Number.isNaN(sparsemaxLoss(logits, [-100, -100, -100]) as number)).toBe(true);
    const gMean = entmaxLoss.vjp(0, 1, { x: logits, labels: [0, 7, 3], ignoreIndex: 7 }) as { data: Float64Array; dims: number[] };
    const gSum = entmaxLoss.vjp(0, 1, { x: logits, labels: [0, 7, 3], ignoreIndex: 7, reduction: 'sum' }) as { data: Float64Array };
    expect(gMean.dims).toEqual([3, 4]);
    for (let i = 0; i < 12; i++) expect(gMean.data[i]).toBeCloseTo(gSum.data[i] / 2, 15);
    expect(Array.from(gMean.data.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    const gNone = entmaxLoss.vjp(0, [2, 0, 1], { x: logits, labels: [0, 1, 3], reduction: 'none' }) as { data: Float64Array };
    const gOne = entmaxLoss.vjp(0, 1, { x: logits, labels: [0, 1, 3], reduction: 'sum' }) as { data: Float64Array };
    for (let i = 0; i < 12; i++) expect(gNone.data[i]).toBeCloseTo(gOne.data[i] * [2, 0, 1][Math.floor(i / 4)], 15);
  });

  it('keeps float32 for per-row losses and gradients, and gives NaN for NaN rows', () => {
    const x32 = Float32Array.from(data);
    const l = entmaxLoss({ data: x32, dims: [3, 4] }, [0, 1, 2], { reduction: 'none' });
    expect(l).toBeInstanceOf(Float32Array);
    const g = sparsemaxLoss.vjp(0, 1, { x: { data: x32, dims: [3, 4] }, labels: [0, 1, 2] }) as { data: Float32Array };
    expect(g.data).toBeInstanceOf(Float32Array);
    expect(Number.isNaN(sparsemaxLoss([1, NaN, 2], 0, { reduction: 'sum' }) as number)).toBe(true);
    expect(sparsemaxLoss([0, -Infinity, 2], 1, { reduction: 'sum' })).toBe(Infinity);
  });

  it('reject missing or bad arguments', () => {
    expectError(() => sparsemaxLoss.vjp(0, 1, { labels: [0, 1, 2] } as never), 'E_PARAM', 'x');
    expectError(() => entmaxLoss.vjp(0, 1, { x: logits } as never), 'E_PARAM', 'labels');
    expectError(() => sparsemaxLoss(logits, [0, 4, 1]), 'E_PARAM', 'labels[1]');
    expectError(() => sparsemaxLoss(logits, [0, 1]), 'E_SHAPE', 'labels');
    expectError(() => entmaxLoss(logits, [0, 1, 2], { alpha: 0.5 }), 'E_PARAM', 'alpha');
    expectError(() => entmaxLoss(logits, [0, 1, 2], { reduction: 'avg' as never }), 'E_PARAM', 'reduction');
    expectError(() => entmaxLoss.vjp(0, 1, { x: logits, labels: [0, 1, 2], reduction: 'none' }), 'E_SHAPE', 'dy');
  });
});
