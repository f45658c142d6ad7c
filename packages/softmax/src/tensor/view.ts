import { fail } from './errors.js';
import type { FloatArray, Input, TensorLike } from './types.js';

/**
 * A validated input: contiguous float data, its dims, and whether the caller passed a bare row
 * (so the output is returned as a bare row too).
 */
export interface TensorView {
  data: FloatArray;
  dims: readonly number[];
  isRow: boolean;
}

export function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float32Array || value instanceof Float64Array;
}

function isTensorLike(value: unknown): value is TensorLike {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Array.isArray(value) &&
    'data' in value && 'dims' in value;
}

/** Number of elements of a shape (1 for a scalar shape `[]`). */
export function sizeOf(dims: readonly number[]): number {
  let size = 1;
  for (const d of dims) size *= d;
  return size;
}

/** Validates `dims` as a list of non-negative safe integers. */
export function checkDims(dims: unknown, name: string): readonly number[] {
  if (!Array.isArray(dims)) fail('E_SHAPE', name, 'an array of non-negative integers', dims);
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail('E_SHAPE', name, 'an array of non-negative integers', dims);
    }
  }
  return dims as readonly number[];
}

/** Converts a plain array of numbers to Float64Array, rejecting non-numbers. */
function fromNumberArray(values: readonly unknown[], name: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') fail('E_INPUT', `${name}[${i}]`, 'a number', v);
    out[i] = v;
  }
  return out;
}

/**
 * Validates any accepted input form and returns a view on it. Never copies a typed array; a plain
 * `number[]` is converted to a Float64Array (the documented float64 path).
 */
export function toView(x: Input, name = 'x'): TensorView {
  if (isFloatArray(x)) return { data: x, dims: [x.length], isRow: true };
  if (Array.isArray(x)) {
    const data = fromNumberArray(x, name);
    return { data, dims: [data.length], isRow: true };
  }
  if (ArrayBuffer.isView(x)) {
    fail('E_DTYPE', name, 'a Float32Array or Float64Array (or number[]; integer arrays are not accepted)', x);
  }
  if (isTensorLike(x)) {
    const { data } = x;
    if (!isFloatArray(data)) {
      fail('E_DTYPE', `${name}.data`, 'a Float32Array or Float64Array', data);
    }
    const dims = checkDims(x.dims, `${name}.dims`);
    if (sizeOf(dims) !== data.length) {
      fail('E_SHAPE', `${name}.dims`, `dims whose product equals ${name}.data.length (${data.length})`, `[${dims.join(', ')}]`);
    }
    return { data, dims, isRow: false };
  }
  return fail('E_INPUT', name, 'a number[], Float32Array, Float64Array or a tensor { data, dims }', x);
}

/** Allocates an array of the same float type. */
export function allocLike(data: FloatArray, length: number): FloatArray {
  return data instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
}

/**
 * Resolves the output array: the caller's `out` (checked for type and length) or a fresh one.
 * `out` may be the input's own data (in-place).
 */
export function resolveOut(like: FloatArray, length: number, out: unknown, name = 'out'): FloatArray {
  if (out === undefined) return allocLike(like, length);
  const target = (isTensorLike(out) ? (out as TensorLike).data : out) as unknown;
  if (!isFloatArray(target) || target.constructor !== like.constructor) {
    fail('E_DTYPE', name, `a ${like.constructor.name} (the input's float type)`, target);
  }
  if (target.length !== length) fail('E_SHAPE', name, `length ${length}`, target.length);
  return target;
}

/** Wraps result data in the caller's form: a bare row or `{ data, dims }`. */
export function wrapOutput(view: TensorView, data: FloatArray, dims: readonly number[] = view.dims): FloatArray | { data: FloatArray; dims: number[] } {
  return view.isRow && dims.length === 1 ? data : { data, dims: [...dims] };
}
