import { backendFor } from '../kernels/dispatch.js';
import { optionsObject } from '../tensor/options.js';
import type { FloatArray, Input, OutputOf, TensorLike } from '../tensor/types.js';
import { resolveOut, wrapOutput } from '../tensor/view.js';
import { mapRows, parseRowwise, vjpRows, type RowwiseOptions } from './rowwise.js';

export interface LogSoftmaxOptions extends RowwiseOptions {
  out?: FloatArray | TensorLike;
}

function logSoftmaxForward<I extends Input>(x: I, opts?: LogSoftmaxOptions): OutputOf<I> {
  const call = parseRowwise(x, opts);
  const out = resolveOut(call.view.data, call.view.data.length, optionsObject(opts).out);
  const backend = backendFor(call.view.data);
  mapRows(call, out, (src, dst, rows, n) => backend.logSoftmaxRows(src, dst, rows, n, call.s));
  return wrapOutput(call.view, out) as OutputOf<I>;
}

/**
 * Backward of log-softmax: dx = (dy − softmax·Σ dy) / τ with softmax = exp(y). At −∞ (masked) entries
 * exp(y) = 0, so dy passes through, as in PyTorch. Float64 accumulation. O(n).
 */
function logSoftmaxVjp<I extends Input>(y: I, dy: Input, opts?: LogSoftmaxOptions): OutputOf<I> {
  const { call, dx } = vjpRows(y, dy, opts, (yd, g, out, rows, n, s) => {
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += g[o + i];
      for (let i = 0; i < n; i++) out[o + i] = (g[o + i] - Math.exp(yd[o + i]) * sum) * s;
    }
  });
  return wrapOutput(call.view, dx) as OutputOf<I>;
}

/**
 * Log-softmax along an axis: y_i = x_i/τ − logSumExp(x/τ), computed as (x_i − m)/τ − log Σ exp((x_j − m)/τ).
 * Same input forms, options and special-value rules as `softmax` (−∞ stays −∞; all-−∞, +∞ or NaN rows give
 * NaN). Float32 absolute error within 2e-6·max(1, |y|) of the float64 result. O(n) per row.
 * `logSoftmax.vjp(y, dy, opts)` is the exact backward pass.
 */
export const logSoftmax = Object.assign(logSoftmaxForward, { vjp: logSoftmaxVjp });
