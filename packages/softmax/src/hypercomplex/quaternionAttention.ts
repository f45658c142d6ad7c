import { attention } from '../attention/attention.js';
import type { AttentionOptions } from '../attention/attentionTypes.js';
import { fail } from '../tensor/errors.js';
import { optionsObject } from '../tensor/options.js';
import type { FloatArray, TensorLike } from '../tensor/types.js';
import { allocLike, toView } from '../tensor/view.js';
import { HAMILTON_VALUES, IDENTITY, only, rotatedQuery, type SignedSelection } from './attentionPlan.js';
import { gatherHeads, scatterAddHeads, type QuaternionHeads } from './headLayout.js';
import { quaternionAttentionOpCounts } from './opCounts.js';
import type { QuaternionAttentionGradients, QuaternionAttentionOptions, QuaternionAttentionResult } from './quaternionAttentionTypes.js';

/** One real attention call: the query rotation, the value selection, and where its output goes. */
interface Pass {
  query: SignedSelection;
  value: SignedSelection;
  output: SignedSelection;
}

interface Plan {
  q: FloatArray;
  k: FloatArray;
  v: FloatArray;
  qShape: QuaternionHeads;
  kShape: QuaternionHeads;
  dModel: number;
  passes: Pass[];
  attentionOptions: AttentionOptions;
  options: QuaternionAttentionOptions;
}

function input(x: TensorLike, name: string): { data: FloatArray; dims: readonly number[] } {
  const view = toView(x, name);
  if (view.isRow || view.dims.length !== 3) fail('E_SHAPE', `${name}.dims`, '[batch, length, dModel]', `[${view.dims.join(', ')}]`);
  return view;
}

function plan(q: TensorLike, k: TensorLike, v: TensorLike, opts: QuaternionAttentionOptions | undefined): Plan {
  const o = optionsObject(opts) as QuaternionAttentionOptions;
  const qv = input(q, 'q');
  const kv = input(k, 'k');
  const vv = input(v, 'v');
  for (const [t, name] of [[kv, 'k'], [vv, 'v']] as const) {
    if (t.data.constructor !== qv.data.constructor) fail('E_DTYPE', `${name}.data`, `the float type of q (${qv.data.constructor.name})`, t.data);
  }
  const [batch, lq, dModel] = qv.dims;
  if (dModel % 4 !== 0) fail('E_SHAPE', 'q.dims', 'a last dimension (dModel) that is a multiple of 4', `[${qv.dims.join(', ')}]`);
  const lk = kv.dims[1];
  if (kv.dims[0] !== batch || kv.dims[2] !== dModel) fail('E_SHAPE', 'k.dims', `[${batch}, Lk, ${dModel}]`, `[${kv.dims.join(', ')}]`);
  if (vv.dims[0] !== batch || vv.dims[1] !== lk || vv.dims[2] !== dModel) fail('E_SHAPE', 'v.dims', `[${batch}, ${lk}, ${dModel}] (the dims of k)`, `[${vv.dims.join(', ')}]`);
  const units = dModel / 4;
  const heads = o.heads ?? 1;
  if (!Number.isInteger(heads) || heads < 1 || units % heads !== 0) fail('E_PARAM', 'heads', `an integer ≥ 1 dividing the quaternion units (${units})`, heads);
  const variant = o.variant ?? 'shared';
  if (variant !== 'shared' && variant !== 'componentwise') fail('E_PARAM', 'variant', "'shared' or 'componentwise'", variant);
  const valueProduct = o.valueProduct ?? 'concat';
  if (valueProduct !== 'concat' && valueProduct !== 'hamilton') fail('E_PARAM', 'valueProduct', "'concat' or 'hamilton'", valueProduct);
  const headUnits = units / heads;
  let passes: Pass[];
  if (variant === 'shared') {
    passes = [{ query: IDENTITY, value: IDENTITY, output: IDENTITY }];
  } else {
    passes = [0, 1, 2, 3].map((c) => ({
      query: rotatedQuery(c, o.conjugate === true),
      value: valueProduct === 'hamilton' ? HAMILTON_VALUES[c] : only(c),
      output: valueProduct === 'hamilton' ? IDENTITY : only(c),
    }));
  }
  const scale = o.scale ?? (headUnits === 0 ? 1 : 1 / Math.sqrt(4 * headUnits));
  if (!Number.isFinite(scale)) fail('E_PARAM', 'scale', 'a finite number', scale);
  return {
    q: qv.data,
    k: kv.data,
    v: vv.data,
    qShape: { batch, length: lq, units, heads, headUnits },
    kShape: { batch, length: lk, units, heads, headUnits },
    dModel,
    passes,
    attentionOptions: { scale, causal: o.causal, mask: o.mask, normalizer: o.normalizer, normalizerOptions: o.normalizerOptions },
    options: o,
  };
}

const headTensor = (data: FloatArray, s: QuaternionHeads, width: number): { data: FloatArray; dims: number[] } => ({ data, dims: [s.batch, s.heads, s.length, width] });

/** The per-pass real attention operands. */
function operands(p: Plan, pass: Pass): { q: { data: FloatArray; dims: number[] }; v: { data: FloatArray; dims: number[] } } {
  const dh = p.qShape.headUnits;
  const qc = gatherHeads(p.q, p.qShape, pass.query, allocLike(p.q, p.qShape.batch * p.qShape.heads * p.qShape.length * 4 * dh));
  const vw = pass.value.from.length * dh;
  const vc = gatherHeads(p.v, p.kShape, pass.value, allocLike(p.v, p.kShape.batch * p.kShape.heads * p.kShape.length * vw));
  return { q: headTensor(qc, p.qShape, 4 * dh), v: headTensor(vc, p.kShape, vw) };
}

function keys(p: Plan): { data: FloatArray; dims: number[] } {
  const dh = p.kShape.headUnits;
  return headTensor(gatherHeads(p.k, p.kShape, IDENTITY, allocLike(p.k, p.kShape.batch * p.kShape.heads * p.kShape.length * 4 * dh)), p.kShape, 4 * dh);
}

function forward<T extends FloatArray>(q: TensorLike<T>, k: TensorLike<T>, v: TensorLike<T>, opts?: QuaternionAttentionOptions): QuaternionAttentionResult<T> {
  const p = plan(q, k, v, opts);
  const s = p.qShape;
  const size = s.batch * s.length * p.dModel;
  const kFlat = keys(p);
  const maps = p.passes.length;
  const lk = p.kShape.length;
  const returnWeights = p.options.returnWeights === true;
  const weights = returnWeights ? allocLike(p.q, s.batch * s.heads * maps * s.length * lk) : null;
  const attentionOptions = { ...p.attentionOptions, returnWeights };
  const out = allocLike(p.q, size);
  // One map (shared scores) writes straight into the output; four accumulate in float64.
  const acc = maps === 1 ? out : new Float64Array(size);
  p.passes.forEach((pass, c) => {
    const { q: qc, v: vc } = operands(p, pass);
    const o = attention(qc, kFlat, vc, attentionOptions);
    scatterAddHeads(o.data, s, pass.output, acc);
    if (weights && o.weights) {
      const block = s.length * lk;
      for (let bh = 0; bh < s.batch * s.heads; bh++) weights.set(o.weights.data.subarray(bh * block, (bh + 1) * block), (bh * maps + c) * block);
    }
  });
  if (acc !== out) out.set(acc);
  const result: QuaternionAttentionResult<T> = { output: { data: out as T, dims: [s.batch, s.length, p.dModel] } };
  if (weights) result.weights = { data: weights as T, dims: [s.batch, s.heads, maps, s.length, lk] };
  if (p.options.countOps) {
    result.ops = quaternionAttentionOpCounts(p.options.variant ?? 'shared', { batch: s.batch, heads: s.heads, lq: s.length, lk: p.kShape.length, headUnits: s.headUnits });
  }
  return result;
}

function vjp<T extends FloatArray>(q: TensorLike<T>, k: TensorLike<T>, v: TensorLike<T>, dOut: TensorLike<T>, opts?: QuaternionAttentionOptions): QuaternionAttentionGradients<T> {
  const p = plan(q, k, v, opts);
  const s = p.qShape;
  const dy = input(dOut, 'dOut');
  if (dy.data.constructor !== p.q.constructor) fail('E_DTYPE', 'dOut.data', `the float type of q (${p.q.constructor.name})`, dy.data);
  if (dy.dims[0] !== s.batch || dy.dims[1] !== s.length || dy.dims[2] !== p.dModel) fail('E_SHAPE', 'dOut.dims', `[${s.batch}, ${s.length}, ${p.dModel}] (the output shape)`, `[${dy.dims.join(', ')}]`);
  const kFlat = keys(p);
  const dq = new Float64Array(p.q.length);
  const dk = new Float64Array(p.k.length);
  const dv = new Float64Array(p.v.length);
  for (const pass of p.passes) {
    const { q: qc, v: vc } = operands(p, pass);
    const ow = pass.output.from.length * s.headUnits;
    const dOc = headTensor(gatherHeads(dy.data, s, pass.output, allocLike(p.q, s.batch * s.heads * s.length * ow)), s, ow);
    const g = attention.vjp(qc, kFlat, vc, dOc, p.attentionOptions);
    scatterAddHeads(g.dq.data, s, pass.query, dq);
    scatterAddHeads(g.dk.data, p.kShape, IDENTITY, dk);
    scatterAddHeads(g.dv.data, p.kShape, pass.value, dv);
  }
  const cast = (src: Float64Array, dims: readonly number[]): { data: T; dims: number[] } => {
    const t = allocLike(p.q, src.length) as T;
    t.set(src);
    return { data: t, dims: [...dims] };
  };
  return { dq: cast(dq, [s.batch, s.length, p.dModel]), dk: cast(dk, [s.batch, p.kShape.length, p.dModel]), dv: cast(dv, [s.batch, p.kShape.length, p.dModel]) };
}

/**
 * Multi-head quaternion self-attention on `[batch, length, dModel]` features in `[r | i | j | k]` blocks
 * (dModel = 4U quaternion units; head h owns units [h·d_h, (h+1)·d_h) of every component block, d_h =
 * U/heads, so every head sees all four components).
 *
 * - `variant: 'shared'` (Yamauchi, Nitta & Tamori, "Quaternion Self-Attention with Shared Scores", ICML
 *   2026): S = Re(Q ⊗ K*)/√(4·d_h) = (Q_r K_rᵀ + Q_i K_iᵀ + Q_j K_jᵀ + Q_k K_kᵀ)/√(4·d_h), one softmax
 *   A = softmax(S) shared by the components: O_c = A·V_c. Exactly standard attention on the
 *   concatenated 4·d_h features, so it runs as one call of the library's `attention` (flash path).
 * - `variant: 'componentwise'` (Tay et al., "Lightweight and efficient neural natural language
 *   processing with quaternion networks", ACL 2019): the four components of Q ⊗ Kᵀ as score maps S_c
 *   (scaled by 1/√(4·d_h)), four softmaxes A_c, O = concat_c(A_c·V_c); `valueProduct: 'hamilton'` forms
 *   O = A ⊗ V instead; `conjugate: true` uses Q ⊗ K*. Each map is attention(Q̃_c, K̂, ·) with a
 *   signed permutation Q̃_c of Q's components (see attentionPlan.ts), also on the flash kernel.
 *
 * q `[B, Lq, D]`, k and v `[B, Lk, D]`, one float type; `causal`, `mask` (broadcast to `[B, heads, Lq,
 * Lk]`), `scale`, `normalizer` behave as in `attention` (masked rows give 0). Float32 in → float32 out.
 * Returns `{ output, ops?, weights? }`; `returnWeights` adds A `[B, heads, maps, Lq, Lk]`; `countOps` adds `{ scoreMultiplications, softmaxCalls }`
 * (`quaternionAttentionOpCounts`: 4·d_h vs 16·d_h multiplications per pair, 1 vs 4 softmaxes per head).
 *
 * Complexity: shared O(B·H·Lq·Lk·8·d_h); component-wise O(B·H·Lq·Lk·20·d_h) (concat) plus 4× the
 * exponentials. Extra memory O(B·L·D) per call (gathered heads), never Lq×Lk on the softmax path.
 *
 * `quaternionAttention.vjp(q, k, v, dOut, opts)` → `{ dq, dk, dv }` (`[B, L, D]` each): the `attention.vjp`
 * of every call, mapped back through the transposed signed permutations. No gradient to the mask.
 *
 * @example
 * const x = { data: new Float32Array(2 * 10 * 64), dims: [2, 10, 64] };
 * const { output, ops } = quaternionAttention(x, x, x, { variant: 'shared', heads: 4, causal: true, countOps: true });
 */
export const quaternionAttention = Object.assign(forward, { vjp });
