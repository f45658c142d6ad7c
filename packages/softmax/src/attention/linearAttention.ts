import { gemmReference as gemm64 } from '../kernels/reference/gemm.js';
import { fail } from '../tensor/errors.js';
import { finiteInRange, optionsObject } from '../tensor/options.js';
import type { FloatArray, TensorLike } from '../tensor/types.js';
import {
  newParamGrads, resolveFeatureMap, type FeatureMapOption, type FeatureParamGrads, type HedgehogOptions,
  type NalaformerOptions, type ResolvedFeatureMap,
} from './featureMaps.js';
import { allocOf, booleanOption, checkQkv, checkSeq, expectDims, sameDtype, slice64, store, type Seq4 } from './linearShapes.js';

export interface LinearAttentionOptions {
  /** φ: `'elu1'` (default), `'relu'`, `'hedgehog'`, `'nalaformer'`, a function `(x, role) => φ(x)` or `{ map, vjp }`. */
  featureMap?: FeatureMapOption;
  /** Sum over keys j ≤ i only (requires equal query and key lengths). Default false. */
  causal?: boolean;
  /** Added to the denominator φ(q_i)ᵀ Σ_j φ(k_j); finite, ≥ 0. Default 1e-6. */
  eps?: number;
  /** Weights of the `'hedgehog'` map (default identity). */
  hedgehog?: HedgehogOptions;
  /** Parameters of the `'nalaformer'` map. */
  nalaformer?: NalaformerOptions;
}

/** Gradients of {@link linearAttention}, each in the float type of q. */
export interface LinearAttentionGrads<T extends FloatArray = FloatArray> {
  dq: { data: T; dims: number[] };
  dk: { data: T; dims: number[] };
  dv: { data: T; dims: number[] };
  /** ∂/∂W_q and ∂/∂W_k of the `'hedgehog'` map ([m, headDim]), summed over batch and heads. */
  dQueryWeight?: { data: T; dims: number[] };
  dKeyWeight?: { data: T; dims: number[] };
  /** ∂/∂λ of the `'nalaformer'` query power. */
  dLambda?: number;
}

interface Call {
  q: Seq4;
  k: Seq4;
  v: Seq4;
  fm: ResolvedFeatureMap;
  causal: boolean;
  eps: number;
}

function parse(q: unknown, k: unknown, v: unknown, opts: LinearAttentionOptions | undefined): Call {
  const o = optionsObject(opts);
  const { q: qs, k: ks, v: vs } = checkQkv(q, k, v);
  expectDims([ks.batch, ks.heads, ks.dim], [qs.batch, qs.heads, qs.dim], 'k.dims', 'batch, heads and headDim of q');
  expectDims([vs.batch, vs.heads, vs.length], [qs.batch, qs.heads, ks.length], 'v.dims', 'batch and heads of q, length of k');
  const causal = booleanOption(o.causal, 'causal', false);
  if (causal && qs.length !== ks.length) fail('E_SHAPE', 'k.dims', `length ${qs.length} (causal attention needs as many keys as queries)`, ks.length);
  const eps = finiteInRange(o.eps, 'eps', 0, Number.MAX_VALUE, 1e-6);
  const fm = resolveFeatureMap(o.featureMap, qs.dim, o.hedgehog, o.nalaformer);
  return { q: qs, k: ks, v: vs, fm, causal, eps };
}

/** φ of `rows` vectors of length d (float64 copies) → rows × m. */
function featuresOf(fm: ResolvedFeatureMap, x: Float64Array, rows: number, d: number, role: 'query' | 'key'): Float64Array {
  const out = new Float64Array(rows * fm.m);
  for (let r = 0; r < rows; r++) fm.forward(x, r * d, role, out, r * fm.m);
  return out;
}

/** S = Σ_j φ(k_j) v_jᵀ (overwritten) and z += Σ_j φ(k_j) over all `lk` keys: the non-causal state. */
function fullState(pk: Float64Array, v: Float64Array, lk: number, m: number, dv: number, s: Float64Array, z: Float64Array): void {
  gemm64(true, false, m, dv, lk, 1, pk, 0, m, v, 0, dv, 0, s, 0, dv);
  for (let j = 0; j < lk; j++) for (let a = 0; a < m; a++) z[a] += pk[j * m + a];
}

/** One causal step: S ← S + φ(k_i) v_iᵀ, z ← z + φ(k_i). */
function addKey(pk: Float64Array, v: Float64Array, i: number, m: number, dv: number, s: Float64Array, z: Float64Array): void {
  for (let a = 0; a < m; a++) {
    const ka = pk[i * m + a];
    z[a] += ka;
    if (ka !== 0) for (let e = 0; e < dv; e++) s[a * dv + e] += ka * v[i * dv + e];
  }
}

/** One head, float64. Writes o (lq × dv). */
function headForward(c: Call, pq: Float64Array, pk: Float64Array, v: Float64Array, o: Float64Array): void {
  const m = c.fm.m;
  const dv = c.v.dim;
  const lq = c.q.length;
  const lk = c.k.length;
  const s = new Float64Array(m * dv);
  const z = new Float64Array(m);
  if (!c.causal) {
    fullState(pk, v, lk, m, dv, s, z);
    gemm64(false, false, lq, dv, m, 1, pq, 0, m, s, 0, dv, 0, o, 0, dv);
    for (let i = 0; i < lq; i++) {
      let den = c.eps;
      for (let a = 0; a < m; a++) den += pq[i * m + a] * z[a];
      for (let e = 0; e < dv; e++) o[i * dv + e] /= den;
    }
    return;
  }
  for (let i = 0; i < lq; i++) {
    // S ← S + φ(k_i) v_iᵀ, z ← z + φ(k_i); then o_i = Sᵀφ(q_i) / (zᵀφ(q_i) + eps).
    addKey(pk, v, i, m, dv, s, z);
    let den = c.eps;
    for (let a = 0; a < m; a++) den += pq[i * m + a] * z[a];
    for (let e = 0; e < dv; e++) o[i * dv + e] = 0;
    for (let a = 0; a < m; a++) {
      const qa = pq[i * m + a];
      if (qa !== 0) for (let e = 0; e < dv; e++) o[i * dv + e] += qa * s[a * dv + e];
    }
    for (let e = 0; e < dv; e++) o[i * dv + e] /= den;
  }
}

function linearAttentionForward<T extends FloatArray>(q: TensorLike<T>, k: TensorLike<T>, v: TensorLike<T>, opts?: LinearAttentionOptions): { data: T; dims: number[] } {
  const c = parse(q, k, v, opts);
  const { batch, heads, length: lq, dim: d } = c.q;
  const lk = c.k.length;
  const dv = c.v.dim;
  const out = allocOf(c.q.data, batch * heads * lq * dv);
  const o = new Float64Array(lq * dv);
  for (let bh = 0; bh < batch * heads; bh++) {
    const pq = featuresOf(c.fm, slice64(c.q.data, bh * lq * d, lq * d), lq, d, 'query');
    const pk = featuresOf(c.fm, slice64(c.k.data, bh * lk * d, lk * d), lk, d, 'key');
    headForward(c, pq, pk, slice64(c.v.data, bh * lk * dv, lk * dv), o);
    store(out, bh * lq * dv, o);
  }
  return { data: out as T, dims: [batch, heads, lq, dv] };
}

function linearAttentionVjp<T extends FloatArray>(q: TensorLike<T>, k: TensorLike<T>, v: TensorLike<T>, dOut: TensorLike<T>, opts?: LinearAttentionOptions): LinearAttentionGrads<T> {
  const c = parse(q, k, v, opts);
  const { batch, heads, length: lq, dim: d } = c.q;
  const lk = c.k.length;
  const dv = c.v.dim;
  const g = checkSeq(dOut, 'dOut');
  sameDtype(c.q.data, g.data, 'dOut.data', 'q');
  expectDims([g.batch, g.heads, g.length, g.dim], [batch, heads, lq, dv], 'dOut.dims', 'the output shape [batch, heads, lq, dv]');
  const fm = c.fm;
  if (!fm.backward) fail('E_PARAM', 'featureMap', 'a differentiable feature map (a built-in name or { map, vjp }) for linearAttention.vjp');
  const backward = fm.backward;
  const m = fm.m;
  const grads: FeatureParamGrads = newParamGrads(fm, d);
  const dqAll = allocOf(c.q.data, c.q.data.length);
  const dkAll = allocOf(c.q.data, c.k.data.length);
  const dvAll = allocOf(c.q.data, c.v.data.length);
  const o = new Float64Array(lq * dv);
  const dn = new Float64Array(lq * dv);
  const dden = new Float64Array(lq);
  const dpq = new Float64Array(lq * m);
  const dpk = new Float64Array(lk * m);
  const dvh = new Float64Array(lk * dv);
  const bigG = new Float64Array(m * dv);
  const smallG = new Float64Array(m);
  const s = new Float64Array(m * dv);
  const z = new Float64Array(m);
  const dx = new Float64Array(Math.max(lq, lk) * d);
  for (let bh = 0; bh < batch * heads; bh++) {
    const qh = slice64(c.q.data, bh * lq * d, lq * d);
    const kh = slice64(c.k.data, bh * lk * d, lk * d);
    const vh = slice64(c.v.data, bh * lk * dv, lk * dv);
    const go = slice64(g.data, bh * lq * dv, lq * dv);
    const pq = featuresOf(fm, qh, lq, d, 'query');
    const pk = featuresOf(fm, kh, lk, d, 'key');
    s.fill(0);
    z.fill(0);
    if (!c.causal) {
      fullState(pk, vh, lk, m, dv, s, z);
    }
    // Output o_i = n_i/den_i with n_i = S_iᵀφ(q_i), den_i = z_iᵀφ(q_i) + eps:
    // dn_i = dO_i/den_i, dden_i = −⟨dO_i, o_i⟩/den_i, dφ(q_i) = S_i dn_i + z_i dden_i.
    for (let i = 0; i < lq; i++) {
      if (c.causal) addKey(pk, vh, i, m, dv, s, z);
      let den = c.eps;
      for (let a = 0; a < m; a++) den += pq[i * m + a] * z[a];
      let dot = 0;
      for (let e = 0; e < dv; e++) {
        let n = 0;
        for (let a = 0; a < m; a++) n += pq[i * m + a] * s[a * dv + e];
        o[i * dv + e] = n / den;
        dot += go[i * dv + e] * o[i * dv + e];
      }
      dden[i] = -dot / den;
      for (let e = 0; e < dv; e++) dn[i * dv + e] = go[i * dv + e] / den;
      for (let a = 0; a < m; a++) {
        let acc = z[a] * dden[i];
        for (let e = 0; e < dv; e++) acc += s[a * dv + e] * dn[i * dv + e];
        dpq[i * m + a] = acc;
      }
    }
    // Keys: G_j = Σ_{i ≥ j (or all i)} φ(q_i) dn_iᵀ, g_j = Σ φ(q_i) dden_i; dφ(k_j) = G_j v_j + g_j, dv_j = G_jᵀφ(k_j).
    bigG.fill(0);
    smallG.fill(0);
    if (!c.causal) {
      gemm64(true, false, m, dv, lq, 1, pq, 0, m, dn, 0, dv, 0, bigG, 0, dv);
      for (let i = 0; i < lq; i++) for (let a = 0; a < m; a++) smallG[a] += pq[i * m + a] * dden[i];
    }
    for (let j = lk - 1; j >= 0; j--) {
      if (c.causal) {
        for (let a = 0; a < m; a++) {
          const qa = pq[j * m + a];
          smallG[a] += qa * dden[j];
          if (qa !== 0) for (let e = 0; e < dv; e++) bigG[a * dv + e] += qa * dn[j * dv + e];
        }
      }
      for (let a = 0; a < m; a++) {
        let acc = smallG[a];
        for (let e = 0; e < dv; e++) acc += bigG[a * dv + e] * vh[j * dv + e];
        dpk[j * m + a] = acc;
      }
      for (let e = 0; e < dv; e++) {
        let acc = 0;
        for (let a = 0; a < m; a++) acc += bigG[a * dv + e] * pk[j * m + a];
        dvh[j * dv + e] = acc;
      }
    }
    for (let i = 0; i < lq; i++) backward(qh, i * d, 'query', dpq, i * m, dx, i * d, grads);
    store(dqAll, bh * lq * d, dx, lq * d);
    for (let j = 0; j < lk; j++) backward(kh, j * d, 'key', dpk, j * m, dx, j * d, grads);
    store(dkAll, bh * lk * d, dx, lk * d);
    store(dvAll, bh * lk * dv, dvh);
  }
  const res: LinearAttentionGrads<T> = {
    dq: { data: dqAll as T, dims: [batch, heads, lq, d] },
    dk: { data: dkAll as T, dims: [batch, heads, lk, d] },
    dv: { data: dvAll as T, dims: [batch, heads, lk, dv] },
  };
  if (grads.queryWeight && grads.keyWeight) {
    const rows = grads.queryWeight.length / d;
    const wq = allocOf(c.q.data, grads.queryWeight.length);
    const wk = allocOf(c.q.data, grads.keyWeight.length);
    store(wq, 0, grads.queryWeight);
    store(wk, 0, grads.keyWeight);
    res.dQueryWeight = { data: wq as T, dims: [rows, d] };
    res.dKeyWeight = { data: wk as T, dims: [rows, d] };
  }
  if (fm.name === 'nalaformer') res.dLambda = grads.lambda;
  return res;
}

/**
 * Kernelised linear attention (Katharopoulos, Vyas, Pappas, Fleuret, "Transformers are RNNs", ICML 2020):
 *
 *   O_i = φ_q(q_i)ᵀ S / (φ_q(q_i)ᵀ z + eps),   S = Σ_j φ_k(k_j) v_jᵀ (m × dv),   z = Σ_j φ_k(k_j),
 *
 * with the sums over all keys, or over j ≤ i when `causal` (a running prefix state: the recurrent form).
 * Inputs are `{ data, dims: [batch, heads, length, headDim] }`; k and v share a length; v may have its own
 * headDim dv; q, k, v share one float type (float32 in → float32 out, computed in float64).
 *
 * Feature maps (`featureMap`):
 * - `'elu1'` (default): φ(x) = elu(x) + 1 (Katharopoulos et al. 2020).
 * - `'relu'`: φ(x) = max(x, 0). A query with no positive entry gets O_i = 0 (0/eps).
 * - `'hedgehog'` (Zhang, Bhatia, Kumbong, Ré, "The Hedgehog & the Porcupine", ICLR 2024): z = W x,
 *   φ(x) = softmax([z, −z]) — the paper's exponential features [exp(Wx), exp(−Wx)] normalised by their sum
 *   as the official implementations do (2m features). W_q, W_k are `hedgehog.queryWeight/keyWeight`
 *   `[m, headDim]`, default the identity; learn them (e.g. to mimic softmax weights) with the gradients of
 *   `linearAttention.vjp`.
 * - `'nalaformer'` (Meng, Luo, Huo, Wang, Li, Zhang, "NaLaFormer: Norm-Aware Linear Attention", 2025;
 *   formula as in the authors' code): norm and direction are separated; queries use
 *   φ_q(q) = [relu(q̂)^p, relu(−q̂)^p] with q̂ = q/‖q‖ and the query-norm-aware power
 *   p = λ(½ + tanh ‖q‖) (a larger ‖q‖ gives spikier weights, as in softmax), keys use
 *   φ_k(k) = [relu(k)^γ, relu(−k)^γ]; opposite-sign dimensions never interact, so the kernel is
 *   non-negative without zeroing half of each vector. λ = γ = 3 by default. (The authors' RoPE and local
 *   positional branch are not part of this kernel.)
 * - a function `(x, role) => φ(x)` or `{ map, vjp }` (role is `'query'` or `'key'`).
 *
 * Complexity O(B·H·(Lq + Lk)·m·dv) time; memory O((Lq + Lk)·m + m·dv) per head — never an L × L matrix.
 * Edge cases: length 0 gives an empty output; a zero denominator with eps = 0 gives NaN (0/0); NaN in an
 * input spreads to every output that sums over it. Inputs are never mutated.
 *
 * `linearAttention.vjp(q, k, v, dOut, opts)` → `{ dq, dk, dv }` (plus `dQueryWeight`, `dKeyWeight` for
 * Hedgehog and `dLambda` for NaLaFormer): exact reverse mode of the formula above in O(same) time, the
 * causal case by a forward prefix sweep and a reverse suffix sweep.
 *
 * @example
 * const o = linearAttention(q, k, v, { featureMap: 'elu1', causal: true }); // o.dims = [B, H, L, dv]
 */
export const linearAttention = Object.assign(linearAttentionForward, { vjp: linearAttentionVjp });
