/**
 * ALiBi attention biases (Press, Smith & Lewis, "Train short, test long: attention with linear biases
 * enables input length extrapolation", ICLR 2022).
 */
import type { FloatArray } from '../tensor/types.js';
import { allocLike } from '../tensor/view.js';

const cache = new Map<string, { data: FloatArray; dims: number[] }>();

/**
 * The additive mask [1, heads, L, L] (in `like`'s float type) with entry −m_h·|i − j| for query i and key
 * j, slopes m_h = 2^(−8(h+1)/heads) — pass it as `attention`'s `mask` (with `causal` for a decoder, where
 * only j ≤ i remain). Cached per (heads, L, float type); the returned tensor is shared, do not mutate it.
 * O(heads·L²) on first use.
 */
export function alibiMask(heads: number, length: number, like: FloatArray): { data: FloatArray; dims: number[] } {
  const key = `${heads}:${length}:${like.constructor.name}`;
  let mask = cache.get(key);
  if (mask === undefined) {
    const data = allocLike(like, heads * length * length);
    for (let h = 0; h < heads; h++) {
      const slope = Math.pow(2, (-8 * (h + 1)) / heads);
      for (let i = 0; i < length; i++) for (let j = 0; j < length; j++) data[(h * length + i) * length + j] = -slope * Math.abs(i - j);
    }
    mask = { data, dims: [1, heads, length, length] };
    if (cache.size > 16) cache.clear();
    cache.set(key, mask);
  }
  return mask;
}
