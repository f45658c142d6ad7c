/**
 * Quaternion algebra on packed arrays: Hamilton product, conjugate, norm and inner product, batched over
 * every quaternion of the input, in either feature layout (see layout.ts; default interleaved).
 *
 * With p = p_r + p_i·i + p_j·j + p_k·k (Hamilton 1843; i² = j² = k² = ijk = −1):
 *   (p ⊗ q)_r = p_r q_r − p_i q_i − p_j q_j − p_k q_k
 *   (p ⊗ q)_i = p_r q_i + p_i q_r + p_j q_k − p_k q_j
 *   (p ⊗ q)_j = p_r q_j − p_i q_k + p_j q_r + p_k q_i
 *   (p ⊗ q)_k = p_r q_k + p_i q_j − p_j q_i + p_k q_r
 * q* = q_r − q_i·i − q_j·j − q_k·k,  |q| = √(q_r² + q_i² + q_j² + q_k²),  ⟨p, q⟩ = Re(p ⊗ q*) = Σ_c p_c q_c.
 */
import { fail } from '../tensor/errors.js';
import type { FloatArray, Input } from '../tensor/types.js';
import { allocLike, toView, wrapOutput, type TensorView } from '../tensor/view.js';
import { quaternionUnits, type QuaternionLayout } from './layout.js';

export interface QuaternionAlgebraOptions {
  /** Feature layout of the last axis: `'interleaved'` (default; `[r, i, j, k, …]`) or `'blocks'` (`[r | i | j | k]`). */
  layout?: QuaternionLayout;
}

type Output = FloatArray | { data: FloatArray; dims: number[] };

/** Offsets of component c of quaternion n (n counts all quaternions of the array, row by row). */
interface Addressing {
  count: number;
  /** Index of component c of quaternion n. */
  at(n: number, c: number): number;
}

function addressing(view: TensorView, name: string, options: QuaternionAlgebraOptions | undefined): Addressing {
  const layout = options?.layout ?? 'interleaved';
  if (layout !== 'interleaved' && layout !== 'blocks') fail('E_PARAM', 'layout', "'interleaved' or 'blocks'", layout);
  const units = quaternionUnits(view.dims, name);
  const count = view.data.length / 4;
  if (layout === 'interleaved' || units === 0) return { count, at: (n, c) => 4 * n + c };
  return { count, at: (n, c) => { const row = Math.floor(n / units); return 4 * units * row + c * units + (n - row * units); } };
}

/** The product's four components from p and q (components in r, i, j, k order). */
function hamilton(pr: number, pi: number, pj: number, pk: number, qr: number, qi: number, qj: number, qk: number, out: Float64Array): void {
  out[0] = pr * qr - pi * qi - pj * qj - pk * qk;
  out[1] = pr * qi + pi * qr + pj * qk - pk * qj;
  out[2] = pr * qj - pi * qk + pj * qr + pk * qi;
  out[3] = pr * qk + pi * qj - pj * qi + pk * qr;
}

/**
 * Hamilton product p ⊗ q of every quaternion pair (formula in the module documentation; not
 * commutative: i ⊗ j = k, j ⊗ i = −k).
 *
 * `p`, `q`: arrays of quaternions, last dimension a multiple of 4 (default layout interleaved
 * `[r, i, j, k]`, e.g. dims `[n, 4]`; `{ layout: 'blocks' }` for `[r | i | j | k]` features). Equal dims,
 * or one side a single quaternion (4 values) that multiplies every quaternion of the other. Bare arrays
 * in → bare array out; float32 in → float32 out (each component rounded once from float64).
 * 16 multiplications per product; O(n) time. Throws E_SHAPE on a last dimension not divisible by 4 or
 * mismatched sizes, E_DTYPE when p and q differ in float type.
 *
 * @example hamiltonProduct([0, 1, 0, 0], [0, 0, 1, 0]) // i ⊗ j = k → Float64Array [0, 0, 0, 1]
 */
export function hamiltonProduct(p: Input, q: Input, options?: QuaternionAlgebraOptions): Output {
  const pv = toView(p, 'p');
  const qv = toView(q, 'q');
  if (pv.data.constructor !== qv.data.constructor) fail('E_DTYPE', 'q', `the float type of p (${pv.data.constructor.name})`, qv.data);
  const pa = addressing(pv, 'p', options);
  const qa = addressing(qv, 'q', options);
  const sameShape = pv.dims.length === qv.dims.length && pv.dims.every((d, i) => d === qv.dims[i]);
  if (!sameShape && pa.count !== 1 && qa.count !== 1) {
    fail('E_SHAPE', 'q.dims', `the dims of p ([${pv.dims.join(', ')}]) or a single quaternion`, `[${qv.dims.join(', ')}]`);
  }
  const big = pa.count >= qa.count ? pv : qv;
  const ba = pa.count >= qa.count ? pa : qa;
  const out = allocLike(big.data, big.data.length);
  const t = new Float64Array(4);
  const pd = pv.data;
  const qd = qv.data;
  for (let n = 0; n < ba.count; n++) {
    const np = pa.count === 1 ? 0 : n;
    const nq = qa.count === 1 ? 0 : n;
    hamilton(pd[pa.at(np, 0)], pd[pa.at(np, 1)], pd[pa.at(np, 2)], pd[pa.at(np, 3)], qd[qa.at(nq, 0)], qd[qa.at(nq, 1)], qd[qa.at(nq, 2)], qd[qa.at(nq, 3)], t);
    for (let c = 0; c < 4; c++) out[ba.at(n, c)] = t[c];
  }
  return wrapOutput(big, out);
}

/**
 * Conjugate q* = q_r − q_i·i − q_j·j − q_k·k of every quaternion (same shape and layout). Rules:
 * (p ⊗ q)* = q* ⊗ p*, q ⊗ q* = |q|². O(n).
 */
export function quaternionConjugate(q: Input, options?: QuaternionAlgebraOptions): Output {
  const v = toView(q, 'q');
  const a = addressing(v, 'q', options);
  const out = allocLike(v.data, v.data.length);
  for (let n = 0; n < a.count; n++) {
    out[a.at(n, 0)] = v.data[a.at(n, 0)];
    for (let c = 1; c < 4; c++) out[a.at(n, c)] = -v.data[a.at(n, c)];
  }
  return wrapOutput(v, out);
}

function perQuaternion(v: TensorView, a: Addressing, value: (n: number) => number): Output {
  const units = quaternionUnits(v.dims, 'q');
  const dims = v.dims.length === 0 ? [1] : [...v.dims.slice(0, -1), units];
  const out = allocLike(v.data, a.count);
  for (let n = 0; n < a.count; n++) out[n] = value(n);
  return wrapOutput(v, out, dims);
}

/**
 * Norm |q| = √(q_r² + q_i² + q_j² + q_k²) of every quaternion: dims `[..., 4U]` → `[..., U]` (a bare
 * array of 4U values → U values). Multiplicative: |p ⊗ q| = |p|·|q|. Computed with a scaled sum of
 * squares (no overflow for |components| up to ~1e308). O(n).
 */
export function quaternionNorm(q: Input, options?: QuaternionAlgebraOptions): Output {
  const v = toView(q, 'q');
  const a = addressing(v, 'q', options);
  return perQuaternion(v, a, (n) => {
    let m = 0;
    for (let c = 0; c < 4; c++) m = Math.max(m, Math.abs(v.data[a.at(n, c)]));
    if (m === 0 || !Number.isFinite(m)) return m;
    let s = 0;
    for (let c = 0; c < 4; c++) s += (v.data[a.at(n, c)] / m) ** 2;
    return m * Math.sqrt(s);
  });
}

/**
 * Quaternion inner product ⟨p, q⟩ = Re(p ⊗ q*) = p_r q_r + p_i q_i + p_j q_j + p_k q_k of every pair:
 * `[..., 4U]` → `[..., U]` (p and q of equal dims). This is the shared score of quaternion attention
 * (Yamauchi, Nitta & Tamori, ICML 2026). 4 multiplications per pair; O(n).
 */
export function quaternionInner(p: Input, q: Input, options?: QuaternionAlgebraOptions): Output {
  const pv = toView(p, 'p');
  const qv = toView(q, 'q');
  if (pv.data.constructor !== qv.data.constructor) fail('E_DTYPE', 'q', `the float type of p (${pv.data.constructor.name})`, qv.data);
  if (pv.dims.length !== qv.dims.length || pv.dims.some((d, i) => d !== qv.dims[i])) fail('E_SHAPE', 'q.dims', `the dims of p ([${pv.dims.join(', ')}])`, `[${qv.dims.join(', ')}]`);
  const pa = addressing(pv, 'p', options);
  const qa = addressing(qv, 'q', options);
  return perQuaternion(pv, pa, (n) => {
    let s = 0;
    for (let c = 0; c < 4; c++) s += pv.data[pa.at(n, c)] * qv.data[qa.at(n, c)];
    return s;
  });
}
