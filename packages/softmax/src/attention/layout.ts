/**
 * Shapes of an attention call: validation of q, k, v (`[batch, heads, length, headDim]`), the
 * grouped-query head mapping, scale and causal offset, and output-aliasing checks.
 */
import { fail } from '../tensor/errors.js';
import { finiteInRange } from '../tensor/options.js';
import type { FloatArray, TensorLike } from '../tensor/types.js';
import { isFloatArray, sizeOf } from '../tensor/view.js';

/** A validated rank-4 tensor. */
export interface Tensor4 {
  data: FloatArray;
  dims: readonly [number, number, number, number];
}

/** The validated geometry of one attention call. */
export interface AttentionShape {
  batch: number;
  qHeads: number;
  kvHeads: number;
  /** Query heads per kv head (q head h uses kv head ⌊h / group⌋). */
  group: number;
  lq: number;
  lk: number;
  d: number;
  dv: number;
  scale: number;
  /** Query i keeps keys j ≤ i + causalOffset (Lk − Lq); Infinity when not causal. */
  causalOffset: number;
}

export function dimsText(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

export function isTensorObject(x: unknown): x is TensorLike {
  return typeof x === 'object' && x !== null && !ArrayBuffer.isView(x) && !Array.isArray(x) && 'data' in x && 'dims' in x;
}

/** Validates a float tensor `{ data, dims }` of the given rank. */
export function checkTensor(x: unknown, name: string, rank: number, what: string): { data: FloatArray; dims: number[] } {
  if (!isTensorObject(x)) fail('E_INPUT', name, `a tensor { data, dims } ${what}`, x);
  if (!isFloatArray(x.data)) fail('E_DTYPE', `${name}.data`, 'a Float32Array or Float64Array', x.data);
  const dims = x.dims as unknown;
  if (!Array.isArray(dims) || dims.length !== rank || dims.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    fail('E_SHAPE', `${name}.dims`, `${rank} non-negative integers ${what}`, Array.isArray(dims) ? dimsText(dims as number[]) : dims);
  }
  if (sizeOf(dims as number[]) !== x.data.length) {
    fail('E_SHAPE', `${name}.dims`, `dims whose product equals ${name}.data.length (${x.data.length})`, dimsText(dims as number[]));
  }
  return { data: x.data, dims: [...(dims as number[])] };
}

/** Requires `other` to have the float type of q. */
export function sameType(like: FloatArray, other: FloatArray, name: string): void {
  if (other.constructor !== like.constructor) fail('E_DTYPE', name, `a ${like.constructor.name} (q's float type)`, other);
}

export function requireDims(got: readonly number[], want: readonly number[], name: string, why: string): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) fail('E_SHAPE', name, `dims ${dimsText(want)} (${why})`, dimsText(got));
}

/** Validates q, k, v and the scale/causal options. */
export function parseShape(q: unknown, k: unknown, v: unknown, scale: unknown, causal: unknown): { q: Tensor4; k: Tensor4; v: Tensor4; shape: AttentionShape } {
  const what = '[batch, heads, length, headDim]';
  const qt = checkTensor(q, 'q', 4, what);
  const kt = checkTensor(k, 'k', 4, what);
  const vt = checkTensor(v, 'v', 4, what);
  sameType(qt.data, kt.data, 'k.data');
  sameType(qt.data, vt.data, 'v.data');
  const [batch, qHeads, lq, d] = qt.dims;
  const [kb, kvHeads, lk, kd] = kt.dims;
  if (kb !== batch) fail('E_SHAPE', 'k.dims', `batch ${batch} (q's batch)`, dimsText(kt.dims));
  if (kd !== d) fail('E_SHAPE', 'k.dims', `headDim ${d} (q's headDim)`, dimsText(kt.dims));
  const [vb, vh, vl] = vt.dims;
  if (vb !== batch || vh !== kvHeads || vl !== lk) {
    fail('E_SHAPE', 'v.dims', `[${batch}, ${kvHeads}, ${lk}, dv] (k's batch, heads and length)`, dimsText(vt.dims));
  }
  if (kvHeads === 0 ? qHeads !== 0 : qHeads % kvHeads !== 0) {
    fail('E_SHAPE', 'k.dims', `a head count that divides q's ${qHeads} heads (grouped-query attention)`, dimsText(kt.dims));
  }
  if (causal !== undefined && typeof causal !== 'boolean') fail('E_PARAM', 'causal', 'true or false', causal);
  const s = finiteInRange(scale, 'scale', -Number.MAX_VALUE, Number.MAX_VALUE, d > 0 ? 1 / Math.sqrt(d) : 1);
  const shape: AttentionShape = {
    batch, qHeads, kvHeads, group: kvHeads === 0 ? 1 : qHeads / kvHeads, lq, lk, d, dv: vt.dims[3], scale: s,
    causalOffset: causal === true ? lk - lq : Infinity,
  };
  const as4 = (t: { data: FloatArray; dims: number[] }): Tensor4 => ({ data: t.data, dims: t.dims as unknown as Tensor4['dims'] });
  return { q: as4(qt), k: as4(kt), v: as4(vt), shape };
}

/** Element offsets of head (b, h) of q / output and of its kv head in k, v. */
export function headOffsets(s: AttentionShape, b: number, h: number): { qo: number; ko: number; vo: number; oo: number; kvHead: number } {
  const kvHead = Math.floor(h / s.group);
  const bh = b * s.qHeads + h;
  const bk = b * s.kvHeads + kvHead;
  return { qo: bh * s.lq * s.d, oo: bh * s.lq * s.dv, ko: bk * s.lk * s.d, vo: bk * s.lk * s.dv, kvHead };
}

/** Number of kept keys [0, end) of query row i under the causal rule (all lk when not causal). */
export function causalEnd(s: AttentionShape, i: number): number {
  return s.causalOffset === Infinity ? s.lk : Math.max(0, Math.min(s.lk, i + s.causalOffset + 1));
}

/** True when two arrays share memory. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
