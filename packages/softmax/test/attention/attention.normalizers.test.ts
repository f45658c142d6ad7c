/**
 * The materialised paths (every normaliser but softmax) against the direct float64 formula with row
 * maps written in the test, and the fully-masked-row rule for every normaliser.
 */
import { describe, expect, it } from 'vitest';
import { attention } from '../../src/attention/attention.js';
import type { AttentionOptions } from '../../src/attention/attentionTypes.js';
import { normalizers } from '../../src/normalizers/registry.js';
import { expectClose } from '../ops/helpers.js';
import {
  as64, makeProblem, refAttention, refClippedRow, refEntmax15Row, refReluRow, refScalableRow, refSigmoidRow,
  refSoftmaxRow, refSoftplusRow, refSparsemaxRow, tensors, type RowMap, type Sizes,
} from './attentionReference.js';

const s: Sizes = { batch: 2, qHeads: 4, kvHeads: 2, lq: 6, lk: 9, d: 5, dv: 3 };
const p = makeProblem(s, 71, 2.5);
const { q, k, v } = tensors(p, as64);
const bitMask = Uint8Array.from({ length: s.lq * s.lk }, (_, i) => (i % 7 === 3 ? 0 : 1));
const maskFn = (_b: number, _h: number, i: number, j: number) => (bitMask[i * s.lk + j] ? 0 : -Infinity);

const cases: [string, AttentionOptions, RowMap][] = [
  ['sparsemax', { normalizer: 'sparsemax' }, refSparsemaxRow],
  ['entmax 1.5', { normalizer: 'entmax', normalizerOptions: { alpha: 1.5 } }, refEntmax15Row],
  ['sigmoid (bias −ln Lk)', { normalizer: 'sigmoid' }, refSigmoidRow(-Math.log(s.lk))],
  ['sigmoid (bias 0.3)', { normalizer: 'sigmoid', normalizerOptions: { bias: 0.3 } }, refSigmoidRow(0.3)],
  ['relu', { normalizer: 'relu' }, refReluRow],
  ['softplus', { normalizer: 'softplus' }, refSoftplusRow()],
  ['softplus, power 3', { normalizer: 'softplus', normalizerOptions: { power: 3 } }, refSoftplusRow(3)],
  ['softplus, no length scale', { normalizer: 'softplus', normalizerOptions: { lengthScale: false } }, refSoftplusRow(1, false)],
  ['softplus, length 64', { normalizer: 'softplus', normalizerOptions: { length: 64 } }, refSoftplusRow(1, true, 64)],
  ['clippedSoftmax γ = −0.05', { normalizer: 'clippedSoftmax', normalizerOptions: { gamma: -0.05 } }, refClippedRow(-0.05)],
  ['clippedSoftmax α = 2 (γ = −2/Lk)', { normalizer: 'clippedSoftmax', normalizerOptions: { alpha: 2 } }, refClippedRow(-2 / s.lk)],
  ['scalableSoftmax', { normalizer: 'scalableSoftmax' }, refScalableRow()],
  ['scalableSoftmax s = 0.7', { normalizer: 'scalableSoftmax', normalizerOptions: { s: 0.7 } }, refScalableRow(0.7)],
  ['softmax through a Normalizer object (materialised)', { normalizer: { ...normalizers.softmax } }, refSoftmaxRow],
];

describe('materialised normalisers vs the direct formula', () => {
  for (const [name, opts, map] of cases) {
    it(name, () => {
      const mask = { data: bitMask, dims: [s.lq, s.lk] };
      const got = attention(q, k, v, { ...opts, causal: true, mask, returnWeights: true });
      const want = refAttention(p, { causal: true, mask: maskFn, map });
      expectClose(got.data, want.out, 1e-10, 1e-12, name);
      expectClose(got.weights!.data, want.weights, 1e-10, 1e-12, `${name} weights`);
    });
  }

  it('sparse normalisers give exact zeros in the weights', () => {
    const w = attention(q, k, v, { normalizer: 'sparsemax', returnWeights: true }).weights!.data;
    expect(w.some((x) => x === 0)).toBe(true);
    for (let r = 0; r < s.batch * s.qHeads * s.lq; r++) {
      let sum = 0;
      for (let j = 0; j < s.lk; j++) sum += w[r * s.lk + j];
      expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
    }
  });

  it('long rows span several materialised blocks', () => {
    const big: Sizes = { batch: 1, qHeads: 1, kvHeads: 1, lq: 130, lk: 600, d: 3, dv: 2 };
    const pb = makeProblem(big, 73, 2);
    const t = tensors(pb, as64);
    const got = attention(t.q, t.k, t.v, { normalizer: 'entmax', normalizerOptions: { alpha: 1.5 }, causal: true }).data;
    expectClose(got, refAttention(pb, { causal: true, map: refEntmax15Row }).out, 1e-9, 1e-12);
  });
});

describe('fully masked query rows give 0 for every normaliser', () => {
  const names: AttentionOptions[] = [
    { normalizer: 'softmax' }, { normalizer: 'sparsemax' }, { normalizer: 'entmax' }, { normalizer: 'sigmoid' },
    { normalizer: 'relu' }, { normalizer: 'softplus' }, { normalizer: 'clippedSoftmax' }, { normalizer: 'scalableSoftmax' },
    { normalizer: 'softpick' }, { normalizer: 'stableMax' }, { normalizer: 'sparseSoftmax', normalizerOptions: { k: 2 } },
    { normalizer: 'selfAdjustSoftmax' }, { normalizer: 'adaptiveTemperatureSoftmax' },
  ];
  const m = new Uint8Array(s.lq * s.lk).fill(1);
  m.fill(0, 0, s.lk); // query 0: no key
  m.fill(0, 4 * s.lk, 5 * s.lk); // query 4: no key
  const mask = { data: m, dims: [s.lq, s.lk] };
  for (const opts of names) {
    it(String(opts.normalizer), () => {
      const got = attention(q, k, v, { ...opts, mask, returnWeights: true });
      expect(got.data.every((x) => Number.isFinite(x))).toBe(true);
      for (let bh = 0; bh < s.batch * s.qHeads; bh++) {
        for (const i of [0, 4]) {
          for (let c = 0; c < s.dv; c++) expect(got.data[(bh * s.lq + i) * s.dv + c]).toBe(0);
          for (let j = 0; j < s.lk; j++) expect(got.weights!.data[(bh * s.lq + i) * s.lk + j]).toBe(0);
        }
      }
      const g = attention.vjp(q, k, v, { data: new Float64Array(got.data.length).fill(1), dims: got.dims }, { ...opts, mask });
      for (const t of [g.dq, g.dk, g.dv]) expect(t.data.every((x) => Number.isFinite(x))).toBe(true);
      for (let bh = 0; bh < s.batch * s.qHeads; bh++) for (let c = 0; c < s.d; c++) expect(g.dq.data[(bh * s.lq) * s.d + c]).toBe(0);
    });
  }
});
