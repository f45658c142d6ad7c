import { fail } from '../tensor/errors.js';
import { optionsObject } from '../tensor/options.js';
import type { FloatArray, TensorLike } from '../tensor/types.js';
import { allocLike, resolveOut } from '../tensor/view.js';
import type { AttentionGradients, AttentionOptions, AttentionResult, AttentionTensor } from './attentionTypes.js';
import { attentionBackward } from './backward.js';
import { parseCall, type AttentionCall } from './call.js';
import { flashForward } from './flash.js';
import { applyGate, gateBackward } from './gate.js';
import { checkTensor, overlaps, requireDims, sameType } from './layout.js';
import { materializedForward } from './materialized.js';

/** The ungated output of every head into `out`, and the weights when asked for. */
function forwardInto(call: AttentionCall, out: FloatArray, weights: FloatArray | null): void {
  if (call.normalizer.kind === 'flash') flashForward(call, out, weights);
  else materializedForward(call, call.normalizer.op, out, weights);
}

function outputSize(call: AttentionCall): number {
  const s = call.shape;
  return s.batch * s.qHeads * s.lq * s.dv;
}

function attentionForward<T extends FloatArray>(q: TensorLike<T>, k: TensorLike<T>, v: TensorLike<T>, opts?: AttentionOptions): AttentionResult<T> {
  const call = parseCall(q, k, v, opts);
  const s = call.shape;
  const o = optionsObject(opts) as AttentionOptions;
  const out = resolveOut(call.q.data, outputSize(call), o.out);
  const read: [string, FloatArray][] = [['q', call.q.data], ['k', call.k.data], ['v', call.v.data]];
  if (call.mask) read.push(['mask', call.mask.data]);
  for (const [name, data] of read) {
    if (overlaps(out, data)) fail('E_PARAM', 'out', `an array that does not overlap ${name} (inputs are read while the output is written)`);
  }
  const weights = call.returnWeights ? allocLike(call.q.data, s.batch * s.qHeads * s.lq * s.lk) : null;
  forwardInto(call, out, weights);
  if (call.gate) applyGate(call.gate, s, out);
  const result: AttentionResult<T> = { data: out as T, dims: [s.batch, s.qHeads, s.lq, s.dv] };
  if (weights) result.weights = { data: weights as T, dims: [s.batch, s.qHeads, s.lq, s.lk] };
  return result;
}

function cast<T extends FloatArray>(like: T, data: Float64Array, dims: number[]): AttentionTensor<T> {
  const t = allocLike(like, data.length) as T;
  t.set(data);
  return { data: t, dims };
}

function attentionVjp<T extends FloatArray>(q: TensorLike<T>, k: TensorLike<T>, v: TensorLike<T>, dOut: TensorLike<T>, opts?: AttentionOptions): AttentionGradients<T> {
  const call = parseCall(q, k, v, opts);
  const s = call.shape;
  const dy = checkTensor(dOut, 'dOut', 4, '[batch, qHeads, Lq, dv]');
  sameType(call.q.data, dy.data, 'dOut.data');
  requireDims(dy.dims, [s.batch, s.qHeads, s.lq, s.dv], 'dOut.dims', 'the output shape [batch, qHeads, Lq, dv]');
  let dO: FloatArray = dy.data;
  let dGate: AttentionGradients['dGate'];
  if (call.gate) {
    // The gate needs the ungated output O: one extra forward pass.
    const o = allocLike(call.q.data, outputSize(call));
    forwardInto({ ...call, returnWeights: false }, o, null);
    const gb = gateBackward(call.gate, s, o, dy.data);
    dO = gb.dO;
    dGate = gb.grads;
  }
  const raw = attentionBackward(call, dO);
  const like = call.q.data as T;
  const result: AttentionGradients<T> = {
    dq: cast(like, raw.dq, [...call.q.dims]),
    dk: cast(like, raw.dk, [...call.k.dims]),
    dv: cast(like, raw.dv, [...call.v.dims]),
  };
  if (raw.dTemperature && call.temperature?.learned) result.dTemperature = cast(like, raw.dTemperature, [s.batch, s.qHeads, s.lq]);
  if (dGate) result.dGate = dGate as AttentionGradients<T>['dGate'];
  return result;
}

/**
 * Scaled dot-product attention, per (batch, q head) h with kv head ⌊h·Hk/Hq⌋:
 *
 *   s_ij = scale·(q_i·k_j)/τ_i + mask_ij,   O_i = Σ_j A_ij·v_j,   A_i· = normalizer(s_i·),
 *
 * then, with a gate, Y = O ⊙ sigmoid(G). Vaswani et al. 2017 ("Attention Is All You Need"); the
 * softmax path is flash attention (Dao et al. 2022, arXiv 2205.14135; online normaliser of Milakov &
 * Gimelshein 2018).
 *
 * Tensors are `{ data, dims }`: q `[B, Hq, Lq, d]`, k `[B, Hk, Lk, d]`, v `[B, Hk, Lk, dv]`, all of
 * one float type; Lq may differ from Lk, dv from d, and Hk may be any divisor of Hq (grouped-query
 * attention: q head h reads kv head ⌊h / (Hq/Hk)⌋). The output is `{ data, dims: [B, Hq, Lq, dv] }`
 * in the inputs' float type. Float32 softmax runs on the WebAssembly SIMD kernel when it is available
 * (within 1e-5 relative of the float64 result, tested); everything else accumulates in float64 and
 * rounds once. Inputs and options are never mutated.
 *
 * Options (see `AttentionOptions`):
 * - `scale` (default 1/√d); `causal` — bottom-right aligned: query i sees keys j ≤ i + Lk − Lq (for
 *   Lq = Lk the usual lower triangle; with a KV cache, the last query sees every key); `mask` — boolean
 *   (1 = keep) or additive (q's float type, added after scaling; −∞ = masked), broadcast right-aligned
 *   to `[B, Hq, Lq, Lk]` (e.g. `[Lk]`, `[B, 1, 1, Lk]`, `[Lq, Lk]`); with `causal`, a key is kept only
 *   where both keep it.
 * - `normalizer`:
 *   | name | weights A_i· | path |
 *   |---|---|---|
 *   | `'softmax'` (default) | exp(s_ij)/Σ_j exp(s_ij) | flash: O(L·d) memory, never Lq×Lk |
 *   | `'sigmoid'` | sigmoid(s_ij + b), b = −ln Lk default (`bias`); no row normalisation (Ramapuram et al. 2024, arXiv 2409.04431) | materialised |
 *   | `'relu'` | max(s_ij, 0) (ReLA, Zhang, Titov, Sennrich 2021, arXiv 2104.07012); rows may be all zero ("attend to nothing"); no output normalisation here — apply RMSNorm/gating to the output yourself | materialised |
 *   | `'softplus'` | φ_ij^p / Σ_j φ_ij^p, φ_ij = softplus(λ_i·s_ij), λ_i = ln n_i (n_i kept keys of row i, or `length`; `lengthScale: false` gives λ = 1), `power` p ≥ 1 (default 1) | materialised |
 *   | registry names (`'sparsemax'`, `'entmax'`, `'clippedSoftmax'`, `'scalableSoftmax'`, `'softpick'`, `'stableMax'`, …) or a `Normalizer` | the normaliser along the key axis, options via `normalizerOptions` (e.g. entmax `{ alpha: 1.5 }`; clippedSoftmax `{ gamma, zeta }` or `{ alpha }` for γ = −α/Lk; scalableSoftmax `{ s }` with n = kept keys of the row) | materialised |
 *   Softplus follows LSSA / LSSAR (Gao & Spratling 2025, arXiv 2501.13428: Softplus then ℓ1
 *   normalisation, a log-length scale motivated by entropy invariance, and a re-weighting that sharpens
 *   the weights). The paper's exact scale constant and re-weighting form were not available to us, so
 *   the formula in the table is our choice and is exactly what is computed (as a softmax of p·ln φ, so
 *   no power overflows); `length` and `lengthScale` adjust λ. `'sinkhorn'` is rejected (not row-wise).
 *   "Materialised" means a block of ≤ 64 query rows × Lk scores at a time (≈ 32k float64), not Lq×Lk.
 *   `normalizerOptions` may not set `axis`, `mask`, `out` or `x` (attention sets them). A stochastic
 *   normaliser (`gumbelSoftmax`, `{ rng }`) draws new noise on every call, including the recomputation
 *   inside `vjp`: give both calls a fresh generator with the same seed.
 * - `temperature` (selective attention, Zhang et al., "Selective Attention: Enhancing Transformer
 *   through Principled Context Control", NeurIPS 2024): per-query τ `[B, Hq, Lq]` (or a function
 *   (h, i, q_i) → τ, i the row index in q); scores are divided by τ_i before the mask is added.
 * - `gate` (gated attention, see `AttentionGate`): `'input'` per-head gates of Bondarenko et al. 2023
 *   or `'query'` headwise/elementwise gates of Qiu et al. 2025 (arXiv 2505.06708); head outputs are multiplied by
 *   sigmoid(G).
 * - `returnWeights`: also returns `weights` `[B, Hq, Lq, Lk]` (ungated A; materialises Lq×Lk per head).
 * - `out`: the output array (q's type and size; must not overlap q, k, v or an additive mask).
 *
 * Semantics:
 * | case | result |
 * |---|---|
 * | query row with no kept key (all masked, causal with Lq > Lk for early rows, Lk = 0) | output 0, weights 0, gradient 0 — every normaliser, never NaN |
 * | additive mask −∞ | masked; finite additive values are biases |
 * | NaN in q, k, v or mask; +∞ scores | NaN in the affected rows (softmax-family rows become NaN) |
 * | Lq = 0 / Hq = 0 / B = 0 | empty output |
 *
 * Complexity: O(B·Hq·Lq·Lk·(d + dv)) time (plus O(B·Lq·dModel·gates) for a gate). Extra memory: the
 * softmax path needs the kernel's key tile (plus Lq·d with `temperature`, 64·Lk when the mask
 * broadcasts along the keys), never Lq×Lk; materialised paths O(64·Lk + Lq·d); `returnWeights`
 * O(B·Hq·Lq·Lk); `vjp` O(L·d) per head plus float64 gradient buffers the size of q, k, v.
 *
 * `attention.vjp(q, k, v, dOut, opts)` (same options) returns `{ dq, dk, dv }` (dk, dv summed over the
 * q heads that share a kv head), `dTemperature` `[B, Hq, Lq]` for an array temperature (a function
 * temperature is a constant), and `dGate: { weight, bias?, x }` with a gate. Softmax: per block of
 * query rows P = softmax(S) is recomputed (Lk ≤ ~4096), or flash-style from the per-row lse per key
 * tile for longer Lk; dS = P ⊙ (dP − rowsum(P ⊙ dP)) with dP = dO·Vᵀ; extra memory two tiles of
 * ≤ 65,536 scores. Other normalisers use their own vjp on materialised blocks. No gradient flows to
 * the mask.
 *
 * @example
 * const q = { data: new Float32Array(1 * 2 * 4 * 8), dims: [1, 2, 4, 8] };
 * const kv = { data: new Float32Array(1 * 1 * 6 * 8), dims: [1, 1, 6, 8] }; // GQA: 1 kv head
 * const o = attention(q, kv, kv, { causal: true }); // o.dims = [1, 2, 4, 8]
 */
export const attention = Object.assign(attentionForward, { vjp: attentionVjp });
