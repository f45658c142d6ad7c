import type { FloatArray, TensorLike } from '../tensor/types.js';
import { gemmReference as gemm64 } from '../kernels/reference/gemm.js';
import {
  allocResult, bpttHead, bpttScratch, checkDOut, parseRecurrent, wrapResult, type RecurrentCall, type RecurrentOptions,
  type RecurrentResult, type RecurrentVjpOptions,
} from './linearRecurrent.js';
import { allocOf, checkGateRange, checkTensor, expectDims, sameDtype, slice64, store } from './linearShapes.js';

export type GatedDeltaNetOptions = RecurrentOptions;
export type GatedDeltaNetVjpOptions = RecurrentVjpOptions;

/** Gradients of {@link gatedDeltaNet} (float type of q). `dInitialState` is present when `initialState` was given. */
export interface GatedDeltaNetGrads<T extends FloatArray = FloatArray> {
  dq: { data: T; dims: number[] };
  dk: { data: T; dims: number[] };
  dv: { data: T; dims: number[] };
  dAlpha: { data: T; dims: number[] };
  dBeta: { data: T; dims: number[] };
  dInitialState?: { data: T; dims: number[] };
}

interface GdnCall extends RecurrentCall {
  alpha: FloatArray;
  beta: FloatArray;
}

function parse(q: unknown, k: unknown, v: unknown, alpha: unknown, beta: unknown, opts: RecurrentVjpOptions | undefined): GdnCall {
  const c = parseRecurrent(q, k, v, opts);
  const want = [c.q.batch, c.q.heads, c.q.length];
  const a = checkTensor(alpha, 'alpha', 3);
  sameDtype(c.q.data, a.data, 'alpha.data', 'q');
  expectDims(a.dims, want, 'alpha.dims', '[batch, heads, length]: one gate per head and step');
  const b = checkTensor(beta, 'beta', 3);
  sameDtype(c.q.data, b.data, 'beta.data', 'q');
  expectDims(b.dims, want, 'beta.dims', '[batch, heads, length]: one writing strength per head and step');
  checkGateRange(a.data, 'alpha.data', 0, 1, true);
  checkGateRange(b.data, 'beta.data', 0, 1, false);
  return { ...c, alpha: a.data, beta: b.data };
}

interface Head {
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  a: Float64Array;
  b: Float64Array;
}

function headOf(c: GdnCall, bh: number): Head {
  const { dk, dv } = c;
  const L = c.q.length;
  return {
    q: slice64(c.q.data, bh * L * dk, L * dk),
    k: slice64(c.k.data, bh * L * dk, L * dk),
    v: slice64(c.v.data, bh * L * dv, L * dv),
    a: slice64(c.alpha, bh * L, L),
    b: slice64(c.beta, bh * L, L),
  };
}

/**
 * Steps t ∈ [t0, t1) in place: S_t = α_t (I − β_t k_t k_tᵀ) S_{t−1} + β_t k_t v_tᵀ, computed as the delta
 * rule S_t = α_t S_{t−1} + β_t k_t (v_t − α_t S_{t−1}ᵀ k_t)ᵀ; o_t = S_tᵀ q_t when `o` is given.
 */
function steps(h: Head, dk: number, dv: number, s: Float64Array, t0: number, t1: number, o: Float64Array | null, p: Float64Array): void {
  for (let t = t0; t < t1; t++) {
    const a = h.a[t];
    const b = h.b[t];
    p.fill(0, 0, dv);
    for (let i = 0; i < dk; i++) {
      const ki = h.k[t * dk + i];
      if (ki !== 0) for (let e = 0; e < dv; e++) p[e] += ki * s[i * dv + e];
    }
    for (let e = 0; e < dv; e++) p[e] = b * (h.v[t * dv + e] - a * p[e]);
    for (let i = 0; i < dk; i++) {
      const ki = h.k[t * dk + i];
      for (let e = 0; e < dv; e++) s[i * dv + e] = a * s[i * dv + e] + ki * p[e];
    }
    if (o) {
      for (let e = 0; e < dv; e++) o[t * dv + e] = 0;
      for (let i = 0; i < dk; i++) {
        const qi = h.q[t * dk + i];
        if (qi !== 0) for (let e = 0; e < dv; e++) o[t * dv + e] += qi * s[i * dv + e];
      }
    }
  }
}

interface Scratch {
  g: Float64Array;
  tri: Float64Array;
  att: Float64Array;
  kb: Float64Array;
  vb: Float64Array;
  w: Float64Array;
  u: Float64Array;
  qg: Float64Array;
  tmp: Float64Array;
}

/**
 * One chunk [t0, t0 + n) via the UT transform. With g_t = Σ_{u ≤ t in chunk} log α_u, γ_t = e^{g_t}:
 *   S_t = γ_t S₀ + Σ_{s ≤ t} e^{g_t − g_s} k_s u_sᵀ  with pseudo-values U = T (diag(β) V − diag(βγ) K S₀),
 *   T = (I + A)⁻¹,  A_ts = β_t e^{g_t − g_s} k_t·k_s (s < t)  — so U = Ũ − W S₀ with the WY factors
 *   W = T diag(βγ) K and Ũ = T diag(β) V, which do not depend on S₀;
 *   O = diag(γ) Q S₀ + ((Q Kᵀ) ⊙ M) U, M_ts = e^{g_t − g_s} (s ≤ t);  S ← γ_n S₀ + (diag(e^{g_n − g}) K)ᵀ U.
 * Every exponent is ≤ 0.
 */
function chunk(h: Head, dk: number, dv: number, s: Float64Array, t0: number, n: number, o: Float64Array, x: Scratch): void {
  const { g, tri, att, kb, vb, w, u, qg, tmp } = x;
  for (let j = 0; j < n; j++) g[j] = (j === 0 ? 0 : g[j - 1]) + Math.log(h.a[t0 + j]);
  // A (strictly lower) from K Kᵀ, then T = (I + A)⁻¹ by forward substitution (unit lower triangular).
  gemm64(false, true, n, n, dk, 1, h.k, t0 * dk, dk, h.k, t0 * dk, dk, 0, att, 0, n);
  for (let t = 0; t < n; t++) {
    const bt = h.b[t0 + t];
    for (let r = 0; r < t; r++) att[t * n + r] *= bt * Math.exp(g[t] - g[r]);
  }
  tri.fill(0, 0, n * n);
  for (let t = 0; t < n; t++) {
    tri[t * n + t] = 1;
    for (let r = 0; r < t; r++) {
      let sum = 0;
      for (let m = r; m < t; m++) sum += att[t * n + m] * tri[m * n + r];
      tri[t * n + r] = -sum;
    }
  }
  for (let j = 0; j < n; j++) {
    const bj = h.b[t0 + j];
    const bg = bj * Math.exp(g[j]);
    for (let i = 0; i < dk; i++) kb[j * dk + i] = bg * h.k[(t0 + j) * dk + i];
    for (let e = 0; e < dv; e++) vb[j * dv + e] = bj * h.v[(t0 + j) * dv + e];
  }
  gemm64(false, false, n, dk, n, 1, tri, 0, n, kb, 0, dk, 0, w, 0, dk);
  gemm64(false, false, n, dv, n, 1, tri, 0, n, vb, 0, dv, 0, u, 0, dv);
  gemm64(false, false, n, dv, dk, -1, w, 0, dk, s, 0, dv, 1, u, 0, dv);
  // Outputs.
  for (let j = 0; j < n; j++) {
    const gj = Math.exp(g[j]);
    for (let i = 0; i < dk; i++) qg[j * dk + i] = gj * h.q[(t0 + j) * dk + i];
  }
  gemm64(false, false, n, dv, dk, 1, qg, 0, dk, s, 0, dv, 0, o, t0 * dv, dv);
  gemm64(false, true, n, n, dk, 1, h.q, t0 * dk, dk, h.k, t0 * dk, dk, 0, att, 0, n);
  for (let t = 0; t < n; t++) {
    for (let r = 0; r <= t; r++) att[t * n + r] *= Math.exp(g[t] - g[r]);
    for (let r = t + 1; r < n; r++) att[t * n + r] = 0;
  }
  gemm64(false, false, n, dv, n, 1, att, 0, n, u, 0, dv, 1, o, t0 * dv, dv);
  // State.
  const gl = g[n - 1];
  for (let j = 0; j < n; j++) {
    const f = Math.exp(gl - g[j]);
    for (let i = 0; i < dk; i++) kb[j * dk + i] = f * h.k[(t0 + j) * dk + i];
  }
  const gn = Math.exp(gl);
  for (let i = 0; i < dk * dv; i++) tmp[i] = gn * s[i];
  gemm64(true, false, dk, dv, n, 1, kb, 0, dk, u, 0, dv, 1, tmp, 0, dv);
  s.set(tmp);
}

function gatedDeltaNetForward<T extends FloatArray>(q: TensorLike<T>, k: TensorLike<T>, v: TensorLike<T>, alpha: TensorLike<T>, beta: TensorLike<T>, opts?: GatedDeltaNetOptions): RecurrentResult<T> {
  const c = parse(q, k, v, alpha, beta, opts);
  const { dk, dv } = c;
  const L = c.q.length;
  const { out, state } = allocResult(c);
  const s = new Float64Array(dk * dv);
  const o = new Float64Array(L * dv);
  const p = new Float64Array(dv);
  const C = Math.min(c.chunkSize, Math.max(L, 1));
  const x: Scratch = {
    g: new Float64Array(C), tri: new Float64Array(C * C), att: new Float64Array(C * C),
    kb: new Float64Array(C * dk), vb: new Float64Array(C * dv), w: new Float64Array(C * dk),
    u: new Float64Array(C * dv), qg: new Float64Array(C * dk), tmp: new Float64Array(dk * dv),
  };
  for (let bh = 0; bh < c.q.batch * c.q.heads; bh++) {
    const h = headOf(c, bh);
    if (c.initial) for (let i = 0; i < dk * dv; i++) s[i] = c.initial[bh * dk * dv + i];
    else s.fill(0);
    if (c.mode === 'recurrent') steps(h, dk, dv, s, 0, L, o, p);
    else for (let t0 = 0; t0 < L; t0 += C) chunk(h, dk, dv, s, t0, Math.min(C, L - t0), o, x);
    store(out, bh * L * dv, o);
    if (state) store(state, bh * dk * dv, s);
  }
  return wrapResult<T>(c, out, state);
}

function gatedDeltaNetVjp<T extends FloatArray>(q: TensorLike<T>, k: TensorLike<T>, v: TensorLike<T>, alpha: TensorLike<T>, beta: TensorLike<T>, dOut: TensorLike<T>, opts?: GatedDeltaNetVjpOptions): GatedDeltaNetGrads<T> {
  const c = parse(q, k, v, alpha, beta, opts);
  const gOut = checkDOut(c, dOut);
  const { dk, dv } = c;
  const L = c.q.length;
  const like = c.q.data;
  const bhCount = c.q.batch * c.q.heads;
  const dq = allocOf(like, like.length);
  const dkAll = allocOf(like, like.length);
  const dvAll = allocOf(like, c.v.data.length);
  const da = allocOf(like, bhCount * L);
  const db = allocOf(like, bhCount * L);
  const dInit = c.initial ? allocOf(like, c.initial.length) : null;
  const sd = dk * dv;
  const w = bpttScratch(c);
  const G = w.G;
  const p = new Float64Array(dv);
  const av = new Float64Array(dv);
  const r = new Float64Array(dv);
  const hq = new Float64Array(L * dk);
  const hk = new Float64Array(L * dk);
  const hv = new Float64Array(L * dv);
  const ha = new Float64Array(L);
  const hb = new Float64Array(L);
  for (let bh = 0; bh < bhCount; bh++) {
    const h = headOf(c, bh);
    const go = slice64(gOut, bh * L * dv, L * dv);
    // P = S_{t−1} at states[sp..].
    bpttHead(c, bh, h.q, go, hq, w, (s, t0, t1) => steps(h, dk, dv, s, t0, t1, null, p), (t, states, sp) => {
      const a = h.a[t];
      const b = h.b[t];
      // p = Pᵀk, a = Gᵀk, r = v − α p.
      p.fill(0);
      av.fill(0);
      let gp = 0;
      for (let i = 0; i < dk; i++) {
        const ki = h.k[t * dk + i];
        for (let e = 0; e < dv; e++) {
          p[e] += states[sp + i * dv + e] * ki;
          av[e] += G[i * dv + e] * ki;
          gp += G[i * dv + e] * states[sp + i * dv + e];
        }
      }
      let ap = 0;
      let ar = 0;
      for (let e = 0; e < dv; e++) {
        r[e] = h.v[t * dv + e] - a * p[e];
        ap += av[e] * p[e];
        ar += av[e] * r[e];
        hv[t * dv + e] = b * av[e];
      }
      // dα = ⟨G, P⟩ − β a·p, dβ = a·(v − α p), dk = β (G (v − α p) − α P a).
      ha[t] = gp - b * ap;
      hb[t] = ar;
      for (let i = 0; i < dk; i++) {
        let gr = 0;
        let pa = 0;
        for (let e = 0; e < dv; e++) {
          gr += G[i * dv + e] * r[e];
          pa += states[sp + i * dv + e] * av[e];
        }
        hk[t * dk + i] = b * (gr - a * pa);
      }
      // ∂/∂S_{t−1} = α (I − β k kᵀ) G = α (G − β k aᵀ).
      for (let i = 0; i < dk; i++) {
        const bk = b * h.k[t * dk + i];
        for (let e = 0; e < dv; e++) G[i * dv + e] = a * (G[i * dv + e] - bk * av[e]);
      }
    });
    store(dq, bh * L * dk, hq);
    store(dkAll, bh * L * dk, hk);
    store(dvAll, bh * L * dv, hv);
    store(da, bh * L, ha);
    store(db, bh * L, hb);
    if (dInit) store(dInit, bh * sd, G);
  }
  const dims = [c.q.batch, c.q.heads, L, dk];
  const res: GatedDeltaNetGrads<T> = {
    dq: { data: dq as T, dims: [...dims] },
    dk: { data: dkAll as T, dims: [...dims] },
    dv: { data: dvAll as T, dims: [c.q.batch, c.q.heads, L, dv] },
    dAlpha: { data: da as T, dims: [c.q.batch, c.q.heads, L] },
    dBeta: { data: db as T, dims: [c.q.batch, c.q.heads, L] },
  };
  if (dInit) res.dInitialState = { data: dInit as T, dims: [c.q.batch, c.q.heads, dk, dv] };
  return res;
}

/**
 * Gated DeltaNet (Yang, Kautz, Hatamizadeh, "Gated Delta Networks: Improving Mamba2 with Delta Rule",
 * ICLR 2025; arXiv 2412.06464), per head with state S ∈ R^{dk×dv}:
 *
 *   S_t = α_t (I − β_t k_t k_tᵀ) S_{t−1} + β_t k_t v_tᵀ,   o_t = S_tᵀ q_t.
 *
 * Transpose convention: the paper keeps S as dv×dk and writes S_t = α_t S_{t−1}(I − β_t k_t k_tᵀ) +
 * β_t v_t k_tᵀ, o_t = S_t q_t; this library stores the transpose (dk×dv, as `gla`), so the projection acts
 * from the left. Same outputs; `initialState`/`state` are `[batch, heads, dk, dv]`.
 * Equivalently the gated delta rule S_t = α_t S_{t−1} + β_t k_t (v_t − α_t S_{t−1}ᵀ k_t)ᵀ.
 *
 * Inputs: q, k `[batch, heads, length, dk]`, v `[batch, heads, length, dv]`, `alpha` (decay) and `beta`
 * (writing strength) `[batch, heads, length]`, α ∈ (0, 1], β ∈ [0, 1] (the paper's β is a sigmoid, in
 * (0, 1); the closed ends are accepted since float32 sigmoids round to them). The paper L2-normalises
 * keys (then I − β k kᵀ is a contraction); that is left to the caller and not required here.
 *
 * - `mode: 'recurrent'`: O(L·dk·dv) time, O(dk·dv) state.
 * - `mode: 'chunkwise'` (default): per chunk of C steps the UT transform T = (I + A)⁻¹ (A_ts = β_t
 *   e^{g_t − g_s} k_t·k_s, s < t, g = cumulative log α) gives the WY factors W = T diag(βγ) K and
 *   Ũ = T diag(β) V, pseudo-values U = Ũ − W S₀, outputs diag(γ) Q S₀ + ((Q Kᵀ) ⊙ M) U and the next
 *   state γ_C S₀ + (diag(e^{g_C − g}) K)ᵀ U — all decay factors e^{g_t − g_s} ≤ 1. O(L·C·(C + dk + dv) +
 *   L·dk·dv) time. Agrees with the recurrent form to float64 rounding times the conditioning of (I + A)
 *   (float32 outputs to float32 precision: both compute in float64). On a CPU the recurrent form does
 *   fewer multiply-adds (≈ 3·dk·dv per step against ≈ C·(2.5·dk + dv) + 3·dk·dv); the chunkwise form
 *   is the matmul-shaped one.
 *
 * Validation `E_PARAM` for gates out of range or NaN, `E_SHAPE`, `E_DTYPE` as `gla`. Length 0 returns an
 * empty output. Inputs are never mutated.
 *
 * `gatedDeltaNet.vjp(q, k, v, alpha, beta, dOut, { initialState, dFinalState, chunkSize })` →
 * `{ dq, dk, dv, dAlpha, dBeta, dInitialState? }`: backpropagation through time of the recurrent form with
 * S stored every `chunkSize` steps and recomputed inside a chunk; O(L·dk·dv) time,
 * O((L/C + C)·dk·dv) memory. With G = ∂/∂S_t, P = S_{t−1}, a = Gᵀk_t, p = Pᵀk_t:
 * dv_t = β a, dβ_t = a·(v_t − α p), dα_t = ⟨G, P⟩ − β a·p, dk_t = β (G (v_t − α p) − α P a),
 * ∂/∂S_{t−1} = α (G − β k_t aᵀ).
 *
 * @example
 * const o = gatedDeltaNet(q, k, v, alpha, beta, { chunkSize: 64 }); // o.dims = [B, H, L, dv]
 */
export const gatedDeltaNet = Object.assign(gatedDeltaNetForward, { vjp: gatedDeltaNetVjp });
