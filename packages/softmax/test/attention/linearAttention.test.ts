/**
 * linearAttention: against a materialised float64 L×L kernel matrix written here (feature maps
 * re-derived independently from their papers' formulas), float32 vs float64, the vjp (with Hedgehog
 * weight and NaLaFormer λ gradients) against central finite differences, errors, no mutation.
 */
import { describe, expect, it } from 'vitest';
import { linearAttention, type LinearAttentionOptions } from '../../src/attention/linearAttention.js';
import { expectSoftmaxError } from '../ops/helpers.js';
import { as32, expectClose, expectGradient, expectUnchanged, randTensor, relErr, rng, snapshot } from './linearHelpers.js';

type Vec = number[];
type Phi = (x: Vec, role: 'query' | 'key') => Vec;

const elu1: Phi = (x) => x.map((v) => (v > 0 ? v + 1 : Math.exp(v)));
const relu: Phi = (x) => x.map((v) => Math.max(v, 0));

/** Hedgehog: [exp(Wx), exp(−Wx)] divided by its sum (no max shift: the test inputs are small). */
function hedgehog(wq: number[][], wk: number[][]): Phi {
  return (x, role) => {
    const w = role === 'query' ? wq : wk;
    const z = w.map((row) => row.reduce((s, wi, i) => s + wi * x[i], 0));
    const raw = [...z.map(Math.exp), ...z.map((t) => Math.exp(-t))];
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((r) => r / sum);
  };
}

/** NaLaFormer: queries [relu(q̂)^p, relu(−q̂)^p], p = λ(½ + tanh‖q‖); keys [relu(k)^γ, relu(−k)^γ]. */
function nala(lambda = 3, gamma = 3): Phi {
  return (x, role) => {
    if (role === 'key') return [...x.map((v) => (v > 0 ? v ** gamma : 0)), ...x.map((v) => (v < 0 ? (-v) ** gamma : 0))];
    const r = Math.hypot(...x);
    const p = lambda * (0.5 + Math.tanh(r));
    const u = x.map((v) => v / r);
    return [...u.map((v) => (v > 0 ? v ** p : 0)), ...u.map((v) => (v < 0 ? (-v) ** p : 0))];
  };
}

/** Materialised attention: A_ij = φ(q_i)·φ(k_j) (masked to j ≤ i when causal), O = A V / (A 1 + eps). */
function reference(q: { data: ArrayLike<number>; dims: number[] }, k: { data: ArrayLike<number>; dims: number[] }, v: { data: ArrayLike<number>; dims: number[] }, phi: Phi, causal: boolean, eps: number): Float64Array {
  const [b, h, lq, d] = q.dims;
  const lk = k.dims[2];
  const dv = v.dims[3];
  const out = new Float64Array(b * h * lq * dv);
  for (let bh = 0; bh < b * h; bh++) {
    const row = (t: { data: ArrayLike<number> }, i: number, n: number, len: number) => Array.from({ length: n }, (_, e) => t.data[bh * len * n + i * n + e]);
    const pq = Array.from({ length: lq }, (_, i) => phi(row(q, i, d, lq), 'query'));
    const pk = Array.from({ length: lk }, (_, j) => phi(row(k, j, d, lk), 'key'));
    for (let i = 0; i < lq; i++) {
      const a = pk.map((kj, j) => (causal && j > i ? 0 : kj.reduce((s, kv, t) => s + kv * pq[i][t], 0)));
      const den = a.reduce((s, x) => s + x, 0) + eps;
      for (let e = 0; e < dv; e++) {
        let num = 0;
        for (let j = 0; j < lk; j++) num += a[j] * v.data[bh * lk * dv + j * dv + e];
        out[bh * lq * dv + i * dv + e] = num / den;
      }
    }
  }
  return out;
}

const rand = rng(2020);
const B = 2;
const H = 2;
const D = 3;
const DV = 4;
const wq = [[0.7, -0.2, 0.4], [0.1, 0.9, -0.5]];
const wk = [[-0.3, 0.5, 0.8], [0.6, 0.2, 0.3]];
const wT = (w: number[][]) => ({ data: Float64Array.from(w.flat()), dims: [w.length, D] });

const cases: { name: string; opts: LinearAttentionOptions; phi: Phi }[] = [
  { name: 'elu1', opts: { featureMap: 'elu1' }, phi: elu1 },
  { name: 'relu', opts: { featureMap: 'relu', eps: 1e-3 }, phi: relu },
  { name: 'hedgehog (identity)', opts: { featureMap: 'hedgehog' }, phi: hedgehog([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]) },
  { name: 'hedgehog (learned W)', opts: { featureMap: 'hedgehog', hedgehog: { queryWeight: wT(wq), keyWeight: wT(wk) } }, phi: hedgehog(wq, wk) },
  { name: 'nalaformer', opts: { featureMap: 'nalaformer' }, phi: nala() },
  { name: 'nalaformer λ=2, γ=1.5', opts: { featureMap: 'nalaformer', nalaformer: { lambda: 2, keyPower: 1.5 } }, phi: nala(2, 1.5) },
  { name: 'custom function', opts: { featureMap: (x) => Array.from(x, (t) => t * t + 0.1) }, phi: (x) => x.map((t) => t * t + 0.1) },
];

describe('linearAttention forward', () => {
  for (const c of cases) {
    for (const causal of [false, true]) {
      it(`${c.name}, ${causal ? 'causal' : 'non-causal'}: equals the materialised L×L formula`, () => {
        const L = 7;
        const lk = causal ? L : 5;
        const q = randTensor(rand, [B, H, L, D]);
        const k = randTensor(rand, [B, H, lk, D]);
        const v = randTensor(rand, [B, H, lk, DV]);
        const opts = { ...c.opts, causal };
        const eps = opts.eps ?? 1e-6;
        const snap = snapshot(q, k, v);
        const o = linearAttention(q, k, v, opts);
        expect(o.dims).toEqual([B, H, L, DV]);
        expect(o.data).toBeInstanceOf(Float64Array);
        expectClose(o.data, reference(q, k, v, c.phi, causal, eps), 1e-12, 1e-14, c.name);
        expectUnchanged(snap, q, k, v);
        // float32 in → float32 out, within float32 rounding of the float64 result.
        const o32 = linearAttention(as32(q), as32(k), as32(v), opts);
        expect(o32.data).toBeInstanceOf(Float32Array);
        expect(relErr(o32.data, reference(as32(q), as32(k), as32(v), c.phi, causal, eps))).toBeLessThan(2e-6);
      });
    }
  }

  it('causal output i ignores keys and values after i; non-causal row equals the causal last row', () => {
    const q = randTensor(rand, [1, 1, 6, D]);
    const k = randTensor(rand, [1, 1, 6, D]);
    const v = randTensor(rand, [1, 1, 6, DV]);
    const a = linearAttention(q, k, v, { causal: true });
    const k2 = { data: k.data.slice(), dims: k.dims };
    const v2 = { data: v.data.slice(), dims: v.dims };
    k2.data[5 * D] += 3;
    v2.data[5 * DV + 1] -= 2;
    const b = linearAttention(q, k2, v2, { causal: true });
    expect(Array.from(b.data.subarray(0, 5 * DV))).toEqual(Array.from(a.data.subarray(0, 5 * DV)));
    const full = linearAttention(q, k, v, { causal: false });
    expectClose(full.data.subarray(5 * DV), a.data.subarray(5 * DV), 1e-14, 1e-15);
  });

  it('hedgehog stays finite for huge inputs (|Wx| ~ 1e3, where exp(Wx) alone overflows); a zero nalaformer query gives 0', () => {
    const q = randTensor(rand, [1, 1, 4, D], -1000, 1000);
    const k = randTensor(rand, [1, 1, 4, D], -1000, 1000);
    const v = randTensor(rand, [1, 1, 4, DV]);
    const o = linearAttention(q, k, v, { featureMap: 'hedgehog', causal: true });
    expect(o.data.every(Number.isFinite)).toBe(true);
    const g = linearAttention.vjp(q, k, v, v, { featureMap: 'hedgehog', causal: true });
    expect(g.dq.data.every(Number.isFinite) && g.dk.data.every(Number.isFinite)).toBe(true);
    const z = { data: new Float64Array(D), dims: [1, 1, 1, D] };
    const one = { data: Float64Array.from([0.5, -0.2, 0.3]), dims: [1, 1, 1, D] };
    const vv = { data: Float64Array.from([1, 2, 3, 4]), dims: [1, 1, 1, DV] };
    expect(Array.from(linearAttention(z, one, vv, { featureMap: 'nalaformer' }).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(linearAttention.vjp(z, one, vv, vv, { featureMap: 'nalaformer' }).dq.data)).toEqual([0, 0, 0]);
  });

  it('a relu query with no positive entry gives 0 (0/eps); length 0 gives an empty output', () => {
    const q = { data: Float64Array.from([-1, -2, -3]), dims: [1, 1, 1, 3] };
    const k = { data: Float64Array.from([1, 2, 3]), dims: [1, 1, 1, 3] };
    const v = { data: Float64Array.from([5, 6]), dims: [1, 1, 1, 2] };
    expect(Array.from(linearAttention(q, k, v, { featureMap: 'relu' }).data)).toEqual([0, 0]);
    const e = { data: new Float64Array(0), dims: [1, 2, 0, 3] };
    const r = linearAttention(e, e, { data: new Float64Array(0), dims: [1, 2, 0, 5] }, { causal: true });
    expect(r.dims).toEqual([1, 2, 0, 5]);
    expect(r.data.length).toBe(0);
  });
});

describe('linearAttention.vjp', () => {
  for (const c of cases) {
    for (const causal of [false, true]) {
      it(`${c.name}, ${causal ? 'causal' : 'non-causal'}: dq, dk, dv match central differences`, () => {
        const L = 5;
        const lk = causal ? L : 4;
        const q = randTensor(rand, [1, 2, L, D]);
        const k = randTensor(rand, [1, 2, lk, D]);
        const v = randTensor(rand, [1, 2, lk, 2]);
        const g = randTensor(rand, [1, 2, L, 2]);
        const opts = { ...c.opts, causal };
        const custom = typeof c.opts.featureMap === 'function';
        const optsV: LinearAttentionOptions = custom
          ? { ...opts, featureMap: { map: (x) => Array.from(x, (t) => t * t + 0.1), vjp: (x, _r, dp) => Array.from(x, (t, i) => 2 * t * dp[i]) } }
          : opts;
        const snap = snapshot(q, k, v, g);
        const grads = linearAttention.vjp(q, k, v, g, optsV);
        expectUnchanged(snap, q, k, v, g);
        const f = (qq: Float64Array, kk: Float64Array, vv: Float64Array) => linearAttention({ data: qq, dims: q.dims }, { data: kk, dims: k.dims }, { data: vv, dims: v.dims }, opts).data;
        expectGradient((x) => f(x, k.data, v.data), q.data, g.data, grads.dq.data, 'dq');
        expectGradient((x) => f(q.data, x, v.data), k.data, g.data, grads.dk.data, 'dk');
        expectGradient((x) => f(q.data, k.data, x), v.data, g.data, grads.dv.data, 'dv');
        if (c.opts.hedgehog) {
          const hw = c.opts.hedgehog;
          const fw = (which: 'q' | 'k') => (x: Float64Array) => linearAttention(q, k, v, { ...opts, hedgehog: { ...hw, [which === 'q' ? 'queryWeight' : 'keyWeight']: { data: x, dims: [2, D] } } }).data;
          expectGradient(fw('q'), Float64Array.from(wq.flat()), g.data, grads.dQueryWeight!.data, 'dQueryWeight');
          expectGradient(fw('k'), Float64Array.from(wk.flat()), g.data, grads.dKeyWeight!.data, 'dKeyWeight');
        }
        if (c.opts.featureMap === 'nalaformer') {
          const n = c.opts.nalaformer ?? {};
          const fl = (x: Float64Array) => linearAttention(q, k, v, { ...opts, nalaformer: { ...n, lambda: x[0] } }).data;
          expectGradient(fl, Float64Array.from([n.lambda ?? 3]), g.data, [grads.dLambda!], 'dLambda');
        }
      });
    }
  }

  it('float32 gradients are float32 and agree with the float64 ones to float32 precision', () => {
    const q = randTensor(rand, [1, 1, 6, D]);
    const k = randTensor(rand, [1, 1, 6, D]);
    const v = randTensor(rand, [1, 1, 6, DV]);
    const g = randTensor(rand, [1, 1, 6, DV]);
    const g64 = linearAttention.vjp(as32(q), as32(k), as32(v), as32(g), { causal: true });
    const want = linearAttention.vjp(
      { data: Float64Array.from(as32(q).data), dims: q.dims }, { data: Float64Array.from(as32(k).data), dims: k.dims },
      { data: Float64Array.from(as32(v).data), dims: v.dims }, { data: Float64Array.from(as32(g).data), dims: g.dims }, { causal: true });
    expect(g64.dq.data).toBeInstanceOf(Float32Array);
    expect(relErr(g64.dq.data, want.dq.data)).toBeLessThan(1e-6);
    expect(relErr(g64.dk.data, want.dk.data)).toBeLessThan(1e-6);
    expect(relErr(g64.dv.data, want.dv.data)).toBeLessThan(1e-6);
  });
});

describe('linearAttention errors', () => {
  const q = randTensor(rand, [1, 1, 3, D]);
  const k = randTensor(rand, [1, 1, 3, D]);
  const v = randTensor(rand, [1, 1, 3, DV]);
  it('rejects bad shapes, dtypes and options', () => {
    expectSoftmaxError(() => linearAttention({ data: q.data, dims: [3, D] } as never, k, v), 'E_SHAPE', 'q.dims');
    expectSoftmaxError(() => linearAttention(q, randTensor(rand, [1, 1, 3, 2]), v), 'E_SHAPE', 'k.dims');
    expectSoftmaxError(() => linearAttention(q, k, randTensor(rand, [1, 1, 2, DV])), 'E_SHAPE', 'v.dims');
    expectSoftmaxError(() => linearAttention(q, randTensor(rand, [1, 1, 4, D]), randTensor(rand, [1, 1, 4, DV]), { causal: true }), 'E_SHAPE', 'k.dims');
    expectSoftmaxError(() => linearAttention(q, as32(k) as never, v), 'E_DTYPE', 'k.data');
    expectSoftmaxError(() => linearAttention({ data: new Int32Array(9), dims: [1, 1, 3, 3] } as never, k, v), 'E_DTYPE', 'q.data');
    expectSoftmaxError(() => linearAttention(q, k, v, { eps: -1 }), 'E_PARAM', 'eps');
    expectSoftmaxError(() => linearAttention(q, k, v, { featureMap: 'softmax' as never }), 'E_PARAM', 'featureMap');
    expectSoftmaxError(() => linearAttention(q, k, v, { featureMap: 'hedgehog', hedgehog: { queryWeight: { data: new Float64Array(4), dims: [2, 2] } } }), 'E_SHAPE', 'hedgehog.queryWeight');
    expectSoftmaxError(() => linearAttention(q, k, v, { featureMap: 'nalaformer', nalaformer: { keyPower: 0.5 } }), 'E_PARAM', 'nalaformer.keyPower');
    expectSoftmaxError(() => linearAttention(q, k, v, { causal: 1 as never }), 'E_PARAM', 'causal');
  });
  it('vjp needs a differentiable map and a dOut of the output shape', () => {
    expectSoftmaxError(() => linearAttention.vjp(q, k, v, randTensor(rand, [1, 1, 3, DV]), { featureMap: (x) => x }), 'E_PARAM', 'featureMap');
    expectSoftmaxError(() => linearAttention.vjp(q, k, v, randTensor(rand, [1, 1, 3, 2])), 'E_SHAPE', 'dOut.dims');
  });
});
