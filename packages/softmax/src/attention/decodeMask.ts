import { fail } from '../tensor/errors.js';
import { expandMask } from '../tensor/mask.js';
import type { FloatArray, MaskInput, TensorLike } from '../tensor/types.js';
import { allocLike, checkDims, isFloatArray, sizeOf } from '../tensor/view.js';

/**
 * A decode mask: a keep-mask (`boolean[]`, 0/1 `number[]`, `Uint8Array`, or `{ data, dims }` of those;
 * 1/true = keep) or an additive mask in the queries' float type (a Float32Array/Float64Array or
 * `{ data, dims }`; −∞ = masked). Its dims broadcast (NumPy rules, right-aligned) to
 * [batch, qHeads, Lq, keys] where keys is the valid `length`, the cache `capacity`, or 1.
 */
export type DecodeMask = MaskInput | FloatArray | TensorLike;

/**
 * The mask as an additive float array in the queries' type with element strides per axis (0 on a
 * broadcast axis): the entry of (batch b, query head h, query i, key j) is
 * `data[b·sb + h·sh + i·si + j]`, for j < length. Rows hold `width` ≥ length entries.
 */
export interface DecodeMaskLayout {
  data: FloatArray;
  sb: number;
  sh: number;
  si: number;
  width: number;
}

function isTensor(value: unknown): value is { data: unknown; dims: unknown } {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Array.isArray(value) &&
    'data' in value && 'dims' in value;
}

/**
 * Validates a decode mask against [batch, qHeads, lq, length] (key axis may also be `capacity` or 1)
 * and returns it as an additive layout in `like`'s float type. A keep-mask becomes 0/−∞ (a copy of
 * the mask's own size, not the broadcast size); an additive mask of the right type is used in place,
 * except that a key axis of size 1 is widened to `length` (a copy). The input is never mutated.
 */
export function resolveDecodeMask(mask: DecodeMask, like: FloatArray, batch: number, qHeads: number, lq: number,
  length: number, capacity: number): DecodeMaskLayout {
  let values: unknown;
  let dims: readonly number[];
  if (isTensor(mask)) {
    values = mask.data;
    dims = checkDims(mask.dims, 'mask.dims');
    const n = (values as { length?: unknown }).length;
    if (typeof n === 'number' && sizeOf(dims) !== n) {
      fail('E_SHAPE', 'mask.dims', `dims whose product equals mask.data.length (${n})`, `[${dims.join(', ')}]`);
    }
  } else if (Array.isArray(mask) || ArrayBuffer.isView(mask)) {
    values = mask;
    dims = [(mask as { length: number }).length];
  } else {
    return fail('E_INPUT', 'mask', 'a keep-mask (boolean[], 0/1 number[], Uint8Array), an additive Float32Array/Float64Array, or { data, dims } of those', mask);
  }
  const additive = isFloatArray(values);
  const name = isTensor(mask) ? 'mask.data' : 'mask';
  if (isFloatArray(values) && values.constructor !== like.constructor) {
    fail('E_DTYPE', name, `an additive mask of the queries' float type (${like.constructor.name}), or a boolean keep-mask`, values);
  }
  if (!additive && ArrayBuffer.isView(values) && !(values instanceof Uint8Array)) {
    fail('E_DTYPE', name, `a Uint8Array keep-mask or a ${like.constructor.name} additive mask`, values);
  }

  const target = [batch, qHeads, lq, length];
  const shapeText = `a shape broadcastable to [${batch}, ${qHeads}, ${lq}, ${length}] (key axis ${length}${capacity !== length ? `, ${capacity}` : ''} or 1)`;
  if (dims.length > 4) fail('E_SHAPE', 'mask', shapeText, `[${dims.join(', ')}]`);
  const full = [1, 1, 1, 1];
  for (let i = 0; i < dims.length; i++) full[4 - dims.length + i] = dims[i];
  const keyDim = full[3];
  if (keyDim !== 1 && keyDim !== length && keyDim !== capacity) fail('E_SHAPE', 'mask', shapeText, `[${dims.join(', ')}]`);
  for (let a = 0; a < 3; a++) {
    if (full[a] !== 1 && full[a] !== target[a]) fail('E_SHAPE', 'mask', shapeText, `[${dims.join(', ')}]`);
  }

  // Convert to additive in the queries' type; widen a key axis of 1 to `length`.
  const width = keyDim === 1 ? length : keyDim;
  const rows = full[0] * full[1] * full[2];
  let data: FloatArray;
  if (additive && keyDim === width) {
    data = values as FloatArray;
  } else {
    const keep = additive ? null : expandMask(mask as MaskInput, dims, 'mask');
    const src = values as FloatArray;
    data = allocLike(like, rows * width);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) {
        const from = r * keyDim + (keyDim === 1 ? 0 : j);
        data[r * width + j] = keep ? (keep[from] ? 0 : -Infinity) : src[from];
      }
    }
  }
  const si = full[2] === 1 ? 0 : width;
  const sh = full[1] === 1 ? 0 : full[2] * width;
  const sb = full[0] === 1 ? 0 : full[1] * full[2] * width;
  return { data, sb, sh, si, width };
}
