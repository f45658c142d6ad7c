import { backendFor } from '../kernels/dispatch.js';
import { oneOf, optionsObject } from '../tensor/options.js';
import type { Algorithm, FloatArray, Input, OutputOf, TensorLike } from '../tensor/types.js';
import { resolveOut, wrapOutput } from '../tensor/view.js';
import { mapRows, parseRowwise, vjpRows, type RowwiseOptions } from './rowwise.js';

export interface SoftmaxOptions extends RowwiseOptions {
  /** Write the result here (same float type and size as x); may be x's own data (in place). */
  out?: FloatArray | TensorLike;
  /** Kernel algorithm; `'auto'` (default) picks by row length and backend. */
  algorithm?: Algorithm;
  /** Rows with no finite entry left (all −∞ or masked): `'nan'` (default, as PyTorch) or `'zero'`. */
  fullyMasked?: 'nan' | 'zero';
}

export interface SoftmaxVjpOptions extends RowwiseOptions {
  out?: FloatArray | TensorLike;
}

const ALGORITHMS: readonly Algorithm[] = ['auto', 'three-pass', 'two-pass', 'online'];

/** Indices of the rows whose input is entirely −∞ (for the `fullyMasked: 'zero'` policy). */
export function fullyMaskedRows(x: FloatArray, rows: number, n: number): number[] {
  const found: number[] = [];
  for (let r = 0; r < rows; r++) {
    let masked = n > 0;
    for (let i = r * n; i < (r + 1) * n && masked; i++) masked = x[i] === -Infinity;
    if (masked) found.push(r);
  }
  return found;
}

function softmaxForward<I extends Input>(x: I, opts?: SoftmaxOptions): OutputOf<I> {
  const call = parseRowwise(x, opts);
  const o = optionsObject(opts);
  const algorithm = oneOf(o.algorithm, 'algorithm', ALGORITHMS, 'auto');
  const fullyMasked = oneOf(o.fullyMasked, 'fullyMasked', ['nan', 'zero'] as const, 'nan');
  const out = resolveOut(call.view.data, call.view.data.length, o.out);
  const backend = backendFor(call.view.data);
  mapRows(call, out, (src, dst, rows, n) => {
    // Found before the kernel runs: src and dst may be the same array (in place, or a moved axis).
    const zeroRows = fullyMasked === 'zero' ? fullyMaskedRows(src, rows, n) : [];
    backend.softmaxRows(src, dst, rows, n, call.s, algorithm);
    for (const r of zeroRows) dst.fill(0, r * n, (r + 1) * n);
  });
  return wrapOutput(call.view, out) as OutputOf<I>;
}

/**
 * Backward of softmax: dx = y ⊙ (dy − ⟨dy, y⟩) / τ per row, from the forward output y and upstream dy.
 * Masked entries (y = 0) get 0, as in PyTorch. Accumulates in float64. O(n).
 */
function softmaxVjp<I extends Input>(y: I, dy: Input, opts?: SoftmaxVjpOptions): OutputOf<I> {
  const { call, dx } = vjpRows(y, dy, opts, (yd, g, out, rows, n, s) => {
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += g[o + i] * yd[o + i];
      for (let i = 0; i < n; i++) out[o + i] = yd[o + i] * (g[o + i] - dot) * s;
    }
  });
  return wrapOutput(call.view, dx) as OutputOf<I>;
}

/**
 * Softmax along an axis: y_i = exp(x_i/τ − m) / Σ_j exp(x_j/τ − m), m = max_j x_j/τ.
 *
 * - Input: a row (`number[]` → Float64Array result, Float32Array, Float64Array) or a tensor
 *   `{ data, dims }` with `axis` (default −1). Output has the input's form and float type.
 * - Float32 runs on WebAssembly SIMD kernels when available (await `ready()` in browsers), else on the
 *   float64 reference; float64 always on the reference. Float32 results are within 2e-6 relative of the
 *   float64 result for entries ≥ 1e-30; float64 within 1e-12.
 * - Special values (PyTorch semantics): −∞ (or a dropped `mask` entry) gives 0; a row that is all −∞
 *   gives NaN (or 0 with `fullyMasked: 'zero'`); +∞ or NaN anywhere in a row gives NaN for the row.
 *   Finite inputs never give NaN.
 * - O(n) per row; `algorithm` selects three-pass (reloading), two-pass (Dukhan & Ablavatski 2020) or
 *   online (Milakov & Gimelshein 2018) kernels.
 *
 * `softmax.vjp(y, dy, opts)` is the exact backward pass.
 *
 * @example softmax([1, 2, 3]) // Float64Array [0.0900…, 0.2447…, 0.6652…]
 */
export const softmax = Object.assign(softmaxForward, { vjp: softmaxVjp });
