import { fail } from './errors.js';

/** Normalises an axis (negative counts from the end) against a rank; throws `E_AXIS`. */
export function normalizeAxis(axis: unknown, rank: number, name = 'axis'): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank) {
    fail('E_AXIS', name, `an integer in [${-rank}, ${rank})`, axis);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * The layout of a reduction over one axis of a C-ordered tensor: `outer` blocks, each `n` rows long
 * along the axis with stride `inner`.
 */
export interface AxisLayout {
  outer: number;
  n: number;
  inner: number;
}

export function axisLayout(dims: readonly number[], axis: number): AxisLayout {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= dims[i];
  for (let i = axis + 1; i < dims.length; i++) inner *= dims[i];
  return { outer, n: dims[axis], inner };
}

/**
 * Copies the `[outer, n, inner]` layout into `[outer, inner, n]` so the axis becomes contiguous rows.
 * This is the one place an axis is moved to the last position; `restoreAxis` undoes it.
 */
export function moveAxisLast<T extends Float32Array | Float64Array | Uint8Array>(src: T, dst: T, layout: AxisLayout): T {
  const { outer, n, inner } = layout;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let j = 0; j < n; j++) {
      const s = base + j * inner;
      for (let i = 0; i < inner; i++) dst[base + i * n + j] = src[s + i];
    }
  }
  return dst;
}

/** Inverse of `moveAxisLast`: `[outer, inner, n]` back to `[outer, n, inner]`. */
export function restoreAxis<T extends Float32Array | Float64Array>(src: T, dst: T, layout: AxisLayout): T {
  const { outer, n, inner } = layout;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let i = 0; i < inner; i++) {
      const s = base + i * n;
      for (let j = 0; j < n; j++) dst[base + j * inner + i] = src[s + j];
    }
  }
  return dst;
}
