import { describe, expect, it } from 'vitest';
import { plainSoftmax } from '../src/peers/plain-loop.js';
import { flattenOutput } from '../src/peers/peer.js';
import { selectTopK } from '../src/suites/top-k-select.js';
import { maxAbsDiff, referenceSoftmax } from '../src/suites/validate.js';

describe('hand-written baselines', () => {
  it('selects the top k per row in descending order, ties to the lower index', () => {
    const probs = Float32Array.from([0.1, 0.4, 0.2, 0.3, 0.25, 0.25, 0.5, 0]);
    const { indices, values } = selectTopK(probs, 2, 4, 2);
    expect([...indices]).toEqual([1, 3, 2, 0]);
    expect([...values]).toEqual([0.4, 0.3, 0.5, 0.25].map(Math.fround));
  });

  it('computes the plain three-pass softmax per row', () => {
    const x = Float32Array.from([1, 2, 3, -5, 0, 5]);
    expect(maxAbsDiff(plainSoftmax(x, 2, 3), referenceSoftmax(x, 2, 3))).toBeLessThan(1e-7);
  });

  it('measures disagreement, treating NaN and length mismatches as infinite', () => {
    expect(maxAbsDiff([1, 2], [1, 2.5])).toBe(0.5);
    expect(maxAbsDiff([1, Number.NaN], [1, 2])).toBe(Infinity);
    expect(maxAbsDiff([1], [1, 2])).toBe(Infinity);
  });

  it('flattens per-row outputs', () => {
    expect([...flattenOutput([Float32Array.from([1, 2]), Float32Array.from([3])])]).toEqual([1, 2, 3]);
  });
});
