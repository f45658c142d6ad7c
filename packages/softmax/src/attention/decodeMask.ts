import type { FloatArray, MaskInput, TensorLike } from '../tensor/types.js';
import { allocLike } from '../tensor/view.js';
import { parseMask, type MaskPlan } from './attentionMask.js';
import type { AttentionMask } from './attentionTypes.js';

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

/**
 * Validates a decode mask against [batch, qHeads, lq, length] (key axis may also be `capacity` or 1)
 * with the attention op's mask parser, and returns it as an additive layout in `like`'s float type. A
 * keep-mask becomes 0/−∞ (a copy of the mask's own size, not the broadcast size); an additive mask of
 * the right type is used in place, except that a key axis of size 1 is widened to `length` (a copy).
 * The input is never mutated.
 */
export function resolveDecodeMask(mask: DecodeMask, like: FloatArray, batch: number, qHeads: number, lq: number,
  length: number, capacity: number): DecodeMaskLayout {
  const plan = parseMask(mask as AttentionMask, like, { batch, qHeads, lq, lk: length }, [length, capacity]) as MaskPlan;
  const [mb, mh, mq, keys] = plan.dims;
  if (keys !== 1) return { data: plan.data, sb: plan.sb, sh: plan.sh, si: plan.sq, width: keys };
  // One value per row: widen it along the keys so every row is a contiguous run of `length` entries.
  const rows = mb * mh * mq;
  const data = allocLike(like, rows * length);
  for (let r = 0; r < rows; r++) data.fill(plan.data[r], r * length, (r + 1) * length);
  return {
    data,
    sb: mb === 1 ? 0 : mh * mq * length,
    sh: mh === 1 ? 0 : mq * length,
    si: mq === 1 ? 0 : length,
    width: length,
  };
}
