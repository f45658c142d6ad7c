/**
 * attention (softmax, flash path) against the direct materialised float64 formula written in the test:
 * shapes (GQA, Lq ≠ Lk, dv ≠ d), causal alignment, boolean/additive/broadcast masks, temperature,
 * returned weights, float32 agreement, `out`, fully masked rows and non-mutation.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attention } from '../../src/attention/attention.js';
import { backendInfo, setBackend } from '../../src/kernels/dispatch.js';
import { ready } from '../../src/kernels/wasm/module.js';
import { expectClose } from '../ops/helpers.js';
import { as32, as64, makeProblem, randomArray, refAttention, tensors, type Sizes } from './attentionReference.js';

afterEach(() => setBackend('auto'));

const base: Sizes = { batch: 2, qHeads: 4, kvHeads: 2, lq: 5, lk: 7, d: 6, dv: 3 };

describe('attention: softmax path vs the materialised formula', () => {
  const shapes: [string, Sizes][] = [
    ['GQA, Lq < Lk, dv < d', base],
    ['MHA, square', { batch: 1, qHeads: 3, kvHeads: 3, lq: 9, lk: 9, d: 4, dv: 4 }],
    ['MQA, Lq > Lk, dv > d', { batch: 1, qHeads: 4, kvHeads: 1, lq: 8, lk: 3, d: 2, dv: 5 }],
    ['long keys (several kernel tiles)', { batch: 1, qHeads: 2, kvHeads: 1, lq: 3, lk: 150, d: 8, dv: 4 }],
  ];
  for (const [name, s] of shapes) {
    for (const causal of [false, true]) {
      it(`${name}, causal ${causal}`, () => {
        const p = makeProblem(s, 11 + s.lk + (causal ? 1 : 0));
        const { q, k, v } = tensors(p, as64);
        const got = attention(q, k, v, { causal });
        expect(got.dims).toEqual([s.batch, s.qHeads, s.lq, s.dv]);
        expectClose(got.data, refAttention(p, { causal }).out, 1e-12, 1e-14, name);
      });
    }
  }

  it('causal with Lq < Lk is bottom-right aligned (the last query sees every key)', () => {
    const s: Sizes = { batch: 1, qHeads: 1, kvHeads: 1, lq: 2, lk: 5, d: 3, dv: 5 };
    const p = makeProblem(s, 3);
    // v = identity rows: the output row is the weight row.
    p.v = new Float64Array(25).map((_, i) => (i % 6 === 0 ? 1 : 0));
    const { q, k, v } = tensors(p, as64);
    const w = attention(q, k, v, { causal: true }).data;
    expect(w[4]).toBe(0); // query 0 sees keys 0..3
    expect(w[3]).toBeGreaterThan(0);
    expect(w[9]).toBeGreaterThan(0); // query 1 sees all 5
  });

  it('causal with Lq > Lk: early queries see nothing and give 0', () => {
    const s: Sizes = { batch: 1, qHeads: 2, kvHeads: 1, lq: 6, lk: 3, d: 4, dv: 2 };
    const p = makeProblem(s, 5);
    const { q, k, v } = tensors(p, as64);
    const got = attention(q, k, v, { causal: true }).data;
    const want = refAttention(p, { causal: true }).out;
    expectClose(got, want, 1e-12, 1e-14);
    for (let h = 0; h < 2; h++) for (let i = 0; i < 3; i++) for (let c = 0; c < 2; c++) expect(got[(h * 6 + i) * 2 + c]).toBe(0);
  });

  it('scale option', () => {
    const p = makeProblem(base, 21);
    const { q, k, v } = tensors(p, as64);
    expectClose(attention(q, k, v, { scale: 0.9 }).data, refAttention(p, { scale: 0.9 }).out, 1e-12, 1e-14);
  });
});

describe('attention masks (right-aligned broadcast to [B, Hq, Lq, Lk])', () => {
  const s = base;
  const p = makeProblem(s, 31);
  const { q, k, v } = tensors(p, as64);
  const keep = (n: number, seed: number) => Uint8Array.from(randomArray(n, seed), (x) => (x > -0.4 ? 1 : 0));

  it('boolean [Lk]', () => {
    const m = keep(s.lk, 1);
    const got = attention(q, k, v, { mask: m }).data;
    expectClose(got, refAttention(p, { mask: (_b, _h, _i, j) => (m[j] ? 0 : -Infinity) }).out, 1e-12, 1e-14);
  });

  it('boolean [B, 1, 1, Lk] as boolean[]', () => {
    const m = keep(s.batch * s.lk, 2);
    const got = attention(q, k, v, { mask: { data: Array.from(m, (x) => x === 1), dims: [s.batch, 1, 1, s.lk] } }).data;
    expectClose(got, refAttention(p, { mask: (b, _h, _i, j) => (m[b * s.lk + j] ? 0 : -Infinity) }).out, 1e-12, 1e-14);
  });

  it('boolean [Lq, Lk] combined with causal keeps what both allow', () => {
    const m = keep(s.lq * s.lk, 3);
    const got = attention(q, k, v, { causal: true, mask: { data: m, dims: [s.lq, s.lk] } }).data;
    const want = refAttention(p, { causal: true, mask: (_b, _h, i, j) => (m[i * s.lk + j] ? 0 : -Infinity) }).out;
    expectClose(got, want, 1e-12, 1e-14);
  });

  it('full additive [B, Hq, Lq, Lk] with biases and −∞', () => {
    const n = s.batch * s.qHeads * s.lq * s.lk;
    const m = randomArray(n, 4, -2, 2).map((x) => (x < -1.4 ? -Infinity : x));
    const got = attention(q, k, v, { mask: { data: m, dims: [s.batch, s.qHeads, s.lq, s.lk] } }).data;
    const want = refAttention(p, { mask: (b, h, i, j) => m[((b * s.qHeads + h) * s.lq + i) * s.lk + j] }).out;
    expectClose(got, want, 1e-12, 1e-14);
  });

  it('additive [B, 1, Lq, 1] (broadcast along the keys) and [1, Hq, 1, 1]', () => {
    const m = randomArray(s.batch * s.lq, 5, -3, 3).map((x) => (x > 2 ? -Infinity : x));
    const got = attention(q, k, v, { mask: { data: m, dims: [s.batch, 1, s.lq, 1] }, causal: true }).data;
    const want = refAttention(p, { causal: true, mask: (b, _h, i) => m[b * s.lq + i] }).out;
    expectClose(got, want, 1e-12, 1e-14);
    const mh = Float64Array.from([0, -Infinity, 1, 0]);
    const got2 = attention(q, k, v, { mask: { data: mh, dims: [1, s.qHeads, 1, 1] } }).data;
    expectClose(got2, refAttention(p, { mask: (_b, h) => mh[h] }).out, 1e-12, 1e-14);
  });

  it('fully masked rows give 0, never NaN', () => {
    const m = new Uint8Array(s.lq * s.lk).fill(1);
    m.fill(0, 2 * s.lk, 3 * s.lk); // query row 2 sees nothing
    const got = attention(q, k, v, { mask: { data: m, dims: [s.lq, s.lk] }, returnWeights: true });
    const want = refAttention(p, { mask: (_b, _h, i, j) => (m[i * s.lk + j] ? 0 : -Infinity) });
    expectClose(got.data, want.out, 1e-12, 1e-14);
    expectClose(got.weights!.data, want.weights, 1e-12, 1e-14);
    for (let b = 0; b < s.batch; b++) for (let h = 0; h < s.qHeads; h++) for (let c = 0; c < s.dv; c++) expect(got.data[((b * s.qHeads + h) * s.lq + 2) * s.dv + c]).toBe(0);
  });

  it('Lk = 0: every row is empty, output 0', () => {
    const e = { data: new Float64Array(0), dims: [1, 1, 0, 3] };
    const got = attention({ data: new Float64Array(6), dims: [1, 1, 2, 3] }, e, e);
    expect(Array.from(got.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('attention options', () => {
  const s = base;
  const p = makeProblem(s, 41);
  const { q, k, v } = tensors(p, as64);

  it('returnWeights gives the softmax weights [B, Hq, Lq, Lk]', () => {
    const got = attention(q, k, v, { causal: true, returnWeights: true });
    expect(got.weights!.dims).toEqual([s.batch, s.qHeads, s.lq, s.lk]);
    expectClose(got.weights!.data, refAttention(p, { causal: true }).weights, 1e-12, 1e-14);
  });

  it('temperature as an array [B, Hq, Lq] and as a function', () => {
    const tau = randomArray(s.batch * s.qHeads * s.lq, 6, 0.3, 2);
    const want = refAttention(p, { causal: true, temperature: (b, h, i) => tau[(b * s.qHeads + h) * s.lq + i] }).out;
    expectClose(attention(q, k, v, { causal: true, temperature: { data: tau, dims: [s.batch, s.qHeads, s.lq] } }).data, want, 1e-12, 1e-14);
    const fn = (h: number, i: number, row: ArrayLike<number>) => 0.5 + 0.1 * h + 0.05 * i + 0.01 * row.length;
    const want2 = refAttention(p, { temperature: (_b, h, i) => fn(h, i, { length: s.d }) }).out;
    expectClose(attention(q, k, v, { temperature: fn }).data, want2, 1e-12, 1e-14);
  });

  it('out receives the result; inputs and options are not mutated', () => {
    const before = [q.data.slice(), k.data.slice(), v.data.slice()];
    const m = { data: Uint8Array.from([1, 1, 0, 1, 1, 1, 0]), dims: [s.lk] };
    const tau = { data: new Float64Array(s.batch * s.qHeads * s.lq).fill(0.7), dims: [s.batch, s.qHeads, s.lq] };
    const opts = { mask: m, temperature: tau, causal: true };
    const out = new Float64Array(s.batch * s.qHeads * s.lq * s.dv);
    const got = attention(q, k, v, { ...opts, out });
    expect(got.data).toBe(out);
    expect(Array.from(q.data)).toEqual(Array.from(before[0]));
    expect(Array.from(k.data)).toEqual(Array.from(before[1]));
    expect(Array.from(v.data)).toEqual(Array.from(before[2]));
    expect(Array.from(m.data)).toEqual([1, 1, 0, 1, 1, 1, 0]);
    expect(tau.data.every((x) => x === 0.7)).toBe(true);
    attention.vjp(q, k, v, { data: out.slice(), dims: got.dims }, opts);
    expect(Array.from(q.data)).toEqual(Array.from(before[0]));
    expect(Array.from(m.data)).toEqual([1, 1, 0, 1, 1, 1, 0]);
  });
});

describe('special values', () => {
  it('NaN in one query row makes only that row NaN; other heads and rows stay finite', () => {
    const s: Sizes = { batch: 1, qHeads: 2, kvHeads: 1, lq: 3, lk: 4, d: 2, dv: 2 };
    const p = makeProblem(s, 61);
    p.q[1 * s.d] = NaN; // head 0, query 1
    const { q, k, v } = tensors(p, as64);
    for (const normalizer of ['softmax', 'sparsemax', 'softplus'] as const) {
      const got = attention(q, k, v, { normalizer }).data;
      for (let r = 0; r < s.qHeads * s.lq; r++) {
        for (let c = 0; c < s.dv; c++) expect(Number.isNaN(got[r * s.dv + c]), `${normalizer} row ${r}`).toBe(r === 1);
      }
    }
  });

  it('huge scores (±1e4 scale) stay finite on the softmax path', () => {
    const s: Sizes = { batch: 1, qHeads: 1, kvHeads: 1, lq: 4, lk: 6, d: 3, dv: 2 };
    const p = makeProblem(s, 62);
    const { q, k, v } = tensors(p, as64);
    const got = attention(q, k, v, { scale: 1e4 }).data;
    expectClose(got, refAttention(p, { scale: 1e4 }).out, 1e-9, 1e-12);
  });
});

describe('float32', () => {
  beforeAll(async () => {
    await ready();
  });
  const s: Sizes = { batch: 2, qHeads: 4, kvHeads: 2, lq: 9, lk: 70, d: 8, dv: 5 };
  const p = makeProblem(s, 51);
  for (const backend of ['auto', 'reference'] as const) {
    it(`float32 in, float32 out, close to float64 (${backend} backend)`, () => {
      setBackend(backend);
      expect(backendInfo().float32).toBe(backend === 'auto' ? 'wasm-simd' : 'reference');
      const t32 = tensors(p, as32);
      const t64 = tensors(p, (x) => Float64Array.from(as32(x)));
      const m = { data: Uint8Array.from(randomArray(s.lk, 7), (x) => (x > -0.5 ? 1 : 0)), dims: [s.lk] };
      const rowMask = { data: Float32Array.from(randomArray(s.lq, 8, -1, 1), (x) => (x > 0.6 ? -Infinity : x)), dims: [s.lq, 1] };
      const got0 = attention(t32.q, t32.k, t32.v, { mask: rowMask, causal: true });
      const want0 = attention(t64.q, t64.k, t64.v, { mask: { data: Float64Array.from(rowMask.data), dims: [s.lq, 1] }, causal: true }).data;
      expectClose(got0.data, want0, 1e-5, 1e-6, 'mask broadcast along Lk');
      for (const normalizer of ['softmax', 'sparsemax', 'sigmoid'] as const) {
        const got = attention(t32.q, t32.k, t32.v, { causal: true, mask: m, normalizer });
        expect(got.data).toBeInstanceOf(Float32Array);
        const want = attention(t64.q, t64.k, t64.v, { causal: true, mask: m, normalizer }).data;
        expectClose(got.data, want, 1e-5, 1e-6, normalizer);
      }
    });
  }
});
