import type { FloatArray, TensorLike } from '../tensor/types.js';
import { gemmReference as gemm64 } from '../kernels/reference/gemm.js';
import {
  allocResult, bpttHead, bpttScratch, checkDOut, parseRecurrent, wrapResult, type RecurrentCall, type RecurrentOptions,
  type RecurrentResult, type RecurrentVjpOptions,
} from './linearRecurrent.js';
import { allocOf, checkGateRange, checkSeq, expectDims, sameDtype, slice64, store } from './linearShapes.js';

export type GlaOptions = RecurrentOptions;
export type GlaVjpOptions = RecurrentVjpOptions;

/** Gradients of {@link gla} (float type of q). `dInitialState` is present when `initialState` was given. */
export interface GlaGrads<T extends FloatArray = FloatArray> {
  dq: { data: T; dims: number[] };
  dk: { data: T; dims: number[] };
  dv: { data: T; dims: number[] };
  dAlpha: { data: T; dims: number[] };
  dInitialState?: { data: T; dims: number[] };
}

interface GlaCall extends RecurrentCall {
  alpha: FloatArray;
}

function parse(q: unknown, k: unknown, v: unknown, alpha: unknown, opts: RecurrentVjpOptions | undefined): GlaCall {
  const c = parseRecurrent(q, k, v, opts);
  const a = checkSeq(alpha, 'alpha');
  sameDtype(c.q.data, a.data, 'alpha.data', 'q');
  expectDims([a.batch, a.heads, a.length, a.dim], [c.q.batch, c.q.heads, c.q.length, c.dk], 'alpha.dims', 'the dims of q (one gate per key dimension)');
  checkGateRange(a.data, 'alpha.data', 0, 1, true);
  return { ...c, alpha: a.data };
}

/** One head's float64 copies. */
interface Head {
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  a: Float64Array;
}

function headOf(c: GlaCall, bh: number): Head {
  const { dk, dv } = c;
  const L = c.q.length;
  return {
    q: slice64(c.q.data, bh * L * dk, L * dk),
    k: slice64(c.k.data, bh * L * dk, L * dk),
    v: slice64(c.v.data, bh * L * dv, L * dv),
    a: slice64(c.alpha, bh * L * dk, L * dk),
  };
}

/** Steps t ∈ [t0, t1) of S_t = diag(α_t) S_{t−1} + k_t v_tᵀ in place; writes o_t = S_tᵀ q_t when `o` is given. */
function steps(h: Head, dk: number, dv: number, s: Float64Array, t0: number, t1: number, o: Float64Array | null): void {
  const { q, k, v, a } = h;
  for (let t = t0; t < t1; t++) {
    const vo = t * dv;
    for (let i = 0; i < dk; i++) {
      const ai = a[t * dk + i];
      const ki = k[t * dk + i];
      const r = i * dv;
      for (let e = 0; e < dv; e++) s[r + e] = ai * s[r + e] + ki * v[vo + e];
    }
    if (o) {
      for (let e = 0; e < dv; e++) o[vo + e] = 0;
      for (let i = 0; i < dk; i++) {
        const qi = q[t * dk + i];
        const r = i * dv;
        if (qi !== 0) for (let e = 0; e < dv; e++) o[vo + e] += qi * s[r + e];
      }
    }
  }
}

/** Sub-block length of the intra-chunk score matrix (the GLA paper's secondary chunking). */
const SUB = 16;

/**
 * One chunk [t0, t0 + n) of the chunkwise-parallel form, with b_t = Σ_{u=t0..t} log α_u (per key dim):
 *   O = (Q ⊙ e^B) S₀ + (A ⊙ M) V,   A_ts = Σ_i q_ti k_si e^{b_ti − b_si} (s ≤ t),
 *   S ← diag(e^{b_last}) S₀ + (K ⊙ e^{b_last − B})ᵀ V.
 * Every exponent is ≤ 0: off-diagonal sub-blocks of A factor through the log-decay at the end of the
 * previous sub-block, q̃ = q ⊙ e^{b_t − b_ρ}, k̃ = k ⊙ e^{b_ρ − b_s} (both ≤ 1, one gemm); diagonal
 * sub-blocks are summed pairwise in log space.
 */
function chunk(h: Head, dk: number, dv: number, s: Float64Array, t0: number, n: number, o: Float64Array, w: ChunkScratch): void {
  const { b, qg, kg, att, tmp } = w;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < dk; i++) {
      const prev = j === 0 ? 0 : b[(j - 1) * dk + i];
      b[j * dk + i] = prev + Math.log(h.a[(t0 + j) * dk + i]);
    }
  }
  // Inter-chunk: O = (Q ⊙ e^B) S₀.
  for (let j = 0; j < n; j++) for (let i = 0; i < dk; i++) qg[j * dk + i] = h.q[(t0 + j) * dk + i] * Math.exp(b[j * dk + i]);
  gemm64(false, false, n, dv, dk, 1, qg, 0, dk, s, 0, dv, 0, o, t0 * dv, dv);
  // Intra-chunk scores A (n × n, lower triangular incl. the diagonal).
  att.fill(0, 0, n * n);
  const hq = h.q;
  const hk = h.k;
  for (let T = 0; T < n; T += SUB) {
    const tEnd = Math.min(T + SUB, n);
    if (T > 0) {
      // Reference ρ = T − 1: q̃_t = q_t e^{b_t − b_ρ}, k̃_s = k_s e^{b_ρ − b_s}. The k̃ rows of earlier
      // sub-blocks are carried over from the previous reference by one factor e^{b_ρ − b_ρ'} ≤ 1.
      const rho = (T - 1) * dk;
      const from = T - SUB;
      if (from > 0) {
        const prev = (from - 1) * dk;
        for (let i = 0; i < dk; i++) tmp[i] = Math.exp(b[rho + i] - b[prev + i]);
        for (let j = 0; j < from; j++) for (let i = 0; i < dk; i++) kg[j * dk + i] *= tmp[i];
      }
      for (let j = from; j < T; j++) for (let i = 0; i < dk; i++) kg[j * dk + i] = hk[(t0 + j) * dk + i] * Math.exp(b[rho + i] - b[j * dk + i]);
      for (let j = T; j < tEnd; j++) for (let i = 0; i < dk; i++) qg[j * dk + i] = hq[(t0 + j) * dk + i] * Math.exp(b[j * dk + i] - b[rho + i]);
      gemm64(false, true, tEnd - T, T, dk, 1, qg, T * dk, dk, kg, 0, dk, 0, att, T * n, n);
    }
    // Diagonal sub-block: exact pairwise sums in log space.
    for (let t = T; t < tEnd; t++) {
      const qo = (t0 + t) * dk;
      const bt = t * dk;
      for (let u = T; u <= t; u++) {
        const ko = (t0 + u) * dk;
        const bu = u * dk;
        let sum = 0;
        for (let i = 0; i < dk; i++) sum += hq[qo + i] * hk[ko + i] * Math.exp(b[bt + i] - b[bu + i]);
        att[t * n + u] = sum;
      }
    }
  }
  gemm64(false, false, n, dv, n, 1, att, 0, n, h.v, t0 * dv, dv, 1, o, t0 * dv, dv);
  // State: S ← diag(e^{b_last}) S₀ + (K ⊙ e^{b_last − B})ᵀ V.
  const last = (n - 1) * dk;
  for (let j = 0; j < n; j++) for (let i = 0; i < dk; i++) kg[j * dk + i] = h.k[(t0 + j) * dk + i] * Math.exp(b[last + i] - b[j * dk + i]);
  for (let i = 0; i < dk; i++) {
    const g = Math.exp(b[last + i]);
    for (let e = 0; e < dv; e++) tmp[i * dv + e] = g * s[i * dv + e];
  }
  gemm64(true, false, dk, dv, n, 1, kg, 0, dk, h.v, t0 * dv, dv, 1, tmp, 0, dv);
  s.set(tmp);
}

interface ChunkScratch {
  b: Float64Array;
  qg: Float64Array;
  kg: Float64Array;
  att: Float64Array;
  tmp: Float64Array;
}

function glaForward<T extends FloatArray>(q: TensorLike<T>, k: TensorLike<T>, v: TensorLike<T>, alpha: TensorLike<T>, opts?: GlaOptions): RecurrentResult<T> {
  const c = parse(q, k, v, alpha, opts);
  const { dk, dv, chunkSize } = c;
  const L = c.q.length;
  const { out, state } = allocResult(c);
  const s = new Float64Array(dk * dv);
  const o = new Float64Array(L * dv);
  const C = Math.min(chunkSize, Math.max(L, 1));
  const w: ChunkScratch = {
    b: new Float64Array(C * dk), qg: new Float64Array(C * dk), kg: new Float64Array(C * dk),
    att: new Float64Array(C * C), tmp: new Float64Array(Math.max(dk * dv, dk)),
  };
  for (let bh = 0; bh < c.q.batch * c.q.heads; bh++) {
    const h = headOf(c, bh);
    if (c.initial) for (let i = 0; i < dk * dv; i++) s[i] = c.initial[bh * dk * dv + i];
    else s.fill(0);
    if (c.mode === 'recurrent') steps(h, dk, dv, s, 0, L, o);
    else for (let t0 = 0; t0 < L; t0 += C) chunk(h, dk, dv, s, t0, Math.min(C, L - t0), o, w);
    store(out, bh * L * dv, o);
    if (state) store(state, bh * dk * dv, s);
  }
  return wrapResult<T>(c, out, state);
}

function glaVjp<T extends FloatArray>(q: TensorLike<T>, k: TensorLike<T>, v: TensorLike<T>, alpha: TensorLike<T>, dOut: TensorLike<T>, opts?: GlaVjpOptions): GlaGrads<T> {
  const c = parse(q, k, v, alpha, opts);
  const gOut = checkDOut(c, dOut);
  const { dk, dv } = c;
  const L = c.q.length;
  const like = c.q.data;
  const dq = allocOf(like, like.length);
  const dkAll = allocOf(like, like.length);
  const dvAll = allocOf(like, c.v.data.length);
  const da = allocOf(like, like.length);
  const dInit = c.initial ? allocOf(like, c.initial.length) : null;
  const sd = dk * dv;
  const w = bpttScratch(c);
  const G = w.G;
  const hq = new Float64Array(L * dk);
  const hk = new Float64Array(L * dk);
  const hv = new Float64Array(L * dv);
  const ha = new Float64Array(L * dk);
  for (let bh = 0; bh < c.q.batch * c.q.heads; bh++) {
    const h = headOf(c, bh);
    const go = slice64(gOut, bh * L * dv, L * dv);
    bpttHead(c, bh, h.q, go, hq, w, (s, t0, t1) => steps(h, dk, dv, s, t0, t1, null), (t, states, sp) => {
      // S_t = diag(α_t) S_{t−1} + k_t v_tᵀ: dk_t = G v_t, dv_t = Gᵀ k_t, dα_ti = Σ_e G_ie S_{t−1,ie}.
      for (let e = 0; e < dv; e++) hv[t * dv + e] = 0;
      for (let i = 0; i < dk; i++) {
        const ki = h.k[t * dk + i];
        let gk = 0;
        let ga = 0;
        for (let e = 0; e < dv; e++) {
          const g = G[i * dv + e];
          gk += g * h.v[t * dv + e];
          ga += g * states[sp + i * dv + e];
          hv[t * dv + e] += g * ki;
        }
        hk[t * dk + i] = gk;
        ha[t * dk + i] = ga;
        const a = h.a[t * dk + i];
        for (let e = 0; e < dv; e++) G[i * dv + e] *= a;
      }
    });
    store(dq, bh * L * dk, hq);
    store(dkAll, bh * L * dk, hk);
    store(dvAll, bh * L * dv, hv);
    store(da, bh * L * dk, ha);
    if (dInit) store(dInit, bh * sd, G);
  }
  const dims = [c.q.batch, c.q.heads, L, dk];
  const res: GlaGrads<T> = {
    dq: { data: dq as T, dims: [...dims] },
    dk: { data: dkAll as T, dims: [...dims] },
    dv: { data: dvAll as T, dims: [c.q.batch, c.q.heads, L, dv] },
    dAlpha: { data: da as T, dims: [...dims] },
  };
  if (dInit) res.dInitialState = { data: dInit as T, dims: [c.q.batch, c.q.heads, dk, dv] };
  return res;
}

/**
 * Gated Linear Attention (Yang, Wang, Shen, Panda, Kim, "Gated Linear Attention Transformers with
 * Hardware-Efficient Training", ICML 2024; arXiv 2312.06635), per head with state S ∈ R^{dk×dv}:
 *
 *   S_t = diag(α_t) S_{t−1} + k_t v_tᵀ,   o_t = S_tᵀ q_t,
 *
 * α_t ∈ (0, 1]^{dk} a per-key-dimension forget gate (`alpha` `[batch, heads, length, dk]`), q, k
 * `[batch, heads, length, dk]`, v `[batch, heads, length, dv]`; no scaling of q is applied (pass
 * q·dk^−½ yourself if wanted). Output `{ data, dims: [batch, heads, length, dv] }`, plus `state` (S_L)
 * when `returnState`; `initialState` continues a previous run (running two halves with the first
 * half's state equals one run).
 *
 * - `mode: 'recurrent'`: one step at a time, O(L·dk·dv) time, O(dk·dv) state.
 * - `mode: 'chunkwise'` (default): the chunkwise-parallel form (GLA §4) — within a chunk of `chunkSize`
 *   steps the output is an intra-chunk masked attention with cumulative log-decays b_t = Σ log α plus the
 *   inter-chunk state (Q ⊙ e^B) S₀; the state is then passed on. Every exponent used is a difference
 *   b_t − b_s ≤ 0 (secondary sub-blocks of 16 steps, as in the paper), so tiny gates cannot overflow.
 *   O(L·C·dk + L·dk·dv) time, O(C² + C·dk + dk·dv) scratch. Agrees with the recurrent form to float64
 *   rounding (float32 outputs to float32 precision: both compute in float64). The matrix products go
 *   through the backend gemm (float64). On a CPU the recurrent form does fewer flops; the chunkwise form
 *   is the matmul-shaped one (and the reference for blocked kernels).
 *
 * Validation: α must be in (0, 1] (NaN rejected, `E_PARAM`); shapes `E_SHAPE`; mixed float types `E_DTYPE`.
 * Length 0 returns an empty output (and the initial state). Inputs are never mutated.
 *
 * `gla.vjp(q, k, v, alpha, dOut, { initialState, dFinalState, chunkSize })` → `{ dq, dk, dv, dAlpha,
 * dInitialState? }`: backpropagation through time of the recurrent form (the chunkwise form computes the
 * same function), storing S every `chunkSize` steps and recomputing the states inside a chunk:
 * O(L·dk·dv) time, O((L/C + C)·dk·dv) memory. dAlpha_ti = Σ_e (∂/∂S_t)_ie (S_{t−1})_ie.
 *
 * @example
 * const { data, state } = gla(q, k, v, alpha, { mode: 'chunkwise', chunkSize: 64, returnState: true });
 */
export const gla = Object.assign(glaForward, { vjp: glaVjp });
