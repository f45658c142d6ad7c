/**
 * gla: both modes against an explicit per-step float64 recurrence written here, recurrent vs chunkwise
 * agreement on awkward lengths and chunk sizes (float64 to 1e-10, float32 to float32 precision),
 * extreme gates, state continuation, the vjp against central differences, errors, no mutation.
 */
import { describe, expect, it } from 'vitest';
import { gla } from '../../src/attention/gla.js';
import { expectSoftmaxError } from '../ops/helpers.js';
import { as32, expectClose, expectGradient, expectUnchanged, randTensor, relErr, rng, snapshot } from './linearHelpers.js';

type T = { data: Float64Array; dims: number[] };

/** S_t = diag(α_t) S_{t−1} + k_t v_tᵀ, o_t = S_tᵀ q_t, with S as nested arrays. Returns outputs and S_L. */
function reference(q: T, k: T, v: T, a: T, s0?: T): { o: Float64Array; s: Float64Array } {
  const [B, H, L, dk] = q.dims;
  const dv = v.dims[3];
  const o = new Float64Array(B * H * L * dv);
  const sOut = new Float64Array(B * H * dk * dv);
  for (let bh = 0; bh < B * H; bh++) {
    const S = Array.from({ length: dk }, (_, i) => Array.from({ length: dv }, (_, e) => (s0 ? s0.data[bh * dk * dv + i * dv + e] : 0)));
    for (let t = 0; t < L; t++) {
      const x = (arr: T, n: number, i: number) => arr.data[(bh * L + t) * n + i];
      for (let i = 0; i < dk; i++) for (let e = 0; e < dv; e++) S[i][e] = x(a, dk, i) * S[i][e] + x(k, dk, i) * x(v, dv, e);
      for (let e = 0; e < dv; e++) {
        let sum = 0;
        for (let i = 0; i < dk; i++) sum += S[i][e] * x(q, dk, i);
        o[(bh * L + t) * dv + e] = sum;
      }
    }
    for (let i = 0; i < dk; i++) for (let e = 0; e < dv; e++) sOut[bh * dk * dv + i * dv + e] = S[i][e];
  }
  return { o, s: sOut };
}

const rand = rng(2312);
const DK = 4;
const DV = 3;

function inputs(B: number, H: number, L: number, lo = 0.5, hi = 1) {
  return {
    q: randTensor(rand, [B, H, L, DK]),
    k: randTensor(rand, [B, H, L, DK]),
    v: randTensor(rand, [B, H, L, DV]),
    a: randTensor(rand, [B, H, L, DK], lo, hi),
  };
}

describe('gla forward', () => {
  it('both modes equal the explicit recurrence (float64), with and without an initial state', () => {
    const { q, k, v, a } = inputs(2, 2, 11);
    const s0 = randTensor(rand, [2, 2, DK, DV]);
    const snap = snapshot(q, k, v, a, s0);
    for (const mode of ['recurrent', 'chunkwise'] as const) {
      for (const init of [undefined, s0]) {
        const r = gla(q, k, v, a, { mode, chunkSize: 4, initialState: init, returnState: true });
        const want = reference(q, k, v, a, init);
        expect(r.dims).toEqual([2, 2, 11, DV]);
        expect(r.state!.dims).toEqual([2, 2, DK, DV]);
        expectClose(r.data, want.o, 1e-12, 1e-13, `${mode} o`);
        expectClose(r.state!.data, want.s, 1e-12, 1e-13, `${mode} state`);
      }
    }
    expectUnchanged(snap, q, k, v, a, s0);
  });

  it('recurrent and chunkwise agree on awkward lengths and chunk sizes (float64 1e-10, float32 precision)', () => {
    for (const chunkSize of [1, 5, 16, 64]) {
      for (const L of [1, 3, chunkSize - 1, chunkSize + 1, 130]) {
        if (L < 1) continue;
        const { q, k, v, a } = inputs(1, 2, L, 0.8, 1);
        const rec = gla(q, k, v, a, { mode: 'recurrent', returnState: true });
        const chk = gla(q, k, v, a, { mode: 'chunkwise', chunkSize, returnState: true });
        expect(relErr(chk.data, rec.data), `L=${L} C=${chunkSize}`).toBeLessThan(1e-10);
        expect(relErr(chk.state!.data, rec.state!.data)).toBeLessThan(1e-10);
        const rec32 = gla(as32(q), as32(k), as32(v), as32(a), { mode: 'recurrent' });
        const chk32 = gla(as32(q), as32(k), as32(v), as32(a), { mode: 'chunkwise', chunkSize });
        expect(chk32.data).toBeInstanceOf(Float32Array);
        expect(relErr(chk32.data, rec32.data), `float32 L=${L} C=${chunkSize}`).toBeLessThan(1e-6);
      }
    }
  });

  it('extreme gates: α = 1 (no decay) and α down to 1e-300 (log-decays far below −700) stay finite and agree', () => {
    const { q, k, v } = inputs(1, 1, 70);
    const a = randTensor(rand, [1, 1, 70, DK], 0, 1);
    for (let i = 0; i < a.data.length; i++) a.data[i] = i % 3 === 0 ? 1 : i % 3 === 1 ? 1e-300 : 0.5;
    const rec = gla(q, k, v, a, { mode: 'recurrent' });
    const chk = gla(q, k, v, a, { mode: 'chunkwise', chunkSize: 64 });
    expect(rec.data.every(Number.isFinite)).toBe(true);
    expect(relErr(chk.data, rec.data)).toBeLessThan(1e-12);
    expectClose(rec.data, reference(q, k, v, a).o, 1e-12, 1e-13);
  });

  it('running two halves with the returned state equals one run (both modes)', () => {
    const { q, k, v, a } = inputs(1, 2, 23);
    const cut = (t: T, from: number, to: number) => {
      const [B, H, , d] = t.dims;
      const out = new Float64Array(B * H * (to - from) * d);
      for (let bh = 0; bh < B * H; bh++) out.set(t.data.subarray((bh * t.dims[2] + from) * d, (bh * t.dims[2] + to) * d), bh * (to - from) * d);
      return { data: out, dims: [B, H, to - from, d] };
    };
    for (const mode of ['recurrent', 'chunkwise'] as const) {
      const full = gla(q, k, v, a, { mode, chunkSize: 4, returnState: true });
      const first = gla(cut(q, 0, 10), cut(k, 0, 10), cut(v, 0, 10), cut(a, 0, 10), { mode, chunkSize: 4, returnState: true });
      const second = gla(cut(q, 10, 23), cut(k, 10, 23), cut(v, 10, 23), cut(a, 10, 23), { mode, chunkSize: 4, initialState: first.state, returnState: true });
      const fo = full.data;
      expectClose(first.data, cut({ data: fo, dims: full.dims }, 0, 10).data, 1e-12, 1e-13);
      expectClose(second.data, cut({ data: fo, dims: full.dims }, 10, 23).data, 1e-12, 1e-13);
      expectClose(second.state!.data, full.state!.data, 1e-12, 1e-13);
    }
  });

  it('length 0 returns an empty output and the initial state', () => {
    const e = { data: new Float64Array(0), dims: [1, 1, 0, DK] };
    const s0 = randTensor(rand, [1, 1, DK, DV]);
    const r = gla(e, e, { data: new Float64Array(0), dims: [1, 1, 0, DV] }, e, { initialState: s0, returnState: true });
    expect(r.data.length).toBe(0);
    expect(Array.from(r.state!.data)).toEqual(Array.from(s0.data));
  });
});

describe('gla.vjp', () => {
  it('dq, dk, dv, dAlpha, dInitialState match central differences (with a final-state cotangent)', () => {
    const L = 7;
    const { q, k, v, a } = inputs(1, 2, L, 0.3, 0.95);
    const s0 = randTensor(rand, [1, 2, DK, DV]);
    const g = randTensor(rand, [1, 2, L, DV]);
    const gs = randTensor(rand, [1, 2, DK, DV]);
    const snap = snapshot(q, k, v, a, g, s0, gs);
    const loss = (qq: T, kk: T, vv: T, aa: T, ss: T) => {
      const r = gla(qq, kk, vv, aa, { mode: 'recurrent', initialState: ss, returnState: true });
      return [...r.data, ...r.state!.data];
    };
    const w = [...g.data, ...gs.data];
    for (const chunkSize of [1, 3, 64]) {
      const grads = gla.vjp(q, k, v, a, g, { initialState: s0, dFinalState: gs, chunkSize });
      const with_ = (t: T, x: Float64Array) => ({ data: x, dims: t.dims });
      expectGradient((x) => loss(with_(q, x), k, v, a, s0), q.data, w, grads.dq.data, 'dq');
      expectGradient((x) => loss(q, with_(k, x), v, a, s0), k.data, w, grads.dk.data, 'dk');
      expectGradient((x) => loss(q, k, with_(v, x), a, s0), v.data, w, grads.dv.data, 'dv');
      expectGradient((x) => loss(q, k, v, with_(a, x), s0), a.data, w, grads.dAlpha.data, 'dAlpha');
      expectGradient((x) => loss(q, k, v, a, with_(s0, x)), s0.data, w, grads.dInitialState!.data, 'dInitialState');
    }
    expectUnchanged(snap, q, k, v, a, g, s0, gs);
  });

  it('without initial state or final cotangent: gradients of Σ dOut ⊙ o; float32 gives float32', () => {
    const { q, k, v, a } = inputs(2, 1, 9, 0.4, 1);
    const g = randTensor(rand, [2, 1, 9, DV]);
    const grads = gla.vjp(q, k, v, a, g, { chunkSize: 4 });
    expect(grads.dInitialState).toBeUndefined();
    const f = (x: Float64Array) => gla({ data: x, dims: q.dims }, k, v, a).data;
    expectGradient(f, q.data, g.data, grads.dq.data, 'dq');
    const fk = (x: Float64Array) => gla(q, { data: x, dims: k.dims }, v, a).data;
    expectGradient(fk, k.data, g.data, grads.dk.data, 'dk');
    const to64 = (t: { data: Float32Array; dims: number[] }) => ({ data: Float64Array.from(t.data), dims: t.dims });
    const g32 = gla.vjp(as32(q), as32(k), as32(v), as32(a), as32(g));
    const want = gla.vjp(to64(as32(q)), to64(as32(k)), to64(as32(v)), to64(as32(a)), to64(as32(g)));
    expect(g32.dAlpha.data).toBeInstanceOf(Float32Array);
    for (const key of ['dq', 'dk', 'dv', 'dAlpha'] as const) expect(relErr(g32[key].data, want[key].data), key).toBeLessThan(1e-6);
  });
});

describe('gla errors', () => {
  const { q, k, v, a } = inputs(1, 1, 4);
  it('rejects gates out of (0, 1], bad shapes, dtypes and options', () => {
    for (const bad of [0, -0.5, 1.0000001, NaN, Infinity]) {
      const aa = { data: a.data.slice(), dims: a.dims };
      aa.data[5] = bad;
      expectSoftmaxError(() => gla(q, k, v, aa), 'E_PARAM', 'alpha.data[5]');
    }
    expectSoftmaxError(() => gla(q, k, v, randTensor(rand, [1, 1, 4, 1], 0.5, 1)), 'E_SHAPE', 'alpha.dims');
    expectSoftmaxError(() => gla(q, randTensor(rand, [1, 1, 5, DK]), v, a), 'E_SHAPE', 'k.dims');
    expectSoftmaxError(() => gla(q, k, randTensor(rand, [1, 2, 4, DV]), a), 'E_SHAPE', 'v.dims');
    expectSoftmaxError(() => gla(q, k, v, as32(a) as never), 'E_DTYPE', 'alpha.data');
    expectSoftmaxError(() => gla(q, k, v, a, { mode: 'parallel' as never }), 'E_PARAM', 'mode');
    expectSoftmaxError(() => gla(q, k, v, a, { chunkSize: 0 }), 'E_PARAM', 'chunkSize');
    expectSoftmaxError(() => gla(q, k, v, a, { initialState: randTensor(rand, [1, 1, DV, DK]) }), 'E_SHAPE', 'initialState');
    expectSoftmaxError(() => gla(q, k, v, a, { initialState: as32(randTensor(rand, [1, 1, DK, DV])) }), 'E_DTYPE', 'initialState');
    expectSoftmaxError(() => gla.vjp(q, k, v, a, randTensor(rand, [1, 1, 4, DK])), 'E_SHAPE', 'dOut.dims');
  });
});
