/** The float element types the library computes in. */
export type FloatArray = Float32Array | Float64Array;

/**
 * A dense, C-ordered tensor: the shape onnxruntime and transformers.js tensors already have, so their
 * outputs can be passed straight in.
 */
export interface TensorLike<T extends FloatArray = FloatArray> {
  data: T;
  dims: readonly number[];
}

/** One row: a plain array (computed as float64) or a typed float array. */
export type Row = readonly number[] | Float32Array | Float64Array;

/** Anything a row-wise op accepts. */
export type Input = Row | TensorLike;

/** The output type for an input: a row gives a typed row (number[] → Float64Array), a tensor a tensor. */
export type OutputOf<I> = I extends TensorLike<infer T>
  ? { data: T; dims: number[] }
  : I extends Float32Array
    ? Float32Array
    : Float64Array;

/** A boolean mask, `true`/1 = keep. Same shape as the input, or broadcastable to it (NumPy rules). */
export type MaskInput =
  | readonly boolean[]
  | readonly number[]
  | Uint8Array
  | { data: Uint8Array | readonly boolean[] | readonly number[]; dims: readonly number[] };

/** Kernel algorithm for the softmax family. `'auto'` picks by row length and backend. */
export type Algorithm = 'auto' | 'three-pass' | 'two-pass' | 'online';
