/**
 * Shared validation and layout helpers of the linear-attention family (linearAttention, gla,
 * gatedDeltaNet): rank-4 `[batch, heads, length, dim]` tensors, per-step gate tensors, states.
 */
import { fail } from '../tensor/errors.js';
import type { FloatArray, TensorLike } from '../tensor/types.js';
import { isFloatArray, sizeOf } from '../tensor/view.js';

/** A validated `[batch, heads, length, dim]` tensor. */
export interface Seq4 {
  data: FloatArray;
  batch: number;
  heads: number;
  length: number;
  dim: number;
}

function dimsText(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

/** Validates a tensor `{ data, dims }` of float data with `rank` non-negative integer dims. */
export function checkTensor(x: unknown, name: string, rank: number): { data: FloatArray; dims: readonly number[] } {
  if (typeof x !== 'object' || x === null || ArrayBuffer.isView(x) || Array.isArray(x) || !('data' in x) || !('dims' in x)) {
    fail('E_INPUT', name, `a tensor { data, dims } of rank ${rank}`, x);
  }
  const t = x as TensorLike;
  if (!isFloatArray(t.data)) fail('E_DTYPE', `${name}.data`, 'a Float32Array or Float64Array', t.data);
  const dims = t.dims as unknown;
  if (!Array.isArray(dims) || dims.length !== rank || dims.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    fail('E_SHAPE', `${name}.dims`, `${rank} non-negative integers`, Array.isArray(dims) ? dimsText(dims as number[]) : dims);
  }
  if (sizeOf(dims as number[]) !== t.data.length) {
    fail('E_SHAPE', `${name}.dims`, `dims whose product equals ${name}.data.length (${t.data.length})`, dimsText(dims as number[]));
  }
  return { data: t.data, dims: dims as number[] };
}

/** Validates a `[batch, heads, length, dim]` tensor. */
export function checkSeq(x: unknown, name: string): Seq4 {
  const { data, dims } = checkTensor(x, name, 4);
  return { data, batch: dims[0], heads: dims[1], length: dims[2], dim: dims[3] };
}

/** q, k, v as rank-4 sequences `[batch, heads, length, dim]` of one float type (dims compared by the caller). */
export function checkQkv(q: unknown, k: unknown, v: unknown): { q: Seq4; k: Seq4; v: Seq4 } {
  const qs = checkSeq(q, 'q');
  const ks = checkSeq(k, 'k');
  const vs = checkSeq(v, 'v');
  sameDtype(qs.data, ks.data, 'k.data', 'q');
  sameDtype(qs.data, vs.data, 'v.data', 'q');
  return { q: qs, k: ks, v: vs };
}

/** Requires `other` to have the float type of `like` (float32 and float64 are never mixed). */
export function sameDtype(like: FloatArray, other: FloatArray, name: string, likeName: string): void {
  if (other.constructor !== like.constructor) {
    fail('E_DTYPE', name, `a ${like.constructor.name} (the float type of ${likeName})`, other);
  }
}

/** Requires exact dims. */
export function expectDims(got: readonly number[], want: readonly number[], name: string, what: string): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    fail('E_SHAPE', name, `dims ${dimsText(want)} (${what})`, dimsText(got));
  }
}

/** Requires every entry of a gate tensor to lie in (lo, hi] (`openLo`) or [lo, hi]; NaN is rejected. */
export function checkGateRange(data: FloatArray, name: string, lo: number, hi: number, openLo: boolean): void {
  for (let i = 0; i < data.length; i++) {
    const g = data[i];
    const ok = (openLo ? g > lo : g >= lo) && g <= hi;
    if (!ok) fail('E_PARAM', `${name}[${i}]`, `a gate in ${openLo ? '(' : '['}${lo}, ${hi}]`, g);
  }
}

/** Copies `n` values from `src` at `offset` into a new Float64Array (all arithmetic runs in float64). */
export function slice64(src: FloatArray, offset: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = src[offset + i];
  return out;
}

/** Writes float64 values into `dst` at `offset` (rounding to float32 when `dst` is a Float32Array). */
export function store(dst: FloatArray, offset: number, src: ArrayLike<number>, n = src.length): void {
  for (let i = 0; i < n; i++) dst[offset + i] = src[i];
}

/** Allocates an array of the float type of `like`. */
export function allocOf(like: FloatArray, n: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** An integer option ≥ 1 (chunk sizes). */
export function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail('E_PARAM', name, 'an integer ≥ 1', value);
  return value;
}

/** A boolean option. */
export function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail('E_PARAM', name, 'true or false', value);
  return value;
}

/**
 * Validates an optional recurrent state `[batch, heads, dk, dv]` of the dtype of `like`; returns its data
 * or null.
 */
export function checkState(x: unknown, name: string, like: FloatArray, want: readonly number[]): FloatArray | null {
  if (x === undefined) return null;
  const t = checkTensor(x, name, 4);
  expectDims(t.dims, want, `${name}.dims`, '[batch, heads, dk, dv]');
  sameDtype(like, t.data, `${name}.data`, 'q');
  return t.data;
}
