/**
 * Token sampling: reproducibility under a seed, the law of the draws (chi-square against the processed
 * distribution, computed independently with refSoftmax from ../ops/helpers.ts), the filters' exact
 * support (top-k, top-p minimal and ≥ p, min-p; probed with generators pinned at u = 0 and u → 1, which
 * make the inverse CDF return the first/last surviving token), the repetition penalty on a hand example,
 * Gumbel-max, greedy, and error codes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { greedy, gumbelMaxSample, sample } from '../../src/decisions/sampling/sample.js';
import { topIndices } from '../../src/decisions/sampling/topIndices.js';
import { createRng } from '../../src/tensor/rng.js';
import { expectSoftmaxError, refSoftmax } from '../ops/helpers.js';

/** A generator whose next() is pinned: 0 picks the first surviving candidate, LAST the last one. */
const pinned = (u: number) => ({ next: () => u });
const LAST = 1 - 2 ** -53;

/** `rows` copies of one row as a tensor. */
function repeat(row: readonly number[], rows: number): { data: Float64Array; dims: number[] } {
  const data = new Float64Array(rows * row.length);
  for (let r = 0; r < rows; r++) data.set(row, r * row.length);
  return { data, dims: [rows, row.length] };
}

function counts(ids: Int32Array, vocab: number): number[] {
  const c = new Array<number>(vocab).fill(0);
  for (const id of ids) c[id]++;
  return c;
}

/**
 * Pearson's chi-square of observed counts against probabilities `p` (cells with p = 0 must be empty).
 * Bound: df + 6·√(2·df) + 10, far in the tail (the draws are seeded, so the test is deterministic).
 */
function expectLaw(ids: Int32Array, p: ArrayLike<number>): void {
  const n = ids.length;
  const c = counts(ids, p.length);
  let chi2 = 0;
  let df = -1;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) {
      expect(c[i], `token ${i} has probability 0`).toBe(0);
      continue;
    }
    const e = n * p[i];
    chi2 += ((c[i] - e) * (c[i] - e)) / e;
    df++;
  }
  expect(chi2).toBeLessThan(df + 6 * Math.sqrt(2 * Math.max(df, 1)) + 10);
}

/** Keeps the entries of `p` at `keep`, renormalised. */
function restrict(p: ArrayLike<number>, keep: (i: number) => boolean): Float64Array {
  const q = Float64Array.from(p, (v, i) => (keep(i) ? v : 0));
  const s = q.reduce((a, b) => a + b, 0);
  return q.map((v) => v / s);
}

const Z = [1, 0.5, -0.3, 2, 0, -1.2];
const N = 60_000;

describe('sample', () => {
  it('is reproducible under a seed, differs between seeds, and returns a number for a row', () => {
    const x = repeat(Z, 200);
    const a = sample(x, { rng: createRng(11), topP: 0.9 });
    const b = sample(x, { rng: createRng(11), topP: 0.9 });
    const c = sample(x, { rng: createRng(12), topP: 0.9 });
    expect(a).toBeInstanceOf(Int32Array);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const one = sample(Z, { rng: createRng(1) });
    expect(typeof one).toBe('number');
    expect(Number.isInteger(one) && one >= 0 && one < Z.length).toBe(true);
    // One next() per row: row r of a batch equals a one-row call after r draws.
    const g = createRng(11);
    for (let r = 0; r < 5; r++) expect(sample(Z, { rng: g, topP: 0.9 })).toBe(a[r]);
  });

  it('draws from softmax(z/τ) (chi-square), for float64 and float32 logits', () => {
    for (const temperature of [1, 0.6, 2.5]) {
      expectLaw(sample(repeat(Z, N), { rng: createRng(3), temperature }), refSoftmax(Z, temperature));
    }
    const x32 = repeat(Z, N);
    expectLaw(sample({ data: Float32Array.from(x32.data), dims: x32.dims }, { rng: createRng(4) }), refSoftmax(Z));
  });

  it('top-k draws from softmax renormalised over the k largest', () => {
    const p = refSoftmax(Z, 0.8);
    // k = 3 keeps ids 3 (2), 0 (1), 1 (0.5).
    expectLaw(sample(repeat(Z, N), { rng: createRng(5), temperature: 0.8, topK: 3 }), restrict(p, (i) => [3, 0, 1].includes(i)));
    // k ≥ vocab is no filter.
    expectLaw(sample(repeat(Z, N), { rng: createRng(6), topK: 100 }), refSoftmax(Z));
  });

  it('top-k (k = 40) and top-p over a long row (growing ranked prefix) keep the law', () => {
    const rng = createRng(30);
    const long = Array.from({ length: 300 }, () => 0.3 * rng.normal());
    const p = refSoftmax(long, 0.9);
    const order = long.map((_, i) => i).sort((a, b) => long[b] - long[a] || a - b);
    const top40 = new Set(order.slice(0, 40));
    expectLaw(sample(repeat(long, N / 3), { rng: createRng(31), temperature: 0.9, topK: 40 }), restrict(p, (i) => top40.has(i)));
    // Nucleus of p = 0.9 on a flat row holds well over the first 64 ranked tokens.
    let cum = 0;
    let size = 0;
    while (cum < 0.9) cum += p[order[size++]];
    expect(size).toBeGreaterThan(64);
    const nucleus = new Set(order.slice(0, size));
    expectLaw(sample(repeat(long, N / 3), { rng: createRng(32), temperature: 0.9, topP: 0.9 }), restrict(p, (i) => nucleus.has(i)));
    // top-k combined with top-p stays inside the top k.
    const both = sample(repeat(long, 3000), { rng: createRng(33), topK: 20, topP: 0.5 });
    for (const id of both) expect(order.slice(0, 20)).toContain(id);
  });

  it('topIndices is the prefix of a full (value desc, index asc) sort (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 80 }), (row, m0) => {
        const m = Math.min(m0, row.length);
        const z = Float64Array.from(row, (v) => (v === -3 ? -Infinity : v));
        const want = Array.from(z.keys()).sort((a, b) => (z[a] === z[b] ? a - b : z[b] - z[a])).slice(0, m);
        expect(Array.from(topIndices(z, m))).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('top-k never returns a token outside the k largest (property, ties allowed)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 45 }),
        fc.integer(),
        fc.double({ min: 0.2, max: 3, noNaN: true }),
        (row, k, seed, temperature) => {
          const kth = [...row].sort((a, b) => b - a)[Math.min(k, row.length) - 1];
          const ids = sample(repeat(row, 30), { rng: createRng(seed), topK: k, temperature });
          for (const id of ids) expect(row[id]).toBeGreaterThanOrEqual(kth);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('top-p keeps the minimal most-probable set with mass ≥ p (property, probed at u → 1)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0.01, max: 0.999, noNaN: true }),
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        (row, topP, topK) => {
          const p = refSoftmax(row);
          const order = row.map((_, i) => i).sort((a, b) => row[b] - row[a] || a - b); // by logit, ties: lower id
          const k = Math.min(topK ?? row.length, row.length);
          const kept = order.slice(0, k);
          const total = kept.reduce((s, i) => s + p[i], 0);
          // The last token of the nucleus (u → 1) and the most probable one (u = 0).
          const last = sample(row, { rng: pinned(LAST), topP, topK });
          expect(sample(row, { rng: pinned(0), topP, topK })).toBe(order[0]);
          const rank = kept.indexOf(last);
          expect(rank).toBeGreaterThanOrEqual(0);
          let before = 0;
          for (let j = 0; j < rank; j++) before += p[kept[j]] / total;
          const through = before + p[last] / total;
          expect(before).toBeLessThan(topP + 1e-9); // minimal: without `last` the mass is < p
          expect(through).toBeGreaterThanOrEqual(topP - 1e-9); // enough: with it, ≥ p
        },
      ),
      { numRuns: 300 },
    );
  });

  it('top-p on a hand example: probabilities (0.5, 0.3, 0.15, 0.05)', () => {
    const row = [0.5, 0.3, 0.15, 0.05].map(Math.log);
    const p = refSoftmax(row);
    expectLaw(sample(repeat(row, N), { rng: createRng(7), topP: 0.75 }), restrict(p, (i) => i < 2));
    expectLaw(sample(repeat(row, N), { rng: createRng(8), topP: 0.85 }), restrict(p, (i) => i < 3));
    expect(Array.from(new Set(sample(repeat(row, 500), { rng: createRng(9), topP: 0.45 })))).toEqual([0]);
    // Always at least one token, even for tiny p.
    expect(sample(row, { rng: pinned(LAST), topP: 1e-9 })).toBe(0);
  });

  it('min-p keeps tokens with p ≥ minP·p_max', () => {
    const row = [0.5, 0.3, 0.15, 0.05].map(Math.log);
    // minP 0.25 → threshold 0.125 keeps {0, 1, 2}; 0.65 → 0.325 keeps {0}.
    expect(sample(row, { rng: pinned(LAST), minP: 0.25 })).toBe(2);
    expect(sample(row, { rng: pinned(LAST), minP: 0.65 })).toBe(0);
    expectLaw(sample(repeat(row, N), { rng: createRng(10), minP: 0.25 }), restrict(refSoftmax(row), (i) => i < 3));
    // After temperature: τ = 0.5 squares the ratios, (0.6/1, 0.09, 0.01)·… so 0.3 keeps only {0, 1}.
    expect(sample(row, { rng: pinned(LAST), minP: 0.3, temperature: 0.5 })).toBe(1);
    // Combined with top-p (0.95 keeps {0, 1, 2}) and top-k (2 keeps {0, 1}).
    expect(sample(row, { rng: pinned(LAST), minP: 0.1, topP: 0.95 })).toBe(2);
    expect(sample(row, { rng: pinned(LAST), minP: 0.1, topP: 0.95, topK: 2 })).toBe(1);
  });

  it('applies the CTRL repetition penalty before temperature (hand example)', () => {
    // z = (2, −1, 1.5, 0), seen {0, 1}, θ = 2: (2/2, −1·2, 1.5, 0) = (1, −2, 1.5, 0).
    const z = [2, -1, 1.5, 0];
    const penalised = [1, -2, 1.5, 0];
    // topK: 1 makes the draw the argmax of the processed logits.
    expect(sample(z, { rng: pinned(0), topK: 1 })).toBe(0);
    expect(sample(z, { rng: pinned(0), topK: 1, repetitionPenalty: 2, previousTokens: [0, 1, 1] })).toBe(2);
    expectLaw(sample(repeat(z, N), { rng: createRng(13), repetitionPenalty: 2, previousTokens: [1, 0], temperature: 0.7 }), refSoftmax(penalised, 0.7));
    // One list per row; the input is not modified.
    const x = repeat(z, 2);
    const before = Array.from(x.data);
    expect(Array.from(sample(x, { rng: pinned(0), topK: 1, repetitionPenalty: 2, previousTokens: [[0], []] }))).toEqual([2, 0]);
    expect(Array.from(x.data)).toEqual(before);
    // θ < 1 encourages repeats: token 2 seen → 1.5/0.5 = 3 beats 2.
    expect(sample(z, { rng: pinned(0), topK: 1, repetitionPenalty: 0.5, previousTokens: [2] })).toBe(2);
  });

  it('never draws −∞ logits and works on leading dims', () => {
    const row = [-Infinity, 0, -Infinity, 1];
    const ids = sample({ data: Float64Array.from([...row, ...row, ...row, ...row]), dims: [2, 2, 4] }, { rng: createRng(2), topP: 0.999 });
    expect(ids.length).toBe(4);
    for (const id of ids) expect([1, 3]).toContain(id);
    // Sorted paths (top-k, top-p) and the unsorted one (no filter) all skip the −∞ entries.
    expect(sample(row, { rng: pinned(LAST), topK: 3 })).toBe(1);
    expect(sample(row, { rng: pinned(LAST), topP: 0.9999 })).toBe(1);
    expect(sample(row, { rng: pinned(0) })).toBe(1);
    expect(sample(row, { rng: pinned(LAST) })).toBe(3);
  });
});

describe('gumbelMaxSample and greedy', () => {
  it('Gumbel-max draws from softmax(z/τ) and is reproducible', () => {
    expectLaw(gumbelMaxSample(repeat(Z, N), { rng: createRng(21), temperature: 0.9 }), refSoftmax(Z, 0.9));
    const a = gumbelMaxSample(repeat(Z, 50), { rng: createRng(5) });
    expect(Array.from(a)).toEqual(Array.from(gumbelMaxSample(repeat(Z, 50), { rng: createRng(5) })));
    expect([1, 3]).toContain(gumbelMaxSample([-Infinity, 0, -Infinity, 1], { rng: createRng(1) }));
  });

  it('greedy is the argmax, ties to the lowest id', () => {
    expect(greedy(Z)).toBe(3);
    expect(Array.from(greedy({ data: Float32Array.from([1, 3, 3, 0, 5, -1]), dims: [2, 3] }))).toEqual([1, 1]);
    expect(greedy([-Infinity, -Infinity, -5])).toBe(2);
  });
});

describe('sampling errors', () => {
  const rng = createRng(1);
  it('rejects bad options with E_PARAM naming the option', () => {
    expectSoftmaxError(() => sample(Z, {} as never), 'E_PARAM', 'rng');
    expectSoftmaxError(() => sample(Z, undefined as never), 'E_PARAM', 'rng');
    expectSoftmaxError(() => gumbelMaxSample(Z, {} as never), 'E_PARAM', 'rng');
    for (const topK of [0, 1.5, -2, NaN]) expectSoftmaxError(() => sample(Z, { rng, topK }), 'E_PARAM', 'topK');
    for (const topP of [0, -0.1, 1.01, NaN]) expectSoftmaxError(() => sample(Z, { rng, topP }), 'E_PARAM', 'topP');
    for (const minP of [1, -0.01, NaN]) expectSoftmaxError(() => sample(Z, { rng, minP }), 'E_PARAM', 'minP');
    for (const repetitionPenalty of [0, -1, Infinity]) {
      expectSoftmaxError(() => sample(Z, { rng, repetitionPenalty, previousTokens: [0] }), 'E_PARAM', 'repetitionPenalty');
    }
    for (const temperature of [0, -1, NaN]) expectSoftmaxError(() => sample(Z, { rng, temperature }), 'E_PARAM', 'temperature');
    expectSoftmaxError(() => sample(Z, { rng, repetitionPenalty: 2, previousTokens: [6] }), 'E_PARAM', 'previousTokens[0]');
    expectSoftmaxError(() => sample(repeat(Z, 3), { rng, repetitionPenalty: 2, previousTokens: [[0], [1]] }), 'E_SHAPE', 'previousTokens');
  });

  it('rejects rows nothing can be drawn from with E_INPUT', () => {
    expectSoftmaxError(() => sample([-Infinity, -Infinity], { rng }), 'E_INPUT', 'logits');
    expectSoftmaxError(() => sample([0, NaN], { rng, topK: 1 }), 'E_INPUT', 'logits');
    expectSoftmaxError(() => gumbelMaxSample([0, Infinity], { rng }), 'E_INPUT', 'logits');
    expectSoftmaxError(() => greedy([-Infinity]), 'E_INPUT', 'logits');
    expectSoftmaxError(() => greedy({ data: new Float64Array(0), dims: [2, 0] }), 'E_SHAPE', 'logits');
  });
});
