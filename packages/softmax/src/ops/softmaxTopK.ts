import { backendFor } from '../kernels/dispatch.js';
import { moveAxisLast } from '../tensor/axis.js';
import { fail } from '../tensor/errors.js';
import type { FloatArray, Input, TensorLike } from '../tensor/types.js';
import { allocLike } from '../tensor/view.js';
import { parseRowwise, type RowwiseOptions } from '../normalizers/rowwise.js';

export type SoftmaxTopKOptions = RowwiseOptions;

/** Row input → typed arrays; tensor input → tensors whose `axis` has length k. */
export type SoftmaxTopKResult<I> = I extends TensorLike<infer T>
  ? { indices: { data: Int32Array; dims: number[] }; values: { data: T; dims: number[] } }
  : { indices: Int32Array; values: I extends Float32Array ? Float32Array : Float64Array };

/**
 * Fused softmax + top-k: the k most probable entries of softmax(x/τ) along an axis, their indices and
 * probabilities, in one read of the input (online normaliser with a running top-k buffer; Milakov &
 * Gimelshein 2018). Output is sorted by probability, descending; ties keep the lower index. Never
 * materialises the full softmax: O(n) time (plus O(k) per insertion, rare on random rows), O(k) memory.
 * Special values as `softmax`: a row holding NaN or +∞ gives NaN probabilities; −∞/masked entries are
 * ranked last (and only chosen when fewer than k entries are finite, lowest index first).
 * @param k an integer in [1, n], n the length of the axis.
 */
export function softmaxTopK<I extends Input>(x: I, k: number, opts?: SoftmaxTopKOptions): SoftmaxTopKResult<I> {
  const call = parseRowwise(x, opts);
  const { layout, view } = call;
  const n = layout.n;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > n) {
    fail('E_PARAM', 'k', `an integer in [1, ${n}] (the length of the axis)`, k);
  }
  const rows = layout.outer * layout.inner;
  let src: FloatArray = view.data;
  if (call.mask) {
    const masked = allocLike(src, src.length);
    for (let i = 0; i < src.length; i++) masked[i] = call.mask[i] ? src[i] : -Infinity;
    src = masked;
  }
  if (layout.inner !== 1) src = moveAxisLast(src, allocLike(src, src.length), layout);
  const indices = new Int32Array(rows * k);
  const values = allocLike(view.data, rows * k);
  const backend = backendFor(src);
  for (let r = 0; r < rows; r++) backend.topKRow(src, r * n, n, k, call.s, indices, r * k, values, r * k);
  if (view.isRow) return { indices, values } as SoftmaxTopKResult<I>;
  // Results are [outer, inner, k]; put k back at the axis position.
  const dims = view.dims.map((d, i) => (i === call.axis ? k : d));
  const outIdx = layout.inner === 1 ? indices : unmoveK(indices, new Int32Array(indices.length), layout.outer, layout.inner, k);
  const outVal = layout.inner === 1 ? values : unmoveK(values, allocLike(values, values.length), layout.outer, layout.inner, k);
  return { indices: { data: outIdx, dims }, values: { data: outVal, dims: [...dims] } } as SoftmaxTopKResult<I>;
}

/** [outer, inner, k] → [outer, k, inner]. */
function unmoveK<T extends Int32Array | FloatArray>(src: T, dst: T, outer: number, inner: number, k: number): T {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let j = 0; j < k; j++) dst[(o * k + j) * inner + i] = src[(o * inner + i) * k + j];
    }
  }
  return dst;
}
