/**
 * attention.vjp against central finite differences of L = ⟨dOut, attention(q, k, v)⟩ in float64, for
 * every path (softmax flash backward, materialised normalisers, score maps), temperature and gates.
 */
import { describe, expect, it } from 'vitest';
import { attention } from '../../src/attention/attention.js';
import type { AttentionOptions } from '../../src/attention/attentionTypes.js';
import { expectClose, numericGradient } from '../ops/helpers.js';
import { as32, as64, dot, makeProblem, randomArray, refAttention, tensors, type Sizes } from './attentionReference.js';

const s: Sizes = { batch: 2, qHeads: 2, kvHeads: 1, lq: 3, lk: 4, d: 3, dv: 2 };
const p = makeProblem(s, 91, 1.2);
const dOutData = randomArray(s.batch * s.qHeads * s.lq * s.dv, 92);
const outDims = [s.batch, s.qHeads, s.lq, s.dv];
// Query 0 of batch 1 keeps keys {1, 2} only; with causal (Lq < Lk) query 0 also drops key 3.
const maskData = Uint8Array.from({ length: s.batch * s.lk }, (_, i) => (i === 4 || i === 7 ? 0 : 1));
const mask = { data: maskData, dims: [s.batch, 1, 1, s.lk] };

/** Checks dq, dk, dv of the library against finite differences of the library's forward. */
function checkQkv(opts: AttentionOptions, tol = 1e-6): void {
  const { q, k, v } = tensors(p, as64);
  const loss = (qd: Float64Array, kd: Float64Array, vd: Float64Array) =>
    dot(dOutData, attention({ data: qd, dims: q.dims }, { data: kd, dims: k.dims }, { data: vd, dims: v.dims }, opts).data);
  const g = attention.vjp(q, k, v, { data: dOutData, dims: outDims }, opts);
  expectClose(g.dq.data, numericGradient((x) => loss(x, p.k, p.v), p.q), tol, tol, 'dq');
  expectClose(g.dk.data, numericGradient((x) => loss(p.q, x, p.v), p.k), tol, tol, 'dk');
  expectClose(g.dv.data, numericGradient((x) => loss(p.q, p.k, x), p.v), tol, tol, 'dv');
  expect(g.dq.dims).toEqual(q.dims);
  expect(g.dk.dims).toEqual(k.dims);
  expect(g.dv.dims).toEqual(v.dims);
}

describe('attention.vjp vs central finite differences (float64)', () => {
  const cases: [string, AttentionOptions][] = [
    ['softmax', {}],
    ['softmax, causal + mask (GQA)', { causal: true, mask }],
    ['softmax, additive mask and scale', { scale: 0.8, mask: { data: randomArray(s.lq * s.lk, 93, -1, 1), dims: [s.lq, s.lk] } }],
    ['sparsemax', { normalizer: 'sparsemax', causal: true, mask }],
    ['entmax 1.5', { normalizer: 'entmax', normalizerOptions: { alpha: 1.5 }, mask }],
    ['sigmoid', { normalizer: 'sigmoid', causal: true, mask }],
    ['relu', { normalizer: 'relu', mask }],
    ['softplus', { normalizer: 'softplus', causal: true, mask }],
    ['softplus, power 2', { normalizer: 'softplus', normalizerOptions: { power: 2 } }],
    ['clippedSoftmax', { normalizer: 'clippedSoftmax', normalizerOptions: { gamma: -0.03 }, mask }],
    ['scalableSoftmax', { normalizer: 'scalableSoftmax', causal: true }],
  ];
  for (const [name, opts] of cases) it(name, () => checkQkv(opts));
});

describe('temperature', () => {
  const tau = randomArray(s.batch * s.qHeads * s.lq, 94, 0.5, 1.5);
  for (const normalizer of ['softmax', 'sparsemax'] as const) {
    it(`dTemperature and dq/dk/dv (${normalizer})`, () => {
      const tdims = [s.batch, s.qHeads, s.lq];
      const opts: AttentionOptions = { normalizer, causal: true, temperature: { data: tau, dims: tdims } };
      checkQkv(opts);
      const { q, k, v } = tensors(p, as64);
      const g = attention.vjp(q, k, v, { data: dOutData, dims: outDims }, opts);
      const loss = (t: Float64Array) => dot(dOutData, attention(q, k, v, { ...opts, temperature: { data: t, dims: tdims } }).data);
      expect(g.dTemperature!.dims).toEqual(tdims);
      expectClose(g.dTemperature!.data, numericGradient(loss, tau), 1e-6, 1e-6, 'dTemperature');
    });
  }

  it('a function temperature is a constant: no dTemperature', () => {
    const { q, k, v } = tensors(p, as64);
    const opts: AttentionOptions = { temperature: (h, i) => 0.8 + 0.1 * h + 0.05 * i };
    checkQkv(opts);
    expect(attention.vjp(q, k, v, { data: dOutData, dims: outDims }, opts).dTemperature).toBeUndefined();
  });
});

describe('gates', () => {
  const dModel = 4;
  const x = randomArray(s.batch * s.lq * dModel, 95);
  const xDims = [s.batch, s.lq, dModel];
  const gates: [string, number[], number][] = [
    ['input (per-head Linear(dModel/Hq → 1))', [s.qHeads, dModel / s.qHeads], s.qHeads],
    ['query headwise [dModel, Hq]', [dModel, s.qHeads], s.qHeads],
    ['query elementwise [dModel, Hq·dv]', [dModel, s.qHeads * s.dv], s.qHeads * s.dv],
  ];
  for (const [name, wDims, width] of gates) {
    const mode = name.startsWith('input') ? 'input' : 'query';
    const w = randomArray(wDims[0] * wDims[1], 96 + width);
    const bias = randomArray(width, 97 + width);
    const gateOf = (xd: Float64Array, wd: Float64Array, bd: Float64Array) => ({ x: { data: xd, dims: xDims }, weight: { data: wd, dims: wDims }, bias: bd, mode: mode as 'input' | 'query' });

    it(`${name}: forward vs the formula`, () => {
      const { q, k, v } = tensors(p, as64);
      const got = attention(q, k, v, { causal: true, gate: gateOf(x, w, bias) }).data;
      const sig = (b: number, h: number, i: number, c: number) => {
        let g: number;
        if (mode === 'input') {
          const dh = dModel / s.qHeads;
          g = bias[h];
          for (let t = 0; t < dh; t++) g += x[(b * s.lq + i) * dModel + h * dh + t] * w[h * dh + t];
        } else {
          const ch = width === s.qHeads ? h : h * s.dv + c;
          g = bias[ch];
          for (let m = 0; m < dModel; m++) g += x[(b * s.lq + i) * dModel + m] * w[m * width + ch];
        }
        return 1 / (1 + Math.exp(-g));
      };
      expectClose(got, refAttention(p, { causal: true, gate: sig }).out, 1e-12, 1e-14);
    });

    it(`${name}: vjp vs finite differences`, () => {
      const opts: AttentionOptions = { causal: true, mask, gate: gateOf(x, w, bias) };
      checkQkv(opts);
      const { q, k, v } = tensors(p, as64);
      const g = attention.vjp(q, k, v, { data: dOutData, dims: outDims }, opts).dGate!;
      const loss = (xd: Float64Array, wd: Float64Array, bd: Float64Array) => dot(dOutData, attention(q, k, v, { ...opts, gate: gateOf(xd, wd, bd) }).data);
      expectClose(g.weight.data, numericGradient((t) => loss(x, t, bias), w), 1e-6, 1e-6, 'dWeight');
      expectClose(g.bias!.data, numericGradient((t) => loss(x, w, t), bias), 1e-6, 1e-6, 'dBias');
      expectClose(g.x.data, numericGradient((t) => loss(t, w, bias), x), 1e-6, 1e-6, 'dx');
      expect(g.weight.dims).toEqual(wDims);
      expect(g.x.dims).toEqual(xDims);
    });
  }
});

describe('vjp in float32', () => {
  it('float32 gradients match float64 ones of the same (rounded) inputs', () => {
    const t32 = tensors(p, as32);
    const t64 = tensors(p, (a) => Float64Array.from(as32(a)));
    const dy32 = { data: as32(dOutData), dims: outDims };
    const dy64 = { data: Float64Array.from(dy32.data), dims: outDims };
    for (const normalizer of ['softmax', 'entmax'] as const) {
      const g32 = attention.vjp(t32.q, t32.k, t32.v, dy32, { causal: true, normalizer });
      const g64 = attention.vjp(t64.q, t64.k, t64.v, dy64, { causal: true, normalizer });
      expect(g32.dq.data).toBeInstanceOf(Float32Array);
      expectClose(g32.dq.data, g64.dq.data, 1e-5, 1e-6);
      expectClose(g32.dk.data, g64.dk.data, 1e-5, 1e-6);
      expectClose(g32.dv.data, g64.dv.data, 1e-5, 1e-6);
    }
  });
});
