/**
 * gatedDeltaNet: both modes against the paper's own dv×dk recurrence S'_t = α S'_{t−1}(I − β k kᵀ) +
 * β v kᵀ, o = S' q (written here with explicit matrices, so the transpose convention is checked too),
 * recurrent vs chunkwise (UT transform) agreement, continuation, the vjp against central differences,
 * errors, no mutation.
 */
import { describe, expect, it } from 'vitest';
import { gatedDeltaNet } from '../../src/attention/gatedDeltaNet.js';
import { expectSoftmaxError } from '../ops/helpers.js';
import { as32, expectClose, expectGradient, expectUnchanged, randTensor, relErr, rng, snapshot } from './linearHelpers.js';

type T = { data: Float64Array; dims: number[] };

/** The paper's form with S' ∈ R^{dv×dk}; the library's state is its transpose. */
function reference(q: T, k: T, v: T, a: T, b: T, s0?: T): { o: Float64Array; s: Float64Array } {
  const [B, H, L, dk] = q.dims;
  const dv = v.dims[3];
  const o = new Float64Array(B * H * L * dv);
  const sOut = new Float64Array(B * H * dk * dv);
  for (let bh = 0; bh < B * H; bh++) {
    let S = Array.from({ length: dv }, (_, e) => Array.from({ length: dk }, (_, i) => (s0 ? s0.data[bh * dk * dv + i * dv + e] : 0)));
    for (let t = 0; t < L; t++) {
      const kt = Array.from({ length: dk }, (_, i) => k.data[(bh * L + t) * dk + i]);
      const vt = Array.from({ length: dv }, (_, e) => v.data[(bh * L + t) * dv + e]);
      const qt = Array.from({ length: dk }, (_, i) => q.data[(bh * L + t) * dk + i]);
      const al = a.data[bh * L + t];
      const be = b.data[bh * L + t];
      // M = I − β k kᵀ (dk×dk); S' ← α S' M + β v kᵀ.
      const M = kt.map((ki, i) => kt.map((kj, j) => (i === j ? 1 : 0) - be * ki * kj));
      S = S.map((row, e) => M[0].map((_, j) => al * row.reduce((sum, sr, i) => sum + sr * M[i][j], 0) + be * vt[e] * kt[j]));
      for (let e = 0; e < dv; e++) o[(bh * L + t) * dv + e] = S[e].reduce((sum, x, i) => sum + x * qt[i], 0);
    }
    for (let i = 0; i < dk; i++) for (let e = 0; e < dv; e++) sOut[bh * dk * dv + i * dv + e] = S[e][i];
  }
  return { o, s: sOut };
}

const rand = rng(2412);
const DK = 4;
const DV = 3;

/** Random inputs; keys L2-normalised (as in the paper) unless `rawKeys`. */
function inputs(B: number, H: number, L: number, rawKeys = false) {
  const k = randTensor(rand, [B, H, L, DK]);
  if (!rawKeys) {
    for (let r = 0; r < B * H * L; r++) {
      const n = Math.hypot(...k.data.subarray(r * DK, r * DK + DK));
      for (let i = 0; i < DK; i++) k.data[r * DK + i] /= n;
    }
  }
  return {
    q: randTensor(rand, [B, H, L, DK]),
    k,
    v: randTensor(rand, [B, H, L, DV]),
    a: randTensor(rand, [B, H, L], 0.6, 1),
    b: randTensor(rand, [B, H, L], 0.05, 0.95),
  };
}

describe('gatedDeltaNet forward', () => {
  it('both modes equal the paper-convention recurrence (float64), with and without an initial state', () => {
    const { q, k, v, a, b } = inputs(2, 2, 10);
    const s0 = randTensor(rand, [2, 2, DK, DV]);
    const snap = snapshot(q, k, v, a, b, s0);
    for (const mode of ['recurrent', 'chunkwise'] as const) {
      for (const init of [undefined, s0]) {
        const r = gatedDeltaNet(q, k, v, a, b, { mode, chunkSize: 4, initialState: init, returnState: true });
        const want = reference(q, k, v, a, b, init);
        expect(r.dims).toEqual([2, 2, 10, DV]);
        expectClose(r.data, want.o, 1e-12, 1e-13, `${mode} o`);
        expectClose(r.state!.data, want.s, 1e-12, 1e-13, `${mode} state`);
      }
    }
    expectUnchanged(snap, q, k, v, a, b, s0);
  });

  it('recurrent and chunkwise agree on awkward lengths and chunk sizes (float64 1e-10, float32 precision)', () => {
    for (const chunkSize of [1, 5, 16, 64]) {
      for (const L of [1, 3, chunkSize - 1, chunkSize + 1, 130]) {
        if (L < 1) continue;
        const { q, k, v, a, b } = inputs(1, 2, L);
        const rec = gatedDeltaNet(q, k, v, a, b, { mode: 'recurrent', returnState: true });
        const chk = gatedDeltaNet(q, k, v, a, b, { mode: 'chunkwise', chunkSize, returnState: true });
        expect(relErr(chk.data, rec.data), `L=${L} C=${chunkSize}`).toBeLessThan(1e-10);
        expect(relErr(chk.state!.data, rec.state!.data)).toBeLessThan(1e-10);
        const rec32 = gatedDeltaNet(as32(q), as32(k), as32(v), as32(a), as32(b), { mode: 'recurrent' });
        const chk32 = gatedDeltaNet(as32(q), as32(k), as32(v), as32(a), as32(b), { mode: 'chunkwise', chunkSize });
        expect(chk32.data).toBeInstanceOf(Float32Array);
        expect(relErr(chk32.data, rec32.data), `float32 L=${L} C=${chunkSize}`).toBeLessThan(1e-6);
      }
    }
  });

  it('un-normalised keys, β at 0 and 1, α = 1 and α = 1e-300: modes agree and match the reference', () => {
    const { q, k, v } = inputs(1, 1, 40, true);
    const a = randTensor(rand, [1, 1, 40], 0.5, 1);
    const b = randTensor(rand, [1, 1, 40], 0, 0.5);
    for (let t = 0; t < 40; t++) {
      if (t % 7 === 0) a.data[t] = 1e-300;
      if (t % 5 === 0) a.data[t] = 1;
      if (t % 6 === 0) b.data[t] = 0;
      if (t % 9 === 0) b.data[t] = 1;
    }
    const rec = gatedDeltaNet(q, k, v, a, b, { mode: 'recurrent' });
    const chk = gatedDeltaNet(q, k, v, a, b, { chunkSize: 16 });
    expect(rec.data.every(Number.isFinite)).toBe(true);
    expect(relErr(chk.data, rec.data)).toBeLessThan(1e-10);
    expect(relErr(rec.data, reference(q, k, v, a, b).o)).toBeLessThan(1e-12);
  });

  it('β = 1 with a unit key replaces the stored value: S_tᵀ k_t = v_t (delta rule), for any α', () => {
    const { k, v, a } = inputs(1, 1, 6);
    const b = { data: new Float64Array(6).fill(1), dims: [1, 1, 6] };
    // Querying with the key just written reads back exactly that value.
    for (const mode of ['recurrent', 'chunkwise'] as const) expectClose(gatedDeltaNet(k, k, v, a, b, { mode, chunkSize: 4 }).data, v.data, 1e-12, 1e-13, mode);
  });

  it('running two halves with the returned state equals one run (both modes)', () => {
    const { q, k, v, a, b } = inputs(1, 2, 21);
    const cut = (t: T, from: number, to: number) => {
      const [B, H, L] = t.dims;
      const d = t.dims.length === 4 ? t.dims[3] : 1;
      const out = new Float64Array(B * H * (to - from) * d);
      for (let bh = 0; bh < B * H; bh++) out.set(t.data.subarray((bh * L + from) * d, (bh * L + to) * d), bh * (to - from) * d);
      return { data: out, dims: t.dims.length === 4 ? [B, H, to - from, d] : [B, H, to - from] };
    };
    for (const mode of ['recurrent', 'chunkwise'] as const) {
      const part = (from: number, to: number, init?: { data: Float64Array; dims: number[] }) =>
        gatedDeltaNet(cut(q, from, to), cut(k, from, to), cut(v, from, to), cut(a, from, to), cut(b, from, to), { mode, chunkSize: 4, initialState: init, returnState: true });
      const full = part(0, 21);
      const first = part(0, 8);
      const second = part(8, 21, first.state);
      expectClose(first.data, cut(full as T, 0, 8).data, 1e-12, 1e-13);
      expectClose(second.data, cut(full as T, 8, 21).data, 1e-12, 1e-13);
      expectClose(second.state!.data, full.state!.data, 1e-12, 1e-13);
    }
  });
});

describe('gatedDeltaNet.vjp', () => {
  it('dq, dk, dv, dAlpha, dBeta, dInitialState match central differences (checkpoint spacings 1, 3, 64)', () => {
    const L = 7;
    const { q, k, v, a, b } = inputs(1, 2, L, true);
    const s0 = randTensor(rand, [1, 2, DK, DV]);
    const g = randTensor(rand, [1, 2, L, DV]);
    const gs = randTensor(rand, [1, 2, DK, DV]);
    const snap = snapshot(q, k, v, a, b, g, s0, gs);
    const loss = (x: Partial<Record<'q' | 'k' | 'v' | 'a' | 'b' | 's0', Float64Array>>) => {
      const w = (t: T, d?: Float64Array) => ({ data: d ?? t.data, dims: t.dims });
      const r = gatedDeltaNet(w(q, x.q), w(k, x.k), w(v, x.v), w(a, x.a), w(b, x.b), { mode: 'recurrent', initialState: w(s0, x.s0), returnState: true });
      return [...r.data, ...r.state!.data];
    };
    const w = [...g.data, ...gs.data];
    for (const chunkSize of [1, 3, 64]) {
      const grads = gatedDeltaNet.vjp(q, k, v, a, b, g, { initialState: s0, dFinalState: gs, chunkSize });
      expectGradient((x) => loss({ q: x }), q.data, w, grads.dq.data, 'dq');
      expectGradient((x) => loss({ k: x }), k.data, w, grads.dk.data, 'dk');
      expectGradient((x) => loss({ v: x }), v.data, w, grads.dv.data, 'dv');
      expectGradient((x) => loss({ a: x }), a.data, w, grads.dAlpha.data, 'dAlpha');
      expectGradient((x) => loss({ b: x }), b.data, w, grads.dBeta.data, 'dBeta');
      expectGradient((x) => loss({ s0: x }), s0.data, w, grads.dInitialState!.data, 'dInitialState');
    }
    expectUnchanged(snap, q, k, v, a, b, g, s0, gs);
  });

  it('float32 gradients are float32 and match the float64 gradients of the rounded inputs', () => {
    const { q, k, v, a, b } = inputs(1, 1, 9);
    const g = randTensor(rand, [1, 1, 9, DV]);
    const to64 = (t: { data: Float32Array; dims: number[] }) => ({ data: Float64Array.from(t.data), dims: t.dims });
    const g32 = gatedDeltaNet.vjp(as32(q), as32(k), as32(v), as32(a), as32(b), as32(g));
    const want = gatedDeltaNet.vjp(to64(as32(q)), to64(as32(k)), to64(as32(v)), to64(as32(a)), to64(as32(b)), to64(as32(g)));
    expect(g32.dq.data).toBeInstanceOf(Float32Array);
    expect(g32.dInitialState).toBeUndefined();
    for (const key of ['dq', 'dk', 'dv', 'dAlpha', 'dBeta'] as const) expect(relErr(g32[key].data, want[key].data), key).toBeLessThan(1e-6);
  });
});

describe('gatedDeltaNet errors', () => {
  const { q, k, v, a, b } = inputs(1, 1, 4);
  it('rejects gates out of range, bad shapes and dtypes', () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      const aa = { data: a.data.slice(), dims: a.dims };
      aa.data[2] = bad;
      expectSoftmaxError(() => gatedDeltaNet(q, k, v, aa, b), 'E_PARAM', 'alpha.data[2]');
    }
    for (const bad of [-0.1, 1.1, NaN]) {
      const bb = { data: b.data.slice(), dims: b.dims };
      bb.data[3] = bad;
      expectSoftmaxError(() => gatedDeltaNet(q, k, v, a, bb), 'E_PARAM', 'beta.data[3]');
    }
    expectSoftmaxError(() => gatedDeltaNet(q, k, v, randTensor(rand, [1, 1, 4, DK], 0.5, 1), b), 'E_SHAPE', 'alpha.dims');
    expectSoftmaxError(() => gatedDeltaNet(q, k, v, a, randTensor(rand, [1, 1, 5], 0.5, 1)), 'E_SHAPE', 'beta.dims');
    expectSoftmaxError(() => gatedDeltaNet(q, k, v, a, as32(b) as never), 'E_DTYPE', 'beta.data');
    expectSoftmaxError(() => gatedDeltaNet(as32(q) as never, k, v, a, b), 'E_DTYPE', 'k.data');
    expectSoftmaxError(() => gatedDeltaNet(q, k, v, a, b, { returnState: 'yes' as never }), 'E_PARAM', 'returnState');
    expectSoftmaxError(() => gatedDeltaNet.vjp(q, k, v, a, b, randTensor(rand, [1, 1, 4, DV]), { dFinalState: randTensor(rand, [1, 1, DK, DK]) }), 'E_SHAPE', 'dFinalState');
  });
});
